"""Load test: `cdinterop serve` under concurrent SDMX REST requests, bounded in time and count.

    PYTHONPATH=src python benchmarks/bench_serve.py [--concurrency 32] [--seconds 10]
        [--max-requests 200000] [--port 0] [FOLDER ...]

1. starts ``cdinterop serve`` (one uvicorn process, ``--log-level warning``) on 127.0.0.1
   over the given output folders (default: the two examples' folders, each holding
   ``dataset.json``) and waits until it answers;
2. **mixed** phase: ``--concurrency`` clients (httpx, asyncio) send, for ``--seconds`` or
   until ``--max-requests``, a fixed mix of data queries (every data format by ``Accept``
   and ``format=``, REST 1.x and 2.x paths, keys, periods, ``c[...]`` filters, last N per
   series), structure queries (``references=all`` in SDMX-ML 2.1, 3.0 and SDMX-JSON, stubs)
   and the DCAT catalogue: after the first round the answers come from the service's cache;
3. **uncached** phase: the same clients ask for data queries that all differ (a distinct
   ``offset`` each), so every answer is filtered and written anew;
4. prints, per phase, requests, requests/s, p50 / p90 / p99 / max latency, bytes received
   and errors (any status other than 200, or a failed request), then stops the server
   (SIGINT) and checks that it exits cleanly.

The client runs on the same machine as the server (2 cores here): the figures are those of
client and server together, a floor for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLES = [
    ROOT / "examples" / "public-services-satisfaction",
    ROOT / "examples" / "marine-litter-ghana",
]

SERVICES = "/data/dataflow/KE.SAUTI/DF_SERVICE_SATISFACTION_KE/1.0"
MARINE = "/data/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH/1.0"
MIX: list[tuple[str, dict[str, str]]] = [
    # data, every format, both REST versions
    (SERVICES, {}),
    (SERVICES + "/A.KE.F", {"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"}),
    (SERVICES + "/A.KE..Y18T29?format=ml30-ss", {}),
    (SERVICES + "/A.KE.M?dimensionAtObservation=AllDimensions", {"Accept": "application/xml"}),
    ("/data/KE.SAUTI,DF_SERVICE_SATISFACTION_KE,1.0/A.KE.F+M", {}),
    ("/data/DF_SERVICE_SATISFACTION_KE/A.KE...PD?startPeriod=2024", {"Accept": "text/csv"}),
    (MARINE, {"Accept": "application/vnd.sdmx.structurespecificdata+xml;version=2.1"}),
    (MARINE + "/A.GH..BAG+BOTTLE?c[TIME_PERIOD]=ge:2022+le:2023", {}),
    (MARINE + "?lastNObservations=1&format=csv20", {}),
    (MARINE + "?c[OBS_VALUE]=ge:1000&format=json20", {}),
    ("/data/DF_MARINE_LITTER_GH/A.GH?startPeriod=2022-Q3&endPeriod=2024", {}),
    (MARINE + "/A.XX", {}),  # 404: counted apart, not as an error
    # structures
    ("/structure/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH/1.0?references=all",
     {"Accept": "application/vnd.sdmx.structure+xml;version=2.1"}),
    ("/structure/dataflow/KE.SAUTI/DF_SERVICE_SATISFACTION_KE/1.0?references=all",
     {"Accept": "application/vnd.sdmx.structure+xml;version=3.0.0"}),
    ("/structure/datastructure?references=children", {}),
    ("/structure/codelist?detail=allstubs",
     {"Accept": "application/vnd.sdmx.structure+xml;version=2.1"}),
    ("/dataflow/all/all/latest", {}),
    ("/codelist/SDMX/CL_FREQ/latest", {}),
    # the DCAT description
    ("/catalog", {}),
    ("/catalog", {"Accept": "application/ld+json"}),
]  # fmt: skip
EXPECTED_404 = {MARINE + "/A.XX"}


@dataclass
class Phase:
    """What one phase measured."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    not_found: int = 0
    received: int = 0
    seconds: float = 0.0
    first_error: str = ""

    def report(self) -> str:
        n = len(self.latencies)
        if not n:
            return f"{self.name}: no request completed ({self.errors} errors: {self.first_error})"
        ordered = sorted(self.latencies)
        q = statistics.quantiles(ordered, n=100, method="inclusive") if n > 1 else ordered * 99

        def ms(x: float) -> str:
            return f"{x * 1000:.1f} ms"

        return (
            f"{self.name:9} {n:>7,} requests in {self.seconds:5.1f} s = "
            f"{n / self.seconds:7,.0f} req/s"
            f" | p50 {ms(q[49])}, p90 {ms(q[89])}, p99 {ms(q[98])}, max {ms(ordered[-1])}"
            f" | {self.received / 1e6:,.1f} MB | errors {self.errors}"
            + (f" (first: {self.first_error})" if self.errors else "")
            + (f" | expected 404s {self.not_found}" if self.not_found else "")
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(folders: list[Path], port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "cdinterop", "serve", *map(str, folders),
               "--port", str(port), "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start within 60 s")


async def run_phase(
    phase: Phase, base: str, requests: itertools.count[int], make: object,
    concurrency: int, seconds: float, max_requests: int,
) -> None:  # fmt: skip
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            index = next(requests)
            if index >= max_requests:
                return
            path, headers = make(index)  # type: ignore[operator]
            started = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
                body = response.content
            except httpx.HTTPError as exc:
                phase.errors += 1
                phase.first_error = phase.first_error or repr(exc)
                continue
            phase.latencies.append(time.perf_counter() - started)
            phase.received += len(body)
            if response.status_code == 404 and path in EXPECTED_404:
                phase.not_found += 1
            elif response.status_code != 200:
                phase.errors += 1
                phase.first_error = phase.first_error or f"{response.status_code} {path}"

    # BENCH_ENCODING=identity: answers sent uncompressed
    headers = {"Accept-Encoding": os.environ.get("BENCH_ENCODING", "gzip, deflate")}
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=60, headers=headers
    ) as client:
        started = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        phase.seconds = time.monotonic() - started


def mixed(index: int) -> tuple[str, dict[str, str]]:
    return MIX[index % len(MIX)]


def uncached(index: int) -> tuple[str, dict[str, str]]:
    path = (SERVICES, MARINE)[index % 2]
    fmt = ("csv20", "ml21-ss", "json20", "ml30-ss-ts")[index // 2 % 4]
    return f"{path}?format={fmt}&offset={index % 300}&limit={100 + index % 7919}", {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=EXAMPLES)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per phase")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    port = args.port or free_port()
    process = start(args.folders, port)
    base = f"http://127.0.0.1:{port}"
    print(f"server: cdinterop serve {' '.join(p.name for p in args.folders)} at {base}")
    print(f"clients: {args.concurrency} concurrent, {args.seconds:g} s or {args.max_requests:,} "
          "requests per phase")  # fmt: skip
    try:
        for name, make in (("mixed", mixed), ("uncached", uncached)):
            phase = Phase(name)
            asyncio.run(
                run_phase(phase, base, itertools.count(), make, args.concurrency,
                          args.seconds, args.max_requests)
            )  # fmt: skip
            print(phase.report())
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            code = -9
    client = resource.getrusage(resource.RUSAGE_SELF)
    server = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"server stopped with exit code {code}")
    print(
        f"CPU seconds: client {client.ru_utime + client.ru_stime:.1f}, "
        f"server {server.ru_utime + server.ru_stime:.1f} (2 cores shared)"
    )


if __name__ == "__main__":
    main()
