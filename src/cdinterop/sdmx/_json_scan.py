"""A small scanner of JSON text for SDMX-JSON: what a message is from its start, and where in
a document a problem lies.

`sniff_format()` reads only the first bytes of a message, which a JSON parser refuses when
they stop in the middle of a value; the scanner walks the tokens it has and reports, for
each key and scalar value, its JSON path (``data.structures[0].links[1].urn``). It is also
used after a parse failed, to locate a duplicate key: Python's parser cannot say where a
key was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "HeadInfo",
    "JsonEvent",
    "duplicate_key",
    "head_info",
    "json_kind",
    "json_path",
    "scan",
]

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)
_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")

Path = tuple[str | int, ...]
"""A JSON path: object keys and array indices from the root."""


def json_path(path: Path) -> str:
    """``data.dataSets[0].observations["0:1"]`` for a path (``$`` for the root)."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif _NAME.match(step):
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step, ensure_ascii=False)}]"
    return text or "$"


def json_kind(value: Any) -> str:
    """A parsed JSON value's kind, for error messages: ``a number``, ``an array``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


@dataclass(frozen=True)
class JsonEvent:
    """A key of an object (``key`` set) or a scalar value (``key`` is ``None``)."""

    path: Path
    """Where it is: the path of the value (for a key, of the value the key names)."""
    token: str
    """The token as written (a string with its quotes)."""
    offset: int
    """Character offset of the token in the text."""
    key: str | None = None
    """The key, for a key event."""

    @property
    def value(self) -> str | None:
        """The decoded string, for a string token; ``None`` otherwise."""
        if not self.token.startswith('"'):
            return None
        try:
            decoded: str = json.loads(self.token)
        except ValueError:
            return None
        return decoded


@dataclass
class _Frame:
    kind: str  # "object" or "array"
    step: str | int | None = None
    expects_key: bool = True


def scan(text: str) -> Iterator[JsonEvent]:
    """The keys and scalar values of JSON text, in document order, each with its path.

    Text that stops early (the start of a long document) is scanned as far as it goes;
    malformed text is scanned as well as its tokens allow (the parser reports it)."""
    stack: list[_Frame] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        top = stack[-1] if stack else None
        if token in "{[":
            stack.append(_Frame("object" if token == "{" else "array", 0 if token == "[" else None))
        elif token in "}]":
            if stack:
                stack.pop()
        elif token == ":":
            if top is not None:
                top.expects_key = False
        elif token == ",":
            if top is not None and top.kind == "object":
                top.expects_key = True
            elif top is not None and isinstance(top.step, int):
                top.step += 1
        elif top is not None and top.kind == "object" and top.expects_key:
            key = _decoded(token)
            top.step = key
            yield JsonEvent(_path(stack), token, match.start(), key=key)
        else:
            yield JsonEvent(_path(stack), token, match.start())


def _decoded(token: str) -> str:
    try:
        decoded = json.loads(token)
    except ValueError:
        return token.strip('"')
    return decoded if isinstance(decoded, str) else token


def _path(stack: list[_Frame]) -> Path:
    """The path of the value being read in the innermost container."""
    path: list[str | int] = []
    for frame in stack:
        if frame.step is not None:
            path.append(frame.step)
    return tuple(path)


def duplicate_key(text: str) -> tuple[str, Path, int] | None:
    """The first key that an object repeats: (key, path of the object, line), or ``None``."""
    seen: dict[Path, set[str]] = {}
    for event in scan(text):
        if event.key is None:
            continue
        where = event.path[:-1]
        keys = seen.setdefault(where, set())
        if event.key in keys:
            return event.key, where, text.count("\n", 0, event.offset) + 1
        keys.add(event.key)
        # keys of objects already closed are kept: paths of siblings differ
    return None


@dataclass
class HeadInfo:
    """What the start of a JSON document shows."""

    top_keys: list[str] = field(default_factory=list)
    """Keys of the root object."""
    data_keys: list[str] = field(default_factory=list)
    """Keys of the root's ``data`` object."""
    schemas: list[str] = field(default_factory=list)
    """The ``$schema`` (root) and ``meta.schema`` / ``header.schema`` values."""
    urns: list[tuple[str, str]] = field(default_factory=list)
    """``urn`` values of links, with their JSON path."""


def head_info(text: str) -> HeadInfo:
    """The keys, schema references and link URNs in the start of a JSON document."""
    info = HeadInfo()
    for event in scan(text):
        path = event.path
        if event.key is not None:
            if len(path) == 1:
                info.top_keys.append(event.key)
            elif len(path) == 2 and path[0] == "data":
                info.data_keys.append(event.key)
            continue
        value = event.value
        if value is None:
            continue
        if path == ("$schema",) or (len(path) == 2 and path[1] == "schema"):
            info.schemas.append(value)
        elif path and path[-1] == "urn" and "links" in path:
            info.urns.append((json_path(path), value))
    return info
