"""Fixtures of the catalogue store tests: the same tests run against the embedded store and
a real ``oxigraph serve`` on 127.0.0.1 (a free port, a temporary folder), started once per
test process and emptied before each test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

import cdinterop
from cdinterop import catalog, dcat

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "real-world" / "dcat"
SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))
SH = Namespace("http://www.w3.org/ns/shacl#")

SYNTAX_DEFECTS = {"ckan-dataset.ttl", "semic-3.0.0-bee-series-combined.ttl"}
"""Real-world files that are not valid RDF (see tests/dcat/test_real_world_dcat.py)."""


def _oxigraph() -> Path | None:
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_ready(
    url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 20.0
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = log.read_text(errors="replace")[-2000:]
            pytest.fail(f"oxigraph serve exited with {process.returncode}: {error}")
        try:
            if requests.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    pytest.fail(f"oxigraph serve did not answer at {url} within {seconds} s")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an ``oxigraph serve`` of this test process (skipped without the binary)."""
    binary = _oxigraph()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    url = f"http://127.0.0.1:{_free_port()}"
    folder = tmp_path_factory.mktemp("oxigraph-server")
    bind = url.removeprefix("http://")
    command = [str(binary), "serve", "--location", str(folder / "data"), "--bind", bind]
    command.append("--union-default-graph")  # queries see every graph, as in the embedded store
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(url, process, folder / "server.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(params=["embedded", "remote"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's store is: a new folder, or the (emptied) server."""
    if request.param == "embedded":
        return str(tmp_path / "catalog-store")
    url: str = request.getfixturevalue("oxigraph_server")
    with catalog.open_store(url) as server:
        server.clear()
    return url


@pytest.fixture
def store(location: str) -> Iterator[catalog.CatalogStore]:
    """An empty catalogue store on each back end."""
    with catalog.open_store(location) as opened:
        yield opened


@pytest.fixture(scope="session")
def example_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The DCAT descriptions of the shipped examples, written by cdinterop.dcat."""
    folder = tmp_path_factory.mktemp("example-dcat")
    return [
        dcat.write(cdinterop.load(path), folder / f"{path.parent.name}.ttl") for path in EXAMPLES
    ]


@pytest.fixture(scope="session")
def real_world() -> list[Path]:
    """The other portals' DCAT files (skipped when ../shared is absent)."""
    if not REAL.is_dir():
        pytest.skip(f"real-world DCAT files not found at {REAL}")
    return sorted(p for p in REAL.iterdir() if p.is_file())


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def violations(data: Graph) -> list[str]:
    """The Violations the official DCAT-AP 3.0.1 shapes find in ``data`` (skips the test
    when the shapes or pyshacl are absent)."""
    if not SHAPES.is_file():
        pytest.skip(f"official DCAT-AP 3.0.1 shapes not found at {SHAPES}")
    pyshacl = pytest.importorskip(
        "pyshacl", reason="pyshacl is not installed (cdinterop[validate])"
    )
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=_shapes(), inference="none", advanced=True
    )
    assert isinstance(report, Graph)
    return sorted(
        f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: "
        f"{report.value(r, SH.resultMessage)}"
        for r in report.subjects(RDF.type, SH.ValidationResult)
        if (r, SH.resultSeverity, SH.Violation) in report
    )
