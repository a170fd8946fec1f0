"""Safe parsing of untrusted XML (SDMX-ML, RDF/XML): no DTDs, no entity expansion, no
network.

The defence is at the parser, not in a prefix of the bytes: every XML document cdinterop
reads is parsed by lxml with `parser_options()` (entities not resolved, no DTD loading, no
network access, no huge-tree mode), and a document whose parsed tree has a document type
declaration (``<!DOCTYPE``, with or without an internal subset, wherever it sits — e.g.
after a long comment) is refused (`parse_bytes()`, `iterparse()`, `refuse_dtd()`). A
parser error caused by a declaration or an entity (libxml2 stops an entity-amplification
"billion laughs" at once) is reported with the same message. `check_prolog()` only gives
that message early for a DTD near the start; it is no longer the defence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from cdinterop.errors import ReadError

__all__ = [
    "PROLOG_BYTES",
    "check_prolog",
    "dtd_error",
    "iterparse",
    "parse_bytes",
    "parser_options",
    "read_prolog",
    "refuse_dtd",
]

PROLOG_BYTES = 65_536
"""How much of the start of a document is inspected for a DOCTYPE declaration."""
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def parser_options() -> dict[str, Any]:
    """Keyword arguments for ``lxml.etree.XMLParser`` / ``iterparse`` that keep parsing safe."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "remove_comments": True,
    }


def _dtd_message(kind: str) -> str:
    return (
        f"the document declares a DTD or entities (<!DOCTYPE/<!ENTITY); {kind} never "
        "needs one and cdinterop refuses it to prevent entity-expansion and XXE attacks"
    )


def check_prolog(head: bytes, source: str, *, kind: str = "SDMX-ML") -> None:
    """Raise [`ReadError`][cdinterop.errors.ReadError] if ``head`` (the start of a document)
    declares a DTD or entities (``kind`` names the format in the message). An early, cheap
    refusal only: the parsers refuse a DTD anywhere (`refuse_dtd()`)."""
    if _DOCTYPE.search(head):
        raise ReadError(source, _dtd_message(kind))


def refuse_dtd(tree: Any, source: str, *, kind: str = "SDMX-ML") -> None:
    """Raise [`ReadError`][cdinterop.errors.ReadError] if the parsed document ``tree`` (an
    lxml element or element tree) has a document type declaration, wherever it was."""
    root = tree.getroottree() if hasattr(tree, "getroottree") else tree
    docinfo = root.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ReadError(source, _dtd_message(kind))


# libxml2 errors that come from a DTD or an entity: a declaration the parser stopped on
# (amplification, a loop, a parameter entity) is reported as the refusal it is.
_DTD_ERRORS = frozenset(
    getattr(etree.ErrorTypes, name)
    for name in dir(etree.ErrorTypes)
    if name.startswith(("ERR_ENTITY_", "ERR_PEREF_", "ERR_DOCTYPE_"))
    or name in ("ERR_ENTITYREF_IN_DTD", "ERR_UNPARSED_ENTITY", "ERR_EXT_ENTITY_STANDALONE")
)
# XML_ERR_RESOURCE_LIMIT (libxml2 >= 2.11), given for entity amplification among others
_RESOURCE_LIMIT = getattr(etree.ErrorTypes, "ERR_RESOURCE_LIMIT", 114)


def dtd_error(
    exc: etree.XMLSyntaxError, source: str, *, kind: str = "SDMX-ML", data: bytes | None = None
) -> ReadError | None:
    """The refusal to raise for a parser error caused by a DTD or an entity, else ``None``.
    ``data`` (the whole document, when at hand) lets a declaration anywhere in a document
    that failed to parse be named as the cause."""
    code = getattr(exc, "code", None)
    message = str(exc).lower()
    if code in _DTD_ERRORS or (code == _RESOURCE_LIMIT and "entit" in message):
        return ReadError(source, _dtd_message(kind))
    if data is not None and _DOCTYPE.search(data):
        return ReadError(source, _dtd_message(kind))
    return None


def parse_bytes(data: bytes, source: str, *, kind: str = "SDMX-ML") -> Any:
    """Parse an untrusted document with `parser_options()` and return its root element;
    a DTD or entity declaration anywhere is refused with a
    [`ReadError`][cdinterop.errors.ReadError] (so is XML that is not well-formed, as
    ``not well-formed XML: …``)."""
    check_prolog(data[:PROLOG_BYTES], source, kind=kind)
    try:
        root = etree.fromstring(data, etree.XMLParser(**parser_options()))
    except etree.XMLSyntaxError as exc:
        refusal = dtd_error(exc, source, kind=kind, data=data)
        if refusal is not None:
            raise refusal from None
        raise ReadError(source, f"not well-formed XML: {exc}") from None
    refuse_dtd(root, source, kind=kind)
    return root


def iterparse(
    stream: str | Path | IO[bytes], source: str, *, kind: str = "SDMX-ML", **options: Any
) -> Iterator[tuple[str, Any]]:
    """``lxml.etree.iterparse`` with `parser_options()` that refuses a document with a
    DTD at its first event (the declaration precedes the root element, so the parser has
    seen it by then), before any entity is used. ``options`` go to ``iterparse`` (events,
    tag). Other parser errors propagate as ``XMLSyntaxError``."""
    events = etree.iterparse(stream, **options, **parser_options())
    checked = False
    try:
        for event, element in events:
            if not checked:
                refuse_dtd(element, source, kind=kind)
                checked = True
            yield event, element
    except etree.XMLSyntaxError as exc:
        refusal = dtd_error(exc, source, kind=kind)
        if refusal is not None:
            raise refusal from None
        raise


def read_prolog(source: str | Path | IO[bytes] | bytes) -> bytes:
    """The first `PROLOG_BYTES` of a document (the stream is rewound)."""
    if isinstance(source, bytes):
        return source[:PROLOG_BYTES]
    if isinstance(source, str | Path):
        try:
            with Path(source).open("rb") as handle:
                return handle.read(PROLOG_BYTES)
        except OSError as exc:
            raise ReadError(str(source), exc.strerror or str(exc)) from None
    position = source.tell()
    head = source.read(PROLOG_BYTES)
    source.seek(position)
    return head
