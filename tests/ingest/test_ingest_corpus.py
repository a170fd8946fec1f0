"""`cdinterop ingest` on malformed submissions (tests/corpus/ingest): a clear error or
rejects, never a traceback, and never a row lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop._cli import app

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "ingest"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
runner = CliRunner()


def _run(submission: Path, spec: Path, out: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["ingest", str(submission), "-m", str(spec), "-o", str(out)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    spec = CORPUS / "spec.yaml"
    if name.endswith("-declared.csv"):
        spec = tmp_path / "spec.yaml"
        text = (CORPUS / "spec.yaml").read_text(encoding="utf-8")
        spec.write_text(text.replace("{layout: csv}", "{layout: csv, encoding: latin-1}"))
    out = tmp_path / "out"
    code, output = _run(CORPUS / name, spec, out)
    assert code == expected["exit"], output
    if "message" in expected:
        assert expected["message"] in output
    if code == 0:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        for key in ("rows_read", "accepted", "rejected"):
            if key in expected:
                assert summary[key] == expected[key], (key, summary)
        assert (
            summary["rows_read"] == summary["accepted"] + summary["filtered"] + summary["rejected"]
        )
        rejects = (out / "rejects.csv").read_text(encoding="utf-8").splitlines()
        rows = {line.split(",")[0] for line in rejects[1:]}
        assert len(rows) == summary["rejected"]  # each rejected row is in the rejects file


def test_a_10_mb_field_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,gender,age,month\n1,F,23,2024-06\n")
        handle.write('2,F,"' + "x" * 10_000_000 + '",2024-06\n3,M,45,2024-07\n')
    out = tmp_path / "out"
    code, output = _run(path, CORPUS / "spec.yaml", out)
    assert code == 0, output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["rows_read"], summary["accepted"], summary["rejected"]) == (3, 2, 1)
    assert (out / "rejects.csv").stat().st_size < 10_000  # the field is not copied whole
