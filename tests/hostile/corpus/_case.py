"""The `Case` of the hostile corpus, what a run of it gives (`Run`) and how it is judged."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "CLASSES",
    "GIB",
    "MEMORY_LIMIT",
    "Case",
    "Check",
    "Expect",
    "Finding",
    "Run",
    "Seeds",
    "Setup",
]

GIB = 1024**3
MEMORY_LIMIT = 1 * GIB
"""Peak resident memory above which a case fails (class ``memory``)."""

Expect = Literal["error", "ok", "any"]
"""``error``: must exit 1 or 2 with a message; ``ok``: must exit 0; ``any``: either."""

CLASSES = (
    "handled",
    "clear-error",
    "traceback",
    "hang",
    "memory",
    "silent-loss",
    "security",
    "unexpected",
)
"""Classes of the totals table, in its column order. ``handled`` is exit 0 with the output
right, ``clear-error`` exit 1/2 with a message; ``unexpected`` an exit code contrary to the
expectation (an error where success was expected, or success where an error was)."""


@dataclass(frozen=True, slots=True)
class Seeds:
    """Valid files, written by cdinterop's own writers or copied from the examples, that
    cases copy and damage (see `seeds.build`)."""

    root: Path

    def __truediv__(self, name: str) -> Path:
        return self.root / name


@dataclass(frozen=True, slots=True)
class Finding:
    """A failure found by a case's own check: ``loss`` (information lost without a word)
    or ``security``."""

    kind: Literal["loss", "security"]
    reason: str


@dataclass(slots=True)
class Run:
    """What one run of a case gave."""

    case: Case
    work: Path
    """The case's folder (the child's working directory, ``{d}`` in the arguments)."""
    outside: Path
    """A folder beside it that the case must neither read nor write (``{o}``)."""
    seeds: Seeds
    argv: list[str]
    returncode: int | None = None
    """Exit status; negative for a signal; ``None`` when the case timed out."""
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    peak_rss: int = 0
    """Peak resident memory of the child in bytes."""
    network: list[str] = field(default_factory=list)
    """Connection attempts the child made (all refused)."""
    findings: list[Finding] = field(default_factory=list)
    klass: str = ""
    reason: str = ""
    debug_tail: str = ""
    """For a traceback: the last frames in cdinterop and the exception (from ``--debug``)."""

    @property
    def output(self) -> str:
        """Standard output and error together."""
        return f"{self.stdout}\n{self.stderr}"

    @property
    def passed(self) -> bool:
        """Whether the case met its expectation."""
        return self.klass in ("handled", "clear-error")


Check = Callable[[Run], "Finding | None"]
Setup = Callable[[Path, Seeds], None]


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile input and the command that reads it.

    ``argv`` are the arguments after ``cdinterop``; ``{d}`` stands for the case's folder,
    ``{o}`` for the folder beside it holding a canary file (``{o}/secret.txt``) that must
    never be read or written, ``{s}`` for the seeds folder. ``setup`` writes the inputs into
    the case's folder before the run; ``check`` looks at the run for silent loss or a
    security failure (it runs whatever the exit code, so a check that only applies to a
    success tests ``run.returncode``).
    """

    id: str
    area: str
    argv: tuple[str, ...]
    expect: Expect = "error"
    setup: Setup | None = None
    check: Check | None = None
    timeout: float = 60.0
    memory_cap: int = 4 * GIB
    """Address-space limit of the child (``RLIMIT_AS``), so that nothing eats the machine."""
    env: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    """What the case is about, in a few words."""

    def command(self, work: Path, outside: Path, seeds: Seeds) -> list[str]:
        """The arguments with the placeholders filled in."""
        return [
            a.replace("{d}", str(work)).replace("{o}", str(outside)).replace("{s}", str(seeds.root))
            for a in self.argv
        ]
