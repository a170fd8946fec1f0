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


SHARED = DOCS.parent.parent / "shared"
_REAL_SDMX = SHARED / "real-world" / "sdmx"
SHARED_FILES = {
    "ZW01_SDG_structure.xml": _REAL_SDMX / "zimbabwe" / "ZW01_SDG_structure.xml",
    "IAEG-SDGs_SDG_1.0_structure.xml": SHARED
    / "standards"
    / "sdmx"
    / "IAEG-SDGs_SDG_1.0_structure.xml",
    "dcat-ap-SHACL.ttl": SHARED / "standards" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl",
}
"""Files of ../shared that examples name by file name alone, as a reader who downloaded
them would; a page that names a missing one is skipped, saying which."""


def _reader_folder(tmp_path: Path, text: str) -> Path:
    """A folder like the repository root (its entries linked), plus the shared files the
    page names: examples run there, so what they write stays out of the checkout."""
    root = tmp_path / DOCS.parent.name
    root.mkdir()
    for entry in DOCS.parent.iterdir():
        if not entry.name.startswith("."):
            (root / entry.name).symlink_to(entry)
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED)  # ../shared, as beside the checkout
    for name, path in SHARED_FILES.items():
        if name in text:
            if not path.is_file():
                pytest.skip(f"the page uses {name}, which is not at {path}")
            (root / name).symlink_to(path)
    return root


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name if p.parent == DOCS else "mappings")
def test_python_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every ```python block of the page runs, in order, from a folder like the repository
    root (so that no example can rot); console blocks are shown commands, not run here."""
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    if not blocks:
        pytest.skip(f"{page.name} has no Python example")
    monkeypatch.chdir(_reader_folder(tmp_path, "\n".join(blocks)))
    # as in a reader's fresh shell: an example that needs the key must say where it comes from
    monkeypatch.delenv("CDINTEROP_PSEUDONYM_KEY", raising=False)
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{page.name}[python block {i}]", "exec"), namespace)


_PRIVATE_IMPORT = re.compile(
    r"^\s*(?:from|import)\s+(cdinterop(?:\.\w+)*)(?:\s+import\s+([\w\s,()]+))?", re.M
)


def _private_imports(text: str) -> list[str]:
    """``cdinterop`` modules or names with a leading underscore that ``text`` imports."""
    found = []
    for module, names in _PRIVATE_IMPORT.findall(text):
        if any(part.startswith("_") for part in module.split(".")):
            found.append(module)
        for name in re.split(r"[\s,()]+", names or ""):
            if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                found.append(f"{module}.{name}")
    return found


EXAMPLE_SOURCES = [
    *PAGES,
    DOCS.parent / "README.md",
    *sorted((DOCS.parent / "examples").glob("*.py")),
]


@pytest.mark.parametrize("source", EXAMPLE_SOURCES, ids=lambda p: str(p.relative_to(DOCS.parent)))
def test_examples_import_only_the_public_api(source: Path) -> None:
    """The documentation teaches the public API only: no example imports a private
    module (``cdinterop.x._y``) or a private name."""
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".md":
        text = "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.S))
    assert not _private_imports(text), f"{source.name} imports private parts of cdinterop"
