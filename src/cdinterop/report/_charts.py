"""The report's charts: matplotlib figures rendered to inline SVG.

matplotlib (the ``report`` extra) draws them with its SVG backend, straight from a
``Figure`` (no pyplot, no window, no global state), with the texts kept as SVG text
(escaped by matplotlib's writer; math notation off, so a ``$`` in a code is a dollar).
The SVG is trimmed for inlining: no XML prologue, no DOCTYPE, no namespace URLs, and its
ids prefixed so that several figures share one page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cdinterop._extras import require

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Bar", "charts_available", "check", "flow_chart", "interval_chart", "shares_chart"]

_PURPOSE = "drawing the charts of report.html"
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "cdinterop-report",  # the same ids run after run
    "text.parse_math": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_COLOURS = {"read": "#4c566a", "accepted": "#2e7d32", "filtered": "#f9a825", "rejected": "#c62828"}
_SAMPLE, _POPULATION = "#1565c0", "#9e9e9e"


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the row flow: its label, count and kind (read, accepted, filtered,
    rejected)."""

    label: str
    value: float
    kind: str


def check() -> None:
    """Raise [`MissingExtraError`][cdinterop.errors.MissingExtraError] naming the
    ``report`` extra when matplotlib cannot be imported."""
    require("matplotlib", extra="report", purpose=_PURPOSE)


def charts_available() -> bool:
    """Whether matplotlib can be imported (the ``report`` extra is installed)."""
    try:
        require("matplotlib", extra="report", purpose=_PURPOSE)
    except Exception:  # MissingExtraError, or a broken install
        return False
    return True


def _style() -> AbstractContextManager[Any]:
    matplotlib = require("matplotlib", extra="report", purpose=_PURPOSE)
    context: AbstractContextManager[Any] = matplotlib.rc_context(_RC)
    return context


def _figure(width: float, height: float) -> Figure:
    figure_module = require("matplotlib.figure", extra="report", purpose=_PURPOSE)
    figure: Figure = figure_module.Figure(figsize=(width, height), layout="constrained")
    return figure


def _svg(figure: Figure, name: str, label: str) -> str:
    """``figure`` as SVG markup to put inside HTML."""
    buffer = io.StringIO()
    metadata = {"Creator": None, "Date": None, "Format": None, "Type": None}
    figure.savefig(buffer, format="svg", metadata=metadata)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', svg)
    from cdinterop.report._html import text

    return svg.replace("<svg ", f'<svg role="img" aria-label="{text(label)}" ', 1)


def flow_chart(bars: Sequence[Bar]) -> str:
    """Horizontal bars of the row flow: read, then accepted, filtered and rejected (each
    rule and reason a bar of its own)."""
    with _style():
        figure = _figure(7, 0.45 + 0.32 * len(bars))
        axes: Axes = figure.add_subplot()
        labels = [bar.label for bar in reversed(bars)]
        values = [bar.value for bar in reversed(bars)]
        colours = [_COLOURS.get(bar.kind, "#607d8b") for bar in reversed(bars)]
        drawn = axes.barh(range(len(bars)), values, color=colours)
        axes.bar_label(drawn, labels=[f"{v:,.0f}" for v in values], padding=3)
        axes.set_yticks(range(len(bars)), labels)
        axes.set_xlabel("rows")
        return _svg(figure, "flow", "The flow of rows: read, accepted, filtered, rejected")


def shares_chart(
    name: str,
    dimension: str,
    codes: Sequence[str],
    sample: Sequence[float],
    population: Sequence[float],
) -> str:
    """Grouped bars: the sample's share of each group of ``dimension`` beside the
    population's."""
    with _style():
        figure = _figure(7, 0.6 + 0.38 * len(codes))
        axes: Axes = figure.add_subplot()
        positions = range(len(codes))
        height = 0.4
        axes.barh(
            [p + height / 2 for p in positions],
            population,
            height,
            color=_POPULATION,
            label="population",
        )
        axes.barh(
            [p - height / 2 for p in positions], sample, height, color=_SAMPLE, label="sample"
        )
        axes.set_yticks(list(positions), list(codes))
        axes.invert_yaxis()
        axes.set_xlabel("share")
        axes.set_title(dimension)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return _svg(figure, name, f"Sample against population shares by {dimension}")


def interval_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    lower: Sequence[float] | None,
    upper: Sequence[float] | None,
) -> str:
    """Points for the published values, with error bars from ``lower`` to ``upper`` when
    the data set has the bounds."""
    with _style():
        figure = _figure(7, 0.6 + 0.32 * len(labels))
        axes: Axes = figure.add_subplot()
        positions = list(range(len(labels)))
        errors = None
        if lower is not None and upper is not None:
            errors = [
                [max(v - lo, 0.0) for v, lo in zip(values, lower, strict=True)],
                [max(hi - v, 0.0) for v, hi in zip(values, upper, strict=True)],
            ]
        axes.errorbar(
            values, positions, xerr=errors, fmt="o", color=_SAMPLE, ecolor="#37474f", capsize=3
        )
        axes.set_yticks(positions, list(labels))
        axes.invert_yaxis()
        axes.set_title(title)
        axes.grid(axis="x", color="#e0e0e0")
        return _svg(figure, name, title)
