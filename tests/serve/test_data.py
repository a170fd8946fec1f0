"""Data queries over HTTP: keys, periods, component filters, first/last N, columns, the
formats of the registry by ``Accept`` and ``format=``, REST 1.x and 2.x paths, and the
SDMX error messages (valid against the official SDMX-ML 2.1 XSD) for what cannot be
answered. Observations are compared with the data set's own table, filtered here with
plain Python."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

import cdinterop
from cdinterop import sdmx
from cdinterop.sdmx._xsd_validation import validate_official

from .conftest import MARINE, SERVICES

MARINE_V2 = "/data/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH/1.0"
SERVICES_V2 = "/data/dataflow/KE.SAUTI/DF_SERVICE_SATISFACTION_KE/1.0"
DIMENSIONS = ("FREQ", "REF_AREA", "BEACH", "LITTER_TYPE", "TIME_PERIOD")


@pytest.fixture(scope="module")
def marine_rows() -> list[dict[str, Any]]:
    return cdinterop.load(MARINE / "dataset.json").observations.to_records()


def _keys(response: Any, dims: tuple[str, ...] = DIMENSIONS) -> set[tuple[str, ...]]:
    """Observation keys of an SDMX-CSV answer."""
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    return {tuple(row[d] for d in dims) for row in rows}


def _expected(rows: list[dict[str, Any]], test: Any) -> set[tuple[str, ...]]:
    return {tuple(str(r[d]) for d in DIMENSIONS) for r in rows if test(r)}


def test_everything_in_sdmx_csv(http: Any, marine_rows: list[dict[str, Any]]) -> None:
    response = http.get(MARINE_V2, params={"format": "csv20"})
    assert response.headers["content-type"].startswith(
        "application/vnd.sdmx.data+csv;version=2.0.0"
    )
    assert _keys(response) == _expected(marine_rows, lambda r: True)


@pytest.mark.parametrize(
    ("key", "test"),
    [
        (
            "A.GH._T.BAG",
            lambda r: r["REF_AREA"] == "GH" and r["BEACH"] == "_T" and r["LITTER_TYPE"] == "BAG",
        ),
        ("A.GH..BAG+CUP", lambda r: r["REF_AREA"] == "GH" and r["LITTER_TYPE"] in ("BAG", "CUP")),
        ("A.*.*.BAG", lambda r: r["LITTER_TYPE"] == "BAG"),
        ("A", lambda r: True),  # missing trailing parts are wildcards
        ("...", lambda r: True),
        (
            "A.GH._T.BAG,A.GH._T.CUP",
            lambda r: (
                r["REF_AREA"] == "GH" and r["BEACH"] == "_T" and r["LITTER_TYPE"] in ("BAG", "CUP")
            ),
        ),
    ],
)
def test_keys(http: Any, marine_rows: list[dict[str, Any]], key: str, test: Any) -> None:
    response = http.get(f"{MARINE_V2}/{key}", params={"format": "csv20"})
    assert _keys(response) == _expected(marine_rows, test)


@pytest.mark.parametrize(
    ("params", "years"),
    [
        ({"startPeriod": "2023"}, {"2023", "2024"}),
        ({"endPeriod": "2022"}, {"2021", "2022"}),
        ({"startPeriod": "2022-Q3", "endPeriod": "2023-M02"}, {"2022", "2023"}),  # overlap
        ({"startPeriod": "2022-07-01", "endPeriod": "2022-12-31"}, {"2022"}),
        ({"c[TIME_PERIOD]": "ge:2022+le:2023"}, {"2022", "2023"}),
        ({"c[TIME_PERIOD]": "gt:2022"}, {"2023", "2024"}),
        ({"c[TIME_PERIOD]": "lt:2022"}, {"2021"}),
        ({"c[TIME_PERIOD]": "2021,2024"}, {"2021", "2024"}),
        ({"c[TIME_PERIOD]": "ne:2021"}, {"2022", "2023", "2024"}),
    ],
)
def test_periods(
    http: Any, marine_rows: list[dict[str, Any]], params: dict[str, str], years: set[str]
) -> None:
    all_years = {r["TIME_PERIOD"] for r in marine_rows}
    assert years <= all_years
    response = http.get(f"{MARINE_V2}/A.GH._T", params={"format": "csv20", **params})
    expected = _expected(
        marine_rows,
        lambda r: r["REF_AREA"] == "GH" and r["BEACH"] == "_T" and r["TIME_PERIOD"] in years,
    )
    assert _keys(response) == expected


def test_periods_on_rest_1_paths(http: Any, marine_rows: list[dict[str, Any]]) -> None:
    response = http.get(
        "/data/GH.CCLEAN,DF_MARINE_LITTER_GH,1.0/A.GH._T.BAG/all",
        params={"startPeriod": "2022-S2", "endPeriod": "2023"},
        headers={"Accept": "text/csv"},
    )
    assert response.headers["content-type"].startswith(
        "application/vnd.sdmx.data+csv;version=1.0.0"
    )
    expected = _expected(
        marine_rows,
        lambda r: (
            r["REF_AREA"] == "GH"
            and r["BEACH"] == "_T"
            and r["LITTER_TYPE"] == "BAG"
            and r["TIME_PERIOD"] in ("2022", "2023")
        ),
    )
    assert _keys(response) == expected


def test_component_filters_on_values_and_attributes(
    http: Any, marine_rows: list[dict[str, Any]]
) -> None:
    response = http.get(
        MARINE_V2,
        params={"format": "csv20", "c[OBS_VALUE]": "ge:5000", "c[LITTER_TYPE]": "sw:B"},
    )
    expected = _expected(
        marine_rows,
        lambda r: (
            r["OBS_VALUE"] is not None
            and r["OBS_VALUE"] >= 5000
            and r["LITTER_TYPE"].startswith("B")
        ),
    )
    assert _keys(response) == expected
    response = http.get(MARINE_V2, params={"format": "csv20", "c[OBS_STATUS]": "ne:A"})
    assert _keys(response) == _expected(marine_rows, lambda r: r["OBS_STATUS"] != "A")


def test_first_and_last_observations_per_series(
    http: Any, marine_rows: list[dict[str, Any]]
) -> None:
    series: dict[tuple[str, ...], list[str]] = {}
    for r in marine_rows:
        series.setdefault(tuple(r[d] for d in DIMENSIONS[:-1]), []).append(r["TIME_PERIOD"])
    last = {(*k, max(v)) for k, v in series.items()}
    first_two = {(*k, p) for k, v in series.items() for p in sorted(v)[:2]}
    assert _keys(http.get(MARINE_V2, params={"format": "csv20", "lastNObservations": "1"})) == last
    assert (
        _keys(http.get(MARINE_V2, params={"format": "csv20", "firstNObservations": "2"}))
        == first_two
    )


def test_offset_and_limit(http: Any, marine_rows: list[dict[str, Any]]) -> None:
    response = http.get(MARINE_V2, params={"format": "csv20", "offset": "10", "limit": "5"})
    expected = {tuple(str(r[d]) for d in DIMENSIONS) for r in marine_rows[10:15]}
    assert _keys(response) == expected


def _column_values(response: Any, column: str) -> set[str]:
    assert response.status_code == 200, response.text
    return {row[column] for row in csv.DictReader(io.StringIO(response.text))}


def test_attributes_and_measures(http: Any) -> None:
    everything = http.get(MARINE_V2, params={"format": "csv20"})
    assert _column_values(everything, "OBS_STATUS") != {""}
    none = http.get(MARINE_V2, params={"format": "csv20", "attributes": "none"})
    assert _column_values(none, "OBS_STATUS") == _column_values(none, "UNIT_MEASURE") == {""}
    assert _column_values(none, "OBS_VALUE") == _column_values(everything, "OBS_VALUE")
    one = http.get(MARINE_V2, params={"format": "csv20", "attributes": "OBS_STATUS"})
    assert _column_values(one, "OBS_STATUS") == _column_values(everything, "OBS_STATUS")
    assert _column_values(one, "NATURE") == {""}
    levels = http.get(MARINE_V2, params={"format": "csv20", "attributes": "dataset"})
    assert _column_values(levels, "UNIT_MEASURE") == {"NUMBER"}
    assert _column_values(levels, "OBS_STATUS") == {""}
    data_only = http.get(
        "/data/DF_MARINE_LITTER_GH", params={"format": "csv10", "detail": "dataonly"}
    )
    assert _column_values(data_only, "OBS_STATUS") == {""}
    no_values = http.get(MARINE_V2, params={"format": "ml30-ss", "measures": "none"})
    assert no_values.status_code == 200 and "OBS_VALUE=" not in no_values.text
    assert "OBS_VALUE=" in http.get(MARINE_V2, params={"format": "ml30-ss"}).text


@pytest.mark.parametrize(
    ("params", "root"),
    [
        ({}, "StructureSpecificData"),
        ({"dimensionAtObservation": "TIME_PERIOD"}, "StructureSpecificData"),
        ({"dimensionAtObservation": "AllDimensions"}, "StructureSpecificData"),
    ],
)
def test_dimension_at_observation_picks_the_layout(
    http: Any, params: dict[str, str], root: str
) -> None:
    response = http.get(MARINE_V2 + "/A.GH", params={"format": "structurespecificdata", **params})
    assert response.status_code == 200
    text = response.text
    assert root in text
    flat = params.get("dimensionAtObservation") == "AllDimensions"
    assert ('dimensionAtObservation="AllDimensions"' in text) is flat
    assert ("<Series" in text) is not flat


def test_cross_sectional_layouts_are_not_implemented(http: Any) -> None:
    response = http.get(
        MARINE_V2, params={"dimensionAtObservation": "LITTER_TYPE", "format": "xml"}
    )
    assert response.status_code == 501
    # SDMX-CSV is flat whatever the dimension at observation
    assert (
        http.get(
            MARINE_V2, params={"dimensionAtObservation": "LITTER_TYPE", "format": "csv"}
        ).status_code
        == 200
    )


# -- content negotiation -----------------------------------------------------------------


@pytest.mark.parametrize("name", list(sdmx.FORMATS))
def test_every_format_of_the_registry_by_name_and_media_type(http: Any, name: str) -> None:
    fmt = sdmx.FORMATS[name]
    response = http.get(SERVICES_V2 + "/A.KE.F", params={"format": name})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].replace(" ", "") == fmt.media_type.replace(" ", "")
    by_accept = http.get(SERVICES_V2 + "/A.KE.F", headers={"Accept": fmt.media_type})
    assert by_accept.status_code == 200
    assert by_accept.headers["content-type"] == response.headers["content-type"]
    # what is served reads back (cdinterop's reader) to the selected observations
    suffix = fmt.extension
    again = sdmx.read(response.content, structure=cdinterop.load(SERVICES / "dataset.json"))
    assert len(again.observations) > 0
    assert set(again.observations.table.column("SEX").to_pylist()) == {"F"}
    del suffix


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (
            "application/vnd.sdmx.data+csv;version=2.0.0;q=0.5, "
            "application/vnd.sdmx.data+xml;version=3.0.0;q=0.9",
            "application/vnd.sdmx.data+xml;version=3.0.0",
        ),
        (
            "application/vnd.sdmx.data+csv;version=2.0.0, */*;q=0.1",
            "application/vnd.sdmx.data+csv;version=2.0.0",
        ),
        (
            "application/vnd.sdmx.data+xml;version=3.0",
            "application/vnd.sdmx.data+xml;version=3.0.0",
        ),
        (
            "application/vnd.sdmx.data+xml;version=3.0.0+",
            "application/vnd.sdmx.data+xml;version=3.0.0",
        ),
        (
            "application/vnd.sdmx.structurespecifictimeseriesdata+xml;version=2.1",
            "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
        ),
        ("text/csv", "application/vnd.sdmx.data+csv;version=2.0.0"),
        ("application/xml", "application/vnd.sdmx.data+xml;version=3.0.0"),
        (
            "application/vnd.sdmx.data+csv;version=2.0.0;labels=id",
            "application/vnd.sdmx.data+csv;version=2.0.0",
        ),
        ("*/*, application/vnd.sdmx.genericdata+xml;version=2.1;q=0", None),
    ],
)
def test_accept_header(http: Any, accept: str, expected: str | None) -> None:
    response = http.get(MARINE_V2 + "/A.GH", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    if expected is not None:
        assert response.headers["content-type"] == expected
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]


def test_default_formats_follow_the_rest_version(http: Any) -> None:
    """Without Accept: SDMX-JSON 2.0.0 on 2.x paths when the registry has it (else
    SDMX-ML 3.0), SDMX-ML 2.1 generic data on 1.x paths."""
    v2 = http.get(MARINE_V2 + "/A.GH")
    json20 = "application/vnd.sdmx.data+json;version=2.0.0"
    has_json = any(f.media_type == json20 for f in sdmx.FORMATS.values())
    assert v2.headers["content-type"] == (
        json20 if has_json else "application/vnd.sdmx.data+xml;version=3.0.0"
    )
    v1 = http.get("/data/DF_MARINE_LITTER_GH/A.GH")
    assert v1.headers["content-type"] == "application/vnd.sdmx.genericdata+xml;version=2.1"


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"Accept": "image/png"}, {}),
        ({"Accept": "application/vnd.sdmx.data+csv;version=9.0.0"}, {}),
        ({"Accept": "application/vnd.sdmx.data+csv;version=2.0.0;labels=both"}, {}),
        ({}, {"format": "parquet"}),
    ],
)
def test_not_acceptable(http: Any, headers: dict[str, str], params: dict[str, str]) -> None:
    response = http.get(MARINE_V2, headers=headers, params=params)
    assert response.status_code == 406
    assert 'code="1000"' in response.text
    assert validate_official(response.content, version="2.1") == []


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        (MARINE_V2 + "/A.XX", {}, 404, 100),
        ("/data/dataflow/GH.CCLEAN/NO_SUCH_FLOW/1.0", {}, 404, 100),
        ("/data/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH/9.9", {}, 404, 100),
        ("/data/NO_SUCH_FLOW", {}, 404, 100),
        (MARINE_V2, {"startPeriod": "2030"}, 404, 100),
        (MARINE_V2, {"updatedAfter": "2099-01-01T00:00:00Z"}, 404, 100),
        ("/data/DF_MARINE_LITTER_GH/all/SOME_PROVIDER", {}, 404, 100),
        ("/no/such/resource", {}, 404, 100),
        (MARINE_V2 + "/A.GH._T.BAG.EXTRA", {}, 400, 150),
        (MARINE_V2 + "/A.G H", {}, 400, 140),
        (MARINE_V2, {"startPeriod": "yesterday"}, 400, 140),
        (MARINE_V2, {"c[NO_SUCH]": "X"}, 400, 150),
        (MARINE_V2, {"c[OBS_VALUE]": "ge:lots"}, 400, 150),
        (MARINE_V2, {"firstNObservations": "-1"}, 400, 140),
        (MARINE_V2, {"dimensionAtObservation": "NOPE"}, 400, 150),
        (MARINE_V2, {"includeHistory": "true"}, 501, 501),
        (MARINE_V2, {"sort": "TIME_PERIOD:desc"}, 501, 501),
        ("/data/DF_MARINE_LITTER_GH", {"detail": "serieskeysonly"}, 501, 501),
        ("/data/dataflow/*/*/*", {}, 501, 501),  # two dataflows in one message
    ],
)
def test_errors(http: Any, path: str, params: dict[str, str], status: int, code: int) -> None:
    response = http.get(path, params=params)
    assert response.status_code == status, response.text
    assert f'code="{code}"' in response.text
    assert response.headers["content-type"] == "application/xml"
    assert validate_official(response.content, version="2.1") == []


def test_errors_in_json_when_json_is_asked_for(http: Any) -> None:
    response = http.get(
        MARINE_V2 + "/A.XX", headers={"Accept": "application/vnd.sdmx.data+json;version=2.0.0"}
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == 100


def test_updated_after_an_earlier_time_gives_the_data(http: Any) -> None:
    response = http.get(
        MARINE_V2 + "/A.GH", params={"updatedAfter": "2020-01-01T00:00:00Z", "format": "csv"}
    )
    assert response.status_code == 200


def test_head_and_gzip(http: Any) -> None:
    head = http.head(MARINE_V2, params={"format": "csv20"})
    assert head.status_code == 200 and head.content == b""
    zipped = http.get(
        MARINE_V2, params={"format": "ml21-generic"}, headers={"Accept-Encoding": "gzip"}
    )
    assert zipped.headers.get("content-encoding") == "gzip"
    assert b"GenericData" in zipped.content  # httpx decompresses


def test_several_versions_and_wildcards(http: Any, marine_rows: list[dict[str, Any]]) -> None:
    every = _expected(marine_rows, lambda r: True)
    for path in (
        "/data/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH/~",
        "/data/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH/+",
        "/data/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH/*",
        "/data/dataflow/*/DF_MARINE_LITTER_GH",
        "/data/*/GH.CCLEAN/DF_MARINE_LITTER_GH/1.0,2.0",
        "/data/datastructure/GH.CCLEAN/DSD_MARINE_LITTER/1.0",
        "/data/all,DF_MARINE_LITTER_GH,latest",
        "/data/GH.CCLEAN,DF_MARINE_LITTER_GH",
    ):
        assert _keys(http.get(path, params={"format": "csv20"})) == every, path
