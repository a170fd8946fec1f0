"""Mistakes a user makes with `cdinterop ingest`/`convert` and the library: each one is a
clear, located `CdinteropError` (exit 2 on the command line), never an internal error.

The services-survey mapping and its KoboToolbox CSV export are the user-acceptance setup;
the faulty files are made in ``tmp_path``.
"""

from __future__ import annotations

import csv
import gzip
import inspect
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from cdinterop._cli import app
from cdinterop.errors import ReadError
from cdinterop.ingest import Layout, SourceOptions, load_key, open_submission
from cdinterop.ingest._run import IngestError, ingest
from cdinterop.ingest._sources.base import Submission
from cdinterop.ingest._spec import IngestSpec
from cdinterop.ingest._transforms.pseudonyms import MIN_KEY_BYTES
from cdinterop.mapping import load_spec

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "mappings" / "services-survey-kobo.yaml"
EXPORT = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
KEY_ENV = {"CDINTEROP_PSEUDONYM_KEY": "a-long-secret-key-for-the-tests"}

runner = CliRunner()


def _flat(text: str) -> str:
    """The text with line wrapping (of the terminal output) undone."""
    return " ".join(text.split())


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=KEY_ENV if env is None else env)
    return result.exit_code, _flat(result.output)


def _kobo_xlsx(path: Path) -> Path:
    """The first rows of the example export as an XLSX workbook."""
    with EXPORT.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[:6]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


# -- 1. a file that is not what the layout says -----------------------------------------


@pytest.mark.parametrize("layout", [Layout.KOBO_CSV, Layout.CSV, Layout.ODK_CSV, Layout.JSON])
def test_xlsx_given_to_a_text_layout(tmp_path: Path, layout: Layout) -> None:
    path = _kobo_xlsx(tmp_path / "kobo.xlsx")
    with pytest.raises(ReadError) as info:
        open_submission(path, SourceOptions(layout=layout))
    message = str(info.value)
    wanted = "kobo-xlsx" if layout.is_kobo else "xlsx"
    assert f"kobo.xlsx is an XLSX workbook, but the layout asked for is {layout.value}" in message
    assert "source.layout in the spec" in message and f"use {wanted} (or auto)" in message


def test_xlsx_given_to_the_kobo_csv_spec_exits_2(tmp_path: Path) -> None:
    path = _kobo_xlsx(tmp_path / "kobo.xlsx")
    code, output = _cli("ingest", str(path), "-m", str(MAPPING), "-o", str(tmp_path / "out"))
    assert code == 2, output
    assert "kobo.xlsx is an XLSX workbook, but the layout asked for is kobo-csv" in output
    assert "use kobo-xlsx (or auto)" in output and "internal error" not in output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"_uuid,name\nu1,\x00\x01\x02\n", "holds binary data (a NUL byte at byte offset 14)"),
        (gzip.compress(b"_uuid,name\nu1,a\n"), "is a gzip-compressed file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "is a legacy Excel workbook (.xls)"),
    ],
    ids=["nul-bytes", "gzip", "xls"],
)
@pytest.mark.parametrize("layout", [Layout.AUTO, Layout.KOBO_CSV])
def test_binary_content_given_as_csv(
    tmp_path: Path, content: bytes, expected: str, layout: Layout
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=re.escape(f"export.csv {expected}")):
        open_submission(path, SourceOptions(layout=layout))


def test_other_zip_given_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export/submissions.csv", "_uuid,name\nu1,a\n")
    with pytest.raises(ReadError, match=r"is a ZIP archive.*unzip it"):
        open_submission(path, SourceOptions(layout=Layout.CSV))


def test_utf16_is_not_taken_for_binary(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes("_uuid,name\nu1,Zoë\n".encode("utf-16-le"))
    with open_submission(path, SourceOptions(layout=Layout.KOBO_CSV)) as sub:
        rows = [row for batch in sub.batches() for row in batch.to_pylist()]
    assert rows == [{"_uuid": "u1", "name": "Zoë", "_row": 2}]


def test_csv_parser_error_in_the_header_is_a_located_read_error(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "long.csv"
    path.write_text("a,b\n" + "x" * 200_000 + ",c\n1,2\n", encoding="utf-8")
    # the csv module's default field limit (importing frictionless raises it for the process)
    limit = csv.field_size_limit(131_072)
    try:
        with pytest.raises(ReadError, match=r"long\.csv: the CSV header cannot be parsed at line"):
            open_submission(path, SourceOptions(header_row=2))
    finally:
        csv.field_size_limit(limit)


def test_carriage_return_line_endings_are_read(tmp_path: Path) -> None:
    """Old Mac line endings used to escape as a bare ``csv.Error`` from the sniffer."""
    path = tmp_path / "mac.csv"
    path.write_bytes(b"_uuid,name\ru1,a\ru2,b\r")
    with open_submission(path) as sub:
        rows = [row for batch in sub.batches() for row in batch.to_pylist()]
    assert sub.columns == ("_uuid", "name")
    assert [row["_uuid"] for row in rows] == ["u1", "u2"]


@pytest.mark.parametrize(
    ("layout", "name", "expected"),
    [
        (Layout.KOBO_XLSX, "sub.csv", "but the layout asked for is kobo-xlsx"),
        (Layout.XLSX, "sub.csv", "but the layout asked for is xlsx"),
        (Layout.AUTO, "sub.xlsx", "despite its suffix: rename it to .csv"),
    ],
)
def test_csv_given_to_an_xlsx_layout(
    tmp_path: Path, layout: Layout, name: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(EXPORT.read_bytes())
    with pytest.raises(ReadError) as info:
        open_submission(path, SourceOptions(layout=layout))
    message = str(info.value)
    assert f"{name} looks like CSV text, not an XLSX workbook" in message
    assert expected in message
    if layout is not Layout.AUTO:
        fits = "kobo-csv" if layout.is_kobo else "csv"
        assert message.endswith(f"use {fits} (or auto)")


def test_csv_given_to_a_kobo_xlsx_spec_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = MAPPING.read_text(encoding="utf-8")
    spec.write_text(text.replace("layout: kobo-csv", "layout: kobo-xlsx"), encoding="utf-8")
    code, output = _cli("ingest", str(EXPORT), "-m", str(spec), "-o", str(tmp_path / "out"))
    assert code == 2, output
    assert "submissions-kobo.csv looks like CSV text, not an XLSX workbook" in output
    assert "use kobo-csv (or auto)" in output


# -- 2. the encoding advice names the spec and Python -----------------------------------


def test_encoding_advice_names_the_spec_and_python(tmp_path: Path) -> None:
    path = tmp_path / "sub.csv"
    path.write_bytes("_uuid,name\nu1,Zoë\n".encode() + b"u2,Jos\xe9\n")
    with pytest.raises(ReadError) as info, open_submission(path) as sub:
        list(sub.batches())
    message = str(info.value)
    assert "at byte offset 25 (line 3)" in message
    assert "in the spec (source: {encoding: cp1252}" in message
    assert "in Python (SourceOptions(encoding='cp1252'))" in message


# -- 3. a column the file does not have -------------------------------------------------


def _misspelt_spec(tmp_path: Path) -> Path:
    spec = tmp_path / "spec.yaml"
    text = MAPPING.read_text(encoding="utf-8")
    wrong = text.replace("from: respondent/disability\n", "from: respondent/disabilty\n")
    assert wrong != text
    spec.write_text(wrong, encoding="utf-8")
    return spec


def test_unknown_column_is_named_with_a_suggestion(tmp_path: Path) -> None:
    spec = load_spec(_misspelt_spec(tmp_path), IngestSpec)
    path = tmp_path / "sub.csv"
    path.write_bytes(EXPORT.read_bytes())
    with pytest.raises(IngestError) as info:
        ingest(path, spec, key=KEY_ENV["CDINTEROP_PSEUDONYM_KEY"].encode())
    message = str(info.value)
    assert (
        "components.DISABILITY_STATUS.from: no column 'respondent/disabilty' in sub.csv "
        "(did you mean 'respondent/disability'?)"
    ) in message
    listed = message.rsplit("(the file has: ", 1)[1]
    assert "respondent/disability" in listed and "_uuid" in listed
    assert "_validation_status_raw" not in message


def test_unknown_column_in_a_filter_and_the_cli(tmp_path: Path) -> None:
    spec = _misspelt_spec(tmp_path)
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("{_validation_status: [approved]}", "{_validaton_status: [x]}"))
    path = tmp_path / "sub.csv"
    path.write_bytes(EXPORT.read_bytes())
    code, output = _cli("ingest", str(path), "-m", str(spec), "-o", str(tmp_path / "out"))
    assert code == 2, output
    assert (
        "rows.not-approved.keep: no column '_validaton_status' in sub.csv "
        "(did you mean '_validation_status'?)"
    ) in output
    assert "no column 'respondent/disabilty'" in output
    assert "_validation_status_raw" not in output


# -- 4. a key that is there but cannot be used ------------------------------------------


def test_short_key_is_not_called_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDINTEROP_PSEUDONYM_KEY", "short-k3y")
    spec = load_spec(MAPPING, IngestSpec)
    with pytest.raises(IngestError) as info:
        ingest(EXPORT, spec)
    message = str(info.value)
    assert message.startswith(
        "the pseudonymisation key (privacy.key: env:CDINTEROP_PSEUDONYM_KEY) cannot be used: "
        f"it is too short: it needs at least {MIN_KEY_BYTES} bytes"
    )
    assert "no pseudonymisation key" not in message and "short-k3y" not in message


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"CDINTEROP_PSEUDONYM_KEY": "short-k3y"}, "cannot be used: it is too short"),
        ({}, "cannot be used: environment variable CDINTEROP_PSEUDONYM_KEY"),
    ],
    ids=["short", "unset"],
)
def test_key_problems_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], reason: str
) -> None:
    monkeypatch.delenv("CDINTEROP_PSEUDONYM_KEY", raising=False)
    code, output = _cli(
        "ingest", str(EXPORT), "-m", str(MAPPING), "-o", str(tmp_path / "out"), env=env
    )
    assert code == 2, output
    assert "the pseudonymisation key (privacy.key: env:CDINTEROP_PSEUDONYM_KEY)" in output
    assert reason in output and "short-k3y" not in output
    assert "no pseudonymisation key" not in output


# -- 5. load_key states its minimum -----------------------------------------------------


def test_load_key_docstring_states_the_minimum() -> None:
    doc = inspect.getdoc(load_key) or ""
    assert "MIN_KEY_BYTES" not in doc
    assert f"at least {MIN_KEY_BYTES} bytes" in doc


# -- 6. the reader's public API is documented -------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "info",
        "path",
        "columns",
        "file_columns",
        "schema",
        "rows_read",
        "problems",
        "batches",
        "close",
        "__enter__",
        "__exit__",
    ],
)
def test_submission_members_have_docstrings(name: str) -> None:
    member = inspect.getattr_static(Submission, name)
    function = member.fget if isinstance(member, property) else member
    doc = inspect.getdoc(function) or ""
    assert len(doc) > 40, f"Submission.{name} needs a docstring"
    assert "module docs" not in doc


def test_submission_and_open_submission_docstrings_are_self_contained() -> None:
    for documented in (Submission, open_submission):
        doc = inspect.getdoc(documented) or ""
        assert "module docs" not in doc
        assert "with open_submission(" in doc
        for part in ("batches()", "problems()", "info", "rows_read"):
            assert part in doc, (documented, part)


def test_open_submission_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = inspect.getdoc(open_submission) or ""
    after = doc.split("::\n", 1)[1].splitlines()
    block = []
    for line in after:
        if line and not line.startswith("    "):
            break
        block.append(line.removeprefix("    "))
    monkeypatch.chdir(EXPORT.parent)
    namespace: dict[str, object] = {}
    exec(compile("\n".join(block), "open_submission.__doc__", "exec"), namespace)
    assert isinstance(namespace["rows"], int) and namespace["rows"] > 0
