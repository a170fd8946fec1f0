"""The hostile corpus of issue 14 under pytest.

``test_fast_case`` runs the CI subset (``corpus.FAST``, a few cases of every area) in child
processes, two at a time: each case must end as its expectation says (a clear error or a
correct result; no traceback, hang, memory over 1 GiB, silent loss or security failure).
``test_whole_corpus`` runs every case; it is marked slow and runs only with
``CDINTEROP_SLOW=1`` (``python benchmarks/hostile_corpus.py`` runs it with a totals table).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path

import pytest

from .corpus import FAST, Case, Run, Seeds, all_cases, build, run_cases, totals_table

CASES = {case.id: case for case in all_cases()}
WORKERS = max(2, min(4, os.cpu_count() or 2))


def _describe(run: Run) -> str:
    lines = [
        f"{run.case.id}: {run.klass} (expected {run.case.expect}): {run.reason}",
        f"$ cdinterop {' '.join(run.argv)}"[:500],
        f"peak {run.peak_rss / 2**20:,.0f} MiB, {run.seconds:.1f} s",
    ]
    if run.debug_tail:
        lines.append(f"at {run.debug_tail}")
    lines.append(run.output.strip()[-1500:])
    return "\n".join(lines)


@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Seeds:
    """The corpus seeds, written once."""
    return build(tmp_path_factory.mktemp("hostile-seeds"))


@pytest.fixture(scope="session")
def fast_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[bool, str]]:
    """Every selected fast case, run once in parallel: whether it passed and what to say if
    not, by case id. Under pytest-xdist every worker collects every case, so the first
    worker that needs them runs them and leaves the results for the others (a lock in the
    folder the workers share), instead of each running the whole subset again."""
    selected = [
        item.callspec.params["case_id"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_fast_case" and hasattr(item, "callspec")
    ]
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder every worker's own folder is in
    chosen = hashlib.sha256("\n".join(sorted(selected)).encode()).hexdigest()[:16]
    results = shared / f"hostile-fast-{chosen}.json"  # one file per selection of cases
    with (shared / "hostile-fast.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not results.exists():
            seeds = build(tmp_path_factory.mktemp("hostile-seeds"))
            base = tmp_path_factory.mktemp("hostile-fast")
            cases = [CASES[i] for i in selected if i in CASES]
            runs = run_cases(cases, base, seeds, workers=WORKERS)
            table = {run.case.id: (run.passed, _describe(run)) for run in runs}
            results.write_text(json.dumps(table), encoding="utf-8")
    return {k: (bool(v[0]), str(v[1])) for k, v in json.loads(results.read_text()).items()}


def test_fast_list_names_cases_of_every_area() -> None:
    unknown = [i for i in FAST if i not in CASES]
    assert not unknown, f"FAST names unknown cases: {unknown}"
    assert {CASES[i].area for i in FAST} == {c.area for c in CASES.values()}
    assert len(CASES) >= 400


@pytest.mark.parametrize("case_id", FAST)
def test_fast_case(case_id: str, fast_runs: dict[str, tuple[bool, str]]) -> None:
    passed, described = fast_runs[case_id]
    assert passed, described


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("CDINTEROP_SLOW") != "1", reason="the whole corpus: set CDINTEROP_SLOW=1"
)
def test_whole_corpus(seeds: Seeds, tmp_path: Path) -> None:
    cases: list[Case] = list(CASES.values())
    runs = run_cases(cases, tmp_path, seeds, workers=WORKERS)
    failed = [run for run in runs if not run.passed]
    report = totals_table(runs) + "\n\n" + "\n\n".join(_describe(run) for run in failed)
    assert not failed, report
