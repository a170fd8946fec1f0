"""Disclosure control: no suppressed value can be derived from what is published.

The published table is read back and checked with code independent of the engine: the
additive relations are rebuilt from the published keys, and derivability is decided by
matrix rank (a suppressed cell is derivable iff adding its unit vector to the equations
in the suppressed cells does not raise their rank)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.aggregate import AggregationSpec, aggregate
from cdinterop.aggregate._disclosure import (
    additive_relations,
    derivable_cells,
    protect,
    secondary_suppression,
)
from cdinterop.model import ValueType

from .helpers import rows, target_structure, unit_records

LEVELS = ("a", "b", "c", "d", "e")


def _relations(cells: list[dict[str, Any]], dims: list[str]) -> list[tuple[int, list[int]]]:
    """(total cell, child cells) of every additive relation of a published table."""
    index = {tuple(c[d] for d in dims): i for i, c in enumerate(cells)}
    out = []
    for key, i in index.items():
        for j in range(len(dims)):
            if key[j] != "_T":
                continue
            children = [
                k_i
                for k, k_i in index.items()
                if k[j] != "_T" and all(k[m] == key[m] for m in range(len(dims)) if m != j)
            ]
            out.append((i, children))
    return out


def _derivable(cells: list[dict[str, Any]], dims: list[str]) -> list[int]:
    """Suppressed cells whose value follows from the published relations (by rank)."""
    hidden = [i for i, c in enumerate(cells) if c["OBS_VALUE"] is None]
    pos = {c: p for p, c in enumerate(hidden)}
    equations = []
    for total, children in _relations(cells, dims):
        row = np.zeros(len(hidden))
        for c, coef in [(total, 1.0)] + [(ch, -1.0) for ch in children]:
            if c in pos:
                row[pos[c]] = coef
        if row.any():
            equations.append(row)
    if not equations:
        return []
    a = np.array(equations)
    rank = np.linalg.matrix_rank(a)
    found = []
    for c, p in pos.items():
        unit = np.zeros(len(hidden))
        unit[p] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(c)
    return found


def _check_protected(cells: list[dict[str, Any]], dims: list[str], k: int) -> None:
    for c in cells:
        if 0 < c["SAMPLE_SIZE_TRUE"] < k:
            assert c["OBS_VALUE"] is None and c["CONF_STATUS"] == "C", c
        if c["OBS_VALUE"] is None:
            assert c["OBS_STATUS"] == "Q" and c["SAMPLE_SIZE"] is None
            assert c["CONF_STATUS"] in ("C", "D")
        else:
            assert c["OBS_STATUS"] == "A" and c["CONF_STATUS"] == "F"
            assert c["SAMPLE_SIZE_TRUE"] >= k
    for total, children in _relations(cells, dims):
        unknown = sum(cells[i]["OBS_VALUE"] is None for i in [total, *children])
        assert unknown != 1, (cells[total], [cells[i] for i in children])
    assert _derivable(cells, dims) == []


def _run(
    frame: pd.DataFrame, dims: dict[str, list[str]], k: int, **disclosure: Any
) -> list[dict[str, Any]]:
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    spec = AggregationSpec.model_validate(
        {
            "structure": target_structure(dims, value_type=ValueType.INTEGER).model_dump(),
            "dimensions": {d: {"from": d} for d in dims},
            "measure": {"type": "count"},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": {"method": "cell_suppression", "threshold": k, **disclosure},
        }
    )
    published = rows(aggregate(unit_records(table), spec).dataset)
    truth = rows(
        aggregate(
            unit_records(table),
            spec.model_copy(
                update={
                    "disclosure": spec.disclosure.model_copy(
                        update={"method": "none", "threshold": None}
                    )
                }
            ),
        ).dataset
    )
    sizes = {tuple(r[d] for d in dims): r["SAMPLE_SIZE"] for r in truth}
    for r in published:
        r["SAMPLE_SIZE_TRUE"] = sizes[tuple(r[d] for d in dims)]
    return published


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    ndims = draw(st.integers(1, 3))
    dims = {f"D{i}": list(LEVELS[: draw(st.integers(1, 5))]) for i in range(ndims)}
    n = draw(st.integers(1, 120))
    # skewed level probabilities make small cells common
    data = {
        d: draw(st.lists(st.sampled_from(levels[:1] * 4 + levels), min_size=n, max_size=n))
        for d, levels in dims.items()
    }
    return pd.DataFrame(data), dims


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(2, 12))
def test_no_suppressed_value_can_be_derived(
    case: tuple[pd.DataFrame, dict[str, list[str]]], k: int
) -> None:
    frame, dims = case
    _check_protected(_run(frame, dims, k), list(dims), k)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(2, 12))
def test_secondary_pass_alone_leaves_no_lone_unknown(
    case: tuple[pd.DataFrame, dict[str, list[str]]], k: int
) -> None:
    frame, dims = case
    cells = _run(frame, dims, k, audit=False)
    for total, children in _relations(cells, list(dims)):
        assert sum(cells[i]["OBS_VALUE"] is None for i in [total, *children]) != 1


def _grid(counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    return pd.DataFrame([{"R": r, "C": c} for (r, c), n in counts.items() for _ in range(n)])


def test_primary_only_leaks_and_secondary_protects() -> None:
    counts = {("a", "x"): 3, ("a", "y"): 20, ("b", "x"): 20, ("b", "y"): 20}
    dims = {"R": ["a", "b"], "C": ["x", "y"]}
    naive = _run(_grid(counts), dims, 5, secondary=False)
    by_key = {(r["R"], r["C"]): r for r in naive}
    assert by_key[("a", "x")]["OBS_VALUE"] is None
    # the leak: row total minus the published sibling gives the suppressed cell
    assert by_key[("a", "_T")]["OBS_VALUE"] - by_key[("a", "y")]["OBS_VALUE"] == 3
    assert _derivable(naive, ["R", "C"]) != []
    protected = _run(_grid(counts), dims, 5)
    _check_protected(protected, ["R", "C"], 5)
    hidden = {(r["R"], r["C"]) for r in protected if r["OBS_VALUE"] is None}
    assert hidden == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    assert all(r["OBS_VALUE"] is not None for r in protected if "_T" in (r["R"], r["C"]))


def _cells(keys: list[tuple[str, str]]) -> pa.Table:
    rows_ = sorted(set(keys))
    full = {("_T", "_T")} | {(r, "_T") for r, _ in rows_} | {("_T", c) for _, c in rows_}
    cells = sorted(set(rows_) | full)
    return pa.table({"R": [r for r, _ in cells], "C": [c for _, c in cells]})


def test_audit_finds_a_bridge_cell_that_no_single_relation_reveals() -> None:
    # two 2x2 blocks of suppressed cells joined by one cell (r1, c3): every row and column
    # has two or more unknowns, yet rows r1+r2 minus columns c1+c2 give (r1, c3) alone
    inner = [(f"r{i}", f"c{j}") for i in range(1, 5) for j in range(1, 5)]
    table = _cells(inner)
    keys = list(zip(table.column("R").to_pylist(), table.column("C").to_pylist(), strict=True))
    hidden = {
        ("r1", "c1"),
        ("r1", "c2"),
        ("r2", "c1"),
        ("r2", "c2"),
        ("r3", "c3"),
        ("r3", "c4"),
        ("r4", "c3"),
        ("r4", "c4"),
        ("r1", "c3"),
    }
    supp = np.array([k in hidden for k in keys])
    contributors = np.full(len(keys), 20)
    relations = additive_relations(table, ["R", "C"], {"R": "_T", "C": "_T"})
    assert np.array_equal(secondary_suppression(relations, supp, contributors), supp)
    found, complete = derivable_cells(relations, supp)
    assert complete and [keys[i] for i in found] == [("r1", "c3")]
    fixed, complete = protect(relations, supp, contributors)
    assert complete and derivable_cells(relations, fixed)[0].size == 0
    assert fixed.sum() > supp.sum()


@pytest.mark.parametrize("k", [1, 1000])
def test_threshold_extremes(k: int) -> None:
    frame = pd.DataFrame({"A": ["a", "a", "b"], "B": ["x", "y", "y"]})
    cells = _run(frame, {"A": ["a", "b"], "B": ["x", "y"]}, k)
    if k == 1:
        assert all(c["OBS_VALUE"] is not None for c in cells)
    else:
        assert all(c["OBS_VALUE"] is None and c["CONF_STATUS"] == "C" for c in cells)


def test_relation_ids_match_an_independent_count() -> None:
    dims = ["A", "B", "C"]
    levels = [["a", "b"], ["x", "y", "z"], ["p", "q"]]
    keys = list(itertools.product(*[[*lv, "_T"] for lv in levels]))
    table = pa.table({d: [k[i] for k in keys] for i, d in enumerate(dims)})
    relations = additive_relations(table, dims, dict.fromkeys(dims, "_T"))
    for j, rel in enumerate(relations.ids):
        totals = sum(1 for k in keys if k[j] == "_T")
        assert len(set(rel.tolist())) == totals
        assert relations.is_total[j].sum() == totals
