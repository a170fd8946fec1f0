"""64-bit row digests, the DigestSet and exact first occurrences, against plain Python."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdinterop.ingest._digests import (
    DigestSet,
    bucket,
    digest64,
    drop_positions,
    first_occurrences,
)

MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & MASK
    return x ^ (x >> 33)


def _reference_value(value: str | None) -> int:
    """The digest of one value, word by word in Python integers (the documented recipe)."""
    if value is None:
        return 0x6A09E667F3BCC909
    data = value.encode("utf-8")
    total = 0
    for index in range(0, len(data), 8):
        word = int.from_bytes(data[index : index + 8], "little")
        key = ((index // 8) * 0x9E3779B97F4A7C15 + 0x243F6A8885A308D3) & MASK
        total = (total + _mix(word ^ key)) & MASK
    total = (total + len(data) * 0x2545F4914F6CDD1D + 1) & MASK
    return _mix(total)


def _reference_row(values: list[str | None]) -> int:
    result = _reference_value(values[0])
    for position, value in enumerate(values[1:], start=1):
        combined = result * 0xD6E8FEB86659FD93 + position + _reference_value(value)
        result = _mix(combined & MASK)
    return result


_VALUES = st.lists(st.none() | st.text(max_size=40), min_size=1, max_size=60)


@given(st.lists(_VALUES, min_size=1, max_size=3).filter(lambda c: len({len(x) for x in c}) == 1))
@settings(max_examples=200, deadline=None)
def test_digest64_matches_the_word_by_word_recipe(columns: list[list[str | None]]) -> None:
    arrays = [pa.array(values, pa.string()) for values in columns]
    got = digest64(arrays)
    expected = [_reference_row(list(row)) for row in zip(*columns, strict=True)]
    assert got.dtype == np.uint64
    assert got.tolist() == expected
    # the same values in every Arrow shape give the same digests
    large = [a.cast(pa.large_string()) for a in arrays]
    assert digest64(large).tolist() == expected
    assert digest64([a.dictionary_encode() for a in arrays]).tolist() == expected
    assert digest64([pa.chunked_array([a[:1], a[1:]]) for a in arrays]).tolist() == expected
    assert digest64([a.cast(pa.string_view()) for a in arrays]).tolist() == expected
    sliced = [pa.array([None, *values], pa.string()).slice(1) for values in columns]
    assert digest64(sliced).tolist() == expected


def test_nulls_empty_text_and_column_boundaries_are_told_apart() -> None:
    values = digest64([pa.array([None, "", "None", "\x00"])]).tolist()
    assert len(set(values)) == 4
    ab_c = digest64([pa.array(["ab"]), pa.array(["c"])])
    a_bc = digest64([pa.array(["a"]), pa.array(["bc"])])
    c_ab = digest64([pa.array(["c"]), pa.array(["ab"])])
    assert len({int(ab_c[0]), int(a_bc[0]), int(c_ab[0])}) == 3
    null_empty = digest64([pa.array([None]), pa.array([""])])
    empty_null = digest64([pa.array([""]), pa.array([None])])
    assert null_empty[0] != empty_null[0]


def test_digests_are_fixed_constants() -> None:
    """Deterministic across processes and machines: these values never change."""
    got = digest64([pa.array(["", None, "None", "abcdefghi"])]).tolist()
    assert got == [_reference_value(v) for v in ["", None, "None", "abcdefghi"]]
    assert got[3] == 144146773815264785


def test_a_million_keys_have_no_collision() -> None:
    keys = pa.array([f"{n:08x}-0000-4000-8000-{n * 7919:012x}" for n in range(1_000_000)])
    assert len(np.unique(digest64([keys]))) == 1_000_000


def test_digest64_refuses_other_types_and_ragged_columns() -> None:
    with pytest.raises(TypeError):
        digest64([pa.array([1, 2])])
    with pytest.raises(ValueError):
        digest64([pa.array(["a"]), pa.array(["a", "b"])])
    with pytest.raises(ValueError):
        digest64([])


@given(
    st.lists(st.lists(st.integers(0, 300), max_size=80), max_size=12),
    st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_digest_set_agrees_with_a_python_dict(batches: list[list[int]], payload: bool) -> None:
    seen = DigestSet(payload=payload)
    first_row: dict[int, int] = {}
    row = 0
    for batch in batches:
        digests = np.array([(v * 0x9E3779B97F4A7C15) & MASK for v in batch], dtype=np.uint64)
        rows = np.arange(row, row + len(batch), dtype=np.int64)
        mask = seen.first_seen(digests, rows if payload else None)
        expected = []
        for digest, number in zip(digests.tolist(), rows.tolist(), strict=True):
            expected.append(digest not in first_row)
            first_row.setdefault(digest, number)
        assert mask.tolist() == expected
        row += len(batch)
    assert len(seen) == len(first_row)
    assert seen.nbytes == len(first_row) * (16 if payload else 8)
    if payload and first_row:
        probe = np.array([*first_row, 12345], dtype=np.uint64)
        assert seen.payload_of(probe).tolist() == [*first_row.values(), -1]


def test_digest_set_grows_bucket_by_bucket() -> None:
    rng = np.random.default_rng(18)
    values = rng.integers(0, 2**64, size=700_000, dtype=np.uint64, endpoint=False)
    values[::7] = values[0]  # repeats
    seen = DigestSet(payload=True)
    kept = np.concatenate(
        [
            seen.first_seen(values[lo : lo + 65_536], np.arange(lo, lo + 65_536))
            for lo in range(0, len(values), 65_536)
        ]
    )
    _, first = np.unique(values, return_index=True)
    expected = np.zeros(len(values), dtype=bool)
    expected[first] = True
    assert np.array_equal(kept, expected)
    assert seen.nbytes == 16 * len(first)
    assert len(seen._pending) < len(first)  # merged into the buckets on the way
    assert seen.payload_of(values[:3]).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="payload"):
        seen.first_seen(np.array([1], dtype=np.uint64))


@given(
    st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=1, max_size=6),
    st.integers(1, 7),
)
@settings(max_examples=150, deadline=None)
def test_first_occurrences_are_those_of_the_concatenation(parts: list[list[int]], k: int) -> None:
    spread = [[(v * 0x9E3779B97F4A7C15) & MASK for v in part] for part in parts]
    arrays = [np.array(part, dtype=np.uint64) for part in spread]
    seen: set[int] = set()
    expected = []
    for part in spread:
        mask = []
        for value in part:
            mask.append(value not in seen)
            seen.add(value)
        expected.append(mask)
    assert [m.tolist() for m in first_occurrences(arrays)] == expected
    # the same through a shuffle of k buckets: one reducer per bucket
    buckets = [bucket(a, k) for a in arrays]
    for array, positions in zip(arrays, buckets, strict=True):
        assert sorted(np.concatenate(positions).tolist()) == list(range(len(array)))
        for j, chosen in enumerate(positions):  # equal digests share a bucket
            others = [array[p].tolist() for i, p in enumerate(positions) if i != j]
            assert not set(array[chosen].tolist()) & {v for other in others for v in other}
    drops: list[list[int]] = [[] for _ in arrays]
    for j in range(k):
        sent = [(a[b[j]], b[j]) for a, b in zip(arrays, buckets, strict=True)]
        for p, dropped in enumerate(drop_positions(sent)):
            drops[p].extend(dropped.tolist())
    for p, mask in enumerate(expected):
        assert sorted(drops[p]) == [i for i, keep in enumerate(mask) if not keep]
