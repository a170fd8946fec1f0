"""Generated parts of the documentation are up to date."""

import re
import runpy
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_ingest_reference_is_current() -> None:
    render = runpy.run_path(str(DOCS / "render_reference.py"))
    assert render["main"](["--check"]) == 0, "run: python docs/render_reference.py"


PAGES = [*sorted(DOCS.glob("*.md")), DOCS.parent / "mappings" / "README.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name if p.parent == DOCS else "mappings")
def test_python_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of the page runs, in order, from the repository root (so
    that no example can rot); console blocks are shown commands, not run here."""
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
    if not blocks:
        pytest.skip(f"{page.name} has no Python example")
    monkeypatch.chdir(DOCS.parent)
    monkeypatch.setenv("CDINTEROP_PSEUDONYM_KEY", "a-long-secret-key-for-the-docs")
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{page.name}[python block {i}]", "exec"), namespace)
