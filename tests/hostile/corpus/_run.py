"""Run corpus cases in child processes and judge them.

Each case runs ``cdinterop`` (through `_child`, which cuts the network) in its own folder,
in a new session, with an address-space limit (``RLIMIT_AS``, the case's ``memory_cap``), a
file-size limit and no core dumps; its peak resident memory comes from ``os.wait4``. A case
that outlives its timeout is killed with its whole process group.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ._case import CLASSES, MEMORY_LIMIT, Case, Finding, Run, Seeds

__all__ = ["CANARY", "judge", "run_case", "run_cases", "totals_table"]

CHILD = Path(__file__).with_name("_child.py")
CANARY = "CANARY-7f3a9c-outside-the-case-folder"
"""Text of ``{o}/secret.txt``: found in an output or a message, it was read from outside."""
KEY = "hostile-corpus-pseudonym-key-0123456789abcdef"
FILE_SIZE_CAP = 3 * 1024**3


def _limits(memory_cap: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_CAP, FILE_SIZE_CAP))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _env(case: Case, work: Path, netlog: Path) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "HOME": str(work),
            "CDINTEROP_PSEUDONYM_KEY": KEY,
            "CDI_HOSTILE_NETLOG": str(netlog),
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "http_proxy": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9",
        }
    )
    env.update(case.env)
    return env


def _spawn(
    argv: list[str], case: Case, work: Path, netlog: Path, out: Path, err: Path
) -> tuple[int | None, float, int]:
    """Run ``argv``; return (exit status or None on timeout, seconds, peak RSS in bytes)."""
    started = time.monotonic()
    peak = out.with_name(out.name + ".peak")
    env = _env(case, work, netlog)
    env["CDI_HOSTILE_PEAK"] = str(peak)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            argv,
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=_limits(case.memory_cap),
        )
        status: int | None = None
        rss = 0
        while True:
            rss = max(rss, _high_water(proc.pid))
            pid, wstatus, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(wstatus)
                break
            if time.monotonic() - started > case.timeout:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                os.wait4(proc.pid, 0)
                status = None
                break
            time.sleep(0.02)
        proc.returncode = -1 if status is None else status  # reaped by wait4
    with contextlib.suppress(OSError, ValueError):
        rss = max(rss, int(peak.read_text(encoding="ascii")))
    return status, time.monotonic() - started, rss


def _high_water(pid: int) -> int:
    """The child's peak resident memory so far (``VmHWM``), in bytes.

    Not ``ru_maxrss`` from ``wait4``: on Linux it carries over the resident size of the
    forked copy of this (large) process from before ``exec``.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:  # noqa: PTH123
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            st = path.lstat()
            found[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return found


def _canary_in_outputs(work: Path, before: dict[str, tuple[int, int]]) -> str | None:
    for name, stamp in _snapshot(work).items():
        if before.get(name) == stamp:
            continue
        path = work / name
        with contextlib.suppress(OSError):
            if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 * 1024**2:
                continue
            if CANARY.encode() in path.read_bytes():
                return f"the canary from outside the case folder is in the output {name}"
    return None


_FRAME = re.compile(r'File "([^"]*cdinterop[^"]*)", line (\d+), in (\w+)')


def _debug_tail(run: Run, netlog: Path) -> str:
    """Run a traceback case again with ``--debug``: the innermost cdinterop frame and the
    exception line."""
    argv = [sys.executable, str(CHILD), *run.argv, "--debug"]
    out, err = run.work.parent / "debug.out", run.work.parent / "debug.err"
    _spawn(argv, run.case, run.work, netlog, out, err)
    text = err.read_text("utf-8", "replace")
    frames = _FRAME.findall(text)
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    last = lines[-1].strip() if lines else ""
    if frames:
        path, line, func = frames[-1]
        short = path.split("site-packages/")[-1].split("src/")[-1]
        return f"{short}:{line} in {func}: {last}"[:400]
    return last[:400]


def judge(run: Run) -> None:
    """Set ``run.klass`` and ``run.reason`` from the exit status and the findings."""
    case, rc, text = run.case, run.returncode, run.output
    security = [f for f in run.findings if f.kind == "security"]
    loss = [f for f in run.findings if f.kind == "loss"]
    if run.network:
        security.insert(0, Finding("security", f"network access attempted: {run.network[0]}"))
    last = ""
    for line in reversed(text.strip().splitlines()):
        if line.strip():
            last = line.strip()
            break
    if security:
        run.klass, run.reason = "security", security[0].reason
    elif rc is None:
        run.klass, run.reason = "hang", f"killed after the {case.timeout:g} s timeout"
    elif (
        rc < 0 or rc == 3 or rc not in (0, 1, 2) or "Traceback" in text or "internal error" in text
    ):
        match = re.search(r"internal error:?\s*(.*)", text)
        shown = match.group(1).strip() if match else last
        how = f"signal {-rc}" if rc < 0 else f"exit {rc}"
        run.klass, run.reason = "traceback", f"{how}: {shown}"[:300]
    elif run.peak_rss > MEMORY_LIMIT:
        run.klass = "memory"
        run.reason = f"peak RSS {run.peak_rss / 1024**2:,.0f} MiB (exit {rc})"
    elif loss:
        run.klass, run.reason = "silent-loss", loss[0].reason
    elif rc == 0 and case.expect == "error":
        run.klass, run.reason = "unexpected", "exit 0 where an error was expected"
    elif rc != 0 and case.expect == "ok":
        run.klass, run.reason = "unexpected", f"exit {rc} where success was expected: {last}"
    elif rc != 0 and not text.strip():
        run.klass, run.reason = "unexpected", f"exit {rc} without any message"
    else:
        run.klass = "handled" if rc == 0 else "clear-error"
        run.reason = "" if rc == 0 else last[:200]


def run_case(case: Case, base: Path, seeds: Seeds, *, debug: bool = True) -> Run:
    """Set up, run and judge ``case`` in a new folder below ``base``."""
    root = base / case.id
    shutil.rmtree(root, ignore_errors=True)
    work, outside = root / "work", root / "outside"
    work.mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(CANARY + "\n", encoding="utf-8")
    run = Run(case=case, work=work, outside=outside, seeds=seeds, argv=[])
    try:
        if case.setup is not None:
            case.setup(work, seeds)
    except Exception:
        run.klass, run.reason = "unexpected", "setup failed: " + traceback.format_exc(limit=2)
        return run
    run.argv = case.command(work, outside, seeds)
    before, outside_before = _snapshot(work), _snapshot(outside)
    netlog = root / "network.log"
    out, err = root / "stdout.txt", root / "stderr.txt"
    argv = [sys.executable, str(CHILD), *run.argv]
    run.returncode, run.seconds, run.peak_rss = _spawn(argv, case, work, netlog, out, err)
    run.stdout = out.read_text("utf-8", "replace")
    run.stderr = err.read_text("utf-8", "replace")
    if netlog.exists():
        run.network = netlog.read_text("utf-8", "replace").splitlines()
    if _snapshot(outside) != outside_before:
        run.findings.append(Finding("security", "a file outside the case folder was written"))
    leaked = _canary_in_outputs(work, before)
    if leaked:
        run.findings.append(Finding("security", leaked))
    if CANARY in run.output:
        run.findings.append(Finding("security", "the canary from outside is in the messages"))
    if case.check is not None:
        try:
            found = case.check(run)
        except Exception as exc:
            found = Finding("loss", f"check could not read the output: {exc!r}"[:300])
        if found is not None:
            run.findings.append(found)
    judge(run)
    if debug and run.klass == "traceback" and run.returncode == 3:
        with contextlib.suppress(Exception):
            run.debug_tail = _debug_tail(run, root / "network-debug.log")
    return run


def run_cases(
    cases: Sequence[Case],
    base: Path,
    seeds: Seeds,
    *,
    workers: int = 2,
    progress: Callable[[Run], None] | None = None,
    keep: bool = False,
) -> list[Run]:
    """Run ``cases`` with ``workers`` in parallel; their folders are removed unless ``keep``
    (or the case failed)."""

    def one(case: Case) -> Run:
        run = run_case(case, base, seeds)
        if not keep and run.passed:
            shutil.rmtree(base / case.id, ignore_errors=True)
        if progress is not None:
            progress(run)
        return run

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, cases))


def totals_table(runs: Iterable[Run]) -> str:
    """The totals by class, overall and by area, as a fixed-width text table."""
    runs = list(runs)
    by_area: dict[str, Counter[str]] = {}
    for run in runs:
        by_area.setdefault(run.case.area, Counter())[run.klass] += 1
    total: Counter[str] = Counter(run.klass for run in runs)
    peak = {area: 0 for area in by_area}
    for run in runs:
        peak[run.case.area] = max(peak[run.case.area], run.peak_rss)
    heads = ["area", "cases", *CLASSES, "peak MiB"]
    rows = [
        [area, str(sum(c.values())), *(str(c[k]) for k in CLASSES), f"{peak[area] / 2**20:,.0f}"]
        for area, c in sorted(by_area.items())
    ]
    rows.append(
        [
            "TOTAL",
            str(len(runs)),
            *(str(total[k]) for k in CLASSES),
            f"{max((r.peak_rss for r in runs), default=0) / 2**20:,.0f}",
        ]
    )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    line = "  ".join("-" * w for w in widths)

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([fmt(heads), line, *(fmt(r) for r in rows[:-1]), line, fmt(rows[-1])])
