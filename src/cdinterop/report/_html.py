"""HTML pieces of the report: escaping, elements, cells that carry their figure.

Every text that comes from the data passes through `text()` (or an attribute of `el()`),
so a code or a title holding markup stays text. Each figure shown is also put in a
``data-value`` attribute, exactly as ``summary.json`` or the data set holds it, so a test
(or a script) can compare what a person sees with the figures of the run.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["cell", "el", "fmt", "key_value_rows", "number", "table", "text"]


def text(value: object) -> str:
    """``value`` as escaped HTML text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def _attr_name(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def _attributes(attributes: Mapping[str, object]) -> str:
    parts = [
        f' {_attr_name(name)}="{text(value)}"'
        for name, value in attributes.items()
        if value is not None
    ]
    return "".join(parts)


def el(name: str, inner: str = "", **attributes: object) -> str:
    """The element ``name`` around ``inner`` (markup already escaped), with ``attributes``
    escaped (``class_`` gives ``class``, ``data_value`` gives ``data-value``; ``None``
    leaves an attribute out)."""
    return f"<{name}{_attributes(attributes)}>{inner}</{name}>"


def number(value: object) -> str:
    """A figure as JSON writes it (``958``, ``0.993``, ``true``): the ``data-value`` form."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value if isinstance(value, str) else json.dumps(value)


def fmt(value: object) -> str:
    """A figure as a person reads it: integers with thousands separators, other numbers
    to four significant digits, ``—`` for no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1 else f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(item) for item in value)
    return str(value)


def cell(
    value: object, *, shown: str | None = None, class_: str | None = None, **data: object
) -> str:
    """A ``<td>`` showing ``value`` (or ``shown``) with ``data-value`` and the ``data``
    attributes (``metric="completeness"`` gives ``data-metric="completeness"``)."""
    attributes = {f"data_{name}": item for name, item in data.items()}
    if value is not None and not isinstance(value, dict):
        attributes["data_value"] = number(value)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    classes = " ".join(c for c in ("num" if numeric else None, class_) if c) or None
    return el("td", text(fmt(value) if shown is None else shown), class_=classes, **attributes)


def table(
    head: list[str], rows: list[str], *, caption: str | None = None, **attributes: object
) -> str:
    """A table with the header cells ``head`` (texts) and ``rows`` (``<tr>`` markup)."""
    top = el("caption", text(caption)) if caption else ""
    header = el("thead", el("tr", "".join(el("th", text(h), scope="col") for h in head)))
    return el("table", top + header + el("tbody", "".join(rows)), **attributes)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for name, value in data.items():
        key = f"{prefix}{name}"
        if (
            isinstance(value, Mapping)
            and value
            and all(not isinstance(v, Mapping | list) for v in value.values())
        ):
            items.extend(_flatten(value, f"{key}."))
        elif isinstance(value, Mapping):
            items.append((key, json.dumps(value, ensure_ascii=False)))
        else:
            items.append((key, value))
    return items


def key_value_rows(data: Mapping[str, Any], *, field: str) -> list[str]:
    """One ``<tr>`` per entry of ``data`` (a nested mapping of scalars is spread as
    ``weights.min``, ``weights.max`` ...), each value cell with ``data-<field>`` naming
    its key."""
    rows = []
    for key, value in _flatten(data):
        shown_value = value if not isinstance(value, list) else fmt(value)
        rows.append(el("tr", el("th", text(key), scope="row") + cell(shown_value, **{field: key})))
    return rows
