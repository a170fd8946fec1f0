"""The disclosure record of a conformed data set, in the target structure's terms.

A source table's record names its additive relations (``totals``: each totalled dimension
and its total code; ``nested`` hierarchies) and the component that publishes contributor
counts, all by the source's ids and codes. Conformance renames dimensions, maps codes,
drops rows and leaves components behind, so that record would describe a table the
conformed data set is not: `cdinterop audit` would look for dimensions it lacks, or build
relations whose children were dropped (a total that is no longer the sum of the cells
published beside it).

`conformed_disclosure()` carries each part of the record that still holds, decided on the
data (the source rows each output row came from), never on the spec alone:

* a totalled dimension is kept when one target dimension carries it, its codes map one to
  one, its total code is among the rows kept, and every relation along it is whole: for
  each combination of the other source dimensions that has a kept row, every row of that
  combination is kept (a filter on this dimension, or on several dimensions at once, that
  removed some children removes the relation);
* a hierarchy is kept when both its dimensions are;
* the contributor count is kept when a target component takes it unchanged (``from`` it
  with no map), under the target's id.

Everything else (the method, threshold, rules, counts of suppressed cells, the levels and
the record's own audit) describes the protection applied to the source table and is kept
as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.mapping import ValueRule
from cdinterop.model import DataStructure, DisclosureControl

__all__ = ["conformed_disclosure"]

_KEPT = "__cdinterop_kept"


def conformed_disclosure(
    record: DisclosureControl,
    source: pa.Table,
    source_dimensions: list[str],
    rules: Mapping[str, ValueRule],
    structure: DataStructure,
    output: pa.Table,
    source_rows: pa.Array,
    fallback_totals: Mapping[str, str] | None = None,
) -> DisclosureControl:
    """``record`` (the source table's) with its relations and contributor count carried
    onto the conformed table ``output``, whose row ``i`` came from ``source`` row
    ``source_rows[i]`` (see the module documentation). ``fallback_totals`` are the
    relations of a record written before records carried them (from the aggregation
    activity)."""
    fallback_totals = fallback_totals or {}
    targets = _target_dimensions(rules, structure)
    kept = _kept_mask(source.num_rows, source_rows)
    keys = [k for k in structure.key_ids if k in output.column_names]
    totals: dict[str, str] = {}
    renamed: dict[str, str] = {}
    for dimension, total in (record.totals or fallback_totals).items():
        target = targets.get(dimension)
        if target is None or target not in output.column_names:
            continue
        code = _total_code(source, output, source_rows, dimension, target, total)
        others = [d for d in source_dimensions if d != dimension and d in source.column_names]
        same_groups = _same_groups(
            source.select(others).take(source_rows), output.select(keys).drop_columns([target])
        )
        if code is not None and same_groups and _whole(source, kept, others):
            totals[target] = code
            renamed[dimension] = target
    nested = {
        renamed[child]: renamed[parent]
        for child, parent in record.nested.items()
        if child in renamed and parent in renamed
    }
    return record.model_copy(
        update={
            "totals": totals,
            "nested": nested,
            "contributor_count": _carried_unchanged(record.contributor_count, rules),
        }
    )


def _target_dimensions(rules: Mapping[str, ValueRule], structure: DataStructure) -> dict[str, str]:
    """Source column → the one target dimension taken from it (columns that feed several
    dimensions are left out: a relation along them is ambiguous)."""
    dimensions = set(structure.key_ids)
    found: dict[str, list[str]] = {}
    for target, rule in rules.items():
        if rule.source is not None and target in dimensions:
            found.setdefault(rule.source, []).append(target)
    return {source: names[0] for source, names in found.items() if len(names) == 1}


def _kept_mask(rows: int, source_rows: pa.Array) -> pa.Array:
    taken = np.zeros(rows, dtype=bool)
    taken[np.asarray(source_rows.to_numpy(zero_copy_only=False), dtype=np.int64)] = True
    return pa.array(taken, pa.bool_())


def _total_code(
    source: pa.Table,
    output: pa.Table,
    source_rows: pa.Array,
    dimension: str,
    target: str,
    total: str,
) -> str | None:
    """The target code of ``total`` when the kept codes of ``dimension`` map one to one
    onto ``target``'s and the total is among them; else ``None``."""
    before = pc.cast(pc.take(source.column(dimension), source_rows), pa.string())
    after = pc.cast(output.column(target), pa.string())
    pairs = pa.table({"s": before, "t": after}).group_by(["s", "t"]).aggregate([])
    sources, codes = pairs.column("s").to_pylist(), pairs.column("t").to_pylist()
    if None in sources or None in codes:
        return None
    if len(set(sources)) != len(sources) or len(set(codes)) != len(codes):
        return None
    mapped = dict(zip(sources, codes, strict=True))
    return mapped.get(total)


def _same_groups(before: pa.Table, after: pa.Table) -> bool:
    """Whether the kept rows fall into the same groups by the other source dimensions
    (``before``) as by the other target key columns (``after``): else a target column taken
    from a non-key source column (an attribute) splits or merges the cells of a relation."""
    pairs = pa.table({"before": _row_keys(before), "after": _row_keys(after)})
    distinct = pairs.group_by(["before", "after"]).aggregate([]).num_rows
    by_before = int(pc.count_distinct(pairs.column("before")).as_py())
    by_after = int(pc.count_distinct(pairs.column("after")).as_py())
    return bool(distinct == by_before == by_after)


def _row_keys(table: pa.Table) -> pa.Array:
    """One text per row that is equal for rows with equal values (nulls included)."""
    if not table.num_columns:
        return pa.array([""] * table.num_rows, pa.string())
    columns = [
        pc.fill_null(pc.cast(table.column(name), pa.string()), "\x00null")
        for name in table.column_names
    ]
    return pc.binary_join_element_wise(*columns, "\x1f")


def _whole(source: pa.Table, kept: pa.Array, others: list[str]) -> bool:
    """Whether every group of source rows sharing the ``others`` codes that has a kept row
    is kept whole (so each relation along the remaining dimension keeps all its cells)."""
    if not others:
        return bool(pc.all(kept).as_py()) or not bool(pc.any(kept).as_py())
    table = source.select(others).append_column(_KEPT, pc.cast(kept, pa.int64()))
    groups = table.group_by(others).aggregate([(_KEPT, "sum"), (_KEPT, "count")])
    some = pc.greater(groups.column(f"{_KEPT}_sum"), 0)
    whole = pc.equal(groups.column(f"{_KEPT}_sum"), groups.column(f"{_KEPT}_count"))
    return bool(pc.all(pc.or_(pc.invert(some), whole)).as_py())


def _carried_unchanged(component: str | None, rules: Mapping[str, ValueRule]) -> str | None:
    """The target component that takes ``component`` with no value map, if one does."""
    if component is None:
        return None
    for target, rule in rules.items():
        if rule.source == component and rule.map is None and rule.default is None:
            return target
    return None
