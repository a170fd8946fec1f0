"""File helpers shared by every layer: atomic writes and output folders."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cdinterop.errors import WriteError

__all__ = ["atomic_write", "binary_output", "replace_outputs", "staged_outputs", "write_json"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:  # type: ignore[type-arg]
    """Write to a temporary file beside ``path`` and rename it into place on success.

    On any exception the temporary file is removed and ``path`` is left untouched, so
    readers never see a half-written file.
    """
    target = Path(path)
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


@contextlib.contextmanager
def binary_output(target: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """Yield a binary handle for ``target``: a path is written atomically, an open
    binary stream is written to as it is (and left open)."""
    if isinstance(target, str | Path):
        with atomic_write(target, "wb") as handle:
            yield handle
    else:
        yield target


def replace_outputs(staging: Path, target: Path, owned: tuple[str, ...]) -> list[Path]:
    """Move every entry of ``staging`` into ``target``, replacing entries of the same
    name, then remove the entries of ``owned`` (the names a run of this kind may write)
    that this run did not write, so that the folder never mixes two runs' outputs.
    Other files in ``target`` are left alone. Returns the paths moved in.
    """
    target.mkdir(parents=True, exist_ok=True)
    moved = []
    written = set()
    for item in sorted(staging.iterdir()):
        final = target / item.name
        if final.is_dir() and not final.is_symlink():
            shutil.rmtree(final)
        item.replace(final)
        moved.append(final)
        written.add(item.name)
    for name in owned:
        stale = target / name
        if name in written or not (stale.exists() or stale.is_symlink()):
            continue
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        else:
            stale.unlink()
    return moved


@contextlib.contextmanager
def staged_outputs(target: Path, owned: tuple[str, ...]) -> Iterator[Path]:
    """Yield a staging folder beside ``target``; when the block ends without an error, its
    entries replace the outputs in ``target`` (`replace_outputs()` with ``owned``). The
    staging folder is always removed; an ``OSError`` becomes a ``WriteError``."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise WriteError(f"cannot create {target}: {exc.strerror or exc}") from None
    try:
        yield staging
        replace_outputs(staging, target, owned)
    except OSError as exc:
        raise WriteError(f"cannot write into {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON with a final newline (``summary.json``)."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
