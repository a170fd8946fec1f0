"""Tolerant reading of DCAT-AP data sets that cdinterop did not write.

`dataset_from_dcat()` reads a ``dcat:Dataset`` of a national or thematic portal (no
``cdi:structureJson``) into a [`CitizenDataset`][cdinterop.model.CitizenDataset] from its readable
triples. Whatever the model cannot hold, or that does not validate, is dropped; whatever
had to be changed or assumed is recorded. Nothing is lost silently: one
``conversion`` activity appended to the provenance lists every note in its description
(and counts them in its label and parameters).

Choices:

* **Languages of text.** Language-tagged literals keep their (canonicalised) tag; untagged
  literals take the data set's language when it declares exactly one ``dct:language``,
  else ``en``. Where a property has several literals in one language, tagged ones win over
  untagged ones and then the smallest in code-point order wins (deterministic across
  syntaxes); the others are dropped with a note. The same rule picks one value of any
  single-valued property (licence, version, dates ...).
* **Ids.** ``dct:identifier`` (else the IRI tail) becomes the data set id, with every
  character outside the SDMX id alphabet replaced by ``_`` (the mapping is noted).
  Distributions, agents, components and places get ids from ``dct:identifier``/
  ``skos:notation`` or their IRI tail the same way. Ids that collide (two data sets of a
  catalogue both ending in ``/dataset``) take more segments of their IRIs
  (``x_dataset``, ``y_dataset``), else a short hash of the IRI; the ids never depend on the
  order of the triples. A blank node has no IRI and its label is an accident of parsing,
  so its id comes from its name or title (else ``distribution``, ``agent`` ...), and a
  collision is settled by a hash of its canonical description
  (`cdinterop.dcat._nodes`); messages name it by its type and label, never by its
  blank-node label. The SDMX agency is the publisher's identifier (else IRI tail), else
  the agency of the ``structure`` passed in, else ``UNKNOWN`` (noted).
* **Vocabularies.** EU authority tables (data theme, language, country, frequency, access
  right, licence) and the UN SDG KOS are recognised by IRI, ``http`` or ``https``; SPDX
  licence IRIs, Creative Commons licence URLs and a ``dct:identifier`` on the licence node
  too. Dates may be ``xsd:date`` or ``xsd:dateTime`` (the time is cut off, and each value
  cut is noted with its old and new form); other IRIs and values are dropped with a note.
* **Distributions.** Each ``dcat:distribution`` becomes a
  [`Distribution`][cdinterop.model.Distribution]: access and download URLs, title,
  description, format (an EU file-type IRI, or a literal code), media type (an IANA IRI or a
  literal; parameters such as ``;charset=`` are cut off, noted), byte size, SPDX checksum,
  licence, ``dct:conformsTo`` and ``dcatap:availability``. A missing access URL is taken
  from the download URL, and a missing format or media type from the other where the pair
  is a common one (each noted); a URL given as a literal (CKAN's ``xsd:anyURI``) is read
  as an IRI (noted). DCAT-AP requires only the access URL, so a distribution
  without format or media type is kept (noted); one without any URL is dropped with a
  note. CKAN's ``dct:format [ a dct:IMT; rdf:value "text/csv" ]`` is read as the literal.
  Every other property of a distribution, or of the data set, is dropped with a note, since
  the model has no field for it.
* **Version.** ``dcat:version``, ``owl:versionInfo`` or ``adms:version``, kept as given when
  it is an SDMX version (``1``, ``1.0``, ``2.3.1``). Its exact text is also the version of the
  provenance source standing for the DCAT record, so a version such as ``2023-03-30``,
  which cannot be the SDMX version, is not lost. Without a version the model's default
  ``1.0`` is used, and that is noted.
* **Places.** ``dct:spatial`` EU country IRIs and locations with an ISO 3166 or M49 code
  (``dct:identifier``/``skos:notation``) become ``spatial_coverage``; their ``dcat:bbox``,
  ``dcat:centroid`` and geometry become ``area_extents``. The geometry is the value of
  ``locn:geometry``, ``gsp:hasGeometry`` or ``dcat:geometry``: a WKT or GeoJSON literal, or
  a node with ``gsp:asWKT``/``gsp:asGeoJSON``. A location without a code but with a
  geometry, box or centroid (a city portal's polygon) is kept in ``area_extents`` under a
  local id (noted).
* **Agents.** Publishers, creators and the ``cdinterop`` software agent are named as the
  public metadata names them, so they are read with ``pseudonymous=False``.
* **Structure.** A data set needs a [`DataStructure`][cdinterop.model.DataStructure]. Pass one as
  ``structure=``; otherwise one is built from StatDCAT-AP ``stat:dimension`` and
  ``stat:attribute`` (ids from ``skos:notation`` or the IRI tail, names from
  ``rdfs:label``/``skos:prefLabel``; every component an uncoded string, dimensions sorted by
  id since RDF has no order, observation-level conditional attributes, measure
  ``OBS_VALUE``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, TypeVar

import langcodes
import pycountry
from pydantic import AnyUrl, TypeAdapter, ValidationError
from rdflib import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from cdinterop._version import __version__
from cdinterop.dcat._geometry import box_of, geometry_text, point_of
from cdinterop.dcat._nodes import Candidate, NodeNames, curie, iri_segments, unique_ids
from cdinterop.dcat._vocab import (
    ACCESS_RIGHT,
    ADMS_PUBLISHER_TYPE,
    COUNTRY,
    DATA_THEME,
    DCATAP,
    FILE_TYPE,
    FREQUENCY,
    GSP,
    IANA_MEDIA_TYPE,
    LANGUAGE,
    LOCN,
    PLANNED_AVAILABILITY,
    SDG,
    SPDX,
    SPDX_LICENCE,
    STAT,
    VCARD,
)
from cdinterop.errors import ReadError
from cdinterop.model import (
    AccessRights,
    Activity,
    ActivityType,
    Agent,
    AgentKind,
    AreaExtent,
    Attribute,
    Attribution,
    Availability,
    Checksum,
    ChecksumAlgorithm,
    CitizenDataset,
    Concept,
    ContactPoint,
    DataStructure,
    DateRange,
    Dimension,
    Distribution,
    Frequency,
    OrganisationType,
    Role,
    Source,
    Theme,
    ThemeScheme,
    area_scheme,
    is_area_code,
)
from cdinterop.model._internal import (
    AGENCY_ID_PATTERN,
    MEDIA_TYPE_PATTERN,
    NCNAME_ID_PATTERN,
    SDMX_ID_PATTERN,
    VERSION_PATTERN,
    check_language_tag,
    check_spdx_licence,
)

__all__ = ["ADMS", "EU_LICENCES", "SCHEMA", "dataset_from_dcat", "dataset_ids"]

ADMS = "http://www.w3.org/ns/adms#"
"""ADMS namespace (``adms:version``)."""
SCHEMA = "http://schema.org/"
"""schema.org namespace (``schema:startDate``/``schema:endDate`` of a period)."""
EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
"""EU licence authority table."""

EU_LICENCES: dict[str, str] = {
    "CC_BY_4_0": "CC-BY-4.0",
    "CC_BYSA_4_0": "CC-BY-SA-4.0",
    "CC_BYNC_4_0": "CC-BY-NC-4.0",
    "CC_BYND_4_0": "CC-BY-ND-4.0",
    "CC_BYNCSA_4_0": "CC-BY-NC-SA-4.0",
    "CC_BYNCND_4_0": "CC-BY-NC-ND-4.0",
    "CC_BY_3_0": "CC-BY-3.0",
    "CC_BYSA_3_0": "CC-BY-SA-3.0",
    "CC_BY_2_5": "CC-BY-2.5",
    "CC0": "CC0-1.0",
    "CC_PDM_1_0": "CC-PDDC",
    "ODC_BY": "ODC-By-1.0",
    "ODC_ODBL": "ODbL-1.0",
    "ODC_PDDL": "PDDL-1.0",
    "EUPL_1_2": "EUPL-1.2",
    "EUPL_1_1": "EUPL-1.1",
    "DL_DE_BY_2_0": "DL-DE-BY-2.0",
    "DL_DE_ZERO_2_0": "DL-DE-ZERO-2.0",
    "OGL_3_0": "OGL-UK-3.0",
    "NLOD_2_0": "NLOD-2.0",
    "ETALAB_2_0": "etalab-2.0",
}
"""EU licence authority codes to SPDX ids (the common open licences; others are dropped)."""

_EU_FREQUENCIES = {
    "ANNUAL": Frequency.ANNUAL,
    "ANNUAL_2": Frequency.HALF_YEARLY,
    "QUARTERLY": Frequency.QUARTERLY,
    "MONTHLY": Frequency.MONTHLY,
    "WEEKLY": Frequency.WEEKLY,
    "DAILY": Frequency.DAILY,
    "HOURLY": Frequency.HOURLY,
}
_DC_FREQUENCIES = {
    "annual": Frequency.ANNUAL,
    "semiannual": Frequency.HALF_YEARLY,
    "quarterly": Frequency.QUARTERLY,
    "monthly": Frequency.MONTHLY,
    "weekly": Frequency.WEEKLY,
    "daily": Frequency.DAILY,
}
_ACCESS = {
    "PUBLIC": AccessRights.PUBLIC,
    "RESTRICTED": AccessRights.RESTRICTED,
    "NON_PUBLIC": AccessRights.NON_PUBLIC,
}
_PUBLISHER_TYPES = {
    "NonGovernmentalOrganisation": OrganisationType.CIVIL_SOCIETY_ORGANISATION,
    "NonProfitOrganisation": OrganisationType.NON_PROFIT,
    "Academia-ScientificOrganisation": OrganisationType.ACADEMIA,
    "NationalAuthority": OrganisationType.NATIONAL_AUTHORITY,
    "RegionalAuthority": OrganisationType.REGIONAL_AUTHORITY,
    "LocalAuthority": OrganisationType.LOCAL_AUTHORITY,
    # not an ADMS publisher type, but cdinterop 0.1.0 wrote it before the fix
    "InternationalOrganisation": OrganisationType.INTERNATIONAL_ORGANISATION,
    "SupraNationalAuthority": OrganisationType.INTERNATIONAL_ORGANISATION,
    "Company": OrganisationType.COMPANY,
}
_PERSON_CLASSES = (FOAF.Person, PROV.Person, VCARD.Individual)
_DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
_VERSION_PROPS = (_DCAT_VERSION, OWL.versionInfo, URIRef(f"{ADMS}version"))
_GEOMETRY_PROPS = (LOCN.geometry, GSP.hasGeometry, URIRef("http://www.w3.org/ns/dcat#geometry"))
"""Properties whose value is a location's geometry (``dcat:geometry`` is not DCAT's, but
portals write it; cdinterop writes ``gsp:hasGeometry``)."""
_GEOMETRY_VALUES = (GSP.asWKT, GSP.asGeoJSON, RDF.value, LOCN.geometry)
"""Properties of a geometry node that hold its literal."""
_ODC = re.compile(r"^https?://(www\.)?opendatacommons\.org/licenses/(pddl|odbl|by)(/(\d\.\d))?/?")
_ODC_IDS = {"pddl": "PDDL", "odbl": "ODbL", "by": "ODC-By"}
_SDG_SCHEMES = (ThemeScheme.SDG_GOAL, ThemeScheme.SDG_TARGET, ThemeScheme.SDG_INDICATOR)
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(T.*)?$")
_MEDIA_TYPES = {
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "JSON": "application/json",
    "XML": "application/xml",
    "ZIP": "application/zip",
    "PDF": "application/pdf",
    "HTML": "text/html",
    "TXT": "text/plain",
    "XLS": "application/vnd.ms-excel",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "RDF_XML": "application/rdf+xml",
    "RDF_TURTLE": "text/turtle",
    "JSON_LD": "application/ld+json",
    "GEOJSON": "application/geo+json",
}
"""Common EU file-type codes and their IANA media types (to fill one from the other)."""
_FILE_TYPES = {media: code for code, media in _MEDIA_TYPES.items()}
_DISTRIBUTION_PROPS = frozenset(
    {
        RDF.type,
        DCTERMS.identifier,
        DCTERMS.title,
        DCTERMS.description,
        DCAT.accessURL,
        DCAT.downloadURL,
        DCTERMS.format,
        DCAT.mediaType,
        DCAT.byteSize,
        SPDX.checksum,
        DCTERMS.license,
        DCTERMS.conformsTo,
        DCATAP.availability,
    }
)
"""Properties of a ``dcat:Distribution`` the reader maps to the model."""
_DATASET_PROPS = frozenset(
    {
        RDF.type,
        DCTERMS.identifier,
        DCTERMS.title,
        DCTERMS.description,
        DCAT.keyword,
        DCAT.theme,
        DCTERMS.language,
        DCTERMS.license,
        DCTERMS.accessRights,
        DCAT.contactPoint,
        DCAT.landingPage,
        DCTERMS.temporal,
        DCTERMS.spatial,
        DCTERMS.accrualPeriodicity,
        DCTERMS.issued,
        DCTERMS.modified,
        *_VERSION_PROPS,
        DCTERMS.bibliographicCitation,
        DCTERMS.publisher,
        DCTERMS.creator,
        PROV.qualifiedAttribution,
        STAT.dimension,
        STAT.attribute,
        DCAT.distribution,
    }
)
"""Properties of a ``dcat:Dataset`` the reader maps to the model."""
_CC = re.compile(r"^https?://creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)/?")
_LOC_LANGUAGE = re.compile(r"^https?://id\.loc\.gov/vocabulary/iso639-[12]/([a-z]{2,3})$")
_NOT_SDMX = re.compile(r"[^A-Za-z0-9_@$\-]+")
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_\-]+")

T = TypeVar("T")


def _http(iri: str) -> str:
    return "http://" + iri[len("https://") :] if iri.startswith("https://") else iri


def _tail(node: Node, namespace: str) -> str | None:
    """The part of ``node``'s IRI after ``namespace`` (``http`` or ``https``), or ``None``."""
    if not isinstance(node, URIRef):
        return None
    text, ns = _http(str(node)), _http(namespace)
    if text.startswith(ns) and len(text) > len(ns):
        return text[len(ns) :].strip("/")
    return None


def _iri_tail(node: Node) -> str:
    """The last segment of an IRI (after ``#``, ``/`` or ``:``)."""
    return re.split(r"[#/:]", str(node).rstrip("/#"))[-1]


def _sanitise(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub("_", text).strip("_") or "X"


def _is_iri(text: str) -> bool:
    return "://" in text or text.startswith("urn:")


def _candidate(
    names: NodeNames, node: Node, raw: str, pattern: re.Pattern[str] = _NOT_SDMX
) -> Candidate:
    """How ``raw`` (an identifier, an IRI or a name) becomes an id of ``node``: itself when
    it is valid, else its IRI tail or its text with the characters outside the id
    alphabet replaced; the IRI's other segments can lengthen it on a collision."""
    valid = SDMX_ID_PATTERN if pattern is _NOT_SDMX else NCNAME_ID_PATTERN
    segments: tuple[str, ...] = ()
    if re.match(valid, raw):
        base = raw
    elif _is_iri(raw):
        segments = tuple(_sanitise(s, pattern) for s in iri_segments(raw)) or ("X",)
        base = segments[-1]
    else:
        base = _sanitise(raw, pattern)
    if not re.match(valid, base):  # an NCName starts with a letter
        base = f"C_{base}"
    return Candidate(node=node, base=base, segments=segments, key=names.key(node))


def _identifier(names: NodeNames, graph: Graph, node: Node) -> str | None:
    """The node's ``dct:identifier`` literal (the first in the stable order)."""
    idents = [
        str(o).strip()
        for o in names.sorted(graph.objects(node, DCTERMS.identifier))
        if isinstance(o, Literal) and str(o).strip()
    ]
    return idents[0] if idents else None


def _dataset_candidate(names: NodeNames, graph: Graph, node: Node) -> Candidate:
    raw = _identifier(names, graph, node)
    if raw is None:
        raw = str(node) if isinstance(node, URIRef) else "DATASET"
    return _candidate(names, node, raw)


def dataset_ids(
    graph: Graph, nodes: Iterable[Node], *, taken: Iterable[str] = ()
) -> dict[Node, str]:
    """Unique ids for the data sets ``nodes`` of one catalogue (none in ``taken``): each
    its ``dct:identifier`` or IRI tail, made an SDMX id; colliding ones are lengthened with
    more segments of their IRIs, else a short hash (see `cdinterop.dcat._nodes`)."""
    names = NodeNames(graph)
    return unique_ids([_dataset_candidate(names, graph, n) for n in nodes], taken=taken)


class _Reader:
    """Reads one data set node, collecting notes about what it drops or changes."""

    def __init__(
        self,
        graph: Graph,
        node: URIRef | BNode,
        *,
        dataset_id: str | None = None,
        names: NodeNames | None = None,
    ) -> None:
        self.g = graph
        self.d = node
        self.names = names or NodeNames(graph)
        self.forced_id = dataset_id
        self.dropped: list[str] = []
        self.changed: list[str] = []
        self.default_language = "en"
        self.agents: dict[Node, Agent] = {}
        self.agent_ids: dict[Node, str] = {}
        self.version_text: str | None = None

    # -- notes and small helpers -------------------------------------------------------
    def shown(self, node: Node) -> str:
        """How a message names ``node`` (a blank node by its type and label)."""
        return self.names.describe(node)

    def drop(self, what: str, value: object, why: str) -> None:
        shown = self.shown(value) if isinstance(value, Node) else str(value)
        self.dropped.append(f"{what}: dropped {shown!r} ({why})")

    def change(self, what: str, message: str) -> None:
        self.changed.append(f"{what}: {message}")

    def objects(self, subject: Node, *props: URIRef) -> list[Node]:
        """Objects of ``props`` (in that order of preference), each list sorted."""
        out: list[Node] = []
        for prop in props:
            out.extend(self.names.sorted(self.g.objects(subject, prop)))
        return out

    def one(self, what: str, candidates: list[Node], read: Callable[[Node], T | None]) -> T | None:
        """The first candidate that ``read`` accepts; the others are noted as dropped."""
        chosen: T | None = None
        for node in candidates:
            value = read(node)
            if value is None:
                continue
            if chosen is None:
                chosen = value
            elif value != chosen:
                self.drop(what, self.shown(node), "only one value is kept")
        return chosen

    def text(self, what: str, subject: Node, *props: URIRef) -> dict[str, str] | None:
        """Multilingual text: one literal per language (see the module docstring)."""
        tagged: dict[str, list[str]] = {}
        untagged: list[str] = []
        for o in self.objects(subject, *props):
            if not isinstance(o, Literal):
                self.drop(what, o, "not a literal")
            elif not str(o).strip():
                self.drop(what, o, "empty text")
            elif o.language:
                tag = self.language_tag(what, o.language)
                if tag is not None:
                    tagged.setdefault(tag, []).append(str(o))
            else:
                untagged.append(str(o))
        if untagged:
            lang = self.default_language
            if lang in tagged:
                for value in untagged:
                    self.drop(what, value, f"untagged, and there is already {lang!r} text")
            else:
                tagged[lang] = untagged
                self.change(what, f"untagged text read as {lang!r}")
        out: dict[str, str] = {}
        for lang, values in tagged.items():
            out[lang] = values[0]
            for value in values[1:]:
                if value != values[0]:
                    self.drop(what, value, f"a second {lang!r} text; one per language is kept")
        return out or None

    def name(self, subject: Node, *props: URIRef) -> str | None:
        """One name: an untagged literal, else an English one, else the first."""
        names = [
            o for o in self.objects(subject, *props) if isinstance(o, Literal) and str(o).strip()
        ]
        for pick in (lambda o: not o.language, lambda o: o.language == "en", lambda o: True):
            found = [o for o in names if pick(o)]
            if found:
                return str(found[0]).strip()
        return None

    def language_tag(self, what: str, tag: str) -> str | None:
        try:
            return check_language_tag(tag)
        except ValueError:
            self.drop(what, tag, "not a BCP 47 language tag")
            return None

    def literal(self, what: str, node: Node) -> str | None:
        if isinstance(node, Literal) and str(node).strip():
            return str(node).strip()
        self.drop(what, node, "not a non-empty literal")
        return None

    def day(self, what: str, node: Node) -> date | None:
        match = _DATE.match(str(node).strip()) if isinstance(node, Literal) else None
        if match is not None:
            try:
                return date.fromisoformat(match.group(1))
            except ValueError:
                pass
        self.drop(what, node, "not an xsd:date or xsd:dateTime")
        return None

    def one_date(self, what: str, candidates: list[Node]) -> date | None:
        """One date (see `one()`); a dateTime whose time is cut off is noted as a change."""
        cut: dict[date, list[str]] = {}

        def read(node: Node) -> date | None:
            day = self.day(what, node)
            match = _DATE.match(str(node).strip())
            if day is not None and match is not None and match.group(2) is not None:
                cut.setdefault(day, []).append(str(node).strip())
            return day

        chosen = self.one(what, candidates, read)
        if chosen is not None:
            for raw in cut.get(chosen, []):
                self.change(what, f"dateTime {raw!r} cut to the date {chosen.isoformat()!r}")
        return chosen

    def unread(self, node: Node, read: frozenset[URIRef], what: str) -> None:
        """Note every value of a property of ``node`` the reader does not map."""
        for prop in sorted(set(self.g.predicates(node, None)) - read, key=str):
            for obj in self.objects(node, prop):  # type: ignore[arg-type]
                shown = f"{_curie(self.g, prop)} {self.shown(obj)}"
                self.drop(what, shown, "no field of the model")

    def valid(self, what: str, adapter: TypeAdapter[T], value: object) -> T | None:
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            self.drop(what, value, _reason(exc))
            return None

    # -- the data set --------------------------------------------------------------------
    def read(self, structure: DataStructure | None) -> CitizenDataset:
        d = self.d
        fields: dict[str, Any] = {}
        languages = self.languages()
        if len(languages) == 1:
            self.default_language = languages[0]
        fields["languages"] = tuple(languages)
        fields["id"] = self.dataset_id()
        title = self.text("title", d, DCTERMS.title)
        if title is None:
            title = {self.default_language: fields["id"]}
            self.change("title", f"no dct:title; the id {fields['id']!r} stands in")
        fields["title"] = title
        fields["description"] = self.text("description", d, DCTERMS.description)
        fields["keywords"] = self.keywords()
        fields["themes"] = tuple(self.themes())
        fields["licence"] = self.one(
            "licence", self.objects(d, DCTERMS.license), partial(self.licence, "licence")
        )
        fields["access_rights"] = self.access_rights()
        fields["contact_point"] = self.one(
            "contact_point", self.objects(d, DCAT.contactPoint), self.contact
        )
        fields["landing_page"] = self.one(
            "landing_page",
            self.objects(d, DCAT.landingPage),
            lambda n: self.valid("landing_page", _URL, str(n)),
        )
        fields["temporal_coverage"] = self.one(
            "temporal_coverage", self.objects(d, DCTERMS.temporal), self.period
        )
        fields["spatial_coverage"], fields["area_extents"] = self.places()
        fields["frequency"] = self.one(
            "frequency", self.objects(d, DCTERMS.accrualPeriodicity), self.frequency
        )
        for prop, name in ((DCTERMS.issued, "issued"), (DCTERMS.modified, "modified")):
            fields[name] = self.one_date(name, self.objects(d, prop))
        if fields["issued"] and fields["modified"] and fields["issued"] > fields["modified"]:
            self.drop("modified", fields["modified"], f"before issued {fields['issued']}")
            fields["modified"] = None
        candidates = self.objects(d, *_VERSION_PROPS)
        version = self.one("version", candidates, self.version)
        if version is not None:
            fields["version"] = version
        elif not candidates:
            self.change(
                "version",
                "no dcat:version, owl:versionInfo or adms:version; the model's default "
                "'1.0' is used",
            )
        else:
            self.change("version", "no usable version; the model's default '1.0' is used")
        fields["citation"] = self.one(
            "citation",
            self.objects(d, DCTERMS.bibliographicCitation),
            lambda n: self.literal("citation", n),
        )
        fields["distributions"] = self.distributions()
        self.unread(self.d, _DATASET_PROPS, "dataset")
        publisher = self.one("publisher", self.objects(d, DCTERMS.publisher), self.agent)
        fields["publisher"] = publisher.id if publisher is not None else None
        attributions = self.attributions()
        fields["agency"] = self.agency(publisher, structure)
        fields["structure"] = structure or self.structure(fields["agency"], fields["id"], title)
        fields["provenance"] = {
            "agents": tuple(self.agents.values()),
            "attributions": attributions,
        }
        ds = self.validate({k: v for k, v in fields.items() if v is not None})
        return self.record(ds)

    def validate(self, fields: dict[str, Any]) -> CitizenDataset:
        """Build the data set; a field the model still refuses is dropped with a note."""
        for _ in range(len(fields)):
            try:
                return CitizenDataset.model_validate(fields)
            except ValidationError as exc:
                bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
                bad &= set(fields) - {"id", "agency", "title", "structure"}
                if not bad:
                    raise ReadError(
                        self.shown(self.d), f"cannot be read as a data set: {_reason(exc)}"
                    ) from None
                for name in sorted(bad):
                    self.drop(name, fields.pop(name), _reason(exc))
        raise ReadError(self.shown(self.d), "cannot be read as a data set")  # pragma: no cover

    def record(self, ds: CitizenDataset) -> CitizenDataset:
        n_drop, n_change = len(self.dropped), len(self.changed)
        summary = (
            f"{n_drop} value{'s' if n_drop != 1 else ''} dropped, "
            f"{n_change} change{'s' if n_change != 1 else ''}"
        )
        notes = self.dropped + self.changed
        source_id = "dcat-record"
        agent_ids = {a.id for a in ds.provenance.agents}
        activity_ids = {a.id for a in ds.provenance.activities}
        software = None if "cdinterop" in agent_ids else "cdinterop"
        activity = Activity(
            id=next(i for i in _numbered("read-dcat") if i not in activity_ids),
            type=ActivityType.CONVERSION,
            label=f"read third-party DCAT: {summary}",
            description={"en": "\n".join(notes)} if notes else None,
            method="cdinterop.dcat.from_graph",
            software=software,
            agents=(software,) if software else (),
            used=(source_id,),
            parameters={"dropped": n_drop, "changed": n_change, "node": self.shown(self.d)},
        )
        agents: tuple[Agent, ...] = ()
        if software is not None:
            agents = (
                Agent(
                    id=software,
                    kind=AgentKind.SOFTWARE,
                    name="cdinterop",
                    pseudonymous=False,
                    version=__version__,
                ),
            )
        url = str(self.d) if isinstance(self.d, URIRef) else None
        source = Source(
            id=source_id,
            title=f"DCAT description {self.d.n3() if url is not None else self.shown(self.d)}",
            url=url if url is not None and _is_url(url) else None,
            version=self.version_text,
        )
        return ds.with_activity(activity, agents=agents, sources=(source,))

    # -- fields ----------------------------------------------------------------------------
    def dataset_id(self) -> str:
        def read(node: Node) -> str | None:
            if not isinstance(node, Literal) or not str(node).strip():
                return None
            return str(node).strip()

        raw = self.one("id", self.objects(self.d, DCTERMS.identifier), read)
        candidate = _dataset_candidate(self.names, self.g, self.d)
        out = self.forced_id or candidate.base
        if raw is None:
            origin = (
                f"derived from the IRI {str(self.d)!r}"
                if isinstance(self.d, URIRef)
                else "and no IRI (a blank node)"
            )
            self.change("id", f"no dct:identifier; {origin}: {candidate.base!r}")
        elif candidate.base != raw:
            self.change("id", f"{raw!r} is not an SDMX id; read as {candidate.base!r}")
        if out != candidate.base:
            self.change(
                "id",
                f"{candidate.base!r} is the id of another data set of the catalogue too; "
                f"read as {out!r}",
            )
        return out

    def languages(self) -> list[str]:
        out: list[str] = []
        for node in self.objects(self.d, DCTERMS.language):
            code = _tail(node, str(LANGUAGE))
            if code is None and isinstance(node, URIRef):
                match = _LOC_LANGUAGE.match(str(node))
                code = match.group(1) if match else None
            if code is None and isinstance(node, Literal):
                code = str(node)
            if code is None:
                self.drop("languages", node, "not an EU language authority IRI")
                continue
            try:
                tag = langcodes.Language.get(code.lower()).to_tag()
            except (ValueError, LookupError):
                tag = code
            checked = self.language_tag("languages", tag)
            if checked is not None and checked not in out:
                out.append(checked)
        return out

    def keywords(self) -> dict[str, tuple[str, ...]]:
        words: dict[str, set[str]] = {}
        untagged = False
        for kw in self.objects(self.d, DCAT.keyword):
            if not isinstance(kw, Literal) or not str(kw).strip():
                self.drop("keywords", kw, "not a non-empty literal")
                continue
            lang: str | None = self.default_language
            if kw.language:
                lang = self.language_tag("keywords", kw.language)
            else:
                untagged = True
            if lang is not None:
                words.setdefault(lang, set()).add(str(kw).strip())
        if untagged:
            self.change("keywords", f"untagged keywords read as {self.default_language!r}")
        return {lang: tuple(sorted(values)) for lang, values in words.items()}

    def themes(self) -> Iterable[Theme]:
        seen: list[Theme] = []  # a theme with a label (a dict) cannot be hashed
        for node in self.objects(self.d, DCAT.theme):
            eu, sdg = _tail(node, str(DATA_THEME)), _tail(node, str(SDG))
            label = self.text("themes", node, SKOS.prefLabel) if sdg is not None else None
            if eu is not None:
                fields: dict[str, Any] = {"scheme": ThemeScheme.EU_DATA_THEME, "code": eu}
            elif sdg is not None and sdg.count(".") <= 2:
                scheme = _SDG_SCHEMES[sdg.count(".")]
                fields = {"scheme": scheme, "code": sdg, "label": label}
            else:
                self.drop("themes", node, "not an EU data theme or UN SDG IRI")
                continue
            theme = self.valid("themes", _THEME, fields)
            if theme is not None and theme not in seen:
                seen.append(theme)
                yield theme

    def licence(self, what: str, node: Node) -> str | None:
        candidates: list[str] = []
        spdx = _tail(node, str(SPDX_LICENCE))
        if spdx is not None:
            candidates.append(re.sub(r"\.(html|json)$", "", spdx))
        eu = _tail(node, EU_LICENCE)
        if eu is not None and eu in EU_LICENCES:
            candidates.append(EU_LICENCES[eu])
        cc = _CC.match(str(node)) if isinstance(node, URIRef) else None
        if cc is not None:
            kind, terms, version = cc.groups()
            if kind == "publicdomain" and terms == "zero":
                candidates.append(f"CC0-{version}")
            elif kind == "licenses":
                candidates.append(f"CC-{terms.upper()}-{version}")
        if isinstance(node, Literal):
            candidates.append(str(node).strip())
        for ident in self.objects(node, DCTERMS.identifier):
            candidates.append(str(ident).strip())
        for candidate in candidates:
            try:
                return check_spdx_licence(candidate)
            except ValueError:
                continue
        self.drop(what, self.shown(node), "not an SPDX licence or a known EU licence IRI")
        return None

    def access_rights(self) -> AccessRights | None:
        def read(node: Node) -> AccessRights | None:
            code = _tail(node, str(ACCESS_RIGHT))
            if code in _ACCESS:
                return _ACCESS[code]
            self.drop("access_rights", node, "not an EU access-right IRI")
            return None

        rights = self.one("access_rights", self.objects(self.d, DCTERMS.accessRights), read)
        if rights is None:
            self.change("access_rights", "no readable dct:accessRights; assumed public")
        return rights

    def contact(self, node: Node) -> ContactPoint | None:
        name = self.one(
            "contact_point.name",
            self.objects(node, VCARD.fn, VCARD["organization-name"]),
            lambda n: self.literal("contact_point.name", n),
        )
        email = self.one("contact_point.email", self.objects(node, VCARD.hasEmail), self.email)
        url = self.one(
            "contact_point.url",
            self.objects(node, VCARD.hasURL),
            lambda n: str(n) if isinstance(n, URIRef | Literal) else None,
        )
        if name is None:
            name = email or url
            if name is None:
                self.drop("contact_point", self.shown(node), "no vcard:fn, email or url")
                return None
            self.change("contact_point", f"no vcard:fn; the contact is named {name!r}")
        return self.valid("contact_point", _CONTACT, {"name": name, "email": email, "url": url})

    def email(self, node: Node) -> str | None:
        if isinstance(node, BNode):
            value = next(iter(self.objects(node, VCARD.value)), None)
            return self.email(value) if value is not None else None
        text = str(node).strip()
        return text.removeprefix("mailto:") or None

    def period(self, node: Node) -> DateRange | None:
        ends = []
        for what, props in (
            ("start", (DCAT.startDate, URIRef(f"{SCHEMA}startDate"))),
            ("end", (DCAT.endDate, URIRef(f"{SCHEMA}endDate"))),
        ):
            https = tuple(URIRef(str(p).replace("http://schema", "https://schema")) for p in props)
            ends.append(
                self.one_date(f"temporal_coverage.{what}", self.objects(node, *props, *https[1:]))
            )
        if ends == [None, None]:
            return None
        return self.valid("temporal_coverage", _RANGE, {"start": ends[0], "end": ends[1]})

    def places(self) -> tuple[tuple[str, ...], dict[str, AreaExtent]]:
        """Spatial coverage (area codes) and the extents of its places: those with an area
        code by code, those without one (a polygon only) by a local id."""
        codes: list[str] = []
        extents: dict[str, AreaExtent] = {}
        uncoded: list[tuple[Node, AreaExtent]] = []
        for loc in self.objects(self.d, DCTERMS.spatial):
            code = self.area(loc)
            extent = self.extent(loc)
            if code is not None:
                if code not in codes:
                    codes.append(code)
                if extent is not None and code in extents and extents[code] != extent:
                    self.drop("area_extents", loc, f"a second extent of {code}")
                elif extent is not None:
                    extents[code] = extent
            elif extent is not None:
                uncoded.append((loc, extent))
            else:
                self.drop(
                    "spatial_coverage",
                    loc,
                    "not an EU country IRI, a location with an ISO 3166 or M49 code, or a "
                    "location with a geometry, bounding box or centroid",
                )
        ids = unique_ids(
            [self.place_candidate(loc) for loc, _ in uncoded],
            taken=codes,
            allowed=lambda key: not is_area_code(key),
        )
        for loc, extent in uncoded:
            extents[ids[loc]] = extent
            self.change(
                "area_extents",
                f"{self.shown(loc)} has no area code; its extent is kept as {ids[loc]!r}",
            )
        return tuple(codes), extents

    def area(self, node: Node) -> str | None:
        """The area code of a location, or ``None`` (not noted: it may have a geometry)."""
        alpha3 = _tail(node, str(COUNTRY))
        if alpha3 is not None:
            country = pycountry.countries.get(alpha_3=alpha3)
            if country is not None:
                code: str = country.alpha_2
                return code
            self.drop("spatial_coverage", node, "not an ISO 3166 country")
            return None
        for ident in self.objects(node, DCTERMS.identifier, SKOS.notation):
            if area_scheme(str(ident)) is not None:
                return str(ident)
        return None

    def place_candidate(self, node: Node) -> Candidate:
        """The local id of a place without an area code: its identifier, IRI tail or name,
        else ``location``."""
        ids = [str(i).strip() for i in self.objects(node, DCTERMS.identifier, SKOS.notation)]
        raw = next((i for i in ids if i), None)
        if raw is None and isinstance(node, URIRef):
            raw = str(node)
        if raw is None:
            name = self.name(node, SKOS.prefLabel, RDFS.label, DCTERMS.title)
            raw = _sanitise(name, _NOT_SDMX)[:40].strip("_") if name else "location"
        return _candidate(self.names, node, raw)

    def extent(self, node: Node) -> AreaExtent | None:
        """The bounding box, centroid and geometry of a location, if it has any."""
        if isinstance(node, Literal):
            return None
        box = self.one("area_extents.bbox", self.objects(node, DCAT.bbox), self.bbox)
        centroid = self.one(
            "area_extents.centroid", self.objects(node, DCAT.centroid), self.centroid
        )
        geometry = self.one(
            "area_extents.geometry", self.objects(node, *_GEOMETRY_PROPS), self.geometry
        )
        if box is None and centroid is None and geometry is None:
            return None
        fields: dict[str, Any] = {"centroid": centroid, "geometry": geometry}
        if box is not None:
            fields.update(zip(("west", "south", "east", "north"), box, strict=True))
        return self.valid("area_extents", _EXTENT, fields)

    def wkt(self, what: str, node: Node) -> str | None:
        """The WKT of a geometry literal or node (WKT or GeoJSON), noting any change."""
        if not isinstance(node, Literal):
            values = [v for v in self.objects(node, *_GEOMETRY_VALUES) if isinstance(v, Literal)]
            if not values:
                self.drop(what, node, "no gsp:asWKT or gsp:asGeoJSON literal")
                return None
            node = values[0]
        assert isinstance(node, Literal)
        text, note = geometry_text(node)
        if text is None:
            self.drop(what, node, note or "not a geometry")
        elif note is not None:
            self.change(what, f"{_short(str(node))!r} {note}")
        return text

    def geometry(self, node: Node) -> str | None:
        return self.wkt("area_extents.geometry", node)

    def bbox(self, node: Node) -> tuple[float, float, float, float] | None:
        text = self.wkt("area_extents.bbox", node)
        box = box_of(text) if text is not None else None
        if text is not None and box is None:
            self.drop("area_extents.bbox", node, "not a box in longitude/latitude (CRS84)")
        return box

    def centroid(self, node: Node) -> tuple[float, float] | None:
        text = self.wkt("area_extents.centroid", node)
        point = point_of(text) if text is not None else None
        if text is not None and point is None:
            self.drop("area_extents.centroid", node, "not a point in longitude/latitude (CRS84)")
        return point

    def frequency(self, node: Node) -> Frequency | None:
        eu = _tail(node, str(FREQUENCY))
        dc = _tail(node, "http://purl.org/cld/freq/")
        if eu in _EU_FREQUENCIES:
            return _EU_FREQUENCIES[eu]
        if dc in _DC_FREQUENCIES:
            return _DC_FREQUENCIES[dc]
        self.drop("frequency", node, "no SDMX frequency for it")
        return None

    def version(self, node: Node) -> str | None:
        text = self.literal("version", node)
        if text is None:
            return None
        if self.version_text is None:
            self.version_text = text  # the exact text, kept on the record's source
        if re.match(VERSION_PATTERN, text):
            return text
        bare = text.lower().removeprefix("version").strip().removeprefix("v")
        if re.match(VERSION_PATTERN, bare):
            self.change("version", f"{text!r} read as {bare!r}")
            return bare
        self.drop(
            "version",
            text,
            "not an SDMX version such as 1.0 or 1.2.0; kept as the version of the DCAT "
            "record's source",
        )
        return None

    # -- distributions ---------------------------------------------------------------------
    def distributions(self) -> tuple[Distribution, ...]:
        out: list[Distribution] = []
        nodes = []
        for node in self.objects(self.d, DCAT.distribution):
            if isinstance(node, Literal):
                self.drop("distributions", node, "a literal, not a dcat:Distribution")
            else:
                nodes.append(node)
        ids = unique_ids([self.distribution_candidate(n) for n in nodes])
        for node in nodes:
            dist = self.distribution(node, self.distribution_id(node, ids[node]))
            if dist is not None:
                out.append(dist)
        return tuple(out)

    def distribution_candidate(self, node: Node) -> Candidate:
        """The id a distribution would get on its own: an identifier that is an SDMX id,
        else the tail of its identifier or IRI (a blank node's: of its download or access
        URL), else ``distribution``."""
        ids = [str(i).strip() for i in self.objects(node, DCTERMS.identifier) if str(i).strip()]
        raw = next((i for i in ids if re.match(SDMX_ID_PATTERN, i)), None)
        if raw is None and ids:
            raw = ids[0]
        if raw is None and isinstance(node, URIRef):
            raw = str(node)
        if raw is None:
            urls = self.objects(node, DCAT.downloadURL, DCAT.accessURL)
            raw = next((str(u) for u in urls if isinstance(u, URIRef)), "distribution")
        return _candidate(self.names, node, raw)

    def distribution(self, node: Node, dist_id: str) -> Distribution | None:
        what = f"distributions[{dist_id}]"
        fields: dict[str, Any] = {"id": dist_id}
        fields["title"] = self.text(f"{what}.title", node, DCTERMS.title)
        fields["description"] = self.text(f"{what}.description", node, DCTERMS.description)

        def url(field: str) -> Callable[[Node], str | None]:
            def read(n: Node) -> str | None:
                text = str(n).strip()
                if isinstance(n, Literal) and re.match(r"^https?://\S+$", text):
                    # CKAN writes "https://..."^^xsd:anyURI: a literal, but plainly a URL
                    self.change(f"{what}.{field}", f"the literal {text!r} read as an IRI")
                elif not isinstance(n, URIRef):
                    self.drop(f"{what}.{field}", self.shown(n), "not an IRI")
                    return None
                value = self.valid(f"{what}.{field}", _URL, text)
                return str(value) if value is not None else None

            return read

        access = self.one(
            f"{what}.access_url", self.objects(node, DCAT.accessURL), url("access_url")
        )
        download = self.one(
            f"{what}.download_url", self.objects(node, DCAT.downloadURL), url("download_url")
        )
        if access is None and download is not None:
            access = download
            self.change(f"{what}.access_url", f"no dcat:accessURL; the download URL {download!r}")
        fields["access_url"], fields["download_url"] = access, download
        media = self.one(
            f"{what}.media_type",
            self.objects(node, DCAT.mediaType),
            partial(self.media_type, f"{what}.media_type"),
        )
        formats = self.objects(node, DCTERMS.format)
        fmt = self.one(f"{what}.format", formats, partial(self.file_type, f"{what}.format"))
        if media is None:  # some portals give the IANA type as dct:format
            for candidate in formats:
                given = self.value_of(candidate)
                if _tail(given, str(IANA_MEDIA_TYPE)) is not None or (
                    isinstance(given, Literal) and "/" in str(given)
                ):
                    media = self.media_type(f"{what}.media_type", candidate)
                    if media is not None:
                        self.change(f"{what}.media_type", f"{media!r} read from dct:format")
                        break
        if fmt is None and media in _FILE_TYPES:
            fmt = _FILE_TYPES[media]
            self.change(f"{what}.format", f"no EU file type; {fmt!r} from the media type")
        if media is None and fmt in _MEDIA_TYPES:
            media = _MEDIA_TYPES[fmt]
            self.change(f"{what}.media_type", f"no media type; {media!r} from the format {fmt}")
        fields["format"], fields["media_type"] = fmt, media
        fields["byte_size"] = self.one(
            f"{what}.byte_size",
            self.objects(node, DCAT.byteSize),
            partial(self.byte_size, f"{what}.byte_size"),
        )
        fields["checksum"] = self.one(
            f"{what}.checksum",
            self.objects(node, SPDX.checksum),
            partial(self.checksum, f"{what}.checksum"),
        )
        fields["licence"] = self.one(
            f"{what}.licence",
            self.objects(node, DCTERMS.license),
            partial(self.licence, f"{what}.licence"),
        )
        fields["conforms_to"] = tuple(
            dict.fromkeys(
                str(value)
                for n in self.objects(node, DCTERMS.conformsTo)
                if (value := url("conforms_to")(n)) is not None
            )
        )
        fields["availability"] = self.one(
            f"{what}.availability",
            self.objects(node, DCATAP.availability),
            partial(self.availability, f"{what}.availability"),
        )
        self.unread(node, _DISTRIBUTION_PROPS, what)
        if fields["access_url"] is None:
            self.drop(
                "distributions",
                node,
                "no readable dcat:accessURL or dcat:downloadURL, which DCAT-AP requires",
            )
            return None
        for prop, field in (("dct:format", "format"), ("dcat:mediaType", "media_type")):
            if fields[field] is None:
                self.change(f"{what}.{field}", f"no readable {prop}; left empty")
        return self.valid(
            "distributions", _DISTRIBUTION, {k: v for k, v in fields.items() if v is not None}
        )

    def distribution_id(self, node: Node, out: str) -> str:
        """Note how the distribution got the id ``out`` unless it is its identifier."""
        ids = [str(i).strip() for i in self.objects(node, DCTERMS.identifier) if str(i).strip()]
        if out not in ids:
            origin = (
                f"dct:identifier {ids[0]!r}" if ids else f"no dct:identifier ({self.shown(node)})"
            )
            self.change("distributions", f"{origin}; id {out!r}")
        return out

    def value_of(self, node: Node) -> Node:
        """A blank node's ``rdf:value`` or ``rdfs:label`` literal (CKAN writes
        ``dct:format [ a dct:IMT; rdf:value "text/csv" ]``), else the node itself."""
        if isinstance(node, BNode):
            for value in self.objects(node, RDF.value, RDFS.label, SKOS.prefLabel):
                if isinstance(value, Literal) and str(value).strip():
                    return value
        return node

    def media_type(self, what: str, node: Node) -> str | None:
        node = self.value_of(node)
        iana = _tail(node, str(IANA_MEDIA_TYPE))
        text = (
            iana if iana is not None else str(node).strip() if isinstance(node, Literal) else None
        )
        if text is None:
            self.drop(what, self.shown(node), "not an IANA media-type IRI or literal")
            return None
        bare = text.split(";", 1)[0].strip()
        bare = bare.split("/", 1)[0].lower() + bare[len(bare.split("/", 1)[0]) :]
        if not re.match(MEDIA_TYPE_PATTERN, bare):
            self.drop(what, text, "not an IANA media type such as text/csv")
            return None
        if bare != text:
            self.change(what, f"{text!r} read as {bare!r}")
        return bare

    def file_type(self, what: str, node: Node) -> str | None:
        node = self.value_of(node)
        code = _tail(node, str(FILE_TYPE))
        if code is None and isinstance(node, Literal) and str(node).strip():
            text = str(node).strip()
            if "/" in text:  # a media type given as the format
                return _FILE_TYPES.get(text.split(";", 1)[0].strip().lower()) or self.unknown(
                    what, text
                )
            code = _sanitise(text.upper(), re.compile(r"[^A-Z0-9_]+"))
            if code != text:
                self.change(what, f"{text!r} read as {code!r}")
        if code is None or not re.match(r"^[A-Z][A-Z0-9_]*$", code):
            return self.unknown(what, self.shown(node))
        return code

    def unknown(self, what: str, value: str) -> str | None:
        """Note an unreadable format; always ``None``."""
        self.drop(what, value, "not an EU file-type IRI or code")
        return None

    def byte_size(self, what: str, node: Node) -> int | None:
        try:
            size = Decimal(str(node).strip()) if isinstance(node, Literal) else None
        except InvalidOperation:
            size = None
        if size is None or not size.is_finite() or size < 0 or size != size.to_integral_value():
            self.drop(what, self.shown(node), "not a non-negative whole number of bytes")
            return None
        return int(size)

    def checksum(self, what: str, node: Node) -> Checksum | None:
        algorithm = next(iter(self.objects(node, SPDX.algorithm)), None)
        value = next(iter(self.objects(node, SPDX.checksumValue)), None)
        name = _iri_tail(algorithm).removeprefix("checksumAlgorithm_").lower() if algorithm else ""
        if algorithm is None or value is None or name not in set(ChecksumAlgorithm):
            named = self.shown(algorithm) if algorithm else "no algorithm"
            shown = f"{named} {self.shown(value) if value is not None else 'no value'}"
            self.drop(what, shown, "not an SPDX checksum with a sha256/sha512/sha1/md5 algorithm")
            return None
        text = str(value).strip()
        checksum = self.valid(what, _CHECKSUM, {"algorithm": name, "value": text.lower()})
        if checksum is not None and checksum.value != text:
            self.change(what, f"{text!r} read as {checksum.value!r}")
        return checksum

    def availability(self, what: str, node: Node) -> Availability | None:
        code = _tail(node, str(PLANNED_AVAILABILITY))
        try:
            return Availability((code or "").lower())
        except ValueError:
            self.drop(what, self.shown(node), "not an EU planned-availability IRI")
            return None

    # -- agents ----------------------------------------------------------------------------
    def agent(self, node: Node) -> Agent | None:
        if node in self.agents:
            return self.agents[node]
        name = self.name(node, FOAF.name, SKOS.prefLabel, VCARD.fn, RDFS.label)
        if name is None:
            if not isinstance(node, URIRef):
                self.drop("agent", self.shown(node), "no foaf:name")
                return None
            name = _iri_tail(node)
            self.change("agent", f"no foaf:name for {node}; named {name!r}")
        types = set(self.g.objects(node, RDF.type))
        kind = AgentKind.ORGANISATION
        org_type = None
        for t in self.objects(node, DCTERMS.type):
            code = _tail(t, str(ADMS_PUBLISHER_TYPE))
            if code in _PUBLISHER_TYPES:
                org_type = _PUBLISHER_TYPES[code]
            elif code == "PrivateIndividual(s)":
                kind = AgentKind.PERSON
            else:
                self.drop("agent type", t, "not an ADMS publisher type cdinterop knows")
        if types & set(_PERSON_CLASSES):
            kind = AgentKind.PERSON
        fields: dict[str, Any] = {
            "id": self.agent_id(node),
            "kind": kind,
            "name": name,
            "identifier": str(node) if isinstance(node, URIRef) else None,
        }
        # named as the public metadata names it: not a pseudonym (for organisations the
        # flag does not apply, and its default True would claim the name were made up)
        fields["pseudonymous"] = False
        if kind is not AgentKind.PERSON:
            fields["organisation_type"] = org_type
            mbox = next(iter(self.objects(node, FOAF.mbox)), None)
            if mbox is not None:
                fields["email"] = str(mbox).removeprefix("mailto:")
        page = next(iter(self.objects(node, FOAF.homepage)), None)
        if page is not None:
            fields["homepage"] = str(page)
        agent = self.valid("agent", _AGENT, fields)
        if agent is None:  # retry with the bare minimum
            minimal = {k: fields[k] for k in ("id", "kind", "name", "identifier", "pseudonymous")}
            agent = self.valid("agent", _AGENT, minimal)
        if agent is not None:
            self.agents[node] = agent
        return agent

    def agent_id(self, node: Node) -> str:
        if not self.agent_ids:
            self.agent_ids = unique_ids(
                [self.agent_candidate(n) for n in self.agent_nodes()], taken={"cdinterop"}
            )
        if node not in self.agent_ids:  # pragma: no cover - every agent node is listed
            taken = set(self.agent_ids.values()) | {"cdinterop"}
            self.agent_ids[node] = unique_ids([self.agent_candidate(node)], taken=taken)[node]
        return self.agent_ids[node]

    def agent_nodes(self) -> list[Node]:
        """Every node the data set names as an agent (publisher, creator, attributed)."""
        nodes = self.objects(self.d, DCTERMS.publisher, DCTERMS.creator)
        for qa in self.objects(self.d, PROV.qualifiedAttribution):
            nodes.extend(self.objects(qa, PROV.agent))
        return list(dict.fromkeys(n for n in nodes if not isinstance(n, Literal)))

    def agent_candidate(self, node: Node) -> Candidate:
        """The id an agent would get on its own: an identifier or notation that is an SDMX
        id, else the tail of its IRI, else its name (a blank node), else ``agent``."""
        ids = [str(i).strip() for i in self.objects(node, DCTERMS.identifier, SKOS.notation)]
        raw = next((i for i in ids if re.match(SDMX_ID_PATTERN, i)), None)
        if raw is None and isinstance(node, URIRef):
            raw = str(node)
        if raw is None:
            raw = next((i for i in ids if i), None)
        if raw is None:
            name = self.name(node, FOAF.name, SKOS.prefLabel, VCARD.fn, RDFS.label)
            raw = _sanitise(name, _NOT_SDMX)[:40].strip("_") if name else "agent"
        return _candidate(self.names, node, raw)

    def attributions(self) -> tuple[Attribution, ...]:
        out: list[Attribution] = []
        for node in self.objects(self.d, DCTERMS.creator):
            agent = self.agent(node)
            if agent is not None:
                out.append(Attribution(agent=agent.id, role=Role.CREATOR))
        for qa in self.objects(self.d, PROV.qualifiedAttribution):
            agent_node = next(iter(self.objects(qa, PROV.agent)), None)
            roles = self.objects(qa, DCAT.hadRole)
            if agent_node is None or not roles:
                self.drop("attributions", self.shown(qa), "no prov:agent or no dcat:hadRole")
                continue
            for role_node in roles:
                role = _role(role_node)
                if role is None:
                    self.drop("attributions", role_node, "not a role of the model")
                    continue
                agent = self.agent(agent_node)
                if agent is not None:
                    out.append(Attribution(agent=agent.id, role=role))
        return tuple(dict.fromkeys(out))

    def agency(self, publisher: Agent | None, structure: DataStructure | None) -> str:
        if publisher is not None:
            node = next(n for n, a in self.agents.items() if a is publisher)
            for ident in self.objects(node, DCTERMS.identifier, SKOS.notation):
                if re.match(AGENCY_ID_PATTERN, str(ident)):
                    return str(ident)
            if isinstance(node, URIRef):
                tail = _sanitise(_iri_tail(node), _NOT_NCNAME)
                tail = tail if tail[0].isalpha() else f"A_{tail}"
                self.change("agency", f"SDMX agency {tail!r} derived from the publisher IRI")
                return tail
        if structure is not None:
            self.change("agency", f"the agency of the structure passed in, {structure.agency!r}")
            return structure.agency
        self.change("agency", "no publisher to take an SDMX agency from; 'UNKNOWN' is used")
        return "UNKNOWN"

    # -- structure -------------------------------------------------------------------------
    def structure(self, agency: str, dataset_id: str, title: dict[str, str]) -> DataStructure:
        concepts: list[Concept] = []
        parts: dict[str, list[Any]] = {"dimension": [], "attribute": []}
        raws: dict[Node, str] = {}
        for node in self.objects(self.d, STAT.dimension, STAT.attribute):
            notation = next(iter(self.objects(node, SKOS.notation)), None)
            label = self.name(node, RDFS.label, SKOS.prefLabel)
            raws[node] = (
                str(notation)
                if notation is not None
                else str(node)
                if isinstance(node, URIRef)
                else label or "C"
            )
        ids = unique_ids(
            [_candidate(self.names, n, raw, _NOT_NCNAME) for n, raw in raws.items()],
            taken={"OBS_VALUE"},
            allowed=lambda i: re.match(NCNAME_ID_PATTERN, i) is not None,
        )
        for kind, prop in (("dimension", STAT.dimension), ("attribute", STAT.attribute)):
            found = []
            for node in self.objects(self.d, prop):
                raw, cid = raws[node], ids[node]
                if isinstance(node, URIRef) and raw == str(node):
                    raw = _iri_tail(node)
                if cid != raw:
                    self.change(f"structure.{kind}", f"component {raw!r} read as {cid!r}")
                name = self.text(f"structure.{kind} name", node, RDFS.label, SKOS.prefLabel)
                found.append((cid, name or {self.default_language: cid}))
            for cid, name in sorted(found):
                concepts.append(Concept(id=cid, name=name))
                cls = Dimension if kind == "dimension" else Attribute
                parts[kind].append(cls(id=cid))
        if not parts["dimension"]:
            raise ReadError(
                self.shown(self.d),
                "has no data structure (no stat:dimension); supply one "
                "(structure= in Python, --structure on the command line)",
            )
        concepts.append(Concept(id="OBS_VALUE", name={"en": "Observation value"}))
        self.change("structure", "built from StatDCAT-AP stat:dimension/stat:attribute")
        return DataStructure(
            id=_sanitise(f"DSD_{dataset_id}", _NOT_SDMX),
            agency=agency,
            name=title,
            concepts=tuple(concepts),
            dimensions=tuple(parts["dimension"]),
            attributes=tuple(parts["attribute"]),
        )


def _role(node: Node) -> Role | None:
    tail = _iri_tail(node).removeprefix("role-")
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", tail).replace("-", "_").lower()
    try:
        return Role(snake)
    except ValueError:
        return None


def _numbered(base: str) -> Iterable[str]:
    yield base
    n = 2
    while True:
        yield f"{base}_{n}"
        n += 1


def _reason(exc: ValidationError) -> str:
    errors = exc.errors()
    return "; ".join(str(e["msg"]) for e in errors[:3]) if errors else str(exc)


def _curie(graph: Graph, iri: Node) -> str:
    """``prefix:name`` of a predicate in a namespace messages know (`PREFIXES`), else
    ``<iri>``: the same whatever prefixes the file binds."""
    return curie(iri)


def _is_url(text: str) -> bool:
    try:
        _URL.validate_python(text)
    except ValidationError:
        return False
    return True


_THEME = TypeAdapter(Theme)
_CONTACT = TypeAdapter(ContactPoint)
_RANGE = TypeAdapter(DateRange)
_AGENT = TypeAdapter(Agent)
_URL = TypeAdapter(AnyUrl)
_DISTRIBUTION = TypeAdapter(Distribution)
_CHECKSUM = TypeAdapter(Checksum)
_EXTENT = TypeAdapter(AreaExtent)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dataset_from_dcat(
    graph: Graph,
    node: URIRef | BNode,
    *,
    structure: DataStructure | None = None,
    dataset_id: str | None = None,
) -> CitizenDataset:
    """Read the ``dcat:Dataset`` ``node`` of ``graph``, written by any DCAT-AP publisher,
    into a [`CitizenDataset`][cdinterop.model.CitizenDataset] (observations empty).

    ``structure`` is the data structure of its observations; without it, one is built from
    StatDCAT-AP ``stat:dimension``/``stat:attribute`` (a
    [`ReadError`][cdinterop.errors.ReadError] if there are none). ``dataset_id`` replaces the
    id the data set would get on its own (a catalogue passes the one `dataset_ids()` gives,
    so that its ids stay unique). Every value dropped or changed is listed in the last
    provenance activity (see the module docstring).
    """
    return _Reader(graph, node, dataset_id=dataset_id).read(structure)
