"""``from_frame()``: a frame and a few arguments become a valid data set."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from cdinterop.errors import InvalidDatasetError, issues_from_pydantic
from cdinterop.frames._arrow import to_table
from cdinterop.frames._errors import FrameError
from cdinterop.frames._infer import (
    ComponentInference,
    Role,
    as_text,
    builtin_coding,
    code_coding,
    concept_name,
    distinct_text,
    value_type_of,
)
from cdinterop.model import (
    Agent,
    AgentKind,
    Attribute,
    CitizenDataset,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Measure,
    Provenance,
    TimeDimension,
    ValueType,
)

__all__ = ["FrameResult", "from_frame"]

_NCNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_NOT_ID_CHARS = re.compile(r"[^A-Za-z0-9_\-]+")
_REQUIRED = ("id", "agency", "title")
_EXAMPLE = "metadata={'id': 'DF_WATER', 'agency': 'KNBS', 'title': 'Access to safe water'}"
_TIME = "TIME_PERIOD"
_MEASURE = "OBS_VALUE"


class FrameResult(NamedTuple):
    """What [`from_frame()`][cdinterop.frames.from_frame] returns: the data set and what was
    inferred for each column (``ds, inferred = from_frame(...)`` unpacks it)."""

    dataset: CitizenDataset
    """The validated data set."""
    inferred: tuple[ComponentInference, ...]
    """One entry per component, in the structure's order: dimensions, time, measure,
    attributes."""

    def report(self) -> str:
        """What was inferred, one line per component (for a log or a review)."""
        return "\n".join(str(item) for item in self.inferred)


def from_frame(
    frame: Any,
    *,
    metadata: Mapping[str, Any] | None = None,
    dimensions: Sequence[str] | None = None,
    measure: str = _MEASURE,
    time: str | None = _TIME,
    attributes: Sequence[str] = (),
) -> FrameResult:
    """Turn a table of observations into a [`CitizenDataset`][cdinterop.model.CitizenDataset].

    ``frame`` is anything Arrow can read: a pyarrow ``Table`` or ``RecordBatch``, a pandas or
    polars DataFrame, or any object with the Arrow PyCapsule stream interface
    (``__arrow_c_stream__``). Nothing is recognised by class name, and neither pandas nor
    polars is imported.

    * ``metadata``: the data set's fields (those of ``CitizenDataset`` but ``structure`` and
      ``observations``). ``id``, ``agency`` and ``title`` are required; ``title`` and
      ``description`` may be plain text (English). ``publisher`` may be a name: an
      organisation agent is then added to the provenance. ``structure_id`` names the
      structure (default ``DSD_`` and the id without its ``DF_`` prefix).
    * ``dimensions``: the key columns, in key order; by default every column that has no
      other role, in the frame's order.
    * ``measure``: the numeric column of values; it becomes ``OBS_VALUE``.
    * ``time``: the column of SDMX time periods (years may be integers, dates are written
      ``YYYY-MM-DD``); it becomes ``TIME_PERIOD``. The default ``TIME_PERIOD`` is used
      when the frame has that column; ``None``: no time dimension.
    * ``attributes``: observation-level attribute columns.

    Every component gets a concept. A dimension (or an attribute named after one) is coded
    with the built-in SDMX cross-domain codelist of its name (``SEX``, ``AGE``, ``FREQ``,
    ``OBS_STATUS``, ``UNIT_MULT`` ... from [`cdinterop.codes`][cdinterop.codes]) when every
    value is one of its codes; an area column (``REF_AREA``, ``COUNTERPART_AREA``, ``AREA``,
    ``COUNTRY``, ``GEO``) with the ISO 3166-1 alpha-3, alpha-2 or UN M49 country list; any
    other dimension with a codelist ``CL_<ID>`` built from its distinct values and owned by
    the data set's agency. Other attributes and the measure get the value type of their
    Arrow type. [`FrameResult.inferred`][cdinterop.frames.FrameResult.inferred] says what
    was chosen and why.

    Raises [`FrameError`][cdinterop.frames.FrameError] for a frame Arrow cannot read,
    missing metadata, a missing column, a null in the key, a duplicate key or a measure
    that is not numeric; [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] when
    the data set breaks another rule of the model (e.g. a time period that is not one).
    """
    table = to_table(frame)
    fields = _dataset_fields(metadata)
    agency = str(fields["agency"])
    roles = _roles(table, dimensions, measure, time, attributes)

    columns: dict[str, pa.ChunkedArray] = {}
    inferred: list[ComponentInference] = []
    codelists: dict[str, Codelist] = {}
    dims: list[Dimension] = []
    attrs: list[Attribute] = []
    time_dimension: TimeDimension | None = None
    measure_type = ValueType.DECIMAL
    for column, role in roles:
        component = {"time": _TIME, "measure": _MEASURE}.get(role, column)
        data = table.column(column)
        if role == "dimension":
            data, item = _dimension(column, data, agency, codelists)
            dims.append(Dimension(id=column, codelist=item.codelist))
        elif role == "time":
            data, item = _time(column, data)
            time_dimension = TimeDimension()
        elif role == "measure":
            data, item = _measure(column, data)
            measure_type = ValueType(item.value_type)
        else:
            data, item = _attribute(column, data, codelists)
            coded = item.codelist
            attrs.append(
                Attribute(id=column, codelist=coded)
                if coded
                else Attribute(id=column, value_type=ValueType(item.value_type))
            )
        columns[component] = data
        inferred.append(item)

    observations = pa.table(columns)
    key = [d.id for d in dims] + ([_TIME] if time_dimension else [])
    _check_unique(observations, key, {i.component: i.column for i in inferred})
    title = fields["title"]
    structure_id = fields.pop("structure_id", None) or (
        "DSD_" + str(fields["id"]).removeprefix("DF_")
    )
    try:
        structure = DataStructure(
            id=structure_id,
            agency=agency,
            name=title,
            concepts=tuple(Concept(id=i.concept, name={"en": i.concept_name}) for i in inferred),
            codelists=tuple(codelists.values()),
            dimensions=tuple(dims),
            time_dimension=time_dimension,
            attributes=tuple(attrs),
            measures=(Measure(id=_MEASURE, value_type=measure_type),),
        )
        dataset = CitizenDataset(**fields, structure=structure, observations=observations)
    except ValidationError as exc:
        issues = issues_from_pydantic(exc)
        raise InvalidDatasetError(issues, context=f"data set {fields['id']} from a frame") from None
    order = {c.id: n for n, c in enumerate(structure.components)}
    ordered = tuple(sorted(inferred, key=lambda i: order[i.component]))
    return FrameResult(dataset, ordered)


# -- metadata ------------------------------------------------------------------------------


def _dataset_fields(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    fields = dict(metadata or {})
    missing = [name for name in _REQUIRED if not fields.get(name)]
    if missing:
        raise FrameError(
            f"metadata lacks {', '.join(missing)}: a data set needs an id, an agency and a "
            f"title, e.g. {_EXAMPLE}"
        )
    for name in ("observations", "structure"):
        if name in fields:
            raise FrameError(f"metadata cannot give {name!r}: from_frame builds it from the frame")
    for name in ("title", "description"):
        if isinstance(fields.get(name), str):
            fields[name] = {"en": fields[name]}
    publisher = fields.get("publisher")
    if isinstance(publisher, str):
        provenance = fields.get("provenance") or Provenance()
        if isinstance(provenance, Provenance) and publisher not in {
            a.id for a in provenance.agents
        }:
            agent_id = _NOT_ID_CHARS.sub("_", publisher).strip("_").upper() or "PUBLISHER"
            agent = Agent(
                id=agent_id, kind=AgentKind.ORGANISATION, name=publisher, pseudonymous=False
            )
            fields["provenance"] = provenance.model_copy(
                update={"agents": (*provenance.agents, agent)}
            )
            fields["publisher"] = agent_id
    return fields


# -- roles ---------------------------------------------------------------------------------


def _roles(
    table: pa.Table,
    dimensions: Sequence[str] | None,
    measure: str,
    time: str | None,
    attributes: Sequence[str],
) -> list[tuple[str, Role]]:
    """Each column used and its role, dimensions first; checked against the frame."""
    names = table.column_names
    if isinstance(dimensions, str) or isinstance(attributes, str):
        raise FrameError("dimensions and attributes are lists of column names, not one name")
    if time == _TIME and _TIME not in names:
        time = None  # the default, for a frame without a time column
    asked = _asked_roles(dimensions, measure, time, attributes)
    missing = [name for name, _ in asked if name not in names]
    if missing:
        raise FrameError("; ".join(_missing(name, names) for name in missing))
    _one_role_each(asked)
    if dimensions is None:
        given = {name for name, _ in asked}
        asked = [(n, "dimension") for n in names if n not in given] + asked
    if not any(role == "dimension" for _, role in asked):
        raise FrameError(
            "no dimension: a data set needs at least one key column besides the time "
            f"(columns: {', '.join(names)})"
        )
    for name, role in asked:
        _check_component_id(name, role)
    return asked


def _asked_roles(
    dimensions: Sequence[str] | None,
    measure: str,
    time: str | None,
    attributes: Sequence[str],
) -> list[tuple[str, Role]]:
    """The columns named in the call with their roles: dimensions, measure, time,
    attributes (the other columns become dimensions later when none are named)."""
    asked: list[tuple[str, Role]] = [(d, "dimension") for d in dimensions or ()]
    asked.append((measure, "measure"))
    if time is not None:
        asked.append((time, "time"))
    asked += [(a, "attribute") for a in attributes]
    return asked


def _one_role_each(asked: list[tuple[str, Role]]) -> None:
    """Raise when a column is given in two roles (or twice in one)."""
    seen: dict[str, Role] = {}
    for name, role in asked:
        if name in seen:
            raise FrameError(f"column {name!r} is given as {seen[name]} and as {role}")
        seen[name] = role


def _check_component_id(name: str, role: Role) -> None:
    """Raise when the column's name cannot be the id of the component it becomes."""
    if not _NCNAME.match(name):
        raise FrameError(
            f"column {name!r} cannot be a component id (a letter, then letters, digits, "
            "_ or -): rename it in the frame first"
        )
    if role not in ("time", "measure") and name in (_TIME, _MEASURE):
        raise FrameError(
            f"column {name!r} is a {role}, but {name} is the id SDMX gives the "
            f"{'time dimension' if name == _TIME else 'measure'}: rename it or pass "
            f"{'time' if name == _TIME else 'measure'}={name!r}"
        )


def _missing(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"no column {name!r} in the frame (columns: {', '.join(names)}){hint}"


# -- one column per role ------------------------------------------------------------------


def _no_nulls(column: str, data: pa.ChunkedArray, what: str) -> None:
    nulls = data.null_count
    if nulls:
        raise FrameError(
            f"column {column!r} ({what}) is empty in {nulls} row(s): every observation "
            "needs a full key"
        )


def _dimension(
    column: str, data: pa.ChunkedArray, agency: str, codelists: dict[str, Codelist]
) -> tuple[pa.ChunkedArray, ComponentInference]:
    _no_nulls(column, data, "a dimension")
    text = as_text(data)
    values = distinct_text(text)
    coding = code_coding(column, values, agency)
    if coding.recoded:
        ids = pa.array([coding.recoded.get(v, v) for v in values], type=pa.string())
        text = pa.chunked_array([ids.take(pc.index_in(text, value_set=pa.array(values)))])
    codelists.setdefault(coding.codelist.ref, coding.codelist)
    return text, ComponentInference(
        column=column,
        component=column,
        role="dimension",
        concept=column,
        concept_name=concept_name(column),
        codelist=coding.codelist.ref,
        value_type=ValueType.STRING.value,
        reason=coding.reason,
        recoded=coding.recoded,
    )


def _inferred(
    column: str, component: str, role: Role, *, codelist: str | None, value_type: str, reason: str
) -> ComponentInference:
    """What was inferred for ``column``: the component (its concept has the same id and the
    SDMX name where there is one), its role, codelist, type and why."""
    return ComponentInference(
        column=column,
        component=component,
        role=role,
        concept=component,
        concept_name=concept_name(component),
        codelist=codelist,
        value_type=value_type,
        reason=reason,
    )


def _time(column: str, data: pa.ChunkedArray) -> tuple[pa.ChunkedArray, ComponentInference]:
    _no_nulls(column, data, "the time dimension")
    source = str(data.type)
    reason = f"{source} values as SDMX time periods"
    if column != _TIME:
        reason += f"; the column becomes {_TIME}, the SDMX time dimension"
    return as_text(data), _inferred(
        column,
        _TIME,
        "time",
        codelist=None,
        value_type=TimeDimension().value_type.value,
        reason=reason,
    )


def _measure(column: str, data: pa.ChunkedArray) -> tuple[pa.ChunkedArray, ComponentInference]:
    kind = data.type
    value_type = value_type_of(kind)
    if value_type not in (ValueType.INTEGER, ValueType.DECIMAL) and not pa.types.is_null(kind):
        sample = data.drop_null().slice(0, 3).to_pylist()
        raise FrameError(
            f"measure column {column!r} holds {kind} values, not numbers (e.g. "
            f"{', '.join(map(repr, sample))}): convert it to numbers first "
            "(pandas.to_numeric, polars cast, pyarrow.compute.cast)"
        )
    if pa.types.is_null(kind) or pa.types.is_decimal(kind):
        data, value_type = data.cast(pa.float64()), ValueType.DECIMAL
    assert value_type is not None
    reason = f"{kind} values"
    if column != _MEASURE:
        reason += f"; the column becomes {_MEASURE}, the SDMX measure"
    return data, _inferred(
        column,
        _MEASURE,
        "measure",
        codelist=None,
        value_type=value_type.value,
        reason=reason,
    )


def _attribute(
    column: str, data: pa.ChunkedArray, codelists: dict[str, Codelist]
) -> tuple[pa.ChunkedArray, ComponentInference]:
    def item(codelist: str | None, value_type: ValueType, reason: str) -> ComponentInference:
        return _inferred(
            column,
            column,
            "attribute",
            codelist=codelist,
            value_type=value_type.value,
            reason=reason,
        )

    kind = data.type
    coding = None
    if pa.types.is_string(kind) or pa.types.is_integer(kind):
        coding = builtin_coding(column, distinct_text(as_text(data)))
    if coding is not None:
        codelists.setdefault(coding.codelist.ref, coding.codelist)
        return as_text(data), item(coding.codelist.ref, ValueType.STRING, coding.reason)
    value_type = value_type_of(kind)
    if value_type is None:
        raise FrameError(
            f"attribute column {column!r} holds {kind} values: give text, numbers, "
            "booleans, dates or date-times"
        )
    if pa.types.is_decimal(kind):
        data = data.cast(pa.float64())
    return data, item(None, value_type, f"{kind} values, not coded")


def _check_unique(table: pa.Table, key: list[str], columns: Mapping[str, str]) -> None:
    counts = table.select(key).group_by(key).aggregate([([], "count_all")])
    duplicated = counts.filter(pc.greater(counts.column("count_all"), 1))
    if duplicated.num_rows:
        first = duplicated.slice(0, 1).to_pylist()[0]
        shown = ", ".join(f"{columns.get(k, k)}={first[k]}" for k in key)
        raise FrameError(
            f"{duplicated.num_rows} key(s) appear more than once, e.g. {shown} "
            f"({first['count_all']} rows): the columns {', '.join(columns.get(k, k) for k in key)} "
            "must identify each row; add the missing dimension or aggregate first"
        )
