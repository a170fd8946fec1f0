from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from cdinterop.model import DataStructure, Observation, Observations


def _codes(issues: list[Any]) -> list[tuple[int | None, str | None, str]]:
    return [(i.row, i.component, i.code) for i in issues]


def test_valid_rows_have_no_issues(structure: DataStructure, rows: list[dict[str, Any]]) -> None:
    assert Observations.from_records(rows).check(structure) == []


def test_all_problems_reported_in_one_pass(
    structure: DataStructure, rows: list[dict[str, Any]]
) -> None:
    bad = [dict(r) for r in rows]
    bad[0]["SEX"] = "X"  # unknown code
    bad[1]["OBS_VALUE"] = "twelve"  # wrong type
    bad[2]["TIME_PERIOD"] = "2023-Q7"  # malformed period
    bad.append({**rows[1]})  # duplicate key of row 1
    bad.append({**rows[0], "SEX": "M", "TIME_PERIOD": "2024", "UNIT_MEASURE": None})
    bad.append({**rows[0], "SEX": None, "TIME_PERIOD": "2023-05", "FREQ": "A"})
    issues = Observations.from_records(bad).check(structure)
    found = _codes(issues)
    assert (0, "SEX", "unknown-code") in found
    assert (1, "OBS_VALUE", "wrong-type") in found
    assert not any(code == "inconsistent-series-attribute" for _, _, code in found)
    assert (2, "TIME_PERIOD", "malformed-period") in found
    assert (3, None, "duplicate-key") in found
    assert (4, "UNIT_MEASURE", "missing-value") in found
    assert (5, "SEX", "missing-value") in found
    assert (5, "TIME_PERIOD", "frequency-mismatch") in found
    unknown = next(i for i in issues if i.code == "unknown-code")
    assert unknown.value == "X" and unknown.location == "observations[0].SEX"
    assert "CL_SEX" in unknown.message


def test_series_attribute_must_be_constant(
    structure: DataStructure, rows: list[dict[str, Any]]
) -> None:
    more = [*rows, {**rows[0], "TIME_PERIOD": "2024", "UNIT_MEASURE": "OTHER"}]
    issues = Observations.from_records(more).check(structure)
    assert [i.code for i in issues] == ["inconsistent-series-attribute"]


def test_columns_missing_and_unknown(structure: DataStructure, rows: list[dict[str, Any]]) -> None:
    stripped = [{k: v for k, v in r.items() if k != "REF_AREA"} | {"EXTRA": 1} for r in rows]
    found = {(i.component, i.code) for i in Observations.from_records(stripped).check(structure)}
    assert ("REF_AREA", "missing-column") in found
    assert ("EXTRA", "unknown-column") in found


def test_conform_casts_and_orders(structure: DataStructure, rows: list[dict[str, Any]]) -> None:
    shuffled = [dict(reversed(list(r.items()))) | {"OBS_VALUE": "10"} for r in rows]
    conformed, issues = Observations.from_records(shuffled).conform(structure)
    assert issues == []
    assert conformed.column_names == structure.column_ids
    assert conformed.table.schema.field("OBS_VALUE").type == pa.float64()
    assert conformed.to_records()[0]["OBS_VALUE"] == 10.0


def test_nan_becomes_missing(structure: DataStructure, rows: list[dict[str, Any]]) -> None:
    frame = pd.DataFrame(rows)
    frame.loc[0, "OBS_VALUE"] = float("nan")
    conformed, issues = Observations.from_pandas(frame).conform(structure)
    assert issues == []
    assert conformed.to_records()[0]["OBS_VALUE"] is None


def test_round_trips_between_containers(rows: list[dict[str, Any]]) -> None:
    obs = Observations.from_records(rows)
    assert Observations.from_arrow(obs.to_arrow()) == obs
    assert Observations.from_pandas(obs.to_pandas()) == obs
    assert Observations.from_records(obs.to_records()) == obs
    assert Observations.from_arrow(obs.to_arrow().to_batches()[0]) == obs
    assert len(obs) == 3 and obs.num_rows == 3
    with pytest.raises(ValueError, match="list of objects"):
        Observations.coerce("not a table")
    with pytest.raises(ValueError, match="observation 1 is not an object"):
        Observations.from_records([{"A": 1}, 5])  # type: ignore[list-item]


def test_typed_records(structure: DataStructure, rows: list[dict[str, Any]]) -> None:
    conformed, _ = Observations.from_records(rows).conform(structure)
    records = list(conformed.records(structure))
    assert all(isinstance(r, Observation) for r in records)
    first = records[0]
    assert first.row == 0
    assert first.key == {"FREQ": "A", "SEX": "F", "REF_AREA": "GH"}
    assert first.time_period == "2023"
    assert first.measures == {"OBS_VALUE": 10.0}
    assert first.attributes == {"OBS_STATUS": "A", "UNIT_MEASURE": "PERSONS"}


def test_typed_value_checks() -> None:
    from cdinterop.model import (
        Attribute,
        Code,
        Codelist,
        Concept,
        Dimension,
        Facets,
        Measure,
        ValueType,
    )

    ids = ["K", "OBS_VALUE", "N", "FLAG", "DAY", "AT", "URL", "LABEL"]
    s = DataStructure(
        id="S",
        agency="T",
        name={"en": "s"},
        concepts=[Concept(id=i, name={"en": i}) for i in ids],
        codelists=[
            Codelist(
                id="CL_K",
                name={"en": "k"},
                codes=[Code(id=str(i), name={"en": "k"}) for i in range(9)],
            )
        ],
        dimensions=[Dimension(id="K", codelist="CL_K")],
        measures=[
            Measure(facets=Facets(min_value=0, max_value=100)),
            Measure(id="N", value_type=ValueType.INTEGER),
        ],
        attributes=[
            Attribute(id="FLAG", value_type=ValueType.BOOLEAN),
            Attribute(id="DAY", value_type=ValueType.DATE),
            Attribute(id="AT", value_type=ValueType.DATETIME),
            Attribute(id="URL", value_type=ValueType.URI),
            Attribute(id="LABEL", facets=Facets(max_length=3, pattern="[a-z]+")),
        ],
    )
    good = {
        "OBS_VALUE": 5,
        "N": 2,
        "FLAG": "true",
        "DAY": "2024-02-29",
        "AT": "2024-02-29T10:00:00Z",
        "URL": "https://x.org/a",
        "LABEL": "abc",
    }
    bad = {
        "OBS_VALUE": 101,
        "N": 2.5,
        "FLAG": "maybe",
        "DAY": "2023-02-29",
        "AT": "2024-02-30T10:00:00",
        "URL": "not a uri",
        "LABEL": "ABCD",
    }
    obs = Observations.from_records([{"K": "0", **good}, {"K": "1", **bad}, {"K": 2}])
    conformed, issues = obs.conform(s)
    found = {(i.row, i.component, i.code) for i in issues}
    assert found == {
        (1, "OBS_VALUE", "above-maximum"),
        (1, "N", "wrong-type"),
        (1, "FLAG", "wrong-type"),
        (1, "DAY", "wrong-type"),
        (1, "AT", "wrong-type"),
        (1, "URL", "invalid-uri"),
        (1, "LABEL", "too-long"),
        (1, "LABEL", "pattern-mismatch"),
    }
    first = conformed.to_records()[0]
    assert first["FLAG"] is True and first["N"] == 2 and str(first["DAY"]) == "2024-02-29"
    assert conformed.to_json_records()[0]["AT"] == "2024-02-29T10:00:00Z"


def test_hostile_values_become_issues_not_crashes(
    structure: DataStructure, rows: list[dict[str, Any]]
) -> None:
    huge = [{**rows[0], "OBS_VALUE": 10**20}, {**rows[1], "OBS_VALUE": "1e400"}]
    issues = Observations.from_records(huge).check(structure)
    assert [(i.row, i.code) for i in issues] == [(1, "non-finite")]  # 1e20 is a fine decimal
    nested = [{**r, "OBS_VALUE": {"n": 1}} for r in rows]
    issues = Observations.from_records(nested).check(structure)
    assert {(i.component, i.code) for i in issues} == {("OBS_VALUE", "wrong-type")}


def test_integer_overflow_and_nan_in_mandatory(structure: DataStructure) -> None:
    from cdinterop.model import Measure, Usage, ValueType

    s = structure.model_copy(
        update={
            "measures": (Measure(value_type=ValueType.INTEGER, usage=Usage.MANDATORY),),
        }
    )
    base = {"FREQ": "A", "SEX": "F", "REF_AREA": "GH", "UNIT_MEASURE": "P"}
    table = pa.table(
        {
            **{k: [v, v, v, v] for k, v in base.items()},
            "TIME_PERIOD": ["2020", "2021", "2022", "2023"],
            "OBS_VALUE": [float("nan"), 1e30, float("inf"), 3.0],
        }
    )
    issues = Observations.from_arrow(table).check(s)
    assert {(i.row, i.code) for i in issues} == {
        (0, "missing-value"),
        (1, "wrong-type"),
        (2, "wrong-type"),
    }
    strings = table.set_column(
        table.schema.get_field_index("OBS_VALUE"),
        "OBS_VALUE",
        pa.array(["1", "99999999999999999999", "-5", None]),
    )
    issues = Observations.from_arrow(strings).check(s)
    assert {(i.row, i.code) for i in issues} == {(1, "wrong-type"), (3, "missing-value")}


def test_nested_value_among_plain_values_is_refused() -> None:
    with pytest.raises(ValueError, match="observation 1: list value"):
        Observations.from_records([{"A": "x"}, {"A": [1, 2]}])


def test_large_integers_into_decimal_and_uint64(structure: DataStructure) -> None:
    base = {
        "FREQ": ["A"] * 2,
        "SEX": ["F", "M"],
        "REF_AREA": ["GH"] * 2,
        "TIME_PERIOD": ["2020"] * 2,
        "UNIT_MEASURE": ["P"] * 2,
    }
    big = pa.table({**base, "OBS_VALUE": pa.array([2**60, 2**63 + 5], pa.uint64())})
    conformed, issues = Observations.from_arrow(big).conform(structure)
    assert issues == []
    assert conformed.to_records()[0]["OBS_VALUE"] == float(2**60)
