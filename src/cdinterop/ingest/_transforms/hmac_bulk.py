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
    digests = plugin.col("value").chash.hmac_sha256(key=text_key).str.slice(0, length)
    hexed = series.to_frame().select(digests).to_series().to_arrow()
    if isinstance(hexed, pa.ChunkedArray):
        hexed = hexed.combine_chunks()
    result: pa.Array = hexed.cast(pa.string())  # offsets only: the text is under 2 GiB
    return result
