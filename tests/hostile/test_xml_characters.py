"""Text that XML 1.0 cannot carry (control characters, NUL, lone surrogates) in metadata
is refused by the SDMX-ML structure writer with a located WriteError (a ValueError from
lxml before), and by the CLI with exit 2; nothing is written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop import sdmx
from cdinterop._cli import app
from cdinterop.errors import WriteError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
runner = CliRunner()


@pytest.mark.parametrize("bad", ["Beach\x01litter", "NUL\x00", "lone \ud800 surrogate"])
@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_structure_writer_names_the_place(bad: str, version: str) -> None:
    ds = cdinterop.load(EXAMPLE).replace(title={"en": bad})
    with pytest.raises(WriteError, match=r"Dataflow DF_MARINE_LITTER_GH com:Name: .*XML 1\.0"):
        sdmx.write_structure(ds, io.BytesIO(), version=version)


def test_the_cli_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    ds = cdinterop.load(EXAMPLE)
    st = ds.structure
    codelist = st.codelists[0]
    code = codelist.codes[0].model_copy(update={"name": {"en": "bad\x07bell"}})
    codelist = codelist.model_copy(update={"codes": (code, *codelist.codes[1:])})
    bad = ds.replace(structure=st.model_copy(update={"codelists": (codelist, *st.codelists[1:])}))
    source = tmp_path / "dataset.json"
    cdinterop.save(bad, source)
    out = tmp_path / "sdmx"
    result = runner.invoke(app, ["sdmx", "write", str(source), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert f"Codelist {codelist.id}" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())
