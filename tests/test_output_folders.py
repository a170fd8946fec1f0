"""Output folders hold one run's outputs, whatever was there before and whatever fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cdinterop._files import RUN_OUTPUTS, replace_outputs, staged_outputs
from cdinterop.errors import WriteError


def _staged(target: Path, names: dict[str, str]) -> None:
    with staged_outputs(target, RUN_OUTPUTS) as staging:
        for name, text in names.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def test_outputs_of_another_kind_or_links_are_replaced(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "sdmx").write_text("a stray file where a folder goes", encoding="utf-8")
    elsewhere = tmp_path / "published"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not ours", encoding="utf-8")
    (target / "dataset.ttl").symlink_to(elsewhere)
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    _staged(target, {"sdmx/data.xml": "new", "dataset.json": "new", "summary.json": "new"})
    assert (target / "sdmx" / "data.xml").read_text(encoding="utf-8") == "new"
    assert not (target / "dataset.ttl").exists() and not (target / "dataset.ttl").is_symlink()
    assert (elsewhere / "keep.txt").exists()  # what the link pointed to is untouched
    assert (target / "notes.txt").exists()
    assert not [p for p in target.iterdir() if p.name.startswith(".cdinterop-")]


def test_a_failed_move_leaves_the_earlier_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    _staged(target, {"dataset.json": "old", "rejects.csv": "old", "summary.json": "old"})
    real = Path.replace

    def flaky(self: Path, other: str | os.PathLike[str]) -> Path:
        moving_in = self.parent.name.startswith(".cdinterop-new-")
        if moving_in and Path(other) == target / "summary.json":
            raise OSError(28, "No space left on device")
        return real(self, other)

    monkeypatch.setattr(Path, "replace", flaky)
    with pytest.raises(WriteError, match="No space left on device"):
        _staged(target, {"dataset.json": "new", "rejects.csv": "new", "summary.json": "new"})
    monkeypatch.setattr(Path, "replace", real)
    texts = {p.name: p.read_text(encoding="utf-8") for p in target.iterdir()}
    assert texts == {"dataset.json": "old", "rejects.csv": "old", "summary.json": "old"}


def test_a_failed_first_write_leaves_no_folder(tmp_path: Path) -> None:
    target = tmp_path / "new"
    with pytest.raises(RuntimeError), staged_outputs(target, RUN_OUTPUTS) as staging:
        (staging / "dataset.json").write_text("half", encoding="utf-8")
        raise RuntimeError("the run failed")
    assert not target.exists()


def test_replace_outputs_needs_no_parent_write_access(tmp_path: Path) -> None:
    """Staging happens inside the target, so a read-only parent does not matter."""
    parent = tmp_path / "parent"
    target = parent / "out"
    target.mkdir(parents=True)
    parent.chmod(0o555)
    try:
        if os.access(parent, os.W_OK):  # running as root: permissions are not enforced
            pytest.skip("the parent stays writable for this user")
        _staged(target, {"dataset.json": "new"})
        assert (target / "dataset.json").read_text(encoding="utf-8") == "new"
    finally:
        parent.chmod(0o755)


def test_replace_outputs_moves_in_every_staged_entry(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    staging = target / ".cdinterop-new-x"
    staging.mkdir()
    (staging / "summary.json").write_text("{}", encoding="utf-8")
    moved = replace_outputs(staging, target, RUN_OUTPUTS)
    assert moved == [target / "summary.json"]
