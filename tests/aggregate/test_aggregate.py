"""cdinterop.aggregate: values against an independent pandas recomputation, totals,
the spec's checks, provenance and the disclosure record."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cdinterop.aggregate import AggregationSpec, aggregate
from cdinterop.errors import InvalidDatasetError, issues_from_pydantic
from cdinterop.model import ActivityType, DisclosureMethod, ValueType

from .helpers import rows, target_structure, unit_records

LEVELS = ("a", "b", "c", "d")


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """A random unit-record table with 1-3 coded characteristics and numeric columns."""
    ndims = draw(st.integers(1, 3))
    dims = {f"D{i}": list(LEVELS[: draw(st.integers(1, 4))]) for i in range(ndims)}
    n = draw(st.integers(1, 60))
    data: dict[str, Any] = {
        d: draw(st.lists(st.sampled_from(levels), min_size=n, max_size=n))
        for d, levels in dims.items()
    }
    data["x"] = draw(st.lists(st.none() | st.integers(-5, 50), min_size=n, max_size=n))
    data["y"] = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    data["flag"] = draw(
        st.lists(st.none() | st.sampled_from(["yes", "no"]), min_size=n, max_size=n)
    )
    data["w"] = draw(st.lists(st.floats(0.5, 3.0), min_size=n, max_size=n))
    data["who"] = draw(
        st.lists(st.sampled_from(["p1", "p2", "p3", "p4", "p5"]), min_size=n, max_size=n)
    )
    frame = pd.DataFrame(data)
    frame["x"] = frame["x"].astype("Int64")
    return frame, dims


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)


def _spec(dims: dict[str, list[str]], measure: dict[str, Any], **extra: Any) -> AggregationSpec:
    value_type = (
        ValueType.INTEGER
        if measure["type"] in ("count", "sum") and "weight" not in extra
        else ValueType.DECIMAL
    )
    return AggregationSpec.model_validate(
        {
            "structure": target_structure(dims, value_type=value_type).model_dump(),
            "dimensions": {d: {"from": d} for d in dims},
            "measure": measure,
            "contributor_count": "SAMPLE_SIZE",
            **extra,
        }
    )


def _expected(
    frame: pd.DataFrame, dims: list[str], measure: dict[str, Any], weight: bool
) -> dict[tuple[str, ...], float | None]:
    """Every cell's value, recomputed with pandas group-bys (one per subset of totals)."""
    f = frame.copy()
    f["_w"] = f["w"] if weight else 1.0
    kind = measure["type"]
    f["_xw"] = f["x"].astype("float64") * f["_w"]
    f["_wx"] = f["_w"].where(f["x"].notna())
    f["_yes"] = (f["flag"] == "yes").astype(float) * f["_w"]
    f["_yes"] = f["_yes"].where(f["flag"].notna())
    f["_den"] = f["_w"].where(f["flag"].notna())
    f["_yw"] = f["y"] * f["_w"]
    out: dict[tuple[str, ...], float | None] = {}
    for r in range(len(dims) + 1):
        for subset in itertools.combinations(dims, r):
            rest = [d for d in dims if d not in subset]
            groups = f.groupby(rest) if rest else [((), f)]
            for key, g in groups:
                key = key if isinstance(key, tuple) else (key,)
                cell = dict(zip(rest, key, strict=True))
                full = tuple(cell.get(d, "_T") for d in dims)
                if kind == "count":
                    v = g["_w"].sum()
                elif kind == "sum":
                    v = g["_xw"].sum(min_count=1)
                elif kind == "mean":
                    v = g["_xw"].sum(min_count=1) / g["_wx"].sum(min_count=1)
                elif kind == "ratio":
                    v = g["_xw"].sum(min_count=1) / g["_yw"].sum(min_count=1)
                else:
                    v = 100 * g["_yes"].sum(min_count=1) / g["_den"].sum(min_count=1)
                out[full] = None if v is None or not math.isfinite(float(v)) else float(v)
    return out


MEASURES = [
    {"type": "count"},
    {"type": "sum", "column": "x"},
    {"type": "mean", "column": "x"},
    {"type": "ratio", "numerator": "x", "denominator": "y"},
    {"type": "proportion", "column": "flag", "values": ["yes"]},
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from(MEASURES), st.booleans())
def test_values_equal_a_pandas_recomputation(
    case: tuple[pd.DataFrame, dict[str, list[str]]], measure: dict[str, Any], weighted: bool
) -> None:
    frame, dims = case
    extra = {"weight": "w"} if weighted else {}
    result = aggregate(unit_records(_arrow(frame)), _spec(dims, measure, **extra))
    expected = _expected(frame, list(dims), measure, weighted)
    got = {tuple(r[d] for d in dims): r["OBS_VALUE"] for r in rows(result.dataset)}
    assert set(got) == set(expected)
    for key, value in expected.items():
        if value is None:
            assert got[key] is None, key
        else:
            assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
    statuses = {tuple(r[d] for d in dims): r["OBS_STATUS"] for r in rows(result.dataset)}
    assert all((statuses[k] == "O") == (v is None) for k, v in expected.items())


@settings(max_examples=40, deadline=None)
@given(tables())
def test_totals_are_sums_of_their_children(case: tuple[pd.DataFrame, dict[str, list[str]]]) -> None:
    frame, dims = case
    for measure in ({"type": "count"}, {"type": "sum", "column": "y"}):
        result = aggregate(unit_records(_arrow(frame)), _spec(dims, measure))
        cells = {tuple(r[d] for d in dims): r for r in rows(result.dataset)}
        names = list(dims)
        for key, row in cells.items():
            for j in range(len(names)):
                if key[j] != "_T":
                    continue
                children = [
                    c
                    for k, c in cells.items()
                    if k[j] != "_T" and all(k[i] == key[i] for i in range(len(names)) if i != j)
                ]
                assert row["OBS_VALUE"] == sum(c["OBS_VALUE"] for c in children)
                assert row["SAMPLE_SIZE"] == sum(c["SAMPLE_SIZE"] for c in children)


def test_distinct_contributors_and_value_maps() -> None:
    table = pa.table(
        {
            "sex": ["female", "male", "female", "female", "male"],
            "who": ["p1", "p1", "p2", "p2", "p3"],
        }
    )
    spec = AggregationSpec.model_validate(
        {
            "structure": target_structure(
                {"SEX": ["F", "M"]}, value_type=ValueType.INTEGER
            ).model_dump(),
            "dimensions": {"SEX": {"from": "sex", "map": {"female": "F", "male": "M"}}},
            "measure": {"type": "count"},
            "contributors": "who",
            "contributor_count": "SAMPLE_SIZE",
        }
    )
    got = {
        r["SEX"]: (r["OBS_VALUE"], r["SAMPLE_SIZE"])
        for r in rows(aggregate(unit_records(table), spec).dataset)
    }
    assert got == {"F": (3, 2), "M": (2, 2), "_T": (5, 3)}


def test_periods_fixed_values_and_nested_dimensions() -> None:
    table = pa.table(
        {
            "region": ["R1", "R1", "R2", "R2"],
            "beach": ["B1", "B2", "B3", "B3"],
            "month": ["2024-01", "2024-05", "2024-11", "2023-12"],
            "n": [1, 2, 3, 4],
        }
    )
    structure = target_structure(
        {"FREQ": ["A"], "REGION": ["R1", "R2"], "BEACH": ["B1", "B2", "B3"]},
        value_type=ValueType.INTEGER,
        time=True,
        statuses=False,
        sample_size=False,
    )
    spec = AggregationSpec.model_validate(
        {
            "structure": structure.model_dump(),
            "dimensions": {
                "FREQ": {"value": "A"},
                "REGION": {"from": "region"},
                "BEACH": {"from": "beach"},
                "TIME_PERIOD": {"from": "month", "period": "A"},
            },
            "nested": {"BEACH": "REGION"},
            "measure": {"type": "sum", "column": "n"},
        }
    )
    got = {
        (r["REGION"], r["BEACH"], r["TIME_PERIOD"]): r["OBS_VALUE"]
        for r in rows(aggregate(unit_records(table), spec).dataset)
    }
    assert got == {
        ("R1", "B1", "2024"): 1,
        ("R1", "B2", "2024"): 2,
        ("R1", "_T", "2024"): 3,
        ("R2", "B3", "2024"): 3,
        ("R2", "_T", "2024"): 3,
        ("_T", "_T", "2024"): 6,
        ("R2", "B3", "2023"): 4,
        ("R2", "_T", "2023"): 4,
        ("_T", "_T", "2023"): 4,
    }
    assert all(r["FREQ"] == "A" for r in rows(aggregate(unit_records(table), spec).dataset))


def test_provenance_and_disclosure_record() -> None:
    table = pa.table({"sex": ["F"] * 3 + ["M"] * 12})
    spec = AggregationSpec.model_validate(
        {
            "structure": target_structure(
                {"SEX": ["F", "M"]}, value_type=ValueType.INTEGER
            ).model_dump(),
            "dimensions": {"SEX": {"from": "sex"}},
            "measure": {"type": "count"},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": {"method": "cell_suppression", "threshold": 5},
        }
    )
    result = aggregate(unit_records(table), spec)
    ds = result.dataset
    got = {
        r["SEX"]: (r["OBS_VALUE"], r["OBS_STATUS"], r["CONF_STATUS"], r["SAMPLE_SIZE"])
        for r in rows(ds)
    }
    # F (3 < 5) is primary; M is the only other child of the total: secondary, with the
    # same public code (a different one would tell the small group from the large)
    assert got == {
        "F": (None, "Q", "C", None),
        "M": (None, "Q", "C", None),
        "_T": (15, "A", "F", 15),
    }
    assert ds.disclosure is not None
    assert ds.disclosure.method is DisclosureMethod.CELL_SUPPRESSION
    assert (ds.disclosure.threshold, ds.disclosure.cells_suppressed) == (5, 1)
    assert ds.disclosure.secondary_suppression and ds.disclosure.secondary_cells_suppressed == 1
    record = ds.disclosure
    assert (record.totals, record.contributor_count) == ({"SEX": "_T"}, "SAMPLE_SIZE")
    assert record.protection is not None and (record.protection.upper, record.protection.lower) == (
        0.5,
        0.5,
    )
    assert (record.secondary_method, record.solver_status) == ("optimal", "optimal")
    assert record.audit is not None
    assert (record.audit.cells, record.audit.exact, record.audit.inside_protection) == (2, 0, 0)
    assert [r.rule for r in record.rules] == ["threshold"] and record.rules[0].cells == 1
    types = [a.type for a in ds.provenance.activities]
    assert types[-2:] == [ActivityType.AGGREGATION, ActivityType.DISCLOSURE_CONTROL]
    agg, sdc = ds.provenance.activities[-2:]
    assert (agg.rows_in, agg.rows_out) == (15, 3)
    assert sdc.parameters["cells_suppressed"] == 1 and sdc.parameters["threshold"] == 5
    assert ds.provenance.agent("CDINTEROP").kind.value == "software"
    report = result.report
    assert (
        report.cells,
        report.published,
        report.primary_suppressed,
        report.secondary_suppressed,
    ) == (3, 1, 1, 1)


def test_unit_record_problems_are_reported_together() -> None:
    table = pa.table({"sex": ["F", None, "X", "X"]})
    spec = AggregationSpec.model_validate(
        {
            "structure": target_structure(
                {"SEX": ["F", "M"]}, value_type=ValueType.INTEGER
            ).model_dump(),
            "dimensions": {"SEX": {"from": "sex", "map": {"F": "F", "M": "M"}}},
            "measure": {"type": "sum", "column": "missing"},
        }
    )
    with pytest.raises(InvalidDatasetError) as info:
        aggregate(unit_records(table), spec)
    codes = sorted(i.code for i in info.value.issues)
    assert codes == ["missing-code", "unknown-column", "unmapped-value"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dimensions": {"A": {"from": "a"}}}, "dimensions.B: a rule is needed"),
        ({"totals": ["A", "Z"]}, "totals: 'Z' is not a dimension"),
        (
            {"dimensions": {"A": {"from": "a", "total": "ALL"}, "B": {"from": "b"}}},
            "'ALL' is not a code",
        ),
        (
            {"dimensions": {"A": {"from": "a", "map": {"x": "nope"}}, "B": {"from": "b"}}},
            "'nope' is not a code",
        ),
        ({"disclosure": {"method": "cell_suppression"}}, "needs a threshold"),
        ({"attributes": {"OBS_STATUS": "A"}}, "not a data-set-level attribute"),
        ({"contributor_count": "OBS_STATUS"}, "must be an integer attribute"),
        ({"measure": {"type": "median", "column": "x"}}, "does not match any of the expected tags"),
    ],
)
def test_spec_checks(change: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {
        "structure": target_structure({"A": ["x"], "B": ["y"]}).model_dump(),
        "dimensions": {"A": {"from": "a"}, "B": {"from": "b"}},
        "measure": {"type": "count"},
    }
    with pytest.raises(ValidationError, match=message):
        AggregationSpec.model_validate({**base, **change})


def test_more_than_six_totalled_dimensions_are_refused() -> None:
    dims = {f"D{i}": ["x"] for i in range(7)}
    with pytest.raises(ValidationError, match="at most 6 may be totalled"):
        AggregationSpec.model_validate(
            {
                "structure": target_structure(dims).model_dump(),
                "dimensions": {d: {"from": d} for d in dims},
                "measure": {"type": "count"},
            }
        )


def test_spec_loads_from_yaml_with_located_errors() -> None:
    from cdinterop.mapping._loading import loads_spec

    structure = target_structure({"SEX": ["F", "M"]}).model_dump(mode="json", exclude_defaults=True)
    import yaml

    text = yaml.safe_dump(
        {
            "structure": structure,
            "dimensions": {"SEX": {"from": "sex"}},
            "measure": {"type": "proportion", "column": "ok", "values": [1], "scale": "share"},
            "disclosure": {"method": "cell_suppression", "threshold": 10},
        }
    )
    spec = loads_spec(text, AggregationSpec)
    assert spec.disclosure.threshold == 10
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(text.replace("threshold: 10", "threshold: 0"), AggregationSpec)
    assert "disclosure.threshold" in str(info.value)


def test_unpivot_stacks_value_columns() -> None:
    import pyarrow as pa

    from cdinterop.aggregate import Unpivot, unpivot

    table = pa.table({"BEACH": ["A", "B"], "BOTTLE": [1, 2], "BAG": [3, None]})
    long = unpivot(
        table, Unpivot(columns={"BOTTLE": "BOTTLE", "BAG": "BAG"}, code="TYPE", value="N")
    )
    assert long.to_pylist() == [
        {"BEACH": "A", "TYPE": "BOTTLE", "N": 1},
        {"BEACH": "B", "TYPE": "BOTTLE", "N": 2},
        {"BEACH": "A", "TYPE": "BAG", "N": 3},
        {"BEACH": "B", "TYPE": "BAG", "N": None},
    ]


def test_a_data_set_attribute_outside_its_codelist_is_refused_with_the_spec() -> None:
    """Issue 16: a data-set attribute value the codelist lacks is refused when the spec
    loads, located, with the closest code and the codes there are."""
    from cdinterop.codes import UNIT_MULT
    from cdinterop.model import AttachmentLevel, Attribute, Concept

    structure = target_structure({"A": ["x", "y"]})
    structure = structure.model_copy(
        update={
            "concepts": (*structure.concepts, Concept(id="UNIT_MULT", name={"en": "Unit mult"})),
            "codelists": (*structure.codelists, UNIT_MULT),
            "attributes": (
                *structure.attributes,
                Attribute(
                    id="UNIT_MULT",
                    codelist=UNIT_MULT.id,
                    attachment=AttachmentLevel.DATASET,
                ),
            ),
        }
    )
    with pytest.raises(ValidationError) as info:
        AggregationSpec.model_validate(
            {
                "structure": structure.model_dump(),
                "dimensions": {"A": {"from": "A"}},
                "measure": {"type": "count"},
                "attributes": {"UNIT_MULT": "x"},
            }
        )
    (issue,) = issues_from_pydantic(info.value)
    assert issue.location == "attributes.UNIT_MULT"
    assert "'x' is not a code of CL_UNIT_MULT; the codes are: 0, 1, 2" in issue.message


def test_spec_problems_are_located_one_by_one() -> None:
    """Issue 15: several problems of an aggregation spec are separate located issues."""
    import yaml

    from cdinterop.mapping import loads_spec

    text = yaml.safe_dump(
        {
            "structure": target_structure({"A": ["x"], "B": ["y"]}).model_dump(
                mode="json", exclude_defaults=True
            ),
            "dimensions": {"A": {"from": "a"}},
            "measure": {"type": "count"},
            "totals": ["A", "Z"],
        }
    )
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(text, AggregationSpec)
    locations = {issue.location for issue in info.value.issues}
    assert {"totals", "dimensions.B"} <= locations, locations
