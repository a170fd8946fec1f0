"""The streamed catalogue writer (`dcat.write` of a `Catalog` as Turtle or N-Triples):
data sets described in worker processes, in chunks, the shared nodes once, the model's JSON
literals written as N-Triples statements beside Oxigraph's output.

Oracle: rdflib's own parsers read the file, and the graph must be isomorphic to the one the
in-memory writer (`dcat.to_graph`) makes of the same catalogue, whatever the number of
workers and the chunk size.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import cdinterop
from cdinterop import dcat
from cdinterop.dcat import _catalog_stream
from cdinterop.errors import WriteError
from cdinterop.model import Catalog, CitizenDataset

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))


def _datasets(n: int) -> tuple[CitizenDataset, ...]:
    """``n`` data sets from the two examples (no observations), each its own id, title and
    licence-free variant every third one, so that shared nodes repeat and vary."""
    bases = [cdinterop.load(p).replace(observations=[]) for p in EXAMPLES]
    out = []
    for i in range(n):
        base = bases[i % len(bases)]
        title = {lang: f"{text} ({i})" for lang, text in base.title.items()}
        update = {"id": f"DF_{i}", "title": title}
        if i % 3 == 2:
            update["licence"] = None
        out.append(base.model_copy(update=update))
    return tuple(out)


def _catalog(datasets: tuple[CitizenDataset, ...]) -> Catalog:
    return Catalog(
        id="HUB",
        title={"en": "Citizen data hub"},
        description={"en": "Streamed"},
        publisher=datasets[0].provenance.agents[0],
        datasets=datasets,
    )


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return _catalog(_datasets(11))


@pytest.fixture(scope="module")
def expected(catalog: Catalog) -> Graph:
    return dcat.to_graph(catalog)


@pytest.mark.parametrize(("suffix", "fmt"), [(".ttl", "turtle"), (".nt", "nt")])
@pytest.mark.parametrize("workers", [1, 2])
def test_the_streamed_file_is_the_in_memory_graph(
    catalog: Catalog,
    expected: Graph,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
    fmt: str,
    workers: int,
) -> None:
    monkeypatch.setattr(_catalog_stream, "CHUNK", 4)  # several chunks per worker
    path = dcat.write(catalog, tmp_path / f"catalogue{suffix}", workers=workers)
    read = Graph().parse(path, format=fmt)
    assert len(read) == len(expected)
    assert isomorphic(read, expected)
    assert dcat.catalog_from_graph(dcat.read_graph(path)) == catalog


def test_the_json_literals_are_statements_of_their_own(catalog: Catalog, tmp_path: Path) -> None:
    """Each data set's structure JSON is one N-Triples statement in the Turtle file (not
    rewritten by Oxigraph), and the statements before it are Oxigraph's Turtle."""
    text = dcat.write(catalog, tmp_path / "catalogue.ttl", workers=1).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "structureJson>" in line]
    assert len(lines) == len(catalog.datasets)
    assert all(line.startswith("<") and line.endswith(" .") for line in lines)
    assert "@prefix dcat:" in text and "a dcat:Dataset" in text


def test_a_lone_surrogate_is_refused_not_written(catalog: Catalog, tmp_path: Path) -> None:
    """A text that is not valid UTF-8 stays on Oxigraph's path, whose check refuses it: no
    file another tool cannot read."""
    first, *rest = catalog.datasets
    bad = first.model_copy(update={"title": {"en": "bad \ud800 title"}})
    target = tmp_path / "catalogue.ttl"
    with pytest.raises(WriteError, match="not valid RDF"):
        dcat.write(catalog.replace(datasets=(bad, *rest)), target, workers=1)
    assert not target.exists()


_WRITE = """
import sys
from tests.dcat.test_catalog_stream import _catalog, _datasets
from cdinterop import dcat
dcat.write(_catalog(_datasets(7)), sys.argv[1], workers=2)
"""


def test_the_same_catalogue_gives_the_same_bytes_in_any_process(tmp_path: Path) -> None:
    """No set order leaks into the file: two processes with different string hashes write
    byte-identical Turtle (checksums of published files stay stable)."""
    import os
    import subprocess
    import sys

    files = []
    for seed in ("1", "2"):
        target = tmp_path / f"catalogue-{seed}.ttl"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", _WRITE, str(target)], check=True, cwd=ROOT, env=env)
        files.append(target.read_bytes())
    assert files[0] == files[1] and len(files[0]) > 10_000


def test_a_callers_frozen_objects_stay_frozen(catalog: Catalog, tmp_path: Path) -> None:
    """The writer freezes the parent's objects before it forks its workers and thaws them
    after, unless the caller (a pre-fork server, say) had frozen some itself."""
    import gc

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        dcat.write(catalog, tmp_path / "catalogue.ttl", workers=2)
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
    dcat.write(catalog, tmp_path / "again.ttl", workers=2)
    assert gc.get_freeze_count() == 0


def test_spawned_workers_are_sent_their_runs(
    catalog: Catalog, expected: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the writer cannot fork (another thread runs), its workers are spawned and
    each run's data sets are sent to them: the same graph."""
    monkeypatch.setattr(_catalog_stream.threading, "active_count", lambda: 2)
    path = dcat.write(catalog, tmp_path / "catalogue.ttl", workers=2)
    assert isomorphic(Graph().parse(path, format="turtle"), expected)
