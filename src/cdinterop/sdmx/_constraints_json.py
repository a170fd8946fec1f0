"""Content constraints in SDMX-JSON 2.0 / 2.1 structure messages (``data.dataConstraints``),
written from and read into the model's [`ContentConstraint`][cdinterop.model.ContentConstraint].

SDMX-JSON follows the SDMX 3.0 information model, as SDMX-ML 3.0 does: no reference period,
at most two cube regions. SDMX-JSON 2.1 (SDMX 3.1) drops the ``role`` and the release
calendar of a data constraint: its data constraints state the allowed content only (what
data exist is an availability constraint, which the REST availability queries compute), so
an ``actual`` constraint or a release calendar cannot be written in 2.1.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError

from cdinterop.model import (
    ComponentValues,
    ContentConstraint,
    CubeRegion,
    DataKey,
    DataKeySet,
    ReleaseCalendar,
    TimeRange,
)
from cdinterop.model._internal import Cascade, constrained_class
from cdinterop.sdmx._json_common import JsonVersion, TextReader, TextWriter, urn

__all__ = ["constraint_problem", "read_constraints", "write_constraints"]

_ATTACHMENT = {
    "DataStructure": "dataStructures",
    "Dataflow": "dataflows",
    "ProvisionAgreement": "provisionAgreements",
}
_ROLE = {"allowed": "Allowed", "actual": "Actual"}
_T = TypeVar("_T")


def constraint_problem(c: ContentConstraint, version: JsonVersion) -> str | None:
    """Why SDMX-JSON ``version`` cannot state ``c``, or ``None``."""
    if c.reference_period is not None:
        return f"{c.id}: SDMX-JSON (the SDMX 3.0 model) has no reference period"
    if len(c.cube_regions) > 2:
        return f"{c.id}: SDMX-JSON allows at most two cube regions"
    for attached in c.constrains:
        if (
            constrained_class(attached) == "DataProvider"
            and ":DATA_PROVIDERS(1.0)." not in attached
        ):
            return (
                f"{c.id}: SDMX-JSON names a data provider of the scheme DATA_PROVIDERS(1.0) "
                f"only, not {attached}"
            )
    if version == "2.1":
        if c.role != "allowed":
            return (
                f"{c.id}: SDMX-JSON 2.1 data constraints state allowed content only, "
                "not actual data (write SDMX-JSON 2.0 or SDMX-ML)"
            )
        if c.release_calendar is not None:
            return f"{c.id}: SDMX-JSON 2.1 data constraints have no release calendar"
    return None


# --------------------------------------------------------------------------- writing


def _member(member: ComponentValues) -> dict[str, Any]:
    node: dict[str, Any] = {"id": member.id, "include": member.include}
    if member.remove_prefix is not None:
        node["removePrefix"] = member.remove_prefix
    if member.values:  # objects, not bare strings: pysdmx 1.20 reads objects only
        node["values"] = [_value(value, member.cascade.get(value)) for value in member.values]
    if member.time_range is not None:
        node["timeRange"] = _time_range(member.time_range)
    return node


def _value(value: str, cascade: Cascade | None) -> dict[str, Any]:
    if cascade is None:
        return {"value": value}
    return {"value": value, "cascadeValues": True if cascade == "true" else "excluderoot"}


def _time_range(range_: TimeRange) -> dict[str, Any]:
    def bound(period: str, inclusive: bool) -> dict[str, Any]:
        return {"period": period, "isInclusive": inclusive}

    if range_.start is not None and range_.end is not None:
        return {
            "startPeriod": bound(range_.start, range_.start_inclusive),
            "endPeriod": bound(range_.end, range_.end_inclusive),
        }
    if range_.start is not None:
        return {"afterPeriod": bound(range_.start, range_.start_inclusive)}
    assert range_.end is not None  # the model requires a bound
    return {"beforePeriod": bound(range_.end, range_.end_inclusive)}


def _key(key: DataKey, texts: TextWriter) -> dict[str, Any]:
    node: dict[str, Any] = {}
    texts.annotations(node, key.annotations)
    node["keyValues"] = [{"id": dim, "value": value} for dim, value in key.values]
    if key.components:
        node["components"] = [_member(m) for m in key.components]
    return node


def _region(region: CubeRegion, texts: TextWriter) -> dict[str, Any]:
    node: dict[str, Any] = {"include": region.include}
    texts.annotations(node, region.annotations)
    keys = [_member(m) for m in region.components if m.key]
    others = [_member(m) for m in region.components if not m.key]
    if others:
        node["components"] = others
    if keys:
        node["keyValues"] = keys
    return node


def _constraint(c: ContentConstraint, version: JsonVersion, texts: TextWriter) -> dict[str, Any]:
    node: dict[str, Any] = {"id": c.id, "version": c.version, "agencyID": c.agency}
    texts.nameable(node, c.name, c.description)
    texts.annotations(node, c.annotations)
    texts.self_link(node, urn("registry.DataConstraint", (c.agency, c.id, c.version)), c.uri)
    if version == "2.0":
        node["role"] = _ROLE[c.role]
    if c.constrains:
        cls = constrained_class(c.constrains[0])
        if cls == "DataProvider":
            node["constraintAttachment"] = {"dataProvider": c.constrains[0]}
        else:
            node["constraintAttachment"] = {_ATTACHMENT[cls]: list(c.constrains)}
    if c.release_calendar is not None:
        calendar = c.release_calendar
        node["releaseCalendar"] = {
            "offset": calendar.offset,
            "periodicity": calendar.periodicity,
            "tolerance": calendar.tolerance,
        }
    if c.key_sets:
        node["dataKeySets"] = [
            {"isIncluded": ks.include, "keys": [_key(k, texts) for k in ks.keys]}
            for ks in c.key_sets
        ]
    if c.cube_regions:
        node["cubeRegions"] = [_region(r, texts) for r in c.cube_regions]
    return node


def write_constraints(
    constraints: tuple[ContentConstraint, ...], version: JsonVersion, texts: TextWriter
) -> list[dict[str, Any]]:
    """The ``dataConstraints`` entries of ``constraints`` (check `constraint_problem()`
    first)."""
    return [_constraint(c, version, texts) for c in constraints]


# --------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self, texts: TextReader) -> None:
        self.t = texts

    def make(self, cls: type[_T], where: str, **fields: Any) -> _T:
        """``cls(**fields)``; the model's objections become a ReadError at ``where``."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) + ': ' if e['loc'] else ''}{e['msg']}"
                for e in exc.errors()
            )
            raise self.t.fail(where, problems) from None

    def values(
        self, node: dict[str, Any], where: str
    ) -> tuple[tuple[str, ...], dict[str, Cascade]]:
        values: list[str] = []
        cascade: dict[str, Cascade] = {}
        for i, item in enumerate(self.t.array(node, "values", where)):
            at = f"{where}.values[{i}]"
            if isinstance(item, str):
                values.append(item)
                continue
            value = self.t.obj(item, at)
            text = self.t.string(value, "value", at, required=True)
            values.append(text)
            flag = value.get("cascadeValues", False)
            if flag is True or flag == "true":
                cascade[text] = "true"
            elif flag == "excluderoot":
                cascade[text] = "excluderoot"
        return tuple(values), cascade

    def time_range(self, node: dict[str, Any], where: str) -> TimeRange:
        def bound(*names: str) -> tuple[str | None, bool]:
            for name in names:
                if name in node:
                    at = f"{where}.{name}"
                    found = self.t.obj(node[name], at)
                    period = self.t.string(found, "period", at, required=True)
                    return period, self.t.flag(found, "isInclusive", at, True)
            return None, True

        start, start_inclusive = bound("startPeriod", "afterPeriod")
        end, end_inclusive = bound("endPeriod", "beforePeriod")
        return self.make(
            TimeRange,
            where,
            start=start,
            start_inclusive=start_inclusive,
            end=end,
            end_inclusive=end_inclusive,
        )

    def member(self, item: Any, key: bool, where: str) -> ComponentValues:
        node = self.t.obj(item, where)
        values, cascade = self.values(node, where)
        range_ = node.get("timeRange")
        remove = node.get("removePrefix")
        return self.make(
            ComponentValues,
            where,
            id=self.t.string(node, "id", where, required=True),
            key=key,
            include=self.t.flag(node, "include", where, True),
            values=values,
            cascade=cascade,
            time_range=None
            if range_ is None
            else self.time_range(self.t.obj(range_, f"{where}.timeRange"), f"{where}.timeRange"),
            remove_prefix=None
            if remove is None
            else self.t.flag(node, "removePrefix", where, False),
        )

    def key(self, item: Any, where: str) -> DataKey:
        node = self.t.obj(item, where)
        pairs = []
        for i, value in enumerate(self.t.array(node, "keyValues", where)):
            at = f"{where}.keyValues[{i}]"
            entry = self.t.obj(value, at)
            dim = self.t.string(entry, "id", at, required=True)
            if "values" in entry:  # SDMX-JSON 2.1: several values of one dimension
                for j, text in enumerate(self.t.array(entry, "values", at)):
                    if not isinstance(text, str):
                        raise self.t.fail(f"{at}.values[{j}]", "expected a string")
                    pairs.append((dim, text))
            else:
                pairs.append((dim, self.t.string(entry, "value", at, required=True)))
        return self.make(
            DataKey,
            where,
            values=tuple(pairs),
            components=tuple(
                self.member(m, False, f"{where}.components[{i}]")
                for i, m in enumerate(self.t.array(node, "components", where))
            ),
            annotations=self.t.annotations(node, where),
        )

    def region(self, item: Any, where: str) -> CubeRegion:
        node = self.t.obj(item, where)
        keys = [
            self.member(m, True, f"{where}.keyValues[{i}]")
            for i, m in enumerate(self.t.array(node, "keyValues", where))
        ]
        others = [
            self.member(m, False, f"{where}.components[{i}]")
            for i, m in enumerate(self.t.array(node, "components", where))
        ]
        return self.make(
            CubeRegion,
            where,
            include=self.t.flag(node, "include", where, True),
            components=(*keys, *others),
            annotations=self.t.annotations(node, where),
        )

    def attachment(self, node: dict[str, Any], where: str) -> tuple[str, ...]:
        found: list[str] = []
        for key in node:
            at = f"{where}.{key}"
            if key == "dataProvider":
                found.append(self.t.string(node, key, where, required=True))
            elif key in _ATTACHMENT.values():
                for i, ref in enumerate(self.t.array(node, key, where)):
                    if not isinstance(ref, str):
                        raise self.t.fail(f"{at}[{i}]", "expected a URN string")
                    found.append(ref)
            else:
                raise self.t.fail(at, f"an attachment to {key} is not supported")
        return tuple(found)

    def constraint(self, item: Any, where: str) -> ContentConstraint:
        node = self.t.obj(item, where)
        role = node.get("role", "Allowed")
        if role not in _ROLE.values():
            raise self.t.fail(f"{where}.role", f"unknown role {role!r}")
        calendar = node.get("releaseCalendar")
        attachment = node.get("constraintAttachment")
        if calendar is not None:
            at = f"{where}.releaseCalendar"
            self.t.obj(calendar, at)
            release = self.make(
                ReleaseCalendar,
                at,
                periodicity=self.t.string(calendar, "periodicity", at, required=True),
                offset=self.t.string(calendar, "offset", at, required=True),
                tolerance=self.t.string(calendar, "tolerance", at, required=True),
            )
        return self.make(
            ContentConstraint,
            where,
            id=self.t.string(node, "id", where, required=True),
            agency=self.t.string(node, "agencyID", where, required=True),
            version=self.t.string(node, "version", where) or "1.0",
            name=self.t.texts(node, "name", "names", where),
            description=self.t.texts(node, "description", "descriptions", where) or None,
            annotations=self.t.annotations(node, where),
            role="allowed" if role == "Allowed" else "actual",
            constrains=()
            if attachment is None
            else self.attachment(
                self.t.obj(attachment, f"{where}.constraintAttachment"),
                f"{where}.constraintAttachment",
            ),
            key_sets=tuple(
                self.key_set(ks, f"{where}.dataKeySets[{i}]")
                for i, ks in enumerate(self.t.array(node, "dataKeySets", where))
            ),
            cube_regions=tuple(
                self.region(r, f"{where}.cubeRegions[{i}]")
                for i, r in enumerate(self.t.array(node, "cubeRegions", where))
            ),
            release_calendar=release if calendar is not None else None,
            uri=self.t.link(node, where, "uri"),
        )

    def key_set(self, item: Any, where: str) -> DataKeySet:
        node = self.t.obj(item, where)
        return self.make(
            DataKeySet,
            where,
            include=self.t.flag(node, "isIncluded", where, True),
            keys=tuple(
                self.key(k, f"{where}.keys[{i}]")
                for i, k in enumerate(self.t.array(node, "keys", where))
            ),
        )


def read_constraints(items: list[Any], texts: TextReader) -> tuple[ContentConstraint, ...]:
    """The model's constraints of the ``data.dataConstraints`` entries ``items``. Raises
    [`ReadError`][cdinterop.errors.ReadError], located by JSON path, for what the model cannot
    hold (attachments to data sets or data sources) and for constraints breaking its rules."""
    reader = _Reader(texts)
    found = []
    for i, item in enumerate(items):
        where = f"data.dataConstraints[{i}]"
        found.append(reader.constraint(item, where))
    return tuple(found)
