"""A pseudonymisation key named as ``file:PATH`` is read only from a small regular file: a
FIFO (which would block), a device (``/dev/zero`` would be read without end) or a large
file is refused before it is opened, with a clear message and no traceback."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop._cli import app
from cdinterop.ingest import load_key

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(ValueError, match="not a regular file"):
        load_key(f"file:{fifo}")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused(device: str, tmp_path: Path) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} is not on this machine")
    with pytest.raises(ValueError, match="not a regular file"):
        load_key(f"file:{device}")
    link = tmp_path / "key"
    link.symlink_to(device)  # a link to a device is a device
    with pytest.raises(ValueError, match="not a regular file"):
        load_key(f"file:{link}")
    assert stat.S_ISCHR(Path(device).stat().st_mode)


def test_a_large_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "key.txt"
    big.write_bytes(b"k" * 10_000)
    with pytest.raises(ValueError, match="over 4096 bytes"):
        load_key(f"file:{big}")
    small = tmp_path / "ok.txt"
    small.write_text("a-long-secret-key-for-the-tests\n", encoding="utf-8")
    assert load_key(f"file:{small}") == b"a-long-secret-key-for-the-tests"


def test_the_cli_exits_2_for_a_fifo_key(tmp_path: Path) -> None:
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    submission = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
    spec = ROOT / "mappings" / "services-survey-kobo.yaml"
    args = ["ingest", str(submission), "-m", str(spec), "-o", str(tmp_path / "out")]
    result = runner.invoke(app, [*args, "--key", f"file:{fifo}"])
    assert result.exit_code == 2, result.output
    assert "not a regular file" in " ".join(result.output.split())
    assert "Traceback" not in result.output
