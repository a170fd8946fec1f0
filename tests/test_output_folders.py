"""Output folders hold one run's outputs, whatever was there before and whatever fails."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from cdinterop import _publish
from cdinterop._publish import RUN_OUTPUTS, _replace_entries, publish, reserve
from cdinterop.errors import WriteError


def _staged(target: Path, names: dict[str, str]) -> None:
    with publish(target, RUN_OUTPUTS) as staging:
        for name, text in names.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def _texts(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def _no_leftovers(target: Path) -> bool:
    beside = [p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.")]
    inside = [p for p in target.iterdir() if p.name.startswith(".cdinterop-")]
    return not beside and not inside


@pytest.fixture(params=["exchange", "entry by entry"])
def method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the one-step swap and with the fallback where there is none."""
    if request.param == "entry by entry":
        monkeypatch.setattr(_publish, "_exchange", None)
    elif _publish._exchange is None:  # pragma: no cover - another system
        pytest.skip("no renameat2 / renamex_np here")
    return str(request.param)


def test_outputs_of_another_kind_or_links_are_replaced(tmp_path: Path, method: str) -> None:
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
    assert _no_leftovers(target)


def test_files_of_others_survive_with_their_links_and_folders(tmp_path: Path, method: str) -> None:
    target = tmp_path / "out"
    (target / "theirs" / "deep").mkdir(parents=True)
    (target / "theirs" / "deep" / "a.txt").write_text("a", encoding="utf-8")
    (target / "link").symlink_to("theirs/deep/a.txt")
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    (target / "rejects.csv").write_text("old", encoding="utf-8")
    inode = (target / "notes.txt").stat().st_ino
    with publish(target, RUN_OUTPUTS) as staging:
        (staging / "summary.json").write_text("new", encoding="utf-8")
        (target / "late.txt").write_text("written during the run", encoding="utf-8")
        (target / "notes.txt").write_text("edited during the run", encoding="utf-8")
    assert _texts(target) == {
        "theirs/deep/a.txt": "a",
        "notes.txt": "edited during the run",
        "late.txt": "written during the run",
        "summary.json": "new",
    }
    assert (target / "link").readlink() == Path("theirs/deep/a.txt")
    assert (target / "notes.txt").stat().st_ino == inode  # a link, not a copy
    assert _no_leftovers(target)


def test_a_file_replaced_during_the_run_is_the_one_kept(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("before", encoding="utf-8")
    with publish(target, RUN_OUTPUTS) as staging:
        (staging / "summary.json").write_text("new", encoding="utf-8")
        replacement = tmp_path / "notes.new"
        replacement.write_text("after", encoding="utf-8")
        replacement.replace(target / "notes.txt")  # as an editor saves it
    assert _texts(target) == {"notes.txt": "after", "summary.json": "new"}


def test_a_link_to_the_folder_is_kept_and_the_folder_it_names_replaced(
    tmp_path: Path, method: str
) -> None:
    real = tmp_path / "disk" / "real"
    real.mkdir(parents=True)
    (real / "summary.json").write_text("old", encoding="utf-8")
    (real / "notes.txt").write_text("mine", encoding="utf-8")
    link = tmp_path / "out"
    link.symlink_to(real)
    _staged(link, {"summary.json": "new"})
    assert link.is_symlink() and link.resolve() == real
    assert _texts(real) == {"summary.json": "new", "notes.txt": "mine"}
    assert _no_leftovers(real)


def test_the_new_folder_keeps_the_mode_of_the_old(tmp_path: Path, method: str) -> None:
    target = tmp_path / "out"
    target.mkdir()
    target.chmod(0o750)
    _staged(target, {"summary.json": "new"})
    assert target.stat().st_mode & 0o777 == 0o750


def test_a_failed_exchange_leaves_the_earlier_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    _staged(target, {"dataset.json": "old", "rejects.csv": "old", "summary.json": "old"})

    def full(a: Path, b: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_publish, "_exchange", full)
    with pytest.raises(WriteError, match="No space left on device"):
        _staged(target, {"dataset.json": "new", "summary.json": "new"})
    assert _texts(target) == {"dataset.json": "old", "rejects.csv": "old", "summary.json": "old"}
    assert _no_leftovers(target)


@pytest.mark.parametrize("code", [errno.EXDEV, errno.EBUSY, errno.EINVAL])
def test_a_refused_exchange_falls_back_to_moving_entries(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    _staged(target, {"dataset.json": "old", "rejects.csv": "old"})
    (target / "notes.txt").write_text("mine", encoding="utf-8")

    def refused(a: Path, b: Path) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(_publish, "_exchange", refused)
    _staged(target, {"dataset.json": "new", "summary.json": "new"})
    assert _texts(target) == {"dataset.json": "new", "summary.json": "new", "notes.txt": "mine"}
    assert _no_leftovers(target)


def test_a_mount_point_is_filled_entry_by_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    _staged(target, {"dataset.json": "old"})
    monkeypatch.setattr(_publish.os.path, "ismount", lambda path: Path(path) == target)
    inode = target.stat().st_ino
    _staged(target, {"summary.json": "new"})
    assert target.stat().st_ino == inode  # the same folder: never renamed
    assert _texts(target) == {"summary.json": "new"}
    assert _no_leftovers(target)


def test_a_failed_move_leaves_the_earlier_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_publish, "_exchange", None)
    target = tmp_path / "out"
    _staged(target, {"dataset.json": "old", "rejects.csv": "old", "summary.json": "old"})
    real = shutil.move

    def flaky(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> object:
        if Path(destination) == target / "summary.json":
            raise OSError(28, "No space left on device")
        return real(source, destination)

    monkeypatch.setattr(shutil, "move", flaky)
    with pytest.raises(WriteError, match="No space left on device"):
        _staged(target, {"dataset.json": "new", "rejects.csv": "new", "summary.json": "new"})
    monkeypatch.setattr(shutil, "move", real)
    assert _texts(target) == {"dataset.json": "old", "rejects.csv": "old", "summary.json": "old"}


def test_a_failed_first_write_leaves_no_folder(tmp_path: Path, method: str) -> None:
    target = tmp_path / "new"
    with pytest.raises(RuntimeError), publish(target, RUN_OUTPUTS) as staging:
        (staging / "dataset.json").write_text("half", encoding="utf-8")
        raise RuntimeError("the run failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_read_only_parent_means_staging_inside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no sibling can be made (a parent that cannot be written), the run is staged
    inside the folder and moved in entry by entry."""
    parent = tmp_path / "parent"
    target = parent / "out"
    target.mkdir(parents=True)
    real = _publish.tempfile.mkdtemp

    def no_sibling(*args: object, **kwargs: object) -> str:
        if Path(str(kwargs["dir"])) == parent:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_publish.tempfile, "mkdtemp", no_sibling)
    _staged(target, {"dataset.json": "new"})
    assert _texts(target) == {"dataset.json": "new"}
    assert _no_leftovers(target)


def test_a_read_only_parent_needs_no_write_access(tmp_path: Path) -> None:
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


def test_replace_entries_moves_in_every_staged_entry(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "rejects.csv").write_text("old", encoding="utf-8")
    staging = target / ".cdinterop-new-x"
    staging.mkdir()
    (staging / "summary.json").write_text("{}", encoding="utf-8")
    _replace_entries(staging, target, RUN_OUTPUTS)
    assert sorted(p.name for p in target.iterdir()) == [".cdinterop-new-x", "summary.json"]


def test_leftovers_of_a_killed_run_are_removed_and_foreign_files_saved(
    tmp_path: Path, method: str
) -> None:
    target = tmp_path / "out"
    _staged(target, {"summary.json": "complete"})
    before = tmp_path / ".out.cdinterop-new-123-abcd"  # killed before its swap
    (before / "sdmx").mkdir(parents=True)
    (before / "summary.json").write_text("half", encoding="utf-8")
    (before / ".sdmx.cdinterop-new-9-x").mkdir()  # a nested staging folder
    (before / ".dataset.json.abcd.tmp").write_text("half", encoding="utf-8")  # a temp file
    after = tmp_path / ".out.cdinterop-old-456-efgh"  # killed after its swap
    after.mkdir()
    (after / "summary.json").write_text("older", encoding="utf-8")
    (after / "late.txt").write_text("not moved across yet", encoding="utf-8")
    old_style = target / ".cdinterop-old-zz"  # the method of earlier versions
    old_style.mkdir()
    (old_style / "dataset.json").write_text("stranded", encoding="utf-8")
    other = tmp_path / ".other.cdinterop-new-1-x"  # another folder's: not ours to remove
    other.mkdir()
    _staged(target, {"summary.json": "new"})
    assert _texts(target) == {"summary.json": "new", "late.txt": "not moved across yet"}
    assert _no_leftovers(target)
    assert other.is_dir()


def test_a_second_run_is_refused_while_one_writes(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _staged(target, {"summary.json": "old"})
    with publish(target, RUN_OUTPUTS) as staging:
        (staging / "summary.json").write_text("first", encoding="utf-8")
        with (
            pytest.raises(WriteError, match=r"another cdinterop run is writing to .*out \(pid "),
            publish(target, RUN_OUTPUTS),
        ):
            pytest.fail("entered")  # pragma: no cover
    assert _texts(target) == {"summary.json": "first"}


def test_a_reserved_folder_is_locked_before_and_after_its_publishing(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with reserve(target):
        assert target.is_dir()
        with pytest.raises(WriteError, match="another cdinterop run"), reserve(target):
            pytest.fail("entered")  # pragma: no cover
        _staged(target, {"summary.json": "new"})  # uses the reservation's lock
        with pytest.raises(WriteError, match="another cdinterop run"):
            _other_thread(target)
    _staged(target, {"summary.json": "newer"})
    assert _texts(target) == {"summary.json": "newer"}


def _other_thread(target: Path) -> None:
    """Publish from another thread (which does not share this one's reservation)."""
    import threading

    errors: list[BaseException] = []

    def run() -> None:
        try:
            _staged(target, {"summary.json": "other"})
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def test_a_reservation_that_published_nothing_removes_the_folder_it_made(
    tmp_path: Path,
) -> None:
    with pytest.raises(RuntimeError), reserve(tmp_path / "out"):
        raise RuntimeError("the run failed before writing")
    assert not (tmp_path / "out").exists()


def test_files_that_cannot_be_linked_mean_moving_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    _staged(target, {"dataset.json": "old"})
    (target / "theirs.txt").write_text("another user's", encoding="utf-8")
    inode = (target / "theirs.txt").stat().st_ino

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(_publish.os, "link", refused)
    monkeypatch.setattr(_publish.shutil, "copy2", refused)
    _staged(target, {"summary.json": "new"})
    assert _texts(target) == {"summary.json": "new", "theirs.txt": "another user's"}
    assert (target / "theirs.txt").stat().st_ino == inode
    assert _no_leftovers(target)


def test_a_process_inside_the_folder_stays_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    """The run's current folder (``-o .``) or one with a process inside: the folder is
    not copied and swapped, its entries are replaced in place."""
    target = tmp_path / "out"
    (target / "sub").mkdir(parents=True)
    (target / "sub" / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(target / "sub")
    inode = target.stat().st_ino
    _staged(target, {"summary.json": "new"})
    assert Path("notes.txt").read_text(encoding="utf-8") == "mine"
    assert Path().samefile(target / "sub")
    assert target.stat().st_ino == inode
    monkeypatch.chdir(target)
    _staged(Path(), {"summary.json": "newer"})
    assert Path("summary.json").read_text(encoding="utf-8") == "newer"
    assert target.stat().st_ino == inode
    assert _no_leftovers(target)


def test_a_folder_full_of_other_files_is_not_copied(tmp_path: Path) -> None:
    """A folder holding many files of other tools (a project tree) is updated in place:
    the run does not hard-link a whole tree to swap it."""
    target = tmp_path / "out"
    (target / "project" / "src").mkdir(parents=True)
    for i in range(1_100):
        (target / "project" / "src" / f"f{i}.txt").write_text("x", encoding="utf-8")
    inode = target.stat().st_ino
    _staged(target, {"summary.json": "new"})
    assert target.stat().st_ino == inode
    assert (target / "summary.json").read_text(encoding="utf-8") == "new"
    assert len(list((target / "project" / "src").iterdir())) == 1_100
    assert _no_leftovers(target)
