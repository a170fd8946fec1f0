"""Reader limits: how much of an input cdinterop accepts before refusing it.

Every reader checks its input against these limits *before* committing memory to it, so
that a small hostile file (a zip bomb, a sheet whose used range is ninety million cells,
twenty thousand distinct JSON keys, a document nested a hundred thousand levels deep)
is refused with a clear message instead of exhausting the machine. The defaults let
every realistic citizen-data submission through; a refusal names the limit and how to
raise it:

- from the command line, ``--limit NAME=VALUE`` (repeatable) on any command that reads;
- in a spec, ``source.limits: {NAME: VALUE}``;
- from Python, ``with cdinterop.limits.use(rows=500_000_000): ...``.

Limits apply to the current thread and task (a `contextvars.ContextVar`), so two
pipelines in one process can run with different limits.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdinterop.errors import ReadError

__all__ = [
    "DEFAULTS",
    "LimitExceeded",
    "Limits",
    "current",
    "exceeded",
    "parse_assignment",
    "use",
]

_KIB = 1024
_MIB = 1024 * _KIB
_GIB = 1024 * _MIB


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits every reader checks (see the module documentation for how to set them).

    Byte limits count bytes; ``seconds`` is wall-clock time. Every value must be positive.
    """

    bytes: int = 256 * _MIB
    """Size of a document that is read whole into memory: a data set JSON, a spec (YAML),
    an RDF description, a Data Package descriptor. Python holds several times a document's
    size once parsed: the default keeps a read under about 1 GiB. Streamed inputs (CSV and
    JSON submissions, SDMX data) are limited by ``rows`` and ``columns`` instead."""
    unzipped_bytes: int = 512 * _MIB
    """Size of one member of a zip archive (a Data Package zip, an XLSX part) once
    decompressed, counted while it is decompressed (the archive's own size claims are not
    trusted): a zip bomb stops here, whatever its ratio."""
    rows: int = 200_000_000
    """Records (rows, observations, JSON records) in one input."""
    columns: int = 10_000
    """Columns of one table: a CSV header, the distinct keys of JSON records once
    flattened, the distinct attributes of an SDMX data message, attributes of one
    observation."""
    field_bytes: int = 16 * _MIB
    """Size of one field (a CSV field, a cell, an XML attribute value or text)."""
    cells: int = 20_000_000
    """Cells (rows times columns) of a spreadsheet's used range, from its first to its last
    cell, found before the sheet is loaded (calamine holds about 32 bytes per cell: the
    default caps a sheet near 640 MB, e.g. 400,000 rows of 50 columns)."""
    nesting: int = 200
    """Depth of objects and arrays inside one another (JSON, YAML, JSON literals in RDF)."""
    triples: int = 500_000
    """Triples in one RDF graph read (a DCAT description, SHACL shapes), counted as the
    parser adds them (rdflib holds roughly 1 KB per triple: the default caps a graph near
    500 MB; a catalogue of about 2,500 cdinterop data sets)."""
    shape_triples: int = 100_000
    """Triples of the SHACL shapes a user adds (``--shapes``): validation holds several
    times more per shape triple than per data triple (the official DCAT-AP shapes have
    about 3,000)."""
    seconds: float = 600.0
    """Time a user-supplied SHACL or SPARQL validation may run."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not (isinstance(value, int | float) and value > 0 and math.isfinite(value)):
                raise ValueError(f"limit {field.name} must be a positive number, not {value!r}")

    def replace(self, **changes: Any) -> Limits:
        """A copy with ``changes`` (limit names as keywords); unknown names are refused."""
        unknown = sorted(set(changes) - set(NAMES))
        if unknown:
            raise ValueError(
                f"unknown limit {', '.join(unknown)}; the limits are {', '.join(NAMES)}"
            )
        return dataclasses.replace(self, **changes)


DEFAULTS = Limits()
"""The limits in force unless changed."""

NAMES = tuple(field.name for field in dataclasses.fields(Limits))
"""The limit names, in the order of `Limits`."""

_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar(
    "cdinterop_limits", default=DEFAULTS
)


def current() -> Limits:
    """The limits in force here (the defaults unless `use()` changed them)."""
    return _CURRENT.get()


@contextlib.contextmanager
def use(limits: Limits | None = None, **changes: Any) -> Iterator[Limits]:
    """Run the block with other limits: ``limits`` (default: those in force) with
    ``changes`` applied, e.g. ``with use(rows=10**9): ingest(...)``."""
    chosen = (limits or current()).replace(**changes) if changes else (limits or current())
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)


class LimitExceeded(ReadError):
    """An input goes beyond one of the reader limits; ``limit`` names it and ``value`` is
    the limit in force. The message says how to raise it."""

    def __init__(self, source: str, what: str, limit: str, value: float) -> None:
        self.what = what
        self.limit = limit
        self.value = value
        shown = _shown(limit, value)
        super().__init__(
            source,
            f"{what}: more than the limit {limit} = {shown} (raise it with "
            f"--limit {limit}=N, source.limits in a spec, or cdinterop.limits.use({limit}=N))",
        )


def _shown(limit: str, value: float) -> str:
    if "bytes" in limit and value >= _KIB:
        for unit, size in (("GiB", _GIB), ("MiB", _MIB), ("KiB", _KIB)):
            if value >= size:
                return f"{value / size:g} {unit}"
    return f"{value:,g}" if isinstance(value, float) else f"{value:,}"


def exceeded(source: str, limit: str, amount: float, what: str) -> None:
    """Raise `LimitExceeded` when ``amount`` goes beyond the limit named ``limit``;
    ``what`` says what was counted (``"a record with 20,001 distinct keys"``)."""
    value = getattr(current(), limit)
    if amount > value:
        raise LimitExceeded(source, what, limit, value)


_UNITS = {"k": 1e3, "m": 1e6, "g": 1e9, "kib": _KIB, "mib": _MIB, "gib": _GIB, "kb": 1e3}
_UNITS |= {"mb": 1e6, "gb": 1e9}


def parse_assignment(text: str) -> tuple[str, int | float]:
    """Parse ``NAME=VALUE`` (``rows=1e9``, ``bytes=4GiB``, ``seconds=30``) as given to
    ``--limit``; raise ``ValueError`` with a readable message otherwise."""
    name, sep, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or name not in NAMES:
        raise ValueError(f"expected NAME=VALUE with NAME one of {', '.join(NAMES)}, not {text!r}")
    raw = raw.strip().replace("_", "").replace(",", "")
    lowered = raw.lower()
    factor = 1.0
    for unit in sorted(_UNITS, key=len, reverse=True):
        if lowered.endswith(unit) and lowered[: -len(unit)].strip():
            factor = _UNITS[unit]
            lowered = lowered[: -len(unit)].strip()
            break
    try:
        number = float(lowered) * factor
    except ValueError:
        raise ValueError(f"limit {name}: {raw!r} is not a number") from None
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(f"limit {name} must be a positive number, not {raw!r}")
    return name, (number if name == "seconds" else math.ceil(number))


def check_size(path: str | os.PathLike[str], source: str | None = None) -> int:
    """Refuse a file larger than the ``bytes`` limit before it is read whole; return its
    size. A file that cannot be examined is left for the reader to report."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return 0
    exceeded(source or str(path), "bytes", size, f"a file of {size:,} bytes")
    return size


_STRUCTURE = bytes(range(256)).translate(None, b'[]{}"')
"""Every byte but those that matter to the depth of JSON: brackets and quotes."""
_SQUARE = bytes.maketrans(b"{}", b"[]")
_STRING = re.compile(rb'"[^"]*"')


def check_json_nesting(data: str | bytes, source: str) -> None:
    """Refuse JSON text whose arrays and objects are nested deeper than the ``nesting``
    limit, before it is parsed (the parser would recurse once per level).

    The scan runs at C speed over the text: escaped backslashes and quotes are dropped,
    every byte but brackets and quotes deleted (braces made brackets), strings removed
    (first the empty ones: removing two adjacent quotes does not change which brackets
    are inside a string), then the innermost pairs of brackets removed, one level per
    pass, at most ``nesting`` times. Text that is not JSON is left for the parser to report."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    limit = current().nesting
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    shape = raw.translate(_SQUARE, _STRUCTURE).replace(b'""', b"")
    if b'"' in shape:
        shape = _STRING.sub(b"", shape)
    levels = 0
    while levels <= limit:
        inner = shape.replace(b"[]", b"")
        if len(inner) == len(shape):
            break
        shape, levels = inner, levels + 1
    # what is left is unbalanced (the parser refuses it), but it recurses on every
    # bracket that is never closed before noticing
    if levels > limit or shape.count(b"[") > limit:
        raise LimitExceeded(
            source, "nested too deeply (objects and arrays inside one another)", "nesting", limit
        )


def check_yaml_nesting(text: str, source: str, loader: Any) -> None:
    """Refuse a YAML document whose collections are nested deeper than the ``nesting``
    limit, from its parse events (the parser does not recurse; composing does). YAML
    errors propagate for the caller to report."""
    import yaml

    limit = current().nesting
    if sum(text.count(c) for c in "[{-?\n") <= limit:
        return
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limit:
                mark = event.start_mark
                where = f"line {mark.line + 1}: " if mark is not None else ""
                raise LimitExceeded(
                    source,
                    f"{where}nested too deeply (collections inside one another)",
                    "nesting",
                    limit,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
