"""Where a Data Package lives: a folder, a ``datapackage.json`` path or a zip archive.

Reading is confined to the package. Every path a descriptor names (resource data, a
Table Schema or dialect given by path) goes through `safe_path()`, which refuses

- URLs and other schemes (``https://...``, ``file:...``, ``data:...``): nothing is
  fetched over the network;
- absolute paths (``/etc/passwd``, ``C:\\...``, ``\\\\server\\share``), home paths
  (``~``), backslashes and NUL characters;
- ``..`` segments, anywhere in the path;

and then, in a folder, resolves the path with symlinks followed and refuses it unless it
is still inside the package folder (a symlink inside the package cannot lead out). A zip
archive is never extracted: members are read in memory, and an archive with an unsafe
member name (absolute or with ``..``, "zip slip") is refused as a whole.

Writing is atomic: a folder package is assembled in a temporary folder beside the target
and renamed into place; a zip is written to a temporary file and renamed. A failed write
leaves nothing behind, and an existing folder is only replaced when it holds a Data
Package (or is empty).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import stat
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from cdinterop import limits
from cdinterop._files import atomic_write, check_output_target
from cdinterop._publish import publish
from cdinterop.errors import ReadError, WriteError

__all__ = [
    "DESCRIPTOR_NAMES",
    "BinarySink",
    "FileInfo",
    "FolderSource",
    "InlineSource",
    "PackageSource",
    "PackageWriter",
    "ZipSource",
    "open_source",
    "read_document",
    "safe_path",
    "write_package_files",
]

DESCRIPTOR_NAMES = ("datapackage.json", "datapackage.yaml", "datapackage.yml")
"""Descriptor file names looked for in a folder or at the root of a zip, in this order."""

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:")
_BLOCK = 1 << 20


def safe_path(value: Any, *, where: str, source: str) -> str:
    """Return ``value`` as a normalised relative POSIX path inside the package.

    ``where`` names the descriptor property (``resources[0].path``) for the message;
    raises [`ReadError`][cdinterop.errors.ReadError] for anything that could leave the package.
    """
    if not isinstance(value, str) or not value:
        raise ReadError(source, f"{where}: a path must be a non-empty string, not {value!r}")
    shown = value if len(value) <= 120 else value[:117] + "..."
    if "\x00" in value:
        raise ReadError(source, f"{where}: path {shown!r} contains a NUL character")
    if "://" in value or (_SCHEME.match(value) and not _DRIVE.match(value)):
        raise ReadError(
            source,
            f"{where}: {shown!r} is a URL; cdinterop reads only files inside the package "
            "(no network access)",
        )
    if value.startswith(("/", "\\")) or _DRIVE.match(value):
        raise ReadError(
            source, f"{where}: {shown!r} is an absolute path; paths must be inside the package"
        )
    if value.startswith("~"):
        raise ReadError(source, f"{where}: {shown!r} refers to a home folder, not the package")
    if "\\" in value:
        raise ReadError(source, f"{where}: {shown!r} uses backslashes; use POSIX paths (a/b.csv)")
    parts = PurePosixPath(value).parts
    if ".." in parts:
        raise ReadError(
            source, f"{where}: {shown!r} goes outside the package ('..' is not allowed)"
        )
    clean = [p for p in parts if p != "."]
    if not clean:
        raise ReadError(source, f"{where}: {shown!r} does not name a file")
    return "/".join(clean)


class PackageSource(ABC):
    """A readable Data Package: its descriptor and the files beside it."""

    label: str
    """How the package is named in messages (the path given by the user)."""
    descriptor_name: str
    """File name of the descriptor (``datapackage.json`` or ``.yaml``)."""

    @abstractmethod
    def descriptor_bytes(self) -> bytes:
        """The raw descriptor."""

    @abstractmethod
    def open(self, path: str, *, where: str) -> IO[bytes]:
        """Open a file of the package (``path`` as written in the descriptor) for reading."""

    @property
    def basepath(self) -> str | None:
        """Folder that relative paths resolve against, when the package is a folder."""
        return None

    def digest(self, path: str, *, where: str, algorithm: str) -> tuple[str, int]:
        """Hex digest and size of a package file, read in blocks."""
        hasher = hashlib.new(algorithm)  # a fixed-size hash (see the reader's `_hasher`)
        size = 0
        with self.open(path, where=where) as handle:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                hasher.update(block)
                size += len(block)
        return hasher.hexdigest(), size

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (an open zip archive)."""


def read_document(handle: IO[bytes], label: str, name: str) -> bytes:
    """Read a whole JSON or YAML file of the package (the descriptor, a Table Schema, a
    dialect), refusing it beyond the ``bytes`` limit while it is read."""
    data = bytearray()
    while block := handle.read(_BLOCK):
        data += block
        limits.exceeded(label, "bytes", len(data), f"{name} is larger than the limit")
    return bytes(data)


class _ZipMember(io.RawIOBase):
    """A zip member being decompressed, counted against the ``unzipped_bytes`` limit as it
    is read (the sizes the archive declares are not trusted). A damaged member (a broken
    deflate stream, a CRC mismatch, a truncated archive) is a `ReadError` naming it."""

    def __init__(self, member: IO[bytes], label: str, shown: str) -> None:
        super().__init__()
        self._member = member
        self._label = label
        self._shown = shown
        self._count = 0
        self._limit = limits.current().unzipped_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._member.read(min(len(view), _BLOCK))
        except (zlib.error, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise ReadError(
                self._label, f"{self._shown} is damaged in the zip archive ({exc})"
            ) from None
        self._count += len(data)
        if self._count > self._limit:
            raise limits.LimitExceeded(
                self._label,
                f"{self._shown} decompresses to more bytes than the limit",
                "unzipped_bytes",
                self._limit,
            )
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._member.close()
        super().close()


class FolderSource(PackageSource):
    """A package in a folder (given as the folder or as its descriptor file)."""

    def __init__(self, root: Path, descriptor_name: str, label: str) -> None:
        self.root = root
        self.descriptor_name = descriptor_name
        self.label = label
        self._real_root = Path(os.path.realpath(root))

    @property
    def basepath(self) -> str:
        """The package folder."""
        return str(self.root)

    def descriptor_bytes(self) -> bytes:
        """Read the descriptor file."""
        try:
            with (self.root / self.descriptor_name).open("rb") as handle:
                return read_document(handle, self.label, self.descriptor_name)
        except OSError as exc:
            raise ReadError(self.label, exc.strerror or str(exc)) from None

    def open(self, path: str, *, where: str) -> IO[bytes]:
        """Open a file inside the folder; symlinks must not lead out of it."""
        relative = safe_path(path, where=where, source=self.label)
        real = Path(os.path.realpath(self._real_root / relative))
        if not real.is_relative_to(self._real_root):
            raise ReadError(
                self.label, f"{where}: {path!r} leads outside the package (through a symlink)"
            )
        try:
            info = real.stat()
        except OSError:
            raise ReadError(
                self.label, f"{where}: file {path!r} not found in the package"
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(self.label, f"{where}: {path!r} is not a regular file")
        try:
            return real.open("rb")
        except OSError as exc:
            raise ReadError(self.label, f"{where}: {path!r}: {exc.strerror or exc}") from None


class ZipSource(PackageSource):
    """A package in a zip archive (descriptor at the root or in one top-level folder)."""

    def __init__(self, path: Path, label: str) -> None:
        self.label = label
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise ReadError(label, f"not a readable zip archive ({exc})") from None
        try:
            self._members = self._check_members()
            self._prefix, self.descriptor_name = self._find_descriptor()
        except BaseException:
            self._zip.close()
            raise

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        members: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts:
                raise ReadError(
                    self.label,
                    f"zip member {name!r} has an unsafe name (absolute or with '..'); "
                    "refusing the archive",
                )
            members[name] = info
        return members

    def _find_descriptor(self) -> tuple[str, str]:
        for name in DESCRIPTOR_NAMES:
            if name in self._members:
                return "", name
        nested = [
            n for n in self._members if n.count("/") == 1 and n.split("/")[1] in DESCRIPTOR_NAMES
        ]
        folders = {n.split("/")[0] for n in nested}
        if len(folders) == 1:
            chosen = min(nested, key=lambda n: DESCRIPTOR_NAMES.index(n.split("/")[1]))
            folder, name = chosen.split("/")
            return folder + "/", name
        raise ReadError(self.label, "no datapackage.json at the root of the zip archive")

    def descriptor_bytes(self) -> bytes:
        """Read the descriptor member."""
        return self._read_member(self._prefix + self.descriptor_name, self.descriptor_name)

    def _read_member(self, name: str, where: str) -> bytes:
        with self._open_member(name, where, name) as handle:
            return read_document(handle, self.label, where)

    def _open_member(self, name: str, where: str, shown: str) -> IO[bytes]:
        info = self._members.get(name)
        if info is None or info.is_dir():
            raise ReadError(self.label, f"{where}: file {shown!r} not found in the zip archive")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ReadError(self.label, f"{where}: {shown!r} is a symbolic link; not followed")
        try:
            member = self._zip.open(info)
        except (OSError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise ReadError(self.label, f"{where}: cannot read {shown!r} ({exc})") from None
        return io.BufferedReader(_ZipMember(member, self.label, f"{where}: {shown!r}"), _BLOCK)

    def open(self, path: str, *, where: str) -> IO[bytes]:
        """Open a member, without extracting anything."""
        relative = safe_path(path, where=where, source=self.label)
        return self._open_member(self._prefix + relative, where, path)

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()


class InlineSource(PackageSource):
    """A descriptor given as a dict: inline data only, or files under ``basepath``."""

    def __init__(self, basepath: str | Path | None, label: str = "<descriptor>") -> None:
        self.label = label
        self.descriptor_name = "datapackage.json"
        self._folder = (
            None if basepath is None else FolderSource(Path(basepath), "datapackage.json", label)
        )

    @property
    def basepath(self) -> str | None:
        """The folder files are read from, if any."""
        return None if self._folder is None else self._folder.basepath

    def descriptor_bytes(self) -> bytes:
        """Not available: the descriptor was given as an object."""
        raise ReadError(self.label, "the descriptor was given as an object")

    def open(self, path: str, *, where: str) -> IO[bytes]:
        """Open a file under ``basepath``; without one, every path is refused."""
        if self._folder is None:
            safe_path(path, where=where, source=self.label)
            raise ReadError(
                self.label, f"{where}: {path!r} cannot be read: no basepath given for the files"
            )
        return self._folder.open(path, where=where)


@contextlib.contextmanager
def open_source(source: str | Path) -> Iterator[PackageSource]:
    """Open a package given as a folder, a descriptor file or a zip archive."""
    path = Path(source)
    label = str(source)
    if path.is_dir():
        for name in DESCRIPTOR_NAMES:
            if (path / name).is_file():
                handle: PackageSource = FolderSource(path, name, label)
                break
        else:
            raise ReadError(label, "no datapackage.json in this folder")
    elif not path.exists():
        raise ReadError(label, "no such file or folder")
    elif path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        handle = ZipSource(path, label)
    else:
        handle = FolderSource(path.parent, path.name, label)
    try:
        yield handle
    finally:
        handle.close()


# -- writing --------------------------------------------------------------------------


@dataclass
class FileInfo:
    """Size and SHA-256 of a file written into a package."""

    bytes: int = 0
    """Size in bytes."""
    sha256: str = ""
    """Lower-case hex digest."""


class BinarySink(Protocol):
    """Where a package file is written: anything with a binary ``write``."""

    def write(self, data: bytes, /) -> int:
        """Write bytes; return how many were written."""
        ...


class _Measured:
    """A binary writer that counts and hashes what passes through it."""

    def __init__(self, handle: IO[bytes], info: FileInfo) -> None:
        self._handle = handle
        self._info = info
        self._hash = hashlib.sha256()
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        view = memoryview(data)
        self._hash.update(view)
        self._info.bytes += view.nbytes
        self._handle.write(view)
        return view.nbytes

    def flush(self) -> None:
        self._handle.flush()

    def writable(self) -> bool:
        return True

    def finish(self) -> None:
        self._info.sha256 = self._hash.hexdigest()


@dataclass
class PackageWriter:
    """Receives the files of a package; records the size and hash of each."""

    _open: Callable[[str], contextlib.AbstractContextManager[IO[bytes]]]
    files: dict[str, FileInfo] = field(default_factory=dict)

    @contextlib.contextmanager
    def file(self, name: str) -> Iterator[BinarySink]:
        """Write one file (``name`` is a relative POSIX path)."""
        info = FileInfo()
        with self._open(name) as handle:
            measured = _Measured(handle, info)
            yield measured
            measured.finish()
        self.files[name] = info


def _is_replaceable(folder: Path) -> bool:
    return not any(folder.iterdir()) or any((folder / n).is_file() for n in DESCRIPTOR_NAMES)


def write_package_files(target: str | Path, fill: Callable[[PackageWriter], None]) -> Path:
    """Write a package atomically: a folder, or a zip archive when ``target`` ends in ``.zip``.

    ``fill`` writes every file through the `PackageWriter` it is given. Raises
    [`WriteError`][cdinterop.errors.WriteError] when the target cannot be written or would
    replace something that is not a Data Package.
    """
    path = Path(target)
    check_output_target(path)
    if path.suffix.lower() == ".zip":
        return _write_zip(path, fill)
    return _write_folder(path, fill)


def _write_zip(path: Path, fill: Callable[[PackageWriter], None]) -> Path:
    if path.is_dir():
        raise WriteError(f"cannot write {path}: a folder of that name exists")
    try:
        with (
            atomic_write(path, "wb") as handle,
            zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):

            @contextlib.contextmanager
            def member(name: str) -> Iterator[IO[bytes]]:
                with archive.open(name, "w", force_zip64=True) as stream:
                    yield stream

            fill(PackageWriter(member))
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def _write_folder(path: Path, fill: Callable[[PackageWriter], None]) -> Path:
    if path.exists() and not path.is_dir():
        raise WriteError(f"cannot write {path}: a file of that name exists")
    if path.is_dir() and not _is_replaceable(path):
        raise WriteError(
            f"cannot write {path}: the folder exists and is not a Data Package; "
            "choose a new or empty folder"
        )
    # written beside the folder and swapped in at the end (cdinterop._publish): the whole
    # folder is the package's, so nothing else in it is kept
    with publish(path, None) as staging:

        @contextlib.contextmanager
        def member(name: str) -> Iterator[IO[bytes]]:
            with atomic_write(staging / name, "wb") as handle:
                yield handle

        fill(PackageWriter(member))
    return path
