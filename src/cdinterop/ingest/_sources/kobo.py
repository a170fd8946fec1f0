"""KoboToolbox export specifics: layout detection, ``_validation_status``, JSON records.

Kobo exports keep their metadata as columns (``_id``, ``_uuid``, ``_submission_time``,
``_validation_status``, ``_submitted_by``, ``__version__``, ``_index``, ``_notes``,
``_status``, ``_tags``); the readers keep them as they are, and keep group prefixes in
the column names (``group_x/question``; `SourceInfo.short_names` offers the last
segment). select_multiple answers stay as exported: the space-separated column and the
``question/option`` 0/1 columns; geopoints stay ``"lat lon alt precision"`` text.

**Validation status.** The CSV and XLSX exports write the status *label*
(``"Approved"``, ``"Not Approved"``, ``"On Hold"``), the API writes an object whose
``uid`` is ``validation_status_approved`` and so on. For every Kobo layout the reader
puts a normalised value in ``_validation_status`` -- ``approved``, ``not_approved``,
``on_hold``, or null when the submission has no status -- and the text as found in the
file in an extra column ``_validation_status_raw`` (the label, or the ``uid`` for JSON).
A mapping spec compares against the normalised values. Labels that are not one of the
three (a localised export) are lower-cased with spaces as ``_``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "KOBO_META_COLUMNS",
    "flatten_record",
    "is_kobo_header",
    "normalise_status_text",
    "normalise_validation_status",
]

KOBO_META_COLUMNS = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_submitted_by",
    "__version__",
    "_index",
    "_notes",
    "_status",
    "_tags",
)
"""The metadata columns of Kobo exports; they are kept as ordinary columns."""

_KOBO_MARKERS = frozenset({"_uuid", "_submission_time", "_id"})


def is_kobo_header(columns: Iterable[str]) -> bool:
    """Whether a header looks like a Kobo export (it has ``_uuid``, ``_submission_time``
    or ``_id``)."""
    return any(name in _KOBO_MARKERS for name in columns)


def normalise_status_text(text: str | None) -> str | None:
    """``"Approved"`` / ``"validation_status_approved"`` -> ``"approved"``; empty -> None."""
    if text is None:
        return None
    value = re.sub(r"[\s\-]+", "_", text.strip().lower())
    value = value.removeprefix("validation_status_")
    return value or None


def normalise_validation_status(raw: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Normalise a ``_validation_status`` column (see the module docs); empty stays null.

    Works on the distinct values only, so it costs one hash pass over the column.
    """
    if isinstance(raw, pa.ChunkedArray):
        raw = raw.combine_chunks()
    distinct = pc.unique(raw)
    mapped = pa.array([normalise_status_text(v) for v in distinct.to_pylist()], pa.string())
    result: pa.Array = pc.take(mapped, pc.index_in(raw, value_set=distinct))
    return result


def _scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, Decimal | int | float):
        return str(value)
    return _json_text(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and "." not in str(value)
            else (float(value))
        )
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def flatten_record(
    record: Mapping[str, Any], *, kobo: bool, collisions: list[str] | None = None
) -> dict[str, str | None]:
    """Flatten one JSON submission into ``{column: raw text}``.

    Nested objects are joined with ``/`` (``{"g": {"q": 1}}`` -> ``g/q``), lists of
    scalars are joined with a space (select_multiple answers, ``_geolocation`` ->
    ``"lat lon"``), lists holding objects (``_attachments``, repeat groups) become
    compact JSON text, numbers their JSON text, booleans ``true``/``false``, ``null``
    and ``""`` null. With ``kobo`` set, a ``_validation_status`` object becomes its
    ``uid`` (normalised later, see the module docs). Two fields that flatten to the same
    column (``{"a/b": 1, "a": {"b": 2}}``) keep the last value; with ``collisions`` given,
    the columns where the values differ are appended to it.
    """
    out: dict[str, str | None] = {}

    def put(prefix: str, text: str | None) -> None:
        if collisions is not None and prefix in out and out[prefix] != text:
            collisions.append(prefix)
        out[prefix] = text

    def visit(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            if kobo and prefix == "_validation_status":
                uid = value.get("uid")
                put(prefix, _scalar_text(uid) if uid not in (None, "") else None)
                return
            if not value:
                put(prefix, None)
                return
            for key, item in value.items():
                visit(f"{prefix}/{key}" if prefix else str(key), item)
        elif isinstance(value, list):
            if any(isinstance(item, Mapping | list) for item in value):
                put(prefix, _json_text(value))
            else:
                parts = [_scalar_text(item) for item in value]
                joined = " ".join(part for part in parts if part is not None)
                put(prefix, joined or None)
        else:
            put(prefix, _scalar_text(value))

    for key, value in record.items():
        visit(str(key), value)
    return out
