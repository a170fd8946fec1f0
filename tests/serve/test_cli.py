"""``cdinterop serve`` on the command line: folders that are not cdinterop outputs are
refused (exit 2, one line, no traceback), ``--check`` lists what would be served, the
server stops gracefully on SIGINT and SIGTERM, a missing ``serve`` extra is named, and
the output of a real ``cdinterop convert`` run is served with the same observations as its
own files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cdinterop._cli import app

from .conftest import MARINE, ROOT, SERVICES, free_port, httpx

runner = CliRunner()


def _serve(*args: str) -> Any:
    return runner.invoke(app, ["serve", *args], env={"COLUMNS": "200"})


def test_check_lists_the_data_sets() -> None:
    result = _serve(str(SERVICES), str(MARINE), "--check")
    assert result.exit_code == 0, result.output
    assert "KE.SAUTI:DF_SERVICE_SATISFACTION_KE(1.0)" in result.output
    assert "GH.CCLEAN:DF_MARINE_LITTER_GH(1.0)" in result.output


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing", "no such folder"),
        (lambda tmp: tmp, "not a cdinterop output folder: it has no dataset.json"),
        (lambda tmp: (tmp / "file.txt", (tmp / "file.txt").write_text("x"))[0], "a file"),
        (
            lambda tmp: (
                tmp,
                (tmp / "summary.json").write_text(json.dumps({"failed": True})),
                (tmp / "dataset.json").write_text("{}"),
            )[0],
            "its conversion failed",
        ),
        (
            lambda tmp: (tmp, (tmp / "dataset.json").write_text("{not json"))[0],
            "cannot read",
        ),
        (
            lambda tmp: (tmp, (tmp / "dataset.json").write_text('{"id": "X"}'))[0],
            "not a valid cdinterop data set",
        ),
    ],
)
def test_bad_folders(tmp_path: Path, make: Any, message: str) -> None:
    folder = make(tmp_path)
    result = _serve(str(folder), "--check")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_dataflow_served_twice_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "dataset.json").write_bytes((MARINE / "dataset.json").read_bytes())
    result = _serve(str(MARINE), str(copy), "--check")
    assert result.exit_code == 2
    assert "is already served from" in result.output


def test_a_port_in_use_is_refused() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve(str(MARINE), "--port", str(port))
    assert result.exit_code == 2
    assert "cannot listen on 127.0.0.1" in result.output


def _start(*folders: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cdinterop", "serve", *map(str, folders), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read() if process.stdout else "exited")
        try:
            if httpx.get(base + "/", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_stops_gracefully(stop: signal.Signals) -> None:
    process, base = _start(MARINE)
    try:
        answer = httpx.get(base + "/data/DF_MARINE_LITTER_GH/A.GH", timeout=30)
        assert answer.status_code == 200
        process.send_signal(stop)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "stopped" in output
    assert "Traceback" not in output


BLOCKER = """
import sys
from importlib.abc import MetaPathFinder

class _Refuse(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"starlette", "uvicorn"}:
            raise ModuleNotFoundError(f"No module named {name!r} (refused)", name=name)
        return None

sys.meta_path.insert(0, _Refuse())
sys.argv = ["cdinterop", "serve", sys.argv[1]]
from cdinterop._cli import main
main()
"""


def test_without_the_serve_extra() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER, str(MARINE)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pip install 'cdinterop[serve]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_create_app_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from cdinterop import serve
    from cdinterop.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "starlette", None)
    with pytest.raises(MissingExtraError) as caught:
        serve.create_app([MARINE])
    assert caught.value.extra == "serve"


@pytest.mark.slow
def test_the_output_of_convert(tmp_path: Path) -> None:
    """``cdinterop convert`` on the shipped services example, then served: pysdmx reads
    the same observations from the service as from the files the conversion wrote."""
    import io

    pysdmx_io = pytest.importorskip("pysdmx.io")
    out = tmp_path / "services"
    result = runner.invoke(
        app,
        [
            "convert",
            str(SERVICES / "submissions-kobo.csv"),
            "-m",
            str(ROOT / "mappings" / "services-survey-kobo.yaml"),
            "-o",
            str(out),
        ],
        env={"CDINTEROP_PSEUDONYM_KEY": "serve-test-key-0123456789abcdef"},
    )
    assert result.exit_code == 0, result.output
    process, base = _start(out)
    try:
        flow = "/data/dataflow/KE.SAUTI/DF_SERVICE_SATISFACTION_KE/1.0"
        structure = (out / "sdmx" / "structure-3.0.xml").read_bytes()
        for fmt, name in (("csv20", "data-csv20.csv"), ("ml30-ss", "data-ml30-ss.xml")):
            served = httpx.get(base + flow, params={"format": fmt}, timeout=30)
            assert served.status_code == 200
            got = pysdmx_io.get_datasets(io.BytesIO(served.content), io.BytesIO(structure))[0]
            want = pysdmx_io.get_datasets(out / "sdmx" / name, io.BytesIO(structure))[0]
            columns = [c for c in want.data.columns if c in got.data.columns]
            left = got.data[columns].sort_values(columns[:7]).reset_index(drop=True)
            right = want.data[columns].sort_values(columns[:7]).reset_index(drop=True)
            assert len(left) == len(right) > 0
            assert left.astype(str).equals(right.astype(str))
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
