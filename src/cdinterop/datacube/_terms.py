"""N-Triples terms: IRIs and literals written as text, one value at a time or a whole
Arrow column at once, and read back from the canonical N-Triples that Oxigraph writes.

A literal is escaped as the N-Triples grammar requires (``STRING_LITERAL_QUOTE``): the
backslash, the double quote, line feed and carriage return; every other character is
written as it is (UTF-8).
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.datacube._vocab import XSD

__all__ = [
    "Term",
    "escape",
    "escape_column",
    "iri",
    "literal",
    "parse_term",
    "unescape",
]

_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"))


def escape(text: str) -> str:
    """``text`` escaped for a quoted N-Triples literal."""
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text


def escape_column(column: pa.Array) -> pa.Array:
    """A string column escaped for quoted N-Triples literals (backslash first)."""
    for raw, escaped in _ESCAPES:
        column = pc.replace_substring(column, raw, escaped)
    return column


def iri(value: str) -> str:
    """``<value>``."""
    return f"<{value}>"


def literal(text: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """A quoted literal, with a language tag or a datatype (``xsd:string`` is left
    implicit)."""
    quoted = f'"{escape(text)}"'
    if language is not None:
        return f"{quoted}@{language}"
    if datatype is not None and datatype != XSD + "string":
        return f"{quoted}^^<{datatype}>"
    return quoted


_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescaped(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code is not None:
        return chr(int(code, 16))
    return _SIMPLE.get(match.group(3), match.group(0))


def unescape(text: str) -> str:
    """The characters of an escaped N-Triples string (``ECHAR`` and ``UCHAR``)."""
    return _UNESCAPE.sub(_unescaped, text) if "\\" in text else text


class Term:
    """A parsed N-Triples term: an IRI, a blank node or a literal."""

    __slots__ = ("datatype", "kind", "language", "value")

    def __init__(
        self, kind: str, value: str, language: str | None = None, datatype: str | None = None
    ) -> None:
        self.kind = kind
        """``iri``, ``bnode`` or ``literal``."""
        self.value = value
        """The IRI, the blank node label or the literal's characters."""
        self.language = language
        """The literal's language tag."""
        self.datatype = datatype
        """The literal's datatype (``xsd:string`` when none is written)."""

    def __repr__(self) -> str:
        return f"Term({self.kind}, {self.value!r}, {self.language}, {self.datatype})"


def parse_term(text: str) -> Term:
    """Parse one N-Triples term (as Oxigraph writes them)."""
    if text.startswith("<"):
        return Term("iri", text[1:-1])
    if text.startswith("_:"):
        return Term("bnode", text[2:])
    end = text.rindex('"')
    value = unescape(text[1:end])
    rest = text[end + 1 :]
    if rest.startswith("@"):
        return Term("literal", value, language=rest[1:])
    if rest.startswith("^^<"):
        return Term("literal", value, datatype=rest[3:-1])
    return Term("literal", value, datatype=XSD + "string")
