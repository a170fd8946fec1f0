"""Checking descriptors against the official Data Package v2 JSON Schema profiles.

The profiles are the files shipped as package data of PyPI ``dplib-py``
(``dplib/profiles/2.0/{datapackage,dataresource,tableschema,tabledialect}.json``); they
are read from disk and applied with ``jsonschema`` (draft 7, with format checks where
``jsonschema`` has the checkers). Nothing is fetched over the network: references to the
profiles' URLs resolve to the local files, any other reference fails. dplib's own check
functions are never called (they download the profiles).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from cdinterop._extras import require, require_folder
from cdinterop.errors import CdinteropError, Issue

__all__ = ["PROFILE_BASE", "PROFILE_FILES", "descriptor_issues", "load_profile", "profile_dir"]

PROFILE_BASE = "https://datapackage.org/profiles/2.0/"
"""Base URL of the v2 profiles."""
PROFILE_FILES = {
    "package": "datapackage.json",
    "resource": "dataresource.json",
    "schema": "tableschema.json",
    "dialect": "tabledialect.json",
}
"""File of each v2 profile, by the kind of descriptor it describes."""


_PURPOSE = "checking a Data Package against the v2 profiles"


def profile_dir() -> Path:
    """Folder of the v2 profiles in the installed ``dplib-py`` (extra ``validate``)."""
    folder = require_folder("dplib", extra="validate", purpose=_PURPOSE) / "profiles" / "2.0"
    if not (folder / PROFILE_FILES["package"]).is_file():
        raise CdinteropError(f"no Data Package v2 profiles in {folder}")
    return folder


@cache
def load_profile(kind: str) -> dict[str, Any]:
    """The v2 profile (JSON Schema) for ``kind``: package, resource, schema or dialect."""
    profile: dict[str, Any] = json.loads(
        (profile_dir() / PROFILE_FILES[kind]).read_text(encoding="utf-8")
    )
    return profile


@cache
def _registry() -> Any:
    referencing = require("referencing", extra="validate", purpose=_PURPOSE)
    draft7 = require("referencing.jsonschema", extra="validate", purpose=_PURPOSE).DRAFT7

    resources = [
        (PROFILE_BASE + name, referencing.Resource.from_contents(load_profile(kind), draft7))
        for kind, name in PROFILE_FILES.items()
    ]
    # a Registry without ``retrieve`` raises for any URI it does not hold: no network
    return referencing.Registry().with_resources(resources)


def _location(path: Iterable[Any]) -> str:
    text = "descriptor"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _leaves(error: Any) -> list[Any]:
    """The errors that explain ``error`` best: inside a failed ``oneOf``/``anyOf``, those of
    the alternative that came closest (one whose ``type`` matched, with fewest errors)."""
    if not error.context:
        return [error]
    groups: dict[Any, list[Any]] = {}
    for sub in error.context:
        groups.setdefault(sub.relative_schema_path[0], []).append(sub)

    def distance(errors: list[Any]) -> tuple[int, int]:
        type_miss = any(
            e.validator in ("type", "enum", "const") and list(e.relative_path) in ([], ["type"])
            for e in errors
        )
        return (1 if type_miss else 0, len(errors))

    best = min(groups.values(), key=distance)
    if distance(best)[0]:
        return [error]  # no alternative fits even roughly: the summary says it best
    return [leaf for sub in best for leaf in _leaves(sub)]


def descriptor_issues(descriptor: Any, kind: str = "package") -> list[Issue]:
    """Every violation of the v2 profile ``kind`` by ``descriptor``, located by JSON path
    (``descriptor.resources[0].schema.fields[2].type``)."""
    profile = load_profile(kind)
    checker = require("jsonschema", extra="validate", purpose=_PURPOSE).Draft7Validator
    validator = checker(profile, registry=_registry(), format_checker=checker.FORMAT_CHECKER)
    issues: list[Issue] = []
    for error in sorted(validator.iter_errors(descriptor), key=lambda e: [str(p) for p in e.path]):
        for leaf in _leaves(error):
            value = leaf.instance
            shown = value if isinstance(value, str | int | float | bool) else None
            message = " ".join(str(leaf.message).split())
            where = list(leaf.absolute_path)
            if leaf.validator == "pattern" and where and where[-1] == "path":
                message = (
                    f"{value!r} is not a v2 path: a relative POSIX path (not starting with "
                    "'/', '.' or '~', without '..' or backslashes) or an http(s)/ftp(s) URL"
                )
            if len(message) > 300:
                message = message[:297] + "..."
            issues.append(
                Issue(_location(leaf.absolute_path), "datapackage-profile", message, shown)
            )
    return issues
