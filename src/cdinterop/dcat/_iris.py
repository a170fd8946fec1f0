"""IRIs of a DCAT graph: those minted under the user's base IRI, and those of the
controlled vocabularies (EU authority tables, UN SDG, SPDX, IANA).

Minted IRIs are flat: ``{base}{kind}/{local}``, one path segment per kind, with the data
set's id and the node's own id joined by ``.`` (``.`` never occurs in an SDMX id, so the
pair is unambiguous; ``@`` and ``$``, which SDMX ids may hold, are percent-encoded). Nodes
that belong to one data set are scoped by its id, so that data sets in one catalogue whose
agents or sources share a local id stay distinct. Each kind gets a prefix of its own
(`Minter.bind()`).

Why flat: for every subject and object rdflib's Turtle writer looks for a prefix, scanning
the namespaces nested under the IRI's namespace without caching a miss. With one namespace
per data set (``{base}dataset/DF_X#contact``) that scan grows with the catalogue and writing
became quadratic (4.9k triples/s at 3,000 data sets); flat IRIs with bound kind prefixes
write 34k triples/s at 10,000 data sets (``benchmarks/bench_dcat.py``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

import langcodes
from rdflib import Graph, URIRef

from cdinterop.codes import to_alpha3
from cdinterop.dcat._vocab import COUNTRY, DATA_THEME, LANGUAGE, SDG
from cdinterop.errors import WriteError
from cdinterop.model import AreaScheme, Theme, ThemeScheme, area_scheme

__all__ = [
    "DEFAULT_BASE_IRI",
    "KINDS",
    "Minter",
    "area_iri",
    "check_base_iri",
    "language_iri",
    "theme_iri",
]

DEFAULT_BASE_IRI = "https://example.org/cdinterop/"
"""Base under which data set, catalogue, agent, activity and source IRIs are minted."""


KINDS = (
    "dataset",
    "catalog",
    "agent",
    "activity",
    "source",
    "checksum",
    "attribution",
    "component",
    "distribution",
    "quality",
    "measurement",
    "metric",
    "verdict",
    "unit",
    "contact",
    "period",
    "provenance",
    "participation",
    "consent",
    "disclosure",
    "area",
)
"""The kinds of minted node, each a path segment under the base IRI."""


_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
"""Characters an IRI may not hold (RFC 3987): controls, space and the delimiters."""


def check_base_iri(base: str) -> None:
    """Raise ``WriteError`` unless ``base`` is an absolute ``http`` or ``https`` IRI with a
    host, no query and no forbidden character: identifiers minted under ``javascript:``,
    ``file:`` or a relative path would be unsafe or unresolvable."""
    problem = ""
    parts = urlsplit(base)
    if _NOT_IN_IRIS.search(base):
        problem = 'it holds a space, a control character or one of <>"{}|\\^`'
    elif parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        problem = "it must be an absolute http or https IRI with a host"
    elif parts.query:
        problem = "it must not have a query (?...)"
    if problem:
        raise WriteError(f"base IRI {base!r}: {problem}, e.g. https://data.example.org/")


class Minter:
    """Mints the IRIs of one graph under ``base``."""

    def __init__(self, base: str = DEFAULT_BASE_IRI) -> None:
        check_base_iri(base)
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base

    def bind(self, graph: Graph) -> None:
        """Bind a prefix per kind (``agent:`` for ``{base}agent/``) in ``graph``, unless the
        prefix is taken by another namespace."""
        taken = {prefix for prefix, _ in graph.namespaces()}
        for kind in KINDS:
            if kind not in taken:
                graph.bind(kind, f"{self.base}{kind}/")

    def node(self, kind: str, *parts: str) -> URIRef:
        """``{base}{kind}/{part.part...}`` with each part percent-encoded where needed."""
        local = ".".join(_quoted(part) for part in parts)
        return URIRef(f"{self.base}{kind}/{local}")

    def dataset(self, dataset_id: str) -> URIRef:
        """The ``dcat:Dataset``."""
        return self.node("dataset", dataset_id)

    def catalog(self, catalog_id: str) -> URIRef:
        """The ``dcat:Catalog``."""
        return self.node("catalog", catalog_id)

    def area(self, code: str) -> URIRef:
        """A reference area: the EU country authority IRI for countries, else minted."""
        return area_iri(code, self.base)


@lru_cache(maxsize=65536)
def _quoted(part: str) -> str:
    """``part`` percent-encoded for an IRI path segment (ids repeat in every node of a
    data set: encoded once)."""
    return quote(part, safe="-_~")


def theme_iri(theme: Theme) -> URIRef:
    """IRI of a theme: EU data-theme authority or the UN SDG KOS (``/14``, ``/14.1``,
    ``/14.1.1``)."""
    if theme.scheme is ThemeScheme.EU_DATA_THEME:
        return DATA_THEME[theme.code]
    return SDG[theme.code]


def language_iri(tag: str) -> URIRef:
    """EU language authority IRI for a BCP 47 tag (ISO 639-3, upper case)."""
    return LANGUAGE[langcodes.Language.get(tag).to_alpha3().upper()]


def area_iri(code: str, base: str) -> URIRef:
    """EU country authority IRI for a country code; ``{base}area/{code}`` otherwise."""
    scheme = area_scheme(code)
    if scheme in (AreaScheme.ALPHA2, AreaScheme.ALPHA3) or (
        scheme is AreaScheme.M49 and _is_country(code)
    ):
        return COUNTRY[to_alpha3(code)]
    return URIRef(f"{base}area/{quote(code, safe='-_~')}")


def _is_country(code: str) -> bool:
    try:
        to_alpha3(code)
    except Exception:
        return False
    return True
