"""The ingest mapping spec: validated at load, with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdinterop.errors import InvalidDatasetError
from cdinterop.ingest._spec import ComponentRule, IngestSpec
from cdinterop.mapping._loading import load_spec, loads_spec

SPEC = """\
id: services-survey-kobo
version: "1.2"
source: {layout: kobo-csv}
rows:
  - name: not-approved
    keep: {_validation_status: [approved]}
deduplicate: {name: duplicate-submission, key: [_uuid]}
privacy:
  drop: [phone]
  pseudonymise: [_uuid]
  geopoints: {location: {grid: 0.1}}
structure:
  id: DSD_UNIT
  agency: SAUTI
  name: {en: Unit records}
  concepts:
    - {id: RESPONDENT, name: {en: Respondent}}
    - {id: SEX, name: {en: Sex}}
    - {id: AGE, name: {en: Age}}
    - {id: TIME_PERIOD, name: {en: Period}}
    - {id: OBS_VALUE, name: {en: Satisfied}}
  dimensions:
    - {id: RESPONDENT}
    - {id: SEX}
    - {id: AGE}
  time_dimension: {id: TIME_PERIOD}
components:
  RESPONDENT: {from: _uuid}
  SEX: {from: gender, map: {Female: F, woman: F, "2": F, Male: M, man: M, 1: M}}
  AGE: {from: age, bands: {Y18T29: [18, 29], Y30T44: [30, 44], Y_GE45: [45, null]}}
  TIME_PERIOD: {from: _submission_time, period: M}
  OBS_VALUE: {expression: "1 if satisfaction in ('satisfied', 'very_satisfied') else 0"}
dataset:
  id: DF_SERVICES_UNIT
  agency: SAUTI
  title: {en: "Satisfaction with public services, unit records"}
  licence: CC-BY-4.0
max_rejected: 0.05
"""


def test_spec_loads() -> None:
    spec = loads_spec(SPEC, IngestSpec)
    assert spec.version == "1.2"
    assert spec.components["SEX"].map == {
        "Female": "F",
        "woman": "F",
        "2": "F",
        "Male": "M",
        "man": "M",
        "1": "M",
    }
    assert spec.components["AGE"].bands == {
        "Y18T29": (18, 29),
        "Y30T44": (30, 44),
        "Y_GE45": (45, None),
    }
    assert spec.unmapped == "reject"
    assert spec.privacy.geopoints["location"].grid == 0.1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("period: M", "period: X"), "components.TIME_PERIOD.period"),
        (("Y30T44: [30, 44]", "Y30T44: [28, 44]"), "overlap"),
        (
            ("  OBS_VALUE: {expression", "  OBS_VALUEX: {expression"),
            "OBS_VALUEX: 'OBS_VALUEX' is not a component",
        ),
        (("  RESPONDENT: {from: _uuid}\n", ""), "components.RESPONDENT: a rule is needed"),
        (("licence: CC-BY-4.0", "licence: CC-BY-99"), "dataset.licence"),
        (("drop: [phone]", "drop: [_uuid]"), "cannot also be transformed"),
        (("max_rejected: 0.05", "max_rejected: 5"), "max_rejected"),
        (("{from: gender, map:", "{value: F, from: gender, map:"), "exactly one of"),
    ],
)
def test_bad_specs_are_located(change: tuple[str, str], message: str) -> None:
    text = SPEC.replace(*change)
    assert text != SPEC
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(text, IngestSpec, source="spec.yaml")
    report = "\n".join(f"{i.location}: {i.message}" for i in info.value.issues)
    assert message in report
    assert "line " in report


def test_rule_combinations() -> None:
    with pytest.raises(ValueError, match="use one of"):
        ComponentRule.model_validate({"from": "age", "bands": {"A": [0, 1]}, "period": "A"})
    with pytest.raises(ValueError, match="applies to values taken 'from'"):
        ComponentRule.model_validate({"expression": "a", "bands": {"A": [0, 1]}})
    assert ComponentRule.model_validate({"value": 3}).fixed


def test_spec_file(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC, encoding="utf-8")
    assert load_spec(path, IngestSpec).id == "services-survey-kobo"
