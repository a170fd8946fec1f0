"""Run the hostile corpus of issue 14 and print the totals table.

Every case runs ``cdinterop`` in a child process (network cut, address space capped,
peak memory measured) on a generated hostile input and is classed: handled (exit 0, output
right), clear error (exit 1/2 with a message), traceback (exit 3, "Traceback" or a signal),
hang (timeout), memory (peak RSS over 1 GiB), silent loss, security failure, or unexpected
(an exit contrary to the case's expectation). Exits 1 when any case fails.

    python benchmarks/hostile_corpus.py            # the whole corpus, 2 workers
    python benchmarks/hostile_corpus.py --fast     # the CI subset
    python benchmarks/hostile_corpus.py -k sdmx    # cases whose id contains "sdmx"
    python benchmarks/hostile_corpus.py --list     # list the cases
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent / "tests" / "hostile"))

from corpus import FAST, Run, all_cases, build, run_cases, totals_table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "-k",
        "--filter",
        action="append",
        default=[],
        help="run cases whose id contains this (repeatable)",
    )
    parser.add_argument("--fast", action="store_true", help="only the CI subset")
    parser.add_argument(
        "-j", "--workers", type=int, default=2, help="cases run in parallel (default 2)"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument(
        "--keep", action="store_true", help="keep every case folder (failed ones are always kept)"
    )
    parser.add_argument(
        "--work", type=Path, help="folder for seeds and case folders (default: a temporary one)"
    )
    parser.add_argument("--json", type=Path, help="also write every result to this JSON file")
    args = parser.parse_args()

    cases = all_cases()
    if args.fast:
        wanted = set(FAST)
        cases = [c for c in cases if c.id in wanted]
    if args.filter:
        cases = [c for c in cases if any(k in c.id for k in args.filter)]
    if args.list:
        for c in cases:
            print(f"{c.id:60} {c.expect:5} {c.note}")
        print(f"{len(cases)} cases")
        return 0

    base = args.work or Path(tempfile.mkdtemp(prefix="cdinterop-hostile-"))
    print(f"building seeds in {base / 'seeds'} ...", flush=True)
    seeds = build(base / "seeds")
    lock = threading.Lock()
    done = [0]
    started = time.monotonic()

    def progress(run: Run) -> None:
        with lock:
            done[0] += 1
            mark = "ok  " if run.passed else "FAIL"
            print(
                f"[{done[0]:4}/{len(cases)}] {mark} {run.klass:11} {run.seconds:6.1f}s "
                f"{run.peak_rss / 2**20:7,.0f} MiB  {run.case.id}",
                flush=True,
            )

    runs = run_cases(
        cases, base / "cases", seeds, workers=args.workers, progress=progress, keep=args.keep
    )
    print()
    print(totals_table(runs))
    failed = [r for r in runs if not r.passed]
    print(f"\n{len(runs)} cases in {time.monotonic() - started:.0f} s; {len(failed)} failed")
    for r in failed:
        print(f"  {r.klass:11} {r.case.id}: {r.reason}")
        print(f"              $ cdinterop {' '.join(r.argv)}"[:400])
        if r.debug_tail:
            print(f"              at {r.debug_tail}")
        print(
            f"              peak {r.peak_rss / 2**20:,.0f} MiB, {r.seconds:.1f} s, "
            f"folder {base / 'cases' / r.case.id}"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "id": r.case.id,
                        "area": r.case.area,
                        "expect": r.case.expect,
                        "class": r.klass,
                        "passed": r.passed,
                        "reason": r.reason,
                        "debug": r.debug_tail,
                        "returncode": r.returncode,
                        "seconds": round(r.seconds, 2),
                        "peak_mib": round(r.peak_rss / 2**20),
                        "argv": r.argv,
                    }
                    for r in runs
                ],
                indent=1,
            ),
            encoding="utf-8",
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
