"""The hostile corpus of issue 14 under pytest.

``test_fast_case`` runs the CI subset (``corpus.FAST``, a few cases of every area) in child
processes, two at a time: each case must end as its expectation says (a clear error or a
correct result; no traceback, hang, memory over 1 GiB, silent loss or security failure).
``test_whole_corpus`` runs every case; it is marked slow and runs only with
``CDINTEROP_SLOW=1`` (``python benchmarks/hostile_corpus.py`` runs it with a totals table).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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
    request: pytest.FixtureRequest, seeds: Seeds, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Run]]:
    """Every selected fast case, run once in parallel; results by case id."""
    selected = [
        item.callspec.params["case_id"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_fast_case" and hasattr(item, "callspec")
    ]
    cases = [CASES[i] for i in selected if i in CASES]
    base = tmp_path_factory.mktemp("hostile-fast")
    yield {run.case.id: run for run in run_cases(cases, base, seeds, workers=WORKERS)}


def test_fast_list_names_cases_of_every_area() -> None:
    unknown = [i for i in FAST if i not in CASES]
    assert not unknown, f"FAST names unknown cases: {unknown}"
    assert {CASES[i].area for i in FAST} == {c.area for c in CASES.values()}
    assert len(CASES) >= 400


@pytest.mark.parametrize("case_id", FAST)
def test_fast_case(case_id: str, fast_runs: dict[str, Run]) -> None:
    run = fast_runs[case_id]
    assert run.passed, _describe(run)


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
