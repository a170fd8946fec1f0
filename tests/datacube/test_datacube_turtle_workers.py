"""A large cube's Turtle is written by worker processes: the same triples as one process
writes, one prefix block, and Oxigraph and rdflib read it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

import cdinterop
from cdinterop import datacube
from cdinterop.datacube import _turtle

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "public-services-satisfaction" / "dataset.json"


def _triples(path: Path) -> set[str]:
    return {str(t) for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE)}


def test_workers_write_the_triples_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = cdinterop.load(EXAMPLE)
    alone = datacube.write(ds, tmp_path / "alone.ttl", batch_rows=50)
    monkeypatch.setattr(_turtle, "PARALLEL_FROM", 0)
    parts = datacube.write(ds, tmp_path / "parts.ttl", batch_rows=50)
    assert _triples(parts) == _triples(alone)
    text = parts.read_text(encoding="utf-8")
    assert text.count("@prefix obs:") == 1  # the pieces after the first have no prefixes
    assert len(Graph().parse(parts, format="turtle")) == len(_triples(alone))
