"""Safe parsing of untrusted SDMX-ML: no DTDs, no entity expansion, no network.

Every SDMX-ML document cdinterop reads goes through :func:`check_prolog` (which rejects any
``<!DOCTYPE`` before the root element, the door to XXE and "billion laughs" attacks) and
is then parsed with :func:`parser_options` (entities not resolved, no DTD loading, no
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


def check_prolog(head: bytes, source: str) -> None:
    """Raise :class:`ReadError` if the document declares a DTD or entities."""
    if _DOCTYPE.search(head):
        raise ReadError(
            source,
            "the document declares a DTD or entities (<!DOCTYPE/<!ENTITY); SDMX-ML never "
            "needs one and cdinterop refuses it to prevent entity-expansion and XXE attacks",
        )


def read_prolog(source: str | Path | IO[bytes] | bytes) -> bytes:
    """The first :data:`PROLOG_BYTES` of a document (the stream is rewound)."""
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
