"""Reading data sets and catalogues back from a DCAT graph.

A ``dcat:Dataset`` that cdinterop wrote carries ``cdi:structureJson``: its DCAT core fields
are read from the triples and the rest (and the exact forms) from the ``cdi:*Json``
literals, so the round trip is exact. Any other ``dcat:Dataset`` (a portal's catalogue) is
read tolerantly by `cdinterop.dcat._third_party.dataset_from_dcat()`.
"""

from __future__ import annotations

import json
from typing import Any

import langcodes
from pydantic import ValidationError
from rdflib import DCAT, DCTERMS, FOAF, RDF, SKOS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from cdinterop import limits
from cdinterop.dcat._nodes import NodeNames, iri_segments
from cdinterop.dcat._vocab import (
    ACCESS_RIGHT,
    ACCESS_RIGHTS,
    CDI,
    COUNTRY,
    DATA_THEME,
    FREQUENCIES,
    FREQUENCY,
    LANGUAGE,
    SDG,
    SPDX_LICENCE,
    VCARD,
)
from cdinterop.dcat._writing import DCAT_VERSION, PARTS, TRIPLE_COUNTS
from cdinterop.errors import InvalidDatasetError, ReadError, issues_from_pydantic
from cdinterop.limits import LimitExceeded
from cdinterop.model import (
    Agent,
    AgentKind,
    Catalog,
    CitizenDataset,
    ContactPoint,
    DataStructure,
    DateRange,
    Frequency,
    Theme,
    ThemeScheme,
)
from cdinterop.model._internal import TOO_DEEP

__all__ = ["catalog_from_graph", "dataset_from_node", "datasets_from_graph", "from_graph"]


def _one(g: Graph, s: Node, p: Node) -> Node | None:
    return next(iter(g.objects(s, p)), None)


def _texts(g: Graph, s: Node, p: Node) -> dict[str, str] | None:
    out = {o.language or "en": str(o) for o in g.objects(s, p) if isinstance(o, Literal)}
    return out or None


def _tail(iri: Node, ns: str) -> str | None:
    text = str(iri)
    return text[len(ns) :] if text.startswith(ns) else None


def _name(node: Node, graph: Graph) -> str:
    """How errors name a node: ``<iri>``, or a blank node by its type and label (never by
    its blank-node label)."""
    if isinstance(node, BNode):
        return NodeNames(graph).describe(node)
    return f"<{node}>"


def from_graph(graph: Graph, *, structure: DataStructure | None = None) -> CitizenDataset:
    """Read the single ``dcat:Dataset`` of ``graph`` into a
    [`CitizenDataset`][cdinterop.model.CitizenDataset]
    (without observations). ``structure`` supplies the data structure of a data set that
    cdinterop did not write and that names none (no ``stat:dimension``)."""
    datasets = list(dict.fromkeys(graph.subjects(RDF.type, DCAT.Dataset)))
    if len(datasets) != 1:
        hint = (
            "; read a catalogue with catalog_from_graph, or every data set with datasets_from_graph"
            if datasets
            else ""
        )
        raise ReadError("graph", f"expected one dcat:Dataset, found {len(datasets)}{hint}")
    return dataset_from_node(graph, datasets[0], structure=structure)


def datasets_from_graph(
    graph: Graph, *, structure: DataStructure | None = None
) -> tuple[CitizenDataset, ...]:
    """Every ``dcat:Dataset`` of ``graph``, whether a catalogue lists it or not (a file of
    several data sets without a ``dcat:Catalog``, or a catalogue that DCAT-AP would refuse,
    such as one without a publisher). Their ids are unique: data sets that cdinterop did
    not write and whose ids collide get longer ones (see `from_graph()` for
    ``structure``). In a stable order: by IRI, then blank nodes by content."""
    names = NodeNames(graph)
    nodes = names.sorted(dict.fromkeys(graph.subjects(RDF.type, DCAT.Dataset)))
    return tuple(_read_datasets(graph, nodes, structure))


def _read_datasets(
    graph: Graph, nodes: list[Node], structure: DataStructure | None
) -> list[CitizenDataset]:
    """Read ``nodes``, the ids of those cdinterop did not write made unique among all."""
    from cdinterop.dcat._third_party import dataset_ids

    ours = [d for d in nodes if _one(graph, d, CDI.structureJson) is not None]
    taken = {str(_one(graph, d, DCTERMS.identifier)) for d in ours}
    ids = dataset_ids(graph, [d for d in nodes if d not in ours], taken=taken)
    return [dataset_from_node(graph, d, structure=structure, dataset_id=ids.get(d)) for d in nodes]


def dataset_from_node(
    graph: Graph,
    d: Node,
    *,
    structure: DataStructure | None = None,
    dataset_id: str | None = None,
) -> CitizenDataset:
    """Read the ``dcat:Dataset`` ``d`` of ``graph``. ``dataset_id`` is the id a data set that
    cdinterop did not write gets instead of its own (to keep the ids of a catalogue unique,
    see `cdinterop.dcat._third_party.dataset_ids()`)."""
    if _one(graph, d, CDI.structureJson) is None:
        from cdinterop.dcat._third_party import dataset_from_dcat

        _refuse_incomplete(graph, d)
        if isinstance(d, Literal):
            raise ReadError(str(d), "a literal, not a dcat:Dataset")
        assert isinstance(d, URIRef | BNode)
        return dataset_from_dcat(graph, d, structure=structure, dataset_id=dataset_id)
    _check_mandatory(graph, d)
    try:
        return CitizenDataset.model_validate(_fields(graph, d))
    except ValidationError as exc:  # located issues, as every reader reports a broken rule
        raise InvalidDatasetError(
            issues_from_pydantic(exc), context=f"data set {_name(d, graph)}"
        ) from None
    except (ValueError, LookupError) as exc:
        raise ReadError(_name(d, graph), f"not a valid data set: {exc}") from None


def _refuse_incomplete(graph: Graph, d: Node) -> None:
    """A data set node that keeps one of cdinterop's ``cdi:*Json`` literals (written for
    every data set: ``cdi:coreJson``, ``cdi:provenanceJson``, ...) but has no
    ``cdi:structureJson`` is a description cdinterop wrote that lost triples (a truncated
    file): a `ReadError` naming it, instead of reading what is left as another publisher's
    DCAT. (A graph stripped of every ``cdi:*Json`` literal is read as a portal's.)"""
    kept = sorted(
        graph.namespace_manager.normalizeUri(str(p))
        for p in set(graph.predicates(d, None))
        if str(p).startswith(str(CDI)) and str(p).endswith("Json")
    )
    if kept:
        raise ReadError(
            _name(d, graph),
            f"has {', '.join(kept)} but no cdi:structureJson: a description cdinterop wrote, "
            f"incomplete (truncated?); {len(graph):,} triples were read",
        )


def _check_counts(graph: Graph, d: Node, counts: Any) -> None:
    """A `ReadError` when the data set node has fewer triples of a property than the
    writer counted into ``cdi:coreJson`` (a description cut short, e.g. an N-Triples file
    cut at a line end): what is left would read as a data set with fields missing.
    Triples added since (a portal's keywords) are welcome."""
    if not isinstance(counts, dict):
        return
    lost = []
    for prop, expected in counts.items():
        found = sum(1 for _ in graph.objects(d, URIRef(str(prop))))
        if isinstance(expected, int) and found < expected:
            name = graph.namespace_manager.normalizeUri(str(prop))
            lost.append(f"{name} ({found} of {expected})")
    if lost:
        raise ReadError(
            _name(d, graph),
            f"the description lost triples cdinterop wrote: {', '.join(lost[:5])}"
            f"{', ...' if len(lost) > 5 else ''} (a truncated file?)",
        )


def _check_mandatory(graph: Graph, d: Node) -> None:
    """A clear `ReadError` for each triple the model needs that a graph cdinterop wrote (and
    someone then edited) lacks, instead of the model's validation text."""
    dataset = "the dcat:Dataset"  # the ReadError names the node
    if not any(isinstance(o, Literal) and str(o).strip() for o in graph.objects(d, DCTERMS.title)):
        raise ReadError(_name(d, graph), f"{dataset} has no dct:title (DCAT-AP requires one)")
    identifier = _one(graph, d, DCTERMS.identifier)
    if identifier is None or not str(identifier).strip():
        raise ReadError(
            _name(d, graph), f"{dataset} has no dct:identifier (cdinterop writes its id there)"
        )
    core = _json_literal(graph, d, CDI.coreJson)
    if not isinstance(core, dict) or not core.get("agency"):
        raise ReadError(
            _name(d, graph),
            f"{dataset} has no cdi:coreJson with the SDMX agency (cdinterop writes one)",
        )
    publisher = _one(graph, d, DCTERMS.publisher)
    if publisher is not None and _one(graph, publisher, DCTERMS.identifier) is None:
        raise ReadError(
            _name(d, graph),
            f"{dataset} has a dct:publisher {_name(publisher, graph)} without dct:identifier "
            "(cdinterop writes the agent id there)",
        )


def _keywords(graph: Graph, d: Node) -> dict[str, tuple[str, ...]]:
    """The ``dcat:keyword`` literals by language (``en`` when untagged), sorted."""
    keywords: dict[str, list[str]] = {}
    for kw in graph.objects(d, DCAT.keyword):
        if isinstance(kw, Literal):
            keywords.setdefault(kw.language or "en", []).append(str(kw))
    return {k: tuple(sorted(v)) for k, v in keywords.items()}


def _description_fields(graph: Graph, d: Node) -> dict[str, Any]:
    """Id, title, description, keywords, themes and languages of a data set node."""
    flagged = (d, CDI.descriptionIsTitle, Literal(True)) in graph
    return {
        "id": str(_one(graph, d, DCTERMS.identifier)),
        "title": _texts(graph, d, DCTERMS.title),
        "description": None if flagged else _texts(graph, d, DCTERMS.description),
        "keywords": _keywords(graph, d),
        "themes": tuple(_read_theme(graph, t) for t in graph.objects(d, DCAT.theme)),
        "languages": tuple(
            langcodes.Language.get(str(_tail(lang, str(LANGUAGE))).lower()).to_tag()
            for lang in graph.objects(d, DCTERMS.language)
        ),
    }


def _rights_fields(graph: Graph, d: Node) -> dict[str, Any]:
    """The licence (SPDX id) and access rights of a data set node, where given."""
    fields: dict[str, Any] = {}
    licence = _one(graph, d, DCTERMS.license)
    if licence is not None:
        fields["licence"] = _tail(licence, str(SPDX_LICENCE))
    rights = _one(graph, d, DCTERMS.accessRights)
    if rights is not None:
        by_code = {v: k for k, v in ACCESS_RIGHTS.items()}
        fields["access_rights"] = by_code[str(_tail(rights, str(ACCESS_RIGHT)))]
    return fields


def _contact_point(graph: Graph, contact: Node) -> ContactPoint:
    """The contact point a vCard node describes."""
    email = _one(graph, contact, VCARD.hasEmail)
    url = _one(graph, contact, VCARD.hasURL)
    return ContactPoint(
        name=str(_one(graph, contact, VCARD.fn)),
        email=str(email).removeprefix("mailto:") if email is not None else None,
        url=str(url) if url is not None else None,
    )


def _party_fields(graph: Graph, d: Node) -> dict[str, Any]:
    """The publisher's agent id, the contact point and the landing page, where given."""
    fields: dict[str, Any] = {}
    publisher = _one(graph, d, DCTERMS.publisher)
    if publisher is not None:
        fields["publisher"] = str(_one(graph, publisher, DCTERMS.identifier))
    contact = _one(graph, d, DCAT.contactPoint)
    if contact is not None:
        fields["contact_point"] = _contact_point(graph, contact)
    page = _one(graph, d, DCAT.landingPage)
    if page is not None:
        fields["landing_page"] = str(page)
    return fields


def _coverage_fields(graph: Graph, d: Node) -> dict[str, Any]:
    """Temporal coverage (where given) and spatial coverage of a data set node."""
    fields: dict[str, Any] = {}
    period = _one(graph, d, DCTERMS.temporal)
    if period is not None:
        start = _one(graph, period, DCAT.startDate)
        end = _one(graph, period, DCAT.endDate)
        fields["temporal_coverage"] = DateRange(
            start=str(start) if start is not None else None,
            end=str(end) if end is not None else None,
        )
    fields["spatial_coverage"] = tuple(
        str(_one(graph, loc, DCTERMS.identifier) or _tail(loc, str(COUNTRY)))
        for loc in graph.objects(d, DCTERMS.spatial)
    )
    return fields


def _frequency_fields(graph: Graph, d: Node) -> dict[str, Any]:
    """The frequency: the SDMX one cdinterop wrote, else the EU frequency's, where given."""
    freq = _one(graph, d, CDI.sdmxFrequency)
    if freq is not None:
        return {"frequency": Frequency(str(freq))}
    eu = _one(graph, d, DCTERMS.accrualPeriodicity)
    if eu is None:
        return {}
    by_eu = {v: k for k, v in reversed(FREQUENCIES.items())}
    return {"frequency": by_eu.get(str(_tail(eu, str(FREQUENCY))))}


def _literal_fields(graph: Graph, d: Node) -> dict[str, Any]:
    """Issued, modified, version and citation of a data set node, as text, where given."""
    fields: dict[str, Any] = {}
    for prop, name in (
        (DCTERMS.issued, "issued"),
        (DCTERMS.modified, "modified"),
        (DCAT_VERSION, "version"),
        (DCTERMS.bibliographicCitation, "citation"),
    ):
        value = _one(graph, d, prop)
        if value is not None:
            fields[name] = str(value)
    return fields


def _json_fields(graph: Graph, d: Node) -> dict[str, Any]:
    """The fields cdinterop wrote as ``cdi:*Json`` literals (checked against the triple
    counts of ``cdi:coreJson``)."""
    core = dict(_json_literal(graph, d, CDI.coreJson) or {})
    _check_counts(graph, d, core.pop(TRIPLE_COUNTS, None))
    fields: dict[str, Any] = dict(core)
    fields["structure"] = _json_literal(graph, d, CDI.structureJson)
    for part in ("provenance", *PARTS):
        value = _json_literal(graph, d, CDI[f"{part}Json"])
        if value is not None:
            fields[part] = value
    return fields


def _fields(graph: Graph, d: Node) -> dict[str, Any]:
    """The fields of a data set node cdinterop wrote: DCAT triples, then ``cdi:*Json``."""
    fields: dict[str, Any] = {}
    fields.update(_description_fields(graph, d))
    fields.update(_rights_fields(graph, d))
    fields.update(_party_fields(graph, d))
    fields.update(_coverage_fields(graph, d))
    fields.update(_frequency_fields(graph, d))
    fields.update(_literal_fields(graph, d))
    fields.update(_json_fields(graph, d))
    return fields


def _json_literal(graph: Graph, node: Node, prop: Node) -> Any:
    value = _one(graph, node, prop)
    if value is None:
        return None
    text = str(value)
    name = graph.namespace_manager.normalizeUri(str(prop))
    try:
        limits.check_json_nesting(text, _name(node, graph))
        return json.loads(text)
    except LimitExceeded as exc:
        raise LimitExceeded(exc.source, f"{name}: {exc.what}", exc.limit, exc.value) from None
    except json.JSONDecodeError as exc:
        raise ReadError(_name(node, graph), f"{name} is not valid JSON: {exc.msg}") from None
    except ValueError as exc:  # an integer longer than Python converts
        reason = str(exc).split(";")[0]
        raise ReadError(_name(node, graph), f"{name} is not readable JSON: {reason}") from None
    except RecursionError:
        raise ReadError(_name(node, graph), f"{name}: {TOO_DEEP}") from None


def _read_theme(g: Graph, iri: Node) -> Theme:
    eu = _tail(iri, str(DATA_THEME))
    if eu is not None:
        return Theme(scheme=ThemeScheme.EU_DATA_THEME, code=eu)
    code = str(_tail(iri, str(SDG)))
    scheme = (ThemeScheme.SDG_GOAL, ThemeScheme.SDG_TARGET, ThemeScheme.SDG_INDICATOR)[
        min(code.count("."), 2)
    ]
    return Theme(scheme=scheme, code=code, label=_texts(g, iri, SKOS.prefLabel))


def catalog_from_graph(graph: Graph, *, structure: DataStructure | None = None) -> Catalog:
    """Read the single ``dcat:Catalog`` of ``graph`` with every data set it lists (in the
    order cdinterop wrote them; other catalogues in IRI order). ``structure`` is passed on
    to data sets that name none (see [`from_graph()`][cdinterop.dcat.from_graph])."""
    catalogs = sorted(graph.subjects(RDF.type, DCAT.Catalog), key=str)
    if len(catalogs) != 1:
        raise ReadError("graph", f"expected one dcat:Catalog, found {len(catalogs)}")
    c = catalogs[0]
    names = NodeNames(graph)
    listed = dict.fromkeys(o for o in graph.objects(c, DCAT.dataset) if not isinstance(o, Literal))
    datasets = _read_datasets(graph, names.sorted(listed), structure)
    fields = _json_literal(graph, c, CDI.catalogJson)
    if fields is None:
        fields = _foreign_catalog(graph, c)
    order = {ds_id: i for i, ds_id in enumerate(fields.pop("datasets", []))}
    datasets.sort(key=lambda ds: order.get(ds.id, len(order)))
    try:
        return Catalog.model_validate({**fields, "datasets": tuple(datasets)})
    except ValidationError as exc:
        raise InvalidDatasetError(
            issues_from_pydantic(exc), context=f"catalogue {_name(c, graph)}"
        ) from None
    except ValueError as exc:
        raise ReadError(_name(c, graph), f"not a valid catalogue: {exc}") from None


def _foreign_catalog(graph: Graph, c: Node) -> dict[str, Any]:
    """The fields of a catalogue cdinterop did not write."""
    title = _texts(graph, c, DCTERMS.title)
    if title is None:
        raise ReadError(_name(c, graph), "the catalogue has no dct:title")
    publisher = _one(graph, c, DCTERMS.publisher)
    if publisher is None:
        raise ReadError(
            _name(c, graph),
            "the catalogue has no dct:publisher (DCAT-AP requires one, and so does "
            "cdinterop's Catalog)",
        )
    identifier = _one(graph, c, DCTERMS.identifier)
    homepage = _one(graph, c, FOAF.homepage)
    return {
        "id": _local_id(str(identifier) if identifier is not None else _node_text(c, "catalog")),
        "title": title,
        "description": _texts(graph, c, DCTERMS.description) or title,
        "publisher": _foreign_publisher(graph, publisher),
        "homepage": str(homepage) if homepage is not None else None,
        "languages": tuple(
            langcodes.Language.get(str(_tail(lang, str(LANGUAGE))).lower()).to_tag()
            for lang in graph.objects(c, DCTERMS.language)
            if _tail(lang, str(LANGUAGE))
        ),
        **_foreign_catalog_dates(graph, c),
    }


def _foreign_publisher(graph: Graph, publisher: Node) -> Agent:
    """The publisher of a catalogue cdinterop did not write, an organisation: its id from
    its ``dct:identifier``, else (a blank node) its name, else its IRI."""
    name = _one(graph, publisher, FOAF.name)
    publisher_id = _one(graph, publisher, DCTERMS.identifier)
    if publisher_id is not None:
        ident = str(publisher_id)
    elif name is not None and isinstance(publisher, BNode):
        ident = str(name)
    else:
        ident = _node_text(publisher, "publisher")
    return Agent(
        id=_local_id(ident),
        kind=AgentKind.ORGANISATION,
        name=str(name) if name is not None else _node_text(publisher, "publisher"),
        pseudonymous=False,  # an organisation named in public metadata
    )


def _foreign_catalog_dates(graph: Graph, c: Node) -> dict[str, Any]:
    """Licence, issued and modified of a catalogue cdinterop did not write, read as the
    data sets' are (SPDX, EU and Creative Commons licences; dates or dateTimes)."""
    from functools import partial

    from cdinterop.dcat._third_party import _Reader

    if not isinstance(c, URIRef | BNode):
        return {}
    reader = _Reader(graph, c)
    fields: dict[str, Any] = {
        "licence": reader.one(
            "licence", reader.objects(c, DCTERMS.license), partial(reader.licence, "licence")
        ),
        "issued": reader.one_date("issued", reader.objects(c, DCTERMS.issued)),
        "modified": reader.one_date("modified", reader.objects(c, DCTERMS.modified)),
    }
    if fields["issued"] and fields["modified"] and fields["issued"] > fields["modified"]:
        fields["modified"] = None
    return fields


def _node_text(node: Node, fallback: str) -> str:
    """An IRI's text, or ``fallback`` for a blank node (never its label)."""
    return str(node) if isinstance(node, URIRef) else fallback


def _local_id(text: str) -> str:
    """An SDMX-safe id from an identifier, a name or the last segment of an IRI."""
    segments = iri_segments(text) if "://" in text or text.startswith("urn:") else [text]
    tail = segments[-1] if segments else text
    cleaned = "".join(ch if (ch.isalnum() and ch.isascii()) or ch in "_-@$" else "_" for ch in tail)
    return cleaned.strip("_")[:40].strip("_") or "catalog"
