"""Structures from SDMX registries (issue 20, point 2): an SDMX URN or an SDMX REST URL
wherever a structure file is accepted, fetched with sdmx1's client, kept in an on-disk
cache, with an offline mode and clear errors.

Every test talks to a registry served by the test itself on 127.0.0.1 (stdlib
``http.server`` in a thread) that answers the SDMX-REST paths (v2
``/sdmx/v2/structure/datastructure/IAEG-SDGs/SDG/1.0?references=...`` and v1
``/rest/datastructure/...``) with the real structure files of ``../shared/``: the global
SDG DSD, Zimbabwe's national SDG DSD and the ECB exchange-rate dataflow. The default
registry (the SDMX Global Registry) is never asked: a test that uses it is offline.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from typer.testing import CliRunner

import cdinterop
from cdinterop import limits, sdmx
from cdinterop._cli import app
from cdinterop.aggregate import AggregationSpec
from cdinterop.errors import InvalidDatasetError, ReadError
from cdinterop.mapping import loads_spec
from cdinterop.testing import assert_same_outputs, normalised_outputs

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SDG_FILE = SHARED / "standards" / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml"
ZW_FILE = SHARED / "real-world" / "sdmx" / "zimbabwe" / "ZW01_SDG_structure.xml"
ECB = SHARED / "real-world" / "sdmx" / "ecb-exr-2.1" / "1"
ECB_FLOW_FILE = ECB / "structure-full.xml"
ECB_DSD_FILE = ECB / "structure.xml"
ECB_DATA = ECB / "M.USD.EUR.SP00.A.xml"

pytestmark = pytest.mark.skipif(
    not all(p.is_file() for p in (SDG_FILE, ZW_FILE, ECB_FLOW_FILE, ECB_DSD_FILE, ECB_DATA)),
    reason="the real structure files are absent (../shared/standards/sdmx and "
    "../shared/real-world/sdmx beside the project)",
)

SDG_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=IAEG-SDGs:SDG(1.0)"
ZW_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ZW01:SDG(1.0)"
ECB_FLOW_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=ECB:EXR(1.0)"
ECB_DSD_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ECB:ECB_EXR1(1.0)"
KEY = "a-long-secret-key-for-the-tests"
runner = CliRunner()


# -- the registry -------------------------------------------------------------------------


@dataclass
class Answer:
    """What the test registry sends for a path."""

    body: bytes
    status: int = 200
    content_type: str = "application/xml"
    length: bool = True
    """Send Content-Length (else the body ends when the connection closes)."""
    delay: float = 0.0
    """Seconds to wait before answering."""
    drip: float = 0.0
    """Seconds between the bytes of the body (sent one at a time)."""
    headers: dict[str, str] = field(default_factory=dict)


class Registry:
    """An SDMX registry on 127.0.0.1 serving files at SDMX-REST v1 and v2 paths."""

    REFERENCES = frozenset({"all", "descendants", "children"})

    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        self.requests: list[tuple[str, str]] = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                registry.requests.append((self.path, self.headers.get("Accept", "")))
                registry.answer(self)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def v2(self) -> str:
        return f"{self.root}/sdmx/v2"

    @property
    def v1(self) -> str:
        return f"{self.root}/rest"

    def add(self, kind: str, agency: str, id_: str, version: str, answer: Answer) -> None:
        """Serve ``answer`` at both REST paths of an artefact."""
        self.routes[f"/sdmx/v2/structure/{kind}/{agency}/{id_}/{version}"] = answer
        self.routes[f"/rest/{kind}/{agency}/{id_}/{version}"] = answer

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        answer = self.routes.get(parts.path)
        references = parse_qs(parts.query).get("references", [None])[0]
        if answer is None:
            handler.send_error(404, "NoResultsFound")
            return
        if references is not None and references not in self.REFERENCES:
            handler.send_error(400, "bad references")
            return
        time.sleep(answer.delay)
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", answer.content_type)
            if answer.length:
                handler.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if answer.drip:
                for byte in answer.body:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    time.sleep(answer.drip)
            else:
                handler.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def stop(self) -> None:
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.running = False

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache of the test's own; no registry, offline mode or API from the environment."""
    monkeypatch.setenv("CDINTEROP_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("CDINTEROP_REGISTRY", "CDINTEROP_OFFLINE", "CDINTEROP_REGISTRY_API"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def registry() -> Iterator[Registry]:
    served = Registry()
    served.add("datastructure", "IAEG-SDGs", "SDG", "1.0", Answer(SDG_FILE.read_bytes()))
    served.add("datastructure", "ZW01", "SDG", "1.0", Answer(ZW_FILE.read_bytes()))
    served.add("dataflow", "ECB", "EXR", "1.0", Answer(ECB_FLOW_FILE.read_bytes()))
    served.add("datastructure", "ECB", "ECB_EXR1", "1.0", Answer(ECB_DSD_FILE.read_bytes()))
    served.routes["/rest/datastructure/IAEG-SDGs/SDG/latest"] = Answer(SDG_FILE.read_bytes())
    try:
        yield served
    finally:
        served.stop()


def _cached(tmp_path: Path) -> list[str]:
    folder = tmp_path / "cache" / "sdmx"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# -- URNs and URLs --------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["v2", "v1"])
def test_a_dsd_urn_gives_what_the_file_gives(registry: Registry, api: str) -> None:
    base = registry.v2 if api == "v2" else registry.v1
    with sdmx.registry_options(registry=base):
        fetched = sdmx.read_structure(SDG_URN)
    assert fetched == sdmx.read_structure(SDG_FILE)
    (path, accept) = registry.requests[0]
    prefix = "/sdmx/v2/structure/" if api == "v2" else "/rest/"
    assert path == f"{prefix}datastructure/IAEG-SDGs/SDG/1.0?references=descendants"
    assert accept.startswith("application/vnd.sdmx.structure+xml;version=2.1")


def test_the_api_of_a_registry_at_another_address(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An address that ends neither in /v2 nor /3.0 gets v1 paths unless
    CDINTEROP_REGISTRY_API says 2."""
    registry.routes["/custom/structure/datastructure/ZW01/SDG/1.0"] = Answer(ZW_FILE.read_bytes())
    monkeypatch.setenv("CDINTEROP_REGISTRY_API", "2")
    monkeypatch.setenv("CDINTEROP_REGISTRY", f"{registry.root}/custom")
    assert sdmx.read_structure(ZW_URN) == sdmx.read_structure(ZW_FILE)
    assert registry.paths() == [
        "/custom/structure/datastructure/ZW01/SDG/1.0?references=descendants"
    ]


def test_a_urn_without_version_asks_for_the_latest(registry: Registry) -> None:
    urn = SDG_URN.removesuffix("(1.0)")
    assert sdmx.fetch_structure(urn, registry=registry.v1).read_bytes() == SDG_FILE.read_bytes()
    assert registry.paths() == ["/rest/datastructure/IAEG-SDGs/SDG/latest?references=descendants"]


def test_a_dataflow_urn_reads_that_dataflow(registry: Registry) -> None:
    with sdmx.registry_options(registry=registry.v2):
        flow = sdmx.read_structure(ECB_FLOW_URN)
    assert (flow.agency, flow.id) == ("ECB", "EXR")
    assert flow == sdmx.read_structure(ECB_FLOW_FILE, dataflow="EXR")


@pytest.mark.parametrize(
    "path",
    [
        "/sdmx/v2/structure/datastructure/IAEG-SDGs/SDG/1.0?references=all",
        "/rest/datastructure/IAEG-SDGs/SDG/1.0?references=all",
    ],
)
def test_a_rest_url_is_fetched_as_given(registry: Registry, path: str) -> None:
    assert sdmx.read_structure(registry.root + path) == sdmx.read_structure(SDG_FILE)
    assert registry.paths() == [path]


def test_a_dataflow_url_reads_that_dataflow(registry: Registry) -> None:
    url = f"{registry.root}/rest/dataflow/ECB/EXR/1.0?references=all"
    assert sdmx.read_structure(url) == sdmx.read_structure(ECB_FLOW_FILE, dataflow="EXR")


def test_sdmx_data_read_with_a_structure_by_urn(registry: Registry) -> None:
    """sdmx.read(..., structure=URN): the data's header names the DSD, the URN its dataflow
    (whose message holds the DSD and codelists)."""
    with sdmx.registry_options(registry=registry.v2):
        by_urn = sdmx.read(ECB_DATA, structure=ECB_FLOW_URN)
        assert sdmx.read_structure(ECB_DSD_URN) == sdmx.read_structure(ECB_DSD_FILE)
    assert by_urn == sdmx.read(ECB_DATA, structure=ECB_FLOW_FILE)
    assert len(by_urn.observations) == 252


def test_a_path_and_other_strings_stay_files(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="No such file"):
        sdmx.read_structure(tmp_path / "urn:sdmx:nothing.xml")
    with pytest.raises(ReadError, match="No such file"):
        sdmx.read_structure("ftp://example.org/structure.xml")
    assert registry.requests == []


def test_a_urn_of_another_artefact_is_refused(registry: Registry) -> None:
    urn = "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=IAEG-SDGs:CL_SEX(1.0)"
    with pytest.raises(ReadError, match="not the SDMX URN of a DSD or dataflow") as info:
        sdmx.fetch_structure(urn, registry=registry.v2)
    assert info.value.source == urn and registry.requests == []


# -- the cache and offline mode ------------------------------------------------------------


def test_cached_copies_serve_when_the_registry_is_gone(registry: Registry, tmp_path: Path) -> None:
    with sdmx.registry_options(registry=registry.v2):
        first = sdmx.read_structure(SDG_URN)
    assert len(_cached(tmp_path)) == 2  # the bytes and their description
    meta = json.loads(next((tmp_path / "cache" / "sdmx").glob("*.meta.json")).read_text())
    assert meta["source"] == SDG_URN and meta["registry"] == registry.v2
    assert meta["size"] == SDG_FILE.stat().st_size
    registry.stop()
    with sdmx.registry_options(registry=registry.v2, offline=True):
        assert sdmx.read_structure(SDG_URN) == first
    with sdmx.registry_options(registry=registry.v2):  # online: the copy, no request
        assert sdmx.read_structure(SDG_URN) == first
    assert len(registry.requests) == 1


def test_offline_without_a_copy_says_what_to_do(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDINTEROP_OFFLINE", "1")
    with pytest.raises(ReadError) as info:
        sdmx.fetch_structure(SDG_URN, registry=registry.v2)
    assert info.value.source == SDG_URN
    reason = info.value.reason
    assert "offline" in reason and str(tmp_path / "cache" / "sdmx") in reason
    assert "has no copy" in reason and f"GET {registry.v2}/structure/datastructure" in reason
    assert "without --offline" in reason
    assert registry.requests == []


def test_the_default_registry_is_the_global_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline, so that nothing is asked of it: the request it would send is named."""
    with pytest.raises(ReadError) as info:
        sdmx.fetch_structure(SDG_URN, offline=True)
    assert sdmx.DEFAULT_REGISTRY == "https://registry.sdmx.org/sdmx/v2"
    expected = f"{sdmx.DEFAULT_REGISTRY}/structure/datastructure/IAEG-SDGs/SDG/1.0"
    assert expected in info.value.reason


def test_refresh_fetches_again_once(registry: Registry) -> None:
    route = "/sdmx/v2/structure/datastructure/IAEG-SDGs/SDG/1.0"
    old = sdmx.fetch_structure(SDG_URN, registry=registry.v2).read_bytes()
    newer = old.replace(b"<str:DataStructure ", b"<!-- newer --><str:DataStructure ", 1)
    registry.routes[route] = Answer(newer)
    assert sdmx.fetch_structure(SDG_URN, registry=registry.v2).read_bytes() == old
    assert sdmx.fetch_structure(SDG_URN, registry=registry.v2, refresh=True).read_bytes() == newer
    assert sdmx.fetch_structure(SDG_URN, registry=registry.v2, refresh=True).read_bytes() == newer
    assert len(registry.requests) == 2  # the refresh went to the network once in this process


def test_a_damaged_copy_is_no_copy(registry: Registry, tmp_path: Path) -> None:
    path = sdmx.fetch_structure(SDG_URN, registry=registry.v2)
    path.write_bytes(path.read_bytes()[:1000])  # half of it
    assert sdmx.fetch_structure(SDG_URN, registry=registry.v2).read_bytes() == SDG_FILE.read_bytes()
    assert len(registry.requests) == 2


def test_the_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from cdinterop.sdmx._registry_cache import cache_folder

    monkeypatch.delenv("CDINTEROP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "cdinterop" / "sdmx"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache_folder() == Path.home() / ".cache" / "cdinterop" / "sdmx"
    assert cache_folder(tmp_path / "mine") == tmp_path / "mine" / "sdmx"


# -- failures ----------------------------------------------------------------------------------


def test_not_found_names_everything(registry: Registry) -> None:
    urn = SDG_URN.replace("SDG(1.0)", "NOPE(1.0)")
    with pytest.raises(ReadError) as info:
        sdmx.fetch_structure(urn, registry=registry.v2)
    reason = info.value.reason
    assert info.value.source == urn
    assert f"from the registry {registry.v2}" in reason
    assert "HTTP 404" in reason and "has no copy" in reason
    assert "check the agency, id and version" in reason


def test_a_server_error(registry: Registry) -> None:
    registry.add("datastructure", "IAEG-SDGs", "SDG", "1.0", Answer(b"oops", status=500))
    with pytest.raises(ReadError, match=r"HTTP 500 \(internal server error\)"):
        sdmx.fetch_structure(SDG_URN, registry=registry.v1)


def test_no_connection(registry: Registry, tmp_path: Path) -> None:
    registry.stop()
    with pytest.raises(ReadError) as info:
        sdmx.fetch_structure(SDG_URN, registry=registry.v2)
    assert "Connection refused" in info.value.reason
    assert "check the registry address (--registry, CDINTEROP_REGISTRY)" in info.value.reason
    assert _cached(tmp_path) == []


def test_a_registry_that_does_not_answer(registry: Registry) -> None:
    registry.add("datastructure", "IAEG-SDGs", "SDG", "1.0", Answer(b"<late/>", delay=2))
    started = time.monotonic()
    with pytest.raises(ReadError, match=r"no answer within 0\.3 s"):
        sdmx.fetch_structure(SDG_URN, registry=registry.v2, timeout=0.3)
    assert time.monotonic() - started < 1.9  # before the registry's answer at 2 s


def test_an_answer_that_never_ends(registry: Registry) -> None:
    """A byte every 0.05 s keeps each read within the timeout; the whole download still
    stops at ten times the timeout."""
    body = b"<x>" + b" " * 10_000 + b"</x>"
    registry.add("datastructure", "IAEG-SDGs", "SDG", "1.0", Answer(body, drip=0.05))
    started = time.monotonic()
    with pytest.raises(ReadError, match=r"the answer took longer than 2 s"):
        sdmx.fetch_structure(SDG_URN, registry=registry.v2, timeout=0.2)
    assert time.monotonic() - started < 10  # the whole answer would take 500 s


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<html><body>Maintenance</body></html>", "text/html", "not an SDMX-ML"),
        (bytes(range(256)) * 4, "application/octet-stream", "XML"),
        (b"", "application/xml", ""),
    ],
)
def test_garbage_is_refused_and_not_kept(
    registry: Registry, tmp_path: Path, body: bytes, content_type: str, expected: str
) -> None:
    registry.add(
        "datastructure", "IAEG-SDGs", "SDG", "1.0", Answer(body, content_type=content_type)
    )
    with pytest.raises(ReadError) as info, sdmx.registry_options(registry=registry.v2):
        sdmx.read_structure(SDG_URN)
    assert info.value.source == SDG_URN
    assert expected in info.value.reason
    assert f"the answer to GET {registry.v2}/structure/" in info.value.reason
    assert "not kept in the cache" in info.value.reason
    assert _cached(tmp_path) == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">&lol3;
</mes:Structure>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">&secret;
</mes:Structure>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE], ids=["entities", "external-entity"])
def test_a_hostile_answer_is_refused(registry: Registry, tmp_path: Path, body: bytes) -> None:
    registry.add("datastructure", "IAEG-SDGs", "SDG", "1.0", Answer(body))
    with (
        pytest.raises(ReadError, match="DTD or entities") as info,
        sdmx.registry_options(registry=registry.v2),
    ):
        sdmx.read_structure(SDG_URN)
    assert "root:" not in info.value.reason
    assert _cached(tmp_path) == []


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "until-close"])
def test_an_answer_beyond_the_bytes_limit_is_refused(
    registry: Registry, tmp_path: Path, length: bool
) -> None:
    registry.add(
        "datastructure", "IAEG-SDGs", "SDG", "1.0", Answer(SDG_FILE.read_bytes(), length=length)
    )
    with pytest.raises(limits.LimitExceeded) as info, limits.use(bytes=100_000):
        sdmx.fetch_structure(SDG_URN, registry=registry.v2)
    assert info.value.limit == "bytes" and info.value.source == SDG_URN
    assert "--limit bytes=N" in info.value.reason
    assert _cached(tmp_path) == []


def test_a_gzip_bomb_stops_at_the_limit(registry: Registry, tmp_path: Path) -> None:
    """The limit counts the bytes once decoded: 50 MB of zeros in 50 kB of gzip stop at 1 MB."""
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    answer = Answer(bomb, headers={"Content-Encoding": "gzip"})
    registry.add("datastructure", "IAEG-SDGs", "SDG", "1.0", answer)
    with pytest.raises(limits.LimitExceeded), limits.use(bytes=1_000_000):
        sdmx.fetch_structure(SDG_URN, registry=registry.v2)
    assert _cached(tmp_path) == []


def test_a_registry_address_that_is_no_url() -> None:
    with pytest.raises(ReadError, match="is not an http or https URL"):
        sdmx.fetch_structure(SDG_URN, registry="registry.example.org")


# -- mapping specs ---------------------------------------------------------------------------


def test_spec_components_from_a_urn(registry: Registry) -> None:
    """A spec's ``file:`` may be a URN: the national SDG DSD's components, as from its file."""

    def spec(file: str) -> str:
        document = {
            "structure": {
                "id": "DSD_T",
                "agency": "KE.SAUTI",
                "name": {"en": "Test"},
                "dimensions": [{"id": "SERIES", "file": file}, {"id": "SEX", "file": file}],
                "time_dimension": {},
            },
            "dimensions": {
                "SERIES": {"value": "SI_POV_DAY1"},
                "SEX": {"from": "SEX"},
                "TIME_PERIOD": {"from": "TIME_PERIOD"},
            },
            "measure": {"type": "count"},
        }
        return yaml.safe_dump(document, sort_keys=False)

    with sdmx.registry_options(registry=registry.v2):
        by_urn = loads_spec(spec(ZW_URN), AggregationSpec).structure
    assert by_urn == loads_spec(spec(str(ZW_FILE)), AggregationSpec).structure
    assert len(registry.requests) == 1  # the two components: one fetch


def test_spec_reference_that_cannot_be_fetched_is_located(registry: Registry) -> None:
    text = yaml.safe_dump(
        {
            "structure": {"file": SDG_URN.replace("SDG(1.0)", "NOPE(1.0)")},
            "dimensions": {},
            "measure": {"type": "count"},
        }
    )
    with pytest.raises(InvalidDatasetError) as info, sdmx.registry_options(registry=registry.v2):
        loads_spec(text, AggregationSpec)
    (issue,) = [i for i in info.value.issues if i.location == "structure.file"]
    assert issue.message.startswith(SDG_URN.replace("SDG(1.0)", "NOPE(1.0)"))
    assert "HTTP 404" in issue.message and "has no copy" in issue.message


# -- the command line ------------------------------------------------------------------------


def _invoke(args: list[str]) -> Any:
    result = runner.invoke(app, args, env={"CDINTEROP_PSEUDONYM_KEY": KEY})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def test_cli_sdmx_read_and_validate_with_a_urn(registry: Registry, tmp_path: Path) -> None:
    by_file, by_urn = tmp_path / "file.json", tmp_path / "urn.json"
    result = _invoke(["sdmx", "read", str(ECB_DATA), "-o", str(by_file), "-s", str(ECB_FLOW_FILE)])
    assert result.exit_code == 0, result.output
    args = ["sdmx", "read", str(ECB_DATA), "-o", str(by_urn), "-s", ECB_FLOW_URN]
    result = _invoke([*args, "--registry", registry.v2])
    assert result.exit_code == 0, result.output
    assert cdinterop.load(by_urn) == cdinterop.load(by_file)
    result = _invoke(["validate", str(ECB_DATA), "-s", ECB_FLOW_URN, "--registry", registry.v1])
    assert result.exit_code == 0, result.output


def test_cli_takes_a_rest_url(registry: Registry, tmp_path: Path) -> None:
    """A URL keeps its ``//`` (it is no path) and is fetched as given."""
    url = f"{registry.v1}/dataflow/ECB/EXR/1.0?references=all"
    out = tmp_path / "url.json"
    result = _invoke(["sdmx", "read", str(ECB_DATA), "-o", str(out), "-s", url])
    assert result.exit_code == 0, result.output
    assert cdinterop.load(out) == sdmx.read(ECB_DATA, structure=ECB_FLOW_FILE)
    assert registry.paths() == ["/rest/dataflow/ECB/EXR/1.0?references=all"]


def test_cli_sdmx_conform_with_a_urn(registry: Registry, tmp_path: Path) -> None:
    example = ROOT / "examples" / "public-services-satisfaction" / "dataset.json"
    outputs = {}
    for name, structure in (
        ("file", [str(SDG_FILE)]),
        ("urn", [SDG_URN, "--registry", registry.v2]),
    ):
        args = ["sdmx", "conform", str(example), "-m", str(CONFORM), "-f", "csv20"]
        result = _invoke([*args, "-o", str(tmp_path / name), "-s", *structure])
        assert result.exit_code == 0, result.output
        outputs[name] = normalised_outputs(tmp_path / name)
    url = f"{registry.v2}/structure/datastructure/IAEG-SDGs/SDG/1.0?references=descendants"
    assert outputs["file"]["data-csv20.csv"] == outputs["urn"]["data-csv20.csv"]
    assert sorted(outputs["file"]) == sorted(outputs["urn"])
    for name, text in outputs["file"].items():
        ours = _without_the_dsd_source(text, SDG_FILE.name)
        assert ours == _without_the_dsd_source(outputs["urn"][name], url), name


def test_cli_network_failure_is_exit_2(registry: Registry, tmp_path: Path) -> None:
    registry.stop()
    args = ["sdmx", "read", str(ECB_DATA), "-o", str(tmp_path / "x.json"), "-s", ECB_FLOW_URN]
    result = _invoke([*args, "--registry", registry.v2])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"cannot read {ECB_FLOW_URN}" in text and "Connection refused" in text
    result = _invoke([*args, "--registry", registry.v2, "--offline"])
    assert result.exit_code == 2
    assert "has no copy" in " ".join(result.output.split())


def test_cli_help_says_urns_are_accepted() -> None:
    result = runner.invoke(app, ["convert", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.output.split())
    assert "SDMX URN of a DSD or dataflow" in text and "SDMX REST URL" in text
    assert "--registry" in text and "--offline" in text and "--refresh" in text


# -- the acceptance test ---------------------------------------------------------------------

SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
CONFORM = ROOT / "mappings" / "services-satisfaction-to-sdg.yaml"
_SOURCE_OBJECT = re.compile(r"\{(?:[^{}]|\{[^{}]*\})*<DSD>(?:[^{}]|\{[^{}]*\})*\}")


def _without_the_dsd_source(text: str, origin: str) -> str:
    """The text with every JSON object that names the DSD's origin (the provenance entity of
    the target structure, in whatever file and escaping it is written) taken out."""
    return _SOURCE_OBJECT.sub("{DSD source}", text.replace(origin, "<DSD>"))


def _dsd_sources(out: Path) -> list[Any]:
    sources = cdinterop.load(out / "dataset.json").provenance.sources
    return [source for source in sources if source.id.startswith("DSD_")]


def _convert(out: Path, *structure: str) -> None:
    args = ["convert", str(SUBMISSION), "-m", str(SPEC), "-o", str(out), "--conform", str(CONFORM)]
    result = _invoke([*args, "--structure", *structure])
    assert result.exit_code == 0, result.output


def test_conforming_to_the_sdg_dsd_by_urn_gives_the_files_of_the_local_file(
    registry: Registry, tmp_path: Path
) -> None:
    """The services example conformed to IAEG-SDGs:SDG(1.0) by URN, from the local registry,
    gives every file that conforming to the local file gives, byte for byte (apart from
    run ids and timestamps); the one difference is where the provenance says the DSD came
    from: the registry's URL instead of the file's name, with the same size and checksum."""
    by_file, by_urn, offline = tmp_path / "file", tmp_path / "urn", tmp_path / "offline"
    _convert(by_file, str(SDG_FILE))
    _convert(by_urn, SDG_URN, "--registry", registry.v2)
    url = f"{registry.v2}/structure/datastructure/IAEG-SDGs/SDG/1.0?references=descendants"
    assert registry.paths() == [url.removeprefix(registry.root)]

    files, urns = normalised_outputs(by_file), normalised_outputs(by_urn)
    assert sorted(files) == sorted(urns) and len(files) >= 14
    same = [name for name in files if files[name] == urns[name]]
    assert {n for n in files if n.startswith("sdmx/data-")} <= set(same)
    for name in files:
        ours = _without_the_dsd_source(files[name], SDG_FILE.name)
        theirs = _without_the_dsd_source(urns[name], url)
        assert ours == theirs, name

    (file_source,) = _dsd_sources(by_file)
    (urn_source,) = _dsd_sources(by_urn)
    assert file_source.path == SDG_FILE.name and file_source.url is None
    assert urn_source.path is None and str(urn_source.url) == url
    assert (urn_source.size, urn_source.checksum) == (file_source.size, file_source.checksum)
    assert urn_source.model_copy(update={"path": file_source.path, "url": None}) == file_source

    registry.stop()  # and again with the registry gone: the cached copy, the same files
    _convert(offline, SDG_URN, "--registry", registry.v2, "--offline")
    assert_same_outputs(by_urn, offline)
