"""Publishing a run's outputs into a folder all at once, even when the process is killed.

[`publish()`][cdinterop._publish.publish] is how ``convert``, ``ingest``, ``sdmx write``,
``sdmx conform`` and ``datapackage write`` (to a folder) put their outputs in place:

1. The output folder (the folder a symbolic link names, when it is one; the link is kept)
   is created if needed and locked with ``flock``, so that a second run into it is
   refused at once ([`WriteError`][cdinterop.errors.WriteError], "another cdinterop run
   is writing to OUT (pid N)") instead of mixing or deleting files. The kernel drops the
   lock when the process ends, however it ends. The lock is held while ``publish()``
   runs, or from the start of a run that [`reserve()`][cdinterop._publish.reserve]s its
   folder (``convert``, ``sdmx conform``). ``flock`` locks the folder itself, not a lock
   file: the new folder is locked before it is swapped in, and a run that locked the old
   one after the swap sees that the name now holds another folder and locks that one.
2. Leftovers of a run that was killed (``.NAME.cdinterop-new-*`` / ``-old-*`` beside the
   folder, ``.cdinterop-*`` inside it) are removed, after the files other tools put in
   an old folder swapped out (``-old-``) are moved back.
3. The run writes everything into a new sibling folder, ``.NAME.cdinterop-new-PID-*``, on
   the same file system. Entries of the old folder the run does not own (files the user
   or other tools put there) are hard-linked into it (copied where links are refused).
4. The two folders are swapped in one step: Linux ``renameat2(RENAME_EXCHANGE)``, macOS
   ``renamex_np(RENAME_SWAP)``. Before the swap the folder holds the earlier run, after it
   the new one; no moment in between exists. The old folder is renamed
   ``.NAME.cdinterop-old-*``, entries other tools added to it meanwhile are moved across,
   then it is deleted.

Where no swap is possible (another system; a file system without it; a folder that is a
mount point; a parent folder that cannot be written, then the run is staged inside the
folder; a file of the folder that can be neither linked nor read), and where the folder is
not the run's to copy (more than 1,000 entries of other tools in it, or it is this
process's current folder), the earlier method is used: the new outputs are moved
in one by one, with a rollback on an error. That is atomic against errors but not against
``kill -9`` between two moves.

A process whose current folder is inside a subfolder of the swapped folder keeps the old,
deleted one (a shell must ``cd`` again).

``CDINTEROP_CRASH_AT=POINT`` (or ``POINT:N`` for the N-th time) is a testing hook: the
process kills itself with ``SIGKILL`` when it reaches that point (``publish-start``,
``file-written``, ``staged``, ``linked``, ``before-exchange``, ``after-exchange``,
``renamed``, ``merged``, ``removing``), so tests can check what a crash there leaves.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import inspect
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import ParamSpec, TypeVar

from cdinterop._files import check_output_target
from cdinterop.errors import WriteError

__all__ = ["RUN_OUTPUTS", "STAGING_PREFIX", "publish", "reserve", "reserving"]

P = ParamSpec("P")
R = TypeVar("R")

RUN_OUTPUTS = (
    "sdmx",
    "datapackage.zip",
    "dataset.ttl",
    "dataset.json",
    "datapackage",
    "rejects.csv",
    "summary.json",
    "report.html",
)
"""Every name ``cdinterop convert`` or ``cdinterop ingest`` may write in an output folder."""

STAGING_PREFIX = ".cdinterop-"
"""Prefix of the staging and backup folders made inside an output folder (when it cannot
be swapped as a whole) and, after the folder's own name, of its siblings."""

CRASH_ENV = "CDINTEROP_CRASH_AT"
"""Environment variable of the testing hook `_crash_point()`."""

_reached: dict[str, int] = {}

# errors after which the swap is given up for the entry-by-entry method
_NO_EXCHANGE = {errno.EXDEV, errno.EBUSY, errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM}
_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS stdio.h
_AT_FDCWD = -100
_STAGING_NAME = re.compile(r"\.(?:.+\.)?cdinterop-(?:new|old)-.*", re.S)


def _crash_point(name: str) -> None:
    """Testing hook: kill this process with ``SIGKILL`` when ``CDINTEROP_CRASH_AT`` names
    ``name`` (``name:N``: the N-th time it is reached), as ``kill -9`` would at that
    moment. Does nothing when the variable is unset."""
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def _exchange_function() -> Callable[[Path, Path], None] | None:
    """The system call that swaps two paths in one step, or ``None`` where there is none."""
    if sys.platform not in ("linux", "darwin"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - a libc that cannot be opened
        return None
    if sys.platform == "linux" and hasattr(libc, "renameat2"):
        call = libc.renameat2

        def exchange(a: Path, b: Path) -> None:
            if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE):
                code = ctypes.get_errno()
                raise OSError(code, os.strerror(code), str(b))

        return exchange
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        swap = libc.renamex_np

        def exchange(a: Path, b: Path) -> None:
            if swap(os.fsencode(a), os.fsencode(b), _RENAME_SWAP):
                code = ctypes.get_errno()
                raise OSError(code, os.strerror(code), str(b))

        return exchange
    return None


_exchange = _exchange_function()


def _holder(fd: int) -> int | None:
    """The id of the process that holds the ``flock`` of the folder open as ``fd`` (Linux),
    if known. The descriptor, not the path, names the folder: the run holding it may swap
    another folder in at that path meanwhile."""
    try:
        info = os.fstat(fd)
        locks = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    key = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    inode = f":{info.st_ino}"
    found = []
    for line in locks.splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[4].isdigit():
            if fields[5] == key:
                return int(fields[4])
            if fields[5].endswith(inode):
                found.append(int(fields[4]))
    pids = set(found)
    return pids.pop() if len(pids) == 1 else None


def _staging_pid(folder: Path) -> int | None:
    """The process id in the name of a staging sibling of ``folder``, if one is there."""
    prefix = f".{folder.name}{STAGING_PREFIX}new-"
    with contextlib.suppress(OSError):
        for entry in folder.parent.iterdir():
            pid = entry.name.removeprefix(prefix).partition("-")[0]
            if entry.name.startswith(prefix) and pid.isdigit():
                return int(pid)
    return None


def _lock(folder: Path, shown: Path) -> int:
    """Open ``folder`` and take its exclusive ``flock`` without waiting; return the
    descriptor (closing it releases the lock). A folder locked by another process is a
    [`WriteError`][cdinterop.errors.WriteError]; on a file system without ``flock`` the
    folder is used unlocked."""
    if sys.platform == "win32":  # pragma: no cover - no flock (nor folder swap) there
        return -1
    import fcntl

    for attempt in range(20):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd) or _staging_pid(folder)
            os.close(fd)
            if pid is None and attempt < 19:  # released just now, or swapped: look again
                time.sleep(0.01)
                continue
            holder = f" (pid {pid})" if pid else ""
            raise WriteError(
                f"another cdinterop run is writing to {shown}{holder}; wait until it ends "
                "or write to another folder"
            ) from None
        except OSError:
            return fd  # no flock here (some network file systems): go on unlocked
        try:
            now = folder.stat()
        except OSError:
            now = None
        mine = os.fstat(fd)
        if now is not None and (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
            return fd
        os.close(fd)  # the run that held it swapped the folder meanwhile: lock the new one
    raise WriteError(f"cannot lock {shown}: it keeps being replaced")


def _is_ours(name: str, owned: Collection[str] | None) -> bool:
    return owned is None or name in owned or name.startswith(STAGING_PREFIX)


def _is_staging(name: str) -> bool:
    """Whether ``name`` is that of a staging or backup folder (of any output folder)."""
    return _STAGING_NAME.fullmatch(name) is not None


def _same_mode(staged: Path, folder: Path) -> None:
    """Give ``staged`` the permissions (and, where allowed, the owner) of ``folder``."""
    info = folder.stat()
    if hasattr(os, "getuid") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.chown(staged, info.st_uid, info.st_gid)
    staged.chmod(info.st_mode & 0o7777)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _clean_leftovers(folder: Path, owned: Collection[str] | None) -> None:
    """Remove what a killed run left (its staging and backup folders, beside ``folder``
    and inside it); files other tools had put in them and ``folder`` lacks go back in."""
    prefix = f".{folder.name}{STAGING_PREFIX}"
    for entry in folder.parent.iterdir():
        if entry.name.startswith(prefix) and entry.is_dir() and not entry.is_symlink():
            if entry.name.startswith(f"{prefix}old-"):  # swapped out: may hold late files
                with contextlib.suppress(OSError):
                    _merge(entry, folder, owned, replace=False, rescue=True)
            shutil.rmtree(entry, ignore_errors=True)
    for entry in folder.iterdir():
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _link_tree(source: Path, target: Path) -> None:
    """Make ``target`` a copy of ``source`` made of hard links (plain copies where a link
    is refused); symbolic links are copied as links."""
    if source.is_symlink():
        target.symlink_to(source.readlink())
    elif source.is_dir():
        target.mkdir()
        for entry in source.iterdir():
            _link_tree(entry, target / entry.name)
        shutil.copystat(source, target)
    else:
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            shutil.copy2(source, target, follow_symlinks=False)


def _merge(
    old: Path, new: Path, owned: Collection[str] | None, *, replace: bool, rescue: bool = False
) -> None:
    """Move into ``new`` the entries of ``old`` that are not ``owned``: those ``new`` lacks
    and, with ``replace``, those that differ from the copy in ``new`` (another file put in
    their place after they were linked). Folders are merged entry by entry. With
    ``rescue`` (``old`` is what a killed run left), staging folders are not moved: they
    are those of publishing nested in that run."""
    for entry in old.iterdir():
        if _is_ours(entry.name, owned) or (rescue and _is_staging(entry.name)):
            continue
        there = new / entry.name
        if not (there.exists() or there.is_symlink()):
            entry.rename(there)
        elif not replace:
            continue
        elif entry.is_dir() and not entry.is_symlink() and there.is_dir():
            _merge(entry, there, (), replace=True)
        else:
            a, b = entry.lstat(), there.lstat()
            if (a.st_dev, a.st_ino) != (b.st_dev, b.st_ino):
                _remove(there)
                entry.rename(there)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _replace_entries(staging: Path, folder: Path, owned: Collection[str] | None) -> None:
    """The entry-by-entry method: move the ``owned`` entries of ``folder`` aside into a
    backup folder inside it, then move in every entry of ``staging``; if a move fails, put
    everything back as it was. Atomic against errors, not against a crash between moves."""
    backup = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}old-", dir=folder))
    aside: list[str] = []
    moved: list[Path] = []
    try:
        for old in sorted(folder.iterdir()):
            if _is_ours(old.name, owned) and not old.name.startswith(STAGING_PREFIX):
                old.replace(backup / old.name)
                aside.append(old.name)
        for item in sorted(staging.iterdir()):
            final = folder / item.name
            shutil.move(item, final)  # a copy when it must cross file systems
            moved.append(final)
    except BaseException:
        for path in moved:  # undo: the new outputs out, the old ones back
            with contextlib.suppress(OSError):
                _remove(path)
        for name in aside:
            with contextlib.suppress(OSError):
                (backup / name).replace(folder / name)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def _by_entries(
    staged: Path, folder: Path, owned: Collection[str] | None, written: Collection[str]
) -> None:
    """The method where no swap is possible: move the ``written`` entries of ``staged``
    into ``folder`` one by one (`_replace_entries()`), dropping the links to the folder's
    own entries that ``staged`` may hold, then remove ``staged``."""
    for entry in list(staged.iterdir()):
        if entry.name not in written:
            _remove(entry)
    _crash_point("before-exchange")
    _replace_entries(staged, folder, owned)
    shutil.rmtree(staged, ignore_errors=True)


_MOST_FOREIGN = 1000
"""Most entries (files, links and folders, counted through the folders) of other tools an
output folder may hold for the run to be swapped in whole; beyond, the run's entries are
moved in one by one (a project tree or a home folder is not copied)."""


def _few(entries: list[Path], most: int) -> bool:
    """Whether ``entries`` and everything inside those that are folders number at most
    ``most`` (counting stops there)."""
    count = 0
    pending = list(entries)
    while pending:
        entry = pending.pop()
        count += 1
        if count > most:
            return False
        if entry.is_dir() and not entry.is_symlink():
            pending.extend(entry.iterdir())
    return True


def _swappable(folder: Path, foreign: list[Path]) -> bool:
    """Whether ``folder`` may be replaced whole by a copy: what other tools keep in it is
    small (`_MOST_FOREIGN`), and it is not where this process runs (``-o .``), whose shell
    would be left in the old one."""
    cwd = _cwd()
    if cwd is not None and (cwd == folder or folder in cwd.parents):
        return False
    return _few(foreign, _MOST_FOREIGN)


def _swap(staged: Path, folder: Path, owned: Collection[str] | None, written: set[str]) -> None:
    """Put the run in the sibling ``staged`` in place of ``folder``: the entries of
    ``folder`` the run does not own linked into it, one exchange, then the late entries of
    other tools moved across and the old folder deleted. Falls back to `_by_entries()`
    when the links or the exchange are refused."""
    assert _exchange is not None
    try:
        foreign = (
            []
            if owned is None
            else [
                entry
                for entry in folder.iterdir()
                if not _is_ours(entry.name, owned) and entry.name not in written
            ]
        )
        if not _swappable(folder, foreign):
            _by_entries(staged, folder, owned, written)
            return
        for entry in foreign:
            _link_tree(entry, staged / entry.name)
    except OSError:  # e.g. a file of another user that may not be linked nor read
        _by_entries(staged, folder, owned, written)
        return
    _crash_point("linked")
    _crash_point("before-exchange")
    try:
        _exchange(staged, folder)
    except OSError as exc:
        if exc.errno not in _NO_EXCHANGE:
            raise
        _by_entries(staged, folder, owned, written)
        return
    _crash_point("after-exchange")
    _fsync_folder(folder.parent)
    _tidy(staged, folder, owned)


def _cwd() -> Path | None:
    try:
        return Path.cwd()
    except OSError:
        return None


def _tidy(staged: Path, folder: Path, owned: Collection[str] | None) -> None:
    """After the exchange (``staged`` now holds the old folder): rename it ``-old-``, move
    across the entries other tools added meanwhile, delete it. Never fails: the run is
    published; what is left is the next run's to remove. A killed run's ``-old-`` folder
    may hold files of other tools not moved across yet, a ``-new-`` one only what the run
    wrote and links (the next run moves the former's back, not the latter's)."""
    new = f".{folder.name}{STAGING_PREFIX}new-"
    old = staged.with_name(f".{folder.name}{STAGING_PREFIX}old-{staged.name.removeprefix(new)}")
    try:
        staged.rename(old)
        _crash_point("renamed")
        _merge(old, folder, owned, replace=True)
    except OSError:
        return
    _crash_point("merged")
    with contextlib.suppress(OSError):
        for entry in list(old.iterdir()):
            _remove(entry)
            _crash_point("removing")
    shutil.rmtree(old, ignore_errors=True)


@dataclass
class _Hold:
    """An output folder locked for a run: the folder, as named and resolved, whether the
    run created it, the descriptors that hold its locks and whether it was published."""

    shown: Path
    folder: Path
    created: bool
    fds: list[int] = field(default_factory=list)
    published: bool = False


_holds: ContextVar[dict[Path, _Hold] | None] = ContextVar("cdinterop_holds", default=None)


def _take(target: str | Path) -> _Hold:
    """Check ``target``, create it if needed and lock it (`_lock()`)."""
    path = Path(target)
    check_output_target(path)
    folder = path.resolve()
    if folder.exists() and not folder.is_dir():
        raise WriteError(f"cannot write into {path}: it is a file, not a folder")
    hold = _Hold(path, folder, created=not folder.exists())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # refused (a WriteError): the folder is left, it is the other run's now
        hold.fds.append(_lock(folder, path))
    except OSError as exc:
        raise WriteError(f"cannot create {path}: {exc.strerror or exc}") from None
    return hold


def _release(hold: _Hold) -> None:
    """Unlock; remove the folder if the run created it and published nothing."""
    if hold.created and not hold.published:
        with contextlib.suppress(OSError):
            hold.folder.rmdir()  # only if empty
    for fd in hold.fds:
        if fd >= 0:
            os.close(fd)
    hold.fds.clear()


@contextlib.contextmanager
def reserve(target: str | Path) -> Iterator[None]:
    """Lock the output folder ``target`` (created if needed) from now until the block ends,
    so that a second run is refused from the start of this one, not only while it writes;
    [`publish()`][cdinterop._publish.publish] into ``target`` inside the block uses this
    lock. The folder is removed at the end if this call created it and nothing was
    published into it."""
    hold = _take(target)
    token = _holds.set({**(_holds.get() or {}), hold.folder: hold})
    try:
        yield
    finally:
        _holds.reset(token)
        _release(hold)


def reserving(parameter: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function that publishes into the folder given as ``parameter`` so that
    the folder is locked for the whole call (`reserve()`)."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with reserve(signature.bind(*args, **kwargs).arguments[parameter]):
                return function(*args, **kwargs)

        return wrapper

    return decorate


@contextlib.contextmanager
def publish(target: str | Path, owned: Collection[str] | None) -> Iterator[Path]:
    """Yield an empty folder to write a run's outputs into; when the block ends without an
    error, they replace the outputs of the earlier run in ``target`` all at once.

    ``owned`` names the entries a run may write in ``target`` (``None``: every entry, the
    whole folder is the run's): those the new run did not write are removed, the others
    in ``target`` are kept. ``target`` (created if needed) is locked while the block runs
    (or, inside [`reserve()`][cdinterop._publish.reserve], for the whole reservation): a
    second run into it is a [`WriteError`][cdinterop.errors.WriteError] at once. On an
    error the block's outputs are dropped and ``target`` is left as it was (and removed if
    this run created it); an ``OSError`` becomes a ``WriteError``. Where the system can
    swap two folders in one step, ``target`` holds the earlier run or the new one at every
    moment, even if the process is killed; elsewhere the entries are moved in one by one
    (see the module's documentation).
    """
    path = Path(target)
    check_output_target(path)
    hold = (_holds.get() or {}).get(path.resolve())
    own = hold is None
    if hold is None:
        hold = _take(path)
    folder = hold.folder
    done = False
    staged: Path | None = None
    try:
        _clean_leftovers(folder, owned)
        _crash_point("publish-start")
        inside = _exchange is None or os.path.ismount(folder)
        if not inside:
            try:
                name = f".{folder.name}{STAGING_PREFIX}new-{os.getpid()}-"
                staged = Path(tempfile.mkdtemp(prefix=name, dir=folder.parent))
            except OSError:
                inside = True  # a parent we cannot write: stage inside the folder
        if staged is None:
            staged = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}new-", dir=folder))
        else:
            hold.fds.append(_lock(staged, path))
        _same_mode(staged, folder)
        yield staged
        _crash_point("staged")
        written = {entry.name for entry in staged.iterdir()}
        if inside:
            _by_entries(staged, folder, owned, written)
        else:
            _swap(staged, folder, owned, written)
        done = hold.published = True
    except OSError as exc:
        raise WriteError(f"cannot write into {path}: {exc.strerror or exc}") from None
    finally:
        if staged is not None and not done:
            shutil.rmtree(staged, ignore_errors=True)
        if own:
            _release(hold)
