"""Hints for a name a spec gets wrong: the closest known name and the list of choices.

Every check of a reference in a spec (a column, a component, a code, a function) reports
what it found the same way::

    'SXE' is not a column of the unit records (did you mean 'SEX'?); the columns are:
    RESPONDENT, REF_AREA, SEX, AGE, ...

[`did_you_mean()`][cdinterop.mapping._suggest.did_you_mean] finds the closest choice
(`difflib`, case-insensitive), [`choices()`][cdinterop.mapping._suggest.choices] lists
them, shortened when there are many, and [`not_one_of()`][cdinterop.mapping._suggest.not_one_of]
writes the whole sentence.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["MOST_SHOWN", "choices", "closest", "did_you_mean", "not_one_of"]

MOST_SHOWN = 20
"""How many choices a message lists before it says how many more there are."""


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name`` (a different case counts as closest), or
    ``None`` when none is close enough."""
    candidates = list(dict.fromkeys(known))
    folded = {c.casefold(): c for c in candidates}
    if name.casefold() in folded and folded[name.casefold()] != name:
        return folded[name.casefold()]
    found = difflib.get_close_matches(name, candidates, n=1)
    if found:
        return found[0]
    found = difflib.get_close_matches(name.casefold(), list(folded), n=1)
    return folded[found[0]] if found else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for the known name closest to ``name``, or ``""``."""
    found = closest(name, known)
    return f" (did you mean {found!r}?)" if found is not None else ""


def choices(known: Iterable[str], most: int = MOST_SHOWN) -> str:
    """The known names, comma-separated, the first ``most`` only (``... (N in all)``
    after them when there are more); ``none`` when there are none."""
    names = list(dict.fromkeys(known))
    if not names:
        return "none"
    shown = ", ".join(names[:most])
    return f"{shown}, ... ({len(names)} in all)" if len(names) > most else shown


def not_one_of(name: str, what: str, known: Iterable[str], kind: str) -> str:
    """``'name' is not WHAT (did you mean 'X'?); the KIND are: a, b, ...``: the message
    for a reference to something that is not there, e.g.
    ``not_one_of("SXE", "a column of the unit records", columns, "columns")``."""
    names = list(dict.fromkeys(known))
    return f"{name!r} is not {what}{did_you_mean(name, names)}; the {kind} are: {choices(names)}"
