"""Fuzzy matching of columns to concepts and of values to codes, with rapidfuzz.

Every match has a score from 0 to 100: the best of rapidfuzz's ``ratio`` and 0.9 times
its ``token_set_ratio`` on lower-cased, punctuation-free text, so that an exact spelling
beats a value whose words are a subset of another's ("satisfied" goes to *satisfied*,
not *very satisfied*) while "national_id" still finds "National ID card".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from cdinterop._extras import require

__all__ = ["ValueMatch", "cluster_values", "code_id", "match_one", "match_values", "similarity"]

ACCEPT = 80.0
"""Scores from this value on are proposed as matches (all of them marked for review)."""


def _fuzz() -> ModuleType:
    module: ModuleType = require("rapidfuzz.fuzz", extra="draft", purpose="drafting a spec")
    return module


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def similarity(left: str, right: str) -> float:
    """The match score (0-100) of two strings (see the module docs)."""
    fuzz = _fuzz()
    a, b = _normalise(left), _normalise(right)
    if not a or not b:
        return 0.0
    return float(max(fuzz.ratio(a, b), 0.9 * fuzz.token_set_ratio(a, b)))


@dataclass(frozen=True)
class ValueMatch:
    """A proposed value -> code match: the code, its score and the text it matched."""

    value: str
    code: str | None
    score: float
    matched: str | None = None


def match_one(texts: Iterable[str], targets: Mapping[str, Sequence[str]]) -> ValueMatch:
    """The best code for a value known by ``texts`` (the value, then its labels) among
    ``targets`` (code id -> its names, id included); ties go to the first code."""
    texts = [t for t in texts if t and t.strip()]
    best = ValueMatch(texts[0] if texts else "", None, 0.0)
    for text in texts:
        for code, names in targets.items():
            for name in names:
                score = similarity(text, name)
                if score > best.score:
                    best = ValueMatch(best.value, code, round(score, 1), name)
    return best


def match_values(
    values: Iterable[str],
    targets: Mapping[str, Sequence[str]],
    labels: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, ValueMatch]:
    """``match_one`` for each value, with the value's own labels (from the form) as
    other ways to find it."""
    labels = labels or {}
    return {value: match_one([value, *labels.get(value, ())], targets) for value in values}


def code_id(text: str, drop: Iterable[str] = ()) -> str:
    """An SDMX code id from a value or label: upper case, words joined by ``_`` and
    ``drop`` words left out (e.g. a word every value has)."""
    dropped = {d.upper() for d in drop}
    words = [w for w in re.sub(r"[^0-9A-Za-z]+", " ", text).upper().split() if w not in dropped]
    ident = "_".join(words) or re.sub(r"[^0-9A-Za-z]+", "_", text).upper().strip("_")
    if not ident:
        return "CODE"
    return ident if ident[0].isalpha() else f"C{ident}" if ident[0].isdigit() else ident


def cluster_values(counts: Mapping[str, int], cutoff: float = 85.0) -> dict[str, tuple[str, float]]:
    """Group spellings of the same thing (``counts``: value -> rows) without a form.

    Words that half or more of the values share ("Beach") are left out of the comparison
    and of the ids. Values are taken by falling frequency; each joins the group holding
    a value it scores at least ``cutoff`` against (merging such groups when there are
    several), or starts a group.
    Returns value -> (code id, score); a group's code comes from its most frequent value.
    """
    common = _common_words(counts)
    clusters = _Clusters(cutoff)
    for value in sorted(counts, key=lambda v: (-counts[v], v)):
        clusters.add(value, _without(value, common))
    return {value: clusters.code_of(value) for value in counts}


def _common_words(values: Collection[str]) -> set[str]:
    """The words that half or more of ``values`` share, when there are four or more."""
    words: dict[str, int] = {}
    for value in values:
        for word in set(_normalise(value).split()):
            words[word] = words.get(word, 0) + 1
    return {w for w, n in words.items() if len(values) >= 4 and n * 2 >= len(values)}


def _without(value: str, common: set[str]) -> str:
    """A value's normalised text without the ``common`` words (all of it if none is left)."""
    kept = [w for w in _normalise(value).split() if w not in common]
    return " ".join(kept) or _normalise(value)


class _Clusters:
    """Groups of spellings built one value at a time: each group's members (as compared)
    and code id, the group each value is in and the score it joined with."""

    def __init__(self, cutoff: float) -> None:
        self.cutoff = cutoff
        self.members: list[list[str]] = []
        self.codes: list[str] = []
        self.owner: dict[str, int] = {}
        self.scores: dict[str, float] = {}

    def code_of(self, value: str) -> tuple[str, float]:
        """The code id of a value's group and the value's score."""
        return self.codes[self.owner[value]], self.scores[value]

    def add(self, value: str, key: str) -> None:
        """Put ``value`` (compared as ``key``) in the groups it is close to, else a new one."""
        hits = self._close_to(key)
        if not hits:
            self._start(value, key)
            return
        # a value close to several groups joins them: they spell the same thing
        first = min(index for _, index in hits)
        for _, index in hits:
            if index != first:
                self._merge(index, first)
        self.members[first].append(key)
        self.owner[value], self.scores[value] = first, round(max(s for s, _ in hits), 1)

    def _close_to(self, key: str) -> list[tuple[float, int]]:
        """(best score, group index) of the groups with a member scoring ``cutoff`` or more."""
        hits = [
            (max(similarity(key, member) for member in members), index)
            for index, members in enumerate(self.members)
            if members
        ]
        return [(score, index) for score, index in hits if score >= self.cutoff]

    def _start(self, value: str, key: str) -> None:
        """A new group for ``value``, with a code id no other group has."""
        code = code_id(key)
        while code in self.codes:
            code += "_"
        self.codes.append(code)
        self.members.append([key])
        self.owner[value], self.scores[value] = len(self.members) - 1, 100.0

    def _merge(self, index: int, into: int) -> None:
        """Move group ``index``'s members and values to group ``into``."""
        self.members[into].extend(self.members[index])
        self.members[index].clear()
        for other, held in self.owner.items():
            if held == index:
                self.owner[other] = into


def names_of(item: Any) -> list[str]:
    """The names of a model code or codelist in every language."""
    name = getattr(item, "name", None) or {}
    return [str(text) for text in name.values()] if isinstance(name, Mapping) else [str(name)]
