"""The on-disk cache of structures fetched from SDMX registries.

Each answer is kept as two files named by the SHA-256 of the canonical request (the request
URL and its ``Accept`` header): the bytes as received (``KEY.xml`` or ``KEY.json``) and
what they are (``KEY.meta.json``: the URL, the URN or URL asked for, the registry, when,
the size and the SHA-256 of the bytes). Both are written atomically, the bytes first; a
copy whose bytes do not match its description (a write interrupted, or two processes
writing at once) is not a copy, so readers never see half an answer.

The folder is ``$CDINTEROP_CACHE_DIR/sdmx`` when that variable is set, else
``$XDG_CACHE_HOME/cdinterop/sdmx``, else ``~/.cache/cdinterop/sdmx``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdinterop._files import atomic_write

__all__ = ["CACHE_ENV", "CachedCopy", "StructureCache", "cache_folder"]

CACHE_ENV = "CDINTEROP_CACHE_DIR"
"""Environment variable naming cdinterop's cache folder (structures go in its ``sdmx/``)."""


def cache_folder(cache_dir: str | Path | None = None) -> Path:
    """The folder fetched structures are kept in: ``cache_dir/sdmx`` when given, else under
    ``$CDINTEROP_CACHE_DIR``, ``$XDG_CACHE_HOME/cdinterop`` or ``~/.cache/cdinterop``."""
    if cache_dir is not None:
        return Path(cache_dir) / "sdmx"
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser() / "sdmx"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "cdinterop" / "sdmx"


@dataclass(frozen=True)
class CachedCopy:
    """A structure kept in the cache."""

    path: Path
    """The bytes as the registry sent them."""
    meta: dict[str, Any]
    """What they are: ``url``, ``source``, ``registry``, ``fetched``, ``size``, ``sha256``."""


class StructureCache:
    """The cached answers in ``folder`` (see the module)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(url: str, accept: str) -> str:
        """The name of the copy of the answer to GET ``url`` with this ``Accept`` header."""
        return hashlib.sha256(f"{accept}\n{url}".encode()).hexdigest()[:40]

    def _meta_path(self, key: str) -> Path:
        return self.folder / f"{key}.meta.json"

    def get(self, key: str) -> CachedCopy | None:
        """The copy kept under ``key``, or ``None`` when there is none (or it is damaged)."""
        try:
            meta = json.loads(self._meta_path(key).read_text(encoding="utf-8"))
            path = self.folder / f"{key}{meta['suffix']}"
            data = path.read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(meta, dict) or meta.get("suffix") not in (".xml", ".json"):
            return None
        if len(data) != meta.get("size") or hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            return None  # half an answer, or two writers at once: not a copy
        return CachedCopy(path, meta)

    def put(self, key: str, data: bytes, meta: dict[str, Any]) -> CachedCopy:
        """Keep ``data`` under ``key``, replacing any earlier copy; raises ``OSError`` (or
        [`WriteError`][cdinterop.errors.WriteError]) when the folder cannot be written."""
        suffix = ".json" if data.lstrip()[:1] in (b"{", b"[") else ".xml"
        described = {
            **meta,
            "suffix": suffix,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "fetched": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        path = self.folder / f"{key}{suffix}"
        with atomic_write(path) as handle:
            handle.write(data)
        with atomic_write(self._meta_path(key), "w", encoding="utf-8") as handle:
            handle.write(json.dumps(described, indent=2, ensure_ascii=False) + "\n")
        return CachedCopy(path, described)

    def drop(self, key: str) -> None:
        """Forget the copy kept under ``key`` (nothing when there is none)."""
        meta = self._meta_path(key)
        for path in (meta, self.folder / f"{key}.xml", self.folder / f"{key}.json"):
            with contextlib.suppress(OSError):
                path.unlink()
