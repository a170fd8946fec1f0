"""What SDMX structures have no native place for, carried as typed annotations.

A dataflow holds id, agency, version, names (the title) and descriptions natively, and the
DSD holds the structure. Everything else of a ``CitizenDataset``
(keywords, themes, licence, coverage, provenance, participation, consent, quality,
disclosure control, ...) travels as annotations of the dataflow, one JSON document each:

=============================  ===========================================================
annotation type                text
=============================  ===========================================================
``cdinterop:format-version``   ``1``
``cdinterop:metadata``         the remaining data-set fields (``attribute_values`` too)
``cdinterop:provenance``       ``Provenance`` (omitted when empty)
``cdinterop:participation``    ``Participation`` (omitted when None)
``cdinterop:consent``          ``Consent`` (omitted when None)
``cdinterop:quality``          ``Quality`` (omitted when None)
``cdinterop:disclosure``       ``DisclosureControl`` (omitted if None)
=============================  ===========================================================

The writers put each text in an ``AnnotationText`` with ``xml:lang="en"``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cdinterop.errors import ReadError
from cdinterop.model import CitizenDataset

__all__ = [
    "FORMAT_VERSION",
    "PREFIX",
    "decode",
    "encode",
    "is_ours",
]

PREFIX = "cdinterop:"
"""Prefix of every annotation type cdinterop writes."""
FORMAT_VERSION = "1"
"""Version of the annotation layout written by `encode()`."""

_VERSION_TYPE = f"{PREFIX}format-version"
_METADATA_TYPE = f"{PREFIX}metadata"
_PARTS = ("provenance", "participation", "consent", "quality", "disclosure")
_NATIVE = ("id", "agency", "version", "title", "description", "structure", "observations")
_METADATA_FIELDS = frozenset(CitizenDataset.model_fields) - set(_NATIVE) - set(_PARTS)
_SOURCE = "SDMX annotations"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode(dataset: CitizenDataset) -> list[tuple[str, str]]:
    """Return the ``(annotation type, text)`` pairs that carry the non-native fields."""
    pairs = [
        (_VERSION_TYPE, FORMAT_VERSION),
        (_METADATA_TYPE, _json(dataset.model_dump(mode="json", include=set(_METADATA_FIELDS)))),
    ]
    for name in _PARTS:
        part = getattr(dataset, name)
        if name == "provenance" and part == type(part)():
            continue
        if part is not None:
            pairs.append((f"{PREFIX}{name}", _json(part.model_dump(mode="json"))))
    return pairs


def is_ours(annotation_type: str | None) -> bool:
    """Whether an annotation type belongs to cdinterop (``cdinterop:...``)."""
    return bool(annotation_type) and str(annotation_type).startswith(PREFIX)


def _load(kind: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(_SOURCE, f"{kind} is not valid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # an integer too long, nesting too deep
        reason = str(exc).split(";")[0] or "nested too deeply"
        raise ReadError(_SOURCE, f"{kind} is not readable JSON: {reason}") from None


def decode(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Return the data-set fields carried by ``pairs`` (empty when none are cdinterop's).

    Annotations of other types are ignored. Raises ``ReadError``
    for an unknown format version, a repeated or unknown ``cdinterop:`` type, or text
    that is not the expected JSON.
    """
    ours: dict[str, str] = {}
    for kind, text in pairs:
        if not is_ours(kind):
            continue
        if kind in ours:
            raise ReadError(_SOURCE, f"annotation {kind} appears twice")
        ours[kind] = text
    if not ours:
        return {}
    version = ours.pop(_VERSION_TYPE, None)
    if version != FORMAT_VERSION:
        shown = "missing" if version is None else repr(version)
        raise ReadError(
            _SOURCE, f"{_VERSION_TYPE} is {shown}; this cdinterop reads {FORMAT_VERSION!r}"
        )
    fields: dict[str, Any] = {}
    metadata = _load(_METADATA_TYPE, ours.pop(_METADATA_TYPE, "{}"))
    if not isinstance(metadata, dict):
        raise ReadError(_SOURCE, f"{_METADATA_TYPE} is not a JSON object")
    unexpected = sorted(set(metadata) - _METADATA_FIELDS)
    if unexpected:
        raise ReadError(_SOURCE, f"{_METADATA_TYPE} has unexpected fields: {unexpected}")
    fields.update(metadata)
    for kind, text in ours.items():
        name = kind.removeprefix(PREFIX)
        if name not in _PARTS:
            raise ReadError(_SOURCE, f"unknown annotation type {kind}")
        fields[name] = _load(kind, text)
    return fields
