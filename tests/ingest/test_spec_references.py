"""Every reference in an ingest spec is checked when the spec loads (issue 16, point 4).

A column, component, code or function the spec names wrongly is a spec error at load,
located by YAML path and line, with the closest name ("did you mean 'X'?") and the list of
choices. Each case takes the shipped services spec, changes one string, and expects the
error; the columns of the submission itself (row filters, de-duplication, privacy,
``from``) are unknown at load and checked when the file is opened.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop._cli import app
from cdinterop.errors import InvalidDatasetError, Issue
from cdinterop.ingest import IngestSpec
from cdinterop.ingest._run import IngestError, ingest
from cdinterop.mapping import loads_spec
from cdinterop.mapping._suggest import choices, closest, did_you_mean, not_one_of

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "mappings" / "services-survey-kobo.yaml"
EXPORT = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
KEY = "a-long-secret-key-for-the-tests"
TEXT = MAPPING.read_text(encoding="utf-8")

UNIT_COLUMNS = (
    "the columns are: RESPONDENT, REF_AREA, SEX, AGE, DISABILITY_STATUS, SERVICE, "
    "TIME_PERIOD, SATISFIED, SATISFACTION_LEVEL, BRIBE_REQUESTED, GRID_CELL, ENUMERATOR"
)
"""The unit records' columns, as the messages list them."""


def _variant(old: str, new: str) -> str:
    """The shipped spec's text with the one occurrence of ``old`` replaced by ``new``."""
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


def _line_of(text: str, marker: str) -> int:
    """The 1-based line of the one occurrence of ``marker`` in ``text``."""
    assert text.count(marker) == 1, marker
    return text[: text.index(marker)].count("\n") + 1


def _issue(text: str, location: str) -> Issue:
    """The issue at ``location`` that loading ``text`` raises (the test fails without)."""
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(text, IngestSpec, source="services.yaml")
    found = {issue.location: issue for issue in info.value.issues}
    assert location in found, sorted(found)
    return found[location]


def test_the_shipped_spec_loads() -> None:
    spec = loads_spec(TEXT, IngestSpec)
    assert spec.aggregation is not None
    assert spec.aggregation.dimensions["SEX"].source == "SEX"


# ---------------------------------------------------------------------------------------
# The aggregation section: unit-record columns and target components
# ---------------------------------------------------------------------------------------


def test_a_dimension_from_an_unknown_unit_record_column() -> None:
    text = _variant("    SEX:\n      from: SEX\n", "    SEX:\n      from: SXE\n")
    issue = _issue(text, "aggregation.dimensions.SEX.from")
    assert issue.message == (
        f"'SXE' is not a column of the unit records (did you mean 'SEX'?); {UNIT_COLUMNS} "
        f"(line {_line_of(text, 'from: SXE')}, column 13)"
    )


def test_a_measure_column_the_unit_records_lack() -> None:
    text = _variant("    column: SATISFIED\n", "    column: SATISFID\n")
    issue = _issue(text, "aggregation.measure.column")
    assert "'SATISFID' is not a column of the unit records (did you mean 'SATISFIED'?)" in (
        issue.message
    )
    assert UNIT_COLUMNS in issue.message
    assert issue.message.endswith(f"(line {_line_of(text, 'column: SATISFID')}, column 13)")


def test_a_weight_column_with_nothing_close_lists_the_columns() -> None:
    text = _variant(
        "  measure:\n    type: proportion\n", "  weight: WGT\n  measure:\n    type: proportion\n"
    )
    issue = _issue(text, "aggregation.weight")
    assert "'WGT' is not a column of the unit records;" in issue.message
    assert "did you mean" not in issue.message
    assert UNIT_COLUMNS in issue.message
    assert f"(line {_line_of(text, 'weight: WGT')}, column 11)" in issue.message


def test_a_dimension_rule_for_a_dimension_the_target_lacks() -> None:
    text = _variant("    SERVICE:\n      from: SERVICE\n", "    SERVCE:\n      from: SERVICE\n")
    issue = _issue(text, "aggregation.dimensions.SERVCE")
    assert (
        "'SERVCE' is not a dimension of the structure DSD_SERVICE_SATISFACTION "
        "(did you mean 'SERVICE'?); the dimensions are: FREQ, REF_AREA, SEX, AGE, "
        "DISABILITY_STATUS, SERVICE, TIME_PERIOD"
    ) in issue.message
    assert f"(line {_line_of(text, 'from: SERVICE')}, column" in issue.message


def test_a_contributor_count_that_is_not_an_observation_attribute() -> None:
    text = _variant("contributor_count: SAMPLE_SIZE", "contributor_count: SAMPLE_SIZ")
    issue = _issue(text, "aggregation.contributor_count")
    assert issue.message == (
        "'SAMPLE_SIZ' is not an observation-level attribute of the structure "
        "(did you mean 'SAMPLE_SIZE'?); the observation-level attributes are: OBS_STATUS, "
        f"CONF_STATUS, SAMPLE_SIZE, LOWER_BOUND, UPPER_BOUND (line "
        f"{_line_of(text, 'contributor_count:')}, column 22)"
    )


def test_an_attribute_key_that_is_not_a_dataset_attribute() -> None:
    text = _variant("    UNIT_MULT: '0'\n", "    UNIT_MULTI: '0'\n")
    issue = _issue(text, "aggregation.attributes.UNIT_MULTI")
    assert (
        "'UNIT_MULTI' is not a data-set-level attribute of the structure "
        "(did you mean 'UNIT_MULT'?); the data-set-level attributes are: UNIT_MEASURE, "
        "UNIT_MULT, NATURE"
    ) in issue.message
    assert f"(line {_line_of(text, 'UNIT_MULTI')}, column" in issue.message


def test_an_attribute_value_outside_its_codelist() -> None:
    text = _variant("    UNIT_MEASURE: PT\n", "    UNIT_MEASURE: PCT\n")
    issue = _issue(text, "aggregation.attributes.UNIT_MEASURE")
    assert issue.message == (
        "'PCT' is not a code of CL_UNIT_MEASURE (did you mean 'PT'?); the codes are: PT "
        f"(line {_line_of(text, 'UNIT_MEASURE: PCT')}, column 19)"
    )


def test_a_total_code_outside_the_dimension_codelist() -> None:
    text = _variant("      total: KE\n", "      total: KEN\n")
    issue = _issue(text, "aggregation.dimensions.REF_AREA.total")
    assert issue.message == (
        "'KEN' is not a code of CL_AREA_KE (did you mean 'KE'?); the codes are: KE, KE-30, "
        f"KE-17, KE-28, KE-43 (line {_line_of(text, 'total: KEN')}, column 14)"
    )


def test_a_fixed_dimension_value_outside_the_codelist() -> None:
    text = _variant("    FREQ:\n      value: A\n", "    FREQ:\n      value: Q\n")
    issue = _issue(text, "aggregation.dimensions.FREQ.value")
    assert issue.message == (
        "'Q' is not a code of CL_FREQ; the codes are: A "
        f"(line {_line_of(text, 'value: Q')}, column 14)"
    )


def test_a_dimension_map_key_that_is_not_a_unit_record_code() -> None:
    text = _variant(
        "    SEX:\n      from: SEX\n", "    SEX:\n      from: SEX\n      map: {F: F, MM: M}\n"
    )
    issue = _issue(text, "aggregation.dimensions.SEX.map.MM")
    assert "'MM' is not a code of CL_SEX (SEX) (did you mean 'M'?); the codes are: F, M" in (
        issue.message
    )
    assert f"(line {_line_of(text, 'map: {F: F, MM: M}')}, column" in issue.message


def test_a_proportion_value_that_is_not_a_code_of_the_column() -> None:
    text = _variant(
        "    column: SATISFIED\n    values:\n    - 1\n",
        "    column: SATISFACTION_LEVEL\n    values:\n    - VS\n    - SS\n",
    )
    issue = _issue(text, "aggregation.measure.values[1]")
    assert issue.message == (
        "'SS' is not a code of CL_SATISFACTION (SATISFACTION_LEVEL) (did you mean 'S'?); "
        f"the codes are: VS, S, D, VD (line {_line_of(text, '- SS')}, column 7)"
    )


def test_a_disclosure_status_code_outside_its_codelist() -> None:
    text = _variant(
        "    secondary: true\n", "    secondary: true\n    obs_status: {suppressed: QQ}\n"
    )
    issue = _issue(text, "aggregation.disclosure.obs_status.suppressed")
    assert "'QQ' is not a code of CL_OBS_STATUS (did you mean 'Q'?); the codes are: A, Q" in (
        issue.message
    )
    assert f"(line {_line_of(text, 'suppressed: QQ')}, column" in issue.message


def test_an_indicator_dimension_the_structure_lacks() -> None:
    measure = (
        "  measure:\n    type: proportion\n    column: SATISFIED\n    values:\n    - 1\n"
        "    scale: percent\n    decimals: 1\n"
    )
    indicators = "  indicators:\n    dimension: SERIES\n    measures:\n      A: {type: count}\n"
    text = _variant(measure, indicators)
    issue = _issue(text, "aggregation.indicators.dimension")
    assert (
        "'SERIES' is not a dimension of the structure DSD_SERVICE_SATISFACTION (did you "
        "mean 'SERVICE'?); the dimensions are: FREQ, REF_AREA, SEX, AGE, DISABILITY_STATUS, "
        "SERVICE"
    ) in issue.message
    assert f"(line {_line_of(text, 'dimension: SERIES')}, column" in issue.message


def test_an_indicator_measure_column_the_unit_records_lack() -> None:
    """An indicator's measure column is checked like the single measure's."""
    text = _variant(
        "  measure:\n    type: proportion\n    column: SATISFIED\n",
        "  measure:\n    type: mean\n    column: SATISFACTION_LEVELS\n",
    )
    text = text.replace("    values:\n    - 1\n    scale: percent\n", "", 1)
    issue = _issue(text, "aggregation.measure.column")
    assert "(did you mean 'SATISFACTION_LEVEL'?)" in issue.message


# ---------------------------------------------------------------------------------------
# Component rules: component ids, codes, expressions
# ---------------------------------------------------------------------------------------


def test_a_rule_for_a_component_the_structure_lacks() -> None:
    text = _variant(
        "  ENUMERATOR:\n    from: _submitted_by\n", "  ENUMERATORS:\n    from: _submitted_by\n"
    )
    issue = _issue(text, "components.ENUMERATORS")
    assert (
        "'ENUMERATORS' is not a component of the structure DSD_SERVICES_UNIT "
        "(did you mean 'ENUMERATOR'?); the components are: RESPONDENT, REF_AREA"
    ) in issue.message
    # the loader places a rule's problem at the rule's first line (below its key)
    assert f"(line {_line_of(text, 'ENUMERATORS:') + 1}, column 5)" in issue.message


def test_a_map_target_outside_the_component_codelist() -> None:
    text = _variant("      woman: F\n", "      woman: FF\n")
    issue = _issue(text, "components.SEX.map.woman")
    assert issue.message == (
        "'FF' is not a code of CL_SEX (did you mean 'F'?); the codes are: F, M "
        f"(line {_line_of(text, 'woman: FF')}, column 14)"
    )


def test_a_band_code_outside_the_component_codelist() -> None:
    text = _variant("      Y45T64: [45, 64]\n", "      Y45T65: [45, 64]\n")
    issue = _issue(text, "components.AGE.bands.Y45T65")
    assert issue.message == (
        "'Y45T65' is not a code of CL_AGE (did you mean 'Y45T64'?); the codes are: Y18T29, "
        f"Y30T44, Y45T64, Y_GE65 (line {_line_of(text, 'Y45T65')}, column 15)"
    )


def test_an_unknown_function_lists_the_functions() -> None:
    text = _variant("has_choice(`services/issues`", "has_choise(`services/issues`")
    issue = _issue(text, "components.BRIBE_REQUESTED.expression")
    assert "unknown function has_choise() (did you mean has_choice()?)" in issue.message
    assert "the functions are: coalesce, col, concat, contains, date, has_choice" in issue.message
    assert f"(line {_line_of(text, 'has_choise')}, column 17)" in issue.message


def test_an_expression_that_does_not_parse_is_refused_at_load() -> None:
    text = _variant("'bribe_requested'), False) else 0", "'bribe_requested'), False) else")
    issue = _issue(text, "components.BRIBE_REQUESTED.expression")
    assert "of the expression" in issue.message
    assert f"(line {_line_of(text, 'has_choice')}, column 17)" in issue.message


def test_expression_columns_are_left_to_the_submission() -> None:
    """Any column name (bare, in backticks, in col()) loads: the submission has the header."""
    text = _variant(
        "has_choice(`services/issues`, 'bribe_requested')",
        "has_choice(col('any/column'), 'bribe_requested') and `other one` == number_of_x",
    )
    spec = loads_spec(text, IngestSpec)
    assert spec.components["BRIBE_REQUESTED"].expression is not None


def test_several_problems_are_reported_together() -> None:
    # the aggregation section's own problems (target codes) come first: the columns it
    # takes from the unit records are checked once the section itself is valid
    text = _variant("      total: KE\n", "      total: KEN\n").replace(
        "    column: SATISFIED\n", "    column: SATISFID\n", 1
    )
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(text, IngestSpec)
    locations = {issue.location for issue in info.value.issues}
    assert locations == {"aggregation.dimensions.REF_AREA.total"}
    # the unit-record columns and the component rules' codes are reported together
    text = _variant("    column: SATISFIED\n", "    column: SATISFID\n").replace(
        "      woman: F\n", "      woman: FF\n", 1
    )
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(text, IngestSpec)
    locations = {issue.location for issue in info.value.issues}
    assert locations == {"aggregation.measure.column", "components.SEX.map.woman"}


# ---------------------------------------------------------------------------------------
# Submission columns: checked when the file is opened
# ---------------------------------------------------------------------------------------


def test_a_row_filter_column_is_checked_when_the_file_opens(tmp_path: Path) -> None:
    text = _variant(
        "keep: {_validation_status: [approved]}", "keep: {_validation_statu: [approved]}"
    )
    spec = loads_spec(text, IngestSpec)  # the submission's columns are unknown at load
    path = tmp_path / "sub.csv"
    path.write_bytes(EXPORT.read_bytes())
    with pytest.raises(IngestError) as info:
        ingest(path, spec, key=KEY.encode())
    message = str(info.value)
    assert (
        "rows.not-approved.keep: no column '_validation_statu' in sub.csv "
        "(did you mean '_validation_status'?)"
    ) in message
    assert "(the file has: " in message and "_uuid" in message.rsplit("(the file has: ", 1)[1]


# ---------------------------------------------------------------------------------------
# The command line and the helper
# ---------------------------------------------------------------------------------------


def test_convert_refuses_the_spec_before_reading_the_submission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cdinterop import _cli

    monkeypatch.setattr(_cli.err, "_width", 250)  # a wide table, whatever ran before
    spec = tmp_path / "spec.yaml"
    spec.write_text(_variant("    SEX:\n      from: SEX\n", "    SEX:\n      from: SXE\n"))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["convert", str(EXPORT), "-m", str(spec), "-o", str(out)],
        env={"CDINTEROP_PSEUDONYM_KEY": KEY, "COLUMNS": "250"},
    )
    flat = " ".join(result.output.split())
    assert result.exit_code == 2, flat
    assert "Traceback" not in flat
    assert "aggregation.dimensions.SEX.from" in flat
    assert "'SXE' is not a column of the unit records (did you mean 'SEX'?)" in flat
    line = spec.read_text().splitlines().index("      from: SXE") + 1
    assert f"(line {line}, column 13)" in flat  # kept when the message is shortened
    assert not out.exists() or not any(out.iterdir())


def test_suggestions() -> None:
    assert closest("sex", ["SEX", "AGE"]) == "SEX"
    assert closest("SXE", ["SEX", "AGE"]) == "SEX"
    assert closest("ZZZ", ["SEX", "AGE"]) is None
    assert did_you_mean("AGEE", ["SEX", "AGE"]) == " (did you mean 'AGE'?)"
    assert did_you_mean("ZZZ", ["SEX"]) == ""
    assert choices([]) == "none"
    assert choices([f"C{i}" for i in range(25)]) == (
        ", ".join(f"C{i}" for i in range(20)) + ", ... (25 in all)"
    )
    assert not_one_of("X", "a code of CL", ["A", "B"], "codes") == (
        "'X' is not a code of CL; the codes are: A, B"
    )
