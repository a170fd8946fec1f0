"""What a data set becomes as a Data Cube: the structure definition, the SDMX-RDF links,
the code lists and the observations, queried back with SPARQL (Oxigraph)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from cdinterop import datacube
from cdinterop.dcat import DEFAULT_BASE_IRI
from cdinterop.errors import WriteError
from cdinterop.model import CitizenDataset

PREFIXES = """
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-concept: <http://purl.org/linked-data/sdmx/2009/concept#>
"""


def _store(path: Path) -> ox.Store:
    store = ox.Store()
    fmt = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
    store.load(path=path, format=fmt)
    return store


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(term.value if term is not None else "" for term in row) for row in result]


@pytest.fixture(scope="module")
def marine_store(marine: CitizenDataset, tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    path = datacube.write(marine, tmp_path_factory.mktemp("cube") / "marine.nt")
    return _store(path)


def test_the_structure_definition_has_one_specification_per_component(
    marine: CitizenDataset, marine_store: ox.Store
) -> None:
    rows = _rows(
        marine_store,
        """SELECT ?id ?order ?role WHERE {
            ?ds a qb:DataSet ; qb:structure ?dsd .
            ?dsd a qb:DataStructureDefinition ; qb:component ?spec .
            ?spec a qb:ComponentSpecification ; qb:order ?order ; ?role ?prop .
            FILTER (?role IN (qb:dimension, qb:attribute, qb:measure))
            ?prop dct:identifier ?id .
        } ORDER BY xsd:integer(?order)""",
    )
    roles = [(row[0], row[2].rsplit("#", 1)[1]) for row in rows]
    structure = marine.structure
    expected = [(d.id, "dimension") for d in structure.dimensions]
    expected += [("TIME_PERIOD", "dimension")]
    expected += [(m.id, "measure") for m in structure.measures]
    expected += [(a.id, "attribute") for a in structure.attributes]
    assert roles == expected
    assert [int(row[1]) for row in rows] == list(range(1, len(expected) + 1))


def test_attributes_say_whether_required_and_where_attached(marine_store: ox.Store) -> None:
    rows = _rows(
        marine_store,
        """SELECT ?id ?required ?attachment WHERE {
            ?spec qb:attribute ?prop ; qb:componentRequired ?required .
            ?prop dct:identifier ?id .
            OPTIONAL { ?spec qb:componentAttachment ?attachment }
        } ORDER BY ?id""",
    )
    by_id = {row[0]: row[1:] for row in rows}
    assert by_id["OBS_STATUS"] == ("true", "")
    assert by_id["UNIT_MEASURE"] == ("true", "http://purl.org/linked-data/cube#DataSet")
    assert by_id["COMMENT"] == ("false", "")


def test_cross_domain_concepts_relate_to_sdmx_rdf(marine_store: ox.Store) -> None:
    rows = _rows(
        marine_store,
        """SELECT ?id ?super ?match WHERE {
            ?prop dct:identifier ?id ; qb:concept ?concept .
            OPTIONAL { ?prop rdfs:subPropertyOf ?super }
            OPTIONAL { ?concept skos:exactMatch ?match }
        }""",
    )
    found = {row[0]: row[1:] for row in rows}
    sdmx = "http://purl.org/linked-data/sdmx/2009/"
    assert found["REF_AREA"] == (f"{sdmx}dimension#refArea", f"{sdmx}concept#refArea")
    assert found["TIME_PERIOD"] == (f"{sdmx}dimension#timePeriod", f"{sdmx}concept#timePeriod")
    assert found["OBS_VALUE"] == (f"{sdmx}measure#obsValue", f"{sdmx}concept#obsValue")
    assert found["UNIT_MEASURE"] == (f"{sdmx}attribute#unitMeasure", f"{sdmx}concept#unitMeasure")
    assert found["OBS_STATUS"][0] == f"{sdmx}attribute#obsStatus"
    assert found["BEACH"] == ("", "")  # not a cross-domain concept


def test_code_lists_are_concept_schemes_with_labelled_codes(
    marine: CitizenDataset, marine_store: ox.Store
) -> None:
    rows = _rows(
        marine_store,
        """SELECT ?notation ?label ?lang WHERE {
            ?prop dct:identifier "FREQ" ; qb:codeList ?list ; rdfs:range skos:Concept .
            ?list a skos:ConceptScheme .
            ?code a skos:Concept ; skos:inScheme ?list ; skos:notation ?notation ;
                skos:prefLabel ?label .
            BIND (LANG(?label) AS ?lang)
        }""",
    )
    codelist = marine.structure.codelist("CL_FREQ")
    assert {(r[0], r[2]) for r in rows} == {(c.id, lang) for c in codelist.codes for lang in c.name}
    assert ("A", "Annual", "en") in rows


def test_one_observation_per_row_with_typed_values(
    marine: CitizenDataset, marine_store: ox.Store
) -> None:
    rows = _rows(
        marine_store,
        """SELECT ?obs ?value ?area ?status WHERE {
            ?obs a qb:Observation ; qb:dataSet ?ds .
            ?p dct:identifier "OBS_VALUE" . ?obs ?p ?value .
            ?a dct:identifier "REF_AREA" . ?obs ?a ?area .
            ?s dct:identifier "OBS_STATUS" . ?obs ?s ?status .
        }""",
    )
    assert len(rows) == len(marine.observations)
    first = marine.observations.to_records()[0]
    obs0 = next(r for r in rows if r[0].endswith("/obs/0"))
    assert obs0[1] == str(first["OBS_VALUE"])
    assert obs0[2].endswith(f"/CL_AREA_GH/1.0/{first['REF_AREA']}")
    typed = _rows(
        marine_store,
        """SELECT DISTINCT (DATATYPE(?v) AS ?t) WHERE {
            ?p dct:identifier "OBS_VALUE" . ?obs a qb:Observation ; ?p ?v }""",
    )
    assert typed == [("http://www.w3.org/2001/XMLSchema#integer",)]


def test_iris_are_minted_under_the_base(marine: CitizenDataset, tmp_path: Path) -> None:
    base = "https://data.example.gh/"
    path = datacube.write(marine, tmp_path / "cube.nt", base_iri=base)
    subjects = {line.split(" ", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()}
    minted = {s for s in subjects if not s.startswith("_:")}
    assert all(s.startswith(f"<{base}cube/{marine.id}") for s in minted)
    assert datacube.dataset_iri(marine, base) == f"{base}cube/{marine.id}"
    assert datacube.dataset_iri(marine.id) == f"{DEFAULT_BASE_IRI}cube/{marine.id}"


def test_n_triples_turtle_and_rdflib_hold_the_same_triples(
    small: CitizenDataset, tmp_path: Path
) -> None:
    nt = datacube.write(small, tmp_path / "cube.nt")
    ttl = datacube.write(small, tmp_path / "cube.ttl")
    assert ttl.read_text(encoding="utf-8").startswith("@prefix")
    parsed = [
        set(ox.parse(path=p, format=f))
        for p, f in ((nt, ox.RdfFormat.N_TRIPLES), (ttl, ox.RdfFormat.TURTLE))
    ]
    graph = datacube.to_graph(small)
    # blank nodes (the datatype union of a measure) are compared by count
    named = [{t for t in triples if not isinstance(t.subject, ox.BlankNode)} for triples in parsed]
    assert named[0] == named[1]
    assert len(parsed[0]) == len(parsed[1]) == len(graph)
    assert ("qb", "http://purl.org/linked-data/cube#") in {
        (p, str(n)) for p, n in graph.namespaces()
    }


def test_literals_are_escaped_and_missing_measures_are_nan(
    small: CitizenDataset, tmp_path: Path
) -> None:
    store = _store(datacube.write(small, tmp_path / "cube.nt"))
    notes = _rows(
        store, 'SELECT ?v WHERE { ?p dct:identifier "NOTE" . ?o a qb:Observation ; ?p ?v }'
    )
    assert notes == [('a "quoted" \\ back\nslash\ttab é',)]
    missing = _rows(
        store,
        """SELECT ?v (DATATYPE(?v) AS ?t) WHERE {
            ?p dct:identifier "OBS_VALUE" . ?o a qb:Observation ; ?p ?v .
            FILTER (?o = <https://example.org/cdinterop/cube/DF_SMALL/obs/1>) }""",
    )
    assert missing == [("NaN", "http://www.w3.org/2001/XMLSchema#double")]
    odd = _rows(store, 'SELECT ?c WHERE { ?c skos:notation "X@1" }')
    assert odd == [("https://example.org/cdinterop/cube/DF_SMALL/codelist/TEST/CL_AREA/1.0/X%401",)]


def test_hierarchical_code_lists_name_their_roots(small: CitizenDataset, tmp_path: Path) -> None:
    store = _store(datacube.write(small, tmp_path / "cube.ttl"))
    rows = _rows(
        store,
        """SELECT ?root ?inverse WHERE {
            ?list a qb:HierarchicalCodeList ; qb:hierarchyRoot ?r ; qb:parentChildProperty ?pcp .
            ?r skos:notation ?root . ?pcp <http://www.w3.org/2002/07/owl#inverseOf> ?inverse }""",
    )
    assert rows == [("GH", "http://www.w3.org/2004/02/skos/core#broader")]


def test_bad_formats_and_base_iris_write_nothing(small: CitizenDataset, tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="format"):
        datacube.write(small, tmp_path / "cube.rdf")
    with pytest.raises(WriteError, match="base IRI"):
        datacube.write(small, tmp_path / "cube.nt", base_iri="javascript:alert(1)")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_old_file(
    small: CitizenDataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "cube.nt"
    target.write_text("old", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("cdinterop.datacube._writing.observation_chunks", broken)
    with pytest.raises(RuntimeError):
        datacube.write(small, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["cube.nt"]


def test_small_batches_give_the_same_file(small: CitizenDataset, tmp_path: Path) -> None:
    whole = datacube.write(small, tmp_path / "a.nt")
    batched = datacube.write(small, tmp_path / "b.nt", batch_rows=1)
    assert whole.read_bytes() == batched.read_bytes()
