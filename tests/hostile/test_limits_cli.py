"""``--limit NAME=VALUE`` on the command line: parsed wherever it stands, applied to the
readers, and refused clearly when malformed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cdinterop import limits
from cdinterop._cli import _limits_from_argv

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDINTEROP_PSEUDONYM_KEY": "replace-with-your-own-secret-key"}
    return subprocess.run(
        [sys.executable, "-m", "cdinterop", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_limits_are_taken_out_of_argv_wherever_they_stand() -> None:
    argv = ["cdinterop", "--limit", "rows=1e9", "ingest", "x.csv", "--limit=bytes=4GiB", "-o", "o"]
    chosen = _limits_from_argv(argv)
    assert argv == ["cdinterop", "ingest", "x.csv", "-o", "o"]
    assert chosen.rows == 1_000_000_000
    assert chosen.bytes == 4 * 1024**3
    assert chosen.columns == limits.DEFAULTS.columns


def test_arguments_after_double_dash_are_left_alone() -> None:
    argv = ["cdinterop", "validate", "--", "--limit"]
    assert _limits_from_argv(argv) == limits.DEFAULTS
    assert argv == ["cdinterop", "validate", "--", "--limit"]


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("rows", "NAME=VALUE"),
        ("speed=4", "NAME one of"),
        ("rows=many", "not a number"),
        ("rows=-1", "positive"),
        ("seconds=inf", "positive"),
    ],
)
def test_a_malformed_limit_exits_2_with_a_message(given: str, says: str, tmp_path: Path) -> None:
    result = _run("--limit", given, "--version", tmp_path=tmp_path)
    assert result.returncode == 2
    assert says in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_a_missing_value_after_limit_exits_2(tmp_path: Path) -> None:
    result = _run("--version", "--limit", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "NAME=VALUE" in " ".join(result.stderr.split())


def test_a_limit_given_on_the_command_line_reaches_the_reader(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("ingest", str(SUBMISSION), "-m", str(SPEC), "-o", str(out))
    refused = _run(*args, "--limit", "columns=5", tmp_path=tmp_path)
    assert refused.returncode == 2, refused.stderr
    said = " ".join(refused.stderr.split())  # the console wraps long lines
    assert "columns = 5" in said
    assert "--limit columns=N" in said
    assert "Traceback" not in said
    assert not out.exists()
    accepted = _run("--limit", "columns=500", *args, tmp_path=tmp_path)
    assert accepted.returncode in (0, 1), accepted.stderr
    assert (out / "summary.json").is_file()


def test_use_restores_the_limits_in_force() -> None:
    with limits.use(rows=10) as inner:
        assert limits.current() is inner
        assert inner.rows == 10
        with limits.use(columns=3):
            assert limits.current().rows == 10
            assert limits.current().columns == 3
        assert limits.current().columns == limits.DEFAULTS.columns
    assert limits.current() == limits.DEFAULTS


def test_unknown_limit_names_are_refused_in_python() -> None:
    with pytest.raises(ValueError, match="unknown limit speed"), limits.use(speed=3):
        pass
