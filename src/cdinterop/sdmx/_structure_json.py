"""SDMX-JSON 2.0.0 and 2.1.0 structure messages: written from and read into a
[`CitizenDataset`][cdinterop.model.CitizenDataset] (without observations).

[`write_structure()`][cdinterop.sdmx.write_structure] with ``version="json-2.0"`` or
``"json-2.1"`` writes them (`cdinterop.sdmx._structure_json_write`);
[`read_structure()`][cdinterop.sdmx.read_structure] recognises JSON from the content and
reads them (`cdinterop.sdmx._structure_json_read`) through the same converter as SDMX-ML,
so both forms of one structure read to the same data set. The ``cdinterop:*`` annotations
are the SDMX-ML ones.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdinterop import limits
from cdinterop.errors import ReadError
from cdinterop.sdmx._json_common import JSON_VERSIONS, JsonVersion, json_version
from cdinterop.sdmx._json_scan import head_info
from cdinterop.sdmx._structure_json_read import parse_json, to_sdmx1
from cdinterop.sdmx._structure_json_write import (
    json_structure_problem,
    structure_json,
    write_structure_json,
)

if TYPE_CHECKING:
    from sdmx.message import StructureMessage

    from cdinterop.errors import Issue
    from cdinterop.model import CitizenDataset

__all__ = [
    "JSON_VERSIONS",
    "JsonVersion",
    "check_json_structure",
    "dataflow_ids",
    "is_json",
    "is_json_structure",
    "json_structure_problem",
    "json_version",
    "read_structure_json",
    "structure_json",
    "structure_message_json",
    "write_structure_json",
]

_CONTAINERS = re.compile(
    rb'"(?:dataStructures|dataflows|codelists|conceptSchemes|dataConstraints|categorySchemes|'
    rb'metadataStructures|hierarchies|agencySchemes|valueLists|provisionAgreements)"\s*:'
)


def is_json(data: bytes) -> bool:
    """Whether a document (its first bytes suffice) is JSON rather than XML."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def is_json_structure(head: bytes) -> bool:
    """Whether the first bytes of a document look like an SDMX-JSON structure message:
    a JSON object with a top-level ``data`` member, structure containers
    (``dataStructures``, ``codelists``...) and no data sets."""
    if (
        head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"{"
        or b'"dataSets"' in head
        or _CONTAINERS.search(head) is None
    ):
        return False
    return "data" in head_info(head.decode("utf-8", errors="replace")).top_keys


def dataflow_ids(data: bytes) -> set[str]:
    """Ids of the dataflows an SDMX-JSON structure message defines (empty when it cannot
    be read: reading it reports why)."""
    try:
        document = parse_json(data, "<structure>")
    except ReadError:
        return set()
    flows = document.get("data", {})
    flows = flows.get("dataflows") if isinstance(flows, dict) else None
    if not isinstance(flows, list):
        return set()
    return {str(f["id"]) for f in flows if isinstance(f, dict) and "id" in f}


def structure_message_json(data: bytes, source: str = "<bytes>") -> tuple[StructureMessage, Any]:
    """The sdmx1 ``StructureMessage`` of an SDMX-JSON structure message and the facts
    sdmx1's objects cannot hold (`cdinterop.sdmx._sdmx1_gaps.Sdmx1Gaps`)."""
    message, gaps = to_sdmx1(parse_json(data, source), source)
    return message, gaps


def read_structure_json(data: bytes, source: str, *, dataflow: str | None = None) -> CitizenDataset:
    """Read an SDMX-JSON 2.0 or 2.1 structure message into a data set without
    observations (as [`read_structure()`][cdinterop.sdmx.read_structure] does for SDMX-ML).

    Raises [`ReadError`][cdinterop.errors.ReadError], located by JSON path, for what is
    not a structure message or cannot be read, and
    [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] when the content breaks
    the model's rules.
    """
    from cdinterop.sdmx._native import convert_structure

    message, gaps = structure_message_json(data, source)
    try:
        return convert_structure(message, dataflow, gaps, source)
    except ReadError as exc:
        if exc.source == source:
            raise
        # the dataflow's cdinterop:* annotations: say in which file
        raise ReadError(source, f"{exc.source}: {exc.reason}") from None


def check_json_structure(path: Path) -> list[Issue]:
    """What ``cdinterop validate`` reports on an SDMX-JSON structure message: the official
    JSON Schema of its version first (each problem located by JSON path, code
    ``json-schema``), then, when it is valid, the model's rules on the data set it describes.
    A message that cannot be read at all raises [`ReadError`][cdinterop.errors.ReadError]."""
    from cdinterop.errors import InvalidDatasetError, Issue
    from cdinterop.sdmx._json_validation import validate_json_message

    limits.check_size(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(str(path), exc.strerror or str(exc)) from None
    document = parse_json(data, str(path))
    issues = []
    for error in validate_json_message(document, "structure", json_version(document)):
        where, _, message = error.partition(": ")
        issues.append(Issue(f"{path.name} {where}", "json-schema", message))
    if issues:
        return issues  # the model's reading of an invalid message would only repeat them
    try:
        read_structure_json(data, str(path))
    except InvalidDatasetError as exc:
        issues.extend(exc.issues)
    return issues
