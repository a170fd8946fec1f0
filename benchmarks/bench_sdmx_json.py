"""Benchmark: writing (and reading back) SDMX-JSON data messages against SDMX-ML 3.0.

Writes the SDG-style observation table of ``bench_observations`` (same seed as
``bench_sdmx_write.py``) with cdinterop in SDMX-JSON 1.0, 2.0 and 2.1 and, for comparison,
in SDMX-ML 3.0 structure-specific flat (``ml30-ss``) and SDMX-CSV 2.0. Each format runs in a
fresh child process (this script with ``--child``) that makes a 100-row warm-up write, builds
the data set, notes its RSS, resets the peak-RSS mark (``/proc/self/clear_refs``), writes to
a file and reports the write time, the peak RSS above the data set and the file size; with
``--read`` it then reads the file back (``cdinterop.sdmx.read``), timed and measured the same
way.

    python benchmarks/bench_sdmx_json.py --rows 1000000
    python benchmarks/bench_sdmx_json.py --rows 200000 --only json20,ml30-ss --read
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FORMAT_NAMES = ("ml30-ss", "csv20", "json10", "json20", "json21")
RESULT_TAG = "@@RESULT "


def _bench_observations() -> Any:
    try:
        import cdinterop  # noqa: F401
    except ImportError:  # run without PYTHONPATH=src
        sys.path.insert(0, str(HERE.parent / "src"))
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import bench_observations

    return bench_observations


def _dataset(rows: int) -> Any:
    from cdinterop.model import CitizenDataset, Observations

    shared = _bench_observations()
    return CitizenDataset(
        id="DF_BENCH",
        agency="BENCH",
        title={"en": "Benchmark"},
        structure=shared.structure(),
        observations=Observations.from_arrow(shared.table(rows)),
    )


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _measure(action: Any) -> tuple[float, int, int]:
    """(seconds, RSS before in KiB, peak RSS during in KiB)."""
    gc.collect()
    before = _status_kb("VmRSS")
    _reset_peak()
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    return seconds, before, _status_kb("VmHWM")


def child(fmt: str, rows: int, read: bool) -> dict[str, Any]:
    from cdinterop import sdmx

    with tempfile.TemporaryDirectory() as folder:
        warm = Path(folder) / "warm"
        sdmx.FORMATS[fmt].write(_dataset(100), warm)
        ds = _dataset(rows)
        path = Path(folder) / f"data{sdmx.FORMATS[fmt].extension}"
        seconds, before, peak = _measure(lambda: sdmx.FORMATS[fmt].write(ds, path))
        result: dict[str, Any] = {
            "format": fmt,
            "rows": rows,
            "write_s": round(seconds, 3),
            "obs_per_s": round(rows / seconds),
            "rss_before_mb": round(before / 1024, 1),
            "write_peak_increase_mb": round((peak - before) / 1024, 1),
            "size_mb": round(path.stat().st_size / 2**20, 1),
        }
        if read:
            structure = ds.replace(observations=[], attribute_values={})
            del ds
            back: list[Any] = []
            seconds, before, peak = _measure(
                lambda: back.append(sdmx.read(path, structure=structure))
            )
            assert len(back[0].observations) == rows
            result |= {
                "read_s": round(seconds, 3),
                "read_peak_increase_mb": round((peak - before) / 1024, 1),
            }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", help="comma-separated formats (default: all)")
    parser.add_argument("--read", action="store_true", help="also read each file back")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(RESULT_TAG + json.dumps(child(args.child, args.rows, args.read)), flush=True)
        return
    chosen = args.only.split(",") if args.only else list(FORMAT_NAMES)
    results = []
    for fmt in chosen:
        command = [sys.executable, __file__, "--child", fmt, "--rows", str(args.rows)]
        command += ["--read"] if args.read else []
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        line = next((x for x in done.stdout.splitlines() if x.startswith(RESULT_TAG)), None)
        if line is None:
            print(f"{fmt}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        results.append(json.loads(line.removeprefix(RESULT_TAG)))
        print(json.dumps(results[-1]), flush=True)
    base = next((r for r in results if r["format"] == "ml30-ss"), None)
    if base is not None:
        for r in results:
            print(f"{r['format']:>8}: {r['write_s'] / base['write_s']:.2f}x the time of ml30-ss, "
                  f"{r['write_peak_increase_mb']} MB above the data set (ml30-ss "
                  f"{base['write_peak_increase_mb']} MB), {r['size_mb']} MB on disk")  # fmt: skip


if __name__ == "__main__":
    main()
