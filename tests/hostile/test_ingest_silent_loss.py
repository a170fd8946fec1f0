"""Every input that loses information is a located problem, a reject or a refusal (issue 14,
point 4), and the ingest readers keep to the reader limits (`cdinterop.limits`)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop import limits
from cdinterop._cli import app
from cdinterop.errors import InvalidDatasetError, ReadError
from cdinterop.ingest import IngestSpec, SourceOptions, SourceSpec, ingest, open_submission
from cdinterop.limits import LimitExceeded
from cdinterop.mapping import load_spec

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SERVICES_SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
KEY = "replace-with-your-own-secret-key"
runner = CliRunner()

SPEC = """\
id: people
version: "1.0"
source: {layout: LAYOUT}
structure:
  id: DSD_PEOPLE
  agency: TEST
  version: "1.0"
  name: {en: People}
  concepts:
    - {id: PERSON, name: {en: Person}}
    - {id: AGE, name: {en: Age}}
  dimensions:
    - {id: PERSON}
  measures:
    - {id: AGE, value_type: decimal}
components:
  PERSON: {from: id}
  AGE: {expression: "number(age) + number(extra)"}
dataset:
  id: DF_PEOPLE
  agency: TEST
  title: {en: People}
  licence: CC-BY-4.0
"""


def _spec(tmp_path: Path, layout: str = "csv", extra: str = "") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.replace("LAYOUT", layout) + extra, encoding="utf-8")
    return path


def _read(path: Path, **options: object) -> tuple[int, int, list[str]]:
    with open_submission(path, SourceOptions(**options)) as sub:  # type: ignore[arg-type]
        rows = sum(batch.num_rows for batch in sub.batches())
        return rows, sub.rows_read, [issue.message for issue in sub.problems()]


# -- CSV: unbalanced quotes --------------------------------------------------------------


def test_a_stray_quote_that_swallows_the_rest_reports_every_row(tmp_path: Path) -> None:
    lines = ["id,name,sex,age", *(f"{i},n{i},F,{20 + i}" for i in range(1, 1207))]
    lines[21] = '21,"stray,F,40'
    path = tmp_path / "stray.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, read, messages = _read(path)
    assert (rows, read) == (20, 1206)  # before: 20 rows read, 1,186 lost without a trace
    assert messages[0].startswith("line 22: a quoted field begins on this line")
    assert "unbalanced quote" in messages[0] and "1185 record(s)" in messages[0]
    assert messages[1].startswith("line 23: swallowed by the unbalanced quote of line 22")
    assert messages[-1].startswith("line 1207: swallowed")


def test_two_stray_quotes_that_make_a_valid_record_are_found(tmp_path: Path) -> None:
    lines = ["id,name,sex,age", *(f"{i},n{i},F,{20 + i}" for i in range(1, 30))]
    lines[21] = '21,"stray,F,40'
    lines[25] = '25,n25",F,44'
    path = tmp_path / "stray.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, read, messages = _read(path)
    assert (rows, read) == (24, 29)  # before: 25 rows read, four lines inside a value
    assert messages[0].startswith("line 22: a quoted field begins on this line")
    assert [m.split(":")[0] for m in messages[1:]] == ["line 23", "line 24", "line 25", "line 26"]


def test_a_record_cut_inside_a_quote_is_named(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text('id,name,sex,age\n1,a,F,20\n2,"cut here', encoding="utf-8")
    rows, read, messages = _read(path)
    assert (rows, read) == (1, 2)
    assert messages == [
        "line 3: the record is cut off inside a quoted field (an unclosed quote runs to the "
        "end of the file; expected 4 fields, found 2); the file looks truncated; the row is "
        "left out"
    ]


def test_a_bit_flipped_kobo_csv_names_the_line_without_noise(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    lines = SERVICES.read_bytes().split(b"\n")
    line = bytearray(lines[795])
    line[line.index(b'";"')] ^= 0x80  # a delimiter's quote becomes an invalid byte
    lines[795] = bytes(line)
    path = tmp_path / "flipped.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(ReadError, match=r"not valid UTF-8 at byte offset [\d,]+ \(line 796\)"):
        _read(path)
    captured = capfd.readouterr()
    assert "Exception ignored" not in captured.err + captured.out


# -- JSON --------------------------------------------------------------------------------


def test_json_duplicate_keys_and_flattening_collisions_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    path.write_text(
        '[{"id": "1", "age": 1, "age": 2}, {"id": "2", "age": 3, "age": 3},'
        ' {"id": "3", "g": {"q": 1}, "g/q": 2}, {"id": "4", "g": {"q": 5}, "g/q": 5}]',
        encoding="utf-8",
    )
    rows, read, messages = _read(path)
    assert (rows, read) == (2, 4)
    assert messages[0].startswith("record 1: the key(s) 'age' appear twice")
    assert messages[1].startswith("record 3: two fields flatten to the column(s) 'g/q'")


def test_json_nested_100000_deep_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('[{"id": "1", "a": ' + "[" * 100_000 + "]" * 100_000 + "}]", encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded, match="nesting = 200") as caught:
            _read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.limit == "nesting"
    assert peak < 50_000_000  # before: 10.4 GB


def test_json_with_20000_distinct_keys_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "wide.json"
    path.write_text(json.dumps([{"id": str(i), f"k{i}": i} for i in range(20_000)]))
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded, match="columns = 10,000"):
            _read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000_000  # before: 4 GiB


def test_source_limits_in_the_spec(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    path.write_text(json.dumps([{"id": str(i), "age": 30, "extra": 1} for i in range(50)]))
    spec = (
        _spec(tmp_path, "json")
        .read_text()
        .replace("source: {layout: json}", "source: {layout: json, limits: {rows: 10}}")
    )
    (tmp_path / "limited.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(LimitExceeded, match="limit rows = 10"):
        ingest(path, tmp_path / "limited.yaml")
    narrow = spec.replace("rows: 10", "columns: 2")
    (tmp_path / "narrow.yaml").write_text(narrow, encoding="utf-8")
    with pytest.raises(LimitExceeded, match="limit columns = 2"):
        ingest(path, tmp_path / "narrow.yaml")
    small = spec.replace("rows: 10", "bytes: 100")  # JSON submissions are streamed
    (tmp_path / "small.yaml").write_text(small, encoding="utf-8")
    assert ingest(path, tmp_path / "small.yaml").summary.accepted == 50
    assert ingest(path, _spec(tmp_path, "json")).summary.accepted == 50


def test_source_limits_are_checked_in_the_spec() -> None:
    with pytest.raises(ValueError, match="unknown limit nope"):
        SourceSpec(limits={"nope": 1})
    with pytest.raises(ValueError, match="positive"):
        SourceSpec(limits={"rows": 0})
    assert SourceSpec(limits={"field_bytes": "64MiB"}).limit_values() == {"field_bytes": 1 << 26}


def test_the_columns_limit_applies_to_a_csv_header(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(50)) + "\n" + ",".join("1" * 50) + "\n")
    with limits.use(columns=20), pytest.raises(LimitExceeded, match="header of 50 columns"):
        _read(path)


# -- encodings, numbers, expressions ------------------------------------------------------


@pytest.mark.parametrize("encoding", ["base64", "rot13", "zip"])
def test_an_encoding_that_is_not_a_text_encoding_is_a_spec_error(
    tmp_path: Path, encoding: str
) -> None:
    with pytest.raises(ValueError, match="is not a text encoding"):
        SourceOptions(encoding=encoding)
    spec = (
        _spec(tmp_path)
        .read_text()
        .replace("source: {layout: csv}", f"source: {{layout: csv, encoding: {encoding}}}")
    )
    (tmp_path / "spec.yaml").write_text(spec, encoding="utf-8")
    (tmp_path / "people.csv").write_text("id,age,extra\n1,2,3\n", encoding="utf-8")
    args = ["ingest", str(tmp_path / "people.csv"), "-m", str(tmp_path / "spec.yaml")]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    with pytest.raises(InvalidDatasetError) as caught:
        load_spec(tmp_path / "spec.yaml", IngestSpec)
    (issue,) = caught.value.issues
    assert issue.location == "source.encoding" and "is not a text encoding" in issue.message


def test_underflow_and_expression_rejects_name_the_export_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,age,extra\n1,30,1\n2,1e-400,1\n3,1e400,1\n4,abc,2\n", encoding="utf-8")
    result = ingest(path, _spec(tmp_path))
    assert result.summary.accepted == 1
    rejects = result.rejects.to_pylist()
    by_row = {(r["row"], r["column"]): r for r in rejects}
    assert by_row[(3, "age")]["value"] == "1e-400"
    assert by_row[(3, "age")]["reason"].startswith("AGE: ")
    assert "not a number" in by_row[(3, "age")]["reason"]  # before: 0, without a note
    assert by_row[(3, "extra")]["value"] == "1"
    assert by_row[(5, "age")]["value"] == "abc"
    assert {r["column"] for r in rejects} == {"age", "extra"}  # before: "AGE", no value


def test_an_expression_over_a_pseudonymised_column_hides_its_value(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,age,extra\n1,30,x\n", encoding="utf-8")
    spec = _spec(tmp_path, extra="privacy: {pseudonymise: [extra]}\n")
    result = ingest(path, spec, key=KEY.encode())
    rejects = {r["column"]: r for r in result.rejects.to_pylist()}
    assert rejects["age"]["value"] == "30" and rejects["extra"]["value"] is None
    assert rejects["extra"]["reason"] == (
        "AGE: the rule fails on a value that is not shown (extra is pseudonymised)"
    )
