"""Shared builders for the aggregation tests: unit-record data sets, target structures."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa

from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Measure,
    Observations,
    TimeDimension,
    Usage,
    ValueType,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@cache
def generator() -> ModuleType:
    """examples/generate.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "cdinterop_examples_generate", EXAMPLES / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def unit_records(table: pa.Table, *, dataset_id: str = "DF_UNITS") -> CitizenDataset:
    """A unit-record data set: a row-number dimension ``ROW``, every column an
    observation attribute (so any table with duplicate characteristics validates)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_large_string(field.type) or pa.types.is_null(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    if "_ROW" not in table.column_names:
        table = table.append_column("_ROW", pa.array([f"r{i}" for i in range(table.num_rows)]))
    if "OBS_VALUE" not in table.column_names:
        table = table.append_column("OBS_VALUE", pa.nulls(table.num_rows, pa.float64()))
    dims, attrs, concepts = [], [], []
    for field in table.schema:
        concepts.append(Concept(id=field.name.lstrip("_"), name={"en": field.name}))
        if field.name == "OBS_VALUE":
            continue
        concept = field.name.lstrip("_")
        if field.name == "_ROW":
            dims.append(Dimension(id="ROW", concept=concept))
        elif pa.types.is_string(field.type):
            attrs.append(Attribute(id=field.name, concept=concept))
        elif pa.types.is_integer(field.type):
            attrs.append(Attribute(id=field.name, concept=concept, value_type=ValueType.INTEGER))
        else:
            attrs.append(Attribute(id=field.name, concept=concept, value_type=ValueType.DECIMAL))
    table = table.rename_columns(["ROW" if c == "_ROW" else c for c in table.column_names])
    structure = DataStructure(
        id="DSD_UNITS",
        agency="TEST",
        name={"en": "Unit records"},
        concepts=concepts,
        dimensions=dims,
        attributes=attrs,
    )
    return CitizenDataset(
        id=dataset_id,
        agency="TEST",
        title={"en": "Unit records"},
        structure=structure,
        observations=Observations.from_arrow(table),
    )


def target_structure(
    dims: dict[str, list[str]],
    *,
    value_type: ValueType = ValueType.DECIMAL,
    time: bool = False,
    statuses: bool = True,
    sample_size: bool = True,
    conf_codes: tuple[str, ...] = ("F", "C", "D"),
) -> DataStructure:
    """A target structure with coded dimensions (codes given, ``_T`` added)."""
    from cdinterop.codes import CONF_STATUS, OBS_STATUS

    concepts = [Concept(id=d, name={"en": d}) for d in dims]
    concepts += [
        Concept(id=c, name={"en": c})
        for c in ("OBS_VALUE", "OBS_STATUS", "CONF_STATUS", "SAMPLE_SIZE", "TIME_PERIOD")
    ]
    codelists = [
        Codelist(
            id=f"CL_{d}",
            agency="TEST",
            name={"en": d},
            codes=[{"id": c, "name": {"en": c}} for c in ["_T", *codes]],
        )
        for d, codes in dims.items()
    ]
    attributes = []
    if statuses:
        codelists += [OBS_STATUS.subset(["A", "Q", "O"]), CONF_STATUS.subset(conf_codes)]
        attributes += [
            Attribute(id="OBS_STATUS", codelist="CL_OBS_STATUS", usage=Usage.MANDATORY),
            Attribute(id="CONF_STATUS", codelist="CL_CONF_STATUS", usage=Usage.MANDATORY),
        ]
    if sample_size:
        attributes.append(
            Attribute(
                id="SAMPLE_SIZE",
                value_type=ValueType.INTEGER,
                attachment=AttachmentLevel.OBSERVATION,
            )
        )
    return DataStructure(
        id="DSD_TARGET",
        agency="TEST",
        name={"en": "Target"},
        concepts=concepts,
        codelists=codelists,
        dimensions=[Dimension(id=d, codelist=f"CL_{d}") for d in dims],
        time_dimension=TimeDimension() if time else None,
        measures=[Measure(value_type=value_type)],
        attributes=attributes,
    )


def rows(dataset: CitizenDataset) -> list[dict[str, Any]]:
    """The observation rows of a data set."""
    out: list[dict[str, Any]] = dataset.observations.table.to_pylist()
    return out


def area_sex_counts(
    counts: dict[tuple[str, str], int], disclosure: dict[str, Any]
) -> tuple[CitizenDataset, Any]:
    """Unit records with ``counts[(area, sex)]`` rows per cell (areas A, B, C; sexes F, M),
    and a count spec over both dimensions with totals and this ``disclosure`` section."""
    from cdinterop.aggregate import AggregationSpec

    area = [a for (a, _), n in counts.items() for _ in range(n)]
    sex = [s for (_, s), n in counts.items() for _ in range(n)]
    spec = AggregationSpec.model_validate(
        {
            "structure": target_structure(
                {"AREA": ["A", "B", "C"], "SEX": ["F", "M"]}, value_type=ValueType.INTEGER
            ).model_dump(),
            "dimensions": {"AREA": {"from": "area"}, "SEX": {"from": "sex"}},
            "measure": {"type": "count"},
            "disclosure": disclosure,
        }
    )
    return unit_records(pa.table({"area": area, "sex": sex})), spec


def key_relations(
    keys: Sequence[tuple[str, ...]], totalled: Sequence[int], total: str = "_T"
) -> list[tuple[int, list[int]]]:
    """(total cell, child cells) of every additive relation, from the cells' keys alone: a
    cell with ``total`` at a totalled position adds up the cells equal to it elsewhere
    that have another code there (the tests' own relations, not the library's)."""
    index = {k: i for i, k in enumerate(keys)}
    out = []
    for key, i in index.items():
        for j in totalled:
            if key[j] != total:
                continue
            children = [
                c
                for k, c in index.items()
                if k[j] != total and all(k[m] == key[m] for m in range(len(key)) if m != j)
            ]
            if children:
                out.append((i, children))
    return out


Intervals = dict[tuple[str, ...], tuple[float, float]]


def audit_and_oracle(
    report: Any, pub: Any, column: str, lower: float
) -> tuple[Intervals, Intervals]:
    """The intervals of ``column``'s suppressed cells found by an `AuditReport` and by the
    independent scipy attacker (`lp_oracle`, a-priori bound ``lower``) on the published
    output ``pub``, both by cell key (every dimension, as text)."""
    from . import lp_oracle as oracle

    found = oracle.attack(pub, oracle.Quantity(column, lower=lower))
    assert not found.unbalanced
    theirs = {pub.key(i): (iv.lo, iv.hi) for i, iv in found.intervals.items()}
    ours = {
        tuple(c.key[d] for d in pub.dims): (c.lower, c.upper)
        for c in report.intervals
        if c.component == column
    }
    return ours, theirs
