"""The services example converted once for the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop._cli import app

from .helpers import KEY, SPEC, SUBMISSION


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The services example converted as tests/test_convert.py does (report.html removed,
    should convert write one)."""
    out = tmp_path_factory.mktemp("report") / "services"
    result = CliRunner().invoke(
        app,
        ["convert", str(SUBMISSION), "-m", str(SPEC), "-o", str(out), "--to", "model"],
        env={"CDINTEROP_PSEUDONYM_KEY": KEY},
    )
    assert result.exit_code == 0, result.output
    (out / "report.html").unlink(missing_ok=True)
    return out
