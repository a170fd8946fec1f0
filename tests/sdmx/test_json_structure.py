"""SDMX-JSON 2.0.0 / 2.1.0 structure messages: written, checked by independent oracles, read
back (issue 20).

Oracles: the official JSON Schemas of SDMX-JSON 2.0.0 and 2.1.0 (``../shared/standards/``,
draft 2019-09, every ``$ref`` resolved locally, no network), pysdmx's SDMX-JSON structure
reader, and SDMX-ML 3.0: SDMX-JSON 2.x follows the SDMX 3.0 information model, so a
structure read from its SDMX-JSON form must equal the same structure read from its SDMX-ML
3.0 form. Our own reader only closes the round trip.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pysdmx.io
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft201909Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909
from typer.testing import CliRunner

import cdinterop
from cdinterop import sdmx
from cdinterop._cli import app
from cdinterop.checking import check_file, checker_for
from cdinterop.errors import InvalidDatasetError, ReadError, WriteError
from cdinterop.model import (
    Annotation,
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Code,
    Codelist,
    ComponentValues,
    Concept,
    ConceptScheme,
    ContentConstraint,
    CubeRegion,
    DataKey,
    DataKeySet,
    DataStructure,
    Dimension,
    Facets,
    Group,
    Measure,
    ReleaseCalendar,
    TimeDimension,
    TimeRange,
    TimeValueType,
    Usage,
    ValueType,
)
from cdinterop.sdmx._annotations import encode
from cdinterop.sdmx._structure_json import structure_message_json
from cdinterop.sdmx._structure_xml import structure_problem
from cdinterop.testing import citizen_datasets

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
STANDARDS = SHARED / "standards"
REAL = SHARED / "real-world" / "sdmx"
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))
SAMPLE = STANDARDS / "sdmx-json-2.1" / "samples" / "structure-generated-sample.json"
CORPUS = ROOT / "tests" / "corpus" / "sdmx-json-structure"
VERSIONS = ("2.0", "2.1")
PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
runner = CliRunner()

# SDMX textType / dataType of each value type, as the SDMX standard names them (restated)
DATA_TYPE = {
    ValueType.STRING: "String",
    ValueType.INTEGER: "Long",
    ValueType.DECIMAL: "Double",
    ValueType.BOOLEAN: "Boolean",
    ValueType.DATE: "GregorianDay",
    ValueType.DATETIME: "DateTime",
    ValueType.URI: "URI",
}


# -- oracles -----------------------------------------------------------------------------


def _shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared standards live in ../shared beside the project)")
    return path


@cache
def _validator(version: str) -> Draft201909Validator:
    path = _shared(STANDARDS / f"sdmx-json-{version}" / "sdmx-json-structure-schema.json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    resource = Resource.from_contents(schema, default_specification=DRAFT201909)
    registry: Registry[Any] = Registry().with_resource(schema["$id"], resource)
    # the format checker matters: 2.1's meta.prepared is oneOf date-time | date
    return Draft201909Validator(
        schema, registry=registry, format_checker=Draft201909Validator.FORMAT_CHECKER
    )


@cache
def _compiled_validator(version: str) -> Any:
    import jsonschema_rs

    path = _shared(STANDARDS / f"sdmx-json-{version}" / "sdmx-json-structure-schema.json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema_rs.Draft201909Validator(schema, validate_formats=True, offline=True)


LARGE = 200_000
"""Messages from this size (the national and global SDG DSDs, the ECB DSD) are checked with
the compiled jsonschema-rs: Python's jsonschema takes 30 s for the 2.8 MB Zimbabwe message,
which jsonschema-rs checks in 0.05 s. Both apply the official schema of ../shared; the others,
examples and random data sets, go through Python's jsonschema."""


def schema_errors(data: bytes, version: str) -> list[str]:
    document = json.loads(data)
    if len(data) >= LARGE:
        return [
            f"{'.'.join(map(str, e.instance_path))}: {e.message[:300]}"
            for e in _compiled_validator(version).iter_errors(document)
        ]
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in _validator(version).iter_errors(document)
    ]


def assert_valid(data: bytes, version: str) -> None:
    errors = schema_errors(data, version)
    assert errors == [], "\n".join(errors[:10])


def written(ds: CitizenDataset, version: str) -> bytes:
    buffer = io.BytesIO()
    sdmx.write_structure(ds, buffer, version=f"json-{version}")
    return buffer.getvalue()


def ml30(ds: CitizenDataset) -> CitizenDataset | None:
    """The data set read from its SDMX-ML 3.0 structure message (None if 3.0 cannot state
    the structure)."""
    if structure_problem(ds.structure, "3.0") is not None:
        return None
    buffer = io.BytesIO()
    sdmx.write_structure(ds, buffer, version="3.0")
    return sdmx.read_structure(buffer.getvalue())


def bare(ds: CitizenDataset) -> CitizenDataset:
    return ds.replace(observations=[])


def attachment_code(attr: Attribute, st: DataStructure) -> str:
    """pysdmx's notation of an attribute's attachment level."""
    if attr.attachment is AttachmentLevel.DATASET:
        return "D"
    if attr.attachment is AttachmentLevel.OBSERVATION and attr.dimensions is None:
        return "O"
    return ",".join(st.related_dimensions(attr))


def check_pysdmx(data: bytes, ds: CitizenDataset) -> dict[str, int]:
    """pysdmx's SDMX-JSON structure reader finds the DSD's components, codelists and codes
    the model says (read without pysdmx's own schema check, which needs rfc3339-validator;
    the official schemas are checked above). Returns what it read, counted."""
    message = pysdmx.io.read_sdmx(data.decode("utf-8"), validate=False)
    by_kind: dict[str, list[Any]] = {}
    for s in message.structures or ():
        by_kind.setdefault(type(s).__name__, []).append(s)
    st = ds.structure
    codelists = {
        (cl.agency, cl.id, cl.version): [i.id for i in cl.items]
        for cl in by_kind.get("Codelist", [])
    }
    assert codelists == {
        (cl.agency, cl.id, cl.version): [c.id for c in cl.codes]
        for cl in st.codelists
        if not cl.external
    }
    (dsd,) = by_kind["DataStructureDefinition"]
    assert (dsd.id, dsd.agency, dsd.version) == (st.id, st.agency, st.version)
    components = {c.id: c for c in dsd.components}
    assert [c.id for c in dsd.components.dimensions] == list(st.key_ids)
    assert [c.id for c in dsd.components.measures] == [m.id for m in st.measures]
    assert [c.id for c in dsd.components.attributes] == [a.id for a in st.attributes]
    included = {s.ref for s in st.concept_schemes if not s.external}
    for comp in [*st.dimensions, *st.attributes, *st.measures]:
        got = components[comp.id]
        concept = st.concept(comp.concept_id)
        if concept.scheme is None or concept.scheme in included:
            # pysdmx 1.20 names a concept of a scheme the message lacks by the scheme's id
            assert got.concept.id == concept.id
        if comp.codelist:
            codelist = st.codelist(comp.codelist)
            got_codes = got.local_codes
            if codelist.external:  # referenced, not in the message: nothing to resolve
                assert got_codes is None
                continue
            assert (got_codes.agency, got_codes.id, got_codes.version) == (
                codelist.agency,
                codelist.id,
                codelist.version,
            )
            assert [c.id for c in got_codes.items] == [c.id for c in codelist.codes]
        else:
            assert got.dtype.value == DATA_TYPE[comp.value_type]
    for attr in st.attributes:
        if attr.group is None:  # pysdmx 1.20 says nothing of group relationships
            assert components[attr.id].attachment_level == attachment_code(attr, st)
        assert components[attr.id].required == (attr.usage is Usage.MANDATORY)
    if st.time_dimension is not None:
        assert components[st.time_dimension.id].dtype.value == st.time_dimension.value_type
    (flow,) = by_kind["Dataflow"]
    assert (flow.id, flow.agency, flow.version) == (ds.id, ds.agency, ds.version)
    assert [(a.type, a.text) for a in flow.annotations] == encode(ds)
    return {
        "codelists": len(codelists),
        "codes": sum(len(c) for c in codelists.values()),
        "components": len(components),
    }


# -- a hand-built data set with every SDMX-JSON feature ----------------------------------

ROLES = "SDMX:COMPONENT_ROLES(1.0)"
NOTE = Annotation(
    id="n1",
    title="Scope",
    type="NOTE",
    url="https://example.org/note",
    text={"en": "Ghana only", "fr-CA": "Ghana seulement"},
    value="42",
)


def edge_dataset(*, numeric_parents: bool = False, actual: bool = True) -> CitizenDataset:
    ml = {"en": 'Regions <north> & "south"', "fr-CA": "Régions 'nord' & sud", "ak": "Mpɔtam 🌍"}
    area_codes: tuple[Code, ...] = (
        Code(id="GH-AA-01", name={"en": "Accra Metro"}, parent="GH-AA"),  # parent comes later
        Code(id="GH", name={"en": "Ghana"}, description={"fr": "Le Ghana"}),
        Code(id="GH-AA", name={"en": "Greater Accra"}, parent="GH", annotations=(NOTE,)),
    )
    if numeric_parents:  # M49 regions: SDMX-ML 3.0.0 cannot state them, SDMX-JSON can
        area_codes += (
            Code(id="002", name={"en": "Africa"}),
            Code(id="202", name={"en": "Sub-Saharan Africa"}, parent="002"),
        )
    area = Codelist(
        id="CL_AREA",
        agency="GH.TEST",
        version="1.2.0",
        name=ml,
        description={"en": "Areas, regions under the country"},
        codes=area_codes,
        annotations=(NOTE, Annotation(type="EMPTY")),
        partial=True,
        uri="https://example.org/cl_area",
    )
    status = Codelist(id="CL_STATUS", name={"en": "Status"}, codes=(Code(id="A", name=ml),))
    shared = ConceptScheme(
        id="CS_SHARED",
        agency="OTHER",
        version="2.0",
        name={"en": "Shared concepts"},
        annotations=(NOTE,),
        partial=True,
        uri="https://example.org/cs_shared",
    )
    attributes = (
        Attribute(
            id="STATUS", codelist="CL_STATUS", usage=Usage.MANDATORY, roles=(f"{ROLES}.STATUS",)
        ),
        Attribute(id="LINK", value_type=ValueType.URI, attachment=AttachmentLevel.SERIES),
        Attribute(id="SEEN_ON", value_type=ValueType.DATE, measures=("OBS_VALUE",)),
        Attribute(id="SEEN_AT", value_type=ValueType.DATETIME),
        Attribute(id="VERIFIED", value_type=ValueType.BOOLEAN, attachment=AttachmentLevel.DATASET),
        Attribute(
            id="CODE_NOTE",
            facets=Facets(min_length=0, max_length=20, pattern="[A-Z]+"),
            attachment=AttachmentLevel.SERIES,
            usage=Usage.MANDATORY,
        ),
        Attribute(
            id="COUNT", value_type=ValueType.INTEGER, facets=Facets(min_value=0, max_value=1e20)
        ),
        Attribute(
            id="SHARE",
            value_type=ValueType.DECIMAL,
            facets=Facets(min_value=-0.5, max_value=1.25e-7),
        ),
        Attribute(id="AREA_NOTE", attachment=AttachmentLevel.SERIES, group="BY_AREA"),
        Attribute(id="KIND_NOTE", attachment=AttachmentLevel.SERIES, dimensions=("KIND",)),
    )
    measures = (
        Measure(usage=Usage.MANDATORY, roles=(f"{ROLES}.PRIMARY",)),
        Measure(id="N_VOLUNTEERS", value_type=ValueType.INTEGER),
    )
    own = ["AREA_CONCEPT", "KIND", "TIME_PERIOD", *(a.id for a in attributes)]
    own += [m.id for m in measures]
    concepts = [
        Concept(id=c, name={"en": c.title()}, description={"en": f"About {c}"}) for c in own
    ]
    concepts += [
        Concept(id="UNUSED", name={"en": "Kept although no component uses it"}, parent="KIND"),
        Concept(
            id="KIND",
            name={"en": "Kind, shared"},
            scheme=shared.ref,
            codelist="CL_STATUS",
            annotations=(NOTE,),
        ),
        Concept(id="TEXT", name={"en": "A text"}, scheme=shared.ref, text_type="String"),
    ]
    allowed = ContentConstraint(
        id="CC_ALLOWED",
        agency="GH.TEST",
        name={"en": "Allowed", "fr": "Permis"},
        description={"en": "What may be reported"},
        annotations=(NOTE,),
        role="allowed",
        constrains=(
            "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=GH.TEST:DSD_EDGE(2.0)",
        ),
        key_sets=(
            DataKeySet(
                include=True,
                keys=(
                    DataKey(values=(("REF_AREA", "GH"), ("KIND", "A")), annotations=(NOTE,)),
                    DataKey(
                        values=(("REF_AREA", "GH-AA"),),
                        components=(ComponentValues(id="STATUS", key=False, values=("A",)),),
                    ),
                ),
            ),
        ),
        cube_regions=(
            CubeRegion(
                include=True,
                components=(
                    ComponentValues(
                        id="REF_AREA",
                        values=("GH", "GH-AA"),
                        cascade={"GH": "true"},
                        remove_prefix=True,
                    ),
                    ComponentValues(
                        id="TIME_PERIOD",
                        time_range=TimeRange(start="2019", end="2024", end_inclusive=False),
                    ),
                    ComponentValues(
                        id="STATUS", key=False, values=("A",), cascade={"A": "excluderoot"}
                    ),
                ),
                annotations=(NOTE,),
            ),
            CubeRegion(
                include=False,
                components=(ComponentValues(id="TIME_PERIOD", time_range=TimeRange(end="2000")),),
            ),
        ),
        uri="https://example.org/cc",
    )
    constraints = [allowed]
    if actual:
        constraints.append(
            ContentConstraint(
                id="CC_ACTUAL",
                agency="GH.TEST",
                version="1.1",
                name={"en": "Actual"},
                role="actual",
                constrains=(
                    "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=GH.TEST:DF_EDGE(1.2.0)",
                ),
                cube_regions=(
                    CubeRegion(
                        components=(
                            ComponentValues(id="TIME_PERIOD", time_range=TimeRange(start="2020")),
                        )
                    ),
                ),
                release_calendar=ReleaseCalendar(
                    periodicity="P1Y", offset="P90D", tolerance="P10D"
                ),
            )
        )
    structure = DataStructure(
        id="DSD_EDGE",
        agency="GH.TEST",
        version="2.0",
        name=ml,
        description={"en": "Every kind of component"},
        concepts=concepts,
        concept_schemes=(shared,),
        codelists=(area, status),
        dimensions=(
            Dimension(
                id="REF_AREA", concept="AREA_CONCEPT", codelist="CL_AREA", roles=(f"{ROLES}.AREA",)
            ),
            Dimension(
                id="KIND", concept=f"{shared.ref}.KIND", codelist="CL_STATUS", annotations=(NOTE,)
            ),
        ),
        time_dimension=TimeDimension(value_type=TimeValueType.TIME_RANGE, annotations=(NOTE,)),
        groups=(Group(id="BY_AREA", dimensions=("REF_AREA",), annotations=(NOTE,)),),
        attributes=attributes,
        measures=measures,
        annotations=(NOTE,),
        constraints=tuple(constraints),
        uri="https://example.org/dsd",
    )
    return CitizenDataset(
        id="DF_EDGE",
        agency="GH.TEST",
        version="1.2.0",
        title=ml,
        description={"en": 'Text with <markup> & ]]> and "quotes"\u2028line separator'},
        keywords={"en": ("edge", "<cases>")},
        spatial_coverage=("GH",),
        structure=structure,
        attribute_values={"VERIFIED": True},
    )


def examples() -> list[CitizenDataset]:
    return [cdinterop.load(path) for path in EXAMPLES]


# -- schema validity, round trips, pysdmx ------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_examples_valid_round_trip_and_read_by_pysdmx(path: Path, version: str) -> None:
    ds = cdinterop.load(path)
    data = written(ds, version)
    assert_valid(data, version)
    again = sdmx.read_structure(data)
    assert again == bare(ds)
    assert again == ml30(ds)
    counts = check_pysdmx(data, ds)
    assert counts["codelists"] == len(ds.structure.codelists)


@pytest.mark.parametrize("version", VERSIONS)
def test_edge_dataset_valid_and_round_trips(version: str) -> None:
    ds = edge_dataset(actual=version == "2.0")
    data = written(ds, version)
    assert_valid(data, version)
    check_pysdmx(data, ds)
    again = sdmx.read_structure(data)
    assert again.structure.constraints == ds.structure.constraints
    assert again == bare(ds)
    # not compared with SDMX-ML 3.0: sdmx1 2.28 cannot read its MeasureRelationship
    with pytest.raises(ReadError, match="sdmx1 cannot read"):
        ml30(ds)


@pytest.mark.parametrize("version", VERSIONS)
def test_numeric_parents_written_where_sdmx_ml_30_cannot(version: str) -> None:
    ds = edge_dataset(numeric_parents=True, actual=False)
    assert "NCName" in (structure_problem(ds.structure, "3.0") or "")
    assert structure_problem(ds.structure, f"json-{version}") is None
    data = written(ds, version)
    assert_valid(data, version)
    assert sdmx.read_structure(data) == bare(ds)
    codes = json.loads(data)["data"]["codelists"][0]["codes"]
    assert {c["id"]: c.get("parent") for c in codes}["202"] == "002"


def test_what_the_messages_say_natively() -> None:
    ds = edge_dataset()
    document = json.loads(written(ds, "2.0"))
    assert list(document) == ["meta", "data"]
    meta = document["meta"]
    assert meta["schema"].endswith("/2.0.0/sdmx-json-structure-schema.json")
    assert meta["sender"] == {"id": "GH_TEST"}
    assert meta["contentLanguages"][0] == "en" and "fr-ca" in meta["contentLanguages"]
    dsd = document["data"]["dataStructures"][0]
    assert dsd["links"] == [
        {
            "rel": "self",
            "urn": "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=GH.TEST:DSD_EDGE(2.0)",
            "uri": "https://example.org/dsd",
        }
    ]
    components = dsd["dataStructureComponents"]
    attrs = {a["id"]: a for a in components["attributeList"]["attributes"]}
    assert attrs["VERIFIED"]["attributeRelationship"] == {"dataflow": {}}
    assert attrs["AREA_NOTE"]["attributeRelationship"] == {"group": "BY_AREA"}
    assert attrs["KIND_NOTE"]["attributeRelationship"] == {"dimensions": ["KIND"]}
    assert attrs["LINK"]["attributeRelationship"] == {"dimensions": ["REF_AREA", "KIND"]}
    assert attrs["SEEN_ON"]["measureRelationship"] == ["OBS_VALUE"]
    assert attrs["STATUS"]["usage"] == "mandatory"
    assert attrs["CODE_NOTE"]["localRepresentation"]["format"] == {
        "dataType": "String",
        "maxLength": 20,
        "pattern": "[A-Z]+",
    }  # min_length 0 travels in cdinterop:component
    assert [n["type"] for n in attrs["CODE_NOTE"]["annotations"]] == ["cdinterop:component"]
    assert attrs["SHARE"]["localRepresentation"]["format"]["maxValue"] == 1.25e-7
    measures = components["measureList"]["measures"]
    assert [(m["id"], m["usage"]) for m in measures] == [
        ("OBS_VALUE", "mandatory"),
        ("N_VOLUNTEERS", "optional"),
    ]
    assert measures[0]["conceptRoles"] == [
        "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=SDMX:COMPONENT_ROLES(1.0).PRIMARY"
    ]
    time = components["dimensionList"]["timeDimension"]
    assert time["localRepresentation"] == {"format": {"dataType": "TimeRange"}}
    note = dsd["annotations"][0]
    assert note == {
        "id": "n1",
        "title": "Scope",
        "type": "NOTE",
        "value": "42",
        "text": "Ghana only",
        "texts": {"en": "Ghana only", "fr-ca": "Ghana seulement"},
        "links": [{"rel": "self", "href": "https://example.org/note"}],
    }
    flow = document["data"]["dataflows"][0]
    assert flow["structure"].endswith("DataStructure=GH.TEST:DSD_EDGE(2.0)")
    assert [(n["type"], n["text"]) for n in flow["annotations"]] == encode(ds)
    roles = {c["role"] for c in document["data"]["dataConstraints"]}
    assert roles == {"Allowed", "Actual"}
    document21 = json.loads(written(edge_dataset(actual=False), "2.1"))
    assert list(document21) == ["$schema", "meta", "data"]
    assert document21["$schema"] == "https://json.sdmx.org/2.1/sdmx-json-structure-schema.json"
    assert "role" not in document21["data"]["dataConstraints"][0]
    assert "fr-CA" in document21["meta"]["contentLanguages"]  # 2.1 takes any case


def test_what_sdmx_json_cannot_state_is_refused_saying_why() -> None:
    ds = edge_dataset()  # an actual constraint with a release calendar
    problem = structure_problem(ds.structure, "json-2.1")
    assert problem is not None and "allowed content only" in problem
    with pytest.raises(WriteError, match="allowed content only"):
        written(ds, "2.1")
    st = ds.structure
    odd = st.model_copy(
        update={"codelists": (st.codelists[0], st.codelists[1].model_copy(update={"id": "1CL"}))}
    )
    odd = odd.model_copy(
        update={
            "attributes": tuple(
                a.model_copy(update={"codelist": "1CL"}) if a.codelist == "CL_STATUS" else a
                for a in st.attributes
            ),
            "dimensions": (
                st.dimensions[0],
                st.dimensions[1].model_copy(update={"codelist": "1CL"}),
            ),
            "concepts": tuple(
                c.model_copy(update={"codelist": "1CL"}) if c.codelist == "CL_STATUS" else c
                for c in st.concepts
            ),
            "constraints": (),
        }
    )
    for version in VERSIONS:
        assert "NCName" in (structure_problem(odd, f"json-{version}") or "")
        with pytest.raises(WriteError, match="1CL"):
            written(ds.replace(structure=odd), version)
    with pytest.raises(WriteError, match="not supported"):
        from cdinterop.sdmx._structure_json_write import structure_json

        structure_json(ds, version="3.0")  # type: ignore[arg-type]


@pytest.mark.slow
@PROPERTY
@given(citizen_datasets())
def test_random_datasets_valid_round_trip_and_read_by_pysdmx(ds: CitizenDataset) -> None:
    reference = ml30(ds)
    for version in VERSIONS:
        data = written(ds, version)
        assert_valid(data, version)
        again = sdmx.read_structure(data)
        assert again == bare(ds)
        if reference is not None:
            assert again == reference
        check_pysdmx(data, ds)


# -- the national and real structures ------------------------------------------------------

STRUCTURES = {
    "sdg-global": STANDARDS / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml",
    "zimbabwe": REAL / "zimbabwe" / "ZW01_SDG_structure.xml",
    "ecb-ng": REAL / "ecb-exr-2.1" / "ng-structure-full.xml",
    "ecb-rg": REAL / "ecb-exr-2.1" / "rg-structure-full.xml",
    "ecb-sg": REAL / "ecb-exr-2.1" / "sg-structure-full.xml",
    "ecb-ng-stub": REAL / "ecb-exr-2.1" / "ng-structure.xml",
    "ecb-1": REAL / "ecb-exr-2.1" / "1" / "structure-full.xml",
    "ecb-1-stub": REAL / "ecb-exr-2.1" / "1" / "structure.xml",
    "ecb-3.0": REAL / "ecb-exr-3.0" / "v3" / "xml" / "ECB_EXR1.xml",
}


def as_sdmx_30(st: DataStructure) -> DataStructure:
    """``st`` as the SDMX 3.0 model states it: no ``isFinal``, no attachment group beside
    dimensions (SDMX-ML 2.1's ``AttachmentGroup``)."""
    return st.model_copy(
        update={
            "attributes": tuple(
                a.model_copy(update={"group": None}) if a.dimensions is not None else a
                for a in st.attributes
            ),
            "codelists": tuple(c.model_copy(update={"final": False}) for c in st.codelists),
            "concept_schemes": tuple(
                s.model_copy(update={"final": False}) for s in st.concept_schemes
            ),
            "final": False,
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", STRUCTURES)
@pytest.mark.parametrize("version", VERSIONS)
def test_real_structures_valid_round_trip_and_read_by_pysdmx(name: str, version: str) -> None:
    original = sdmx.read_structure(_shared(STRUCTURES[name]))
    if structure_problem(original.structure, f"json-{version}") is not None:
        pytest.fail(structure_problem(original.structure, f"json-{version}") or "")
    data = written(original, version)
    assert_valid(data, version)
    again = sdmx.read_structure(data)
    reference = ml30(original)
    if reference is not None:
        assert again == reference
    else:  # the national DSD: numeric parents, which SDMX-ML 3.0.0 cannot state
        assert again.structure == as_sdmx_30(original.structure)
    assert again.structure == as_sdmx_30(original.structure)
    check_pysdmx(data, original)


# -- other producers' messages --------------------------------------------------------------


def _sample() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_shared(SAMPLE).read_text(encoding="utf-8"))
    return document


def _repaired_sample() -> dict[str, Any]:
    """The specification's generated sample with its dangling references repaired (it is
    generated from the schema: every reference names some artefact, rarely one in it)."""
    d = copy.deepcopy(_sample())
    d["data"]["conceptSchemes"][0]["concepts"][0].pop("parent")  # no concept ABC in A
    d["data"]["codelists"][0]["codes"][0].pop("parent")  # no code ABC in A
    components = d["data"]["dataStructures"][0]["dataStructureComponents"]
    components["groups"][0]["groupDimensions"] = ["A"]  # no dimensions a, b
    components["measureList"]["measures"][0]["id"] = "OBS"  # the dimension is A too
    for attr in components["attributeList"]["attributes"]:
        attr["measureRelationship"] = ["OBS"]  # no measure CO
    region = d["data"]["dataConstraints"][0]["cubeRegions"][0]
    region["components"] = [dict(region["components"][0], id="B")]  # A selected 4 times
    region["keyValues"] = region["keyValues"][:1]
    d["data"]["dataflows"][0]["structure"] = (
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=A.A:$(0.0)"  # was ABC:ABC
    )
    return d


def test_the_generated_sample_of_the_specification() -> None:
    """The sample is valid against the 2.1 schema and says what every field looks like; its
    references dangle (generated values), which is refused, located, one at a time. Once
    they are repaired, every structure the model holds reads."""
    raw = _shared(SAMPLE).read_bytes()
    assert schema_errors(raw, "2.1") == []
    with pytest.raises(ReadError) as info:
        sdmx.read_structure(raw)
    assert "data.conceptSchemes[0].concepts[0].parent: 'ABC' is not a concept of A" in str(
        info.value
    )
    ds = sdmx.read_structure(json.dumps(_repaired_sample()).encode())
    st = ds.structure
    assert (ds.id, ds.agency, ds.version, ds.title) == ("$", "A.A", "0.0", {"en-GB-oed": "a"})
    assert (st.id, st.agency, st.version) == ("$", "A.A", "0.0")
    assert [d.id for d in st.dimensions] == ["A"]
    assert st.time_dimension is not None
    assert st.concept(st.time_dimension.concept_id).scheme == "ABC:ABC(1.0)"
    assert st.time_dimension.value_type is TimeValueType.OBSERVATIONAL_TIME_PERIOD
    assert [g.dimensions for g in st.groups] == [("A",)]
    attrs = {a.id: a for a in st.attributes}
    assert attrs["ABC"].measures == ("OBS",) and attrs["ABC"].usage is Usage.MANDATORY
    assert attrs["REPORTING_YEAR_START_DAY"].attachment is AttachmentLevel.DATASET
    assert st.measures[0].facets == Facets(
        min_length=1, max_length=1, min_value=1.1, max_value=1.1, pattern="a"
    )
    (codelist,) = st.codelists
    assert codelist.ref == "ABC:ABC(1.0)" and codelist.external  # referenced, not included
    assert st.annotations[0] == Annotation(
        id="a", title="a", type="a", text={"en-GB-oed": "a"}, value="voluptate ea mollit in irure"
    )


def test_a_message_with_several_structures_reads_the_dataflow_asked_for() -> None:
    first, second = examples()
    merged = json.loads(written(first, "2.0"))
    other = json.loads(written(second, "2.0"))
    for kind, items in other["data"].items():
        known = {(i["agencyID"], i["id"], i["version"]) for i in merged["data"].get(kind, [])}
        merged["data"].setdefault(kind, []).extend(
            i for i in items if (i["agencyID"], i["id"], i["version"]) not in known
        )
    data = json.dumps(merged).encode()
    with pytest.raises(ReadError, match="several dataflows"):
        sdmx.read_structure(data)
    with pytest.raises(ReadError, match="no dataflow 'NOPE'"):
        sdmx.read_structure(data, dataflow="NOPE")
    for ds in (first, second):
        got = sdmx.read_structure(data, dataflow=ds.id)
        assert (got.id, got.title, got.provenance) == (ds.id, ds.title, ds.provenance)
        st, want = got.structure, ds.structure
        assert [c.id for c in st.components] == [c.id for c in want.components]
        for comp in want.components:  # two agencies' CL_UNIT_MEASURE: refs get qualified
            codelist = getattr(comp, "codelist", None)
            if codelist is not None:  # (the examples' SDMX:CL_OBS_STATUS(1.0) differ: the
                # merged message keeps the first one's codes)
                mine = str(st.component(comp.id).codelist)  # type: ignore[union-attr]
                assert st.codelist(mine).ref == want.codelist(codelist).ref


def test_sdmx1_objects_of_a_json_message() -> None:
    """The reader's sdmx1 StructureMessage is a plain sdmx1 message (sdmx1's own
    from_structure path reads it too, less what only the gaps hold)."""
    ds = cdinterop.load(EXAMPLES[0])
    message, gaps = structure_message_json(written(ds, "2.1"))
    assert type(message).__name__ == "StructureMessage"
    assert [cl.id for cl in message.codelist.values()] == [c.id for c in ds.structure.codelists]
    assert gaps.from_document
    again = sdmx.from_structure(message)
    assert again.structure.key_ids == ds.structure.key_ids
    assert again.title == ds.title


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf", b" \n\t"])
def test_json_is_told_from_xml_by_the_content(prefix: bytes, tmp_path: Path) -> None:
    ds = cdinterop.load(EXAMPLES[0])
    path = tmp_path / "structure.xml"  # the name does not matter
    path.write_bytes(prefix + written(ds, "2.0"))
    assert sdmx.read_structure(path) == bare(ds)
    assert sdmx.read_structure(str(path)) == bare(ds)


# -- malformed input ---------------------------------------------------------------------------

EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_messages_give_located_errors(name: str) -> None:
    expected = EXPECTED[name]
    path = CORPUS / name
    if expected["error"] == "read":
        with pytest.raises(ReadError) as info:
            sdmx.read_structure(path)
        message = str(info.value)
        assert str(path) in message  # the file
    else:
        with pytest.raises(InvalidDatasetError) as failure:
            sdmx.read_structure(path)
        message = "; ".join(str(issue) for issue in failure.value.issues)
    assert expected["message"] in message
    assert expected["where"] in message


_DELETE = object()
_DANGLING = "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=A:B(1.0)"
_LEAVES = st.sampled_from(
    [None, 1, -1.5, True, "", "x y", "1CL", [], {}, ["x"], [[]], {"a": 1}, _DELETE, _DANGLING]
)


@cache
def _edge_message() -> str:
    return written(edge_dataset(), "2.0").decode("utf-8")


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        found += _paths(value, (*path, key))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_damage_is_a_read_error_or_an_invalid_dataset(data: st.DataObject) -> None:
    """Values of the wrong kind anywhere (ids as objects, arrays as strings, dangling URNs,
    removed members) give ReadError or InvalidDatasetError, never another exception."""
    document = json.loads(_edge_message())
    paths = _paths(document)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        value = data.draw(_LEAVES)
        node: Any = document
        try:
            for key in path[:-1]:
                node = node[key]
            if value is _DELETE:
                del node[path[-1]]
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the place
    with contextlib.suppress(ReadError, InvalidDatasetError):
        sdmx.read_structure(json.dumps(document).encode())


def test_every_corpus_file_is_listed() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.suffix == ".json"}
    assert files - {"expected.json"} == set(EXPECTED)


# -- wherever a structure file is accepted -------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("json-structures")
    sdmx.write_all(cdinterop.load(EXAMPLES[0]), out, formats=["csv20", "ml21-ss"])
    return out


def test_write_all_writes_both_json_structures(folder: Path) -> None:
    ds = cdinterop.load(EXAMPLES[0])
    names = sdmx.planned_files(ds, ["csv20"])
    assert names[:4] == [
        "structure-2.1.xml",
        "structure-3.0.xml",
        "structure-2.0.json",
        "structure-2.1.json",
    ]
    for version in VERSIONS:
        data = (folder / f"structure-{version}.json").read_bytes()
        assert_valid(data, version)
        assert sdmx.read_structure(data) == bare(ds)


def test_left_out_says_why_a_json_structure_is_not_written() -> None:
    ds = edge_dataset()  # the actual constraint: SDMX-JSON 2.1 states allowed content only
    assert sdmx.left_out(ds).keys() == {"structure-2.1.xml", "structure-2.1.json"}
    assert "allowed content only" in sdmx.left_out(ds)["structure-2.1.json"]
    names = sdmx.planned_files(ds, [])
    assert names == ["structure-3.0.xml", "structure-2.0.json"]


@pytest.mark.parametrize("version", VERSIONS)
def test_data_read_and_validated_with_a_json_structure(folder: Path, version: str) -> None:
    ds = cdinterop.load(EXAMPLES[0])
    structure = folder / f"structure-{version}.json"
    for data in ("data-csv20.csv", "data-ml21-ss.xml"):
        assert sdmx.read(folder / data, structure=structure) == ds
        assert sdmx.read(folder / data, structure=structure.read_bytes()) == ds
        result = runner.invoke(app, ["validate", str(folder / data), "--structure", str(structure)])
        assert result.exit_code == 0, result.output
    back = folder / f"back-{version}.json"
    args = ["sdmx", "read", str(folder / "data-csv20.csv"), "-s", str(structure), "-o", str(back)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert cdinterop.load(back) == ds


def test_a_json_structure_beside_the_data_is_found(tmp_path: Path) -> None:
    ds = cdinterop.load(EXAMPLES[0])
    sdmx.write_all(ds, tmp_path, formats=["csv20"])
    for name in ("structure-2.1.xml", "structure-3.0.xml"):
        (tmp_path / name).unlink()
    assert sdmx.find_structure(tmp_path / "data-csv20.csv").name == "structure-2.0.json"
    assert sdmx.read(tmp_path / "data-csv20.csv") == ds


def test_validate_checks_a_json_structure_against_the_official_schema(
    folder: Path, tmp_path: Path
) -> None:
    for version in VERSIONS:
        path = folder / f"structure-{version}.json"
        assert checker_for(path).name == "SDMX-JSON structure message"
        assert check_file(path)[1] == []
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 0, result.output
    document = json.loads((folder / "structure-2.1.json").read_bytes())
    dims = document["data"]["dataStructures"][0]["dataStructureComponents"]["dimensionList"]
    dims["dimensions"][0]["position"] = -1
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    _, issues = check_file(broken)
    assert issues and {i.code for i in issues} == {"json-schema"}
    where = "data.dataStructures[0].dataStructureComponents.dimensionList.dimensions[0].position"
    assert any(where in i.location and "minimum" in i.message for i in issues)
    result = runner.invoke(app, ["validate", str(broken), "--json"])
    assert result.exit_code == 1


def test_validate_reports_the_model_rules_of_a_schema_valid_message(tmp_path: Path) -> None:
    path = tmp_path / "structure.json"
    path.write_bytes((CORPUS / "duplicate-component.json").read_bytes())
    assert schema_errors(path.read_bytes(), "2.0") == []
    _, issues = check_file(path)
    assert [(i.location, i.code) for i in issues] == [("measures[0]", "rule")]


def test_a_spec_takes_its_structure_from_a_json_file(folder: Path) -> None:
    import yaml

    from cdinterop.aggregate import AggregationSpec
    from cdinterop.mapping import loads_spec

    spec = ROOT / "mappings" / "services-survey-kobo.yaml"
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))["aggregation"]
    services = cdinterop.load(ROOT / "examples" / "public-services-satisfaction" / "dataset.json")
    target = folder / "services-structure-2.1.json"
    target.write_bytes(written(services, "2.1"))
    document["structure"] = {"file": target.name}
    document.pop("intervals", None)
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    structure = loads_spec(text, AggregationSpec, folder=folder).structure
    assert structure.key_ids == services.structure.key_ids
    assert [c.ref for c in structure.codelists] == [c.ref for c in services.structure.codelists]


def test_a_repeated_key_is_refused_where_it_is(tmp_path: Path) -> None:
    """The structure reader parses as the data reader does: an object that repeats a key
    (which ``json.loads`` would silently resolve to the last value) is refused, located."""
    path = tmp_path / "structure.json"
    sdmx.write_structure(cdinterop.load(EXAMPLES[0]), path, version="json-2.0")
    text = path.read_text(encoding="utf-8")
    damaged = text.replace('"meta": {', '"meta": {"id": "FIRST", ', 1)
    assert damaged != text
    path.write_text(damaged, encoding="utf-8")
    with pytest.raises(ReadError, match=r"meta: the key 'id' appears twice"):
        sdmx.read_structure(path)
