"""The fast path of the duplicate-key check (one key column alone is unique) reports the
same issues as the full check, whatever the column's first rows look like."""

from __future__ import annotations

import pyarrow as pa
import pytest

from cdinterop.model._checks import _check_duplicates, _Collector


def issues_of(table: pa.Table, key: list[str]) -> list[tuple[int | None, str]]:
    collector = _Collector()
    _check_duplicates(table, key, collector)
    return sorted((i.row, i.message) for i in collector.issues)


def full_check(table: pa.Table, key: list[str]) -> list[tuple[int | None, str]]:
    """The duplicates found by a plain Python scan (first occurrence wins)."""
    first: dict[tuple[object, ...], int] = {}
    found = []
    for row, record in enumerate(table.select(key).to_pylist()):
        values = tuple(record[k] for k in key)
        text = ".".join("" if v is None else str(v) for v in values)
        if values in first:
            found.append((row, f"key {text} already used by row {first[values]}"))
        else:
            first[values] = row
    return sorted(found)


@pytest.mark.parametrize(
    "ids",
    [
        [f"r{i}" for i in range(10_000)],  # unique: settled on the id column
        [f"r{i}" for i in range(9_999)] + ["r5000"],  # repeats after the sampled rows
        [f"r{i}" for i in range(9_998)] + [None, None],  # two nulls are one value twice
        [f"r{i}" for i in range(9_999)] + [None],  # one null: still unique
        [f"r{i % 50}" for i in range(10_000)],  # repeats in the sample
    ],
)
def test_fast_path_same_issues_as_a_plain_scan(ids: list[str | None]) -> None:
    n = len(ids)
    table = pa.table(
        {"AREA": [f"A{i % 3}" for i in range(n)], "ID": ids, "SEX": ["F"] * (n - 1) + ["M"]}
    )
    key = ["AREA", "ID", "SEX"]
    assert issues_of(table, key) == full_check(table, key)


def test_empty_key_column_list_and_small_tables() -> None:
    table = pa.table({"A": ["x", "x", "y"], "B": ["1", "1", "1"]})
    assert issues_of(table, ["A", "B"]) == full_check(table, ["A", "B"])
    assert len(issues_of(table, ["A", "B"])) == 1
