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


def _emit(lines: list[str], key: str | None, value: Any, indent: int, dash: bool) -> None:
    pad = " " * indent
    comment = ""
    if isinstance(value, Note):
        comment, value = value.comment, value.value
    head = f"{pad}- " if dash else pad
    label = f"{_key(key)}:" if key is not None else ""
    flow = _flow(value)
    if flow is not None and not (isinstance(value, dict | list) and not value and key is None):
        text = f"{head}{label} {flow}" if label else f"{head}{flow}"
        lines.append(text + (f"  # {comment}" if comment else ""))
        return
    if comment:
        lines.append(f"{pad}# {comment}")
    if isinstance(value, dict):
        items = list(value.items())
        if label:
            lines.append(f"{head}{label}")
            for sub_key, sub in items:
                _emit(lines, sub_key, sub, indent + 2, False)
            return
        first = True
        for sub_key, sub in items:
            if first and dash:
                start = len(lines)
                _emit(lines, sub_key, sub, indent + 2, False)
                lines[start] = f"{pad}- " + lines[start][indent + 2 :]
                first = False
            else:
                _emit(lines, sub_key, sub, indent + 2 if dash else indent, False)
        return
    if isinstance(value, list | tuple):
        if label:
            lines.append(f"{head}{label}")
        for item in value:
            _emit(lines, None, item, indent + 2 if label or dash else indent, True)
        return
    lines.append(f"{head}{label} {_scalar(value)}" if label else f"{head}{_scalar(value)}")


def dump(document: dict[str, Any], header: list[str] | None = None) -> str:
    """The YAML text of ``document`` (a mapping), with ``header`` comment lines first."""
    lines = [f"# {line}" if line else "#" for line in header or []]
    for key, value in document.items():
        if isinstance(value, Note) and isinstance(value.value, dict | list):
            lines.append("")
        _emit(lines, key, value, 0, False)
    return "\n".join(lines) + "\n"
