"""The integrity constraints of the W3C RDF Data Cube recommendation (section 11.1), run
with Oxigraph's SPARQL engine after the normalisation of section 10.

Each constraint is an ``ASK`` query that is true when the cube violates it. IC-0
(datatype consistency) is no SPARQL query and is not checked. IC-20 and IC-21 are
templates: they are instantiated once per property that links the codes of a
``qb:HierarchicalCodeList`` (directly, or as the ``owl:inverseOf`` of a property). IC-12
as the recommendation writes it compares every pair of observations of a data set, so
its cost grows with the square of their number (13 s for 883 observations);
`integrity_violations()` runs by default an instantiated form instead, one query per
data structure grouping observations by the values of all its dimensions, which finds
the same duplicates when equal values are written alike (as cdinterop writes them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["INTEGRITY_CONSTRAINTS", "NORMALISATION", "integrity_violations", "normalise"]

_PREFIXES = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX qb: <http://purl.org/linked-data/cube#>
"""

NORMALISATION: tuple[str, ...] = (
    # phase 1: type and property closure
    """INSERT { ?o rdf:type qb:Observation } WHERE { [] qb:observation ?o } ;
    INSERT { ?o rdf:type qb:Observation } WHERE { ?o qb:dataSet [] } ;
    INSERT { ?s rdf:type qb:Slice } WHERE { [] qb:slice ?s } ;
    INSERT { ?cs qb:componentProperty ?p . ?p rdf:type qb:DimensionProperty }
        WHERE { ?cs qb:dimension ?p } ;
    INSERT { ?cs qb:componentProperty ?p . ?p rdf:type qb:MeasureProperty }
        WHERE { ?cs qb:measure ?p } ;
    INSERT { ?cs qb:componentProperty ?p . ?p rdf:type qb:AttributeProperty }
        WHERE { ?cs qb:attribute ?p }""",
    # phase 2: values attached to the data set or a slice pushed down to the observations
    """INSERT { ?obs ?comp ?value } WHERE {
        ?spec qb:componentProperty ?comp ; qb:componentAttachment qb:DataSet .
        ?dataset qb:structure [ qb:component ?spec ] ; ?comp ?value .
        ?obs qb:dataSet ?dataset .
    } ;
    INSERT { ?obs ?comp ?value } WHERE {
        ?spec qb:componentProperty ?comp ; qb:componentAttachment qb:Slice .
        ?dataset qb:structure [ qb:component ?spec ] ; qb:slice ?slice .
        ?slice ?comp ?value ; qb:observation ?obs .
    } ;
    INSERT { ?obs ?comp ?value } WHERE {
        ?spec qb:componentProperty ?comp .
        ?comp rdf:type qb:DimensionProperty .
        ?dataset qb:structure [ qb:component ?spec ] ; qb:slice ?slice .
        ?slice ?comp ?value ; qb:observation ?obs .
    }""",
)
"""The SPARQL updates of the recommendation's normalisation algorithm (section 10.2),
in order."""

INTEGRITY_CONSTRAINTS: dict[str, str] = {
    "IC-1 Unique DataSet": """ASK {
        { ?obs rdf:type qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?dataset1 } }
        UNION
        { ?obs rdf:type qb:Observation ; qb:dataSet ?dataset1, ?dataset2 .
          FILTER (?dataset1 != ?dataset2) }
    }""",
    "IC-2 Unique DSD": """ASK {
        { ?dataset rdf:type qb:DataSet . FILTER NOT EXISTS { ?dataset qb:structure ?dsd } }
        UNION
        { ?dataset rdf:type qb:DataSet ; qb:structure ?dsd1, ?dsd2 .
          FILTER (?dsd1 != ?dsd2) }
    }""",
    "IC-3 DSD includes measure": """ASK {
        ?dsd rdf:type qb:DataStructureDefinition .
        FILTER NOT EXISTS {
            ?dsd qb:component [ qb:componentProperty [ rdf:type qb:MeasureProperty ] ]
        }
    }""",
    "IC-4 Dimensions have range": """ASK {
        ?dim rdf:type qb:DimensionProperty .
        FILTER NOT EXISTS { ?dim rdfs:range [] }
    }""",
    "IC-5 Concept dimensions have code lists": """ASK {
        ?dim rdf:type qb:DimensionProperty ; rdfs:range skos:Concept .
        FILTER NOT EXISTS { ?dim qb:codeList [] }
    }""",
    "IC-6 Only attributes may be optional": """ASK {
        ?dsd qb:component ?componentSpec .
        ?componentSpec qb:componentRequired "false"^^xsd:boolean ;
            qb:componentProperty ?component .
        FILTER NOT EXISTS { ?component rdf:type qb:AttributeProperty }
    }""",
    "IC-7 Slice Keys must be declared": """ASK {
        ?sliceKey rdf:type qb:SliceKey .
        FILTER NOT EXISTS { [ rdf:type qb:DataStructureDefinition ] qb:sliceKey ?sliceKey }
    }""",
    "IC-8 Slice Keys consistent with DSD": """ASK {
        ?slicekey rdf:type qb:SliceKey ; qb:componentProperty ?prop .
        ?dsd qb:sliceKey ?slicekey .
        FILTER NOT EXISTS { ?dsd qb:component [ qb:componentProperty ?prop ] }
    }""",
    "IC-9 Unique slice structure": """ASK {
        { ?slice rdf:type qb:Slice . FILTER NOT EXISTS { ?slice qb:sliceStructure ?key } }
        UNION
        { ?slice rdf:type qb:Slice ; qb:sliceStructure ?key1, ?key2 .
          FILTER (?key1 != ?key2) }
    }""",
    "IC-10 Slice dimensions complete": """ASK {
        ?slice qb:sliceStructure [ qb:componentProperty ?dim ] .
        FILTER NOT EXISTS { ?slice ?dim [] }
    }""",
    "IC-11 All dimensions required": """ASK {
        ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
        ?dim rdf:type qb:DimensionProperty .
        FILTER NOT EXISTS { ?obs ?dim [] }
    }""",
    "IC-12 No duplicate observations": """ASK {
        FILTER (?allEqual)
        {
            SELECT (MIN(?equal) AS ?allEqual) WHERE {
                ?obs1 qb:dataSet ?dataset .
                ?obs2 qb:dataSet ?dataset .
                FILTER (?obs1 != ?obs2)
                ?dataset qb:structure/qb:component/qb:componentProperty ?dim .
                ?dim rdf:type qb:DimensionProperty .
                ?obs1 ?dim ?value1 .
                ?obs2 ?dim ?value2 .
                BIND (?value1 = ?value2 AS ?equal)
            } GROUP BY ?obs1 ?obs2
        }
    }""",
    "IC-13 Required attributes": """ASK {
        ?obs qb:dataSet/qb:structure/qb:component ?component .
        ?component qb:componentRequired "true"^^xsd:boolean ; qb:componentProperty ?attr .
        FILTER NOT EXISTS { ?obs ?attr [] }
    }""",
    "IC-14 All measures present": """ASK {
        ?obs qb:dataSet/qb:structure ?dsd .
        FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty qb:measureType }
        ?dsd qb:component/qb:componentProperty ?measure .
        ?measure rdf:type qb:MeasureProperty .
        FILTER NOT EXISTS { ?obs ?measure [] }
    }""",
    "IC-15 Measure dimension consistent": """ASK {
        ?obs qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure .
        ?dsd qb:component/qb:componentProperty qb:measureType .
        FILTER NOT EXISTS { ?obs ?measure [] }
    }""",
    "IC-16 Single measure on measure dimension observation": """ASK {
        ?obs qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure ; ?omeasure [] .
        ?dsd qb:component/qb:componentProperty qb:measureType ;
            qb:component/qb:componentProperty ?omeasure .
        ?omeasure rdf:type qb:MeasureProperty .
        FILTER (?omeasure != ?measure)
    }""",
    "IC-17 All measures present in measures dimension cube": """ASK {
        {
            SELECT ?numMeasures (COUNT(?obs2) AS ?count) WHERE {
                {
                    SELECT ?dsd (COUNT(?m) AS ?numMeasures) WHERE {
                        ?dsd qb:component/qb:componentProperty ?m .
                        ?m rdf:type qb:MeasureProperty .
                    } GROUP BY ?dsd
                }
                ?obs1 qb:dataSet/qb:structure ?dsd ; qb:dataSet ?dataset ;
                    qb:measureType ?m1 .
                ?obs2 qb:dataSet ?dataset ; qb:measureType ?m2 .
                FILTER NOT EXISTS {
                    ?dsd qb:component/qb:componentProperty ?dim .
                    FILTER (?dim != qb:measureType)
                    ?dim rdf:type qb:DimensionProperty .
                    ?obs1 ?dim ?v1 .
                    ?obs2 ?dim ?v2 .
                    FILTER (?v1 != ?v2)
                }
            } GROUP BY ?obs1 ?numMeasures
            HAVING (COUNT(?obs2) != ?numMeasures)
        }
    }""",
    "IC-18 Consistent data set links": """ASK {
        ?dataset qb:slice ?slice .
        ?slice qb:observation ?obs .
        FILTER NOT EXISTS { ?obs qb:dataSet ?dataset }
    }""",
    "IC-19 Codes from code list": """ASK {
        {
            ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
            ?dim rdf:type qb:DimensionProperty ; qb:codeList ?list .
            ?list rdf:type skos:ConceptScheme .
            ?obs ?dim ?v .
            FILTER NOT EXISTS { ?v rdf:type skos:Concept ; skos:inScheme ?list }
        } UNION {
            ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
            ?dim rdf:type qb:DimensionProperty ; qb:codeList ?list .
            ?list rdf:type skos:Collection .
            ?obs ?dim ?v .
            FILTER NOT EXISTS { ?v rdf:type skos:Concept . ?list skos:member+ ?v }
        }
    }""",
}
"""The ``ASK`` queries of IC-1 to IC-19, by name (true: violated); IC-20 and IC-21 are
templates (see `integrity_violations()`)."""

_HIERARCHY_PROPERTIES = {
    "IC-20 Codes from hierarchy": """SELECT DISTINCT ?p WHERE {
        ?hierarchy rdf:type qb:HierarchicalCodeList ; qb:parentChildProperty ?p .
        FILTER (isIRI(?p))
    }""",
    "IC-21 Codes from hierarchy (inverse)": """SELECT DISTINCT ?p WHERE {
        ?hierarchy rdf:type qb:HierarchicalCodeList ; qb:parentChildProperty ?pcp .
        FILTER (isBlank(?pcp))
        ?pcp owl:inverseOf ?p .
        FILTER (isIRI(?p))
    }""",
}
_HIERARCHY_TEMPLATES = {
    "IC-20 Codes from hierarchy": "<{p}>*",
    "IC-21 Codes from hierarchy (inverse)": "(^<{p}>)*",
}
_HIERARCHY_ASK = """ASK {{
    ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
    ?dim rdf:type qb:DimensionProperty ; qb:codeList ?list .
    ?list rdf:type qb:HierarchicalCodeList .
    ?obs ?dim ?v .
    FILTER NOT EXISTS {{ ?list qb:hierarchyRoot/{path} ?v }}
}}"""


_DIMENSIONS = """SELECT DISTINCT ?dsd ?dim WHERE {
    ?dataset qb:structure ?dsd .
    ?dsd qb:component/qb:componentProperty ?dim .
    ?dim rdf:type qb:DimensionProperty .
}"""


def _duplicates(store: pyoxigraph.Store) -> bool:
    """IC-12 instantiated per data structure: two observations of one data set with the
    same term for every dimension."""
    dimensions: dict[str, list[str]] = {}
    for row in _select(store, _DIMENSIONS):
        dimensions.setdefault(row["dsd"], []).append(row["dim"])
    for dsd, dims in dimensions.items():
        key = " ; ".join(f"<{d}> ?v{i}" for i, d in enumerate(dims))
        values = " ".join(f"?v{i}" for i in range(len(dims)))
        query = f"""ASK {{
            {{
                SELECT ?dataset WHERE {{
                    ?dataset qb:structure <{dsd}> .
                    ?obs qb:dataSet ?dataset ; {key} .
                }} GROUP BY ?dataset {values}
                HAVING (COUNT(DISTINCT ?obs) > 1)
            }}
        }}"""
        if _ask(store, query):
            return True
    return False


def normalise(store: pyoxigraph.Store) -> None:
    """Apply the normalisation algorithm (section 10) to the default graph of ``store``."""
    for update in NORMALISATION:
        store.update(_PREFIXES + update)


def _load(source: str | Path | pyoxigraph.Store) -> pyoxigraph.Store:
    import pyoxigraph as ox

    if isinstance(source, ox.Store):
        return source
    path = Path(source)
    fmt = ox.RdfFormat.N_TRIPLES if path.suffix.lower() == ".nt" else ox.RdfFormat.TURTLE
    store = ox.Store()
    store.bulk_load(path=path, format=fmt)
    return store


def _ask(store: pyoxigraph.Store, query: str) -> bool:
    return bool(store.query(_PREFIXES + query))


def _select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """The solutions of a ``SELECT``, each variable's term as its value."""
    import pyoxigraph as ox

    solutions = store.query(_PREFIXES + query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def _hierarchy_violations(store: pyoxigraph.Store) -> list[str]:
    found = []
    for name, select in _HIERARCHY_PROPERTIES.items():
        properties = [row["p"] for row in _select(store, select)]
        path = _HIERARCHY_TEMPLATES[name]
        if any(_ask(store, _HIERARCHY_ASK.format(path=path.format(p=p))) for p in properties):
            found.append(name)
    return found


def integrity_violations(
    source: str | Path | pyoxigraph.Store, *, quadratic_ic12: bool = False
) -> list[str]:
    """The names of the integrity constraints (IC-1 ... IC-21) that a cube violates,
    empty when it is well-formed.

    ``source`` is an N-Triples (``.nt``) or Turtle file, or a ``pyoxigraph.Store``
    holding the cube in its default graph; the store is normalised first (section 10:
    a store passed in is changed). With ``quadratic_ic12``, IC-12 is the
    recommendation's query as written, else its instantiated form (see the module)."""
    store = _load(source)
    normalise(store)
    found = []
    for name, query in INTEGRITY_CONSTRAINTS.items():
        if name.startswith("IC-12 ") and not quadratic_ic12:
            violated = _duplicates(store)
        else:
            violated = _ask(store, query)
        if violated:
            found.append(name)
    return found + _hierarchy_violations(store)
