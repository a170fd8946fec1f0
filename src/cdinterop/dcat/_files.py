"""Reading and writing DCAT graphs as files: Turtle, JSON-LD, RDF/XML, N-Triples.

Writes are atomic (`cdinterop._files.atomic_write()`). Reads treat every file as
untrusted and never touch the network or other local files:

* **Size.** Inputs larger than ``max_bytes`` (by default the ``bytes`` reader limit of
  `cdinterop.limits`, 1 GiB; a file's size is checked with ``stat`` before it is read)
  are refused, and parsing stops with a [`ReadError`][cdinterop.errors.ReadError] as soon as
  the parser has produced more than ``max_triples`` triples (by default the ``triples``
  limit, 500,000: rdflib keeps every triple in memory, roughly 1 KB each), counted as
  Oxigraph's parser hands them over. A refusal by a
  reader limit is a [`LimitExceeded`][cdinterop.limits.LimitExceeded] that says how to
  raise it (``--limit bytes=...``, ``--limit triples=...``).
* **RDF/XML** documents that declare a DTD or entities are refused, wherever the
  declaration sits (even after a comment longer than `PROLOG_BYTES`): each document is
  first parsed by lxml with no entity resolution, no DTD loading and no network, and one
  whose tree has a document type declaration, or that lxml cannot parse, never reaches
  the RDF parser (Oxigraph's; XML parsers that expand internal entities let a 600-byte
  "billion laughs" document keep a CPU busy for minutes). A document with more than
  `MAX_XML_REFERENCES` character or entity references, or a text run longer than
  `MAX_XML_TEXT_RUN` bytes, is refused too.
* **JSON-LD** documents whose ``@context`` (anywhere, including scoped contexts in term
  definitions) is not inline — an IRI, a relative reference, or an ``@import`` — are refused
  before parsing (Oxigraph would not fetch them either, but the refusal names the cause).
  ``@base`` only resolves relative IRIs and fetches nothing.
* **Turtle and N-Triples** never fetch (``@base``/``@prefix`` only name things). Syntax
  errors are reported with Oxigraph's line and column. Files in these syntaxes are never
  held whole: the checks read them chunk by chunk and the parser reads the file
  (`_file_stream`), so a 400 MB catalogue costs its graph and no copy of its bytes.
* **Encoding.** Turtle, N-Triples and JSON-LD must be UTF-8; other bytes give a
  [`ReadError`][cdinterop.errors.ReadError] naming the line and column. RDF/XML may declare its
  encoding.
* **Formats.** [`read()`][cdinterop.dcat.read] picks the format from the suffix
  ([`FORMATS`][cdinterop.dcat.FORMATS]) and checks the content of the ambiguous ``.json`` (must be
  JSON-LD: ``@context``, ``@id``, ``@graph`` or ``@type`` keys) and ``.xml`` (must be RDF/XML, not
  e.g. SDMX-ML).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal

from cdinterop import limits
from cdinterop._files import atomic_write
from cdinterop._safe_xml import PROLOG_BYTES, check_prolog, parse_bytes
from cdinterop.dcat._catalog_stream import STREAMED_FORMATS, write_catalog
from cdinterop.dcat._file_stream import STREAMED, BoundedReader, check_text_file
from cdinterop.dcat._graph import (
    DEFAULT_BASE_IRI,
    catalog_from_graph,
    datasets_from_graph,
    describe,
    from_graph,
)
from cdinterop.dcat._oxigraph import TooManyTriples, parse_into_graph, serialise
from cdinterop.dcat._triples import TripleBuffer
from cdinterop.errors import ReadError, WriteError
from cdinterop.model import Catalog, CitizenDataset, DataStructure, refuse_added_fields

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_TRIPLES",
    "FORMATS",
    "MAX_XML_REFERENCES",
    "MAX_XML_TEXT_RUN",
    "PROLOG_BYTES",
    "parse_graph",
    "read",
    "read_catalog",
    "read_datasets",
    "read_graph",
    "write",
]

FORMATS: dict[str, tuple[str, ...]] = {
    "turtle": (".ttl",),
    "json-ld": (".jsonld", ".json"),
    "xml": (".rdf", ".xml", ".owl"),
    "nt": (".nt",),
}
"""Supported format names (rdflib's names) and the file suffixes that select them."""

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
"""The default ``max_bytes`` of ``parse_graph()`` and ``read()``: it stands for the
``bytes`` reader limit in force (`cdinterop.limits`, 1 GiB unless raised or lowered);
any other value is the limit for that call."""
DEFAULT_MAX_TRIPLES = 2_000_000
"""The default ``max_triples``: it stands for the ``triples`` reader limit in force
(`cdinterop.limits`, 500,000 unless changed); any other value is the limit for that
call."""
MAX_XML_REFERENCES = 100_000
"""Most character/entity references (``&#65;``, ``&amp;``) an RDF/XML document may hold."""
MAX_XML_TEXT_RUN = 8 * 1024 * 1024
"""Longest run of bytes without markup an RDF/XML document may hold (8 MiB)."""

_RDF_NS = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_JSONLD_KEYS = frozenset({"@context", "@id", "@graph", "@type"})
_LINE = re.compile(r"at line (\d+)")
_OXIGRAPH_ERROR = re.compile(
    r"Parser error (?:at line (?P<line>\d+) (?:between columns|column) (?P<column>\d+)"
    r"(?: and \d+)?"
    r"|between line (?P<start>\d+) column (?P<start_column>\d+) and line \d+ column \d+)"
    r": (?P<what>.*?)(?: \(line \d+\))?$",
    re.DOTALL,
)
"""Oxigraph's syntax errors: ``Parser error at line 4 between columns 7 and 9: ...``."""
_XML_TEXT_RUN = re.compile(rb"(?<![^<>])[^<>]{%d}" % MAX_XML_TEXT_RUN)


def _suffixes() -> str:
    return ", ".join(s for suffixes in FORMATS.values() for s in suffixes)


def _suffix_format(path: Path) -> str | None:
    """The RDF format the file's suffix names, ``None`` for an unknown suffix."""
    for name, suffixes in FORMATS.items():
        if path.suffix.lower() in suffixes:
            return name
    return None


def _unknown_suffix(path: Path) -> str:
    shown = repr(path.suffix) if path.suffix else "no suffix"
    return (
        f"cannot tell the RDF format from {shown}; use one of the suffixes {_suffixes()} "
        f"or pass format= ({', '.join(FORMATS)})"
    )


def _format_of(path: Path) -> str:
    """The RDF format to read ``path`` in, from its suffix."""
    fmt = _suffix_format(path)
    if fmt is None:
        raise ReadError(str(path), _unknown_suffix(path))
    return fmt


def _write_format_of(path: Path) -> str:
    """The RDF format to write ``path`` in, from its suffix."""
    fmt = _suffix_format(path)
    if fmt is None:
        raise WriteError(f"cannot write {path}: {_unknown_suffix(path)}")
    return fmt


def write(
    dataset: CitizenDataset | Catalog,
    target: str | Path,
    *,
    format: str | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
    workers: int | None = None,
) -> Path:
    """Write the DCAT description of ``dataset`` (a data set or a catalogue) to the file
    ``target`` atomically; the format defaults to the one the suffix names. Returns the path.

    A catalogue written as Turtle or N-Triples is streamed: its data sets are described in
    ``workers`` processes (by default one per CPU from 1,000 data sets, else this process
    alone) and never held as one graph, so memory does not grow with the catalogue.

    Raises [`WriteError`][cdinterop.errors.WriteError] when ``format`` is not a known RDF
    format, or is not given and the suffix names none."""
    path = Path(target)
    fmt = format or _write_format_of(path)
    if fmt not in FORMATS:
        raise WriteError(f"unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}")
    if isinstance(dataset, Catalog) and fmt in STREAMED_FORMATS:
        refuse_added_fields(dataset, "DCAT")
        with atomic_write(path, "wb") as handle:
            write_catalog(
                dataset,
                handle,
                fmt,
                base_iri=base_iri,
                directory=path.parent,
                workers=workers,
            )
        return path
    triples = describe(dataset, base_iri=base_iri)
    if fmt == "xml":
        _check_xml_text(triples)
    with atomic_write(path, "wb") as handle:
        serialise(triples, fmt, handle)
    return path


_NOT_XML_10 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry, even escaped: most controls, lone surrogates and the
two non-characters U+FFFE and U+FFFF."""


def _check_xml_text(triples: TripleBuffer) -> None:
    """Raise ``WriteError`` when a literal holds characters RDF/XML cannot carry (the
    writer would give a document no XML parser reads); Turtle, N-Triples and JSON-LD
    escape them."""
    for subject, predicate, value in triples:
        if isinstance(value, Literal) and _NOT_XML_10.search(str(value)):
            where = _short_iri(str(predicate), triples.prefixes)
            raise WriteError(
                f"{where} of {subject}: {str(value)[:60]!r} holds characters XML 1.0 cannot "
                "carry (control characters, NUL, lone surrogates, U+FFFE); remove them, or "
                "write Turtle, N-Triples or JSON-LD"
            )


def _short_iri(iri: str, prefixes: dict[str, str]) -> str:
    """``prefix:local`` for an IRI in one of the ``prefixes``, else ``<iri>``."""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


# -- safety checks -----------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.3g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _check_size(size: int, max_bytes: int, source: str) -> None:
    if max_bytes == DEFAULT_MAX_BYTES:
        limits.exceeded(source, "bytes", size, f"an RDF document of {size:,} bytes")
        return
    if size > max_bytes:
        raise ReadError(
            source,
            f"the input is {_mb(size)}; the limit is {_mb(max_bytes)} "
            f"(max_bytes={max_bytes}; pass a larger max_bytes to read it)",
        )


def _check_utf8(data: bytes, fmt: str, source: str) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ReadError(
            source,
            f"not UTF-8: byte 0x{data[exc.start]:02x} at line {line}, column {column}; "
            f"{fmt} files must be UTF-8 encoded",
        ) from None


def _check_xml(data: bytes, source: str) -> None:
    check_prolog(data[:PROLOG_BYTES], source, kind="RDF/XML")
    references = data.count(b"&")
    if references > MAX_XML_REFERENCES:
        raise ReadError(
            source,
            f"the document has {references} character or entity references (&...;); "
            f"the limit is {MAX_XML_REFERENCES}",
        )
    if _XML_TEXT_RUN.search(data):
        raise ReadError(
            source,
            f"the document has a text run longer than {_mb(MAX_XML_TEXT_RUN)} "
            "(XML parsers are slow on long literals)",
        )
    # The defence against DTDs is lxml's parse, not the prefix check above: a DOCTYPE
    # after a long comment is refused here, before the RDF/XML parser sees the bytes;
    # XML lxml cannot parse never reaches it.
    parse_bytes(data, source, kind="RDF/XML")


def _remote_contexts(node: Any) -> bool:
    if isinstance(node, dict):
        ctx = node.get("@context")
        if ctx is not None and _context_is_remote(ctx):
            return True
        return any(_remote_contexts(v) for v in node.values())
    if isinstance(node, list):
        return any(_remote_contexts(v) for v in node)
    return False


def _context_is_remote(ctx: Any) -> bool:
    if isinstance(ctx, str):
        return True
    if isinstance(ctx, list):
        return any(_context_is_remote(c) for c in ctx)
    if isinstance(ctx, dict):
        return "@import" in ctx
    return False


def _has_import(node: Any) -> bool:
    if isinstance(node, dict):
        return "@import" in node or any(_has_import(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_import(v) for v in node)
    return False


def _check_jsonld(document: Any, source: str) -> None:
    if _has_import(document):
        raise ReadError(source, "JSON-LD with a remote @context (@import) is not fetched")
    if _remote_contexts(document):
        raise ReadError(
            source,
            "JSON-LD with a remote @context is not fetched; inline the context in the document",
        )


def _syntax_message(fmt: str, exc: Exception) -> str:
    text = str(exc)
    oxigraph = _OXIGRAPH_ERROR.match(text)
    if oxigraph is not None:
        line = oxigraph.group("line") or oxigraph.group("start")
        column = oxigraph.group("column") or oxigraph.group("start_column")
        return f"not valid {fmt} at line {line}, column {column}: {oxigraph.group('what')[:300]}"
    line = _LINE.search(text)
    text = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    where = f" at line {line.group(1)}" if line is not None else ""
    return f"not valid {fmt}{where}: {text[:300]}"


# -- reading -----------------------------------------------------------------------------


def parse_graph(
    data: bytes,
    fmt: str,
    *,
    source: str = "<bytes>",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
    base: str | None = None,
) -> Graph:
    """Parse untrusted RDF bytes in rdflib format ``fmt`` (see [`FORMATS`][cdinterop.dcat.FORMATS])
    without fetching anything; every problem is a [`ReadError`][cdinterop.errors.ReadError]
    naming ``source``. ``base`` is the IRI relative IRIs resolve against (files read with
    [`read_graph()`][cdinterop.dcat.read_graph] use their own ``file:`` IRI; without one, rdflib
    uses the working directory). See the module docstring for the limits."""
    if fmt not in FORMATS:
        raise ReadError(source, f"unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}")
    _check_size(len(data), max_bytes, source)
    if not data.strip():
        raise ReadError(source, f"the input is empty (no {fmt} content)")
    with _parsing(fmt, source, max_triples) as limit:
        if fmt == "xml":
            _check_xml(data, source)
        else:
            _check_utf8(data, fmt, source)
        if fmt == "json-ld":
            limits.check_json_nesting(data, source)
            _check_jsonld(json.loads(data), source)
        return parse_into_graph(data, fmt, base=base, limit=limit)


@contextlib.contextmanager
def _parsing(fmt: str, source: str, max_triples: int) -> Iterator[int]:
    """Give the triple limit in force, and turn what parsing raises into a
    [`ReadError`][cdinterop.errors.ReadError] naming ``source`` (or a ``LimitExceeded``)."""
    in_force = max_triples == DEFAULT_MAX_TRIPLES
    limit = limits.current().triples if in_force else max_triples
    try:
        yield limit
    except ReadError:
        raise
    except TooManyTriples:
        if in_force:
            raise limits.LimitExceeded(
                source, "an RDF graph with more triples", "triples", limit
            ) from None
        raise ReadError(
            source,
            f"the input has more than {max_triples} triples "
            f"(max_triples={max_triples}; pass a larger max_triples to read it)",
        ) from None
    except RecursionError:
        raise ReadError(source, f"not valid {fmt}: nested too deeply") from None
    except Exception as exc:  # Oxigraph's SyntaxError, JSON errors of the checks
        raise ReadError(source, _syntax_message(fmt, exc)) from exc


def _sniff(data: bytes, fmt: str, source: str) -> None:
    """Refuse ``.json`` that is plain JSON and ``.xml`` that is not RDF/XML."""
    if fmt == "json-ld":
        limits.check_json_nesting(data, source)
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):
            return  # parse_graph reports the syntax error
        nodes = document if isinstance(document, list) else [document]
        if not any(isinstance(n, dict) and _JSONLD_KEYS & n.keys() for n in nodes):
            raise ReadError(
                source,
                "JSON but not JSON-LD (no @context, @id, @graph or @type at the top); "
                "a cdinterop data set JSON file is read with cdinterop.load",
            )
    elif fmt == "xml" and _RDF_NS not in data[:PROLOG_BYTES]:
        raise ReadError(
            source,
            "XML but not RDF/XML (no rdf:RDF namespace http://www.w3.org/1999/02/22-rdf-"
            "syntax-ns# near the start); SDMX-ML is read with cdinterop.sdmx",
        )


def read_graph(
    source: str | Path,
    *,
    format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
) -> Graph:
    """Parse an RDF file into a graph, safely (see the module docstring). The format
    defaults to the one the suffix names; ``.json`` and ``.xml`` are checked to be
    JSON-LD and RDF/XML."""
    file = Path(source)
    name = str(file)
    fmt = format or _format_of(file)
    most = limits.current().bytes if max_bytes == DEFAULT_MAX_BYTES else max_bytes
    if fmt in STREAMED:
        return _read_streamed(file, fmt, max_bytes, max_triples, most)
    try:
        _check_size(file.stat().st_size, max_bytes, name)
        with file.open("rb") as handle:
            data = handle.read(most + 1)  # the file may have grown since stat
    except OSError as exc:
        raise ReadError(name, exc.strerror or str(exc)) from None
    _check_size(len(data), max_bytes, name)
    if format is None:
        _sniff(data, fmt, name)
    return parse_graph(
        data,
        fmt,
        source=name,
        max_bytes=max_bytes,
        max_triples=max_triples,
        base=file.resolve().as_uri(),
    )


def _read_streamed(file: Path, fmt: str, max_bytes: int, max_triples: int, most: int) -> Graph:
    """`read_graph` of a Turtle or N-Triples file, never held whole (`_file_stream`)."""
    name = str(file)
    try:
        _check_size(file.stat().st_size, max_bytes, name)
        check_text_file(file, fmt, name, most)
        with file.open("rb") as handle, _parsing(fmt, name, max_triples) as limit:
            stream = io.BufferedReader(BoundedReader(handle, name, most))
            return parse_into_graph(stream, fmt, base=file.resolve().as_uri(), limit=limit)
    except OSError as exc:
        raise ReadError(name, exc.strerror or str(exc)) from None


@contextlib.contextmanager
def _in_file(source: str | Path) -> Iterator[None]:
    """Name the file, not only the RDF node, in the errors of reading a graph read from it
    (a relative IRI in a file becomes a ``file:`` IRI that looks like a path)."""
    try:
        yield
    except ReadError as exc:
        if exc.source == str(source):
            raise
        if isinstance(exc, limits.LimitExceeded):
            where = f"{exc.source}: {exc.what}"
            raise limits.LimitExceeded(str(source), where, exc.limit, exc.value) from None
        raise ReadError(str(source), f"{exc.source}: {exc.reason}") from None


def read(
    source: str | Path,
    *,
    format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
    structure: DataStructure | None = None,
) -> CitizenDataset:
    """Read the data set described by an RDF file (observations empty); see
    [`read_graph()`][cdinterop.dcat.read_graph] for the safety limits and
    [`from_graph()`][cdinterop.dcat.from_graph] for what the graph must hold (``structure`` is
    passed on to it)."""
    graph = read_graph(source, format=format, max_bytes=max_bytes, max_triples=max_triples)
    with _in_file(source):
        return from_graph(graph, structure=structure)


def read_catalog(
    source: str | Path,
    *,
    format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
    structure: DataStructure | None = None,
) -> Catalog:
    """Read the catalogue described by an RDF file with every data set it lists (see
    [`read()`][cdinterop.dcat.read] for the options and
    [`catalog_from_graph()`][cdinterop.dcat.catalog_from_graph])."""
    graph = read_graph(source, format=format, max_bytes=max_bytes, max_triples=max_triples)
    with _in_file(source):
        return catalog_from_graph(graph, structure=structure)


def read_datasets(
    source: str | Path,
    *,
    format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
    structure: DataStructure | None = None,
) -> tuple[CitizenDataset, ...]:
    """Read every data set an RDF file describes, whether a catalogue lists it or not (see
    [`read()`][cdinterop.dcat.read] for the options and
    [`datasets_from_graph()`][cdinterop.dcat.datasets_from_graph])."""
    graph = read_graph(source, format=format, max_bytes=max_bytes, max_triples=max_triples)
    with _in_file(source):
        return datasets_from_graph(graph, structure=structure)
