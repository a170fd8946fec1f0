"""Generated parts of the documentation are up to date."""

import runpy
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_ingest_reference_is_current() -> None:
    render = runpy.run_path(str(DOCS / "render_reference.py"))
    assert render["main"](["--check"]) == 0, "run: python docs/render_reference.py"
