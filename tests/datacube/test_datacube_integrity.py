"""The integrity constraints of the W3C recommendation (IC-1 ... IC-21, SPARQL ASK queries
run by Oxigraph after the normalisation) as the oracle: the cubes written hold them, and a
fault planted in one makes exactly the matching constraint fail."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from cdinterop import datacube
from cdinterop.model import CitizenDataset

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX ex: <http://example.org/>
"""
OBS0 = "<https://example.org/cdinterop/cube/DF_SMALL/obs/0>"


def test_every_constraint_of_the_recommendation_is_there() -> None:
    names = [*datacube.INTEGRITY_CONSTRAINTS]
    assert [n.split(" ")[0] for n in names] == [f"IC-{i}" for i in range(1, 20)]


def test_the_examples_hold_every_constraint(example: CitizenDataset, tmp_path: Path) -> None:
    for name in ("cube.nt", "cube.ttl"):
        assert datacube.integrity_violations(datacube.write(example, tmp_path / name)) == []


def test_the_recommendations_ic12_agrees(example: CitizenDataset, tmp_path: Path) -> None:
    # IC-12 as written compares every pair of observations: 150 of them keep it fast
    first = example.replace(observations=example.observations.to_records()[:150])
    path = datacube.write(first, tmp_path / "cube.nt")
    assert datacube.integrity_violations(path, quadratic_ic12=True) == []


def _store(small: CitizenDataset, tmp_path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=datacube.write(small, tmp_path / "cube.nt"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _property(component_id: str) -> str:
    return f"<https://example.org/cdinterop/cube/DF_SMALL/property/{component_id}>"


PLANTED = {
    "IC-1 Unique DataSet": f"DELETE WHERE {{ {OBS0} qb:dataSet ?ds }}",
    "IC-2 Unique DSD": "INSERT { ?ds qb:structure ex:other } WHERE { ?ds a qb:DataSet }",
    "IC-3 DSD includes measure": "DELETE WHERE { ?dsd qb:component ?spec . ?spec qb:measure ?m }",
    "IC-4 Dimensions have range": f"DELETE WHERE {{ {_property('SITE')} rdfs:range ?r }}",
    "IC-5 Concept dimensions have code lists": (
        f"DELETE WHERE {{ {_property('REF_AREA')} qb:codeList ?l }}"
    ),
    "IC-6 Only attributes may be optional": (
        """INSERT { ?spec qb:componentRequired false }
        WHERE { ?spec qb:dimension ?d }"""
    ),
    "IC-7 Slice Keys must be declared": "INSERT DATA { ex:key a qb:SliceKey }",
    "IC-8 Slice Keys consistent with DSD": (
        """INSERT { ?dsd qb:sliceKey ex:key . ex:key a qb:SliceKey ; qb:componentProperty ex:nope }
        WHERE { ?dsd a qb:DataStructureDefinition }"""
    ),
    "IC-9 Unique slice structure": "INSERT { ?ds qb:slice ex:slice } WHERE { ?ds a qb:DataSet }",
    "IC-10 Slice dimensions complete": (
        f"""INSERT {{ ?ds qb:slice ex:slice . ex:slice qb:sliceStructure ex:key ;
                qb:observation {OBS0} .
            ?dsd qb:sliceKey ex:key . ex:key a qb:SliceKey ;
                qb:componentProperty {_property("REF_AREA")} }}
        WHERE {{ ?ds qb:structure ?dsd }}"""
    ),
    "IC-11 All dimensions required": f"DELETE WHERE {{ {OBS0} {_property('SITE')} ?v }}",
    "IC-12 No duplicate observations": (
        f"""INSERT {{ ex:copy ?p ?o }} WHERE {{
            {OBS0} ?p ?o . FILTER (?p != {_property("N")}) }}"""
    ),
    "IC-13 Required attributes": (
        """INSERT { ?spec qb:componentRequired true } WHERE {
            ?spec qb:attribute ?a . ?a dct:identifier "NOTE" .
            ?spec qb:componentRequired false }"""
    ),
    "IC-14 All measures present": f"DELETE WHERE {{ {OBS0} {_property('N')} ?v }}",
    "IC-15 Measure dimension consistent": (
        f"""DELETE {{ {OBS0} {_property("N")} ?n ; {_property("OBS_VALUE")} ?v }}
        INSERT {{ ?dsd qb:component ex:mt . ex:mt qb:componentProperty qb:measureType .
            {OBS0} qb:measureType {_property("N")} }}
        WHERE {{ ?dsd a qb:DataStructureDefinition .
            {OBS0} {_property("N")} ?n ; {_property("OBS_VALUE")} ?v }}"""
    ),
    "IC-16 Single measure on measure dimension observation": (
        f"""INSERT {{ ?dsd qb:component ex:mt . ex:mt qb:componentProperty qb:measureType .
            {OBS0} qb:measureType {_property("N")} }}
        WHERE {{ ?dsd a qb:DataStructureDefinition }}"""
    ),
    "IC-18 Consistent data set links": (
        """INSERT DATA { ex:other a qb:DataSet ; qb:structure ex:dsd ; qb:slice ex:s .
            ex:dsd qb:component ex:c . ex:c qb:componentProperty ex:m . ex:m a qb:MeasureProperty .
            ex:s qb:sliceStructure ex:k ; qb:observation ex:o . ex:o qb:dataSet ex:third .
            ex:third a qb:DataSet ; qb:structure ex:dsd . ex:dsd a qb:DataStructureDefinition .
            ex:dsd qb:sliceKey ex:k . ex:k a qb:SliceKey . ex:o ex:m 1 }"""
    ),
    "IC-19 Codes from code list": (
        f"""DELETE {{ {OBS0} {_property("REF_AREA")} ?code }}
        INSERT {{ {OBS0} {_property("REF_AREA")} ex:not-a-code }}
        WHERE {{ {OBS0} {_property("REF_AREA")} ?code }}"""
    ),
    "IC-20 Codes from hierarchy": (
        """DELETE { ?list qb:parentChildProperty ?pcp }
        INSERT { ?list qb:parentChildProperty ex:childOf }
        WHERE { ?list qb:parentChildProperty ?pcp }"""
    ),
    "IC-21 Codes from hierarchy (inverse)": (
        'DELETE WHERE { ?code skos:notation "X@1" ; skos:broader ?parent }'
    ),
}
"""One planted fault per constraint (IC-17 needs a measure-dimension cube with more
than one measure per key, planted below)."""

# the extra triples some faults need to trip only their own constraint
ALSO = {
    # a slice that is complete but for the planted fault
    "IC-9 Unique slice structure": "INSERT DATA { ex:slice a qb:Slice }",
    # the copied observation keeps a value for N so that only the key is duplicated
    "IC-12 No duplicate observations": f"INSERT DATA {{ ex:copy {_property('N')} 7 }}",
}
# faults that trip a second constraint by their nature
ALSO_VIOLATED = {
    # a code outside the list is outside its hierarchy too
    "IC-19 Codes from code list": ["IC-21 Codes from hierarchy (inverse)"],
    # in a measure-dimension cube, a point with one observation lacks the other measure
    "IC-15 Measure dimension consistent": ["IC-17 All measures present in measures dimension cube"],
    "IC-16 Single measure on measure dimension observation": [
        "IC-17 All measures present in measures dimension cube"
    ],
}


def _number(name: str) -> int:
    return int(name[3:].split()[0])


@pytest.mark.parametrize("constraint", sorted(PLANTED, key=_number))
def test_a_planted_fault_fails_its_constraint(
    constraint: str, small: CitizenDataset, tmp_path: Path
) -> None:
    store = _store(small, tmp_path)
    assert datacube.integrity_violations(store) == []
    store.update(PREFIXES + PLANTED[constraint])
    if ALSO.get(constraint):
        store.update(PREFIXES + ALSO[constraint])
    violated = datacube.integrity_violations(store, quadratic_ic12=True)
    assert violated == sorted([constraint, *ALSO_VIOLATED.get(constraint, [])], key=_number)


def test_ic17_finds_a_measure_missing_at_a_point(small: CitizenDataset, tmp_path: Path) -> None:
    store = ox.Store()
    store.update(
        PREFIXES
        + """INSERT DATA {
            ex:ds a qb:DataSet ; qb:structure ex:dsd .
            ex:dsd a qb:DataStructureDefinition ;
                qb:component [ qb:dimension ex:area ], [ qb:dimension qb:measureType ],
                    [ qb:measure ex:count ], [ qb:measure ex:share ] .
            ex:area rdfs:range xsd:string . qb:measureType rdfs:range qb:MeasureProperty .
            ex:o1 qb:dataSet ex:ds ; ex:area "GH" ; qb:measureType ex:count ; ex:count 3 .
            ex:o2 qb:dataSet ex:ds ; ex:area "GH" ; qb:measureType ex:share ; ex:share 0.5 .
            ex:o3 qb:dataSet ex:ds ; ex:area "KE" ; qb:measureType ex:count ; ex:count 4 .
        }"""
    )
    assert datacube.integrity_violations(store) == [
        "IC-17 All measures present in measures dimension cube"
    ]


def test_the_same_duplicate_found_both_ways(small: CitizenDataset, tmp_path: Path) -> None:
    for quadratic in (False, True):
        store = _store(small, tmp_path)
        store.update(PREFIXES + PLANTED["IC-12 No duplicate observations"])
        store.update(PREFIXES + ALSO["IC-12 No duplicate observations"])
        violated = datacube.integrity_violations(store, quadratic_ic12=quadratic)
        assert violated == ["IC-12 No duplicate observations"]
