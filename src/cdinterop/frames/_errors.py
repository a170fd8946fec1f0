"""The error a frame that cannot become a data set raises."""

from __future__ import annotations

from cdinterop.errors import CdinteropError

__all__ = ["FrameError"]


class FrameError(CdinteropError, ValueError):
    """A frame, or the arguments given with it, cannot become a data set: a missing column,
    a duplicate key, a measure that is not numeric, missing metadata ... The message names
    the columns and what to change.

    A [`CdinteropError`][cdinterop.errors.CdinteropError], like every error cdinterop raises
    on purpose, and a ``ValueError``."""


FrameError.__module__ = "cdinterop.frames"  # tracebacks show the public name
