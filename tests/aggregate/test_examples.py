"""Re-aggregating the unit records behind the services example reproduces its published
observations (examples/generate.py: ``_satisfaction_records`` then
``_satisfaction_observations``)."""

from __future__ import annotations

import random
from typing import Any

import pyarrow as pa

from cdinterop.aggregate import AggregationSpec, aggregate
from cdinterop.model import _jsonio as jsonio

from .helpers import EXAMPLES, generator, unit_records

COLUMNS = ("respondent", "county", "sex", "age", "disability", "service")


def _services_units() -> Any:
    gen = generator()
    records = gen._satisfaction_records(random.Random(1662))
    table = pa.table(
        {
            **{c: [r[c] for r in records] for c in COLUMNS},
            "satisfied": pa.array([r["satisfied"] for r in records], pa.int64()),
        }
    )
    return records, unit_records(table, dataset_id="DF_SERVICES_UNITS")


def _services_spec(*, secondary: bool) -> AggregationSpec:
    published = jsonio.load(EXAMPLES / "public-services-satisfaction" / "dataset.json")
    return AggregationSpec.model_validate(
        {
            "id": "services-satisfaction",
            "structure": published.structure.model_dump(),
            "dimensions": {
                "FREQ": {"value": "A"},
                "REF_AREA": {"from": "county", "total": "KE"},
                "SEX": {"from": "sex"},
                "AGE": {"from": "age"},
                "DISABILITY_STATUS": {"from": "disability"},
                "SERVICE": {"from": "service"},
                "TIME_PERIOD": {"value": "2024"},
            },
            "measure": {
                "type": "proportion",
                "column": "satisfied",
                "values": [1],
                "scale": "percent",
                "decimals": 1,
            },
            "contributor_count": "SAMPLE_SIZE",
            "attributes": dict(published.attribute_values),
            "disclosure": {
                "method": "cell_suppression",
                "threshold": 10,
                "secondary": secondary,
            },
            "output": {"id": published.id, "agency": published.agency},
        }
    )


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row[k] for k in ("FREQ", "REF_AREA", "SEX", "AGE", "DISABILITY_STATUS", "SERVICE"))


def test_primary_only_reproduces_the_published_observations() -> None:
    records, units = _services_units()
    expected, suppressed = generator()._satisfaction_observations(records)
    result = aggregate(units, _services_spec(secondary=False))
    got = sorted(result.dataset.observations.table.to_pylist(), key=_key)
    want = sorted(expected, key=_key)
    assert len(got) == len(want)
    assert got == want
    assert result.report.primary_suppressed == suppressed
    published = jsonio.load(EXAMPLES / "public-services-satisfaction" / "dataset.json")
    assert result.dataset.observations == published.observations
