"""Namespaces of the RDF Data Cube and the SDMX-RDF vocabularies, and which SDMX
cross-domain concepts have an SDMX-RDF property of each role.

The SDMX-RDF terms (``http://purl.org/linked-data/sdmx/2009/...``) are those the W3C Data
Cube recommendation uses in its examples: a concept of the 2009 Content-Oriented
Guidelines is ``sdmx-concept:<camelCase id>`` and, where SDMX-RDF defines one, the
property of a role is ``sdmx-dimension:``, ``sdmx-attribute:`` or ``sdmx-measure:`` with
the same local name.
"""

from __future__ import annotations

from typing import Final

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCT: Final = "http://purl.org/dc/terms/"
QB: Final = "http://purl.org/linked-data/cube#"
SDMX: Final = "http://purl.org/linked-data/sdmx#"
SDMX_CONCEPT: Final = "http://purl.org/linked-data/sdmx/2009/concept#"
SDMX_DIMENSION: Final = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_ATTRIBUTE: Final = "http://purl.org/linked-data/sdmx/2009/attribute#"
SDMX_MEASURE: Final = "http://purl.org/linked-data/sdmx/2009/measure#"

PREFIXES: Final[dict[str, str]] = {
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dct": DCT,
    "qb": QB,
    "sdmx": SDMX,
    "sdmx-concept": SDMX_CONCEPT,
    "sdmx-dimension": SDMX_DIMENSION,
    "sdmx-attribute": SDMX_ATTRIBUTE,
    "sdmx-measure": SDMX_MEASURE,
}
"""Prefixes of the Turtle output (the minted namespaces are added per data set)."""

# SDMX cross-domain concepts (COG 2009) that data structures commonly use; the SDMX-RDF
# local name is the id in lower camel case (REF_AREA -> refArea).
_COG_IDS = (
    "AGE",
    "BASE_PER",
    "CIVIL_STATUS",
    "COMMENT",
    "COMPILING_ORG",
    "CONF_STATUS",
    "COVERAGE",
    "COVERAGE_SECTOR",
    "COVERAGE_TIME",
    "CURRENCY",
    "DATA_COMP",
    "DECIMALS",
    "DISS_ORG",
    "EDUCATION_LEV",
    "FREQ",
    "FREQ_COLL",
    "FREQ_DETAIL",
    "FREQ_DISS",
    "OBS_STATUS",
    "OBS_VALUE",
    "OCCUPATION",
    "REF_AREA",
    "REF_PERIOD",
    "SEX",
    "TIME_FORMAT",
    "TIME_PERIOD",
    "TITLE",
    "UNIT_MEASURE",
    "UNIT_MULT",
)

# The properties SDMX-RDF defines for each role (by local name).
_DIMENSIONS = frozenset(
    {"age", "civilStatus", "currency", "educationLev", "freq", "occupation", "refArea"}
    | {"refPeriod", "sex", "timePeriod"}
)
_MEASURES = frozenset(
    {"age", "civilStatus", "currency", "educationLev", "obsValue", "occupation", "sex"}
)
_ATTRIBUTES = frozenset(
    {"basePer", "comment", "compilingOrg", "confStatus", "coverage", "coverageSector"}
    | {"coverageTime", "currency", "dataComp", "decimals", "dissOrg", "freqColl"}
    | {"freqDetail", "freqDiss", "obsStatus", "timeFormat", "title", "unitMeasure"}
    | {"unitMult"}
)
_ROLES = {"dimension": (SDMX_DIMENSION, _DIMENSIONS), "attribute": (SDMX_ATTRIBUTE, _ATTRIBUTES)}
_ROLES["measure"] = (SDMX_MEASURE, _MEASURES)


def _camel(concept_id: str) -> str:
    first, *rest = concept_id.lower().split("_")
    return first + "".join(part.title() for part in rest)


def sdmx_concept(concept_id: str) -> str | None:
    """``sdmx-concept:refArea`` for ``REF_AREA``; ``None`` for a concept that is not one
    of the cross-domain concepts known here."""
    return SDMX_CONCEPT + _camel(concept_id) if concept_id in _COG_IDS else None


def sdmx_property(concept_id: str, role: str) -> str | None:
    """The SDMX-RDF property of a cross-domain concept in a role (``dimension``,
    ``attribute`` or ``measure``), e.g. ``sdmx-dimension:refArea``; ``None`` if SDMX-RDF
    defines none."""
    if concept_id not in _COG_IDS:
        return None
    namespace, names = _ROLES[role]
    local = _camel(concept_id)
    return namespace + local if local in names else None
