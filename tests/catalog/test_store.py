"""The catalogue store in Python, on both back ends: harvest, de-duplication, the harvest
record, list, query, export (official DCAT-AP 3.0.1 shapes: zero violations) and bad input."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from rdflib import DCTERMS, FOAF, RDF, Graph, Literal, Namespace, URIRef

import cdinterop
from cdinterop import catalog, dcat
from cdinterop.errors import ReadError, WriteError

from .conftest import EXAMPLES, SYNTAX_DEFECTS, violations

DCAT = Namespace("http://www.w3.org/ns/dcat#")
IDS = {"DF_MARINE_LITTER_GH", "DF_SERVICE_SATISFACTION_KE"}
ADMS = "http://www.w3.org/ns/adms#"

PORTAL_STYLE = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://portal.example.org/dataset/air> a dcat:Dataset ;
    dct:identifier "air-quality-2024" ;
    dct:title "Air quality sensors 2024"@en , "Qualité de l'air 2024"@fr ;
    dct:description "Readings of community air sensors."@en ;
    dct:language "en" , "fr" ;
    dct:publisher <https://portal.example.org/org/clean-air> ;
    dct:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;
    dcat:distribution [
        a dcat:Distribution ;
        dcat:downloadURL "https://portal.example.org/air.csv"^^xsd:anyURI ;
        dcat:mediaType "text/csv" ;
        dct:format "CSV" ;
        dcat:byteSize "1024"
    ] .
"""
"""A DCAT-AP 2 style description as portals write it: literals where DCAT-AP 3 wants nodes,
a download URL without an access URL, untyped licence, theme and publisher."""


def _add(store: catalog.CatalogStore, *files: Path | str) -> catalog.HarvestReport:
    return store.add(list(files))


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- harvest -----------------------------------------------------------------------------


def test_add_the_examples(store: catalog.CatalogStore, example_files: list[Path]) -> None:
    report = _add(store, *example_files)
    assert report.ok and report.files == 2
    assert {e.identifier for e in report.added} == IDS
    assert not report.replaced and not report.skipped
    listed = {e.identifier: e for e in store.list()}
    assert set(listed) == IDS
    for path in example_files:
        entry = next(e for e in listed.values() if e.source == path.name)
        assert entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry.title and entry.publisher
        assert entry.harvested == entry.listed


def test_the_description_reads_back_exactly(
    store: catalog.CatalogStore, example_files: list[Path]
) -> None:
    _add(store, *example_files)
    for path in EXAMPLES:
        original = cdinterop.load(path)
        graph = store.description(original.id)
        assert dcat.from_graph(graph) == original.replace(observations=[])


def test_a_second_harvest_replaces_never_duplicates(
    store: catalog.CatalogStore, example_files: list[Path], tmp_path: Path
) -> None:
    first = _add(store, *example_files)
    listed = {e.identifier: e.listed for e in store.list()}
    again = shutil.copy(example_files[0], tmp_path / "renamed.ttl")
    second = _add(store, *example_files, again)
    assert not second.added
    assert len(second.replaced) == 3  # the copy replaces what the first file gave
    assert second.harvest != first.harvest
    assert len(store) == 2
    count = store.query(
        "SELECT (COUNT(DISTINCT ?d) AS ?n) (COUNT(?r) AS ?records) WHERE "
        "{ ?d a dcat:Dataset . ?r a dcat:CatalogRecord ; dct:source ?s ; foaf:primaryTopic ?d }"
    )
    assert [int(str(v)) for v in count.rows[0]] == [2, 2]
    entries = {e.identifier: e for e in store.list()}
    assert {e.listed for e in entries.values()} == set(listed.values())  # listing date kept
    renamed = next(e for e in entries.values() if e.source == "renamed.ttl")
    statuses = store.description(renamed.identifier).objects(None, URIRef(ADMS + "status"))
    assert [str(s).rsplit("/", 1)[-1] for s in statuses] == ["updated"]


def test_other_portals_files(store: catalog.CatalogStore, real_world: list[Path]) -> None:
    report = _add(store, *real_world)
    failed = {Path(e.file).name: e.reason for e in report.failed}
    assert set(failed) == SYNTAX_DEFECTS
    assert all("line" in reason for reason in failed.values())
    assert not report.skipped
    added = {e.identifier for e in report.added}
    assert "https://myorg.eu/opendata/datasets/1" in added  # SEMIC's N-Triples
    assert "http://www.example.org/rdf#dataset_bees" in added  # SEMIC's HVD example
    assert len([e for e in report.added if e.file.endswith("ckan-catalog.rdf")]) == 2
    assert {e.identifier for e in store.list()} == added


def test_portal_style_description_is_repaired(store: catalog.CatalogStore, tmp_path: Path) -> None:
    report = _add(store, _write(tmp_path, "portal.ttl", PORTAL_STYLE))
    assert [e.outcome for e in report.entries] == ["added"]
    graph = store.description("air-quality-2024")
    language = URIRef("http://publications.europa.eu/resource/authority/language/ENG")
    dataset = URIRef("https://portal.example.org/dataset/air")
    assert (dataset, DCTERMS.language, language) in graph
    distribution = graph.value(dataset, DCAT.distribution)
    assert graph.value(distribution, DCAT.accessURL) == URIRef("https://portal.example.org/air.csv")
    assert (URIRef("https://portal.example.org/org/clean-air"), RDF.type, FOAF.Agent) in graph
    [entry] = store.list()
    assert entry.title == "Air quality sensors 2024"  # English preferred


def test_data_sets_that_break_dcat_ap_are_skipped(
    store: catalog.CatalogStore, tmp_path: Path
) -> None:
    text = (
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
        '<https://x.example/no-description> a dcat:Dataset ; dct:title "Only a title" .\n'
        '[] a dcat:Dataset ; dct:title "Blank" ; dct:description "No identifier" .\n'
        '[] a dcat:Dataset ; dct:identifier "blank-with-id" ; dct:title "T" ; '
        'dct:description "D" .\n'
    )
    report = _add(store, _write(tmp_path, "broken.ttl", text))
    reasons = sorted(e.reason for e in report.skipped)
    assert len(reasons) == 2
    assert any("dct:description" in r and "DCAT-AP 3 requires" in r for r in reasons)
    assert any("without dct:identifier" in r for r in reasons)
    [added] = report.added
    assert added.identifier == "blank-with-id"
    assert added.dataset is not None and added.dataset.startswith("https://")  # minted IRI
    assert [e.identifier for e in store.list()] == ["blank-with-id"]


def test_a_file_without_data_sets_is_skipped(store: catalog.CatalogStore, tmp_path: Path) -> None:
    empty = _write(tmp_path, "empty.ttl", "<https://a.example/s> <https://a.example/p> 1 .\n")
    [entry] = _add(store, empty).entries
    assert entry.outcome == "skipped" and "no dcat:Dataset" in entry.reason


def test_folders_and_patterns(
    store: catalog.CatalogStore, example_files: list[Path], tmp_path: Path
) -> None:
    folder = example_files[0].parent
    assert _add(store, folder).files == 2
    assert _add(store, str(folder / "marine-*.ttl")).files == 1
    with pytest.raises(ReadError, match="matches no file"):
        _add(store, str(tmp_path / "nothing-*.ttl"))
    with pytest.raises(ReadError, match="no such file"):
        _add(store, tmp_path / "absent.ttl")


# -- bad input ---------------------------------------------------------------------------


HOSTILE = {
    "malformed.ttl": '@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title "open .\n',
    "entities.rdf": (
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaa">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    ),
    "remote-context.jsonld": '{"@context": "https://example.org/context.jsonld", "@id": "x"}',
    "empty.nt": "",
}


def test_unreadable_files_fail_and_the_rest_is_harvested(
    store: catalog.CatalogStore,
    example_files: list[Path],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    # the embedded store runs with every connection refused: nothing may be fetched
    attempts: list[Any] = [] if store.remote else request.getfixturevalue("no_network")
    bad = [_write(tmp_path, name, text) for name, text in HOSTILE.items()]
    report = _add(store, *bad, example_files[0])
    assert not report.ok
    failed = {Path(e.file).name: e.reason for e in report.failed}
    assert set(failed) == set(HOSTILE)
    assert "line 2" in failed["malformed.ttl"]
    assert "remote @context" in failed["remote-context.jsonld"]
    assert "empty" in failed["empty.nt"]
    assert len(report.added) == 1
    assert attempts == []


def test_an_unreachable_server_is_a_clear_error() -> None:
    with catalog.open_store("http://127.0.0.1:9", timeout=2) as remote:
        with pytest.raises(ReadError, match="does not answer"):
            remote.list()
        with pytest.raises(WriteError, match="does not answer"):
            remote.remove(["x"])


def test_a_server_error_is_a_clear_error(oxigraph_server: str) -> None:
    wrong = catalog.Endpoints(
        query=f"{oxigraph_server}/nowhere",
        update=f"{oxigraph_server}/update",
        store=f"{oxigraph_server}/nowhere",
    )
    with (
        catalog.open_store(oxigraph_server, endpoints=wrong) as remote,
        pytest.raises(ReadError, match="HTTP 404"),
    ):
        remote.list()


def test_a_missing_store_is_not_created_for_reading(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no catalogue store here"):
        catalog.open_store(tmp_path / "nothing", read_only=True)
    assert not (tmp_path / "nothing").exists()
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file.txt").write_text("x")
    with pytest.raises(ReadError, match="not empty"):
        catalog.open_store(tmp_path / "busy")


def test_the_default_store_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(catalog.STORE_ENV, str(tmp_path / "from-env"))
    with catalog.open_store() as opened:
        assert opened.location == str(tmp_path / "from-env")
    monkeypatch.delenv(catalog.STORE_ENV)
    monkeypatch.chdir(tmp_path)
    with catalog.open_store() as opened:
        assert opened.location == catalog.DEFAULT_STORE


# -- query -------------------------------------------------------------------------------


def test_select_ask_and_construct(store: catalog.CatalogStore, example_files: list[Path]) -> None:
    _add(store, *example_files)
    rows = store.query(
        "SELECT ?id ?title WHERE { ?d a dcat:Dataset ; dct:identifier ?id ; dct:title ?title "
        'FILTER(LANG(?title) = "en") } ORDER BY ?id'
    )
    assert rows.form == "select" and rows.variables == ("id", "title")
    assert [str(r[0]) for r in rows.rows] == sorted(IDS)
    assert isinstance(rows.rows[0][1], Literal)
    assert store.query("ASK { ?d dct:identifier 'DF_MARINE_LITTER_GH' }").boolean is True
    assert store.query("ASK { ?d dct:identifier 'NOPE' }").boolean is False
    graph = store.query("CONSTRUCT { ?d dct:title ?t } WHERE { ?d a dcat:Dataset ; dct:title ?t }")
    assert graph.form == "graph" and graph.graph is not None and len(graph.graph) >= 2
    assert '"boolean": true' in store.query("ASK {}").to_json()
    assert rows.to_csv().startswith("id,title\r\nDF_MARINE_LITTER_GH,")


def test_queries_are_read_only(store: catalog.CatalogStore, example_files: list[Path]) -> None:
    _add(store, *example_files)
    with pytest.raises(ReadError, match="queries only"):
        store.query("DROP ALL")
    with pytest.raises(ReadError, match=r"not valid SPARQL|refused"):
        store.query("SELECT ?x WHERE { ?x ")
    assert len(store) == 2


def test_remove_and_clear(store: catalog.CatalogStore, example_files: list[Path]) -> None:
    _add(store, *example_files)
    store.remove(["DF_MARINE_LITTER_GH"])
    assert [e.identifier for e in store.list()] == ["DF_SERVICE_SATISFACTION_KE"]
    assert len(store.description("DF_MARINE_LITTER_GH")) == 0
    store.clear()
    assert len(store) == 0
    assert store.query("ASK { GRAPH ?g { ?s ?p ?o } }").boolean is False


# -- export ------------------------------------------------------------------------------


def test_the_export_passes_the_official_shapes(
    store: catalog.CatalogStore, example_files: list[Path], real_world: list[Path], tmp_path: Path
) -> None:
    _add(store, *example_files, *real_world, _write(tmp_path, "portal.ttl", PORTAL_STYLE))
    target = store.export(tmp_path / "out" / "catalog.ttl")
    graph = Graph().parse(target, format="turtle")
    [node] = graph.subjects(RDF.type, DCAT.Catalog)
    datasets = set(graph.objects(node, DCAT.dataset))
    assert len(datasets) == len(store) == 8
    assert len(set(graph.objects(node, DCAT.record))) == 8
    assert graph.value(node, DCTERMS.publisher) is not None
    assert violations(graph) == []


def test_the_export_with_a_catalogue_description(
    store: catalog.CatalogStore, example_files: list[Path], tmp_path: Path
) -> None:
    from cdinterop.mapping import load_spec
    from cdinterop.model import Catalog

    _add(store, *example_files)
    description = load_spec(Path(EXAMPLES[0]).parents[1] / "catalog.yaml", Catalog)
    graph = Graph().parse(store.export(tmp_path / "catalog.ttl", description), format="turtle")
    [node] = graph.subjects(RDF.type, DCAT.Catalog)
    assert str(graph.value(node, DCTERMS.title)) == "Citizen data hub (example)"
    assert violations(graph) == []


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("name", "rdflib_format"),
    [("c.nt", "nt"), ("c.jsonld", "json-ld"), ("c.rdf", "xml"), ("c.xml", "xml")],
)
def test_export_formats(
    store: catalog.CatalogStore,
    example_files: list[Path],
    tmp_path: Path,
    name: str,
    rdflib_format: str,
) -> None:
    _add(store, *example_files)
    graph = Graph().parse(store.export(tmp_path / name), format=rdflib_format)
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 2
    assert len(graph) == len(store.to_graph())


def test_export_refuses_an_unknown_format(
    store: catalog.CatalogStore, example_files: list[Path], tmp_path: Path
) -> None:
    _add(store, *example_files)
    target = tmp_path / "out"
    with pytest.raises(WriteError, match="suffix"):
        store.export(target / "catalog.txt")
    with pytest.raises(WriteError, match="unknown RDF format"):
        store.export(target / "catalog.ttl", format="yaml")
    assert not target.exists()  # nothing half-written


def test_a_cdinterop_catalogue_file_gives_each_data_set_exactly(
    store: catalog.CatalogStore, tmp_path: Path
) -> None:
    from cdinterop.mapping import load_spec
    from cdinterop.model import Catalog

    datasets = [cdinterop.load(path) for path in EXAMPLES]
    described = load_spec(EXAMPLES[0].parents[1] / "catalog.yaml", Catalog)
    target = dcat.write(described.replace(datasets=tuple(datasets)), tmp_path / "catalog.ttl")
    report = _add(store, target)
    assert {e.identifier for e in report.added} == IDS
    for dataset in datasets:
        graph = store.description(dataset.id)
        assert dcat.from_graph(graph) == dataset.replace(observations=[])


def test_a_commons_harvests_another_commons_export(
    store: catalog.CatalogStore, example_files: list[Path], real_world: list[Path], tmp_path: Path
) -> None:
    _add(store, *example_files, *real_world)
    exported = store.export(tmp_path / "first.ttl")
    with catalog.open_store(tmp_path / "second-store") as second:
        report = second.add([exported])
        assert report.ok and not report.skipped
        assert [e.identifier for e in second.list()] == [e.identifier for e in store.list()]
        assert violations(second.to_graph()) == []
