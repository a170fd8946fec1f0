"""Series-keyed SDMX-ML with a dimension whose values are integers (a third-party Data
Package's integer ``id`` key, say): the series key is built from text."""

from __future__ import annotations

import json
from pathlib import Path

from cdinterop import datapackage, sdmx


def test_integer_dimension_with_a_time_dimension_round_trips(tmp_path: Path) -> None:
    (tmp_path / "obs.csv").write_text("id,year,value\n1,2021,3.5\n2,2021,4\n1,2022,5\n")
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "year", "type": "year"},
        {"name": "value", "type": "number"},
    ]
    resource = {
        "name": "obs",
        "path": "obs.csv",
        "schema": {"fields": fields, "primaryKey": ["id", "year"]},
    }
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}))
    ds = datapackage.read(tmp_path)
    assert ds.structure.key_ids == ("id", "TIME_PERIOD")
    written = {p.name for p in sdmx.write_all(ds, tmp_path / "sdmx")}
    assert "data-ml30-ss-ts.xml" in written
    again = sdmx.read(
        tmp_path / "sdmx" / "data-ml30-ss-ts.xml", structure=tmp_path / "sdmx" / "structure-3.0.xml"
    )

    def rows(d: object) -> list[dict[str, object]]:
        records = d.observations.to_records()  # type: ignore[attr-defined]
        return sorted(records, key=lambda r: (r["id"], r["TIME_PERIOD"]))

    assert rows(again) == rows(ds)  # series messages group the rows by series
