"""read(write(ds)) == ds for every SDMX data format, on examples and random data sets."""

import io
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

import cdinterop
from cdinterop import sdmx
from cdinterop.errors import InvalidDatasetError, ReadError, WriteError
from cdinterop.model import CitizenDataset
from cdinterop.testing import citizen_datasets

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = ["marine-litter-ghana", "public-services-satisfaction"]


def _empty(ds: CitizenDataset) -> CitizenDataset:
    return ds.replace(observations=[], attribute_values={})


@pytest.mark.parametrize("fmt", sorted(sdmx.FORMATS))
@pytest.mark.parametrize("name", NAMES)
def test_examples_round_trip(name: str, fmt: str) -> None:
    ds = cdinterop.load(EXAMPLES / name / "dataset.json")
    buffer = io.BytesIO()
    sdmx.write(ds, buffer, format=fmt)
    assert sdmx.sniff_format(buffer.getvalue()).startswith(fmt[:4])
    assert sdmx.read(buffer.getvalue(), structure=_empty(ds)) == ds


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(citizen_datasets())
def test_random_round_trip(ds: CitizenDataset) -> None:
    for name, fmt in sdmx.FORMATS.items():
        if not fmt.supports(ds):
            with pytest.raises(WriteError):
                sdmx.write(ds, io.BytesIO(), format=name)
            continue
        buffer = io.BytesIO()
        fmt.write(ds, buffer)
        assert sdmx.read(buffer.getvalue(), structure=_empty(ds)) == ds, name


def test_unknown_format() -> None:
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    with pytest.raises(WriteError, match="unknown SDMX format 'ml99'"):
        sdmx.write(ds, io.BytesIO(), format="ml99")


def test_xml_special_characters_are_escaped() -> None:
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    rows = ds.observations.to_records()
    rows[0]["COMMENT"] = 'tide & "wind" <strong>\nnext line\ttab'
    odd = ds.replace(observations=rows)
    for fmt in ("ml21-ss", "ml21-ss-ts", "ml21-generic", "ml30-ss", "csv20"):
        buffer = io.BytesIO()
        sdmx.write(odd, buffer, format=fmt)
        assert sdmx.read(buffer.getvalue(), structure=_empty(odd)) == odd, fmt


def test_bad_data_is_reported_with_locations() -> None:
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    buffer = io.BytesIO()
    sdmx.write(ds, buffer, format="ml21-ss")
    broken = buffer.getvalue().replace(b'BEACH="KETA"', b'BEACH="NOWHERE"', 1)
    with pytest.raises(InvalidDatasetError) as info:
        sdmx.read(broken, structure=_empty(ds))
    issue = info.value.issues[0]
    assert (issue.component, issue.code, issue.value) == ("BEACH", "unknown-code", "NOWHERE")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello", "neither SDMX-ML nor SDMX-CSV"),
        (b"<foo/>", "not an SDMX data message"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<x>&e;</x>",
            "DTD or entities",
        ),
        (
            b'<mes:GenericData xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/'
            b'message"><unclosed>',
            "malformed XML",
        ),
    ],
)
def test_unreadable_input(content: bytes, message: str) -> None:
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    with pytest.raises(ReadError, match=message):
        sdmx.read(content, structure=_empty(ds))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(citizen_datasets())
def test_random_round_trip_through_structure_messages(
    tmp_path_factory: pytest.TempPathFactory, ds: CitizenDataset
) -> None:
    """The full SDMX form: metadata and provenance travel in the structure message."""
    folder = tmp_path_factory.mktemp("sdmx")
    for path in sdmx.write_all(ds, folder):
        if path.name.startswith("data-"):
            version = sdmx.FORMATS[path.stem.removeprefix("data-")].sdmx_version
            structure = folder / sdmx.STRUCTURE_FILES[version]
            assert sdmx.read(path, structure=structure) == ds, path.name


@pytest.mark.parametrize("fmt", ["csv10", "csv20"])
def test_csv_text_that_looks_like_a_null_marker_stays_text(tmp_path: Path, fmt: str) -> None:
    """Only an empty field is missing in SDMX-CSV: "null", "NA" and "N/A" are text."""
    ds = cdinterop.load(EXAMPLES / "marine-litter-ghana" / "dataset.json")
    table = ds.observations.to_arrow()
    comments = ["null", "NA", "N/A", "NULL"] + [None] * (table.num_rows - 4)
    index = table.schema.get_field_index("COMMENT")
    table = table.set_column(index, "COMMENT", pa.array(comments, pa.string()))
    ds = ds.replace(observations=table)
    folder = tmp_path / "out"
    written = sdmx.write_all(ds, folder, formats=[fmt])
    data = next(p for p in written if p.name.startswith("data-"))
    version = sdmx.FORMATS[fmt].sdmx_version
    back = sdmx.read(data, structure=folder / sdmx.STRUCTURE_FILES[version])
    assert back.observations.to_arrow().column("COMMENT").to_pylist()[:5] == [
        "null",
        "NA",
        "N/A",
        "NULL",
        None,
    ]
