"""A real server (uvicorn, on 127.0.0.1 and a free port, in a thread) over the two
examples' folders (each holds ``dataset.json``, what ``cdinterop convert`` writes), and
the SDMX files of the same data sets written by ``cdinterop.sdmx.write_all``, which the
clients' answers are compared with."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import cdinterop
from cdinterop import sdmx

pytest.importorskip("starlette", reason="the serve extra is not installed")
pytest.importorskip("uvicorn", reason="the serve extra is not installed")
httpx = pytest.importorskip("httpx")

from cdinterop import serve  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SERVICES = EXAMPLES / "public-services-satisfaction"
MARINE = EXAMPLES / "marine-litter-ghana"
SERVICES_FLOW = ("KE.SAUTI", "DF_SERVICE_SATISFACTION_KE", "1.0")
MARINE_FLOW = ("GH.CCLEAN", "DF_MARINE_LITTER_GH", "1.0")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    """A server running in a thread, and its base URL."""

    server: Any
    thread: threading.Thread
    base: str

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start(app: Any) -> Running:
    port = free_port()
    server = serve.make_server(app, host="127.0.0.1", port=port, log_level="warning")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    return Running(server, thread, f"http://127.0.0.1:{port}")


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The base URL of a server over both examples."""
    running = start(serve.create_app([SERVICES, MARINE]))
    yield running.base
    running.stop()


@pytest.fixture(scope="session")
def http(server: str) -> Iterator[Any]:
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every SDMX file of each example (``services``, ``marine``), as write_all writes."""
    folders = {}
    for name, source in (("services", SERVICES), ("marine", MARINE)):
        folder = tmp_path_factory.mktemp(name)
        sdmx.write_all(cdinterop.load(source / "dataset.json"), folder)
        folders[name] = folder
    return folders
