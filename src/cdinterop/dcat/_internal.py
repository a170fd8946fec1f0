"""What other packages of cdinterop use from ``cdinterop.dcat`` beyond its public API: the safe
RDF parser, the SHACL run and its summary (for the checking layer and the CLI), the check of
a base IRI (for ``convert --base-iri``), and the cdi: vocabulary and shapes graphs (for the
exported schemas).

This module is internal: it is not part of the public API and may change in any release.
It is the one place another package of cdinterop imports from this package besides the
façade (``tests/test_layers.py`` checks that), so the seams between packages stay visible.
"""

from __future__ import annotations

from cdinterop.dcat._files import parse_graph
from cdinterop.dcat._iris import check_base_iri
from cdinterop.dcat._shacl import summarize, validate_graph
from cdinterop.dcat._vocabulary import shapes_graph, vocabulary_graph

__all__ = [
    "check_base_iri",
    "parse_graph",
    "shapes_graph",
    "summarize",
    "validate_graph",
    "vocabulary_graph",
]
