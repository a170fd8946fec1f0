"""SDMX: CitizenDataset to and from SDMX-ML 2.1 / 3.0, SDMX-CSV 1.0 / 2.0 and SDMX-JSON.

The SDMX form of a data set is a structure message (codelists, concept scheme, DSD and a
dataflow whose ``cdinterop:*`` annotations carry every metadata field SDMX has no place
for) plus one or more data messages::

    from cdinterop import sdmx
    paths = sdmx.write_all(ds, "out/")                  # structures + every data format
    sdmx.write(ds, "out/data.xml", format="ml21-ss")    # one data message
    again = sdmx.read("out/data.xml", structure="out/structure-2.1.xml")

Data formats (see [`FORMATS`][cdinterop.sdmx.FORMATS]): ``ml21-ss``, ``ml21-ss-ts``,
``ml21-generic``, ``ml30-ss``, ``ml30-ss-ts``, ``csv10``, ``csv20``, ``json10``, ``json20``,
``json21`` (SDMX-JSON 1.0, 2.0.0 and 2.1.0 data messages).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from cdinterop._publish import publish as _publish
from cdinterop.errors import InvalidDatasetError, ReadError, WriteError, issues_from_pydantic
from cdinterop.model import (
    AttachmentLevel,
    CitizenDataset,
    Observations,
    ValueType,
    refuse_added_fields,
)
from cdinterop.sdmx._data_read import DataPayload, read_payload, read_references, sniff_format
from cdinterop.sdmx._formats import FORMATS, DataFormat
from cdinterop.sdmx._reference import (
    VERSION_POLICIES,
    VERSION_WARNING,
    StructureReferenceWarning,
    StructureVersionWarning,
    VersionPolicy,
    check_references,
    structure_for,
)
from cdinterop.sdmx._registry import DEFAULT_REGISTRY, fetch_structure, registry_options

if TYPE_CHECKING:
    from sdmx.message import StructureMessage


__all__ = [
    "DEFAULT_REGISTRY",
    "FORMATS",
    "STRUCTURE_FILES",
    "DataFormat",
    "StructureReferenceWarning",
    "StructureVersionWarning",
    "VersionPolicy",
    "fetch_structure",
    "find_structure",
    "from_structure",
    "left_out",
    "planned_files",
    "read",
    "read_structure",
    "registry_options",
    "sniff_format",
    "to_structure",
    "write",
    "write_all",
    "write_structure",
]

STRUCTURE_FILES = {
    "2.1": "structure-2.1.xml",
    "3.0": "structure-3.0.xml",
    "json-2.0": "structure-2.0.json",
    "json-2.1": "structure-2.1.json",
}
"""File names ``write_all()`` gives the structure messages, by structure version (SDMX-ML
``2.1`` and ``3.0``, SDMX-JSON ``json-2.0`` and ``json-2.1``)."""


def write(dataset: CitizenDataset, target: str | Path | IO[bytes], *, format: str) -> Path | None:
    """Write one data message in ``format`` (a key of [`FORMATS`][cdinterop.sdmx.FORMATS]) to a path
    (atomically) or a binary stream; return the path (``None`` for a stream)."""
    refuse_added_fields(dataset, "SDMX")
    try:
        fmt = FORMATS[format]
    except KeyError:
        raise WriteError(
            f"unknown SDMX format {format!r}; choose from {', '.join(FORMATS)}"
        ) from None
    fmt.write(dataset, target)
    return Path(target) if isinstance(target, str | Path) else None


def write_structure(
    dataset: CitizenDataset, target: str | Path | IO[bytes], *, version: str = "2.1"
) -> Path | None:
    """Write the structure message (SDMX-ML ``2.1`` or ``3.0``, SDMX-JSON ``json-2.0`` or
    ``json-2.1``) of a data set to a path (atomically) or a binary stream; return the path
    (``None`` for a stream)."""
    from cdinterop.sdmx._json_common import JSON_VERSIONS
    from cdinterop.sdmx._structure_xml import write_structure as _write_structure

    refuse_added_fields(dataset, "SDMX")
    if version in JSON_VERSIONS:
        from cdinterop.sdmx._structure_json import write_structure_json

        write_structure_json(dataset, target, version=JSON_VERSIONS[version])
    else:
        _write_structure(dataset, target, version=version)
    return Path(target) if isinstance(target, str | Path) else None


def planned_files(dataset: CitizenDataset, formats: list[str] | None = None) -> list[str]:
    """Names of the files [`write_all()`][cdinterop.sdmx.write_all] writes for ``dataset``
    (structures first)."""
    chosen = list(FORMATS) if formats is None else formats
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise WriteError(f"unknown SDMX format(s) {unknown}; choose from {', '.join(FORMATS)}")
    from cdinterop.sdmx._structure_xml import structure_problem

    names = [
        name
        for version, name in STRUCTURE_FILES.items()
        if structure_problem(dataset.structure, version) is None
    ] or [STRUCTURE_FILES["3.0"]]  # neither fits: writing it raises, saying why
    for name in chosen:
        fmt = FORMATS[name]
        if formats is None and not fmt.supports(dataset):
            continue
        names.append(f"data-{name}{fmt.extension}")
    return names


def left_out(dataset: CitizenDataset) -> dict[str, str]:
    """The structure messages [`write_all()`][cdinterop.sdmx.write_all] does not write for
    ``dataset``, each with the reason (e.g. SDMX-ML 3.0.0 cannot state numeric parent
    codes)."""
    from cdinterop.sdmx._structure_xml import structure_problem

    problems = {
        name: structure_problem(dataset.structure, version)
        for version, name in STRUCTURE_FILES.items()
    }
    planned = set(planned_files(dataset, []))
    return {name: why for name, why in problems.items() if why and name not in planned}


def write_all(
    dataset: CitizenDataset,
    directory: str | Path,
    *,
    formats: list[str] | None = None,
    on_written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write the structure messages (SDMX-ML 2.1 and 3.0, SDMX-JSON 2.0 and 2.1: each that
    can state the structure) and each data format (all that can carry the data set by
    default) into ``directory``; return the written paths.

    The files are written into a staging folder beside ``directory`` and published
    together at the end: the SDMX files of an earlier run there (every name this function
    can write) are replaced, other files are kept, and a failure (a full disk, say) or a
    kill leaves the earlier files as they were. A second run into the same folder is
    refused while one is writing. Any ``OSError`` becomes a
    [`WriteError`][cdinterop.errors.WriteError].

    ``on_written`` is called with each path as soon as its file is complete (for
    progress); the files appear at those paths when the last one is written.
    """
    refuse_added_fields(dataset, "SDMX")
    folder = Path(directory)
    names = planned_files(dataset, formats)

    def written(path: Path) -> None:
        if on_written is not None:
            on_written(folder / path.name)

    with _publish(folder, _owned_files()) as staging:
        _write_files(dataset, staging, names, written)
    return [folder / name for name in names]


def _owned_files() -> tuple[str, ...]:
    """Every name [`write_all()`][cdinterop.sdmx.write_all] can give a file."""
    data = (f"data-{name}{fmt.extension}" for name, fmt in FORMATS.items())
    return (*STRUCTURE_FILES.values(), *data)


def _write_files(
    dataset: CitizenDataset, folder: Path, names: list[str], on_written: Callable[[Path], None]
) -> None:
    """Write the files ``names`` (from `planned_files()`) into the existing ``folder``."""
    for name in names:
        path = folder / name
        if name in STRUCTURE_FILES.values():
            version = {file: v for v, file in STRUCTURE_FILES.items()}[name]
            write_structure(dataset, path, version=version)
        else:
            FORMATS[path.stem.removeprefix("data-")].write(dataset, path)
        on_written(path)


def to_structure(dataset: CitizenDataset) -> StructureMessage:
    """The data set's structure as an sdmx1 ``StructureMessage`` (codelists, concept
    scheme, DSD, dataflow with the ``cdinterop:*`` annotations)."""
    from cdinterop.sdmx._native import to_structure as _to_structure

    refuse_added_fields(dataset, "SDMX")
    return _to_structure(dataset)


def from_structure(message: StructureMessage, *, dataflow: str | None = None) -> CitizenDataset:
    """A data set (no observations) from an sdmx1 ``StructureMessage``."""
    from cdinterop.sdmx._native import from_structure as _from_structure

    return _from_structure(message, dataflow=dataflow)


def read_structure(source: str | Path | bytes, *, dataflow: str | None = None) -> CitizenDataset:
    """Read a structure message (2.1 or 3.0) into a data set without observations.

    ``source`` is a path, the message's bytes, or a ``str`` that is an SDMX URN (of a DSD
    or dataflow) or an SDMX REST URL: that one is fetched (see
    [`fetch_structure()`][cdinterop.sdmx.fetch_structure]), and a dataflow it names is the
    one read unless ``dataflow`` says otherwise."""
    from cdinterop.sdmx._native import read_structure as _read_structure
    from cdinterop.sdmx._registry import read_remote

    return read_remote(source, lambda src, flow: _read_structure(src, dataflow=dataflow or flow))


def find_structure(source: Any) -> Path:
    """The structure message beside a data file (``structure-2.1.xml``, ``structure-3.0.xml``,
    ``structure-2.0.json``, ``structure-2.1.json``, ``structure.xml`` or ``structure.json``);
    [`ReadError`][cdinterop.errors.ReadError] if there is none."""
    if not isinstance(source, str | Path):
        raise ReadError("<stream>", "give the structure (structure=...) to read a stream")
    folder = Path(source).parent
    for name in (*STRUCTURE_FILES.values(), "structure.xml", "structure.json"):
        if (folder / name).is_file():
            return folder / name
    raise ReadError(
        str(source),
        f"no structure given and none found beside it ({', '.join(STRUCTURE_FILES.values())})",
    )


def _typed(value_type: ValueType, text: str) -> str | int | float | bool:
    try:
        if value_type is ValueType.INTEGER:
            return int(text)
        if value_type is ValueType.DECIMAL:
            return float(text)
    except ValueError:
        return text  # the model reports the wrong type, with its location
    if value_type is ValueType.BOOLEAN:
        return text.lower() in ("true", "1")
    return text


def read(
    source: str | Path | IO[bytes] | bytes,
    *,
    structure: CitizenDataset | str | Path | bytes | None = None,
    version_mismatch: VersionPolicy = "warn",
) -> CitizenDataset:
    """Read an SDMX data message or SDMX-CSV file into a
    [`CitizenDataset`][cdinterop.model.CitizenDataset].

    Every SDMX-ML 2.1 data message (generic or structure-specific; flat, time series or
    cross-sectional; with ``Group`` elements, whose attribute values go to every matching
    observation), SDMX-ML 3.0 structure-specific data, SDMX-CSV 1.0 / 2.0 and SDMX-JSON
    1.0 / 2.0 / 2.1 data messages (every layout; dimension-group attributes go to every
    matching observation; a data set whose action is ``Delete`` is refused) are read.

    ``structure`` is a data set (its metadata and structure are used), or a structure
    message (path or bytes, or a ``str`` SDMX URN or REST URL: fetched, see
    [`fetch_structure()`][cdinterop.sdmx.fetch_structure]); when omitted, a structure message
    beside ``source`` is used.
    When the data refer to a dataflow that the message defines, that dataflow is used.

    The structure the data say they follow (the header's reference, or the SDMX-CSV
    structure columns) is checked against it: another DSD or dataflow (agency or id) is an
    error naming both; another version of the same one follows ``version_mismatch``:
    ``"warn"`` (a [`StructureVersionWarning`][cdinterop.sdmx.StructureVersionWarning]),
    ``"error"`` or ``"ignore"``. A dataflow the structure message does not define gives a
    [`StructureReferenceWarning`][cdinterop.sdmx.StructureReferenceWarning], and the data
    are read with the message's DSD.

    Raises [`ReadError`][cdinterop.errors.ReadError] for unreadable input and
    [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] listing every problem in the data.
    """
    if version_mismatch not in VERSION_POLICIES:
        raise ValueError(
            f"version_mismatch must be one of {', '.join(VERSION_POLICIES)}, "
            f"not {version_mismatch!r}"
        )
    if structure is None:
        structure = find_structure(source)
    label = _name(source)
    _, references = read_references(source)
    base = structure_for(structure, references)
    early = check_references(references, base, version_mismatch=version_mismatch)
    if early.errors:
        raise InvalidDatasetError([*early.errors, *early.warnings], context=label)
    payload: DataPayload = read_payload(source, base.structure)
    check = check_references(
        payload.references or references, base, version_mismatch=version_mismatch
    )
    if check.errors:
        raise InvalidDatasetError([*check.errors, *check.warnings], context=label)
    attributes: dict[str, Any] = {}
    for attribute in base.structure.attributes:
        if attribute.attachment is AttachmentLevel.DATASET and attribute.id in (
            payload.dataset_attributes
        ):
            text = payload.dataset_attributes[attribute.id]
            attributes[attribute.id] = (
                text if attribute.codelist else _typed(attribute.value_type, text)
            )
    problems = [*check.warnings, *payload.issues]
    try:
        dataset = base.replace(
            observations=Observations(payload.table), attribute_values=attributes
        )
    except ValidationError as exc:
        raise InvalidDatasetError([*problems, *issues_from_pydantic(exc)], context=label) from None
    except InvalidDatasetError as exc:
        raise InvalidDatasetError([*problems, *exc.issues], context=label) from None
    if payload.issues:
        raise InvalidDatasetError(problems, context=label)
    for issue in check.warnings:
        category = (
            StructureVersionWarning if issue.code == VERSION_WARNING else StructureReferenceWarning
        )
        warnings.warn(category(f"{issue.location}: {issue.message}"), stacklevel=2)
    return dataset


def _name(source: Any) -> str:
    return "<bytes>" if isinstance(source, bytes) else str(getattr(source, "name", source))
