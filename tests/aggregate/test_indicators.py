"""Several indicators per spec (issue 16.2): a count and a proportion of the same cells as
two series of an indicator dimension, one suppression decision per cell."""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.aggregate import AggregationSpec, aggregate
from cdinterop.errors import InvalidDatasetError
from cdinterop.mapping import loads_spec
from cdinterop.model import ActivityType, ValueType

from .helpers import rows, target_structure, unit_records

LEVELS = ("a", "b", "c")
THRESHOLD = 3
INDICATORS = {
    "COUNT_YES": {"type": "count"},
    "PROP_YES": {"type": "proportion", "column": "flag", "values": ["yes"], "scale": "percent"},
}
DISCLOSURE = {"method": "cell_suppression", "threshold": THRESHOLD}


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str]]:
    """A random unit-record table: 1-2 coded characteristics and a yes/no/blank answer."""
    dims = [f"D{i}" for i in range(draw(st.integers(1, 2)))]
    n = draw(st.integers(1, 50))
    data: dict[str, Any] = {
        d: draw(st.lists(st.sampled_from(LEVELS), min_size=n, max_size=n)) for d in dims
    }
    data["flag"] = draw(
        st.lists(st.none() | st.sampled_from(["yes", "no"]), min_size=n, max_size=n)
    )
    return pd.DataFrame(data), dims


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)


def _structure(dims: list[str]) -> dict[str, Any]:
    """The target structure: SERIES first (codes of the indicators), then the dimensions."""
    coded = {"SERIES": list(INDICATORS), **{d: list(LEVELS) for d in dims}}
    return target_structure(coded, value_type=ValueType.DECIMAL).model_dump()


def _multi_spec(dims: list[str], **extra: Any) -> AggregationSpec:
    return AggregationSpec.model_validate(
        {
            "structure": _structure(dims),
            "dimensions": {d: {"from": d} for d in dims},
            "indicators": {"dimension": "SERIES", "measures": INDICATORS},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": DISCLOSURE,
            **extra,
        }
    )


def _expected(frame: pd.DataFrame, dims: list[str]) -> dict[tuple[str, ...], tuple[int, Any]]:
    """Per cell (totals included): the row count and the percentage of ``yes`` among the
    answered rows (None when nobody answered), by pandas group-bys."""
    out: dict[tuple[str, ...], tuple[int, Any]] = {}
    for r in range(len(dims) + 1):
        for subset in itertools.combinations(dims, r):
            rest = [d for d in dims if d not in subset]
            groups = frame.groupby(rest) if rest else [((), frame)]
            for key, g in groups:
                key = key if isinstance(key, tuple) else (key,)
                cell = dict(zip(rest, key, strict=True))
                answered = g["flag"].notna().sum()
                share = 100 * (g["flag"] == "yes").sum() / answered if answered else None
                out[tuple(cell.get(d, "_T") for d in dims)] = (len(g), share)
    return out


def _by_indicator(result_rows: list[dict[str, Any]], dims: list[str]) -> dict[str, Any]:
    out: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {code: {} for code in INDICATORS}
    for r in result_rows:
        out[r["SERIES"]][tuple(r[d] for d in dims)] = r
    return out


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_count_and_proportion_equal_pandas_and_share_the_suppression(
    case: tuple[pd.DataFrame, list[str]],
) -> None:
    frame, dims = case
    result = aggregate(unit_records(_arrow(frame)), _multi_spec(dims))
    got = _by_indicator(rows(result.dataset), dims)
    expected = _expected(frame, dims)
    assert set(got["COUNT_YES"]) == set(got["PROP_YES"]) == set(expected)
    assert result.dataset.observations.table.num_rows == 2 * len(expected)
    for cell, (n, share) in expected.items():
        count, prop = got["COUNT_YES"][cell], got["PROP_YES"][cell]
        # one decision per cell: same suppression statuses, same published sample size
        for attribute in ("CONF_STATUS", "SAMPLE_SIZE"):
            assert count[attribute] == prop[attribute], (cell, attribute)
        assert (count["OBS_STATUS"] == "Q") == (prop["OBS_STATUS"] == "Q"), cell
        if 0 < n < THRESHOLD:
            assert count["CONF_STATUS"] == "C", cell
        if count["OBS_STATUS"] == "Q":
            assert count["OBS_VALUE"] is None and prop["OBS_VALUE"] is None, cell
            assert count["SAMPLE_SIZE"] is None, cell
            continue
        assert count["OBS_STATUS"] == "A" and count["CONF_STATUS"] == "F", cell
        assert count["OBS_VALUE"] == n and count["SAMPLE_SIZE"] == n, cell
        if share is None:  # nobody answered: no value, status "missing"
            assert prop["OBS_VALUE"] is None and prop["OBS_STATUS"] == "O", cell
        else:
            assert prop["OBS_VALUE"] == pytest.approx(share, rel=1e-12), cell
            assert prop["OBS_STATUS"] == "A", cell
    # the count series is exactly what the single-measure count spec publishes
    single = AggregationSpec.model_validate(
        {
            "structure": target_structure({d: list(LEVELS) for d in dims}).model_dump(),
            "dimensions": {d: {"from": d} for d in dims},
            "measure": {"type": "count"},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": DISCLOSURE,
        }
    )
    alone = {
        tuple(r[d] for d in dims): r
        for r in rows(aggregate(unit_records(_arrow(frame)), single).dataset)
    }
    assert {k: {**v, "SERIES": "COUNT_YES"} for k, v in alone.items()} == got["COUNT_YES"]
    assert result.report.cells == len(expected)
    assert result.report.primary_suppressed == sum(
        1 for n, _ in expected.values() if 0 < n < THRESHOLD
    )


def _satisfaction() -> pa.Table:
    """Ten respondents in two districts: K has 8, of whom 2 left the question blank; L has 2."""
    return pa.table(
        {
            "district": ["K"] * 8 + ["L"] * 2,
            "satisfied": ["1", "1", "1", "0", "0", "1", None, " ", "1", "0"],
        }
    )


def _satisfaction_spec(measures: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    structure = target_structure({"SERIES": ["N", "PCT"], "AREA": ["K", "L"]})
    return {
        "structure": structure.model_dump(mode="json", exclude_defaults=True),
        "dimensions": {"AREA": {"from": "district"}},
        "indicators": {
            "dimension": "SERIES",
            "measures": measures
            or {
                "N": {"type": "count"},
                "PCT": {"type": "proportion", "column": "satisfied", "values": [1], "decimals": 1},
            },
        },
        "contributor_count": "SAMPLE_SIZE",
        **extra,
    }


def test_a_suppressed_count_suppresses_its_proportion() -> None:
    spec = AggregationSpec.model_validate(
        _satisfaction_spec(disclosure={"method": "cell_suppression", "threshold": 3})
    )
    result = aggregate(unit_records(_satisfaction()), spec)
    got = [
        (
            r["SERIES"],
            r["AREA"],
            r["OBS_VALUE"],
            r["OBS_STATUS"],
            r["CONF_STATUS"],
            r["SAMPLE_SIZE"],
        )
        for r in rows(result.dataset)
    ]
    # L (2 respondents) is suppressed; K is then the only other child of the total, so it
    # is suppressed too (secondary); the total is published. Same for both series.
    assert got == [
        ("N", "K", None, "Q", "C", None),
        ("N", "L", None, "Q", "C", None),
        ("N", "_T", 10.0, "A", "F", 10),
        ("PCT", "K", None, "Q", "C", None),
        ("PCT", "L", None, "Q", "C", None),
        ("PCT", "_T", 62.5, "A", "F", 10),
    ]
    report = result.report
    assert (report.cells, report.published, report.primary_suppressed) == (3, 2, 1)
    assert report.secondary_suppressed == 1
    assert report.null_values == {"satisfied": 2}
    activity = next(
        a for a in result.dataset.provenance.activities if a.type is ActivityType.AGGREGATION
    )
    assert activity.parameters["measure"] == "count, proportion"
    assert activity.parameters["indicators"] == "N,PCT"
    assert activity.rows_out == 6


def test_without_disclosure_each_indicator_has_its_own_missing_values() -> None:
    table = _satisfaction().append_column("other", pa.array([None] * 8 + [1.0, 3.0]))
    spec = AggregationSpec.model_validate(
        _satisfaction_spec({"N": {"type": "count"}, "PCT": {"type": "mean", "column": "other"}})
    )
    got = {
        (r["SERIES"], r["AREA"]): (r["OBS_VALUE"], r["OBS_STATUS"])
        for r in rows(aggregate(unit_records(table), spec).dataset)
    }
    assert got == {
        ("N", "K"): (8.0, "A"),
        ("N", "L"): (2.0, "A"),
        ("N", "_T"): (10.0, "A"),
        ("PCT", "K"): (None, "O"),
        ("PCT", "L"): (2.0, "A"),
        ("PCT", "_T"): (2.0, "A"),
    }


def test_single_measure_specs_give_the_same_result_as_before() -> None:
    """The expectations of test_aggregate.test_distinct_contributors_and_value_maps, with
    ``measure`` and with a one-indicator ``indicators``."""
    table = pa.table(
        {
            "sex": ["female", "male", "female", "female", "male"],
            "who": ["p1", "p1", "p2", "p2", "p3"],
        }
    )
    common = {
        "dimensions": {"SEX": {"from": "sex", "map": {"female": "F", "male": "M"}}},
        "contributors": "who",
        "contributor_count": "SAMPLE_SIZE",
    }
    single = AggregationSpec.model_validate(
        {
            "structure": target_structure(
                {"SEX": ["F", "M"]}, value_type=ValueType.INTEGER
            ).model_dump(),
            "measure": {"type": "count"},
            **common,
        }
    )
    result = aggregate(unit_records(table), single)
    got = {r["SEX"]: (r["OBS_VALUE"], r["SAMPLE_SIZE"]) for r in rows(result.dataset)}
    assert got == {"F": (3, 2), "M": (2, 2), "_T": (5, 3)}
    assert result.dataset.observations.table.column_names == [
        "SEX",
        "OBS_VALUE",
        "OBS_STATUS",
        "CONF_STATUS",
        "SAMPLE_SIZE",
    ]
    one = AggregationSpec.model_validate(
        {
            "structure": target_structure(
                {"SERIES": ["N"], "SEX": ["F", "M"]}, value_type=ValueType.INTEGER
            ).model_dump(),
            "indicators": {"dimension": "SERIES", "measures": {"N": {"type": "count"}}},
            **common,
        }
    )
    got_one = {
        (r["SERIES"], r["SEX"]): (r["OBS_VALUE"], r["SAMPLE_SIZE"])
        for r in rows(aggregate(unit_records(table), one).dataset)
    }
    assert got_one == {("N", "F"): (3, 2), ("N", "M"): (2, 2), ("N", "_T"): (5, 3)}


def _problems(spec: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(yaml.safe_dump(spec, sort_keys=False), AggregationSpec)
    return {issue.location: issue.message for issue in info.value.issues}


def test_an_unknown_indicator_code_is_located() -> None:
    measures = {"N": {"type": "count"}, "PCNT": {"type": "count"}}
    problems = _problems(_satisfaction_spec(measures))
    message = problems["indicators.measures.PCNT"]
    assert "'PCNT' is not a code of CL_SERIES" in message and "PCT" in message
    assert "(line " in message


def test_an_indicator_dimension_fed_from_a_column_is_located() -> None:
    spec = _satisfaction_spec()
    spec["dimensions"]["SERIES"] = {"from": "district"}
    spec["totals"] = ["AREA", "SERIES"]
    problems = _problems(spec)
    assert "is the indicator dimension" in problems["dimensions.SERIES"]
    assert "(line " in problems["dimensions.SERIES"]
    assert "has no total" in problems["totals"]


def test_an_indicator_dimension_the_structure_lacks_is_located() -> None:
    spec = _satisfaction_spec()
    spec["indicators"]["dimension"] = "UNIT"
    problems = _problems(spec)
    assert "not a dimension of the structure" in problems["indicators.dimension"]
    assert "SERIES" in problems["indicators.dimension"]


def test_measure_and_indicators_are_exclusive() -> None:
    spec = _satisfaction_spec(measure={"type": "count"})
    assert "not both" in _problems(spec)["measure"]
    del spec["measure"], spec["indicators"]
    assert "not both" in _problems(spec)["measure"]


def test_a_missing_column_names_its_indicator() -> None:
    spec = AggregationSpec.model_validate(
        _satisfaction_spec({"N": {"type": "count"}, "PCT": {"type": "mean", "column": "nope"}})
    )
    with pytest.raises(InvalidDatasetError) as info:
        aggregate(unit_records(_satisfaction()), spec)
    assert [i.location for i in info.value.issues] == ["indicators.measures.PCT.nope"]
