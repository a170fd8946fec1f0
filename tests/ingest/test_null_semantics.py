"""Nulls are nulls (issue 16): a blank answer is null in every expression, an ``if`` on a
null condition gives null, and the aggregation leaves such rows out of the denominator
and counts them in its report.

The trap: "improved source and a round trip of at most 30 minutes" written as
``1 if improved == "yes" and number(trip_minutes) <= 30 else 0`` used to give 0 for a row
whose trip time is blank, so the proportion counted rows that did not answer
(n = 1159, 0.5496 instead of n = 1151, 0.5534 in the user's survey).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from cdinterop.aggregate import aggregate
from cdinterop.ingest import IngestSpec, ingest
from cdinterop.ingest._transforms import ExpressionError, compile_expression
from cdinterop.mapping._loading import loads_spec

# -------------------------------------------------------------------------------------------
# The expression semantics
# -------------------------------------------------------------------------------------------


def _values(expression: str, table: pa.Table) -> list[object]:
    out = compile_expression(expression, columns=table.column_names).evaluate(table)
    assert not any(out.failed.to_pylist()), out.reasons
    values: list[object] = out.values.to_pylist()
    return values


BLANKS = pa.table(
    {
        "x": ["4", "", "   ", None, "\t"],
        "answer": ["yes", "", " ", None, "no"],
    }
)


def test_blank_text_is_null_in_number_comparisons_and_arithmetic() -> None:
    assert _values("number(x)", BLANKS) == [4.0, None, None, None, None]
    assert _values("number(x) + 1", BLANKS) == [5.0, None, None, None, None]
    assert _values("x * 2", BLANKS) == [8.0, None, None, None, None]
    assert _values("number(x) <= 30", BLANKS) == [True, None, None, None, None]
    assert _values("x <= 30", BLANKS) == [True, None, None, None, None]
    assert _values('answer == "yes"', BLANKS) == [True, None, None, None, False]
    assert _values('answer != "yes"', BLANKS) == [False, None, None, None, True]
    assert _values('answer in ("yes", "no")', BLANKS) == [True, None, None, None, True]
    assert _values("upper(answer)", BLANKS) == ["YES", None, None, None, "NO"]
    assert _values("answer", BLANKS) == ["yes", None, None, None, "no"]


def test_blank_text_is_null_not_a_failure_as_a_condition() -> None:
    table = pa.table({"flag": ["true", " ", "", "0"]})
    assert _values("not flag", table) == [False, None, None, True]
    assert _values("1 if flag else 0", table) == [1.0, None, None, 0.0]


def test_an_if_on_a_null_condition_is_null() -> None:
    assert _values("1 if number(x) > 2 else 0", BLANKS) == [1.0, None, None, None, None]
    assert _values('"A" if answer == "yes" else "B"', BLANKS) == ["A", None, None, None, "B"]
    # and / or keep three-valued logic: false and null is false, true or null is true
    assert _values('answer == "no" and number(x) > 2', BLANKS) == [
        False,
        None,
        None,
        None,
        None,
    ]
    assert _values('answer == "yes" and number(x) > 2', BLANKS) == [True, None, None, None, False]
    assert _values('answer == "no" or number(x) > 2', BLANKS) == [True, None, None, None, True]


def test_errors_of_a_branch_not_taken_do_not_count_when_the_condition_is_null() -> None:
    table = pa.table({"c": [None, "1", "0"], "v": ["abc", "abc", "abc"]})
    out = compile_expression("number(v) if c else 0", columns=["c", "v"]).evaluate(table)
    assert out.values.to_pylist() == [None, None, 0.0]
    assert out.failed.to_pylist() == [False, True, False]
    out = compile_expression("0 if c else number(v)", columns=["c", "v"]).evaluate(table)
    assert out.failed.to_pylist() == [False, False, True]


def test_coalesce_states_the_default() -> None:
    assert _values("coalesce(number(x), 999) <= 30", BLANKS) == [True, False, False, False, False]
    assert _values('1 if coalesce(answer == "yes", False) else 0', BLANKS) == [
        1.0,
        0.0,
        0.0,
        0.0,
        0.0,
    ]
    assert _values('coalesce(answer, "none")', BLANKS) == ["yes", "none", "none", "none", "no"]


def test_is_empty_is_unchanged() -> None:
    assert _values("is_empty(answer)", BLANKS) == [False, True, True, True, False]
    assert _values("0 if is_empty(x) else number(x)", BLANKS) == [4.0, 0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "expression",
    ['answer == ""', 'answer != " "', '"" < answer', 'answer in ("yes", "")'],
)
def test_comparing_with_a_blank_literal_is_refused(expression: str) -> None:
    with pytest.raises(ExpressionError, match=r"blank answer is null.*is_empty\(x\)"):
        compile_expression(expression, columns=["answer"])


# -------------------------------------------------------------------------------------------
# The trap, through ingest and aggregation
# -------------------------------------------------------------------------------------------

SPEC = """\
id: water-survey
version: "1.0"
source: {{layout: csv}}
structure:
  id: DSD_WATER_UNIT
  agency: TEST
  name: {{en: "Drinking-water survey, unit records"}}
  concepts:
    - {{id: HOUSEHOLD, name: {{en: Household}}}}
    - {{id: SEX, name: {{en: Sex of the head of household}}}}
    - {{id: BASIC, name: {{en: Basic drinking-water service (1) or not (0)}}}}
  dimensions: [{{id: HOUSEHOLD}}, {{id: SEX}}]
  measures: [{{id: BASIC, value_type: integer}}]
components:
  HOUSEHOLD: {{from: household}}
  SEX: {{from: head_sex}}
  BASIC: {{expression: '{expression}'}}
dataset:
  id: DF_WATER_UNIT
  agency: TEST
  title: {{en: "Drinking water, unit records"}}
  licence: CC-BY-4.0
aggregation:
  structure:
    id: DSD_WATER
    agency: TEST
    name: {{en: Drinking water}}
    concepts:
      - {{id: SEX, name: {{en: Sex}}}}
      - {{id: OBS_VALUE, name: {{en: Share with basic service}}}}
      - {{id: SAMPLE_SIZE, name: {{en: Households that answered}}}}
    codelists:
      - id: CL_SEX
        name: {{en: Sex}}
        codes:
          - {{id: F, name: {{en: Female}}}}
          - {{id: M, name: {{en: Male}}}}
          - {{id: _T, name: {{en: Total}}}}
    dimensions: [{{id: SEX, codelist: CL_SEX}}]
    measures: [{{id: OBS_VALUE, value_type: decimal}}]
    attributes: [{{id: SAMPLE_SIZE, value_type: integer}}]
  dimensions:
    SEX: {{from: SEX}}
  measure: {{type: proportion, column: BASIC, values: [1], scale: share}}
  contributor_count: SAMPLE_SIZE
"""

OLD_STYLE = '1 if improved == "yes" and number(trip_minutes) <= 30 else 0'
EXPLICIT_DEFAULT = '1 if improved == "yes" and coalesce(number(trip_minutes), 999) <= 30 else 0'


def _survey(tmp_path: Path) -> Path:
    """A survey export shaped like the user's: 1159 households answered ``improved``; 637
    have an improved source within 30 minutes, 8 with an improved source left the trip
    time blank ("" or white space), the others are not improved or farther."""
    rng = random.Random(16)
    rows: list[tuple[str, str]] = (
        [("yes", str(rng.randint(0, 30))) for _ in range(637)]
        + [("yes", rng.choice(["", "  "])) for _ in range(8)]
        + [("yes", str(rng.randint(31, 240))) for _ in range(200)]
        + [("no", str(rng.randint(0, 240))) for _ in range(294)]
        + [("no", rng.choice(["", " "])) for _ in range(20)]  # not improved: answered
    )
    rng.shuffle(rows)
    path = tmp_path / "survey.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["household", "head_sex", "improved", "trip_minutes"])
        for i, (improved, trip) in enumerate(rows):
            writer.writerow([f"H{i:04d}", rng.choice("FM"), improved, trip])
    return path


def _run(path: Path, expression: str) -> tuple[dict[str, float], dict[str, int], dict[str, int]]:
    """Proportion and contributors per SEX code, and the report's null counts."""
    spec = loads_spec(SPEC.format(expression=expression), IngestSpec)
    units = ingest(path, spec).dataset
    assert spec.aggregation is not None
    result = aggregate(units, spec.aggregation)
    table = result.dataset.observations.table
    sexes = table.column("SEX").to_pylist()
    values = dict(zip(sexes, table.column("OBS_VALUE").to_pylist(), strict=True))
    n = dict(zip(sexes, table.column("SAMPLE_SIZE").to_pylist(), strict=True))
    assert result.report.rows_in == 1159
    assert result.report.to_dict()["null_values"] == result.report.null_values
    return values, n, result.report.null_values


def _pandas(path: Path, *, blank_trip_is_far: bool) -> tuple[dict[str, float], dict[str, int]]:
    """The figures recomputed from the export with pandas, by hand."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    trip = pd.to_numeric(df["trip_minutes"].str.strip().replace("", None))
    improved = df["improved"] == "yes"
    if blank_trip_is_far:
        trip = trip.fillna(999)
    answered = ~(improved & trip.isna())  # "no" is an answer whatever the trip time
    basic = improved & (trip <= 30)
    values, n = {}, {}
    groups = {"_T": df["head_sex"].notna(), **{s: df["head_sex"] == s for s in "FM"}}
    for sex, rows in groups.items():
        kept = answered & rows
        values[sex] = float(basic[kept].sum() / kept.sum())
        n[sex] = int(kept.sum())
    return values, n


def test_the_old_style_spec_now_leaves_blank_answers_out(tmp_path: Path) -> None:
    path = _survey(tmp_path)
    values, n, nulls = _run(path, OLD_STYLE)
    assert n["_T"] == 1151
    assert round(values["_T"], 4) == 0.5534
    assert nulls == {"BASIC": 8}
    expected, expected_n = _pandas(path, blank_trip_is_far=False)
    assert n == expected_n
    assert values == pytest.approx(expected, abs=1e-12)


def test_coalesce_gives_the_old_figure_explicitly(tmp_path: Path) -> None:
    path = _survey(tmp_path)
    values, n, nulls = _run(path, EXPLICIT_DEFAULT)
    assert n["_T"] == 1159
    assert round(values["_T"], 4) == 0.5496
    assert nulls == {"BASIC": 0}
    expected, expected_n = _pandas(path, blank_trip_is_far=True)
    assert n == expected_n
    assert values == pytest.approx(expected, abs=1e-12)


def test_convert_says_how_many_rows_had_no_value(tmp_path: Path) -> None:
    """The command line's summary names the answers left out of the indicator."""
    from typer.testing import CliRunner

    from cdinterop._cli import app

    survey = _survey(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(expression=OLD_STYLE), encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["convert", str(survey), "-m", str(spec), "-o", str(tmp_path / "out"), "--to", "sdmx"],
        env={"CDINTEROP_PSEUDONYM_KEY": "a-test-key-that-is-long-enough-0123456789"},
    )
    assert result.exit_code == 0, result.output
    assert "no value, left out" in result.output
    assert "8 in BASIC" in " ".join(result.output.split())
