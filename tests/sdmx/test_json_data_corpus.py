"""The malformed SDMX-JSON corpus (``tests/corpus/sdmx-json/``): every file fails with a
clear, located error, from Python and from the command line."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop import sdmx
from cdinterop._cli import app
from cdinterop.errors import InvalidDatasetError, ReadError

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "sdmx-json"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
STRUCTURE = CORPUS / "structure-2.1.xml"
READ_ERRORS = sorted(name for name, case in EXPECTED.items() if case["error"] == "read")
NOT_DATA = {"not-sdmx.json", "structure-message.json"}
"""JSON that is not SDMX-JSON data: ``sdmx read`` refuses it, ``validate`` takes it for
another kind of file."""
runner = CliRunner()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_sdmx_json(name: str) -> None:
    expected = EXPECTED[name]
    path = CORPUS / name
    if expected["error"] == "read":
        with pytest.raises(ReadError) as info:
            sdmx.read(path, structure=STRUCTURE)
        assert expected["message"] in str(info.value)
        assert str(info.value).startswith("cannot read ") and path.name in str(info.value)
        return
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(path, structure=STRUCTURE)
    codes = {issue.code for issue in failure.value.issues}
    assert set(expected["codes"]) <= codes, codes
    assert any(expected["message"] in str(issue) for issue in failure.value.issues)


def test_every_corpus_file_is_listed() -> None:
    files = {p.name for p in CORPUS.iterdir()}
    assert files - {"expected.json", "make_corpus.py", "structure-2.1.xml"} == set(EXPECTED)


@pytest.mark.parametrize("name", READ_ERRORS)
def test_the_command_line_says_what_is_wrong(name: str, tmp_path: Path) -> None:
    """``sdmx read`` and ``validate`` exit non-zero with the located reason, no traceback."""
    path = str(CORPUS / name)
    out = tmp_path / "dataset.json"
    result = runner.invoke(app, ["sdmx", "read", path, "-s", str(STRUCTURE), "-o", str(out)])
    assert result.exit_code != 0 and not out.exists()
    assert EXPECTED[name]["message"] in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
    if name in NOT_DATA:
        return  # validate checks them as what they are (a data set's JSON, a structure)
    result = runner.invoke(app, ["validate", path, "--structure", str(STRUCTURE)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_validate_reports_invalid_observations_with_exit_1() -> None:
    result = runner.invoke(
        app, ["validate", str(CORPUS / "unknown-code.json"), "--structure", str(STRUCTURE)]
    )
    assert result.exit_code == 1, result.output
    assert "'X' is not a code of CL_SEX" in " ".join(result.output.split())
