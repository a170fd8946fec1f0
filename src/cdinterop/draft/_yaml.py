"""Write a drafted spec as YAML with a comment on the lines that need review.

Values are plain Python data (dicts, lists, strings, numbers); a value wrapped in
[`Note`][cdinterop.draft._yaml.Note] carries a comment written at the end of its line (for
a mapping or list, above it). Strings are written as JSON strings, which YAML reads back
unchanged, so no value can turn into another type (``no``, ``047``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Note", "dump"]


@dataclass(frozen=True)
class Note:
    """A value with a comment."""

    value: Any
    comment: str


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _flow(value: Any) -> str | None:
    """A one-line form for small mappings and lists of scalars, or None."""
    if isinstance(value, Note):
        return None
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            inner = _flow(item)
            if inner is None:
                return None
            parts.append(f"{_key(key)}: {inner}")
        text = "{" + ", ".join(parts) + "}"
    elif isinstance(value, list | tuple):
        items = [_flow(item) for item in value]
        if any(item is None for item in items):
            return None
        text = "[" + ", ".join(item for item in items if item is not None) + "]"
    else:
        return _scalar(value)
    return text if len(text) <= 80 else None


def _key(key: Any) -> str:
    text = str(key)
    plain = text.replace("_", "").replace("-", "").isalnum() and text[:1].isalpha()
    lowered = text.lower()
    if plain and lowered not in {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}:
        return text
    return json.dumps(text, ensure_ascii=False)


def _line(head: str, label: str, text: str) -> str:
    """One line: the indent (and dash), the key if any, the value."""
    return f"{head}{label} {text}" if label else f"{head}{text}"


def _emit(lines: list[str], key: str | None, value: Any, indent: int, dash: bool) -> None:
    """Append the lines of ``key: value`` (a list item when ``dash``) at ``indent``."""
    comment = ""
    if isinstance(value, Note):
        comment, value = value.comment, value.value
    head = f"{' ' * indent}- " if dash else " " * indent
    label = f"{_key(key)}:" if key is not None else ""
    flow = _flow(value)
    if flow is not None and not (isinstance(value, dict | list) and not value and key is None):
        lines.append(_line(head, label, flow) + (f"  # {comment}" if comment else ""))
        return
    if comment:
        lines.append(f"{' ' * indent}# {comment}")
    if isinstance(value, dict | list | tuple):
        _emit_block(lines, head, label, value, indent, dash)
    else:
        lines.append(_line(head, label, _scalar(value)))


def _emit_block(
    lines: list[str],
    head: str,
    label: str,
    value: dict[Any, Any] | list[Any] | tuple[Any, ...],
    indent: int,
    dash: bool,
) -> None:
    """Append a mapping or list on lines of its own, under its key if it has one; a
    mapping that is a list item starts on the dash line."""
    if label:
        lines.append(f"{head}{label}")
    inner = indent + 2 if label or dash else indent
    if not isinstance(value, dict):
        for item in value:
            _emit(lines, None, item, inner, True)
        return
    for position, (sub_key, sub) in enumerate(value.items()):
        start = len(lines)
        _emit(lines, sub_key, sub, inner, False)
        if position == 0 and dash and not label:
            lines[start] = head + lines[start][inner:]


def dump(document: dict[str, Any], header: list[str] | None = None) -> str:
    """The YAML text of ``document`` (a mapping), with ``header`` comment lines first."""
    lines = [f"# {line}" if line else "#" for line in header or []]
    for key, value in document.items():
        if isinstance(value, Note) and isinstance(value.value, dict | list):
            lines.append("")
        _emit(lines, key, value, 0, False)
    return "\n".join(lines) + "\n"
