"""``-o`` accepts only regular files and folders: a FIFO, a device (or a link to one) and
anything under /dev or /proc are refused before anything is opened (issue 14, point 5)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop._cli import app
from cdinterop._files import atomic_write, check_output_target
from cdinterop._publish import RUN_OUTPUTS, publish
from cdinterop.errors import WriteError

DATASET = Path(__file__).resolve().parents[1] / "examples" / "marine-litter-ghana" / "dataset.json"
COMMANDS = {
    "sdmx write": (["sdmx", "write", str(DATASET)], ""),
    "datapackage write": (["datapackage", "write", str(DATASET)], ""),
    "datapackage write zip": (["datapackage", "write", str(DATASET)], ".zip"),
    "dcat write": (["dcat", "write", str(DATASET)], ".ttl"),
}


def _null_is_intact() -> None:
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    assert not Path("/dev/null").is_symlink()


def _targets(tmp_path: Path, suffix: str) -> dict[str, tuple[Path, str]]:
    fifo = tmp_path / f"fifo{suffix}"
    os.mkfifo(fifo)
    null = tmp_path / f"null{suffix}"
    null.symlink_to("/dev/null")
    return {"fifo": (fifo, "it is a FIFO"), "null": (null, "it is under /dev")}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_cli_refuses_special_outputs(command: str, tmp_path: Path) -> None:
    args, suffix = COMMANDS[command]
    for target, message in _targets(tmp_path, suffix).values():
        result = CliRunner().invoke(app, [*args, "-o", str(target)])
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        text = " ".join(result.output.split())
        assert message in text and "regular files or folders" in text, text
        assert "Traceback" not in result.output
    assert stat.S_ISFIFO((tmp_path / f"fifo{suffix}").stat().st_mode)
    assert (tmp_path / f"null{suffix}").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"fifo{suffix}", f"null{suffix}"]
    _null_is_intact()


def test_helpers_refuse_before_opening(tmp_path: Path) -> None:
    targets = _targets(tmp_path, "")
    proc = tmp_path / "stdout"
    proc.symlink_to("/proc/self/fd/1")
    for target in [*(t for t, _ in targets.values()), proc, Path("/dev/null"), Path("/proc/x")]:
        with pytest.raises(WriteError, match="regular files or folders"):
            check_output_target(target)
        with pytest.raises(WriteError, match="regular files or folders"), atomic_write(target):
            pytest.fail("opened")  # pragma: no cover
        with (
            pytest.raises(WriteError, match="regular files or folders"),
            publish(target, ("x",)),
        ):
            pytest.fail("opened")  # pragma: no cover
    _null_is_intact()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "null", "stdout"]


def test_regular_files_folders_and_links_to_them_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("old")
    (tmp_path / "link").symlink_to(tmp_path / "file")
    for name in ("file", "link", "new", "."):
        check_output_target(tmp_path / name)
    with atomic_write(tmp_path / "file") as handle:
        handle.write(b"new")
    assert (tmp_path / "file").read_bytes() == b"new"


def test_sdmx_write_under_a_regular_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = CliRunner().invoke(
        app, ["sdmx", "write", str(DATASET), "-o", str(tmp_path / "afile" / "sub")]
    )
    assert result.exit_code == 2, result.output
    assert "Not a directory" in " ".join(result.output.split())
    assert (tmp_path / "afile").read_text() == "x"


def test_a_folder_target_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with (
        pytest.raises(WriteError, match="it is a file, not a folder"),
        publish(tmp_path / "afile", RUN_OUTPUTS),
    ):
        pytest.fail("opened")  # pragma: no cover
    assert (tmp_path / "afile").read_text() == "x"
