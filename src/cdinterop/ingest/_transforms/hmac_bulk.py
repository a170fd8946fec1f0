"""HMAC-SHA256 of a whole text column in compiled code, when the optional ``polars-hash`` is
installed (extra ``fast``).

`hmac_hex()` gives the same hex digests as the standard library's
``hmac.new(key, value.encode(), "sha256").hexdigest()[:length]`` for every value (a test
checks it on random text), but hashes a million values in about a quarter of a second
instead of one and a half: the ``polars-hash`` plugin runs RustCrypto's HMAC-SHA256 (with
the CPU's SHA instructions where there are any) over the column's buffers, without a
Python object per value. Without ``polars-hash``, or for a key that is not UTF-8 text
(the plugin takes the key as a string), it returns ``None`` and the caller hashes with
the standard library.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType

import numpy as np
import pyarrow as pa

__all__ = ["bulk_hmac_available", "hmac_hex"]

_MAX_STRING_BYTES = 2**31 - 1  # the text one string array's 32-bit offsets hold


@cache
def _polars_hash() -> tuple[ModuleType, ModuleType] | None:
    """``(polars, polars_hash)``, or ``None`` when either is missing (or broken)."""
    try:
        polars = importlib.import_module("polars")
        plugin = importlib.import_module("polars_hash")
    except ImportError:
        return None
    return polars, plugin


def bulk_hmac_available() -> bool:
    """Whether the compiled bulk HMAC (``polars-hash``) can be used."""
    return _polars_hash() is not None


def _text_key(key: bytes) -> str | None:
    """The key as the string the plugin takes (its UTF-8 bytes are the key), or ``None``."""
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return None


def hmac_hex(values: pa.Array, key: bytes, length: int) -> pa.Array | None:
    """The first ``length`` hex characters of HMAC-SHA256 under ``key`` of each value of the
    string array ``values`` (over its UTF-8 bytes), as a string array with the nulls of
    ``values``; ``None`` when ``polars-hash`` is missing or ``key`` is not UTF-8."""
    modules = _polars_hash()
    text_key = _text_key(key)
    if modules is None or text_key is None or len(values) * length > _MAX_STRING_BYTES:
        return None
    polars, plugin = modules
    series = polars.Series("value", values)
    hashed = series.to_frame().select(plugin.col("value").chash.hmac_sha256(key=text_key))
    hexed = hashed.to_series().to_arrow(compat_level=polars.CompatLevel.oldest())
    if isinstance(hexed, pa.ChunkedArray):
        hexed = hexed.combine_chunks()
    return _truncated(hexed, length)


def _truncated(hexed: pa.Array, length: int) -> pa.Array:
    """A (large) string array of 64-character values and nulls as a string array of their
    first ``length`` characters, built from the buffers (no Python string per value)."""
    count = len(hexed)
    valid = np.ones(count, dtype=bool)
    if hexed.null_count:
        valid = hexed.is_valid().to_numpy(zero_copy_only=False)
    offset_type = np.int64 if pa.types.is_large_string(hexed.type) else np.int32
    offsets = np.frombuffer(hexed.buffers()[1], dtype=offset_type)[hexed.offset :]
    data = np.frombuffer(hexed.buffers()[2], dtype=np.uint8)
    starts = offsets[:-1][valid].astype(np.int64)
    # the first ``length`` characters of each digest
    text = data[starts[:, None] + np.arange(length, dtype=np.int64)]
    lengths = np.where(valid, length, 0).astype(np.int32)
    new_offsets = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(lengths, out=new_offsets[1:])
    filled = len(starts)
    validity = None if filled == count else pa.array(valid).buffers()[1]
    buffers = [validity, pa.py_buffer(new_offsets.tobytes()), pa.py_buffer(text.tobytes())]
    return pa.Array.from_buffers(pa.string(), count, buffers, null_count=count - filled)
