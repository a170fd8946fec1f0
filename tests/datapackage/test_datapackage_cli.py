"""`cdinterop datapackage write|read` and `cdinterop validate` on packages, as a user runs them."""

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "marine-litter-ghana" / "dataset.json"
runner = CliRunner()


def test_write_zip_validate_and_read_back(tmp_path: Path) -> None:
    target = tmp_path / "litter.zip"
    result = runner.invoke(app, ["datapackage", "write", str(EXAMPLE), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "datapackage.json" in zipfile.ZipFile(target).namelist()
    result = runner.invoke(app, ["validate", str(target)])
    assert result.exit_code == 0, result.output
    back = tmp_path / "back.json"
    result = runner.invoke(app, ["datapackage", "read", str(target), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert cdinterop.load(back) == cdinterop.load(EXAMPLE)


def test_validate_folder_reports_planted_problems(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    assert (
        runner.invoke(app, ["datapackage", "write", str(EXAMPLE), "-o", str(folder)]).exit_code == 0
    )
    csv = folder / "observations.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",KETA,", ",NOWHERE,", 1), "utf-8")
    result = runner.invoke(app, ["validate", str(folder), "--json"])
    assert result.exit_code == 1
    codes = {issue["code"] for issue in json.loads(result.stdout)["issues"]}
    assert "unknown-code" in codes


def test_traversal_in_a_package_is_a_clean_error(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    descriptor = {
        "name": "evil",
        "resources": [{"name": "data", "path": "../../etc/passwd", "schema": {"fields": []}}],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    result = runner.invoke(
        app, ["datapackage", "read", str(folder), "-o", str(tmp_path / "x.json")]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "root:" not in result.output
    assert not (tmp_path / "x.json").exists()
