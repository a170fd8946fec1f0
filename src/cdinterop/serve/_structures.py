"""Structure messages for structure queries: the artefacts of every served data set, by
message version, with the references between them.

For each version that [`cdinterop.sdmx.write_structure()`][cdinterop.sdmx.write_structure]
writes (SDMX-ML ``2.1`` and ``3.0``, and SDMX-JSON ``json-2.0`` / ``json-2.1`` once that
writer offers them: a version it refuses is simply not offered), the structure message of
each data set is written once and split into its maintainable artefacts (dataflows, data
structures, codelists, concept schemes, constraints), keyed by type, agency, id and
version; an artefact two data sets share (the SDMX cross-domain codelists) is kept once.
The references between artefacts are read from the messages themselves (SDMX-ML 2.1
``Ref`` elements, SDMX URNs in every version), so the ``references`` parameter follows
what the messages say.

A query's answer is a new message of the same version with the artefacts it selects,
whole or as stubs (``detail``), under the header of the first data set's message.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from cdinterop import sdmx
from cdinterop._safe_xml import parse_bytes
from cdinterop.errors import WriteError
from cdinterop.sdmx._internal import STRUCTURES_ORDER
from cdinterop.serve._catalogue import ServedCatalogue
from cdinterop.serve._errors import NO_RESULTS, SYNTAX_ERROR, ServiceError
from cdinterop.serve._query import STRUCTURE_REFERENCES, StructureQuery

log = logging.getLogger("cdinterop.serve")

__all__ = [
    "STRUCTURE_MEDIA_TYPES",
    "ArtefactKey",
    "StructurePool",
    "build_pools",
]

STRUCTURE_MEDIA_TYPES: dict[str, str] = {
    "2.1": "application/vnd.sdmx.structure+xml;version=2.1",
    "3.0": "application/vnd.sdmx.structure+xml;version=3.0.0",
    "json-2.0": "application/vnd.sdmx.structure+json;version=2.0.0",
    "json-2.1": "application/vnd.sdmx.structure+json;version=2.1.0",
}
"""The structure message versions the service tries (the arguments of
``sdmx.write_structure(..., version=...)``) and their media types."""

KNOWN_TYPES = frozenset(
    {
        "datastructure",
        "metadatastructure",
        "categoryscheme",
        "conceptscheme",
        "codelist",
        "hierarchy",
        "hierarchyassociation",
        "hierarchicalcodelist",
        "valuelist",
        "agencyscheme",
        "dataproviderscheme",
        "metadataproviderscheme",
        "dataconsumerscheme",
        "organisationunitscheme",
        "organisationscheme",
        "dataflow",
        "metadataflow",
        "reportingtaxonomy",
        "provisionagreement",
        "metadataprovisionagreement",
        "structuremap",
        "representationmap",
        "conceptschememap",
        "categoryschememap",
        "organisationschememap",
        "reportingtaxonomymap",
        "process",
        "categorisation",
        "dataconstraint",
        "metadataconstraint",
        "contentconstraint",
        "actualconstraint",
        "allowedconstraint",
        "attachmentconstraint",
        "availableconstraint",
        "structureset",
        "transformationscheme",
        "rulesetscheme",
        "userdefinedoperatorscheme",
        "customtypescheme",
        "namepersonalisationscheme",
        "vtlmappingscheme",
        "geographiccodelist",
        "geogridcodelist",
    }
)
"""Every artefact type of SDMX REST 1.x and 2.x structure queries."""
_CONSTRAINTS = frozenset(
    {
        "contentconstraint",
        "dataconstraint",
        "actualconstraint",
        "allowedconstraint",
        "availableconstraint",
    }
)
_ITEMS = {
    "concept": "conceptscheme",
    "code": "codelist",
    "category": "categoryscheme",
    "agency": "agencyscheme",
    "dataprovider": "dataproviderscheme",
    "dataconsumer": "dataconsumerscheme",
    "organisationunit": "organisationunitscheme",
    "metadataprovider": "metadataproviderscheme",
    "reportingcategory": "reportingtaxonomy",
    "dimension": "datastructure",
    "timedimension": "datastructure",
    "measuredimension": "datastructure",
    "attribute": "datastructure",
    "primarymeasure": "datastructure",
    "measure": "datastructure",
    "group": "datastructure",
    "groupdimensiondescriptor": "datastructure",
    "dimensiondescriptor": "datastructure",
    "attributedescriptor": "datastructure",
    "measuredescriptor": "datastructure",
}
"""Item and component classes, to the maintainable type that holds them."""
_URN = re.compile(
    r"urn:sdmx:org\.sdmx\.infomodel\.[A-Za-z]+\.([A-Za-z]+)=([A-Za-z0-9_.\-@$]+):"
    r"([A-Za-z0-9_@$\-]+)\(([A-Za-z0-9.+\-~*]+)\)"
)
_CLOSURES: dict[str, tuple[bool, int | None]] = {
    "children": (False, 1),
    "descendants": (False, None),
    "parents": (True, 1),
    "ancestors": (True, None),
}
"""``references`` keywords that follow references one way: upwards (to the artefacts that
refer to the matched ones) or not, and how many steps (``None``: all)."""
_STUB = {"Name"}
_COMPLETE_STUB = {"Name", "Description", "Annotations"}
_JSON_STUB = {"id", "agencyID", "version", "name", "names", "urn", "isExternalReference"}
_JSON_COMPLETE_STUB = _JSON_STUB | {"description", "descriptions", "annotations"}


@dataclass(frozen=True, order=True)
class ArtefactKey:
    """A maintainable artefact: its REST type (``codelist``, ``dataflow`` ...), agency, id
    and version."""

    kind: str
    agency: str
    id: str
    version: str

    def __str__(self) -> str:
        return f"{self.kind} {self.agency}:{self.id}({self.version})"


def _kind(class_name: str) -> str:
    lowered = class_name.lower()
    return _ITEMS.get(lowered, lowered)


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _ref_key(node: Any) -> ArtefactKey | None:
    """The maintainable artefact an SDMX-ML 2.1 ``Ref`` element points at (that of its
    maintainable parent for an item), or ``None`` for another element."""
    if _local(node.tag) != "Ref" or not node.get("agencyID") or not node.get("class"):
        return None
    kind = _kind(node.get("class"))
    parent = node.get("maintainableParentID")
    if parent:
        version = node.get("maintainableParentVersion") or "1.0"
        return ArtefactKey(kind, node.get("agencyID"), parent, version)
    if node.get("id"):
        return ArtefactKey(kind, node.get("agencyID"), node.get("id"), node.get("version") or "1.0")
    return None


def _urn_keys(node: Any) -> set[ArtefactKey]:
    """The artefacts the SDMX URNs in an element's text and attributes (but ``urn``, its
    own) point at."""
    found: set[ArtefactKey] = set()
    texts = [node.text or "", *(v for k, v in node.attrib.items() if k != "urn")]
    for text in texts:
        if "urn:sdmx:" in text:
            found.update(ArtefactKey(_kind(c), a, i, v) for c, a, i, v in _URN.findall(text))
    return found


def _xml_references(element: Any) -> set[ArtefactKey]:
    """The artefacts an SDMX-ML artefact refers to (``Ref`` elements and URNs)."""
    found: set[ArtefactKey] = set()
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        ref = _ref_key(node)
        if ref is not None:
            found.add(ref)
        found |= _urn_keys(node)
    return found


def _json_references(value: Any) -> set[ArtefactKey]:
    text = json.dumps(value, ensure_ascii=False)
    return {ArtefactKey(_kind(c), a, i, v) for c, a, i, v in _URN.findall(text)}


def _json_kind(list_name: str) -> str:
    lowered = list_name.lower()
    if lowered.endswith("ies"):
        return lowered[:-3] + "y"
    return lowered[:-1] if lowered.endswith("s") else lowered


def _version_key(version: str) -> str:
    parts = version.split(".")
    while len(parts) > 1 and parts[-1] == "0":
        parts.pop()
    return ".".join(parts)


class StructurePool:
    """The artefacts of one structure message version, over every served data set."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.is_json = version.startswith("json")
        self.artefacts: dict[ArtefactKey, Any] = {}
        self.containers: dict[ArtefactKey, Any] = {}
        self.references: dict[ArtefactKey, set[ArtefactKey]] = {}
        self.referenced_by: dict[ArtefactKey, set[ArtefactKey]] = {}
        self.origins: dict[ArtefactKey, Any] = {}
        """The message each artefact came from (its header heads the answers that start
        with it)."""
        self._lock = threading.Lock()

    # -- building --------------------------------------------------------------------
    def add_message(self, data: bytes, source: str) -> None:
        """Add the artefacts of one structure message (those already there are kept)."""
        if self.is_json:
            self._add_json_message(json.loads(data))
        else:
            self._add_xml_message(parse_bytes(data, source))

    def _keep(self, key: ArtefactKey, artefact: Any, container: Any, origin: Any) -> bool:
        """Keep ``artefact`` under ``key`` unless one is already there; whether it was
        kept."""
        if key in self.artefacts:
            return False
        self.artefacts[key] = artefact
        self.containers[key] = container
        self.origins[key] = origin
        return True

    def _add_json_message(self, message: Any) -> None:
        """Add the artefacts of an SDMX-JSON structure message (partial item schemes met
        again are merged)."""
        for list_name, items in (message.get("data") or {}).items():
            if not isinstance(items, list):
                continue
            for item in items:
                key = ArtefactKey(
                    _json_kind(list_name),
                    str(item.get("agencyID")),
                    str(item.get("id")),
                    str(item.get("version", "1.0")),
                )
                if self._keep(key, item, list_name, message):
                    continue
                if item.get("isPartial") and self.artefacts[key].get("isPartial"):
                    _merge_json_items(self.artefacts[key], item)

    def _add_xml_message(self, root: Any) -> None:
        """Add the artefacts of an SDMX-ML structure message (partial item schemes met
        again are merged)."""
        structures = next((c for c in root if _local(c.tag) == "Structures"), None)
        for container in structures if structures is not None else ():
            for element in container:
                if not isinstance(element.tag, str) or element.get("id") is None:
                    continue
                key = ArtefactKey(
                    _local(element.tag).lower(),
                    element.get("agencyID", ""),
                    element.get("id"),
                    element.get("version", "1.0"),
                )
                if self._keep(key, element, container.tag, root):
                    continue
                if element.get("isPartial") == "true" == self.artefacts[key].get("isPartial"):
                    _merge_xml_items(self.artefacts[key], element)

    def link(self) -> None:
        """Read the references between the artefacts (after every message is added)."""
        by_loose = {(k.kind, k.agency, k.id, _version_key(k.version)): k for k in self.artefacts}
        for key, artefact in self.artefacts.items():
            raw = _json_references(artefact) if self.is_json else _xml_references(artefact)
            targets: set[ArtefactKey] = set()
            for ref in raw:
                target = self._target(ref, by_loose)
                if target is not None and target != key:
                    targets.add(target)
            self.references[key] = targets
            for target in targets:
                self.referenced_by.setdefault(target, set()).add(key)

    def _target(
        self, ref: ArtefactKey, by_loose: dict[tuple[str, str, str, str], ArtefactKey]
    ) -> ArtefactKey | None:
        """The artefact of the pool a reference points at: the same key, else the same
        version written otherwise (``1.0`` = ``1.0.0``), else for a constraint any
        constraint of that agency and id; ``None`` when the pool has none."""
        if ref in self.artefacts:
            return ref
        target = by_loose.get((ref.kind, ref.agency, ref.id, _version_key(ref.version)))
        if target is None and ref.kind in _CONSTRAINTS:
            target = next(
                (
                    k
                    for k in self.artefacts
                    if k.kind in _CONSTRAINTS and (k.agency, k.id) == (ref.agency, ref.id)
                ),
                None,
            )
        return target

    # -- queries ---------------------------------------------------------------------
    def select(self, query: StructureQuery) -> list[tuple[ArtefactKey, str]]:
        """The artefacts a query returns, each with ``"full"``, ``"stub"`` or
        ``"completestub"``; a [`ServiceError`][cdinterop.serve.ServiceError] 404 when it
        matches none."""
        types = _expand_types(query.types)
        candidates = [k for k in self.artefacts if types is None or k.kind in types]
        matched = query.selector.pick(candidates, key=lambda k: (k.agency, k.id, k.version))
        if not matched:
            raise ServiceError(NO_RESULTS, "no structure matches the query")
        extra: set[ArtefactKey] = set()
        for reference in query.references.split(","):
            extra |= self._related(matched, reference)
        extra -= set(matched)
        detail = query.detail
        main = {"allstubs": "stub", "allcompletestubs": "completestub"}.get(detail, "full")
        referenced = {
            "allstubs": "stub",
            "allcompletestubs": "completestub",
            "referencestubs": "stub",
            "referencecompletestubs": "completestub",
        }.get(detail, "full")
        ordered = [k for k in self.artefacts if k in extra]
        return [(k, main) for k in matched] + [(k, referenced) for k in ordered]

    def _closure(
        self,
        start: Iterable[ArtefactKey],
        edges: dict[ArtefactKey, set[ArtefactKey]],
        *,
        depth: int | None,
    ) -> set[ArtefactKey]:
        seen: set[ArtefactKey] = set()
        frontier = set(start)
        level = 0
        while frontier and (depth is None or level < depth):
            frontier = {t for k in frontier for t in edges.get(k, ())} - seen
            seen |= frontier
            level += 1
        return seen

    def _parents_and_siblings(self, matched: Sequence[ArtefactKey]) -> set[ArtefactKey]:
        """The artefacts that refer to the matched ones, and those these refer to."""
        parents = self._closure(matched, self.referenced_by, depth=1)
        return parents | self._closure(parents, self.references, depth=1)

    def _keyword_related(self, matched: Sequence[ArtefactKey], reference: str) -> set[ArtefactKey]:
        """The artefacts a ``references`` keyword (``children``, ``all`` ...) adds."""
        down, up = self.references, self.referenced_by
        if reference == "none":
            return set()
        if reference in _CLOSURES:
            upwards, depth = _CLOSURES[reference]
            return self._closure(matched, up if upwards else down, depth=depth)
        related = self._parents_and_siblings(matched)
        if reference == "all":
            related |= self._closure(matched, down, depth=None)
        return related

    def _related(self, matched: Sequence[ArtefactKey], reference: str) -> set[ArtefactKey]:
        """The artefacts one value of ``references`` adds to the matched ones: a keyword,
        or an artefact type (the artefacts of that type among every descendant and
        ancestor)."""
        if reference in STRUCTURE_REFERENCES:
            return self._keyword_related(matched, reference)
        kinds = _expand_types(frozenset({reference}))
        if reference not in KNOWN_TYPES:
            raise ServiceError(SYNTAX_ERROR, f"references={reference!r} is not a references value")
        down, up = self.references, self.referenced_by
        every = self._closure(matched, down, depth=None) | self._closure(matched, up, depth=None)
        return {k for k in every if kinds is None or k.kind in kinds}

    # -- writing ---------------------------------------------------------------------
    def render(self, selection: Sequence[tuple[ArtefactKey, str]]) -> bytes:
        """The message holding ``selection`` (from `select()`)."""
        if self.is_json:
            return self._render_json(selection)
        with self._lock:  # lxml trees are copied from one thread at a time
            return self._render_xml(selection)

    def _render_xml(self, selection: Sequence[tuple[ArtefactKey, str]]) -> bytes:
        base = self.origins[selection[0][0]]
        root = etree.Element(base.tag, nsmap=base.nsmap)
        for child in base:
            if _local(child.tag) == "Header":
                root.append(copy.deepcopy(child))
        structures_tag = next(c.tag for c in base if _local(c.tag) == "Structures")
        structures = etree.SubElement(root, structures_tag)
        by_container: dict[str, list[Any]] = {}
        for key, detail in selection:
            element = self.artefacts[key]
            by_container.setdefault(self.containers[key], []).append(_xml_stub(element, detail))
        order = STRUCTURES_ORDER.get(self.version, [])  # the official XSDs' order
        tags = sorted(
            by_container,
            key=lambda t: order.index(_local(t)) if _local(t) in order else len(order),
        )
        for tag in tags:
            container = etree.SubElement(structures, tag)
            for element in by_container[tag]:
                container.append(element)
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    def _render_json(self, selection: Sequence[tuple[ArtefactKey, str]]) -> bytes:
        data: dict[str, list[Any]] = {}
        for key, detail in selection:
            item = self.artefacts[key]
            if detail != "full":
                kept = _JSON_STUB if detail == "stub" else _JSON_COMPLETE_STUB
                item = {k: v for k, v in item.items() if k in kept}
                item["isExternalReference"] = True
            data.setdefault(self.containers[key], []).append(item)
        base = self.origins[selection[0][0]]
        message = {k: v for k, v in base.items() if k != "data"}
        message["data"] = data
        return json.dumps(message, ensure_ascii=False).encode("utf-8")


def _merge_xml_items(kept: Any, other: Any) -> None:
    """Add to a partial item scheme the items another partial copy of it has (two data
    sets may each carry the codes they use of the same SDMX codelist)."""
    have = {(c.tag, c.get("id")) for c in kept if isinstance(c.tag, str) and c.get("id")}
    for child in other:
        if (
            isinstance(child.tag, str)
            and child.get("id")
            and (child.tag, child.get("id")) not in have
        ):
            kept.append(copy.deepcopy(child))


def _merge_json_list(kept: list[Any], items: list[Any]) -> None:
    """Add to ``kept`` the items (objects with an ``id``) of ``items`` it lacks."""
    have = {i.get("id") for i in kept if isinstance(i, dict)}
    kept.extend(i for i in items if isinstance(i, dict) and i.get("id") and i.get("id") not in have)


def _merge_json_items(kept: dict[str, Any], other: dict[str, Any]) -> None:
    """`_merge_xml_items()` for SDMX-JSON: the lists of items (``codes``, ``concepts`` ...)."""
    for name, items in other.items():
        if isinstance(items, list) and isinstance(kept.get(name), list):
            _merge_json_list(kept[name], items)


def _xml_stub(element: Any, detail: str) -> Any:
    if detail == "full":
        return copy.deepcopy(element)
    kept = _STUB if detail == "stub" else _COMPLETE_STUB
    stub = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    stub.set("isExternalReference", "true")
    for child in element:
        if isinstance(child.tag, str) and _local(child.tag) in kept:
            stub.append(copy.deepcopy(child))
    return stub


def _expand_types(types: frozenset[str] | None) -> frozenset[str] | None:
    if types is None:
        return None
    unknown = sorted(t for t in types if t not in KNOWN_TYPES)
    if unknown:
        raise ServiceError(
            SYNTAX_ERROR,
            f"{', '.join(unknown)} is not an SDMX structure type (e.g. dataflow, "
            "datastructure, codelist, conceptscheme)",
        )
    expanded = set(types)
    if types & _CONSTRAINTS:
        expanded |= _CONSTRAINTS
    return frozenset(expanded)


def build_pools(catalogue: ServedCatalogue) -> dict[str, StructurePool]:
    """A pool per structure message version that at least one served data set can be
    written in (versions ``write_structure`` does not know are left out)."""
    pools: dict[str, StructurePool] = {}
    for version in STRUCTURE_MEDIA_TYPES:
        pool = StructurePool(version)
        for served in catalogue:
            buffer = io.BytesIO()
            try:
                sdmx.write_structure(served.dataset, buffer, version=version)
            except WriteError as exc:  # the version cannot express it, or is not written
                log.info("no %s structure message for %s: %s", version, served.folder, exc)
                continue
            except Exception as exc:  # a writer that fails must not stop the service
                log.warning("no %s structure message for %s: %r", version, served.folder, exc)
                continue
            pool.add_message(buffer.getvalue(), f"{served.folder} ({version})")
        if pool.artefacts:
            pool.link()
            pools[version] = pool
    return pools
