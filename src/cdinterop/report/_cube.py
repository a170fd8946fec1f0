"""The published data set seen as a cube: totals, breakdowns and the suppressed cells.

A dimension's *total* is its ``_T`` code when the data have it, else the one code present
whose children (by the codelist's hierarchy) are present too (a country over its regions).
The report shows the latest period only when the data hold several.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cdinterop.model import CitizenDataset

__all__ = ["CONF_STATUS", "SUPPRESSED", "Cube", "cube_of"]

CONF_STATUS = "CONF_STATUS"
SUPPRESSED = ("C", "D")
"""The confidentiality statuses of suppressed cells: C (every suppressed cell by default)
and D (secondary suppression, where a producer still tells it apart)."""
LOWER, UPPER = "LOWER_BOUND", "UPPER_BOUND"


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@dataclass
class Cube:
    """The observations of one period, with what the report needs to read them."""

    measure: str
    dimensions: list[str]
    """The dimensions with more than one code in the period shown, in structure order."""
    rows: list[dict[str, Any]]
    totals: dict[str, str]
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    dimension_names: dict[str, str] = field(default_factory=dict)
    period: str | None = None
    all_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_bounds(self) -> bool:
        """Whether the observations carry LOWER_BOUND and UPPER_BOUND."""
        return bool(self.rows) and LOWER in self.rows[0] and UPPER in self.rows[0]

    def label(self, dimension: str, code: object) -> str:
        """The code with its name, ``Female (F)``, or the code alone."""
        name = self.names.get(dimension, {}).get(str(code))
        return f"{name} ({code})" if name and name != code else str(code)

    def value(self, row: Mapping[str, Any]) -> float | None:
        """The row's published value (``None`` when suppressed or missing)."""
        return _number(row.get(self.measure))

    def bounds(self, row: Mapping[str, Any]) -> tuple[float | None, float | None]:
        """The row's interval, when the data set has one."""
        return _number(row.get(LOWER)), _number(row.get(UPPER))

    def select(self, free: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """The rows where every dimension with a total is at it, except those in
        ``free``, which take every code but their total."""
        chosen = []
        for row in self.rows:
            fixed = all(row.get(d) == t for d, t in self.totals.items() if d not in free)
            if fixed and all(row.get(d) != self.totals.get(d) for d in free):
                chosen.append(row)
        return chosen

    def open_dimensions(self, row: dict[str, Any], *, skip: tuple[str, ...] = ()) -> str:
        """The codes of ``row`` off their total (or without one), as a label."""
        parts = [
            self.label(d, row.get(d))
            for d in self.dimensions
            if d not in skip and row.get(d) != self.totals.get(d)
        ]
        return ", ".join(parts) or "total"

    def key(self, row: dict[str, Any]) -> str:
        """The row's series key, ``REF_AREA=KE|SEX=_T|…`` over the open dimensions."""
        return "|".join(f"{d}={row.get(d)}" for d in self.dimensions)

    def suppressed_counts(self) -> Counter[str]:
        """How many cells of the whole data set each confidentiality status has."""
        return Counter(
            str(row.get(CONF_STATUS)) for row in self.all_rows if row.get(CONF_STATUS) is not None
        )


def _total(codes: set[str], parents: dict[str, str | None]) -> str | None:
    if "_T" in codes:
        return "_T"
    roots = [
        c for c in codes if parents.get(c) not in codes and any(parents.get(o) == c for o in codes)
    ]
    return roots[0] if len(roots) == 1 else None


def _latest(
    rows: list[dict[str, Any]], time: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    if time is None or not rows or time not in rows[0]:
        return rows, None
    period = max(str(row.get(time)) for row in rows)
    return [row for row in rows if str(row.get(time)) == period], period


def cube_of(dataset: CitizenDataset) -> Cube | None:
    """The data set as a cube, or ``None`` when it has no observations or measure."""
    structure = dataset.structure
    rows = dataset.observations.to_records()
    if not rows or not structure.measures or structure.measures[0].id not in rows[0]:
        return None
    time = structure.time_dimension.id if structure.time_dimension else None
    shown, period = _latest(rows, time)
    codelists = {c.id: c for c in structure.codelists}
    names: dict[str, dict[str, str]] = {}
    totals: dict[str, str] = {}
    open_dims: list[str] = []
    for dimension in structure.dimensions:
        codes = {str(row.get(dimension.id)) for row in shown}
        codelist = codelists.get(dimension.codelist or "")
        parents = {c.id: c.parent for c in codelist.codes} if codelist else {}
        if codelist:
            names[dimension.id] = {c.id: _first(c.name) for c in codelist.codes}
        if len(codes) > 1:
            open_dims.append(dimension.id)
            total = _total(codes, parents)
            if total is not None:
                totals[dimension.id] = total
    concepts = {c.id: _first(c.name) for c in structure.concepts}
    return Cube(
        measure=structure.measures[0].id,
        dimensions=open_dims,
        rows=shown,
        totals=totals,
        names=names,
        dimension_names={d: concepts.get(d, d) for d in open_dims},
        period=period,
        all_rows=rows,
    )


def _first(text: Any) -> str:
    """The English text of a multilingual one, or its first."""
    if not text:
        return ""
    if isinstance(text, dict):
        return str(text.get("en") or next(iter(text.values())))
    return str(text)
