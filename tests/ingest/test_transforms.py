"""Column transformations for ingest: bands, dates, constants, geopoints, pseudonyms."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from cdinterop.ingest._transforms import (
    AGE_PRESETS,
    Band,
    age_bands,
    check_bands,
    coarsen_to_grid,
    constant,
    load_key,
    parse_geopoint,
    pseudonymise,
    to_bands,
    to_date,
    to_number,
    to_period,
)
from cdinterop.mapping._spec import UnmappedPolicy
from cdinterop.mapping._values import map_values
from cdinterop.model._periods import parse_period

MESSY = [" 23 ", "23.0", "", "twenty", "-4", "230", None, "24.9", "65", "15", "14"]


def rows(t: object) -> tuple[list[object], list[bool], list[str | None]]:
    values = t.values.to_pylist()  # type: ignore[attr-defined]
    failed = t.failed.to_pylist()  # type: ignore[attr-defined]
    reasons = t.reasons  # type: ignore[attr-defined]
    return values, failed, [None] * len(values) if reasons is None else reasons.to_pylist()


# -------------------------------------------------------------------------------------------
# numbers and bands
# -------------------------------------------------------------------------------------------


def test_to_number_messy_text() -> None:
    values, failed, reasons = rows(
        to_number(pa.array([" 23 ", "23.0", "", "twenty", "-4", "1e3", "23,5", "nan", None]))
    )
    assert values == [23.0, 23.0, None, None, -4.0, 1000.0, None, None, None]
    assert failed == [False, False, False, True, False, False, True, True, False]
    assert reasons == [None, None, None, "not a number", None, None] + ["not a number"] * 2 + [None]


def test_age_bands_labour_force() -> None:
    t = to_bands(pa.array(MESSY), age_bands("labour-force"), label="age")
    values, failed, reasons = rows(t)
    assert values == [
        "Y15T24",
        "Y15T24",
        None,
        None,
        None,
        None,
        None,
        "Y15T24",
        "Y_GE65",
        "Y15T24",
        None,
    ]
    assert failed == [False, False, False, True, True, True, False, False, False, False, True]
    assert reasons == [
        None,
        None,
        None,
        "not a number",
        "age -4 is outside every band",
        "age 230 is outside every band",
        None,
        None,
        None,
        None,
        "age 14 is outside every band",
    ]
    assert t.failures == 4


def test_age_bands_from_codes_and_presets() -> None:
    assert age_bands(["Y_LT15", "Y15T24", "Y_GE25"]) == (
        Band("Y_LT15", 0, 14),
        Band("Y15T24", 15, 24),
        Band("Y_GE25", 25, 120),
    )
    for name in AGE_PRESETS:
        assert age_bands(name)
    with pytest.raises(ValueError, match="is a total, not an age band"):
        age_bands(["_T"])
    with pytest.raises(ValueError, match="unknown age band preset"):
        age_bands("decades")
    with pytest.raises(ValueError, match="overlap"):
        age_bands(["Y15T24", "Y20T29"])


def test_bands_generic_and_open() -> None:
    bands = [Band("LOW", None, 9), Band("MID", 10, 99), Band("HIGH", 100, None)]
    values, failed, _ = rows(to_bands(pa.array(["-5", "9.99", "10", "1e6"]), bands))
    assert values == ["LOW", "LOW", "MID", "HIGH"]
    assert failed == [False] * 4


def test_check_bands_rejects_gaps_and_overlaps() -> None:
    with pytest.raises(ValueError, match=r"gap between bands A \(0 to 9\) and B \(12 to 20\)"):
        check_bands([Band("A", 0, 9), Band("B", 12, 20)])
    assert len(check_bands([Band("A", 0, 9), Band("B", 12, 20)], allow_gaps=True)) == 2
    with pytest.raises(ValueError, match="overlap"):
        check_bands([Band("A", 0, 10), Band("B", 10, 20)])
    with pytest.raises(ValueError, match="overlap"):
        check_bands([Band("A", None, 10), Band("B", None, 20)])
    with pytest.raises(ValueError, match="used twice"):
        check_bands([Band("A", 0, 9), Band("A", 10, 20)])
    with pytest.raises(ValueError, match="not a whole number"):
        Band("A", 0.5, 9)
    with pytest.raises(ValueError, match="below min"):
        Band("A", 10, 9)
    with pytest.raises(ValueError, match="no bands"):
        check_bands([])
    # sorted on the way
    assert [b.code for b in check_bands([Band("B", 10, 20), Band("A", 0, 9)])] == ["A", "B"]


def test_bands_chunked_input() -> None:
    column = pa.chunked_array([["20", "x"], [], ["70"]])
    values, failed, _ = rows(to_bands(column, age_bands("broad")))
    assert values == ["Y15T64", None, "Y_GE65"]
    assert failed == [False, True, False]


# -------------------------------------------------------------------------------------------
# dates and periods
# -------------------------------------------------------------------------------------------

DATES = [
    "2024-06-03",
    " 2024-06-03T10:15:22 ",  # Kobo _submission_time
    "2024-06-03T10:15:22.123Z",  # ODK
    "2024-06-30T23:30:00-05:00",  # local date as written
    "2024-02-30",
    "3/6/2024",
    "",
    None,
    "yesterday",
    "2024-12-30",
    "2024-06-03T25:00:00",
]
ISO_REASON = "not a date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("A", ["2024", "2024", "2024", "2024", "2024"]),
        ("S", ["2024-S1", "2024-S1", "2024-S1", "2024-S1", "2024-S2"]),
        ("Q", ["2024-Q2", "2024-Q2", "2024-Q2", "2024-Q2", "2024-Q4"]),
        ("M", ["2024-06", "2024-06", "2024-06", "2024-06", "2024-12"]),
        ("W", ["2024-W23", "2024-W23", "2024-W23", "2024-W26", "2025-W01"]),
        ("D", ["2024-06-03", "2024-06-03", "2024-06-03", "2024-06-30", "2024-12-30"]),
    ],
)
def test_to_period(frequency: str, expected: list[str]) -> None:
    values, failed, reasons = rows(to_period(pa.array(DATES), frequency))  # type: ignore[arg-type]
    a, b, c, d, *_, e, _ = values
    assert [a, b, c, d, e] == expected
    assert values[4:9] == [None] * 5 and values[10] is None
    assert failed == [False] * 4 + [True, True, False, False, True, False, True]
    assert reasons[4] == reasons[5] == reasons[8] == reasons[10] == ISO_REASON
    for period in expected:
        assert parse_period(period).frequency == frequency


def test_to_date_formats() -> None:
    values, failed, reasons = rows(to_date(pa.array(DATES), ["%Y-%m-%d", "iso-datetime", "dmy"]))
    assert [str(v) if v else None for v in values] == [
        "2024-06-03",
        "2024-06-03",
        "2024-06-03",
        "2024-06-30",
        None,
        "2024-06-03",
        None,
        None,
        None,
        "2024-12-30",
        None,
    ]
    assert reasons[4] == "not a date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS or DD/MM/YYYY)"
    assert failed.count(True) == 3
    mdy, *_ = to_date(pa.array(["3/6/2024"]), ["mdy"]).values.to_pylist()
    assert str(mdy) == "2024-03-06"


def test_to_date_custom_pattern_is_strict() -> None:
    values, failed, _ = rows(
        to_date(pa.array(["03.06.2024", "3.6.2024", "31.02.2024"]), "%d.%m.%Y")
    )
    assert [str(v) if v else None for v in values] == ["2024-06-03", None, None]
    assert failed == [False, True, True]
    with pytest.raises(ValueError, match="unknown date format"):
        to_date(pa.array(["x"]), ["european"])


def test_to_period_from_timestamps() -> None:
    ts = pa.array([0, None], pa.timestamp("s"))
    assert to_period(ts, "M").values.to_pylist() == ["1970-01", None]
    with pytest.raises(ValueError, match="unknown frequency"):
        to_period(ts, "X")  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------
# constants and value maps
# -------------------------------------------------------------------------------------------


def test_constant() -> None:
    t = constant("GH", 3)
    assert t.values.to_pylist() == ["GH"] * 3
    assert t.failed.to_pylist() == [False] * 3 and t.reasons is None
    assert constant(5, 2, pa.int32()).values.type == pa.int32()


def test_value_map_reused_from_mapping() -> None:
    mapped = map_values(
        pa.array(["female", "male", None, "x"]),
        {"female": "F", "male": "M"},
        unmapped=UnmappedPolicy.DROP,
    )
    assert mapped.values.to_pylist() == ["F", "M", None, None]


# -------------------------------------------------------------------------------------------
# geopoints and grid
# -------------------------------------------------------------------------------------------

GEOPOINTS = [
    "5.6037 -0.1870 12 5",
    "5.6 -0.18",
    "abc",
    "95 200",
    None,
    "",
    "1 2 x",
    "1 200",
    "-33.9 18.4 0 -1",
    "1 2 3 4 5",
]


def test_parse_geopoint() -> None:
    g = parse_geopoint(pa.array(GEOPOINTS))
    assert g.lat.to_pylist() == [5.6037, 5.6] + [None] * 8
    assert g.lon.to_pylist() == [-0.187, -0.18] + [None] * 8
    assert g.alt.to_pylist() == [12.0] + [None] * 9
    assert g.precision.to_pylist() == [5.0] + [None] * 9
    assert g.failed.to_pylist() == [False, False, True, True, False, False, True, True, True, True]
    shape = "not a geopoint (expected 'latitude longitude [altitude [precision]]')"
    assert g.reasons is not None
    assert g.reasons.to_pylist() == [
        None,
        None,
        shape,
        "latitude 95 is outside -90..90",
        None,
        None,
        "altitude 'x' is not a number",
        "longitude 200 is outside -180..180",
        "precision is negative",
        shape,
    ]


def test_coarsen_to_grid() -> None:
    lat = pa.array([5.6037, -0.01, 90.0, 5.65, -33.9, None, 0.0])
    lon = pa.array([-0.187, 180.0, -180.0, 0.0, 18.4, 1.0, 0.0])
    cells = coarsen_to_grid(lat, lon, 0.05)
    assert cells.cell.to_pylist() == [
        "N05.60_W000.20",
        "S00.05_E179.95",
        "N89.95_W180.00",
        "N05.65_E000.00",  # on an edge: the cell it starts
        "S33.90_E018.40",
        None,
        "N00.00_E000.00",
    ]
    assert cells.lat.to_pylist() == [5.625, -0.025, 89.975, 5.675, -33.875, None, 0.025]
    assert cells.lon.to_pylist() == [-0.175, 179.975, -179.975, 0.025, 18.425, None, 0.025]
    assert coarsen_to_grid(lat[:1], lon[:1], 1).cell.to_pylist() == ["N05_W001"]
    assert coarsen_to_grid(lat[:1], lon[:1], 0.25).cell.to_pylist() == ["N05.50_W000.25"]
    for bad in (0, -1, 11, float("nan"), 1e-7):
        with pytest.raises(ValueError, match="cell size"):
            coarsen_to_grid(lat, lon, bad)


def test_geopoint_to_grid_pipeline() -> None:
    g = parse_geopoint(pa.array(GEOPOINTS))
    cells = coarsen_to_grid(g.lat, g.lon, 0.1)
    assert cells.cell.to_pylist()[:3] == ["N05.6_W000.2", "N05.6_W000.2", None]


# -------------------------------------------------------------------------------------------
# pseudonyms
# -------------------------------------------------------------------------------------------

KEY = b"k3y-for-tests-0123456789abcdef"
OTHER = b"another-key-0123456789abcdefgh"


def test_pseudonymise_stable_keyed_and_null_safe() -> None:
    ids = pa.array(["0244123456", "0244123456", None, "0201111111"])
    first = pseudonymise(ids, KEY)
    assert first.to_pylist() == pseudonymise(ids, KEY).to_pylist()
    a, b, c, d = first.to_pylist()
    assert a == b and c is None and a != d and len(a) == 16
    assert all(ch in "0123456789abcdef" for ch in a)
    assert pseudonymise(ids, OTHER).to_pylist()[0] != a
    assert len(pseudonymise(ids, KEY, length=64).to_pylist()[0]) == 64
    import hmac

    assert a == hmac.new(KEY, b"0244123456", "sha256").hexdigest()[:16]
    # the key is nowhere in the output
    assert KEY.decode() not in repr(first) and KEY.hex()[:16] not in repr(first)


def test_pseudonymise_refuses_bad_arguments_without_showing_key() -> None:
    short = b"s3cret-short"
    with pytest.raises(ValueError) as info:
        pseudonymise(pa.array(["x"]), short)
    assert "s3cret" not in str(info.value)
    for length in (8, 15, 65, True):
        with pytest.raises(ValueError, match="length"):
            pseudonymise(pa.array(["x"]), KEY, length=length)


def test_load_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDI_TEST_KEY", KEY.decode() + "\n")
    assert load_key("env:CDI_TEST_KEY") == KEY
    path = tmp_path / "key"
    path.write_bytes(KEY + b"\n")
    assert load_key(f"file:{path}") == KEY

    secret = "tiny-s3cret"
    monkeypatch.setenv("CDI_SHORT", secret)
    monkeypatch.setenv("CDI_EMPTY", "\n")
    monkeypatch.delenv("CDI_MISSING", raising=False)
    for source, match in [
        ("env:CDI_SHORT", "too short"),
        ("env:CDI_EMPTY", "empty"),
        ("env:CDI_MISSING", "not set"),
        (f"file:{tmp_path / 'nope'}", "cannot read"),
        ("vault:x", "neither"),
        ("env:", "needs a name"),
    ]:
        with pytest.raises(ValueError, match=match) as info:
            load_key(source)
        assert secret not in str(info.value) and KEY.decode() not in str(info.value)


def test_pseudonyms_are_hmac_sha256() -> None:
    """The prepared-pad implementation equals the standard library's HMAC, for short keys
    and for keys longer than the SHA-256 block (hashed first, as RFC 2104 says)."""
    import hmac as std_hmac

    from cdinterop.ingest._transforms import pseudonymise

    values = ["uuid-0001", "", "ü-ñ-✓", "x" * 500]
    for key in (b"k" * 16, b"a-longer-key-of-some-length", b"K" * 100):
        got = pseudonymise(pa.array(values), key, length=64).to_pylist()
        assert got == [std_hmac.new(key, v.encode(), "sha256").hexdigest() for v in values]
