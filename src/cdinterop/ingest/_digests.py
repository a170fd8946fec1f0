"""64-bit row digests, a bounded-memory set of them, and exact first occurrences.

Deduplicating a whole file (or a whole run spread over partitions) must not hold the
keys themselves: each key becomes a 64-bit digest (`digest64`), 8 bytes however long
the key is, and a [`DigestSet`][] answers "seen before?" batch by batch.

**Collisions.** Two different keys share a digest with probability about 2^-64 per
pair, so among *n* distinct keys the chance of any collision is about n^2 / 2^65
(birthday bound): 3e-6 for 10 million keys, 3e-2 for a billion. A collision makes the
later key look like a duplicate of the earlier one. The digest is a keyed-by-position
sum of a 64-bit mixer, not a cryptographic hash: someone who controls the keys could
craft collisions; the keys deduplicated by ingest are pseudonyms (HMAC outputs), which
nobody controls.

**Determinism.** The digest depends only on the UTF-8 bytes of the values (read as
little-endian words), never on Python's ``hash()``, the process or the machine.

**Distributed.** [`first_occurrences`][] gives, for per-partition digest arrays in global
order, the keep-first masks (exactly what deduplicating the concatenation gives);
[`bucket`][] and [`drop_positions`][] are the same computation split for a shuffle: each
partition splits its digests into *k* buckets, one reducer per bucket sees that bucket
of every partition and returns, per partition, the positions to drop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

__all__ = [
    "DigestSet",
    "bucket",
    "digest64",
    "drop_positions",
    "first_occurrences",
]

_U64 = np.uint64
_M1 = _U64(0xFF51AFD7ED558CCD)
_M2 = _U64(0xC4CEB9FE1A85EC53)
_GOLDEN = _U64(0x9E3779B97F4A7C15)
_COLUMN_SALT = _U64(0xD6E8FEB86659FD93)
_LENGTH_SALT = _U64(0x2545F4914F6CDD1D)
_NULL_DIGEST = _U64(0x6A09E667F3BCC909)
_SEED = _U64(0x243F6A8885A308D3)
_CHUNK_ROWS = 1 << 18
_BUCKET_BITS = 8
_BUCKETS = 1 << _BUCKET_BITS
_SHIFT = _U64(64 - _BUCKET_BITS)
_PENDING_MIN = 1 << 18


def _mix(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection), in place on a uint64 array."""
    x ^= x >> _U64(33)
    x *= _M1
    x ^= x >> _U64(33)
    x *= _M2
    x ^= x >> _U64(33)
    return x


def _binary(array: pa.Array) -> pa.Array:
    """``array`` as (large_)binary with plain offsets: text is hashed as its UTF-8 bytes."""
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_binary(kind):
        return array.view(pa.binary())
    if pa.types.is_large_string(kind) or pa.types.is_large_binary(kind):
        return array.view(pa.large_binary())
    if pa.types.is_string_view(kind):
        return array.cast(pa.large_string()).view(pa.large_binary())
    if pa.types.is_binary_view(kind):
        return array.cast(pa.large_binary())
    raise TypeError(f"digest64 takes text or binary columns, not {kind}")


def _column_digest(array: pa.Array) -> np.ndarray:
    """The digest of each value of one text column (nulls get their own constant)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_null(array.type):  # a column of nulls only (pa.array([None]))
        return np.full(len(array), _NULL_DIGEST, dtype=_U64)
    if pa.types.is_dictionary(array.type):
        values = np.append(_column_digest(array.dictionary), _NULL_DIGEST)  # never empty
        indices = array.indices.fill_null(0).to_numpy(zero_copy_only=False)
        out = values[indices.astype(np.int64, copy=False)]
        return _with_nulls(out, array)
    array = _binary(array)
    n = len(array)
    out = np.empty(n, dtype=_U64)
    for start in range(0, n, _CHUNK_ROWS):
        out[start : start + _CHUNK_ROWS] = _chunk_digest(array.slice(start, _CHUNK_ROWS))
    return _with_nulls(out, array)


def _with_nulls(out: np.ndarray, array: pa.Array) -> np.ndarray:
    if array.null_count:
        valid = array.is_valid().to_numpy(zero_copy_only=False)
        out[~valid] = _NULL_DIGEST
    return out


def _chunk_digest(array: pa.Array) -> np.ndarray:
    """Digest of each value: sum over its 8-byte words of mix(word ^ key(word index)),
    then mixed with the length (so ``""`` and ``"\\0"`` differ)."""
    n = len(array)
    _, offsets_buffer, data_buffer = array.buffers()
    wide = pa.types.is_large_binary(array.type)
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64 if wide else np.int32)
    offsets = offsets[array.offset : array.offset + n + 1].astype(np.int64)
    lengths = np.diff(offsets)
    first = int(offsets[0]) if n else 0
    last = int(offsets[-1]) if n else 0
    raw = b"" if data_buffer is None else memoryview(data_buffer)[first:last]
    padded = np.zeros(last - first + 8, dtype=np.uint8)
    padded[: last - first] = np.frombuffer(raw, dtype=np.uint8)
    words_view = np.ndarray(
        shape=(last - first + 1,), dtype="<u8", buffer=padded.data, strides=(1,)
    )
    counts = (lengths + 7) // 8
    widest = int(counts.max()) if n else 0
    if n * widest <= 2 * int(counts.sum()):
        sums = _word_sums_square(words_view, offsets - first, lengths, widest)
    else:
        sums = _word_sums_ragged(words_view, offsets - first, lengths, counts)
    sums += lengths.astype(_U64) * _LENGTH_SALT + _U64(1)
    return _mix(sums)


def _word_keys(index: np.ndarray) -> np.ndarray:
    return index.astype(_U64) * _GOLDEN + _SEED


def _masked(words: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Zero the bytes of each word beyond the value (``left``: bytes of it from the word on)."""
    short = left < 8
    if short.any():
        keep = np.clip(left[short], 0, 8).astype(_U64) * _U64(8)
        words[short] &= (_U64(1) << keep) - _U64(1)
    return words


def _word_sums_square(
    words_view: np.ndarray, starts: np.ndarray, lengths: np.ndarray, widest: int
) -> np.ndarray:
    """Per value, the sum of its mixed words, as an n x widest matrix (values of similar
    lengths: no per-word index arithmetic)."""
    n = len(lengths)
    sums = np.zeros(n, dtype=_U64)
    step = np.arange(widest, dtype=np.int64) * 8
    for j in range(widest):
        left = lengths - step[j]
        live = left > 0
        if not live.any():
            break
        at = np.where(live, starts[:-1] + step[j], 0)
        words = _masked(words_view[at].astype(_U64), left)
        words ^= _word_keys(np.array([j]))
        _mix(words)
        words[~live] = 0
        sums += words
    return sums


def _word_sums_ragged(
    words_view: np.ndarray, starts: np.ndarray, lengths: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Per value, the sum of its mixed words, for values of very different lengths."""
    n = len(lengths)
    sums = np.zeros(n, dtype=_U64)
    total = int(counts.sum())
    if not total:
        return sums
    ends = np.cumsum(counts)
    index = np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)
    at = np.repeat(starts[:-1], counts) + 8 * index
    words = _masked(words_view[at].astype(_U64), np.repeat(lengths, counts) - 8 * index)
    words ^= _word_keys(index)
    _mix(words)
    nonempty = counts > 0
    sums[nonempty] = np.add.reduceat(words, (ends - counts)[nonempty])
    return sums


def digest64(columns: Sequence[pa.Array | pa.ChunkedArray]) -> np.ndarray:
    """A 64-bit digest of each row of one or more text columns, as a uint64 array.

    Null differs from ``""`` and from the text ``"None"``; the column boundaries count
    (``("ab", "c")`` and ``("a", "bc")`` differ) and so does the column order. The result
    is deterministic across processes and machines. Columns may be string, large_string,
    string_view, binary or dictionary-encoded text, chunked or not; all must have the same
    length. About n^2 / 2^65 is the chance of any collision among n distinct rows (see the
    module docs).
    """
    if not columns:
        raise ValueError("digest64 needs at least one column")
    length = len(columns[0])
    result: np.ndarray | None = None
    for position, column in enumerate(columns):
        if len(column) != length:
            raise ValueError("digest64 columns must have the same length")
        column_digest = _column_digest(column)
        if result is None:
            result = column_digest
            continue
        result = _mix(result * _COLUMN_SALT + _U64(position) + column_digest)
    assert result is not None
    return result


def _sorted_unique_first(digests: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct digests, sorted, and the position of the first occurrence of each."""
    order = np.argsort(digests, kind="stable")
    ordered = digests[order]
    starts = np.ones(len(ordered), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    return ordered[starts], order[starts]


class DigestSet:
    """A set of 64-bit digests in about 8 bytes per distinct digest (16 with payloads).

    The digests live in 256 buckets by their top 8 bits, each a sorted uint64 array (and
    an int64 array of payloads when the set keeps them), plus a sorted pending buffer
    that new digests enter; the buffer (at most 262,144 digests, 2 MB) is merged into
    the buckets one bucket at a time, so growing never copies more than one bucket at a
    time (no doubling of the whole set).

        seen = DigestSet(payload=True)
        for batch in batches:
            keep = seen.first_seen(digest64([batch["key"]]), payload=batch["_row"])
    """

    def __init__(self, *, payload: bool = False) -> None:
        self._keeps_payload = payload
        empty_u = np.empty(0, dtype=_U64)
        empty_i = np.empty(0, dtype=np.int64)
        self._buckets = [empty_u] * _BUCKETS
        self._payloads = [empty_i] * _BUCKETS if payload else []
        self._pending = empty_u
        self._pending_payload = empty_i
        self._size = 0

    def __len__(self) -> int:
        """The number of distinct digests in the set."""
        return self._size

    @property
    def nbytes(self) -> int:
        """Bytes held by the digests (and payloads), buckets and pending buffer."""
        held = sum(b.nbytes for b in self._buckets) + self._pending.nbytes
        if self._keeps_payload:
            held += sum(p.nbytes for p in self._payloads) + self._pending_payload.nbytes
        return held

    def _locate(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For sorted ``values``: whether each is in the set, and its payload (-1 if none)."""
        found = np.zeros(len(values), dtype=bool)
        payload = np.full(len(values), -1, dtype=np.int64)
        if not self._size or not len(values):
            return found, payload
        self._probe(self._pending, self._pending_payload, values, 0, found, payload)
        tops = values >> _SHIFT
        bounds = np.searchsorted(tops, np.arange(_BUCKETS + 1, dtype=_U64))
        for b in np.flatnonzero(np.diff(bounds)).tolist():
            lo, hi = int(bounds[b]), int(bounds[b + 1])
            payloads = self._payloads[b] if self._keeps_payload else self._pending_payload
            self._probe(self._buckets[b], payloads, values[lo:hi], lo, found, payload)
        return found, payload

    def _probe(
        self,
        stored: np.ndarray,
        stored_payload: np.ndarray,
        values: np.ndarray,
        offset: int,
        found: np.ndarray,
        payload: np.ndarray,
    ) -> None:
        if not len(stored):
            return
        at = np.searchsorted(stored, values)
        inside = at < len(stored)
        hit = np.zeros(len(values), dtype=bool)
        hit[inside] = stored[at[inside]] == values[inside]
        found[offset : offset + len(values)] |= hit
        if self._keeps_payload and hit.any():
            payload[offset : offset + len(values)][hit] = stored_payload[at[hit]]

    def first_seen(self, digests: np.ndarray, payload: np.ndarray | None = None) -> np.ndarray:
        """Add ``digests`` to the set; return a bool mask, True where the digest was not in
        the set before this call and this is its first occurrence in the call.

        ``payload`` (int64, one per digest, e.g. the row number) is stored for the digests
        added, when the set was made with ``payload=True``; `payload_of` finds it again."""
        digests = np.asarray(digests, dtype=_U64)
        mask = np.zeros(len(digests), dtype=bool)
        if not len(digests):
            return mask
        values, first = _sorted_unique_first(digests)
        found, _ = self._locate(values)
        new_values = values[~found]
        new_first = first[~found]
        mask[new_first] = True
        if len(new_values):
            new_payload = np.empty(0, dtype=np.int64)
            if self._keeps_payload:
                if payload is None:
                    raise ValueError("this DigestSet keeps payloads: pass payload=")
                new_payload = np.asarray(payload, dtype=np.int64)[new_first]
            self._add(new_values, new_payload)
        return mask

    def payload_of(self, digests: np.ndarray) -> np.ndarray:
        """The payload stored with each digest (int64), -1 for digests not in the set."""
        digests = np.asarray(digests, dtype=_U64)
        order = np.argsort(digests, kind="stable")
        _, payload = self._locate(digests[order])
        out = np.empty(len(digests), dtype=np.int64)
        out[order] = payload
        return out

    def _add(self, values: np.ndarray, payload: np.ndarray) -> None:
        places = _places(self._pending, values)
        self._pending = _merge(self._pending, values, places)
        if self._keeps_payload:
            self._pending_payload = _merge(self._pending_payload, payload, places)
        self._size += len(values)
        if len(self._pending) > _PENDING_MIN:
            self._flush()

    def _flush(self) -> None:
        """Merge the pending buffer into the buckets, one bucket at a time."""
        pending = self._pending
        tops = pending >> _SHIFT
        bounds = np.searchsorted(tops, np.arange(_BUCKETS + 1, dtype=_U64))
        for b in np.flatnonzero(np.diff(bounds)).tolist():
            lo, hi = int(bounds[b]), int(bounds[b + 1])
            places = _places(self._buckets[b], pending[lo:hi])
            self._buckets[b] = _merge(self._buckets[b], pending[lo:hi], places)
            if self._keeps_payload:
                self._payloads[b] = _merge(self._payloads[b], self._pending_payload[lo:hi], places)
        self._pending = np.empty(0, dtype=_U64)
        self._pending_payload = np.empty(0, dtype=np.int64)


def _places(stored: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Where the sorted ``values`` (none of them in ``stored``) go in the merged array."""
    return np.searchsorted(stored, values) + np.arange(len(values), dtype=np.int64)


def _merge(stored: np.ndarray, values: np.ndarray, places: np.ndarray) -> np.ndarray:
    """``stored`` with ``values`` put at ``places`` (see `_places`): one linear pass."""
    merged = np.empty(len(stored) + len(values), dtype=stored.dtype)
    rest = np.ones(len(merged), dtype=bool)
    rest[places] = False
    merged[places] = values
    merged[rest] = stored
    return merged


def first_occurrences(parts: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The keep-first mask of each partition's digests, the partitions in global order:
    True where the digest occurs for the first time in the concatenation of all parts
    (exactly what deduplicating the concatenated rows keeps)."""
    positions = [np.arange(len(part), dtype=np.int64) for part in parts]
    pairs = [(np.asarray(p, dtype=_U64), q) for p, q in zip(parts, positions, strict=True)]
    drops = drop_positions(pairs)
    masks = []
    for part, drop in zip(parts, drops, strict=True):
        mask = np.ones(len(part), dtype=bool)
        mask[drop] = False
        masks.append(mask)
    return masks


def bucket(digests: np.ndarray, k: int) -> list[np.ndarray]:
    """Split one partition's digests into ``k`` buckets for a shuffle: the positions
    (int64, increasing) of the digests of each bucket. Equal digests always land in the
    same bucket; send ``(digests[p], p)`` of bucket *j* to reducer *j*."""
    if k < 1:
        raise ValueError("k must be at least 1")
    digests = np.asarray(digests, dtype=_U64)
    target = ((digests >> _U64(32)) * _U64(k)) >> _U64(32)  # fair range reduction
    order = np.argsort(target, kind="stable")
    bounds = np.searchsorted(target[order], np.arange(k + 1, dtype=_U64))
    return [order[bounds[j] : bounds[j + 1]].astype(np.int64) for j in range(k)]


def drop_positions(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """The reducer of one bucket: ``parts`` holds, for every partition in global order,
    the bucket's ``(digests, positions)`` (positions increasing, as `bucket` gives
    them); returns for each partition the positions whose digest occurred before (in an
    earlier partition or earlier in the same one): the rows to drop."""
    sizes = [len(digests) for digests, _ in parts]
    if not sum(sizes):
        return [np.empty(0, dtype=np.int64) for _ in parts]
    everything = np.concatenate([np.asarray(d, dtype=_U64) for d, _ in parts])
    _, first = _sorted_unique_first(everything)
    keep = np.zeros(len(everything), dtype=bool)
    keep[first] = True
    drops = []
    start = 0
    for (_, positions), size in zip(parts, sizes, strict=True):
        local = keep[start : start + size]
        drops.append(np.asarray(positions, dtype=np.int64)[~local])
        start += size
    return drops
