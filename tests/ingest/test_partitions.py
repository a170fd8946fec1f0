"""CSV byte-range partitions: the ranges of a file together read what the whole file reads.

Every fixture is generated here, in a temporary folder.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import random
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.errors import Issue, ReadError
from cdinterop.ingest._sources import (
    ByteRange,
    Layout,
    SourceOptions,
    open_submission,
    split_csv,
)
from cdinterop.ingest._sources.partitions import header_end, plan_ranges, scan_range


def _read(path: Path, options: SourceOptions, part: ByteRange | None = None) -> tuple[
    pa.Table, list[Issue], str
]:  # fmt: skip
    with open_submission(path, options, part=part) as sub:
        table = pa.Table.from_batches(list(sub.batches()), schema=sub.schema)
        return table, sub.problems(), sub.info.sha256


def _assert_same(path: Path, options: SourceOptions, parts: list[ByteRange]) -> None:
    """The partitions' batches and problems, concatenated, equal the whole file's."""
    whole, whole_problems, _ = _read(path, options)
    tables: list[pa.Table] = []
    problems: list[Issue] = []
    for part in parts:
        table, found, sha = _read(path, options, part)
        tables.append(table)
        problems.extend(found)
        data = path.read_bytes()[part.start : part.end]
        if not part.is_whole():
            assert sha == hashlib.sha256(data).hexdigest()
    joined = pa.concat_tables(tables)
    assert joined.column_names == whole.column_names
    for name in whole.column_names:
        assert joined.column(name).to_pylist() == whole.column(name).to_pylist(), name
    assert problems == whole_problems


def _contiguous(path: Path, parts: list[ByteRange]) -> None:
    size = path.stat().st_size
    assert parts[-1].end == size
    for before, after in itertools.pairwise(parts):
        assert before.end == after.start
        assert path.read_bytes()[after.start - 1 : after.start] == b"\n"


# -- random CSV files ------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.sampled_from(list("ab ,;\"\n\r\té1")), min_size=0, max_size=12
)  # fmt: skip


@st.composite
def _csv_files(draw: st.DrawFn) -> tuple[bytes, str, str]:
    """A CSV file as bytes (quoted fields with delimiters, doubled quotes, embedded
    newlines, CRLF or LF, maybe a BOM, blank lines, rows with too many or too few fields),
    its encoding and delimiter."""
    delimiter = draw(st.sampled_from([",", ";"]))
    width = draw(st.integers(1, 4))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow([f"c{i}" for i in range(width)])
    rows = draw(st.lists(st.lists(_TEXT, min_size=width, max_size=width), max_size=40))
    kinds = ["ok"] * 6 + ["blank", "wide", "narrow"]
    if draw(st.integers(0, 3)) == 0:  # a file that cannot be split: one range
        kinds.append("stray")
    for row in rows:
        kind = draw(st.sampled_from(kinds))
        if kind == "blank":
            buffer.write(newline)
        elif kind == "wide":
            writer.writerow([*row, "extra", "more"])
        elif kind == "narrow" and width > 1:
            writer.writerow(row[:-1])
        elif kind == "stray":
            buffer.write(delimiter.join(['x"y', *row[1:]]).replace("\n", " ") + newline)
        else:
            writer.writerow(row)
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    data = text.encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    return data, encoding, delimiter


@given(_csv_files(), st.integers(2, 12), st.randoms(use_true_random=False))
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_partitions_read_what_the_whole_file_reads(
    generated: tuple[bytes, str, str], count: int, rng: random.Random
) -> None:
    data, encoding, delimiter = generated
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.csv"
        path.write_bytes(data)
        options = SourceOptions(encoding=encoding, delimiter=delimiter, batch_rows=7)
        try:
            _read(path, options)
        except ReadError:  # a file that cannot be read at all: nothing to partition
            return
        target = max(1, len(data) // count)
        parts = split_csv(path, options, target_bytes=target)
        _contiguous(path, parts)
        _assert_same(path, options, parts)
        # phase 1 over random cut points, phase 2 on them: still the same records
        start = header_end(path, 1)
        cuts = sorted({rng.randrange(start, len(data) + 1) for _ in range(count)} | {start})
        edges = [*cuts, len(data)] if cuts[-1] != len(data) else cuts
        scans = [
            scan_range(path, lo, hi, delimiter=delimiter, data_start=start)
            for lo, hi in itertools.pairwise(edges)
        ]
        head = scan_range(path, 0, start, delimiter=delimiter, data_start=0)
        planned = plan_ranges(path, scans, header_quotes=head.quotes, header_lines=head.newlines)
        _contiguous(path, planned)
        _assert_same(path, options, planned)


# -- examples --------------------------------------------------------------------------


def _records(count: int) -> str:
    lines = ["id,name,comment"]
    for i in range(count):
        comment = f'"two lines {i}\nwith ""quotes"", and a comma"' if i % 7 == 0 else f"c {i}"
        lines.append(f"{i},n{i},{comment}")
        if i % 13 == 0:
            lines.append(f"{i},too,many,fields")
        if i % 17 == 0:
            lines.append("")
    return "\r\n".join(lines) + "\r\n"


def test_a_file_is_split_at_record_boundaries_with_true_lines(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("\ufeff" + _records(3000), encoding="utf-8")
    options = SourceOptions()
    parts = split_csv(path, options, target_bytes=4096)
    assert len(parts) > 10
    _contiguous(path, parts)
    data = path.read_bytes()
    assert parts[0].start == len(codecs.BOM_UTF8) + len("id,name,comment\r\n")
    for part in parts:  # first_line: the physical line the range starts on
        assert part.first_line == data[: part.start].count(b"\n") + 1
    _assert_same(path, options, parts)
    with open_submission(path, part=parts[3]) as sub:
        rows = [row for batch in sub.batches() for row in batch.column("_row").to_pylist()]
        assert rows[0] == parts[3].first_line
        assert sub.info.size == path.stat().st_size
        assert sub.info.sha256 == hashlib.sha256(data[parts[3].start : parts[3].end]).hexdigest()


def test_lines_above_the_header_are_carried(tmp_path: Path) -> None:
    path = tmp_path / "skip.csv"
    body = _records(2000).split("\r\n", 1)[1]
    path.write_text("title line\r\nid,name,comment\r\n" + body, encoding="utf-8")
    options = SourceOptions(header_row=2)
    parts = split_csv(path, options, target_bytes=4096)
    assert len(parts) > 5
    assert parts[0].first_line == 3
    _assert_same(path, options, parts)


@pytest.mark.parametrize("head", ['id,"na\r\nme",comment\r\n', 'x\nid,"na\nme",comment\n'])
def test_a_header_of_two_lines_is_not_split(tmp_path: Path, head: str) -> None:
    """pyarrow skips the header by newline, not by record: the reader's line numbers
    then depend on the header's text, which a range after the first would not repeat."""
    path = tmp_path / "both.csv"
    body = _records(2000).split("\r\n", 1)[1]
    path.write_text(head + body, encoding="utf-8")
    options = SourceOptions(header_row=1 if head.startswith("id") else 2)
    assert split_csv(path, options, target_bytes=4096) == [ByteRange.whole(path)]


@pytest.mark.parametrize(
    ("name", "content", "encoding"),
    [
        ("stray.csv", "id,size\n" + '1,5" tall\n' * 900 + '2,"ok"\n' * 900, "utf-8"),
        ("odd.csv", "id,note\n" + "1,fine\n" * 2000 + '2,"never closed\n', "utf-8"),
        ("wide.csv", "id,note\n" + '1,"a\nb"\n' * 2000, "utf-16"),
    ],
)
def test_files_that_cannot_be_split_safely_are_one_range(
    tmp_path: Path, name: str, content: str, encoding: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding=encoding)
    parts = split_csv(path, SourceOptions(), target_bytes=1024)
    assert parts == [ByteRange.whole(path)]
    assert parts[0].is_whole()


def test_small_files_and_other_layouts_are_one_range(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text(_records(50), encoding="utf-8")
    assert split_csv(path, target_bytes=path.stat().st_size) == [ByteRange.whole(path)]
    json_path = tmp_path / "records.json"
    json_path.write_text('[{"a": "1"}]' + " " * 5000, encoding="utf-8")
    options = SourceOptions(layout=Layout.JSON)
    assert split_csv(json_path, options, target_bytes=100) == [ByteRange.whole(json_path)]
    with pytest.raises(ValueError, match="only CSV"):
        open_submission(json_path, options, part=ByteRange(str(json_path), 5, 10, 1))


def test_a_whole_file_range_reads_as_today(tmp_path: Path) -> None:
    path = tmp_path / "whole.csv"
    path.write_text(_records(300), encoding="utf-8")
    whole, problems, sha = _read(path, SourceOptions())
    again, again_problems, again_sha = _read(path, SourceOptions(), ByteRange.whole(path))
    assert again.equals(whole)
    assert again_problems == problems
    assert sha == again_sha == hashlib.sha256(path.read_bytes()).hexdigest()
