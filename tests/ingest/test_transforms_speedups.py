"""The fast paths of the ingest transforms give exactly what the plain paths give.

Pseudonyms: the compiled bulk HMAC (``polars-hash``, extra ``fast``), the dictionary
path and the standard-library loop all give ``hmac.new(key, text, sha256).hexdigest()``
truncated, for any text (unicode, empty, long) and any key.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.ingest._transforms import hmac_bulk, pseudonyms
from cdinterop.ingest._transforms.pseudonyms import pseudonymise

TEXT = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=20),
    st.text(min_size=100, max_size=400),  # longer than one SHA-256 block
    st.text(alphabet="0123456789abcdef-", min_size=36, max_size=36),  # uuid-like
)
KEYS = st.one_of(
    st.text(min_size=16, max_size=100).filter(lambda k: len(k.encode()) >= 16).map(str.encode),
    st.binary(min_size=16, max_size=100),  # may not be UTF-8: the plain path then
)


def expected(values: Sequence[str | None], key: bytes, length: int) -> list[str | None]:
    """The pseudonyms from the standard library's `hmac`, one value at a time."""
    return [
        None if v is None else hmac.new(key, v.encode(), "sha256").hexdigest()[:length]
        for v in values
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(TEXT, max_size=40), key=KEYS, length=st.integers(16, 64))
def test_every_path_gives_the_stdlib_hmac(
    values: list[str | None], key: bytes, length: int
) -> None:
    want = expected(values, key, length)
    column = pa.array(values, pa.string())
    assert pseudonymise(column, key, length=length).to_pylist() == want
    fast = hmac_bulk.hmac_hex(column, key, length)
    if hmac_bulk.bulk_hmac_available() and _is_text(key):
        assert fast is not None
    if fast is not None:
        assert fast.type == pa.string()
        fast.validate(full=True)
        assert fast.to_pylist() == want
    plain = pseudonyms._hex_array(
        pseudonyms._hmac_sha256_digests(key, [(v or "").encode() for v in values]),
        len(values),
        length,
    )
    shown = zip(values, plain.to_pylist(), strict=True)
    assert [None if v is None else p for v, p in shown] == want


def _is_text(key: bytes) -> bool:
    try:
        key.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("distinct", [True, False])
@pytest.mark.parametrize("fast", [True, False])
def test_large_columns_same_pseudonyms_on_every_path(
    distinct: bool, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5,000 values, all distinct or 300 repeated, with nulls and a sliced input: the
    same pseudonyms with and without the compiled path."""
    if not fast:
        monkeypatch.setattr(pseudonyms, "hmac_hex", lambda *_args: None)
    elif not hmac_bulk.bulk_hmac_available():
        pytest.skip("polars-hash is not installed")
    key = b"a-test-key-of-sufficient-length"
    values = [
        None if i % 97 == 0 else f"id-{i if distinct else i % 300}-\u00e9\u4e2d"
        for i in range(5_100)
    ]
    column = pa.array(values, pa.string()).slice(100)  # an offset into the buffers
    got = pseudonymise(column, key, length=20)
    got.validate(full=True)
    assert got.to_pylist() == expected(values[100:], key, 20)


def test_long_text_key_is_hashed_first() -> None:
    """A key longer than SHA-256's block (64 bytes) is hashed first, as RFC 2104 says."""
    key = ("k\u00e9y" * 40).encode()
    values: list[str | None] = [f"v{i}" for i in range(1_000)]
    assert pseudonymise(pa.array(values), key).to_pylist() == expected(values, key, 16)


def test_chunked_input_with_nulls_only() -> None:
    column = pa.chunked_array([pa.array([None, None], pa.string()), pa.array([None], pa.string())])
    assert pseudonymise(column, b"0123456789abcdef").to_pylist() == [None, None, None]
