"""Safe parsing of untrusted XML (SDMX-ML, RDF/XML): no DTDs, no entity expansion, no
network.

Every XML document cdinterop reads goes through `check_prolog()` (which rejects any
``<!DOCTYPE`` before the root element, the door to XXE and "billion laughs" attacks) and
is then parsed with `parser_options()` (entities not resolved, no DTD loading, no
network access, no huge-tree mode).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

from cdinterop.errors import ReadError

__all__ = ["PROLOG_BYTES", "check_prolog", "parser_options", "read_prolog"]

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


def check_prolog(head: bytes, source: str, *, kind: str = "SDMX-ML") -> None:
    """Raise [`ReadError`][cdinterop.errors.ReadError] if the document declares a DTD or entities
    (``kind``
    names the format in the message)."""
    if _DOCTYPE.search(head):
        raise ReadError(
            source,
            f"the document declares a DTD or entities (<!DOCTYPE/<!ENTITY); {kind} never "
            "needs one and cdinterop refuses it to prevent entity-expansion and XXE attacks",
        )


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
