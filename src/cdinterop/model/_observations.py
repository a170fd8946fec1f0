"""The observation table: an Apache Arrow table with one column per component.

[`Observations`][cdinterop.model.Observations] wraps a ``pyarrow.Table``. It is built from a list of
dicts, an Arrow table or record batch, or a pandas DataFrame, and converts back to each. Checking it
against a [`DataStructure`][cdinterop.model.DataStructure] is done in bulk, column by column (see
`cdinterop.model._checks`); typed per-row [`Observation`][cdinterop.model.Observation] records are
produced only on demand.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from cdinterop.model._base import Model

if TYPE_CHECKING:
    import pandas as pd

    from cdinterop.errors import Issue
    from cdinterop.model._structure import DataStructure

__all__ = ["Observation", "Observations"]

_JSON_SCALAR = {"type": ["string", "number", "integer", "boolean", "null"]}


class Observation(Model):
    """One observation as a typed record (the record-level API).

    Built on demand by `Observations.records()`; bulk paths never create these.
    """

    row: int
    """0-based position in the observation table."""
    key: dict[str, Any]
    """Dimension values (series key), by dimension id (codes are strings)."""
    time_period: str | None = None
    """Value of the time dimension, if the structure has one."""
    measures: dict[str, Any]
    """Measure values (e.g. ``OBS_VALUE``), by measure id."""
    attributes: dict[str, Any]
    """Series- and observation-level attribute values, by attribute id."""


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else str(value)
    return value


def _column_array(values: list[Any]) -> pa.Array:
    """Build one column, falling back to strings when Python values have mixed types."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        nested = next((v for v in values if isinstance(v, dict | list | tuple | set)), None)
        if nested is not None:
            row = next(i for i, v in enumerate(values) if v is nested)
            raise ValueError(
                f"observation {row}: {type(nested).__name__} value {nested!r:.60}; "
                "observations hold single values"
            ) from None
        return pa.array(
            [None if v is None else (v if isinstance(v, str) else _stringify(v)) for v in values],
            type=pa.string(),
        )


def _stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Observations:
    """An immutable, Arrow-backed table of observations.

    >>> obs = Observations.from_records([{"REF_AREA": "GH", "OBS_VALUE": 1.5}])
    >>> len(obs), obs.column_names
    (1, ('REF_AREA', 'OBS_VALUE'))
    """

    __slots__ = ("_conformed_to", "_table")

    def __init__(self, table: pa.Table | None = None) -> None:
        self._table: pa.Table = table if table is not None else pa.table({})
        # The structure this exact table passed every check of, set only by
        # ``conform()`` when it found no issue: conforming again to the same structure object
        # is then a no-op (the table is immutable, the structure frozen).
        self._conformed_to: DataStructure | None = None

    # -- construction ----------------------------------------------------------------
    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Observations:
        """Build from an iterable of dicts (keys are component ids; missing keys are null)."""
        rows = list(records)
        columns: dict[str, None] = {}
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise ValueError(f"observation {i} is not an object but {type(row).__name__}")
            for key in row:
                if not isinstance(key, str):
                    raise ValueError(f"observation {i}: column name {key!r} is not a string")
                columns.setdefault(key, None)
        arrays = {name: _column_array([row.get(name) for row in rows]) for name in columns}
        return cls(pa.table(arrays) if arrays else pa.table({}))

    @classmethod
    def from_arrow(cls, data: pa.Table | pa.RecordBatch) -> Observations:
        """Wrap an Arrow table or record batch (no copy)."""
        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])
        if not isinstance(data, pa.Table):
            raise TypeError(f"expected a pyarrow Table or RecordBatch, got {type(data).__name__}")
        return cls(data)

    @classmethod
    def from_pandas(cls, frame: pd.DataFrame) -> Observations:
        """Build from a pandas DataFrame (the index is dropped; NaN becomes null)."""
        table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
        large = [i for i, f in enumerate(table.schema) if pa.types.is_large_string(f.type)]
        for i in large:
            table = table.set_column(i, table.field(i).name, table.column(i).cast(pa.string()))
        return cls(table)

    @classmethod
    def coerce(cls, value: Any) -> Observations:
        """Accept an Observations, Arrow table/batch, pandas DataFrame or list of dicts."""
        if isinstance(value, Observations):
            return value
        if isinstance(value, pa.Table | pa.RecordBatch):
            return cls.from_arrow(value)
        if type(value).__name__ == "DataFrame" and hasattr(value, "to_records"):
            return cls.from_pandas(value)
        if isinstance(value, list | tuple):
            return cls.from_records(value)
        raise ValueError(
            "observations must be a list of objects, a pyarrow Table or a pandas DataFrame, "
            f"not {type(value).__name__}"
        )

    # -- access and conversion -------------------------------------------------------
    @property
    def table(self) -> pa.Table:
        """The underlying Arrow table (read-only by Arrow's design)."""
        return self._table

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names, in table order."""
        return tuple(self._table.column_names)

    @property
    def num_rows(self) -> int:
        """Number of observations."""
        return int(self._table.num_rows)

    def __len__(self) -> int:
        return self.num_rows

    def to_arrow(self) -> pa.Table:
        """Return the Arrow table."""
        return self._table

    def to_pandas(self) -> pd.DataFrame:
        """Return a pandas DataFrame (needs pandas installed)."""
        frame: pd.DataFrame = self._table.to_pandas()
        return frame

    def to_records(self) -> list[dict[str, Any]]:
        """Return the rows as a list of dicts."""
        rows: list[dict[str, Any]] = self._table.to_pylist()
        return rows

    def to_json_records(self) -> list[dict[str, Any]]:
        """Return the rows as JSON-ready dicts (dates and date-times as ISO 8601 text)."""
        rows: list[dict[str, Any]] = self._table.to_pylist()
        simple = (pa.types.is_string, pa.types.is_integer, pa.types.is_boolean)
        if all(any(check(f.type) for check in simple) for f in self._table.schema):
            return rows
        return [{k: _json_safe(v) for k, v in row.items()} for row in rows]

    def iter_batches(self, max_rows: int = 65536) -> Iterator[pa.RecordBatch]:
        """Yield the table as record batches of at most ``max_rows`` rows."""
        yield from self._table.to_batches(max_chunksize=max_rows)

    def records(self, structure: DataStructure) -> Iterator[Observation]:
        """Yield typed [`Observation`][cdinterop.model.Observation] records, batch by batch."""
        dims = [d.id for d in structure.dimensions if d.id in self._table.column_names]
        time_id = structure.time_dimension.id if structure.time_dimension else None
        measures = [m.id for m in structure.measures if m.id in self._table.column_names]
        attrs = [a.id for a in structure.attributes if a.id in self._table.column_names]
        row = 0
        for batch in self.iter_batches():
            for values in batch.to_pylist():
                yield Observation.model_construct(
                    row=row,
                    key={d: values.get(d) for d in dims},
                    time_period=values.get(time_id) if time_id else None,
                    measures={m: values.get(m) for m in measures},
                    attributes={a: values.get(a) for a in attrs},
                )
                row += 1

    # -- validation ------------------------------------------------------------------
    def check(self, structure: DataStructure) -> list[Issue]:
        """Check every row against ``structure``; return all problems (empty if valid)."""
        from cdinterop.model._checks import check_observations

        return check_observations(self._table, structure)[1]

    def conform(self, structure: DataStructure) -> tuple[Observations, list[Issue]]:
        """Cast to the structure's column types and order, and check every rule.

        Returns the conformed table and every problem found; a table with problems is
        not fit for a [`CitizenDataset`][cdinterop.model.CitizenDataset]. A table returned
        without problems remembers the structure object: conforming it to that same
        object again returns it at once, without repeating the checks.
        """
        from cdinterop.model._checks import check_observations

        if structure is self._conformed_to:
            return self, []
        table, issues = check_observations(self._table, structure)
        conformed = Observations(table)
        if not issues:
            conformed._conformed_to = structure
        return conformed, issues

    # -- value semantics -------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Observations):
            return NotImplemented
        a, b = self._table, other._table
        return bool(a.schema.equals(b.schema) and a.equals(b))

    def __hash__(self) -> int:
        return hash((self.column_names, self.num_rows))

    def __repr__(self) -> str:
        cols = ", ".join(f"{f.name}: {f.type}" for f in self._table.schema)
        return f"Observations({self.num_rows} rows; {cols})"

    # -- pydantic integration --------------------------------------------------------
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def serialize(value: Observations, info: core_schema.SerializationInfo) -> Any:
            return value.to_json_records() if info.mode_is_json() else value

        return core_schema.no_info_plain_validator_function(
            cls.coerce,
            serialization=core_schema.plain_serializer_function_ser_schema(
                serialize, info_arg=True
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "title": "Observations",
            "description": (
                "The observation table, one object per observation; keys are component ids "
                "(dimensions, time dimension, measures, series and observation attributes)."
            ),
            "type": "array",
            "items": {"type": "object", "additionalProperties": _JSON_SCALAR},
        }
