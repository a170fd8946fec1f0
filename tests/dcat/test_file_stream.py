"""Turtle and N-Triples files are read by the parser from the file, never whole: the same
graph and the same refusals (with the same line and column) as reading the bytes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop import dcat
from cdinterop.dcat import _file_stream
from cdinterop.errors import ReadError

ROOT = Path(__file__).resolve().parents[2]
LITTER = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"


def _whole_message(data: bytes, fmt: str) -> str:
    with pytest.raises(ReadError) as info:
        dcat.parse_graph(data, fmt, source="doc")
    return info.value.reason


def _file_message(path: Path, fmt: str) -> str:
    with pytest.raises(ReadError) as info:
        dcat.read_graph(path, format=fmt)
    return info.value.reason


@pytest.mark.parametrize("fmt, suffix", [("turtle", ".ttl"), ("nt", ".nt")])
def test_a_file_read_by_the_parser_gives_the_graph_of_its_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, suffix: str
) -> None:
    import cdinterop

    path = tmp_path / f"litter{suffix}"
    dcat.write(cdinterop.load(LITTER), path)
    monkeypatch.setattr(_file_stream, "_CHUNK", 97)  # many chunks, characters cut between
    streamed = dcat.read_graph(path)
    whole = dcat.parse_graph(path.read_bytes(), fmt, base=path.resolve().as_uri())
    assert set(streamed) == set(whole) and len(streamed) > 100


LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(LINE, min_size=1, max_size=8),
    bad=st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\x80", b"\xed\xa0\x80"]),
    where=st.integers(0, 200),
    chunk=st.integers(1, 13),
)
def test_a_byte_that_is_not_utf8_is_located_as_in_the_whole_document(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lines: list[str],
    bad: bytes,
    where: int,
    chunk: int,
) -> None:
    text = "\n".join(lines).encode("utf-8")
    cut = min(where, len(text))
    while 0 < cut < len(text) and (text[cut] & 0xC0) == 0x80:
        cut -= 1  # between characters
    data = b"<a> <b> " + text[:cut] + bad + text[cut:] + b" .\n"
    path = tmp_path / "doc.ttl"
    path.write_bytes(data)
    monkeypatch.setattr(_file_stream, "_CHUNK", chunk)
    assert _file_message(path, "turtle") == _whole_message(data, "turtle")


@pytest.mark.parametrize("content", [b"", b"   \n\t\n", b"\n" * 50])
def test_a_blank_file_is_refused_as_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blank.nt"
    path.write_bytes(content)
    assert "the input is empty" in _file_message(path, "nt")


def test_a_file_that_grows_past_the_limit_while_read_is_refused() -> None:
    reader = _file_stream.BoundedReader(io.BufferedReader(io.BytesIO(b"x" * 100)), "grows", 60)
    stream = io.BufferedReader(reader, buffer_size=16)
    with pytest.raises(ReadError, match="grew past 60 bytes"):
        stream.read()


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.ttl"
    path.write_bytes(b"<a> <b> <c> .\n" * 100)
    with pytest.raises(ReadError, match="the limit is"):
        dcat.read_graph(path, max_bytes=100)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
@pytest.mark.parametrize("tail", [b"\xe2\x82", b"\xc3", b"\xf0\x9f\x98"])
def test_a_character_cut_by_the_end_of_the_file_is_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, tail: bytes
) -> None:
    data = '<a> <b> "é €" .\n# end'.encode() + tail
    path = tmp_path / "cut.ttl"
    path.write_bytes(data)
    monkeypatch.setattr(_file_stream, "_CHUNK", chunk)
    assert _file_message(path, "turtle") == _whole_message(data, "turtle")
