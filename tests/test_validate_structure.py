"""`cdinterop validate` on SDMX-ML structure messages and on files it does not check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop import sdmx
from cdinterop._cli import app
from cdinterop.checking import UnsupportedFileError, check_file, checker_for

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
runner = CliRunner()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import cdinterop

    folder = tmp_path_factory.mktemp("sdmx")
    sdmx.write_all(cdinterop.load(EXAMPLE), folder)
    return folder


@pytest.mark.parametrize("name", ["structure-2.1.xml", "structure-3.0.xml"])
def test_structure_messages_are_checked(written: Path, name: str) -> None:
    kind, issues = check_file(written / name)
    assert kind == "SDMX-ML structure message" and issues == []
    result = runner.invoke(app, ["validate", str(written / name)])
    assert result.exit_code == 0, result.output


def test_an_invalid_structure_message_is_reported_by_line(written: Path, tmp_path: Path) -> None:
    text = (written / "structure-2.1.xml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace('agencyID="', 'agencyID="bad ', 1), encoding="utf-8")
    kind, issues = check_file(bad)
    assert kind == "SDMX-ML structure message"
    assert issues and all(i.code == "xsd" and i.location.startswith("bad.xml:") for i in issues)
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1


def test_other_json_is_not_taken_for_a_data_set(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"ingest": {"rows_read": 3}, "files": []}), encoding="utf-8")
    with pytest.raises(UnsupportedFileError):
        checker_for(summary)
    result = runner.invoke(app, ["validate", str(summary)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert (
        "cannot check" in result.output and "not a kind of file cdinterop checks" in result.output
    )
    broken = tmp_path / "dataset.json"
    broken.write_text('{"id": "X", "title": 1}', encoding="utf-8")  # a data set, invalid
    assert checker_for(broken).name == "cdinterop data set (JSON)"


def test_a_truncated_structure_message_cannot_be_read(written: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.xml"
    cut.write_bytes((written / "structure-2.1.xml").read_bytes()[:3000])
    result = runner.invoke(app, ["validate", str(cut)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "cannot read" in result.output and "not well-formed XML" in result.output


def test_a_doctype_is_refused_with_its_reason(written: Path, tmp_path: Path) -> None:
    data = (written / "data-ml21-ss.xml").read_bytes()
    at = data.index(b"?>") + 2
    hostile = tmp_path / "dtd.xml"
    hostile.write_bytes(data[:at] + b'<!DOCTYPE x [<!ENTITY e "x">]>' + data[at:])
    result = runner.invoke(app, ["validate", str(hostile)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "declares a DTD or entities" in result.output


def test_reading_a_structure_message_as_data_points_to_read_structure(written: Path) -> None:
    from cdinterop.errors import ReadError

    with pytest.raises(ReadError, match="structure message, not data: read it with"):
        sdmx.read(written / "structure-2.1.xml")


def test_a_data_set_json_in_any_key_order_is_checked(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    reordered = {"provenance": data.pop("provenance"), **data}  # > 4 KB before any id
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(reordered, indent=2), encoding="utf-8")
    assert checker_for(path).name == "cdinterop data set (JSON)"
    assert check_file(path)[1] == []


def test_a_long_comment_before_the_structure_root(written: Path, tmp_path: Path) -> None:
    text = (written / "structure-2.1.xml").read_text(encoding="utf-8")
    end = text.index("?>") + 2
    licence = "<!-- " + "licence text " * 600 + "-->\n"  # about 8 KB
    path = tmp_path / "commented.xml"
    path.write_text(text[:end] + "\n" + licence + text[end:], encoding="utf-8")
    assert checker_for(path).name == "SDMX-ML structure message"
