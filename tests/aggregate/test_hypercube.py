"""Hypercube secondary suppression: every cell it claims protected is protected.

The oracle is an attacker written here with ``scipy.optimize.linprog``: unknowns = the
suppressed cells, one equation per additive relation rebuilt from the key strings (a
total cell = the sum of the written cells that differ from it in one totalled key only;
absent cells are public zeros; no equation without a total cell or without children),
a-priori bounds ``x >= lb`` and no upper bound. For each sensitive cell that
`hypercube_pattern` does not report unprotected, the attacker's maximum must reach
``x + UPL`` and its minimum ``x - LPL`` (so no such cell is exact either).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from cdinterop.aggregate import AggregationSpec, aggregate
from cdinterop.aggregate import _hypercube as hypercube
from cdinterop.aggregate._hypercube import (
    CubeProblem,
    HypercubeResult,
    cube_codes,
    hypercube_pattern,
)
from cdinterop.model import ValueType

from .helpers import key_relations, rows, target_structure, unit_records

TOTAL = "_T"
Key = tuple[str, ...]


def _attack(
    relations: list[tuple[int, list[int]]],
    values: np.ndarray,
    lb: np.ndarray,
    hidden: np.ndarray,
    cells: Sequence[int],
    ub: np.ndarray | None = None,
) -> dict[int, tuple[float, float]]:
    """Smallest and largest value of each of ``cells`` the attacker can prove."""
    pos = {int(c): p for p, c in enumerate(np.nonzero(hidden)[0])}
    rows, rhs = [], []
    for total, children in relations:
        row = np.zeros(len(pos))
        b = 0.0
        for c, coef in [(total, 1.0)] + [(ch, -1.0) for ch in children]:
            if c in pos:
                row[pos[c]] += coef
            else:
                b -= coef * values[c]
        if row.any():
            rows.append(row)
            rhs.append(b)
        else:
            assert abs(b) < 1e-6  # a published relation balances
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    top = np.full(values.size, np.inf) if ub is None else ub
    bounds = [(float(lb[c]), None if np.isinf(top[c]) else float(top[c])) for c in pos]
    out = {}
    for c in cells:
        objective = np.zeros(len(pos))
        objective[pos[c]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert low.status == 0, low.message
        assert high.status in (0, 3), high.message
        out[c] = (float(low.fun), math.inf if high.status == 3 else float(-high.fun))
    return out


def _levels(
    values: np.ndarray, sensitive: np.ndarray, k: int, share: float, lb: float
) -> CubeProblem:
    """UPL = ceil(share k), LPL = min(UPL, x - lb) on the sensitive cells."""
    level = max(1, math.ceil(share * k))
    upl = np.where(sensitive, level, 0).astype(float)
    lpl = np.where(sensitive, np.minimum(level, values - lb), 0).astype(float)
    return CubeProblem(values.astype(float), sensitive, upl, lpl, np.full(values.size, lb))


def _check(
    keys: Sequence[Key],
    totalled: Sequence[int],
    problems: Sequence[CubeProblem],
    result: HypercubeResult,
) -> int:
    """Assert every claimed cell protected against the attacker; returns how many."""
    relations = key_relations(keys, totalled)
    claimed = 0
    for problem in problems:
        assert np.all(result.pattern[problem.sensitive])
        cells = np.nonzero(problem.sensitive & ~result.unprotected)[0].tolist()
        found = _attack(relations, problem.values, problem.lb, result.pattern, cells, problem.ub)
        for c, (low, high) in found.items():
            x = problem.values[c]
            tol = 1e-6 * max(1.0, abs(x))
            if problem.upl[c] > 0:
                assert high >= x + problem.upl[c] - tol, (keys[c], x, low, high)
            if problem.lpl[c] > 0:
                assert low <= x - problem.lpl[c] + tol, (keys[c], x, low, high)
            assert high - low > tol or (problem.upl[c] <= 0 and problem.lpl[c] <= 0)
        claimed += len(cells)
    return claimed


def _cells_table(keys: Sequence[Key], names: Sequence[str]) -> pa.Table:
    return pa.table({name: [k[j] for k in keys] for j, name in enumerate(names)})


def _run(
    keys: Sequence[Key],
    names: Sequence[str],
    totalled: Sequence[str],
    problems: Sequence[CubeProblem],
    **options: object,
) -> HypercubeResult:
    codes, table_id = cube_codes(
        _cells_table(keys, names), list(names), dict.fromkeys(totalled, TOTAL)
    )
    n = len(keys)
    sensitive = np.zeros(n, dtype=bool)
    for problem in problems:
        sensitive |= problem.sensitive
    return hypercube_pattern(
        codes,
        table_id,
        problems,
        sensitive,
        np.ones(n),
        **options,  # type: ignore[arg-type]
    )


def _cube(
    frame: pd.DataFrame, dims: Sequence[str], plain: Sequence[str] = ()
) -> tuple[list[Key], np.ndarray, np.ndarray]:
    """Every grouping of ``dims`` (totals ``_T``) within each combination of ``plain``
    columns: key tuples (plain then dims), record counts and sums of ``value``."""
    keys: list[Key] = []
    counts: list[int] = []
    sums: list[float] = []
    for r in range(len(dims) + 1):
        for kept in itertools.combinations(dims, r):
            by = [*plain, *kept]
            groups = frame.groupby(by, sort=True) if by else [((), frame)]
            for label, part in groups:
                label = label if isinstance(label, tuple) else (label,)
                given = dict(zip(by, label, strict=True))
                keys.append(tuple(str(given.get(c, TOTAL)) for c in [*plain, *dims]))
                counts.append(len(part))
                sums.append(float(part["value"].sum()))
    return keys, np.array(counts), np.array(sums)


def test_a_two_way_table_gets_the_four_cell_cube() -> None:
    # rows a, b, c x columns x, y, z; (a, x) = 2 is small, everything else large
    counts = {(r, c): 20 for r in "abc" for c in "xyz"}
    counts[("a", "x")] = 2
    frame = pd.DataFrame(
        [{"R": r, "C": c, "value": 1.0} for (r, c), n in counts.items() for _ in range(n)]
    )
    keys, x, _ = _cube(frame, ["R", "C"])
    sensitive = (x > 0) & (x < 5)
    problem = _levels(x, sensitive, 5, 0.5, 1.0)
    result = _run(keys, ["R", "C"], ["R", "C"], [problem])
    assert result.unprotectable == 0 and result.cubes == 1
    assert int(result.pattern.sum()) == 4  # the cell, one sibling in its row and column
    assert all(TOTAL not in k for k, s in zip(keys, result.pattern, strict=True) if s)
    assert _check(keys, [0, 1], [problem], result) == 1


def test_independent_tables_keep_their_corners_apart() -> None:
    rng = np.random.default_rng(3)
    rows = [
        {"TIME": t, "R": r, "C": c, "value": 1.0}
        for t in ("2023", "2024")
        for r in "abc"
        for c in "xy"
        for _ in range(int(rng.integers(1, 12)))
    ]
    keys, x, _ = _cube(pd.DataFrame(rows), ["R", "C"], ["TIME"])
    sensitive = (x > 0) & (x < 6)
    problem = _levels(x, sensitive, 6, 0.5, 1.0)
    result = _run(keys, ["TIME", "R", "C"], ["R", "C"], [problem])
    assert _check(keys, [1, 2], [problem], result) == sensitive.sum() - result.unprotectable
    for year in ("2023", "2024"):  # each year alone is protected by its own cells
        inside = np.array([k[0] == year for k in keys])
        assert result.pattern[inside & sensitive].all()


def test_a_cell_that_cannot_be_protected_is_reported() -> None:
    # a total of 2 over two cells of 1: nothing can move it below 2 (x >= 1 each)
    keys: list[Key] = [("a",), ("b",), (TOTAL,)]
    x = np.array([1.0, 1.0, 2.0])
    problem = _levels(x, np.array([False, False, True]), 4, 0.5, 1.0)
    result = _run(keys, ["R"], ["R"], [problem])
    assert result.unprotected.tolist() == [False, False, True]
    assert result.unprotectable == 1
    low, _ = _attack(key_relations(keys, [0]), x, problem.lb, result.pattern, [2])[2]
    assert low > x[2] - problem.lpl[2]  # the attacker agrees: not protected downwards


def test_a_total_over_small_children_is_protected_by_a_combination() -> None:
    # the total of R (within column x) is 6 = 2 + 2 + 2: no single child can go down by 3
    # (x >= 1), two together can; a single cube cannot, a combination of cubes can
    counts = {("a", "x"): 2, ("b", "x"): 2, ("c", "x"): 2}
    counts |= {(r, c): 30 for r in "abc" for c in "yz"}
    frame = pd.DataFrame(
        [{"R": r, "C": c, "value": 1.0} for (r, c), n in counts.items() for _ in range(n)]
    )
    keys, x, _ = _cube(frame, ["R", "C"])
    sensitive = np.array([k == (TOTAL, "x") for k in keys])
    problem = _levels(x, sensitive, 6, 0.5, 1.0)
    single = _run(keys, ["R", "C"], ["R", "C"], [problem], combine=False)
    assert single.unprotectable == 1
    mixed = _run(keys, ["R", "C"], ["R", "C"], [problem])
    assert mixed.unprotectable == 0 and mixed.combined == 1
    assert _check(keys, [0, 1], [problem], mixed) == 1


def test_nested_dimensions_use_cubes_inside_the_parent() -> None:
    # DISTRICT nested in REGION: (REGION total, district) is never written; REGION stays
    # unextended for a district's cell, whose cubes run over districts of its region
    regions = {"R1": ["D1", "D2", "D3"], "R2": ["D4", "D5"]}
    rng = np.random.default_rng(5)
    rows = [
        {"REGION": r, "DISTRICT": d, "SEX": s, "value": 1.0}
        for r, districts in regions.items()
        for d in districts
        for s in "FM"
        for _ in range(int(rng.integers(1, 8)))
    ]
    keys, x, _ = _cube(pd.DataFrame(rows), ["REGION", "DISTRICT", "SEX"])
    keep = [i for i, k in enumerate(keys) if not (k[0] == TOTAL and k[1] != TOTAL)]
    keys = [keys[i] for i in keep]
    x = x[keep]
    sensitive = (x > 0) & (x < 5)
    problem = _levels(x, sensitive, 5, 0.5, 1.0)
    result = _run(keys, ["REGION", "DISTRICT", "SEX"], ["REGION", "DISTRICT", "SEX"], [problem])
    # a district total inside its region has no product cube (a documented limit)
    inner_total = np.array([k[0] != TOTAL and k[1] == TOTAL for k in keys])
    assert result.unprotected[inner_total & sensitive].all()
    assert (inner_total & sensitive).any()
    # cubes inside one region protect the finest cells that their siblings can balance
    assert _check(keys, [0, 1, 2], [problem], result) == 3


def test_cells_of_an_aggregation_are_protected() -> None:
    # the cells table as `aggregate` writes it (no disclosure control: the true counts)
    rng = np.random.default_rng(11)
    dims = {"A": ["a", "b", "c"], "B": ["x", "y", "z"], "C": ["p", "q"]}
    n = 160
    frame = pd.DataFrame(
        {
            d: rng.choice(
                levels,
                size=n,
                p=np.geomspace(1, 0.1, len(levels)) / np.geomspace(1, 0.1, len(levels)).sum(),
            )
            for d, levels in dims.items()
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    spec = AggregationSpec.model_validate(
        {
            "structure": target_structure(dims, value_type=ValueType.INTEGER).model_dump(),
            "dimensions": {d: {"from": d} for d in dims},
            "measure": {"type": "count"},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": {"method": "none"},
        }
    )
    cells = pa.Table.from_pylist(rows(aggregate(unit_records(table), spec).dataset))
    keys = list(dims)
    codes, table_id = cube_codes(cells, keys, dict.fromkeys(keys, TOTAL))
    assert codes.shape == (cells.num_rows, 3) and np.all(table_id == 0)
    x = np.asarray(cells.column("SAMPLE_SIZE").to_numpy(), dtype=float)
    sensitive = (x > 0) & (x < 8)
    assert sensitive.any()
    problem = _levels(x, sensitive, 8, 0.5, 1.0)
    result = hypercube_pattern(codes, table_id, [problem], sensitive, np.ones(x.size))
    key_rows = [tuple(r[k] for k in keys) for r in cells.select(keys).to_pylist()]
    claimed = _check(key_rows, [0, 1, 2], [problem], result)
    assert claimed == sensitive.sum() - result.unprotectable > 0


def test_candidates_cut_for_long_code_lists_still_protect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hypercube, "MAX_CORNERS", 32)  # 2^3 corners: 4 cubes per cell
    rng = np.random.default_rng(8)
    rows = [
        {"A": a, "B": b, "C": c, "value": 1.0}
        for a in "abcde"
        for b in "vwxyz"
        for c in "pqr"
        for _ in range(int(rng.integers(1, 9)))
    ]
    keys, x, _ = _cube(pd.DataFrame(rows), ["A", "B", "C"])
    sensitive = (x > 0) & (x < 4)
    problem = _levels(x, sensitive, 4, 0.5, 1.0)
    result = _run(keys, ["A", "B", "C"], ["A", "B", "C"], [problem])
    assert result.limited == sensitive.sum()
    assert _check(keys, [0, 1, 2], [problem], result) > 0


def test_huge_code_values_take_the_slow_lookup() -> None:
    # codes beyond a 62-bit mixed-radix key: cells are matched by sorting instead
    counts = {(r, c): 20 for r in "abc" for c in "xyz"}
    counts[("b", "y")] = 3
    frame = pd.DataFrame(
        [{"R": r, "C": c, "value": 1.0} for (r, c), n in counts.items() for _ in range(n)]
    )
    keys, x, _ = _cube(frame, ["R", "C"])
    cells = _cells_table(keys, ["R", "C"])
    codes, table_id = cube_codes(cells, ["R", "C"], dict.fromkeys("RC", TOTAL))
    sensitive = (x > 0) & (x < 5)
    problem = _levels(x, sensitive, 5, 0.5, 1.0)
    small = hypercube_pattern(codes, table_id, [problem], sensitive, np.ones(x.size))
    huge = hypercube_pattern(codes * (1 << 40), table_id, [problem], sensitive, np.ones(x.size))
    assert np.array_equal(small.pattern, huge.pattern) and huge.unprotectable == 0
    assert _check(keys, [0, 1], [problem], huge) == 1


def test_rejects_mismatched_inputs() -> None:
    problem = _levels(np.array([3.0, 5.0]), np.array([True, False]), 5, 0.5, 1.0)
    with pytest.raises(ValueError, match="same cells"):
        hypercube_pattern(
            np.zeros((2, 1), int), np.zeros(3, int), [problem], np.zeros(2, bool), np.ones(2)
        )
    with pytest.raises(ValueError, match="order"):
        hypercube_pattern(
            np.array([[1], [0]]),
            np.zeros(2, int),
            [problem],
            np.zeros(2, bool),
            np.ones(2),
            order="random",
        )


LEVELS = ("a", "b", "c", "d")


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Random unit records: 1-3 totalled dimensions, sometimes a plain one (time)."""
    ndims = draw(st.integers(1, 3))
    dims = {f"D{i}": list(LEVELS[: draw(st.integers(1, 4))]) for i in range(ndims)}
    plain = ["TIME"] if draw(st.booleans()) else []
    n = draw(st.integers(1, 90))
    data: dict[str, list[object]] = {
        d: draw(st.lists(st.sampled_from(levels[:1] * 4 + levels), min_size=n, max_size=n))
        for d, levels in dims.items()
    }
    if plain:
        data["TIME"] = draw(st.lists(st.sampled_from(["2023", "2024"]), min_size=n, max_size=n))
    data["value"] = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    return pd.DataFrame(data), list(dims), plain


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tables(),
    st.integers(2, 10),
    st.sampled_from([0.5, 0.01]),
    st.booleans(),
    st.sampled_from(["fewest", "table", "value"]),
    st.none() | st.integers(0, 8),
)
def test_every_claimed_cell_resists_the_attacker(
    case: tuple[pd.DataFrame, list[str], list[str]],
    k: int,
    share: float,
    magnitudes: bool,
    order: str,
    headroom: int | None,
) -> None:
    frame, dims, plain = case
    keys, counts, sums = _cube(frame, dims, plain)
    sensitive = (counts > 0) & (counts < k)
    problems = [_levels(counts, sensitive, k, share, 1.0)]
    if headroom is not None:  # the attacker also knows x <= true value + headroom
        problems = [replace(problems[0], ub=counts + float(headroom))]
    if magnitudes:  # the sums of the same cells, x >= 0, levels of 20 % of the value
        level = np.ceil(0.2 * sums)
        problems.append(
            CubeProblem(
                sums,
                sensitive & (sums > 0),
                np.where(sensitive, level, 0.0),
                np.where(sensitive, np.minimum(level, sums), 0.0),
                np.zeros(sums.size),
            )
        )
    names = [*plain, *dims]
    result = _run(keys, names, dims, problems, order=order)
    totalled = list(range(len(plain), len(names)))
    _check(keys, totalled, problems, result)
    assert result.unprotected.sum() <= sensitive.sum()
