"""The texts a parsed file's store keeps for each triple: cut from the quad's own text,
they must equal the texts Oxigraph gives for each term (oracle: pyoxigraph's terms)."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from cdinterop.dcat._text_store import parse_to_store

_IRI = st.from_regex(r"https://example\.org/[a-z0-9_.~-]{0,12}(#[A-Za-z0-9]{0,6})?", fullmatch=True)
_NODE = _IRI.map(ox.NamedNode) | st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True).map(
    ox.BlankNode
)
_TEXT = st.text(max_size=30)  # spaces, quotes, new lines, any character
_LITERAL = st.one_of(
    _TEXT.map(ox.Literal),
    st.tuples(_TEXT, st.sampled_from(["en", "fr-BE", "sw"])).map(
        lambda t: ox.Literal(t[0], language=t[1])
    ),
    st.tuples(_TEXT, _IRI).map(lambda t: ox.Literal(t[0], datatype=ox.NamedNode(t[1]))),
)


@settings(max_examples=300, deadline=None)
@given(_NODE, _IRI.map(ox.NamedNode), _NODE | _LITERAL)
def test_the_texts_cut_from_a_quad_are_its_terms_texts(
    subject: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode, value: object
) -> None:
    quad = ox.Quad(subject, predicate, value)  # type: ignore[arg-type]
    document = ox.serialize([quad], format=ox.RdfFormat.N_QUADS)
    (parsed,) = ox.parse(document, format=ox.RdfFormat.N_QUADS, without_named_graphs=True)
    expected = (str(parsed.subject), str(parsed.predicate), str(parsed.object))
    store = parse_to_store(iter([parsed]), limit=1)
    assert list(store._matches((None, None, None))) == [expected]
