"""The IRIs of a cube, minted under a base IRI.

Everything of one data set lives under ``{base}cube/{dataset id}``: the ``qb:DataSet``
itself, its structure (``/structure``), component properties (``/property/{id}``) and
specifications (``/component/{id}``), concepts (``/concept/...``), code lists
(``/codelist/{agency}/{id}/{version}``, each code below its list) and observations
(``/obs/{row}``). Each path segment is percent-encoded where needed (``@`` and ``$``,
which SDMX ids may hold).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from cdinterop.dcat import DEFAULT_BASE_IRI
from cdinterop.errors import WriteError
from cdinterop.model import CitizenDataset, Codelist, Concept, ConceptScheme, parse_ref

__all__ = ["CubeIris", "dataset_iri", "segment"]

_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


def segment(text: str) -> str:
    """``text`` as one path segment (``@`` -> ``%40``, ``$`` -> ``%24``...)."""
    return quote(text, safe="-_~.")


def _checked_base(base: str) -> str:
    parts = urlsplit(base)
    if (
        _NOT_IN_IRIS.search(base)
        or parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
    ):
        raise WriteError(
            f"base IRI {base!r}: it must be an absolute http or https IRI with a host, no "
            'query, fragment, space or any of <>"{}|\\^`, e.g. https://data.example.org/'
        )
    return base if base.endswith("/") else base + "/"


def dataset_iri(dataset: CitizenDataset | str, base_iri: str = DEFAULT_BASE_IRI) -> str:
    """The IRI of the ``qb:DataSet`` that [`write()`][cdinterop.datacube.write] makes of
    a data set (or of a data set id): ``{base_iri}cube/{id}``. The DCAT description links
    to it."""
    dataset_id = dataset if isinstance(dataset, str) else dataset.id
    return f"{_checked_base(base_iri)}cube/{segment(dataset_id)}"


class CubeIris:
    """The IRIs minted for one data set under ``base_iri``."""

    def __init__(self, dataset_id: str, base_iri: str = DEFAULT_BASE_IRI) -> None:
        self.dataset = dataset_iri(dataset_id, base_iri)
        self.structure = f"{self.dataset}/structure"
        self.observation_prefix = f"{self.dataset}/obs/"

    def property(self, component_id: str) -> str:
        """The component property (``qb:DimensionProperty`` ...)."""
        return f"{self.dataset}/property/{segment(component_id)}"

    def specification(self, component_id: str) -> str:
        """The ``qb:ComponentSpecification`` of a component."""
        return f"{self.dataset}/component/{segment(component_id)}"

    def concept_scheme(self, scheme: ConceptScheme | str) -> str:
        """A concept scheme other than the structure's own (by scheme or reference)."""
        ref = scheme if isinstance(scheme, str) else scheme.ref
        parsed = parse_ref(ref)
        assert parsed is not None, ref  # scheme references are always full references
        agency, scheme_id, version = parsed[:3]
        return (
            f"{self.dataset}/conceptscheme/{'/'.join(map(segment, (agency, scheme_id, version)))}"
        )

    def concept(self, concept: Concept) -> str:
        """A concept: ``/concept/{id}`` in the structure's own scheme, else below its
        scheme's path."""
        if concept.scheme is None:
            return f"{self.dataset}/concept/{segment(concept.id)}"
        scheme = self.concept_scheme(concept.scheme).rsplit("/conceptscheme/", 1)[1]
        return f"{self.dataset}/concept/{scheme}/{segment(concept.id)}"

    def codelist(self, codelist: Codelist) -> str:
        """A code list (``skos:ConceptScheme``)."""
        parts = (codelist.agency, codelist.id, codelist.version)
        return f"{self.dataset}/codelist/{'/'.join(map(segment, parts))}"

    def code_prefix(self, codelist: Codelist) -> str:
        """What a code's id (percent-encoded) is appended to."""
        return f"{self.codelist(codelist)}/"

    def code(self, codelist: Codelist, code_id: str) -> str:
        """A code (``skos:Concept``)."""
        return self.code_prefix(codelist) + segment(code_id)

    def observation(self, row: int) -> str:
        """The observation of a row (0-based)."""
        return f"{self.observation_prefix}{row}"
