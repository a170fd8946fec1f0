"""Suppression patterns kept between runs, in the folder ``$CDINTEROP_PATTERN_CACHE``.

Finding an interval-protected pattern takes seconds per table (the whole ``time_limit`` on
a hard one), and the search is deterministic: its budget counts work, not seconds, so the
same cells under the same spec give the same pattern. A pipeline that converts the same
submissions again (another output format, a rerun after a failed upload, a test suite)
need not search again. When the environment variable ``CDINTEROP_PATTERN_CACHE`` names a
folder, each pattern found is written there as ``DIGEST.json``, named by the SHA-256 of
everything it depends on (the spec, the cells, the contributor counts, the cdinterop and
HiGHS versions), and read back instead of searching. Without the variable nothing is
written.

The cache is a convenience, never a source of truth: a file that cannot be read, or whose
content does not fit the table (another length, a damaged file, two writers at once), is
ignored and the pattern searched again; a folder that cannot be written is left alone. A
pattern read back is attacked again before it is used (`_suppression`), so a file changed
by hand cannot make a run publish a cell it would protect.
Files are written to a temporary name and renamed, so readers never see half a file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from cdinterop.aggregate._protection import Pattern
from cdinterop.model import DisclosureAudit, DisclosureRule

__all__ = ["PATTERN_CACHE_ENV", "load_pattern", "pattern_folder", "store_pattern"]

PATTERN_CACHE_ENV = "CDINTEROP_PATTERN_CACHE"
"""Environment variable naming the folder suppression patterns are kept in."""

_FORMAT = 1
"""Version of the file layout; files of another version are ignored."""


def pattern_folder() -> Path | None:
    """The folder named by ``$CDINTEROP_PATTERN_CACHE``, or ``None`` when it is not set."""
    chosen = os.environ.get(PATTERN_CACHE_ENV, "").strip()
    return Path(chosen).expanduser() if chosen else None


def _cells(found: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(found)]


def _mask(indices: Any, size: int) -> np.ndarray:
    if not isinstance(indices, list) or not all(
        isinstance(i, int) and 0 <= i < size for i in indices
    ):
        raise ValueError("cell indices out of the table")
    mask = np.zeros(size, dtype=bool)
    mask[indices] = True
    return mask


def store_pattern(digest: str, size: int, found: dict[str, Any]) -> None:
    """Keep ``found`` (the fields of a `Suppression`) under ``digest`` when the cache is on;
    errors of the folder are ignored (the cache is optional)."""
    folder = pattern_folder()
    if folder is None:
        return
    pattern = found.get("pattern")
    data = {
        "format": _FORMAT,
        "cells": size,
        "primary": _cells(found["primary"]),
        "suppressed": _cells(found["suppressed"]),
        "audit_complete": bool(found["audit_complete"]),
        "rules": [r.model_dump(mode="json") for r in found["rules"]],
        "pattern": (
            {k: v for k, v in dataclasses.asdict(pattern).items() if k != "suppressed"}
            if pattern is not None
            else None
        ),
        "capped": int(found["capped"]),
        "audit": found["audit"].model_dump(mode="json") if found["audit"] is not None else None,
        "information_loss": float(found["information_loss"]),
    }
    # not `_files.atomic_write`: a cache write is no output of the run (no crash point of
    # the publishing, no check of the target), and its errors are dropped
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{digest}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            Path(tmp).replace(folder / f"{digest}.json")
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise


def load_pattern(digest: str, size: int) -> dict[str, Any] | None:
    """The fields of the `Suppression` kept under ``digest`` for a table of ``size`` cells,
    or ``None`` when the cache is off or holds no sound copy."""
    folder = pattern_folder()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"{digest}.json").read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT or data.get("cells") != size:
            return None
        suppressed = _mask(data["suppressed"], size)
        pattern = data["pattern"]
        return {
            "primary": _mask(data["primary"], size),
            "suppressed": suppressed,
            "audit_complete": bool(data["audit_complete"]),
            "rules": tuple(DisclosureRule.model_validate(r) for r in data["rules"]),
            "pattern": (
                Pattern(suppressed=suppressed.copy(), **pattern) if pattern is not None else None
            ),
            "capped": int(data["capped"]),
            "audit": (
                DisclosureAudit.model_validate(data["audit"]) if data["audit"] is not None else None
            ),
            "information_loss": float(data["information_loss"]),
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
