"""Helpers shared by the case modules: setups that write inputs, and checks."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._case import Case, Check, Expect, Finding, Run, Seeds, Setup

__all__ = [
    "FORMULA_START",
    "all_of",
    "copy",
    "fifo",
    "ingest_counts",
    "link",
    "make",
    "mentions",
    "rejects_neutralised",
    "sdmx_count",
    "text_kept",
    "unchanged",
    "write",
    "writes",
]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def write(name: str, make: Callable[..., bytes]) -> Setup:
    """A setup writing ``make(seeds)`` to ``name`` in the case folder (``make`` may take
    more arguments with defaults, as lambdas that bind a loop variable do)."""

    def setup(work: Path, seeds: Seeds) -> None:
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(make(seeds))

    return setup


def writes(*setups: Setup) -> Setup:
    """All of ``setups`` in turn."""

    def setup(work: Path, seeds: Seeds) -> None:
        for one in setups:
            one(work, seeds)

    return setup


def copy(seed: str, name: str | None = None) -> Setup:
    """A setup copying the seed file or folder ``seed`` into the case folder."""

    def setup(work: Path, seeds: Seeds) -> None:
        source, target = seeds / seed, work / (name or Path(seed).name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)

    return setup


def fifo(name: str) -> Setup:
    """A setup making a FIFO (named pipe) ``name`` in the case folder."""

    def setup(work: Path, seeds: Seeds) -> None:
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(work / name)

    return setup


def link(name: str, target: str) -> Setup:
    """A setup making ``name`` a symbolic link to ``target`` (``{d}``/``{o}`` filled in)."""

    def setup(work: Path, seeds: Seeds) -> None:
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(
            target.replace("{d}", str(work)).replace("{o}", str(work.parent / "outside"))
        )

    return setup


def all_of(*checks: Check) -> Check:
    """A check failing with the first of ``checks`` that fails."""

    def check(run: Run) -> Finding | None:
        for one in checks:
            found = one(run)
            if found is not None:
                return found
        return None

    return check


def _summary(run: Run, folder: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((run.work / folder / "summary.json").read_text("utf-8"))
    inner: dict[str, Any] = data.get("ingest", data)
    return inner


def ingest_counts(
    rows: int | None = None,
    *,
    tolerance: int = 0,
    accepted: int | None = None,
    min_rejected: int = 0,
    folder: str = "out",
) -> Check:
    """After a successful ingest: every record read is accepted, filtered or rejected; with
    ``rows``, ``rows_read`` is within ``tolerance`` of it (records silently merged or
    dropped otherwise); ``accepted`` records exactly; at least ``min_rejected`` rejected."""

    def check(run: Run) -> Finding | None:
        if run.returncode != 0:
            return None
        s = _summary(run, folder)
        read, acc, fil, rej = s["rows_read"], s["accepted"], s["filtered"], s["rejected"]
        if acc + fil + rej != read:
            return Finding("loss", f"{read} rows read but {acc}+{fil}+{rej} accounted for")
        if rows is not None and abs(read - rows) > tolerance:
            return Finding("loss", f"{read} rows read of the {rows} records in the file")
        if accepted is not None and acc != accepted:
            return Finding("loss", f"{acc} rows accepted instead of {accepted}")
        if rej < min_rejected:
            return Finding("loss", f"{rej} rows rejected, expected at least {min_rejected}")
        return None

    return check


def text_kept(*texts: str, file: str = "out/dataset.json") -> Check:
    """After a success: each of ``texts`` is in ``file`` (JSON-escaped forms count too)."""

    def check(run: Run) -> Finding | None:
        if run.returncode != 0:
            return None
        content = (run.work / file).read_text("utf-8", "replace")
        for text in texts:
            escaped = json.dumps(text, ensure_ascii=True)[1:-1]
            if text not in content and escaped not in content:
                return Finding("loss", f"{text!r} is not in {file}")
        return None

    return check


def mentions(pattern: str, why: str) -> Check:
    """After a success: the messages match ``pattern`` (a regular expression, any case);
    otherwise ``why`` was lost without a word."""

    def check(run: Run) -> Finding | None:
        if run.returncode == 0 and not re.search(pattern, run.output, re.IGNORECASE):
            return Finding("loss", f"exit 0 without a word about {why}")
        return None

    return check


def rejects_neutralised(file: str = "out/rejects.csv") -> Check:
    """No cell of ``rejects.csv`` starts with a formula character (OWASP CSV injection)."""

    def check(run: Run) -> Finding | None:
        path = run.work / file
        if not path.exists():
            return None
        with path.open(encoding="utf-8", newline="") as handle:
            for n, row in enumerate(csv.reader(handle)):
                for cell in row:
                    if cell.startswith(FORMULA_START) and not _NUMBER.match(cell):
                        return Finding(
                            "security", f"rejects.csv line {n + 1} has a formula cell {cell[:40]!r}"
                        )
        return None

    return check


def _observation_count(path: Path) -> int:
    data = json.loads(path.read_text("utf-8"))
    return len(data.get("observations") or [])


def sdmx_count(expected: int, file: str = "out.json") -> Check:
    """After a success: the data set read has ``expected`` observations."""

    def check(run: Run) -> Finding | None:
        if run.returncode != 0:
            return None
        found = _observation_count(run.work / file)
        if found != expected:
            return Finding("loss", f"{found} observations read instead of {expected}")
        return None

    return check


def unchanged(name: str, seed: str) -> Check:
    """Whatever the exit code, ``name`` in the case folder still equals the seed ``seed``
    (an input must not be overwritten by an output)."""

    def check(run: Run) -> Finding | None:
        path = run.work / name
        if not path.exists():
            return Finding("security", f"the input {name} was deleted")
        original = run.seeds / seed
        if original.is_file() and path.read_bytes() != original.read_bytes():
            return Finding("security", f"the input {name} was overwritten")
        return None

    return check


def make(
    area: str,
) -> Callable[..., Case]:
    """A `Case` factory for ``area``: ``make(area)(id, argv, expect, setup, check, ...)``."""

    def factory(
        case_id: str,
        argv: tuple[str, ...] | list[str],
        expect: Expect = "error",
        setup: Setup | None = None,
        check: Check | None = None,
        **extra: Any,
    ) -> Case:
        return Case(
            id=f"{area}/{case_id}",
            area=area,
            argv=tuple(argv),
            expect=expect,
            setup=setup,
            check=check,
            **extra,
        )

    return factory
