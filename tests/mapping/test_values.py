"""Vectorised value mapping: maps, fixed values, filters, policies with counts, nulls."""

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cdinterop.mapping import (
    RowFilter,
    UnmappedPolicy,
    ValueRule,
    apply_rules,
    filter_mask,
    fixed_values,
    map_values,
)
from cdinterop.mapping._values import DropCount, as_text, value_counts

AGES = pa.chunked_array(
    [pa.array(["Y18T29", "Y30T44", None, "_T"]), pa.array(["Y30T44", "Y99", "_T"])]
)
AGE_MAP = {"Y18T29": "Y18T29", "_T": "_T", "Y45T64": "Y45T64"}


def _rule(**fields: Any) -> ValueRule:
    return ValueRule.model_validate(fields)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (UnmappedPolicy.ERROR, ["Y18T29", None, None, "_T", None, None, "_T"]),
        (UnmappedPolicy.DROP, ["Y18T29", None, None, "_T", None, None, "_T"]),
        (UnmappedPolicy.KEEP, ["Y18T29", "Y30T44", None, "_T", "Y30T44", "Y99", "_T"]),
    ],
)
def test_map_values_policies_and_counts(policy: UnmappedPolicy, expected: list[Any]) -> None:
    mapped = map_values(AGES, AGE_MAP, unmapped=policy)
    assert mapped.values.to_pylist() == expected
    assert mapped.unmapped.to_pylist() == [False, True, False, False, True, True, False]
    assert mapped.counts == {"Y30T44": 2, "Y99": 1}  # the null is not "unmapped"


def test_nulls_stay_null_or_take_the_default() -> None:
    mapped = map_values(AGES, {**AGE_MAP, "Y99": None}, default="_U")
    # the source null becomes the default; Y99 mapped to None stays null
    assert mapped.values.to_pylist() == ["Y18T29", None, "_U", "_T", None, None, "_T"]
    assert mapped.counts == {"Y30T44": 2}
    none = map_values(pa.array([None, None], pa.string()), {"a": "b"})
    assert none.values.to_pylist() == [None, None] and none.counts == {}


def test_numbers_booleans_and_dictionaries_compare_as_text() -> None:
    ints = pa.array([1, 2, 3, None])
    mapped = map_values(ints, {"1": 10, "2": 20}, unmapped=UnmappedPolicy.KEEP)
    assert mapped.values.to_pylist() == [10, 20, 3, None]  # same type: kept as numbers
    assert mapped.counts == {3: 1}
    as_codes = map_values(ints, {"1": "A", "2": "B"}, unmapped=UnmappedPolicy.KEEP)
    assert as_codes.values.to_pylist() == ["A", "B", "3", None]  # mixed: all text
    flags = map_values(pa.array([True, False, None]), {"true": "Y", "false": "N"})
    assert flags.values.to_pylist() == ["Y", "N", None]
    coded = pa.array(["KE", "GH", "KE"]).dictionary_encode()
    assert map_values(coded, {"KE": "404"}).values.to_pylist() == ["404", None, "404"]
    assert as_text(coded).type == pa.string()
    assert as_text(pa.array([1.5, None])).to_pylist() == ["1.5", None]


def test_mixed_map_values_fall_back_to_text() -> None:
    mapped = map_values(pa.array(["a", "b", "c"]), {"a": "x", "b": 1, "c": True})
    assert mapped.values.to_pylist() == ["x", "1", "true"]


def test_empty_map_and_empty_column() -> None:
    mapped = map_values(pa.array(["a", None]), {}, unmapped=UnmappedPolicy.DROP)
    assert mapped.values.to_pylist() == [None, None]
    assert mapped.counts == {"a": 1}
    empty = map_values(pa.array([], pa.string()), {"a": "b"})
    assert len(empty.values) == 0 and empty.counts == {}


def test_fixed_values() -> None:
    assert fixed_values("SP_PSR_SATIS", 3).to_pylist() == ["SP_PSR_SATIS"] * 3
    assert fixed_values(0, 2).type == pa.int64()
    assert fixed_values(0, 2, pa.string()).to_pylist() == ["0", "0"]
    assert fixed_values(True, 1).to_pylist() == [True]
    assert len(fixed_values("x", 0)) == 0


def test_value_counts_with_mask() -> None:
    assert value_counts(AGES) == {None: 1, "Y18T29": 1, "Y30T44": 2, "Y99": 1, "_T": 2}
    mask = pa.array([True, True, True, False, False, False, True])
    assert value_counts(AGES, mask) == {None: 1, "Y18T29": 1, "Y30T44": 1, "_T": 1}


def test_filter_mask_all_columns_must_match() -> None:
    table = pa.table({"S": ["_T", "H", "_T", None], "N": [1, 2, 1, 1]})
    assert filter_mask(table, {"S": ["_T"]}).to_pylist() == [True, False, True, False]
    assert filter_mask(table, {"S": ["_T", None]}).to_pylist() == [True, False, True, True]
    assert filter_mask(table, {"S": ["_T"], "N": [2]}).to_pylist() == [False] * 4
    assert filter_mask(table, {"N": [1]}).to_pylist() == [True, False, True, True]


SOURCE = pa.table(
    {
        "AREA": ["KE", "KE", "KE-30", "KE", "KE-30", "KE", "KE"],
        "AGE": ["_T", "Y30T44", "_T", "Y18T29", "Y30T44", "Y99", None],
        "SERVICE": ["_T", "_T", "_T", "HEALTH", "_T", "_T", "_T"],
        "VALUE": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    }
)


def test_apply_rules_accounts_for_every_row() -> None:
    result = apply_rules(
        SOURCE,
        {
            "SERIES": _rule(value="SP"),
            "REF_AREA": _rule(**{"from": "AREA", "map": {"KE": "404"}, "unmapped": "drop"}),
            "AGE": _rule(**{"from": "AGE", "map": AGE_MAP, "unmapped": "drop", "default": "_T"}),
            "OBS_VALUE": _rule(**{"from": "VALUE"}),
            "UNIT": _rule(**{"from": "UNIT_MEASURE"}),
        },
        filters=[RowFilter(name="all-services", keep={"SERVICE": ["_T"]})],
        constants={"UNIT_MEASURE": "PT"},
    )
    assert result.issues == ()
    assert result.dropped == (
        DropCount("row-filter", "all-services", 1),
        DropCount("unmapped-value", "REF_AREA", 2, "KE-30"),
        # row 4 (KE-30, Y30T44) was dropped by REF_AREA first: counted once
        DropCount("unmapped-value", "AGE", 1, "Y30T44"),
        DropCount("unmapped-value", "AGE", 1, "Y99"),
    )
    assert result.rows_in == 7 and result.rows_out == 2 and result.rows_dropped == 5
    assert result.rows_in == result.rows_out + result.rows_dropped
    assert result.source_rows.to_pylist() == [0, 6]
    assert result.table.to_pylist() == [
        {"SERIES": "SP", "REF_AREA": "404", "AGE": "_T", "OBS_VALUE": 1.0, "UNIT": "PT"},
        {"SERIES": "SP", "REF_AREA": "404", "AGE": "_T", "OBS_VALUE": 7.0, "UNIT": "PT"},
    ]
    assert result.used == {"AREA", "AGE", "SERVICE", "VALUE", "UNIT_MEASURE"}
    assert str(result.dropped[1]) == "2 rows dropped: value 'KE-30' has no entry in REF_AREA's map"
    assert str(result.dropped[0]) == "1 rows dropped by row filter 'all-services'"
    assert result.dropped[1].to_dict() == {
        "reason": "unmapped-value",
        "where": "REF_AREA",
        "value": "KE-30",
        "rows": 2,
    }


def test_apply_rules_reports_problems_all_at_once() -> None:
    result = apply_rules(
        SOURCE,
        {
            "AGE": _rule(**{"from": "AGE", "map": AGE_MAP}),  # default policy: error
            "SEX": _rule(**{"from": "SEX"}),
            "AREA": _rule(**{"from": "AREA", "map": {"KE": "404"}, "unmapped": "keep"}),
        },
        filters=[
            RowFilter(name="f1", drop={"SERVICE": ["HEALTH"]}),
            RowFilter(name="f2", keep={"MISSING": ["x"]}),
        ],
        rules_location="mapping.components",
        filters_location="mapping.rows",
    )
    found = [(i.location, i.code, i.value) for i in result.issues]
    assert found == [
        ("mapping.rows[1].keep.MISSING", "unknown-column", "MISSING"),
        ("mapping.components.AGE", "unmapped-value", "Y30T44"),
        ("mapping.components.AGE", "unmapped-value", "Y99"),
        ("mapping.components.SEX.from", "unknown-column", "SEX"),
    ]
    assert "'Y30T44' of AGE (2 rows) has no entry in the map of AGE" in result.issues[1].message
    assert "; the columns are: AREA, AGE, SERVICE, VALUE" in result.issues[3].message
    # under "error" nothing is dropped; under "keep" the value passes
    assert result.rows_out == 6 and result.dropped == (DropCount("row-filter", "f1", 1),)
    assert result.table.column("AREA").to_pylist() == ["404", "404", "KE-30", "KE-30", "404", "404"]


def test_apply_rules_on_empty_table_and_spec_level_policy() -> None:
    empty = SOURCE.slice(0, 0)
    result = apply_rules(
        empty,
        {"AGE": _rule(**{"from": "AGE", "map": AGE_MAP})},
        filters=[RowFilter(name="f", keep={"SERVICE": ["_T"]})],
        unmapped=UnmappedPolicy.DROP,
    )
    assert result.rows_out == 0 and result.issues == ()
    assert result.dropped == (DropCount("row-filter", "f", 0),)
    dropping = apply_rules(
        SOURCE, {"AGE": _rule(**{"from": "AGE", "map": AGE_MAP})}, unmapped=UnmappedPolicy.DROP
    )
    assert dropping.rows_dropped == 3 and dropping.rows_out == 4


def test_a_million_rows_in_bulk() -> None:
    n = 1_000_000
    codes = pa.array(["KE", "KE-30", "GH", "KE"] * (n // 4)).dictionary_encode()
    table = pa.table({"AREA": codes, "VALUE": pa.array(range(n), pa.int64())})
    result = apply_rules(
        table,
        {
            "REF_AREA": _rule(**{"from": "AREA", "map": {"KE": "404", "GH": "288"}}),
            "OBS_VALUE": _rule(**{"from": "VALUE"}),
        },
        unmapped=UnmappedPolicy.DROP,
    )
    assert result.rows_out == 3 * n // 4
    assert result.dropped == (DropCount("unmapped-value", "REF_AREA", n // 4, "KE-30"),)
    counted = pc.value_counts(result.table.column("REF_AREA")).to_pylist()
    assert {c["values"]: c["counts"] for c in counted} == {"404": n // 2, "288": n // 4}
