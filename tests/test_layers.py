"""The layer plan of docs/architecture.md, enforced on the source.

Every ``import`` in ``src/cdinterop`` (also the ones inside functions) is read with ``ast``:

- imports point down the layers, never up, and the three format packages do not import
  each other;
- a package reaches another package only through its public façade (``cdinterop.model``)
  or its one documented internal module (``cdinterop.model._internal``); the private
  support modules at the root (``cdinterop._files`` …) are the foundation every layer
  may use.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "cdinterop"

LAYERS: dict[str, int] = {
    # 0 foundation: errors, limits and the private support modules at the root
    "errors": 0,
    "issue_codes": 0,
    "limits": 0,
    "_extras": 0,
    "_lazy": 0,
    "_collector": 0,
    "_files": 0,
    "_formulas": 0,
    "_publish": 0,
    "_safe_xml": 0,
    "_version": 0,
    "model": 1,
    "codes": 2,
    "mapping": 3,
    "frames": 3,  # from_frame(): model and codes only
    # 4: the formats, independent of each other
    "sdmx": 4,
    "datapackage": 4,
    "dcat": 4,
    # 5: computations over the model and the formats
    "formats": 5,
    "conformance": 5,
    "checking": 5,
    "fitness": 5,  # representativeness, raking, intervals; reads SDMX benchmarks
    "quality": 5,  # computed quality measurements of a run
    "datacube": 5,  # observations as an RDF Data Cube, linked to the DCAT description
    "catalog": 5,  # the catalogue store: harvested DCAT in Oxigraph or a SPARQL server
    # 6: aggregation (weighting and intervals from fitness) and the report
    "aggregate": 6,
    "report": 6,  # report.html from summary.json and dataset.json
    "ingest": 7,
    "engines": 8,  # where convert runs the ingest step (Dask)
    "convert": 9,
    "serve": 9,  # the SDMX REST service over output folders (Starlette, uvicorn)
    "draft": 9,
    "schemas": 9,
    "testing": 9,
    "": 10,  # the package façade, cdinterop/__init__.py (its names load on first use)
    "_cli": 11,
    "_cli_catalog": 10,  # `cdinterop catalog ...`, registered by _cli
    "_cli_serve": 10,  # `cdinterop serve`, registered by _cli
    "_cli_audit": 10,  # `cdinterop audit`, registered by _cli
    "__main__": 12,
}
"""Rank of every top-level module or package of cdinterop; imports may only point to a
lower rank (or stay inside their own package)."""

FORMATS = {"sdmx", "datapackage", "dcat"}


@dataclass(frozen=True)
class _Import:
    module: str
    target: str
    line: int

    @property
    def owner(self) -> str:
        return _owner(self.module)

    @property
    def target_owner(self) -> str:
        return _owner(self.target)


def _owner(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports() -> list[_Import]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        package = parts[:-1]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        module = ".".join(parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                targets = [target]
                if target == "cdinterop":  # from cdinterop import sdmx (or load)
                    targets = [
                        f"cdinterop.{alias.name}" if alias.name in LAYERS else "cdinterop"
                        for alias in node.names
                    ]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            found.extend(
                _Import(module, t, node.lineno)
                for t in targets
                if t == "cdinterop" or t.startswith("cdinterop.")
            )
    return found


IMPORTS = _imports()


def test_every_top_level_module_has_a_layer() -> None:
    names = {p.stem if p.is_file() else p.name for p in SRC.iterdir()}
    names = {n for n in names if not n.startswith(".") and n not in {"__pycache__", "py"}}
    names.discard("__init__")
    unranked = sorted(n for n in names if n not in LAYERS and not n.endswith(".typed"))
    assert not unranked, f"give these a layer in tests/test_layers.py and the docs: {unranked}"


def test_imports_point_down() -> None:
    wrong = [
        f"{i.module} (line {i.line}) imports {i.target}"
        for i in IMPORTS
        if i.owner != i.target_owner
        and i.target_owner in LAYERS
        and LAYERS[i.target_owner] >= LAYERS[i.owner]
        and LAYERS[i.owner] > 0  # the foundation's modules may use each other
    ]
    assert not wrong, "imports that point up or sideways:\n" + "\n".join(wrong)


def test_formats_do_not_import_each_other() -> None:
    wrong = [
        f"{i.module} imports {i.target}"
        for i in IMPORTS
        if i.owner in FORMATS and i.target_owner in FORMATS and i.owner != i.target_owner
    ]
    assert not wrong


_PRIVATE = re.compile(r"(^|\.)_(?!_)")


def _allowed_seam(target: str) -> bool:
    """``cdinterop.pkg``, ``cdinterop.pkg._internal`` (or below a public path), or a root
    support module."""
    parts = target.split(".")
    if len(parts) <= 2:
        return True  # cdinterop, cdinterop.model, cdinterop._files
    inner = parts[2:]
    if inner == ["_internal"]:
        return True
    return not any(p.startswith("_") for p in inner)


def test_packages_meet_only_through_public_seams() -> None:
    private = sorted(
        f"{i.module} (line {i.line}) imports {i.target}"
        for i in IMPORTS
        if i.owner != i.target_owner and not _allowed_seam(i.target)
    )
    assert not private, (
        "import what another package offers from its façade or its _internal module:\n"
        + "\n".join(private)
    )


@pytest.mark.parametrize(
    "package", sorted(p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists())
)
def test_an_internal_module_says_who_uses_it(package: str) -> None:
    internal = SRC / package / "_internal.py"
    if not internal.exists():
        return
    doc = ast.get_docstring(ast.parse(internal.read_text(encoding="utf-8")))
    assert doc and "not part of the public API" in doc
