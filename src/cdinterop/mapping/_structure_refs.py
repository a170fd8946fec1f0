"""References in a spec's structure, expanded before the structure is validated.

A structure written in a spec need not spell out what is standard or published elsewhere:

* a **codelist** entry may be a reference to a built-in codelist, ``SDMX:CL_SEX`` (every
  list of [`cdinterop.codes`][cdinterop.codes]: ``SDMX:CL_FREQ``, ``SDMX:CL_OBS_STATUS`` …),
  the ISO 3166 areas ``ISO:CL_AREA_ALPHA2`` / ``ISO:CL_AREA_ALPHA3`` (ISO 3166-2 subdivision
  codes such as ``KE-30`` included on demand) or ``UNSD:CL_AREA_M49``; as a mapping it may
  keep some codes and rename the list::

      codelists:
        - SDMX:CL_OBS_STATUS                           # the whole list
        - {ref: SDMX:CL_SEX, codes: [F, M, _T]}        # some codes: SDMX:CL_SEX, isPartial
        - {ref: ISO:CL_AREA_ALPHA2, id: CL_AREA_KE, codes: [KE, KE-30, KE-17]}
        - {ref: "IAEG-SDGs:CL_AREA(1.0)", file: sdg-dsd.xml, codes: [KE]}

  A subset under the source's identity is marked ``partial`` (SDMX ``isPartial``); a list
  given another ``id`` or ``agency`` is the publisher's own (an ``agency`` left out is the
  structure's).
* a **component** (dimension, time dimension, attribute, measure) may come from an SDMX
  structure file, with its concept (and concept scheme) and codelist:
  ``{id: SEX, file: sdg-dsd.xml}``; other keys of the entry override the file's.
* the **whole structure** may be a file's: ``structure: {file: sdg-dsd.xml}`` (``dataflow``
  picks one when the file holds several).
* a component named after an SDMX **cross-domain concept** (``TIME_PERIOD``, ``OBS_VALUE``,
  ``FREQ``, ``UNIT_MEASURE`` …, see
  [`CROSS_DOMAIN_CONCEPTS`][cdinterop.codes.CROSS_DOMAIN_CONCEPTS]) needs no entry in
  ``concepts``.

Files are found relative to the spec's folder (the validation context's ``spec_folder``, set
by [`load_spec()`][cdinterop.mapping.load_spec]); a ``file`` that is an SDMX URN
(``urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=IAEG-SDGs:SDG(1.0)``) or an SDMX
REST URL is fetched from the registry (see ``cdinterop.sdmx.fetch_structure``); all are read
by the reader the spec model passes in (the SDMX structure reader: this layer reads no SDMX
itself). A reference that does not
resolve is a located spec error with the choices there are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, ValidationInfo

from cdinterop import codes
from cdinterop.errors import Problem, ReadError, RuleViolations
from cdinterop.mapping._suggest import did_you_mean
from cdinterop.model import (
    Attribute,
    Codelist,
    DataStructure,
    Dimension,
    Measure,
    Model,
    MultilingualText,
    TimeDimension,
)

__all__ = [
    "BUILT_IN_CODELISTS",
    "CodelistReference",
    "ComponentFromFile",
    "StructureFile",
    "StructureReader",
    "expand_structure",
    "structure_field",
]

StructureReader = Callable[[Path | str, str | None], DataStructure]
"""Reads the data structure of an SDMX structure file, or of the structure an SDMX URN or
URL (a ``str``) names (the second argument names the dataflow when it holds several)."""

_REMOTE = re.compile(r"^(urn:sdmx:|https?://)", re.IGNORECASE)
"""A ``file`` that is an SDMX URN or an http(s) URL: the reader fetches it."""

_REF = r"^([A-Za-z][A-Za-z0-9_.@\-]*:)?[A-Za-z][A-Za-z0-9_@\-]*(\([0-9A-Za-z.+\-]+\))?$"

_AREA_LISTS: dict[str, str] = {
    "ISO:CL_AREA_ALPHA2": "alpha2",
    "ISO:CL_AREA_ALPHA3": "alpha3",
    "UNSD:CL_AREA_M49": "m49",
}


def _built_in_names() -> tuple[str, ...]:
    return (*(f"SDMX:{cl_id}" for cl_id in codes.CROSS_DOMAIN_CODELISTS), *_AREA_LISTS)


BUILT_IN_CODELISTS: tuple[str, ...] = _built_in_names()
"""The references a spec can give to a built-in codelist (without a version)."""


class CodelistReference(Model):
    """A codelist taken from a built-in list or an SDMX structure file, in a spec."""

    ref: str = Field(pattern=_REF)
    """``AGENCY:ID`` or ``AGENCY:ID(VERSION)`` of the list: a built-in one (``SDMX:CL_SEX``,
    ``ISO:CL_AREA_ALPHA2`` …) or, with ``file``, one of that file (there its ``ID`` alone is
    enough when no other list of the file has it)."""
    file: str | None = None
    """SDMX structure file (relative to the spec) that holds the list, or the SDMX URN or
    REST URL of a structure to fetch."""
    codes: list[str] | None = None
    """The codes to keep, in this order (default: all)."""
    id: str | None = None
    """Another id: the list becomes the publisher's own."""
    agency: str | None = None
    """Another agency: the list becomes that agency's."""
    version: str | None = None
    """Another version (of an own list; default ``1.0``)."""
    name: MultilingualText | None = None
    """Another name."""
    description: MultilingualText | None = None
    """Another description."""


class ComponentFromFile(Model):
    """A component taken from the data structure of an SDMX structure file, in a spec."""

    id: str
    """Id of the component in the file's structure."""
    file: str
    """SDMX structure file (relative to the spec), or the SDMX URN or REST URL of a
    structure to fetch."""
    dataflow: str | None = None
    """The dataflow whose structure to take, when the file holds several."""


class StructureFile(Model):
    """A whole data structure taken from an SDMX structure file, in a spec."""

    file: str
    """SDMX structure file (relative to the spec), or the SDMX URN or REST URL of a
    structure to fetch."""
    dataflow: str | None = None
    """The dataflow whose structure to take, when the file holds several."""


_CodelistEntry = Codelist | CodelistReference | Annotated[str, Field(pattern=_REF)]


class _StructureInSpec(DataStructure):
    """The JSON Schema of a structure in a spec: references allowed (never instantiated)."""

    codelists: tuple[_CodelistEntry, ...] = ()  # type: ignore[assignment]
    dimensions: tuple[Dimension | ComponentFromFile, ...] = Field(min_length=1)  # type: ignore[assignment]
    time_dimension: TimeDimension | ComponentFromFile | None = None  # type: ignore[assignment]
    attributes: tuple[Attribute | ComponentFromFile, ...] = ()  # type: ignore[assignment]
    measures: tuple[Measure | ComponentFromFile, ...] = (Measure(),)  # type: ignore[assignment]


def structure_field(reader: StructureReader) -> Any:
    """The type of a ``structure`` field of a spec model: a
    [`DataStructure`][cdinterop.model.DataStructure] whose references are expanded with
    ``reader`` before it is validated (and whose JSON Schema allows them)."""

    def expand(value: Any, info: ValidationInfo) -> Any:
        folder = (info.context or {}).get("spec_folder")
        return expand_structure(value, reader, Path(folder) if folder else Path.cwd())

    return Annotated[
        DataStructure,
        BeforeValidator(expand, json_schema_input_type=_StructureInSpec | StructureFile),
    ]


def expand_structure(value: Any, reader: StructureReader, folder: Path) -> Any:
    """The structure of a spec with its references expanded (see the module); anything that
    is not a mapping is returned as is for the model to judge. Raises
    [`RuleViolations`][cdinterop.errors.RuleViolations] locating each reference that does
    not resolve."""
    if not isinstance(value, dict):
        return value
    files = _Files(reader, folder)
    if "file" in value:
        return _whole_structure(value, files)
    problems: list[Problem] = []
    data = dict(value)
    concepts = list(data.get("concepts") or ())
    schemes = list(data.get("concept_schemes") or ())
    codelists: list[Any] = []
    for i, entry in enumerate(data.get("codelists") or ()):
        codelists.append(_codelist_entry(entry, f"codelists[{i}]", files, problems))
    for key in ("dimensions", "attributes", "measures", "time_dimension"):
        if key not in data:
            continue
        entries = data[key]
        single = not isinstance(entries, list | tuple)
        expanded = [
            _component_entry(
                e, key if single else f"{key}[{i}]", files, (concepts, schemes, codelists), problems
            )
            for i, e in enumerate([entries] if single else entries)
        ]
        data[key] = expanded[0] if single else expanded
    if problems:
        raise RuleViolations(problems)
    concepts += _standard_concepts(data, concepts)
    for key, items in (("concepts", concepts), ("concept_schemes", schemes)):
        if items or key in data:
            data[key] = items
    if codelists or "codelists" in data:
        data["codelists"] = codelists
    return data


class _Files:
    """The structures of the files a spec names, each read once."""

    def __init__(self, reader: StructureReader, folder: Path) -> None:
        self.reader, self.folder = reader, folder
        self.fetched: dict[tuple[str, str | None], DataStructure] = {}

    def structure(self, file: str, dataflow: str | None, where: str) -> DataStructure:
        if _REMOTE.match(file):  # an SDMX URN or URL: fetched (or cached) by the reader
            if (file, dataflow) not in self.fetched:
                try:
                    self.fetched[file, dataflow] = self.reader(file, dataflow)
                except (ReadError, ValueError, KeyError) as exc:
                    raise RuleViolations([Problem(where, f"{file}: {_message(exc)}")]) from None
            return self.fetched[file, dataflow]
        path = Path(file) if Path(file).is_absolute() else self.folder / file
        if not path.is_file():
            raise RuleViolations([Problem(where, f"no file {file!r} (looked for {path})")])
        try:
            return _read(self.reader, path.resolve(), path.stat().st_mtime_ns, dataflow)
        except (ReadError, ValueError, KeyError) as exc:
            raise RuleViolations([Problem(where, f"{file}: {_message(exc)}")]) from None


@lru_cache(maxsize=16)
def _read(reader: StructureReader, path: Path, _mtime: int, dataflow: str | None) -> DataStructure:
    return reader(path, dataflow)


def _message(exc: Exception) -> str:
    if isinstance(exc, ReadError):
        return exc.reason
    return str(exc.args[0]) if exc.args else str(exc)


def _whole_structure(value: dict[str, Any], files: _Files) -> Any:
    extra = sorted(set(value) - {"file", "dataflow"})
    if extra:
        raise RuleViolations(
            [
                Problem(
                    extra[0],
                    "a structure taken from a file has only 'file' and 'dataflow' (write the "
                    "structure inline, with components or codelists from the file, to change it)",
                )
            ]
        )
    return files.structure(str(value["file"]), value.get("dataflow"), "file")


def _codelist_entry(entry: Any, where: str, files: _Files, problems: list[Problem]) -> Any:
    if isinstance(entry, str):
        entry = {"ref": entry}
    elif not (isinstance(entry, dict) and "ref" in entry):
        return entry  # an inline codelist
    try:
        reference = CodelistReference.model_validate(entry)
    except ValidationError as exc:
        for error in exc.errors():
            at = ".".join(str(part) for part in error["loc"])
            problems.append(Problem(f"{where}.{at}" if at else where, error["msg"]))
        return entry
    try:
        return _resolve_codelist(reference, where, files)
    except RuleViolations as exc:
        problems.extend(exc.problems)
        return entry


def _resolve_codelist(reference: CodelistReference, where: str, files: _Files) -> Any:
    if reference.file is not None:
        structure = files.structure(reference.file, None, f"{where}.file")
        try:
            source = structure.codelist(reference.ref)
        except KeyError:
            known = ", ".join(cl.ref for cl in structure.codelists) or "none"
            message = f"no codelist {reference.ref} in {reference.file}: {known}"
            raise RuleViolations([Problem(f"{where}.ref", message)]) from None
    else:
        source = _built_in(reference, where)
    return _derived(source, reference, where)


def _built_in(reference: CodelistReference, where: str) -> Codelist:
    ref = reference.ref.split("(", 1)[0]
    if ref in _AREA_LISTS:
        return _areas(_AREA_LISTS[ref], reference.codes or (), where)
    agency, _, cl_id = ref.partition(":")
    found = codes.CROSS_DOMAIN_CODELISTS.get(cl_id) if agency == "SDMX" else None
    if found is None:
        raise RuleViolations(
            [
                Problem(
                    f"{where}.ref",
                    f"no built-in codelist {ref}{did_you_mean(ref, BUILT_IN_CODELISTS)}; the "
                    f"built-in lists are {', '.join(BUILT_IN_CODELISTS)} (a list of an SDMX "
                    "structure file needs 'file')",
                )
            ]
        )
    if (
        cl_id == "CL_AGE"
        and reference.codes
        and not set(reference.codes) <= {c.id for c in found.codes}
    ):
        try:
            return codes.age_codelist(reference.codes)
        except ValueError as exc:
            raise RuleViolations([Problem(f"{where}.codes", str(exc))]) from None
    return found


def _areas(scheme: str, wanted: list[str] | tuple[()], where: str) -> Codelist:
    countries = sorted({code.split("-", 1)[0] for code in wanted if "-" in code})
    try:
        return codes.ref_area_codelist(scheme, subdivisions_of=countries or None)
    except (KeyError, ValueError) as exc:
        raise RuleViolations([Problem(f"{where}.codes", _message(exc))]) from None


def _derived(source: Codelist, reference: CodelistReference, where: str) -> Any:
    """The codelist a reference gives: the source's codes (some of them), under the source's
    identity (partial when codes are left out) or the entry's own."""
    listed = source
    if reference.codes is not None:
        unknown = [c for c in reference.codes if c not in source]
        if unknown:
            raise RuleViolations(
                [
                    Problem(
                        f"{where}.codes",
                        f"not codes of {source.ref}: {', '.join(unknown)}"
                        f"{did_you_mean(unknown[0], [c.id for c in source.codes])}",
                    )
                ]
            )
        listed = source.subset(reference.codes)
        order = {code: i for i, code in enumerate(reference.codes)}
        ordered = tuple(sorted(listed.codes, key=lambda code: order[code.id]))
        listed = listed.model_copy(update={"codes": ordered})
    own = (reference.id or source.id, reference.agency or source.agency) != (
        source.id,
        source.agency,
    )
    data = listed.model_dump()
    if own:
        data.pop("agency", None)
        data["partial"] = False
        data["version"] = "1.0"
        data.pop("uri", None)
        if len(listed.codes) < len(source.codes):
            data.pop("description", None)  # it described the whole source list
    elif reference.ref.endswith(")"):
        data["version"] = reference.ref.rsplit("(", 1)[1][:-1]
    for key in ("id", "agency", "version", "name", "description"):
        given = getattr(reference, key)
        if given is not None:
            data[key] = given
    return data


def _component_entry(
    entry: Any,
    where: str,
    files: _Files,
    found: tuple[list[Any], list[Any], list[Any]],
    problems: list[Problem],
) -> Any:
    if not (isinstance(entry, dict) and "file" in entry):
        return entry
    concepts, schemes, codelists = found
    overrides = {k: v for k, v in entry.items() if k not in ("file", "dataflow")}
    try:
        structure = files.structure(str(entry["file"]), entry.get("dataflow"), f"{where}.file")
        component = structure.component(str(entry.get("id")))
    except RuleViolations as exc:
        problems.extend(exc.problems)
        return entry
    except KeyError:
        known = ", ".join(c.id for c in structure.components)
        problems.append(
            Problem(
                f"{where}.id",
                f"no component {entry.get('id')!r} in {entry['file']}"
                f"{did_you_mean(str(entry.get('id')), [c.id for c in structure.components])}: "
                f"{known}",
            )
        )
        return entry
    concept = structure.concept(component.concept_id)
    if concept.scheme is not None:
        scheme = next(s for s in structure.concept_schemes if s.ref == concept.scheme)
        if scheme.ref not in _refs(schemes):
            schemes.append(scheme)
    if concept.ref not in _refs(concepts, concepts=True):
        concepts.append(concept)
    codelist_ref = getattr(component, "codelist", None)
    if codelist_ref is not None:
        codelist = structure.codelist(codelist_ref)
        if codelist.ref not in _refs(codelists):
            codelists.append(codelist)
        overrides.setdefault("codelist", codelist.ref)
    data = component.model_dump(exclude_defaults=True, exclude={"dimensions", "group"})
    return {**data, **overrides}


def _refs(items: list[Any], *, concepts: bool = False) -> set[str]:
    """The references of ``items`` (models or mappings): ``AGENCY:ID(VERSION)`` of
    maintainables, or the ``ref`` of concepts (a mapping's ``id``)."""
    out: set[str] = set()
    for item in items:
        if isinstance(item, Model):
            out.add(str(getattr(item, "ref", "")))
        elif isinstance(item, dict) and concepts:
            out.add(str(item.get("id")))
        elif isinstance(item, dict):
            out.add(f"{item.get('agency')}:{item.get('id')}({item.get('version', '1.0')})")
    return out


def _component_dicts(data: Mapping[str, Any]) -> Iterator[tuple[Any, str]]:
    """Each component of a structure in a spec with the id it has when it gives none."""
    for key, default in (("dimensions", ""), ("attributes", ""), ("measures", "OBS_VALUE")):
        for component in data.get(key) or ():
            yield component, default
    if "measures" not in data:
        yield {}, "OBS_VALUE"
    if data.get("time_dimension") is not None:
        yield data["time_dimension"], "TIME_PERIOD"


def _standard_concepts(data: Mapping[str, Any], concepts: list[Any]) -> list[Any]:
    """The cross-domain concepts that components need and ``concepts`` lacks."""
    have = {
        getattr(c, "id", None) if isinstance(c, Model) else c.get("id")
        for c in concepts
        if _is_item(c)
    }
    added: list[Any] = []
    for component, default in _component_dicts(data):
        concept_id = _concept_of(component, default)
        standard = codes.CROSS_DOMAIN_CONCEPTS.get(concept_id or "")
        if standard is not None and concept_id not in have:
            added.append(standard)
            have.add(concept_id)
    return added


def _is_item(item: Any) -> bool:
    return isinstance(item, Model | dict)


def _concept_of(component: Any, default: str) -> str | None:
    """The concept id a component refers to, if it is one of the structure's own scheme."""
    if isinstance(component, Model):
        concept = getattr(component, "concept", None) or getattr(component, "id", None)
    elif isinstance(component, dict):
        concept = component.get("concept") or component.get("id") or default
    else:
        return None
    return concept if isinstance(concept, str) and ":" not in concept else None
