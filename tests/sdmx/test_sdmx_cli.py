"""`cdinterop sdmx write|read` and `cdinterop validate` on SDMX files, as a user runs them."""

from pathlib import Path

from typer.testing import CliRunner

import cdinterop
from cdinterop import sdmx
from cdinterop._cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "marine-litter-ghana" / "dataset.json"
runner = CliRunner()


def test_write_all_formats_then_read_back(tmp_path: Path) -> None:
    out = tmp_path / "sdmx"
    result = runner.invoke(app, ["sdmx", "write", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(sdmx.planned_files(cdinterop.load(EXAMPLE)))
    assert len(names) == len(sdmx.STRUCTURE_FILES) + len(sdmx.FORMATS)
    back = tmp_path / "back.json"
    result = runner.invoke(app, ["sdmx", "read", str(out / "data-ml21-ss-ts.xml"), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert cdinterop.load(back) == cdinterop.load(EXAMPLE)
    for path in out.glob("data-*"):
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 0, (path.name, result.output)


def test_write_selected_formats(tmp_path: Path) -> None:
    args = ["sdmx", "write", str(EXAMPLE), "-o", str(tmp_path), "-f", "csv20", "-f", "ml30-ss"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "data-csv20.csv",
        "data-ml30-ss.xml",
        "structure-2.0.json",
        "structure-2.1.json",
        "structure-2.1.xml",
        "structure-3.0.xml",
    ]


def test_unknown_format_is_a_clean_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sdmx", "write", str(EXAMPLE), "-o", str(tmp_path), "-f", "xls"])
    assert result.exit_code == 2
    assert "unknown SDMX format" in result.output and "Traceback" not in result.output


def test_validate_reports_bad_sdmx_with_rows(tmp_path: Path) -> None:
    sdmx.write_all(cdinterop.load(EXAMPLE), tmp_path, formats=["ml21-ss"])
    path = tmp_path / "data-ml21-ss.xml"
    path.write_bytes(path.read_bytes().replace(b'BEACH="KETA"', b'BEACH="NOPE"'))
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    assert '"code": "unknown-code"' in result.stdout and '"code": "xsd"' in result.stdout


def test_validate_without_structure_is_unreadable(tmp_path: Path) -> None:
    sdmx.write_all(cdinterop.load(EXAMPLE), tmp_path, formats=["csv10"])
    for name in sdmx.STRUCTURE_FILES.values():
        (tmp_path / name).unlink()
    result = runner.invoke(app, ["validate", str(tmp_path / "data-csv10.csv")])
    assert result.exit_code == 2
    assert "no structure given" in " ".join(result.output.split())


SHARED_SDG = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "standards"
    / "sdmx"
    / "IAEG-SDGs_SDG_1.0_structure.xml"
)
MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def test_conform_to_sdg_from_the_command_line(tmp_path: Path) -> None:
    import pytest

    if not SHARED_SDG.is_file():
        pytest.skip(f"the SDG DSD copy is absent ({SHARED_SDG})")
    services = EXAMPLE.parent.parent / "public-services-satisfaction" / "dataset.json"
    args = [
        "sdmx",
        "conform",
        str(services),
        "-s",
        str(SHARED_SDG),
        "-m",
        str(MAPPINGS / "services-satisfaction-to-sdg.yaml"),
        "-o",
        str(tmp_path / "ok"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "rows in: 883, rows out: 36" in " ".join(result.output.split())
    conformed = cdinterop.load(tmp_path / "ok" / "dataset.json")
    assert conformed.structure.id == "SDG" and len(conformed.observations) == 36
    args = [
        "sdmx",
        "conform",
        str(EXAMPLE),
        "-s",
        str(SHARED_SDG),
        "-m",
        str(MAPPINGS / "marine-litter-to-sdg.yaml"),
        "-o",
        str(tmp_path / "no"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "'EN_MAR_BEALITSQ' is not a code of CL_SERIES" in flat
    assert not (tmp_path / "no").exists()
