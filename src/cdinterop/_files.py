"""File helpers shared by every layer: atomic writes of single files and the check of an
output target. Output folders are published by `cdinterop._publish`."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cdinterop.errors import ReadError, WriteError

__all__ = [
    "atomic_write",
    "binary_output",
    "check_input",
    "check_output_target",
    "spilling",
    "write_json",
]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_SYSTEM_TREES = (Path("/dev"), Path("/proc"), Path("/sys"))
"""Trees of device nodes and kernel files: never an output, whatever is in them."""

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _link_chain(target: Path) -> Iterator[Path]:
    """``target`` and every path its symbolic links name on the way (each as written and
    with its folder's links resolved), so that a link through ``/proc`` is seen even when
    it ends at a regular file."""
    current = Path(os.path.normpath(target.absolute()))
    for _ in range(40):
        yield current
        with contextlib.suppress(OSError, RuntimeError):
            yield current.parent.resolve() / current.name
        if not current.is_symlink():
            return
        try:
            current = Path(os.path.normpath(current.parent / current.readlink()))
        except OSError:
            return


def _why_refused(path: Path, *, detail: bool) -> str | None:
    """Why ``path`` may be neither read nor written (``"it is under /proc"``, ``"it is a
    FIFO (named pipe)"``), or ``None`` when it is absent, a regular file or a folder once
    symbolic links are followed. With ``detail``, where a link leads is said too. Errors of
    the file system (a link loop, a name too long) propagate."""
    real = path.resolve()
    for where in dict.fromkeys([*_link_chain(path), real]):  # every hop of the links
        for tree in _SYSTEM_TREES:
            if where == tree or tree in where.parents:
                shown = f" (it resolves to {where})" if detail and where != path.absolute() else ""
                return f"it is under {tree}{shown}"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    link = f" (a link to {real})" if detail and path.is_symlink() else ""
    return f"it is {kind}{link}"


def _reason(exc: OSError | RuntimeError) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def check_input(path: str | Path) -> None:
    """Raise [`ReadError`][cdinterop.errors.ReadError] unless ``path`` is absent (the
    reader says so), a regular file or a folder once symbolic links are followed, outside
    ``/dev``, ``/proc`` and ``/sys``. Called before a file is opened, so that a FIFO (whose
    opening waits for a writer forever), a device such as ``/dev/zero`` (endless) or a
    kernel file such as ``/proc/self/environ`` is refused instead of read."""
    source = Path(path)
    try:
        why = _why_refused(source, detail=False)
    except (OSError, RuntimeError) as exc:
        raise ReadError(str(source), _reason(exc)) from None
    if why is not None:
        raise ReadError(str(source), f"{why}; inputs must be regular files or folders")


def check_output_target(path: str | Path) -> None:
    """Raise [`WriteError`][cdinterop.errors.WriteError] unless ``path`` may be written or
    replaced: it must not exist, or be a regular file or a folder once symbolic links are
    followed, and must not lie under ``/dev``, ``/proc`` or ``/sys``. Called before anything
    is opened or created, so that an output named ``/dev/null``, a FIFO or a link to
    ``/proc/self/fd/1`` is refused instead of replaced by a regular file."""
    target = Path(path)
    if not str(path):
        raise WriteError("no output given: the output path is empty")
    try:
        why = _why_refused(target, detail=True)
    except (OSError, RuntimeError) as exc:  # a symbolic link loop, a name too long
        raise WriteError(f"cannot write {target}: {_reason(exc)}") from None
    if why is not None:
        raise WriteError(f"cannot write {target}: {why}; outputs must be regular files or folders")


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:  # type: ignore[type-arg]
    """Write to a temporary file beside ``path`` and rename it into place on success.

    On any exception the temporary file is removed and ``path`` is left untouched, so
    readers never see a half-written file. A target that is not a regular file (a device,
    a FIFO, anything under ``/dev`` or ``/proc``) is refused first (`check_output_target()`).
    """
    target = Path(path)
    check_output_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(0o666 & ~_umask())
        Path(tmp).replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
    from cdinterop._publish import _crash_point  # here: _publish imports this module

    _crash_point("file-written")


@contextlib.contextmanager
def binary_output(target: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """Yield a binary handle for ``target``: a path is written atomically, an open
    binary stream is written to as it is (and left open)."""
    if isinstance(target, str | Path):
        with atomic_write(target, "wb") as handle:
            yield handle
    else:
        yield target


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON with a final newline (``summary.json``)."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@contextlib.contextmanager
def spilling(what: str) -> Iterator[None]:
    """Turn an operating-system error while writing a temporary spill file (a full or
    read-only temporary folder) into a [`WriteError`][cdinterop.errors.WriteError] that
    names ``what`` was being kept, the folder, and how to choose another (``TMPDIR``)."""
    try:
        yield
    except OSError as exc:
        folder = tempfile.gettempdir()
        raise WriteError(
            f"cannot keep {what} in a temporary file in {folder}: {exc.strerror or exc}; "
            "set TMPDIR to a folder with more room"
        ) from None
