"""A conformed data set's disclosure record, in the target's terms, and its audit.

Conformance renames dimensions, maps codes and drops rows: the source table's record
(totalled dimensions, total codes, the contributor count) must follow, and must lose the
relations whose children were dropped. The expected relations are decided here, by the
test, from what the mapping does (not from our translation); the audit of the conformed
table is checked against the independent scipy attacker (``lp_oracle``), and the
relations the translation keeps or drops are checked on the published counts themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app
from cdinterop.aggregate import audit
from cdinterop.conformance import conform
from cdinterop.convert import convert
from cdinterop.mapping import ConformanceSpec
from cdinterop.model import CitizenDataset, Codelist, DataStructure

pytest.importorskip("scipy.optimize", reason="the independent attacker solves with scipy")
from tests.aggregate import lp_oracle as oracle
from tests.aggregate.helpers import audit_and_oracle

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
SDG_PATH = ROOT.parent / "shared" / "standards" / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml"
SDG_MAPPING = ROOT / "mappings" / "services-satisfaction-to-sdg.yaml"
KEY = b"0123456789abcdef0123456789abcdef"
GENDER = {"F": "FEMALE", "M": "MALE", "_T": "TOTAL"}

runner = CliRunner()


@pytest.fixture(scope="module")
def protected(tmp_path_factory: pytest.TempPathFactory) -> CitizenDataset:
    """The services example aggregated with its shipped spec (interval protection)."""
    out = tmp_path_factory.mktemp("conformed-disclosure") / "services"
    return convert(SERVICES, SPEC, out, to=["model"], key=KEY).dataset


def _target(source: DataStructure) -> DataStructure:
    """The source structure with SEX renamed GENDER (codes renamed too) and SAMPLE_SIZE
    renamed OBS_COUNT: a national variant of the same table."""
    sex = next(c for c in source.codelists if c.id == "CL_SEX")
    gender = Codelist.model_validate(
        {
            **sex.model_dump(exclude={"codes"}),
            "id": "CL_GENDER",
            "codes": [
                {**code.model_dump(), "id": GENDER[code.id]}
                for code in sex.codes
                if code.id in GENDER
            ],
        }
    )
    dimensions = [
        d.model_copy(update={"id": "GENDER", "codelist": "CL_GENDER", "concept": d.concept or d.id})
        if d.id == "SEX"
        else d
        for d in source.dimensions
    ]
    attributes = [
        a.model_copy(update={"id": "OBS_COUNT", "concept": a.concept or a.id})
        if a.id == "SAMPLE_SIZE"
        else a
        for a in source.attributes
    ]
    return source.model_copy(
        update={
            "id": "DSD_SERVICES_NATIONAL",
            "codelists": (*source.codelists, gender),
            "dimensions": tuple(dimensions),
            "attributes": tuple(attributes),
        }
    )


def _mapping(source: CitizenDataset, target: DataStructure, rows: list[Any]) -> ConformanceSpec:
    components: dict[str, Any] = {}
    for component in (*target.dimensions, target.time_dimension, *target.measures):
        assert component is not None
        components[component.id] = {"from": component.id}
    for attribute in target.attributes:
        components[attribute.id] = {"from": attribute.id}
    components["GENDER"] = {"from": "SEX", "map": GENDER}
    components["OBS_COUNT"] = {"from": "SAMPLE_SIZE"}
    return ConformanceSpec.model_validate(
        {
            "id": "services-national",
            "version": "1.0",
            "structure": {"agency": target.agency, "id": target.id, "version": target.version},
            "output": {"id": "DF_SERVICES_NATIONAL"},
            "rows": rows,
            "components": components,
        }
    )


def _conformed(protected: CitizenDataset, rows: list[Any]) -> CitizenDataset:
    target = _target(protected.structure)
    return conform(protected, target, _mapping(protected, target, rows))


def _sums_hold(ds: CitizenDataset, dimension: str, total: str) -> bool:
    """Whether, along ``dimension``, every fully published total equals the sum of its
    published children (OBS_COUNT), read from the conformed table with pandas."""
    frame = ds.observations.to_pandas()
    keys = [d.id for d in ds.structure.dimensions if d.id != dimension] + ["TIME_PERIOD"]
    for _, group in frame.groupby(keys, dropna=False):
        if group["OBS_COUNT"].isna().any() or (group[dimension] == total).sum() != 1:
            continue
        head = group.loc[group[dimension] == total, "OBS_COUNT"].iloc[0]
        if head != group.loc[group[dimension] != total, "OBS_COUNT"].sum():
            return False
    return True


def test_renamed_dimensions_codes_and_count_follow(protected: CitizenDataset) -> None:
    record = protected.disclosure
    assert record is not None and record.totals and record.contributor_count == "SAMPLE_SIZE"
    conformed = _conformed(protected, rows=[])
    moved = conformed.disclosure
    assert moved is not None
    expected = dict(record.totals)
    expected["GENDER"] = GENDER[expected.pop("SEX")]
    assert moved.totals == expected
    assert moved.contributor_count == "OBS_COUNT"
    assert (moved.threshold, moved.audit) == (record.threshold, record.audit)


def test_a_dimension_that_lost_children_loses_its_relation(protected: CitizenDataset) -> None:
    """Dropping one age band leaves every AGE total short of its children: the relation
    must go (the other relations stay whole)."""
    band = "Y30T44"
    rows = [{"name": "no-middle-age", "drop": {"AGE": [band]}}]
    conformed = _conformed(protected, rows)
    moved = conformed.disclosure
    assert moved is not None
    assert "AGE" not in moved.totals
    assert set(moved.totals) == {"REF_AREA", "GENDER", "DISABILITY_STATUS", "SERVICE"}
    # the test's own check, on the published counts: AGE no longer adds up, the rest do
    assert not _sums_hold(conformed, "AGE", "_T")
    for dimension, total in moved.totals.items():
        assert _sums_hold(conformed, dimension, total), dimension


def test_a_slice_keeps_the_relations_inside_it(protected: CitizenDataset) -> None:
    """Keeping one county and its national total cuts REF_AREA's relation, not the others'."""
    frame = protected.observations.to_pandas()
    county = sorted(set(frame["REF_AREA"]) - {"KE"})[0]
    rows = [{"name": "one-county", "keep": {"REF_AREA": [county]}}]
    moved = _conformed(protected, rows).disclosure
    assert moved is not None
    assert set(moved.totals) == {"GENDER", "AGE", "DISABILITY_STATUS", "SERVICE"}


def test_the_audit_of_the_conformed_table_equals_the_oracles(
    protected: CitizenDataset, tmp_path: Path
) -> None:
    rows = [{"name": "no-middle-age", "drop": {"AGE": ["Y30T44"]}}]
    conformed = _conformed(protected, rows)
    path = tmp_path / "dataset.json"
    cdinterop.save(conformed, path)
    report = audit(conformed)
    assert report.ok and not report.problems, report.problems
    pub = oracle.read_published(path)
    assert set(pub.totals) == {"REF_AREA", "GENDER", "DISABILITY_STATUS", "SERVICE"}
    ours, theirs = audit_and_oracle(report, pub, "OBS_COUNT", 1)
    assert len(theirs) > 100 and ours == theirs
    result = runner.invoke(app, ["audit", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_the_sdg_output_of_convert_passes_its_audit(tmp_path: Path) -> None:
    """convert --structure SDG --conform: percentages only (no count is carried), counties
    and one age band dropped. The record keeps SEX and DISABILITY_STATUS only and names no
    contributor count; the audit passes with a note instead of failing on the source's
    dimensions."""
    if not SDG_PATH.is_file():
        pytest.skip(f"the SDG DSD copy is not available at {SDG_PATH}")
    out = tmp_path / "sdg"
    convert(SERVICES, SPEC, out, to=["model"], key=KEY, structure=SDG_PATH, conform=SDG_MAPPING)
    data = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    record = data["disclosure"]
    assert record["totals"] == {"SEX": "_T", "DISABILITY_STATUS": "_T"}
    assert "contributor_count" not in record or record["contributor_count"] is None
    frame = pd.DataFrame(data["observations"])
    assert "Y30T44" not in set(frame["AGE"]) and set(frame["REF_AREA"]) == {"404"}  # M49: Kenya
    result = runner.invoke(app, ["audit", str(out)])
    assert result.exit_code == 0, result.output
    assert "nothing published adds up" in " ".join(result.output.split())


# -- soundness: the relations kept must hold, whatever the mapping makes of the keys ------


def _counted(seed: int) -> tuple[pd.DataFrame, CitizenDataset]:
    """A random two-dimensional count table with cell suppression (k = 6)."""
    import numpy as np
    import pyarrow as pa
    from tests.aggregate.helpers import target_structure, unit_records

    from cdinterop.aggregate import AggregationSpec, aggregate
    from cdinterop.model import ValueType

    dims = {"A": [f"a{i}" for i in range(5)], "B": [f"b{i}" for i in range(4)]}
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "A": rng.choice(dims["A"], 150, p=[0.35, 0.3, 0.2, 0.1, 0.05]),
            "B": rng.choice(dims["B"], 150, p=[0.4, 0.3, 0.2, 0.1]),
        }
    )
    spec = AggregationSpec.model_validate(
        {
            "structure": target_structure(dims, value_type=ValueType.INTEGER).model_dump(),
            "dimensions": {d: {"from": d} for d in dims},
            "measure": {"type": "count"},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": {"method": "cell_suppression", "threshold": 6},
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    return frame, aggregate(unit_records(table), spec).dataset


def _true_count(frame: pd.DataFrame, a: str, b: str) -> int:
    rows = frame
    if a != "_T":
        rows = rows[rows["A"] == a]
    if b != "_T":
        rows = rows[rows["B"] == b]
    return len(rows)


@pytest.mark.parametrize("seed", range(6))
def test_a_key_column_taken_from_an_attribute_drops_the_relations_it_splits(seed: int) -> None:
    """A target dimension fed from CONF_STATUS (an attribute) puts the published and the
    suppressed cells of one total under different keys: the totals no longer add up within
    a key group, so no relation may be kept; and every interval the audit of the conformed
    table gives holds the true count (pandas), whatever it keeps."""
    from cdinterop.model import Dimension

    frame, ds = _counted(seed)
    source = ds.structure
    target = source.model_copy(
        update={
            "id": "DSD_SPLIT",
            "dimensions": (
                *source.dimensions,
                Dimension(id="CONF", codelist="CL_CONF_STATUS", concept="CONF_STATUS"),
            ),
        }
    )
    components: dict[str, Any] = {c.id: {"from": c.id} for c in source.dimensions}
    components |= {c.id: {"from": c.id} for c in (*source.attributes, *source.measures)}
    components["CONF"] = {"from": "CONF_STATUS"}
    mapping = ConformanceSpec.model_validate(
        {
            "id": "split",
            "version": "1.0",
            "structure": {"agency": target.agency, "id": target.id, "version": target.version},
            "components": components,
        }
    )
    conformed = conform(ds, target, mapping)
    assert conformed.disclosure is not None and ds.disclosure is not None
    assert ds.disclosure.totals == {"A": "_T", "B": "_T"}
    assert conformed.disclosure.totals == {}
    report = audit(conformed)
    for cell in report.intervals:
        true = _true_count(frame, cell.key["A"], cell.key["B"])
        assert cell.lower - 1e-6 <= true <= cell.upper + 1e-6, (cell, true)


def test_a_record_older_than_its_totals_is_carried_from_the_activity(
    protected: CitizenDataset,
) -> None:
    """Records written before they carried their relations have them only in the
    aggregation activity (``totals``, code ``_T``): conformance carries those."""
    assert protected.disclosure is not None
    old = protected.replace(disclosure=protected.disclosure.model_copy(update={"totals": {}}))
    moved = _conformed(old, rows=[]).disclosure
    assert moved is not None
    # REF_AREA's total is KE, not _T: the activity cannot tell, so that relation is lost
    assert moved.totals == {
        "GENDER": "TOTAL",
        "AGE": "_T",
        "DISABILITY_STATUS": "_T",
        "SERVICE": "_T",
    }
