"""RDF namespaces and the controlled-vocabulary mappings used by [`cdinterop.dcat`][cdinterop.dcat].

``CDI`` (``https://w3id.org/cdinterop/vocab#``) is the project's own small vocabulary for
what DCAT-AP, PROV-O and DQV have no term for: participation, consent, disclosure control,
quality dimensions and roles, and the JSON literals that carry each part losslessly.
"""

from __future__ import annotations

from typing import Any

from rdflib import DCAT as _DCAT
from rdflib import DCTERMS as _DCTERMS
from rdflib import FOAF as _FOAF
from rdflib import PROV as _PROV
from rdflib import RDF as _RDF
from rdflib import RDFS as _RDFS
from rdflib import SKOS as _SKOS
from rdflib import XSD as _XSD
from rdflib import Namespace as _Namespace
from rdflib import URIRef

from cdinterop.model import AccessRights, Frequency, OrganisationType

__all__ = [
    "ACCESS_RIGHT",
    "ACCESS_RIGHTS",
    "ADMS_LICENCE_TYPE",
    "ADMS_PUBLISHER_TYPE",
    "CDI",
    "COUNTRY",
    "DATA_THEME",
    "DCAT",
    "DCATAP",
    "DCTERMS",
    "DQV",
    "FILE_TYPE",
    "FOAF",
    "FREQUENCIES",
    "FREQUENCY",
    "GSP",
    "IANA_MEDIA_TYPE",
    "LANGUAGE",
    "LOCN",
    "OA",
    "ORGANISATION_TYPES",
    "PLANNED_AVAILABILITY",
    "PRIVATE_INDIVIDUAL",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SDG",
    "SKOS",
    "SPDX",
    "SPDX_ALGORITHM",
    "SPDX_LICENCE",
    "STAT",
    "VCARD",
    "XSD",
    "Namespace",
    "Terms",
    "licence_types",
]


class Namespace(_Namespace):
    """rdflib's ``Namespace`` (a ``str``) whose terms are made once: rdflib makes a new
    ``URIRef`` at every ``NS.term`` and ``NS["term"]`` (about a microsecond, a few times per
    triple when a catalogue of thousands of data sets is described)."""

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # Python's own names, as rdflib does
            raise AttributeError(name)
        term = self.term(name)
        setattr(self, name, term)  # found without __getattr__ from now on
        return term

    def __getitem__(self, key: str) -> URIRef:  # type: ignore[override]
        made: dict[str, URIRef] = self.__dict__.setdefault("_made_terms", {})
        term = made.get(key)
        if term is None:
            term = made[key] = self.term(key)
        return term


class Terms:
    """The terms of one of rdflib's closed namespaces (``DCAT``, ``DCTERMS`` ...), each
    made once; a name the vocabulary does not define raises ``AttributeError`` as there."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):  # Python's and tools' own names (pytest's _mock_name ...)
            raise AttributeError(name)
        term: URIRef = getattr(self._namespace, name)
        setattr(self, name, term)
        return term

    def __str__(self) -> str:
        return str(self._namespace)


DCAT = Terms(_DCAT)
DCTERMS = Terms(_DCTERMS)
FOAF = Terms(_FOAF)
PROV = Terms(_PROV)
RDF = Terms(_RDF)
RDFS = Terms(_RDFS)
SKOS = Terms(_SKOS)
XSD = Terms(_XSD)

CDI = Namespace("https://w3id.org/cdinterop/vocab#")
"""The cdinterop vocabulary."""
DQV = Namespace("http://www.w3.org/ns/dqv#")
"""W3C Data Quality Vocabulary."""
OA = Namespace("http://www.w3.org/ns/oa#")
"""W3C Web Annotation vocabulary."""
SPDX = Namespace("http://spdx.org/rdf/terms#")
"""SPDX RDF terms (checksums)."""
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
"""vCard ontology."""
SPDX_ALGORITHM = Namespace("https://spdx.org/rdf/terms#")
"""IRIs of SPDX checksum algorithms (``checksumAlgorithm_sha256``). The ``https`` form
satisfies both DCAT-AP 3.0.1 shape forms: the split form's vocabulary shape requires the
pattern ``^https://spdx.org/rdf/terms``, the full form only the class
``spdx:ChecksumAlgorithm``."""
STAT = Namespace("http://data.europa.eu/m8g/")
"""StatDCAT-AP 1.0.1 properties (``stat:dimension``, ``stat:attribute``, ``stat:numSeries``,
``stat:statUnitMeasure``)."""
QB = Namespace("http://purl.org/linked-data/cube#")
"""W3C RDF Data Cube vocabulary (component property classes used by StatDCAT-AP)."""
SPDX_LICENCE = Namespace("https://spdx.org/licenses/")
"""SPDX licence IRIs."""
DATA_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
"""EU data-theme authority table."""
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
"""EU language authority table (ISO 639-3 codes, upper case)."""
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
"""EU country authority table (ISO 3166-1 alpha-3 codes)."""
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
"""EU frequency authority table."""
ACCESS_RIGHT = Namespace("http://publications.europa.eu/resource/authority/access-right/")
"""EU access-right authority table."""
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
"""ADMS publisher-type vocabulary."""
ADMS_LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
"""ADMS licence-type vocabulary."""
SDG = Namespace("http://metadata.un.org/sdg/")
"""UN SDG knowledge organisation system (goals and targets as ``/14``, ``/14.1``)."""
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
"""EU file-type authority table (``SDMX``, ``CSV``, ``JSON``, ``ZIP``, ...)."""
PLANNED_AVAILABILITY = Namespace(
    "http://publications.europa.eu/resource/authority/planned-availability/"
)
"""EU planned-availability authority table."""
IANA_MEDIA_TYPE = Namespace("https://www.iana.org/assignments/media-types/")
"""IANA media type registry (``application/xml`` and so on)."""
DCATAP = Namespace("http://data.europa.eu/r5r/")
"""DCAT-AP's own properties (``dcatap:availability``)."""
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
"""GeoSPARQL (``gsp:wktLiteral`` for bounding boxes, centroids and geometries)."""
LOCN = Namespace("http://www.w3.org/ns/locn#")
"""ISA Core Location vocabulary (``locn:geometry``, ``locn:Geometry``)."""

FREQUENCIES: dict[Frequency, str] = {
    Frequency.ANNUAL: "ANNUAL",
    Frequency.HALF_YEARLY: "ANNUAL_2",
    Frequency.QUARTERLY: "QUARTERLY",
    Frequency.MONTHLY: "MONTHLY",
    Frequency.WEEKLY: "WEEKLY",
    Frequency.DAILY: "DAILY",
    Frequency.BUSINESS_DAILY: "DAILY",
    Frequency.HOURLY: "HOURLY",
    Frequency.MINUTELY: "UPDATE_CONT",
}
"""SDMX FREQ code to EU frequency code (business-daily maps to DAILY; the exact SDMX
code travels in ``cdi:sdmxFrequency``)."""

ACCESS_RIGHTS: dict[AccessRights, str] = {
    AccessRights.PUBLIC: "PUBLIC",
    AccessRights.RESTRICTED: "RESTRICTED",
    AccessRights.NON_PUBLIC: "NON_PUBLIC",
}
"""Access rights to EU access-right codes."""

ORGANISATION_TYPES: dict[OrganisationType, str] = {
    OrganisationType.COMMUNITY_GROUP: "NonGovernmentalOrganisation",
    OrganisationType.CIVIL_SOCIETY_ORGANISATION: "NonGovernmentalOrganisation",
    OrganisationType.NON_PROFIT: "NonProfitOrganisation",
    OrganisationType.ACADEMIA: "Academia-ScientificOrganisation",
    OrganisationType.NATIONAL_STATISTICAL_OFFICE: "NationalAuthority",
    OrganisationType.NATIONAL_AUTHORITY: "NationalAuthority",
    OrganisationType.REGIONAL_AUTHORITY: "RegionalAuthority",
    OrganisationType.LOCAL_AUTHORITY: "LocalAuthority",
    OrganisationType.INTERNATIONAL_ORGANISATION: "SupraNationalAuthority",
    OrganisationType.COMPANY: "Company",
}
"""Organisation types to ADMS publisher types (lossy; exact value in the provenance carrier)."""

PRIVATE_INDIVIDUAL = "PrivateIndividual(s)"
"""ADMS publisher type of persons (``AgentKind.PERSON``)."""


def licence_types(licence: str) -> tuple[str, ...]:
    """ADMS licence types of an SPDX licence id, for the few licences whose terms are
    unambiguous (Creative Commons BY/BY-SA/CC0 and the Open Data Commons family);
    ``()`` for any other licence."""
    fixed = {
        "CC0-1.0": ("PublicDomain",),
        "PDDL-1.0": ("PublicDomain",),
        "ODC-By-1.0": ("Attribution",),
        "ODbL-1.0": ("Attribution", "ViralEffect-ShareAlike"),
    }
    if licence in fixed:
        return fixed[licence]
    parts = licence.split("-")
    if len(parts) < 3 or parts[:2] != ["CC", "BY"]:
        return ()
    if parts[2] == "SA":
        return ("Attribution", "ViralEffect-ShareAlike")
    if parts[2][:1].isdigit():
        return ("Attribution",)
    return ()
