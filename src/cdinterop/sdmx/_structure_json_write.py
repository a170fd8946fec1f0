"""Writer of SDMX-JSON 2.0.0 and 2.1.0 structure messages for a citizen data set.

The message holds what the SDMX-ML structure message holds (see
`cdinterop.sdmx._structure_xml`): the codelists, the concept scheme ``CS_<structure id>``
and the schemes read with the structure, the DSD, the dataflow whose ``cdinterop:*``
annotations carry every metadata field SDMX has no place for, and the content constraints.
SDMX-JSON 2.x follows the SDMX 3.0 information model, so the DSD is written as SDMX-ML 3.0
states it: measures with ``usage``, attribute relationships ``dataflow`` / ``dimensions`` /
``group`` / ``observation`` and ``measureRelationship``, references as URNs, no ``isFinal``
and no attachment group beside dimensions. What neither states natively (``min_length`` 0)
travels in the same ``cdinterop:component`` annotation.

Unlike SDMX-ML 3.0.0, SDMX-JSON types a code's parent as an SDMX id, so codelists with
numeric parents (M49 regions) are written. Codelist, concept-scheme and concept ids must
be NCNames (letters first), as the schemas say.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cdinterop._files import atomic_write
from cdinterop.errors import WriteError
from cdinterop.model import (
    Annotation,
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Codelist,
    Concept,
    ConceptScheme,
    DataStructure,
    Dimension,
    Facets,
    Measure,
    TimeDimension,
    Usage,
    parse_ref,
)
from cdinterop.sdmx._annotations import encode as encode_annotations
from cdinterop.sdmx._constraints_json import constraint_problem, write_constraints
from cdinterop.sdmx._json_common import SCHEMA_URLS, JsonVersion, TextWriter, urn
from cdinterop.sdmx._structure_xml import COMPONENT_ANNOTATION, TEXT_TYPES, component_notes

__all__ = ["json_structure_problem", "structure_json", "write_structure_json"]

_TIME_ID = "TIME_PERIOD"
_NCNAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
_CODED_FORMAT_INTEGERS = ("min_value", "max_value")


def json_structure_problem(structure: DataStructure, version: JsonVersion) -> str | None:
    """Why ``structure`` cannot be written as a valid SDMX-JSON ``version`` structure
    message, or ``None`` when it can."""
    time = structure.time_dimension
    if time is not None and time.id != _TIME_ID:
        return f"SDMX requires the time dimension to have id {_TIME_ID}, not {time.id!r}"
    for kind, artefacts in (
        ("codelist", structure.codelists),
        ("concept scheme", structure.concept_schemes),
    ):
        for artefact in artefacts:
            if not _NCNAME.fullmatch(artefact.id):
                return (
                    f"SDMX-JSON requires a {kind} id to start with a letter (an NCName), "
                    f"so {artefact.ref} cannot be written as SDMX-JSON"
                )
    for c in structure.constraints:
        problem = constraint_problem(c, version)
        if problem is not None:
            return f"SDMX-JSON {version} cannot state a content constraint: {problem}"
    for comp in (*structure.dimensions, *structure.attributes, *structure.measures):
        facets = comp.facets
        if comp.codelist is None or facets is None:
            continue
        for name in _CODED_FORMAT_INTEGERS:
            value = getattr(facets, name)
            if value is not None and not float(value).is_integer():
                return (
                    f"{comp.id}: SDMX-JSON allows whole numbers only as {name} of a coded "
                    f"component, not {value!r}"
                )
    return None


class _Writer:
    """Builds one SDMX-JSON structure message as a Python object."""

    def __init__(self, dataset: CitizenDataset, version: JsonVersion) -> None:
        self.ds = dataset
        self.st: DataStructure = dataset.structure
        self.version = version
        self.texts = TextWriter(version, next(iter(dataset.title)))
        self.scheme_id = f"CS_{self.st.id}"

    # -- message ---------------------------------------------------------------------
    def message(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        data["dataStructures"] = [self.dsd()]
        schemes = self.concept_schemes()
        if schemes:
            data["conceptSchemes"] = schemes
        codelists = [self.codelist(cl) for cl in self.st.codelists if not cl.external]
        if codelists:
            data["codelists"] = codelists
        data["dataflows"] = [self.dataflow()]
        if self.st.constraints:
            data["dataConstraints"] = write_constraints(
                self.st.constraints, self.version, self.texts
            )
        meta: dict[str, Any] = {
            "schema": SCHEMA_URLS[self.version],
            "id": f"{self.ds.id}_STRUCTURE",
            "test": False,
            "prepared": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "contentLanguages": list(self.texts.languages),
            "sender": {"id": self.ds.agency.replace(".", "_")},
        }
        head: dict[str, Any] = {}
        if self.version == "2.1":
            head["$schema"] = SCHEMA_URLS["2.1"]
        return {**head, "meta": meta, "data": data}

    # -- artefacts -------------------------------------------------------------------
    def maintainable(
        self,
        cls: str,
        ident: tuple[str, str, str],
        name: dict[str, str],
        description: dict[str, str] | None,
        notes: tuple[Annotation, ...] = (),
        uri: str | None = None,
    ) -> dict[str, Any]:
        agency, id_, version = ident
        node: dict[str, Any] = {"id": id_, "version": version, "agencyID": agency}
        self.texts.nameable(node, name, description)
        self.texts.annotations(node, notes)
        self.texts.self_link(node, urn(cls, ident), uri)
        return node

    def codelist(self, codelist: Codelist) -> dict[str, Any]:
        node = self.maintainable(
            "codelist.Codelist",
            (codelist.agency, codelist.id, codelist.version),
            codelist.name,
            codelist.description,
            codelist.annotations,
            codelist.uri,
        )
        if codelist.partial:
            node["isPartial"] = True
        codes = []
        for code in codelist.codes:
            item: dict[str, Any] = {"id": code.id}
            self.texts.nameable(item, code.name, code.description)
            self.texts.annotations(item, code.annotations)
            if code.parent is not None:
                item["parent"] = code.parent
            codes.append(item)
        if codes:
            node["codes"] = codes
        return node

    def concept_schemes(self) -> list[dict[str, Any]]:
        own = [c for c in self.st.concepts if c.scheme is None]
        out = []
        if own:
            node = self.maintainable(
                "conceptscheme.ConceptScheme", self.own_scheme, self.st.name, None
            )
            node["concepts"] = [self.concept(c) for c in own]
            out.append(node)
        for read in self.st.concept_schemes:
            if read.external:
                continue
            out.append(self.read_scheme(read))
        return out

    def read_scheme(self, read: ConceptScheme) -> dict[str, Any]:
        node = self.maintainable(
            "conceptscheme.ConceptScheme",
            (read.agency, read.id, read.version),
            read.name,
            read.description,
            read.annotations,
            read.uri,
        )
        if read.partial:
            node["isPartial"] = True
        concepts = [self.concept(c) for c in self.st.concepts if c.scheme == read.ref]
        if concepts:
            node["concepts"] = concepts
        return node

    def concept(self, concept: Concept) -> dict[str, Any]:
        node: dict[str, Any] = {"id": concept.id}
        self.texts.nameable(node, concept.name, concept.description)
        self.texts.annotations(node, concept.annotations)
        if concept.parent is not None:
            node["parent"] = concept.parent
        rep = (
            self.core_representation(concept.id)
            if concept.scheme is None
            else self.read_representation(concept)
        )
        if rep is not None:
            node["coreRepresentation"] = rep
        return node

    def read_representation(self, concept: Concept) -> dict[str, Any] | None:
        if concept.codelist is not None:
            return {"enumeration": self.codelist_urn(concept.codelist)}
        if concept.text_type is not None:
            return {"format": {"dataType": concept.text_type}}
        return None

    def core_representation(self, concept_id: str) -> dict[str, Any] | None:
        """As SDMX-ML writes it: when the components using the concept agree on one."""
        users = [
            c
            for c in self.st.components
            if c.concept_id == concept_id and self.st.concept(c.concept_id).scheme is None
        ]
        if not users:
            return None
        first = users[0]
        if isinstance(first, TimeDimension):
            if len(users) == 1:
                return {"format": {"dataType": first.value_type.value}}
            return None
        shapes = {(getattr(c, "codelist", None), getattr(c, "value_type", None)) for c in users}
        if len(shapes) != 1 or any(isinstance(c, TimeDimension) for c in users):
            return None
        if first.codelist is not None:
            return {"enumeration": self.codelist_urn(first.codelist)}
        return {"format": {"dataType": TEXT_TYPES[first.value_type]}}

    @property
    def own_scheme(self) -> tuple[str, str, str]:
        return (self.st.agency, self.scheme_id, self.st.version)

    def codelist_urn(self, ref: str) -> str:
        cl = self.st.codelist(ref)
        return urn("codelist.Codelist", (cl.agency, cl.id, cl.version))

    def concept_urn(self, ref: str) -> str:
        concept = self.st.concept(ref)
        parsed = parse_ref(concept.scheme) if concept.scheme is not None else None
        scheme = self.own_scheme if parsed is None else (parsed.agency, parsed.id, parsed.version)
        return urn("conceptscheme.Concept", scheme, concept.id)

    def dataflow(self) -> dict[str, Any]:
        ds = self.ds
        ours = tuple(
            Annotation(type=kind, text={"en": text}) for kind, text in encode_annotations(ds)
        )
        node = self.maintainable(
            "datastructure.Dataflow", (ds.agency, ds.id, ds.version), ds.title, ds.description, ours
        )
        node["structure"] = urn("datastructure.DataStructure", self.dsd_ident)
        return node

    @property
    def dsd_ident(self) -> tuple[str, str, str]:
        return (self.st.agency, self.st.id, self.st.version)

    # -- data structure --------------------------------------------------------------
    def dsd(self) -> dict[str, Any]:
        st = self.st
        node = self.maintainable(
            "datastructure.DataStructure",
            self.dsd_ident,
            st.name,
            st.description,
            st.annotations,
            st.uri,
        )
        dims: dict[str, Any] = {"id": "DimensionDescriptor"}
        if st.dimensions:
            dims["dimensions"] = [
                self.dimension(dim, position) for position, dim in enumerate(st.dimensions, 1)
            ]
        if st.time_dimension is not None:
            dims["timeDimension"] = self.time_dimension(st.time_dimension)
        components: dict[str, Any] = {"dimensionList": dims}
        if st.groups:
            groups = []
            for group in st.groups:
                item: dict[str, Any] = {"id": group.id}
                self.texts.annotations(item, group.annotations)
                item["groupDimensions"] = list(group.dimensions)
                groups.append(item)
            components["groups"] = groups
        if st.attributes:
            components["attributeList"] = {
                "id": "AttributeDescriptor",
                "attributes": [self.attribute(a) for a in st.attributes],
            }
        if st.measures:
            components["measureList"] = {
                "id": "MeasureDescriptor",
                "measures": [self.measure(m) for m in st.measures],
            }
        node["dataStructureComponents"] = components
        return node

    def component(self, comp: Dimension | Attribute | Measure, **extra: Any) -> dict[str, Any]:
        node: dict[str, Any] = {"id": comp.id, **extra}
        text = component_notes(comp, measure_usage=False)
        ours = (Annotation(type=COMPONENT_ANNOTATION, text={"en": text}),) if text else ()
        self.texts.annotations(node, (*comp.annotations, *ours))
        node["conceptIdentity"] = self.concept_urn(comp.concept_id)
        if comp.roles:
            node["conceptRoles"] = [self.role_urn(role) for role in comp.roles]
        node["localRepresentation"] = self.representation(comp)
        return node

    @staticmethod
    def role_urn(role: str) -> str:
        parsed = parse_ref(role)
        if parsed is None or parsed.item is None:  # the model checks roles; kept as given
            return role
        scheme = (parsed.agency, parsed.id, parsed.version)
        return urn("conceptscheme.Concept", scheme, parsed.item)

    def dimension(self, dim: Dimension, position: int) -> dict[str, Any]:
        return self.component(dim, position=position)

    def time_dimension(self, time: TimeDimension) -> dict[str, Any]:
        node: dict[str, Any] = {"id": time.id}
        self.texts.annotations(node, time.annotations)
        node["conceptIdentity"] = self.concept_urn(time.concept_id)
        node["localRepresentation"] = {"format": {"dataType": time.value_type.value}}
        return node

    def representation(self, comp: Dimension | Attribute | Measure) -> dict[str, Any]:
        if comp.codelist is not None:
            rep: dict[str, Any] = {"enumeration": self.codelist_urn(comp.codelist)}
            if comp.facets is not None:
                rep["enumerationFormat"] = _facets(comp.id, comp.facets, coded=True)
            return rep
        text_format = {"dataType": TEXT_TYPES[comp.value_type]}
        if comp.facets is not None:
            text_format.update(_facets(comp.id, comp.facets, coded=False))
        return {"format": text_format}

    def attribute(self, attr: Attribute) -> dict[str, Any]:
        node = self.component(attr, usage=_usage(attr.usage))
        node["attributeRelationship"] = self.relationship(attr)
        if attr.measures:
            node["measureRelationship"] = list(attr.measures)
        return node

    def relationship(self, attr: Attribute) -> dict[str, Any]:
        """The attribute relationship as SDMX 3.0 states it (a group beside dimensions,
        SDMX 2.1's attachment group, has no place in it)."""
        if attr.attachment is AttachmentLevel.DATASET:
            return {"dataflow": {}}
        dims = attr.dimensions
        if dims is None and attr.attachment is AttachmentLevel.SERIES and attr.group is None:
            dims = self.st.series_key_ids
        if dims is not None:
            return {"dimensions": list(dims)}
        if attr.group is not None:
            return {"group": attr.group}
        return {"observation": {}}

    def measure(self, measure: Measure) -> dict[str, Any]:
        return self.component(measure, usage=_usage(measure.usage))


def _usage(usage: Usage) -> str:
    return "mandatory" if usage is Usage.MANDATORY else "optional"


def _number(component_id: str, value: float, *, whole: bool) -> int | float:
    if not math.isfinite(value):
        raise WriteError(f"{component_id}: facet value {value!r} is not a finite number")
    if whole or (value.is_integer() and abs(value) < 2**53):
        return int(value)
    return value


def _facets(component_id: str, facets: Facets, *, coded: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if facets.min_length:
        out["minLength"] = facets.min_length
    if facets.max_length is not None:
        out["maxLength"] = facets.max_length
    if facets.pattern is not None:
        out["pattern"] = facets.pattern
    if facets.min_value is not None:
        out["minValue"] = _number(component_id, facets.min_value, whole=coded)
    if facets.max_value is not None:
        out["maxValue"] = _number(component_id, facets.max_value, whole=coded)
    return out


def _check(structure: DataStructure, version: JsonVersion) -> None:
    problem = json_structure_problem(structure, version)
    if problem is not None:
        raise WriteError(problem)


def structure_json(dataset: CitizenDataset, *, version: JsonVersion = "2.0") -> bytes:
    """The SDMX-JSON ``version`` structure message of ``dataset`` as UTF-8 bytes."""
    if version not in SCHEMA_URLS:
        raise WriteError(f"SDMX-JSON version {version!r} is not supported; use 2.0 or 2.1")
    _check(dataset.structure, version)
    document = _Writer(dataset, version).message()
    try:
        text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False)
    except ValueError as exc:  # a non-finite number somewhere
        raise WriteError(f"cannot write SDMX-JSON: {exc}") from None
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in some text
        raise WriteError(
            "a text of the structure holds a lone surrogate, which UTF-8 cannot carry; "
            "remove it to write SDMX-JSON"
        ) from None


def write_structure_json(
    dataset: CitizenDataset, target: str | Path | IO[bytes], *, version: JsonVersion = "2.0"
) -> None:
    """Write the SDMX-JSON ``version`` (``"2.0"`` or ``"2.1"``) structure message of
    ``dataset`` to a path (atomically) or a binary stream.

    Raises [`WriteError`][cdinterop.errors.WriteError] when the structure cannot be
    expressed in SDMX-JSON (see `json_structure_problem()`); nothing is written then.
    """
    data = structure_json(dataset, version=version)
    if isinstance(target, str | Path):
        with atomic_write(target, "wb") as handle:
            handle.write(data)
    else:
        target.write(data)
