"""The hostile corpus of issue 14: generated hostile inputs for every reader, the spec and
the command-line operations, each with the class of outcome it must have.

``all_cases()`` lists every `Case`; ``FAST`` names the subset that CI runs
(``tests/hostile/test_corpus_fast.py``); ``benchmarks/hostile_corpus.py`` runs all of them
(or a filter) and prints the totals table.
"""

from __future__ import annotations

from ._case import CLASSES, GIB, MEMORY_LIMIT, Case, Finding, Run, Seeds
from ._run import run_case, run_cases, totals_table
from .fast import FAST
from .seeds import build

__all__ = [
    "CLASSES",
    "FAST",
    "GIB",
    "MEMORY_LIMIT",
    "Case",
    "Finding",
    "Run",
    "Seeds",
    "all_cases",
    "build",
    "run_case",
    "run_cases",
    "totals_table",
]


def all_cases() -> list[Case]:
    """Every case of the corpus, area by area."""
    from . import (
        cases_cli,
        cases_csv,
        cases_datapackage,
        cases_dataset,
        cases_dcat,
        cases_json,
        cases_sdmx,
        cases_spec,
        cases_xlsx,
    )

    found: list[Case] = []
    for module in (
        cases_csv,
        cases_json,
        cases_xlsx,
        cases_spec,
        cases_dataset,
        cases_sdmx,
        cases_datapackage,
        cases_dcat,
        cases_cli,
    ):
        found.extend(module.cases())
    ids = [c.id for c in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate case ids: {duplicates}")
    return found
