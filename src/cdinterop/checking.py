"""Checking files of any supported kind: the registry behind ``cdinterop validate``.

Each [`Checker`][cdinterop.checking.Checker] recognises its files from their first bytes and returns
every problem as located [`Issue`][cdinterop.errors.Issue] objects. Format packages contribute
checkers here; the CLI only calls [`checker_for()`][cdinterop.checking.checker_for] and
[`check_file()`][cdinterop.checking.check_file].

RDF files (DCAT descriptions: Turtle, JSON-LD, RDF/XML, N-Triples) are checked against SHACL shapes:
the project's own ``cdi:`` shapes, plus any shapes files given in
[`CheckOptions`][cdinterop.checking.CheckOptions] (e.g. the official DCAT-AP ones). SHACL warnings
and infos are reported as issues with the codes ``shacl-warning`` and ``shacl-info``; they do not
make a file invalid.

SDMX data are checked against the structure they name first (see
[`cdinterop.sdmx.read()`][cdinterop.sdmx.read]): another DSD or dataflow is the one problem
reported; another version of it (``structure-version-warning``) or a dataflow the structure
message lacks (``structure-unresolved-warning``) is a warning. Data (a data set's JSON, SDMX
data, a Data Package) with text values that begin with a formula character (``=``, ``+``,
``@``, tab, CR, or ``-`` when not a number) get one ``formula-text-warning`` per column: a
spreadsheet opening the file may run them as formulas. Every warning code is in
[`ADVISORY_CODES`][cdinterop.checking.ADVISORY_CODES].

The validation oracles come with the extra ``validate`` (``pip install 'cdinterop[validate]'``):
the official SDMX-ML XSDs (SDMX-ML data and structure messages), the official SDMX-JSON JSON
Schemas (SDMX-JSON data), the Data Package v2 profiles and pySHACL (RDF). Without it,
checking a file that needs one raises
[`MissingExtraError`][cdinterop.errors.MissingExtraError] naming the extra (before an RDF
file is parsed); a data set's JSON and SDMX-CSV data are checked by the core install.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cdinterop import limits
from cdinterop._extras import require
from cdinterop._formulas import FORMULA_CODE, formula_issues
from cdinterop._safe_xml import check_prolog
from cdinterop.errors import CdinteropError, InvalidDatasetError, Issue, ReadError

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "ADVISORY_CODES",
    "CHECKERS",
    "CheckOptions",
    "Checker",
    "UnsupportedFileError",
    "check_file",
    "checker_for",
    "default_shapes",
    "failures",
]

_HEAD_BYTES = 65_536  # room for a long licence comment or a long first JSON value

ADVISORY_CODES = frozenset(
    {
        "shacl-warning",
        "shacl-info",
        "structure-version-warning",
        "structure-unresolved-warning",
        FORMULA_CODE,
    }
)
"""Issue codes that are reported but do not make a file invalid: SHACL warnings and
infos; SDMX data that refer to another version of their structure, or to a dataflow the
structure message does not define (read with its DSD); text values of the data that begin
with a formula character (``formula-text-warning``)."""


def failures(issues: Iterable[Issue]) -> list[Issue]:
    """The issues that make a file invalid: all but those in
    [`ADVISORY_CODES`][cdinterop.checking.ADVISORY_CODES]."""
    return [issue for issue in issues if issue.code not in ADVISORY_CODES]


@dataclass(frozen=True)
class CheckOptions:
    """What a check may need besides the file itself."""

    structure: str | Path | None = None
    """SDMX structure message for SDMX data (default: one found beside the data): a path,
    or a ``str`` SDMX URN or URL (fetched, see ``cdinterop.sdmx.fetch_structure``)."""
    shapes: tuple[Path, ...] = ()
    """SHACL shapes files added to the project's own shapes, for RDF files only."""
    version_mismatch: Literal["warn", "error", "ignore"] = "warn"
    """SDMX data that refer to another version of the structure's DSD or dataflow:
    ``warn`` (an advisory issue), ``error`` (a problem) or ``ignore``."""


@dataclass(frozen=True)
class Checker:
    """A kind of file that ``cdinterop validate`` understands."""

    name: str
    """Short name of the kind of file."""
    handles: Callable[[bytes, Path], bool]
    """Whether a file (its first bytes and path) is of this kind."""
    check: Callable[[Path, CheckOptions], list[Issue]]
    """Check a file with the given options; return every problem."""
    uses_shapes: bool = False
    """Whether `CheckOptions.shapes` applies to this kind of file."""


_OTHER_JSON_KEYS = {"ingest", "aggregate", "conform", "outputs", "failed", "files", "resources"}
"""Top-level keys of JSON files cdinterop writes that are not data sets (``summary.json``)
or that another checker reads (``datapackage.json``)."""


class UnsupportedFileError(ReadError):
    """The file was read, but it is of no kind ``cdinterop validate`` checks."""


def _is_json(head: bytes, path: Path) -> bool:
    """A data set's JSON: any JSON object except those whose top-level keys show another
    kind of file (``summary.json``), and any ``.json`` file that is not an object (its
    parse error is the report)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"{"):
        return path.suffix.lower() == ".json"
    keys = _top_level_keys(text.decode("utf-8", errors="replace"))
    return not _OTHER_JSON_KEYS.intersection(keys) and not _is_sdmx(head, path)  # SDMX-JSON


def _check_json(path: Path, options: CheckOptions) -> list[Issue]:
    from cdinterop.model._internal import check_json_observations

    issues, observations = check_json_observations(path)
    if observations is not None:
        issues += formula_issues(observations.table)
    return issues


def _is_sdmx(head: bytes, path: Path) -> bool:
    from cdinterop.sdmx import sniff_format

    try:
        sniff_format(head)
    except ReadError:
        return False
    return True


_XSD_LINE = re.compile(r"^line (\d+): (.*)$", re.S)


def _check_sdmx(path: Path, options: CheckOptions) -> list[Issue]:
    """SDMX data: the header's structure reference first (another DSD or dataflow is the
    only problem reported, since the structure does not apply), then the official XSDs
    (and the DSD-specific schema for structure-specific data) or, for SDMX-JSON, the
    official JSON Schema, then every observation."""
    import warnings

    from cdinterop import sdmx
    from cdinterop.sdmx import StructureReferenceWarning
    from cdinterop.sdmx._internal import (
        check_references,
        read_references,
        structure_for,
        validate_json_data,
        validate_official,
        validate_structure_specific,
    )

    kind, references = read_references(path)
    structure = options.structure
    structure_path = structure if structure is not None else sdmx.find_structure(path)
    base = structure_for(structure_path, references)
    check = check_references(references, base, version_mismatch=options.version_mismatch)
    issues: list[Issue] = [*check.errors, *check.warnings]
    if check.mismatch:
        return issues
    if kind.startswith("ml"):
        version = "3.0" if kind.startswith("ml30") else "2.1"
        if kind.endswith("-ss"):
            errors = validate_structure_specific(
                path, base.structure, version=version, references=[r.urn for r in check.accepted]
            )
        else:
            errors = validate_official(path, version=version)
        for error in errors:
            match = _XSD_LINE.match(error)
            where = f"{path.name}:{match[1]}" if match else path.name
            issues.append(Issue(where, "xsd", match[2] if match else error))
    elif kind.startswith("json"):
        for error in validate_json_data(path, kind):
            where, _, message = error.partition(": ")
            issues.append(Issue(f"{path.name} {where}", "json-schema", message))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StructureReferenceWarning)  # already in the issues
        try:
            dataset = sdmx.read(path, structure=base, version_mismatch="ignore")
        except InvalidDatasetError as exc:
            _add_new_issues(issues, exc.issues)
        else:
            issues += formula_issues(dataset.observations.table)
    return issues


def _issue_key(issue: Issue) -> tuple[str, str, str, str, int | None, str | None]:
    """A hashable identity of an issue (its ``value`` may be a list or a dict)."""
    return (
        issue.location,
        issue.code,
        issue.message,
        repr(issue.value),
        issue.row,
        issue.component,
    )


def _add_new_issues(issues: list[Issue], more: Iterable[Issue]) -> None:
    """Append to ``issues`` those of ``more`` that are not in it yet, in their order (in
    time proportional to the number of issues: a set of keys, not a scan per issue)."""
    seen = {_issue_key(issue) for issue in issues}
    for issue in more:
        key = _issue_key(issue)
        if key not in seen:
            seen.add(key)
            issues.append(issue)


_SDMX_MESSAGE_NS = {
    b"http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message": "2.1",
    b"http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message": "3.0",
}
_STRUCTURE_ROOT = re.compile(rb"<(?:([\w.-]+):)?Structure[\s>]")


def _structure_version(head: bytes) -> str | None:
    """``2.1`` or ``3.0`` for an SDMX-ML structure message, else ``None``."""
    body = head.removeprefix(b"\xef\xbb\xbf")
    prologue = _XML_PROLOGUE.match(body)
    rest = body[prologue.end() :] if prologue else body
    root = _STRUCTURE_ROOT.match(rest)
    if root is None:
        return None
    prefix = root[1]
    declaration = b"xmlns:" + prefix if prefix else b"xmlns"
    for namespace, version in _SDMX_MESSAGE_NS.items():
        if re.search(re.escape(declaration) + rb"\s*=\s*[\"']" + re.escape(namespace), rest):
            return version
    return None


def _is_structure(head: bytes, path: Path) -> bool:
    return _structure_version(head) is not None


def _is_json_structure(head: bytes, path: Path) -> bool:
    from cdinterop.sdmx._internal import is_json_structure

    return is_json_structure(head)


def _check_json_structure(path: Path, options: CheckOptions) -> list[Issue]:
    """An SDMX-JSON structure message: the official JSON Schema, then the model's rules."""
    from cdinterop.sdmx._internal import check_json_structure

    return check_json_structure(path)


def _check_structure(path: Path, options: CheckOptions) -> list[Issue]:
    """An SDMX-ML structure message: the official XSDs, then the model's rules on the data
    set it describes (as ``cdinterop.sdmx.read_structure`` reads it)."""
    from cdinterop import sdmx
    from cdinterop.sdmx._internal import validate_official

    version = _structure_version(_head(path)) or "2.1"
    issues: list[Issue] = []
    errors = validate_official(path, version=version)
    for error in errors:
        if "not well-formed XML" in error:  # truncated or broken: not a checkable message
            raise ReadError(str(path), error)
    for error in errors:
        match = _XSD_LINE.match(error)
        where = f"{path.name}:{match[1]}" if match else path.name
        issues.append(Issue(where, "xsd", match[2] if match else error))
    if issues:
        return issues  # the model's reading of an invalid message would only repeat them
    try:
        sdmx.read_structure(path)
    except InvalidDatasetError as exc:
        issues.extend(exc.issues)
    return issues


def _is_datapackage(head: bytes, path: Path) -> bool:
    if path.is_dir():
        return (path / "datapackage.json").is_file()
    if path.name == "datapackage.json":
        return True
    return path.suffix.lower() == ".zip" and head.startswith(b"PK")


def _check_datapackage(path: Path, options: CheckOptions) -> list[Issue]:
    from cdinterop.datapackage import _check_package

    issues, dataset = _check_package(path)
    if dataset is not None:
        issues += formula_issues(dataset.observations.table)
    return issues


_RDF_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml", ".owl": "xml"}
_RDF_NS = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML_PROLOGUE = re.compile(rb"\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*", re.S)
_XML_ROOT = re.compile(rb"<(?:([\w.-]+):)?RDF[\s/>]")


def _top_level_keys(text: str) -> list[str]:
    """The keys of the top-level JSON object(s) in the start of a JSON document: of the
    object itself, or of the objects directly in a top-level array. Tolerates truncation."""
    keys: list[str] = []
    depth = 0
    container = text.lstrip()[:1]
    key_depth = 1 if container == "{" else 2
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if depth == key_depth and text[end + 1 :].lstrip().startswith(":"):
                keys.append(text[i + 1 : end])
            i = end + 1
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        i += 1
    return keys


def _is_jsonld(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return False
    keys = _top_level_keys(text)
    if text.startswith("{"):
        return "@context" in keys or "@graph" in keys
    return bool(keys) and keys[0].startswith("@")


def _is_rdfxml(head: bytes) -> bool:
    body = head.removeprefix(b"\xef\xbb\xbf")
    prologue = _XML_PROLOGUE.match(body)
    rest = body[prologue.end() :] if prologue else body
    root = _XML_ROOT.match(rest)
    if root is None:
        return False
    prefix = root[1]
    declaration = b"xmlns:" + prefix if prefix else b"xmlns"
    return (
        re.search(re.escape(declaration) + rb"\s*=\s*[\"']" + re.escape(_RDF_NS), rest) is not None
    )


def _is_rdf(head: bytes, path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in _RDF_SUFFIXES:
        return True
    if suffix == ".json":
        return _is_jsonld(head)
    if suffix == ".xml":
        return _is_rdfxml(head)
    return False


def default_shapes() -> Graph:
    """The project's own ``cdi:`` SHACL shapes (``schemas/cdi-shapes.ttl``)."""
    module = importlib.import_module("cdinterop.dcat._vocabulary")
    shapes_graph: Callable[[], Graph] = module.shapes_graph
    return shapes_graph()


def _parse_rdf_file(path: Path) -> Graph:
    from cdinterop.dcat import parse_graph

    suffix = path.suffix.lower()
    fmt = _RDF_SUFFIXES.get(suffix) or {".json": "json-ld", ".xml": "xml"}.get(suffix)
    if fmt is None:
        known = ", ".join([*_RDF_SUFFIXES, ".json", ".xml"])
        raise ReadError(str(path), f"unknown RDF file suffix {path.suffix!r} (use {known})")
    limits.check_size(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(str(path), exc.strerror or str(exc)) from None
    return parse_graph(data, fmt, source=str(path), base=path.resolve().as_uri())


def _node_name(graph: Graph, node: object) -> str:
    """A node as shown in an issue's location: a prefixed IRI, or ``[]`` for a blank node."""
    from rdflib import URIRef

    return graph.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else "[]"


def _incomplete_issues(graph: Graph) -> list[Issue]:
    """One issue for each node with cdinterop's ``cdi:coreJson`` (written for every data set)
    that lost ``cdi:structureJson`` or its ``rdf:type dcat:Dataset``: a description cdinterop
    wrote that lost triples (a truncated file), which ``cdinterop dcat read`` refuses too."""
    from rdflib.namespace import DCAT, RDF

    from cdinterop.dcat import CDI

    issues = []
    for node in sorted(set(graph.subjects(CDI.coreJson, None)), key=str):
        if (node, CDI.structureJson, None) not in graph:
            lost = "no cdi:structureJson"
        elif (node, RDF.type, DCAT.Dataset) not in graph:
            lost = "no rdf:type dcat:Dataset"
        else:
            continue
        issues.append(
            Issue(
                _node_name(graph, node),
                "dcat-read",
                f"has cdi:coreJson but {lost}: a description cdinterop wrote, incomplete "
                f"(truncated?); {len(graph):,} triples were read",
            )
        )
    return issues


def _parse_shapes_file(path: Path) -> Graph:
    """A user's shapes file, held to the ``shape_triples`` limit instead of ``triples``."""
    most = limits.current().shape_triples
    try:
        with limits.use(triples=most):
            return _parse_rdf_file(path)
    except limits.LimitExceeded as exc:
        if exc.limit != "triples":
            raise
        raise limits.LimitExceeded(exc.source, "SHACL shapes", "shape_triples", most) from None


def _structure_issues(graph: Graph) -> list[Issue]:
    """A graph with one ``dcat:Dataset`` written by cdinterop (it has ``cdi:structureJson``) must
    read back with [`cdinterop.dcat.from_graph()`][cdinterop.dcat.from_graph]; each failure is an
    issue. A node with ``cdi:coreJson`` but no ``cdi:structureJson`` (a truncated
    description cdinterop wrote, whatever else it lost) is an issue too."""
    from pydantic import ValidationError
    from rdflib.namespace import DCAT, RDF

    from cdinterop.dcat import CDI, from_graph

    incomplete = _incomplete_issues(graph)
    if incomplete:
        return incomplete  # from_graph would refuse the graph for the same reason
    datasets = sorted(graph.subjects(RDF.type, DCAT.Dataset), key=str)
    ours = [d for d in datasets if (d, CDI.structureJson, None) in graph]
    if len(datasets) != 1 or not ours:
        return []  # from_graph reads single-data-set graphs only; nothing of ours to read
    node = ours[0]
    where = _node_name(graph, node)
    try:
        from_graph(graph)
    except InvalidDatasetError as exc:
        return [
            Issue(f"{where} {issue.location}", "dcat-read", issue.message, issue.value)
            for issue in exc.issues
        ]
    except ValidationError as exc:
        return [
            Issue(
                f"{where} {'.'.join(str(part) for part in error['loc'])}".strip(),
                "dcat-read",
                f"cannot read the data set back: {error['msg']}",
            )
            for error in exc.errors()
        ]
    except CdinteropError as exc:
        return [Issue(where, "dcat-read", f"cannot read the data set back: {exc}")]
    except (ValueError, KeyError, TypeError, LookupError) as exc:
        # from_graph trusts the cdi:*Json literals and vocabulary IRIs it wrote itself
        return [Issue(where, "dcat-read", f"cannot read the data set back: {exc!r}")]
    return []


def _check_rdf(path: Path, options: CheckOptions) -> list[Issue]:
    from cdinterop.dcat._internal import validate_graph

    require("pyshacl", extra="validate", purpose="SHACL validation")  # before parsing
    data = _parse_rdf_file(path)
    shapes = default_shapes()
    for shapes_file in options.shapes:
        shapes += _parse_shapes_file(shapes_file)
    issues = validate_graph(data, shapes, source=str(path))
    return issues + _structure_issues(data)


RDF_KIND = "RDF (DCAT)"
"""Name of the RDF checker: Turtle, JSON-LD, RDF/XML or N-Triples."""

CHECKERS: list[Checker] = [
    Checker("Data Package", _is_datapackage, _check_datapackage),
    Checker(RDF_KIND, _is_rdf, _check_rdf, uses_shapes=True),
    Checker("SDMX-JSON structure message", _is_json_structure, _check_json_structure),
    Checker("cdinterop data set (JSON)", _is_json, _check_json),
    Checker("SDMX-ML / SDMX-CSV / SDMX-JSON data", _is_sdmx, _check_sdmx),
    Checker("SDMX-ML structure message", _is_structure, _check_structure),
]
"""The kinds of file ``check_file`` recognises, tried in order (RDF before JSON: a
``.json`` file is JSON-LD only when its top-level object has ``@context`` or ``@graph``)."""


def _head(source: Path) -> bytes:
    try:
        if source.is_dir():
            return b""
        with source.open("rb") as handle:
            return handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise ReadError(str(source), exc.strerror or str(exc)) from None


def checker_for(path: str | Path) -> Checker:
    """The checker for a file (the first in [`CHECKERS`][cdinterop.checking.CHECKERS] that handles
    it).

    Raises [`ReadError`][cdinterop.errors.ReadError] when the file cannot be read, and
    [`UnsupportedFileError`][cdinterop.checking.UnsupportedFileError] (a ``ReadError``) when it is
    of no supported kind.
    """
    source = Path(path)
    head = _head(source)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        check_prolog(head, str(source), kind="SDMX-ML or RDF/XML")
    for checker in CHECKERS:
        if checker.handles(head, source):
            return checker
    kinds = "; ".join(c.name for c in CHECKERS)
    raise UnsupportedFileError(str(source), f"not a kind of file cdinterop checks ({kinds})")


def _structure_option(structure: str | Path | None) -> str | Path | None:
    """A structure path as a ``Path``; an SDMX URN or URL stays a ``str`` (fetched)."""
    from cdinterop.sdmx._internal import is_remote

    if not structure:
        return None
    return structure if is_remote(structure) else Path(structure)


def check_file(
    path: str | Path,
    *,
    structure: str | Path | None = None,
    shapes: tuple[str | Path, ...] | list[str | Path] = (),
    version_mismatch: Literal["warn", "error", "ignore"] = "warn",
) -> tuple[str, list[Issue]]:
    """Check a file of any supported kind; return (kind name, problems).

    ``structure`` is the SDMX structure message for SDMX data (a path, or a ``str`` SDMX URN
    or REST URL, fetched: see [`cdinterop.sdmx.fetch_structure`][cdinterop.sdmx.fetch_structure]);
    ``shapes`` are SHACL shapes
    files added to the project's own shapes for RDF files (a `ValueError` for other
    kinds); ``version_mismatch`` (``warn``, ``error``, ``ignore``) is what SDMX data that
    refer to another version of their structure give (see
    [`cdinterop.sdmx.read()`][cdinterop.sdmx.read]). Problems whose code is in
    [`ADVISORY_CODES`][cdinterop.checking.ADVISORY_CODES] are warnings: see
    [`failures()`][cdinterop.checking.failures]. Raises
    [`ReadError`][cdinterop.errors.ReadError] when the file (or a shapes file) cannot be
    read or is of no supported kind, and
    [`MissingExtraError`][cdinterop.errors.MissingExtraError] when its check needs the extra
    ``validate`` and it is not installed.
    """
    from cdinterop.sdmx._internal import VERSION_POLICIES

    if version_mismatch not in VERSION_POLICIES:
        raise ValueError(
            f"version_mismatch must be one of {', '.join(VERSION_POLICIES)}, "
            f"not {version_mismatch!r}"
        )
    source = Path(path)
    checker = checker_for(source)
    options = CheckOptions(
        structure=_structure_option(structure),
        shapes=tuple(Path(p) for p in shapes),
        version_mismatch=version_mismatch,
    )
    if options.shapes and not checker.uses_shapes:
        raise ValueError(f"shapes apply to RDF files only; {source} is a {checker.name}")
    return checker.name, checker.check(source, options)
