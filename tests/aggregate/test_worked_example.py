"""The worked example of docs/aggregate.md ("Disclosure control"), with its numbers.

The attacker is written here with scipy's linprog (HiGHS), independent of the project's
solver code: minimise and maximise each suppressed count of a 3 x 2 table with totals,
given the published cells, the relations and counts of at least 1.
"""

from __future__ import annotations

import pytest

from cdinterop.aggregate import aggregate

from .helpers import area_sex_counts, rows

scipy_optimize = pytest.importorskip("scipy.optimize", reason="scipy (the fitness extra)")

COUNTS = {
    ("A", "F"): 3,
    ("A", "M"): 12,
    ("B", "F"): 9,
    ("B", "M"): 20,
    ("C", "F"): 14,
    ("C", "M"): 16,
}


def _published(method: str) -> dict[tuple[str, str], int | None]:
    units, spec = area_sex_counts(
        COUNTS, {"method": "cell_suppression", "threshold": 10, "secondary_method": method}
    )
    result = aggregate(units, spec)
    return {(r["AREA"], r["SEX"]): r["OBS_VALUE"] for r in rows(result.dataset)}


def _intervals(published: dict[tuple[str, str], int | None]) -> dict[tuple[str, str], tuple]:
    """Min and max of every suppressed inner cell (the totals of this example stay
    published)."""
    unknown = [c for c, v in published.items() if v is None]
    assert all("_T" not in c for c in unknown)
    index = {c: i for i, c in enumerate(unknown)}
    rows_, rhs = [], []
    areas, sexes = ("A", "B", "C"), ("F", "M")
    # each area total = F + M, each sex total = A + B + C
    relations = [((a, "_T"), [(a, s) for s in sexes]) for a in areas]
    relations += [(("_T", s), [(a, s) for a in areas]) for s in sexes]
    for total, children in relations:
        row = [0.0] * len(unknown)
        known = float(published[total] or 0)
        for child in children:
            if child in index:
                row[index[child]] = 1.0
            else:
                known -= float(published[child] or 0)
        rows_.append(row)
        rhs.append(known)
    out = {}
    for cell, i in index.items():
        bounds = []
        for sign in (1.0, -1.0):
            c = [0.0] * len(unknown)
            c[i] = sign
            res = scipy_optimize.linprog(
                c, A_eq=rows_, b_eq=rhs, bounds=[(1, None)] * len(unknown), method="highs"
            )
            assert res.status == 0
            bounds.append(round(sign * res.fun))
        out[cell] = tuple(bounds)
    return out


def test_the_simple_pattern_lets_an_attacker_exclude_b_f_plus_5() -> None:
    published = _published("simple")
    assert {c for c, v in published.items() if v is None} == {
        ("A", "F"),
        ("A", "M"),
        ("B", "F"),
        ("B", "M"),
    }
    got = _intervals(published)
    assert got[("B", "F")] == (1, 11)  # 9 + 5 = 14 is excluded
    assert got[("A", "F")] == (1, 11)


def test_the_default_pattern_protects_both_small_cells_by_5() -> None:
    published = _published("optimal")
    assert {c for c, v in published.items() if v is None} == {
        (a, s) for a in ("A", "B", "C") for s in ("F", "M")
    }
    assert published[("A", "_T")] == 15 and published[("_T", "_T")] == 74
    got = _intervals(published)
    assert got[("B", "F")] == (1, 24)
    assert got[("A", "F")] == (1, 14)
    for cell, (lo, hi) in got.items():
        true = COUNTS[cell]
        if true < 10:  # sensitive: x + 5 and max(x - 5, 1) are not excluded
            assert hi >= true + 5 and lo <= max(true - 5, 1), cell
