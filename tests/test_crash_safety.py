"""Output folders survive ``kill -9`` (issue 14, point 5): wherever a run is killed, the
folder holds the complete earlier run or the complete new one, never a mix; two runs into
one folder never delete each other's files; a write that fails leaves the earlier outputs.

The kills come from the testing hook ``CDINTEROP_CRASH_AT`` (`cdinterop._publish`) at every
point of the publishing, and from a timer at moments spread over a whole run. The runs are
forked from one warm process (the driver below), so that each costs only its own work.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

from cdinterop import sdmx
from cdinterop._cli import app
from cdinterop._publish import RUN_OUTPUTS, publish

ROOT = Path(__file__).resolve().parents[1]
KOBO = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
DATASET = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
KEY = "replace-with-your-own-secret-key"
FOREIGN = {"notes.txt": "the user's notes\n", "extra/keep.txt": "another tool's file\n"}

DRIVER = r"""
import json, os, signal, sys, time

from cdinterop._cli import app
import cdinterop.convert, cdinterop.aggregate, cdinterop.ingest, cdinterop.mapping
import cdinterop.formats, cdinterop.conformance
import cdinterop.sdmx, cdinterop.sdmx._structure_xml, cdinterop.sdmx._data_xml
import cdinterop.sdmx._data_csv, cdinterop.datapackage, cdinterop.datapackage._storage
import cdinterop.dcat, cdinterop.dcat._writing, cdinterop.codes
import lxml.etree, pandas, rdflib, yaml


def child(run):
    if run.get("crash"):
        os.environ["CDINTEROP_CRASH_AT"] = run["crash"]
    log = os.open(run["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        app(run["args"], prog_name="cdinterop")
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException:
        os._exit(3)
    os._exit(0)


def locked(path):  # whether a process holds the flock of the folder (None: no condition)
    if path is None:
        return True
    try:
        inode = ":%d" % os.stat(path).st_ino
        with open("/proc/locks") as locks:
            return any(" FLOCK " in l and l.split()[5].endswith(inode) for l in locks)
    except OSError:
        return False


for line in sys.stdin:
    runs = json.loads(line)
    began = time.monotonic()
    pids, results = {}, [None] * len(runs)
    while any(r is None for r in results):
        now = time.monotonic() - began
        for i, run in enumerate(runs):
            if i not in pids and now >= run.get("start", 0) and locked(run.get("after_lock")):
                pid = os.fork()
                if pid == 0:
                    child(run)
                pids[i] = (pid, time.monotonic())
            if i in pids and results[i] is None:
                pid, t0 = pids[i]
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    results[i] = {
                        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
                        "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                        "seconds": time.monotonic() - t0,
                    }
                elif run.get("kill_after") is not None:
                    if time.monotonic() - t0 >= run["kill_after"]:
                        os.kill(pid, signal.SIGKILL)
        time.sleep(0.002)
    print(json.dumps(results), flush=True)
"""


class Driver:
    """A warm process that forks runs of the CLI, kills them on request and reports how
    each ended (``signal``, ``code``, ``seconds``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        # one BLAS thread: quicker on a busy machine, and no thread pool to fork
        env = {**os.environ, "CDINTEROP_PSEUDONYM_KEY": KEY, "OPENBLAS_NUM_THREADS": "1"}
        env.pop("CDINTEROP_CRASH_AT", None)
        self.process = subprocess.Popen(
            [sys.executable, "-c", DRIVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )

    def runs(self, *runs: dict[str, Any]) -> list[dict[str, Any]]:
        """Run these at once (``start`` delays one, in seconds); return how each ended."""
        assert self.process.stdin is not None and self.process.stdout is not None
        for run in runs:
            self.count += 1
            run["log"] = str(self.folder / f"run-{self.count}.log")
        self.process.stdin.write(json.dumps(list(runs)) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the driver died"
        results: list[dict[str, Any]] = json.loads(line)
        for run, result in zip(runs, results, strict=True):
            result["output"] = Path(run["log"]).read_text(encoding="utf-8", errors="replace")
        return results

    def run(self, args: list[str], **options: Any) -> dict[str, Any]:
        """One run of ``cdinterop ARGS`` (``crash``: a crash point; ``kill_after``: s)."""
        return self.runs({"args": args, **options})[0]

    def close(self) -> None:
        """End the driver."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    running = Driver(tmp_path_factory.mktemp("logs"))
    yield running
    running.close()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _put_foreign(out: Path) -> None:
    for name, text in FOREIGN.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")


def _complete_run(out: Path) -> tuple[str, ...]:
    """Check that ``out`` holds exactly one complete run, as its ``summary.json`` lists it
    (every file with its SHA-256, nothing else but the files of other tools), and that
    nothing is left beside it; return the run's outputs."""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f["sha256"] for f in summary["files"]}
    present = {
        p.relative_to(out).as_posix(): _sha256(p)
        for p in out.rglob("*")
        if p.is_file() or p.is_symlink()
    }
    for name, text in FOREIGN.items():
        assert (out / name).read_text(encoding="utf-8") == text, name
        del present[name]
    del present["summary.json"]
    assert present == listed
    return tuple(summary["outputs"])


def _leftovers(out: Path) -> list[str]:
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    return beside + [p.name for p in out.iterdir() if p.name.startswith(".cdinterop-")]


ALL = ("sdmx", "datapackage", "dcat")
ONE = ("datapackage",)
# (outputs of the killed run, point, whether the new run is in place after the kill):
# every point of the publishing, in order; a run of ALL meets the ``:1`` points in the
# nested publishing of sdmx/ inside its staging folder, and its own at ``:2``
POINTS = [
    (ONE, "publish-start", False),
    (ONE, "file-written:2", False),
    (ONE, "before-exchange", False),
    (ONE, "after-exchange", True),
    (ALL, "file-written:1", False),
    (ALL, "file-written:9", False),
    (ALL, "before-exchange:1", False),
    (ALL, "after-exchange:1", False),
    (ALL, "staged:2", False),
    (ALL, "linked:2", False),
    (ALL, "before-exchange:2", False),
    (ALL, "after-exchange:2", True),
    (ONE, "renamed", True),
    (ALL, "merged:2", True),
    (ONE, "removing:2", True),
]


def _convert(out: Path, to: tuple[str, ...], submission: Path = KOBO) -> list[str]:
    return ["convert", str(submission), "-m", str(SPEC), "-o", str(out), "--to", ",".join(to)]


def _long_submission(folder: Path) -> Path:
    """The example submission with its rows 30 times over (the copies are dropped as
    duplicates): a run that holds its folder for about a second, long enough for a second
    run to meet the lock on a fast or a busy machine."""
    head, *rows = KOBO.read_text(encoding="utf-8").splitlines(keepends=True)
    long = folder / "long-submission.csv"
    long.write_text(head + "".join(rows * 30), encoding="utf-8")
    return long


def test_a_killed_convert_leaves_one_complete_run(driver: Driver, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _put_foreign(out)
    first = driver.run(_convert(out, ALL))
    assert first["code"] == 0, first["output"]
    assert _complete_run(out) == ALL
    seconds, kills, held = first["seconds"], 0, ALL
    for to, point, new_in_place in POINTS:  # deterministic: the hook
        result = driver.run(_convert(out, to), crash=point)
        assert result["signal"] == signal.SIGKILL, (point, result["output"])
        kills += 1
        held = to if new_in_place else held
        assert _complete_run(out) == held, point
    one = driver.run(_convert(out, ONE))  # removes what the kills left
    assert one["code"] == 0, one["output"]
    assert _complete_run(out) == ONE and not _leftovers(out)
    # each kind of run is killed at moments spread over its own length, as last seen (a
    # busy machine makes the lengths vary: a run that ends first only shortens the next)
    length = {ALL: seconds, ONE: one["seconds"]}
    for i in range(20):
        to = ALL if i % 2 else ONE
        result = driver.run(_convert(out, to), kill_after=length[to] * (0.05 + 0.85 * i / 19))
        kills += result["signal"] == signal.SIGKILL
        assert result["signal"] == signal.SIGKILL or result["code"] == 0, result["output"]
        if result["code"] == 0:
            length[to] = min(length[to], result["seconds"])
        assert _complete_run(out) in {ALL, ONE}
    assert kills >= len(POINTS) + 10, kills
    assert driver.run(_convert(out, ALL))["code"] == 0
    assert _complete_run(out) == ALL and not _leftovers(out)


def test_overlapping_runs_never_mix(driver: Driver, tmp_path: Path) -> None:
    """The output folder is locked from the start of a run: a second run is refused."""
    if not Path("/proc/locks").is_file():
        pytest.skip("no /proc/locks to see when the first run holds the folder")
    out = tmp_path / "out"
    out.mkdir()
    _put_foreign(out)
    assert driver.run(_convert(out, ALL))["code"] == 0
    long = _long_submission(tmp_path)
    for after_lock in (str(out), None):  # once surely while the first writes; once at once
        first, second = driver.runs(
            {"args": _convert(out, ALL, long)},
            {"args": _convert(out, ONE), "after_lock": after_lock},
        )
        for result in (first, second):
            assert result["code"] in (0, 2), result["output"]
            text = " ".join(result["output"].split())
            assert "Traceback" not in text
            if result["code"] == 2:
                assert "another cdinterop run is writing to" in text, text
                assert f"{out} (pid " in text, text
        if after_lock:
            assert (first["code"], second["code"]) == (0, 2)
        assert 0 in (first["code"], second["code"])
        assert _complete_run(out) == (ALL if second["code"] else ONE)
        assert not _leftovers(out)


def test_a_killed_sdmx_write_leaves_one_complete_set(driver: Driver, tmp_path: Path) -> None:
    out = tmp_path / "sdmx"
    write = ["sdmx", "write", str(DATASET), "-o", str(out)]
    assert driver.run(write)["code"] == 0
    new = {p.name: _sha256(p) for p in out.iterdir()}
    for point, new_in_place in [
        ("file-written:3", False),
        ("before-exchange", False),
        ("after-exchange", True),
        ("removing", True),
    ]:
        assert driver.run([*write, "-f", "csv20"])["code"] == 0
        assert not _leftovers(out)
        old = {p.name: _sha256(p) for p in out.iterdir()}
        result = driver.run(write, crash=point)
        assert result["signal"] == signal.SIGKILL, result["output"]
        now = {p.name: _sha256(p) for p in out.iterdir()}
        if new_in_place:  # every message has the time it was prepared: new bytes
            assert sorted(now) == sorted(new)
            for name in now:
                if name.endswith(".xml"):
                    etree.parse(str(out / name))  # complete
        else:
            assert now == old


def test_a_killed_ingest_leaves_one_complete_run(driver: Driver, tmp_path: Path) -> None:
    out = tmp_path / "records"
    ingest = ["ingest", str(KOBO), "-m", str(SPEC), "-o", str(out)]
    assert driver.run([*ingest, "--no-datapackage"])["code"] == 0
    for point, new_in_place in [("before-exchange:2", False), ("after-exchange:2", True)]:
        result = driver.run(ingest, crash=point)
        assert result["signal"] == signal.SIGKILL, result["output"]
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        names = sorted(p.name for p in out.iterdir())
        expected = ["dataset.json", "rejects.csv"] + (["datapackage"] if new_in_place else [])
        assert sorted(summary["outputs"]) == sorted(expected)
        assert names == sorted([*expected, "summary.json"])
        assert driver.run([*ingest, "--no-datapackage"])["code"] == 0
        assert not _leftovers(out)


# failures that are errors, not kills: a plain message, exit 2, the earlier outputs intact


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _sha256(p) for p in folder.rglob("*") if p.is_file()}


def _refused(args: list[str], *words: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    text = " ".join(result.output.split())
    assert "Traceback" not in text
    for word in words:
        assert word in text, text


def _failing_writer(code: int) -> Any:
    def write(dataset: Any, target: Any) -> None:
        raise OSError(code, os.strerror(code))

    return write


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_sdmx_write_failing_leaves_the_earlier_files(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sdmx"
    assert CliRunner().invoke(app, ["sdmx", "write", str(DATASET), "-o", str(out)]).exit_code == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = _snapshot(out)
    fmt = sdmx.FORMATS["csv10"]
    monkeypatch.setitem(sdmx.FORMATS, "csv10", _replace_writer(fmt, _failing_writer(code)))
    _refused(["sdmx", "write", str(DATASET), "-o", str(out)], os.strerror(code), str(out))
    assert _snapshot(out) == before
    assert not _leftovers(out)


def _replace_writer(fmt: Any, write: Any) -> Any:
    import dataclasses

    return dataclasses.replace(fmt, write=write)


def test_sdmx_write_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    target = tmp_path / "afile" / "sub"
    _refused(["sdmx", "write", str(DATASET), "-o", str(target)], "Not a directory")
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_a_read_only_folder_is_a_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sdmx"
    assert CliRunner().invoke(app, ["sdmx", "write", str(DATASET), "-o", str(out)]).exit_code == 0
    before = _snapshot(out)
    real = os.open

    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    monkeypatch.setattr("cdinterop._publish.tempfile.mkdtemp", _raise(errno.EROFS), raising=True)
    _refused(["sdmx", "write", str(DATASET), "-o", str(out)], "Read-only file system")
    monkeypatch.undo()
    assert _snapshot(out) == before and not _leftovers(out)


def _raise(code: int) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    return fail


def test_sdmx_conform_failing_midway_leaves_the_earlier_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = ROOT / "examples" / "public-services-satisfaction" / "dataset.json"
    structure = ROOT.parent / "shared" / "standards" / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml"
    mapping = ROOT / "mappings" / "services-satisfaction-to-sdg.yaml"
    if not structure.is_file():
        pytest.skip(f"the SDG DSD copy is absent ({structure})")
    out = tmp_path / "sdg"
    args = ["sdmx", "conform", str(source), "-s", str(structure), "-m", str(mapping)]
    first = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert first.exit_code == 0, first.output
    before = _snapshot(out)
    assert len(before) >= 7
    names = [n for n in sdmx.planned_files(_load(out / "dataset.json")) if n.startswith("data-")]
    last = names[-1].removeprefix("data-").rsplit(".", 1)[0]
    monkeypatch.setitem(
        sdmx.FORMATS, last, _replace_writer(sdmx.FORMATS[last], _failing_writer(errno.ENOSPC))
    )
    _refused([*args, "-o", str(out)], "No space left on device")
    assert _snapshot(out) == before and not _leftovers(out)


def _load(path: Path) -> Any:
    from cdinterop import load

    return load(path)


def test_a_locked_folder_is_refused_with_the_holder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _put_foreign(out)
    args = [*_convert(out, ALL), "--key", "env:CDINTEROP_TEST_KEY"]
    with publish(out, RUN_OUTPUTS):
        result = CliRunner(env={"CDINTEROP_TEST_KEY": KEY}).invoke(app, args)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert f"another cdinterop run is writing to {out} (pid {os.getpid()})" in text
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "extra",
        "extra/keep.txt",
        "notes.txt",
    ]


def test_datapackage_write_failing_leaves_the_earlier_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "package"
    write = ["datapackage", "write", str(DATASET), "-o", str(out)]
    assert CliRunner().invoke(app, write).exit_code == 0
    before = _snapshot(out)
    from cdinterop._files import atomic_write

    calls = {"n": 0}
    real = atomic_write

    def flaky(path: Any, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, *args, **kwargs)

    monkeypatch.setattr("cdinterop.datapackage._storage.atomic_write", flaky)
    _refused(write, "No space left on device")
    assert _snapshot(out) == before and not _leftovers(out)
