"""Keyed pseudonyms for identifiers (phone numbers, respondent ids, enumerator names).

`pseudonymise()` replaces each value by HMAC-SHA256 over its UTF-8 text under a
secret key, as hex truncated to ``length`` characters (at least 16, i.e. 64 bits). The
same value gets the same pseudonym under the same key (records still link across
batches, forms and columns), and without the key pseudonyms can be neither reversed nor
recomputed from guessed values. Nulls stay null; values are taken as text as they are
(not trimmed or case-folded: normalise first if ``" 0244"`` and ``"0244"`` are one id).

The key comes from [`load_key()`][cdinterop.ingest.load_key] (``env:VARNAME`` or ``file:PATH``) and
is never logged, returned or put in an exception message. A key read that is one of the
placeholders the documentation shows (`PLACEHOLDER_KEYS`) gives a
[`PlaceholderKeyWarning`][cdinterop.ingest.PlaceholderKeyWarning]: anyone who read the same
page could recompute the pseudonyms.
"""

from __future__ import annotations

import hashlib
import os
import stat
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop._files import check_input
from cdinterop.errors import ReadError
from cdinterop.ingest._transforms.hmac_bulk import bulk_hmac_available, hmac_hex
from cdinterop.ingest._transforms.result import ArrayLike, array, mostly_distinct
from cdinterop.mapping._internal import as_text

__all__ = [
    "MIN_KEY_BYTES",
    "PLACEHOLDER_KEYS",
    "PlaceholderKeyWarning",
    "load_key",
    "pseudonymise",
]

MIN_KEY_BYTES = 16
"""The shortest key accepted (128 bits)."""


def _check_key(key: bytes, where: str) -> bytes:
    if not isinstance(key, bytes | bytearray):
        raise TypeError(f"the pseudonymisation key ({where}) must be bytes")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"the pseudonymisation key ({where}) is too short: it needs at least "
            f"{MIN_KEY_BYTES} bytes, e.g. 32 random bytes in hex (python -c "
            "'import secrets; print(secrets.token_hex(32))')"
        )
    return bytes(key)


PLACEHOLDER_KEYS = frozenset(
    {
        b"replace-with-your-own-secret-key",  # README, quickstart, guides
        b"a-long-secret-key",  # the examples of `cdinterop ingest --help`, `convert --help`
        b"a-long-secret-key-for-the-example",  # docs/ingest.md
    }
)
"""The example keys the documentation shows; a key read that equals one of them is no
secret (the check compares the key with these few constants and never shows it)."""


class PlaceholderKeyWarning(UserWarning):
    """The pseudonymisation key read is a placeholder from the documentation (such as
    ``replace-with-your-own-secret-key``): the run goes on, but anyone who read the same
    page can recompute the pseudonyms. Replace it with a secret of your own."""


def _warn_if_placeholder(key: bytes, where: str) -> None:
    """Warn (`PlaceholderKeyWarning`) when ``key`` is one of `PLACEHOLDER_KEYS`."""
    if key in PLACEHOLDER_KEYS:
        warnings.warn(
            f"the pseudonymisation key ({where}) is the placeholder the documentation shows: "
            "anyone can recompute the pseudonyms; replace it with a secret of your own, e.g. "
            "python -c 'import secrets; print(secrets.token_hex(32))'",
            PlaceholderKeyWarning,
            stacklevel=3,
        )


MAX_KEY_FILE_BYTES = 4096
"""The largest key file read (a key is tens of bytes; a larger file is not a key)."""


def _read_key_file(name: str) -> bytes:
    """The bytes of a key file: a regular file (a FIFO, a device such as ``/dev/zero`` or a
    folder is refused before it is opened), outside ``/dev``, ``/proc`` and ``/sys`` (a
    kernel file such as ``/proc/self/environ`` is no key), of at most `MAX_KEY_FILE_BYTES`."""
    try:
        check_input(name)
    except ReadError as error:
        raise ValueError(
            f"the pseudonymisation key file {name} is not a regular file: {error.reason}"
        ) from None
    try:
        info = Path(name).stat()
    except OSError as error:
        raise ValueError(
            f"cannot read the pseudonymisation key file {name}: {error.strerror}"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(
            f"the pseudonymisation key file {name} is not a regular file (a device, FIFO or "
            "folder cannot hold a key)"
        )
    try:
        with Path(name).open("rb") as handle:
            raw = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as error:
        raise ValueError(
            f"cannot read the pseudonymisation key file {name}: {error.strerror}"
        ) from None
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise ValueError(
            f"the pseudonymisation key file {name} is over {MAX_KEY_FILE_BYTES} bytes: a key "
            "is a short secret (e.g. 32 random bytes in hex), not a file of data"
        )
    return raw


def load_key(source: str) -> bytes:
    """Read a pseudonymisation key from ``env:VARNAME`` or ``file:PATH``.

    A trailing newline of the file or variable is removed; the key is used as its UTF-8
    bytes and must be at least 16 bytes (128 bits) long, e.g. 32 random bytes in hex
    (``python -c 'import secrets; print(secrets.token_hex(32))'``). Raises ``ValueError``
    (never showing the key) if the variable is unset, the file unreadable, or the key
    empty or shorter than 16 bytes. A key that is one of the documentation's placeholders
    (``replace-with-your-own-secret-key``, see ``PLACEHOLDER_KEYS``) is returned with a
    [`PlaceholderKeyWarning`][cdinterop.ingest.PlaceholderKeyWarning]; ``cdinterop ingest``
    and ``cdinterop convert`` print it as a warning line.
    """
    kind, _, name = source.partition(":")
    if kind == "env" and name:
        value = os.environ.get(name)
        if value is None:
            raise ValueError(f"environment variable {name} (the pseudonymisation key) is not set")
        raw = value.encode()
    elif kind == "file" and name:
        raw = _read_key_file(name)
    else:
        raise ValueError(
            f"key source {source!r} is neither env:VARNAME nor file:PATH"
            if not source.startswith(("env:", "file:"))
            else "key source needs a name after 'env:' or 'file:'"
        )
    raw = raw.rstrip(b"\r\n")
    if not raw:
        raise ValueError(f"the pseudonymisation key ({kind}:{name}) is empty")
    key = _check_key(raw, f"{kind}:{name}")
    _warn_if_placeholder(key, f"{kind}:{name}")
    return key


def pseudonymise(column: ArrayLike, key: bytes, *, length: int = 16) -> pa.Array:
    """Keyed pseudonyms (hex HMAC-SHA256, ``length`` characters) of a column's values.

    Hashes each distinct value once (the column is dictionary-encoded, only the
    dictionary is hashed, and the pseudonyms are taken back per row), so a million rows
    with a hundred thousand distinct identifiers cost a hundred thousand HMACs. A column
    whose values are nearly all distinct (submission ids) is hashed as it is, without the
    dictionary. With the optional ``polars-hash`` (extra ``fast``) the hashes are computed
    in compiled code, about six times faster; the pseudonyms are the same. ``length`` is
    16 to 64.
    """
    key = _check_key(key, "key argument")
    if isinstance(length, bool) or not isinstance(length, int) or not 16 <= length <= 64:
        raise ValueError(f"length must be a whole number from 16 to 64, got {length!r}")
    values = array(as_text(column))
    if bulk_hmac_available() and len(values) > _FEW_VALUES and mostly_distinct(values):
        hashed = hmac_hex(values, key, length)
        if hashed is not None:
            return hashed
    encoded = pc.dictionary_encode(values)  # nulls stay null (in indices)
    result: pa.Array = pc.take(_hashed(encoded.dictionary, key, length), encoded.indices)
    return result


_FEW_VALUES = 256
"""Up to this many distinct values are hashed with the standard library (no set-up)."""


def _hashed(distinct: pa.Array, key: bytes, length: int) -> pa.Array:
    """The pseudonyms of the distinct (non-null) values ``distinct``."""
    if len(distinct) > _FEW_VALUES:
        fast = hmac_hex(distinct, key, length)
        if fast is not None:
            return fast
    messages = distinct.cast(pa.binary()).to_pylist()  # the UTF-8 bytes, no str objects
    digests = _hmac_sha256_digests(key, messages)
    return _hex_array(digests, len(distinct), length)


_MAX_STRING_BYTES = 2**31 - 1


def _hex_array(digests: bytes, count: int, length: int) -> pa.Array:
    """``count`` concatenated 32-byte digests as a string array of their first ``length``
    lower-case hex characters (what ``hexdigest()[:length]`` gives, without a Python
    string per value)."""
    if count * length > _MAX_STRING_BYTES:  # more text than one array's 32-bit offsets hold
        parts = (digests[i : i + 32].hex()[:length] for i in range(0, 32 * count, 32))
        return pa.array(list(parts), pa.string())
    hexed = digests.hex().encode("ascii")
    if length < 64:
        rows = np.frombuffer(hexed, dtype=np.uint8).reshape(count, 64)
        hexed = np.ascontiguousarray(rows[:, :length]).tobytes()
    offsets = np.arange(0, (count + 1) * length, length, dtype=np.int32)
    buffers = [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(hexed)]
    return pa.Array.from_buffers(pa.string(), count, buffers)


def _hmac_sha256_digests(key: bytes, messages: list[bytes]) -> bytes:
    """HMAC-SHA256 (RFC 2104) of each message, the 32-byte digests concatenated.

    The key's inner and outer pads are hashed once; each message then costs two copies
    of the prepared hash states, about 2.5 times faster than ``hmac.digest`` per value
    (the result is identical; a test checks it against `hmac`).
    """
    inner, outer = _pads(key)
    copy_inner, copy_outer = inner.copy, outer.copy
    out: list[bytes] = []
    append = out.append
    for message in messages:
        digest = copy_inner()
        digest.update(message)
        result = copy_outer()
        result.update(digest.digest())
        append(result.digest())
    return b"".join(out)


def _pads(key: bytes) -> tuple[Any, Any]:
    """The SHA-256 states after the key's inner and outer pads (RFC 2104)."""
    block = 64  # SHA-256 block size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
    return inner, outer
