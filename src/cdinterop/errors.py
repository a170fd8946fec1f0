"""The exception hierarchy of cdinterop and the located issues that validation reports.

Every error cdinterop raises on purpose is a [`CdinteropError`][cdinterop.errors.CdinteropError].
Validation never stops at the first problem: it collects [`Issue`][cdinterop.errors.Issue] objects
(where, what, which value) and raises [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError]
carrying all of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CdinteropError",
    "InvalidDatasetError",
    "Issue",
    "ReadError",
    "WriteError",
]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found by validation, with enough context to find and fix it.

    ``location`` is a dotted path into the data set (``structure.dimensions[1].codelist``,
    ``observations[41].SEX``); ``row`` repeats the observation row (0-based) for problems
    in the observation table, and ``component`` the component id where one component is
    at fault (a duplicate key involves them all and has none).
    """

    location: str
    """Where the problem is: a dotted path, with ``[n]`` for list positions."""
    code: str
    """A stable, machine-readable kind of problem, e.g. ``unknown-code``."""
    message: str
    """What is wrong, in words a data engineer understands."""
    value: Any = None
    """The offending value, if there is one."""
    row: int | None = None
    """0-based row of the observation table, for observation issues."""
    component: str | None = None
    """Component id (dimension, attribute or measure), for observation issues."""

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (value: {self.value!r})"
        return f"{self.location}: {self.message}{shown} [{self.code}]"

    def to_dict(self) -> dict[str, Any]:
        """Return the issue as a JSON-friendly dict."""
        return {
            "location": self.location,
            "code": self.code,
            "message": self.message,
            "value": self.value,
            "row": self.row,
            "component": self.component,
        }


class CdinteropError(Exception):
    """Root of every error that cdinterop raises deliberately."""


class InvalidDatasetError(CdinteropError):
    """A data set, structure or observation table breaks the model's rules.

    ``issues`` holds every problem found, not just the first.
    """

    def __init__(self, issues: Iterable[Issue], *, context: str = "data set") -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.context = context
        super().__init__(self._summary())

    def _summary(self) -> str:
        n = len(self.issues)
        head = f"invalid {self.context}: {n} problem{'s' if n != 1 else ''}"
        shown = "\n".join(f"  - {issue}" for issue in self.issues[:20])
        more = f"\n  ... and {n - 20} more" if n > 20 else ""
        return f"{head}\n{shown}{more}" if n else head

    def counts(self) -> dict[str, int]:
        """Number of issues per issue code."""
        return dict(Counter(issue.code for issue in self.issues))


class ReadError(CdinteropError):
    """A file or stream could not be read or parsed at all (before any validation)."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"cannot read {source}: {reason}")


class WriteError(CdinteropError):
    """An output could not be written; nothing partial is left behind."""
