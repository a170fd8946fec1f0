"""Frictionless Data Packages (v2): CitizenDataset to and from ``datapackage.json`` + CSV.

A data set becomes a folder or a zip archive::

    datapackage.json           Data Package v2 descriptor (+ cdinterop:* properties)
    observations.csv           the observation table (resource "observations")
    codelists/<codelist>.csv   one table per codelist used by a column (foreign keys)

::

    from cdinterop import datapackage
    datapackage.write(ds, "out/marine-litter")        # a folder
    datapackage.write(ds, "out/marine-litter.zip")    # a zip archive
    again = datapackage.read("out/marine-litter.zip")  # == ds
    issues = datapackage.check_package("out/marine-litter")  # [] when valid

``read`` also takes packages cdinterop did not write: their structure is inferred from
the Table Schema. ``to_package`` and ``from_package`` exchange ``frictionless.Package``
objects; ``to_descriptor`` and ``from_descriptor`` plain descriptor dicts.

Where each field goes: native properties where the v2 specification has a place, the
rest in ``cdinterop:*`` properties (JSON Schema in
``schemas/datapackage-extension.schema.json``). Nothing outside a package is read,
nothing is fetched over the network, and writes are atomic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdinterop._extras import require
from cdinterop.datapackage._descriptor import (
    CODELIST_FOLDER,
    OBSERVATIONS_PATH,
    OBSERVATIONS_RESOURCE,
    PACKAGE_PROFILE,
    to_descriptor,
)
from cdinterop.datapackage._extension import FORMAT_VERSION, PREFIX
from cdinterop.datapackage._reader import (
    Options,
    build,
    dedupe,
    parse_descriptor,
    resource_issues,
)
from cdinterop.datapackage._resources import (
    codelist_rows,
    observation_rows,
    write_codelist,
    write_observations,
)
from cdinterop.datapackage._storage import (
    InlineSource,
    PackageWriter,
    open_source,
    write_package_files,
)
from cdinterop.datapackage._tableschema import TABLE_SCHEMA_PROFILE
from cdinterop.datapackage._thirdparty import DEFAULT_AGENCY, DEFAULT_LANGUAGE
from cdinterop.errors import Issue, WriteError
from cdinterop.model import CitizenDataset, refuse_added_fields

if TYPE_CHECKING:
    import frictionless

__all__ = [
    "CODELIST_FOLDER",
    "DEFAULT_AGENCY",
    "DEFAULT_LANGUAGE",
    "DESCRIPTOR_NAME",
    "EXTENSION_PREFIX",
    "FORMAT_VERSION",
    "OBSERVATIONS_PATH",
    "OBSERVATIONS_RESOURCE",
    "PACKAGE_PROFILE",
    "TABLE_SCHEMA_PROFILE",
    "check_package",
    "from_descriptor",
    "from_package",
    "read",
    "to_descriptor",
    "to_package",
    "write",
]

DESCRIPTOR_NAME = "datapackage.json"
"""File name of the descriptor cdinterop writes."""
EXTENSION_PREFIX = PREFIX
"""Prefix of cdinterop's custom properties (``cdinterop:``)."""

_FILE_PROPERTIES = ("path", "scheme", "format", "mediatype", "encoding", "bytes", "hash")


def _with_file_info(resource: dict[str, Any], size: int, sha256: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in resource.items():
        if key == "schema":
            out["bytes"] = size
            out["hash"] = f"sha256:{sha256}"
        out[key] = value
    return out


def write(dataset: CitizenDataset, target: str | Path) -> Path:
    """Write ``dataset`` as a Data Package: a folder, or a zip archive when ``target`` ends
    in ``.zip``; return the path.

    The write is atomic (nothing is left behind on failure); an existing folder is
    replaced only if it holds a Data Package or is empty. Raises
    [`WriteError`][cdinterop.errors.WriteError].
    """
    refuse_added_fields(dataset, "a Data Package")
    descriptor = to_descriptor(dataset)
    language = _language(dataset)

    def fill(writer: PackageWriter) -> None:
        with writer.file(OBSERVATIONS_PATH) as sink:
            write_observations(dataset, sink)
        for resource in descriptor["resources"][1:]:
            codelist = _codelist_of(dataset, resource)
            with writer.file(resource["path"]) as sink:
                write_codelist(codelist, language, sink)
        descriptor["resources"] = [
            _with_file_info(r, writer.files[r["path"]].bytes, writer.files[r["path"]].sha256)
            for r in descriptor["resources"]
        ]
        text = json.dumps(descriptor, indent=2, ensure_ascii=False, allow_nan=False)
        with writer.file(DESCRIPTOR_NAME) as sink:
            sink.write(text.encode("utf-8") + b"\n")

    return write_package_files(target, fill)


def _language(dataset: CitizenDataset) -> str:
    from cdinterop.datapackage._descriptor import default_language

    return default_language(dataset)


def _codelist_of(dataset: CitizenDataset, resource: dict[str, Any]) -> Any:
    from cdinterop.datapackage._tableschema import codelist_resource_names

    names = codelist_resource_names(dataset.structure)
    codelist_id = next(cid for cid, name in names.items() if name == resource["name"])
    return dataset.structure.codelist(codelist_id)


def _options(resource: str | None, language: str, agency: str) -> Options:
    return Options(resource=resource, language=language, agency=agency)


def read(
    source: str | Path,
    *,
    resource: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    agency: str = DEFAULT_AGENCY,
) -> CitizenDataset:
    """Read a Data Package (a folder, its ``datapackage.json`` or a ``.zip``).

    Packages written by cdinterop come back exactly as written. Others get a structure inferred from
    the Table Schema of ``resource`` (default: ``observations``, else the first tabular resource);
    ``language`` and ``agency`` fill what plain packages lack. Raises
    [`ReadError`][cdinterop.errors.ReadError] for a package that cannot be read (broken JSON,
    missing or unsafe paths, bad encoding, a schema with no representation) and
    [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] with every problem of one that
    can.
    """
    options = _options(resource, language, agency)
    with open_source(source) as package:
        data = package.descriptor_bytes()
        descriptor = parse_descriptor(data, package.descriptor_name, package.label)
        dataset, _ = build(descriptor, package, options, collect=False, descriptor_bytes=data)
    assert dataset is not None  # build raises instead of returning None when not collecting
    return dataset


def from_descriptor(
    descriptor: Mapping[str, Any],
    *,
    basepath: str | Path | None = None,
    resource: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    agency: str = DEFAULT_AGENCY,
) -> CitizenDataset:
    """A data set from a descriptor dict; file paths resolve inside ``basepath`` (without one, only
    inline ``data`` can be read). Options and errors as for
    [`read()`][cdinterop.datapackage.read]."""
    options = _options(resource, language, agency)
    label = str(basepath) if basepath is not None else "<descriptor>"
    source = InlineSource(basepath, label)
    dataset, _ = build(dict(descriptor), source, options, collect=False)
    assert dataset is not None
    return dataset


def to_package(
    dataset: CitizenDataset, *, basepath: str | Path | None = None
) -> frictionless.Package:
    """The data set as a ``frictionless.Package`` (needs the extra ``frictionless``).

    Without ``basepath`` the tables are inline ``data`` (rows of CSV text, nulls as ``null``); with
    one, the package is first written there ([`write()`][cdinterop.datapackage.write]: a folder, or
    a zip archive for a path ending in ``.zip``) and the returned package reads its files.
    """
    refuse_added_fields(dataset, "a Data Package")
    require("frictionless", extra="frictionless", purpose="datapackage.to_package()")
    import frictionless

    try:
        if basepath is not None:
            written = write(dataset, basepath)
            if written.suffix.lower() == ".zip":
                return frictionless.Package(str(written))
            return frictionless.Package(str(written / DESCRIPTOR_NAME))
        descriptor = to_descriptor(dataset)
        language = _language(dataset)
        for i, resource in enumerate(descriptor["resources"]):
            rows = (
                observation_rows(dataset)
                if i == 0
                else codelist_rows(_codelist_of(dataset, resource), language)
            )
            for key in _FILE_PROPERTIES:
                resource.pop(key, None)
            resource["data"] = rows
        return frictionless.Package.from_descriptor(descriptor)
    except frictionless.FrictionlessException as exc:
        raise WriteError(f"frictionless rejected the package: {exc}") from None


def from_package(
    package: frictionless.Package,
    *,
    resource: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    agency: str = DEFAULT_AGENCY,
) -> CitizenDataset:
    """A data set from a ``frictionless.Package`` (files are read inside its basepath;
    inline data as is). Options and errors as for [`read()`][cdinterop.datapackage.read]."""
    descriptor = package.to_descriptor()
    basepath = package.basepath or None
    label = basepath or f"<frictionless.Package {package.name or ''}>"
    options = _options(resource, language, agency)
    dataset, _ = build(descriptor, InlineSource(basepath, label), options, collect=False)
    assert dataset is not None
    return dataset


def check_package(
    source: str | Path,
    *,
    resource: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    agency: str = DEFAULT_AGENCY,
) -> list[Issue]:
    """Every problem of a Data Package, as located issues (empty when it is valid).

    Checks the descriptor against the official v2 profiles (``descriptor.<json path>``,
    needs ``dplib-py``), the ``cdinterop:*`` properties, the files (unsafe or missing
    paths, ``bytes`` and ``hash``), the CSV (encoding, parsing, columns) and every
    observation against the structure (row, component, value). Raises
    [`ReadError`][cdinterop.errors.ReadError] only when the package cannot be opened at all
    (no such path, no descriptor, descriptor not JSON).
    """
    return _check_package(source, resource=resource, language=language, agency=agency)[0]


def _check_package(
    source: str | Path,
    *,
    resource: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    agency: str = DEFAULT_AGENCY,
) -> tuple[list[Issue], CitizenDataset | None]:
    """[`check_package()`][cdinterop.datapackage.check_package], with the data set when it
    was read without problems (for checks that look at the values themselves)."""
    from cdinterop.datapackage._profiles import descriptor_issues

    options = _options(resource, language, agency)
    with open_source(source) as package:
        data = package.descriptor_bytes()
        descriptor = parse_descriptor(data, package.descriptor_name, package.label)
        issues = descriptor_issues(descriptor)
        dataset, found = build(descriptor, package, options, collect=True, descriptor_bytes=data)
        issues.extend(found)
        issues.extend(resource_issues(descriptor, package))
    return dedupe(issues), dataset
