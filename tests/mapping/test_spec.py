"""Mapping specs: the pydantic models, YAML loading with located errors, the JSON Schema."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from cdinterop.errors import InvalidDatasetError, ReadError
from cdinterop.mapping import (
    ConformanceSpec,
    RowFilter,
    UnmappedPolicy,
    ValueRule,
    load_conformance_spec,
    load_spec,
    loads_spec,
)
from cdinterop.mapping._loading import parse_yaml
from cdinterop.schemas import SCHEMA_MODELS, json_schema

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = sorted((ROOT / "mappings").glob("*-to-sdg.yaml"))  # conformance specs
SCHEMA = ROOT / "schemas" / "conformance-mapping.schema.json"

VALID = """\
id: demo-to-sdg
version: "1.2"
structure: {agency: IAEG-SDGs, id: SDG}
output: {id: DF_DEMO}
rows:
  - name: national
    keep: {REF_AREA: [KE]}
  - name: no-blanks
    drop: {SEX: [~]}
components:
  SERIES: {value: SP_PSR_SATIS}
  UNIT_MULT: {value: 0}
  REF_AREA: {from: REF_AREA, map: {KE: "404", NO: "578", 12: twelve}, unmapped: drop}
  SEX: {from: SEX, default: _T}
unmapped: keep
"""


def _issues(text: str) -> list[str]:
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(text, ConformanceSpec, source="spec.yaml")
    assert "spec.yaml" in str(info.value)
    return [str(issue) for issue in info.value.issues]


def test_valid_spec_loads_with_every_part() -> None:
    spec = loads_spec(VALID, ConformanceSpec)
    assert spec.id == "demo-to-sdg" and spec.version == "1.2"
    assert spec.structure is not None and str(spec.structure) == "IAEG-SDGs:SDG(*)"
    assert spec.output.id == "DF_DEMO" and spec.output.agency is None
    assert spec.unmapped is UnmappedPolicy.KEEP
    assert [f.name for f in spec.rows] == ["national", "no-blanks"]
    assert spec.rows[1].conditions == {"SEX": (None,)}
    area = spec.components["REF_AREA"]
    assert area.source == "REF_AREA" and area.unmapped is UnmappedPolicy.DROP
    # YAML 1.2 booleans only: Norway stays a code; numeric keys become their text
    assert area.map == {"KE": "404", "NO": "578", "12": "twelve"}
    assert spec.components["UNIT_MULT"].value == 0
    assert spec.components["SERIES"].fixed and not area.fixed


def test_rules_and_filters_built_in_python() -> None:
    rule = ValueRule(source="AGE", map={"Y18T29": "Y18T29"})  # by field name as well
    assert rule.source == "AGE"
    assert ValueRule.model_validate({"from": "AGE"}).source == "AGE"
    with pytest.raises(ValueError, match="either a fixed 'value' or a source"):
        ValueRule()
    with pytest.raises(ValueError, match="apply to values taken 'from'"):
        ValueRule(value="X", map={"a": "b"})
    with pytest.raises(ValueError, match="'unmapped' applies to a 'map' only"):
        ValueRule.model_validate({"from": "A", "unmapped": "drop"})
    with pytest.raises(ValueError, match="either 'keep' or 'drop'"):
        RowFilter(name="f", keep={"A": ["x"]}, drop={"B": ["y"]})
    with pytest.raises(ValueError, match="no values listed for A"):
        RowFilter(name="f", keep={"A": []})
    with pytest.raises(ValueError, match="NaN"):
        ValueRule(value=float("nan"))


def test_unknown_field_is_located_by_path_and_line() -> None:
    issues = _issues("id: x\ncomponents:\n  SERIES:\n    value: A\n    colour: red\n")
    assert issues == [
        "components.SERIES.colour: Extra inputs are not permitted (line 5, column 13) "
        "(value: 'red') [extra-forbidden]"
    ]


def test_wrong_policy_and_rule_errors_reported_together() -> None:
    text = """\
id: x
unmapped: ignore
components:
  AGE:
    from: AGE
    map: {Y0: [1, 2]}
    unmapped: skip
  SEX: {value: F, from: SEX}
rows:
  - name: f
"""
    issues = _issues(text)
    joined = "\n".join(issues)
    assert len(issues) == 5, joined
    assert "unmapped: Input should be 'error', 'drop' or 'keep' (line 2, column 11)" in joined
    assert "components.AGE.unmapped: Input should be" in joined
    assert "(line 7, column 15) (value: 'skip')" in joined
    assert "components.AGE.map.Y0: expected a single value" in joined
    assert "components.SEX: give either a fixed 'value' or a source column 'from'" in joined
    assert "rows[0]: a row filter has either 'keep' or 'drop' (line 10, column 5)" in joined


def test_missing_fields_and_bad_ids() -> None:
    issues = _issues("version: one\ncomponents: {}\n")
    joined = "\n".join(issues)
    assert "id: Field required" in joined
    assert "version: String should match pattern" in joined
    assert "components: Dictionary should have at least 1 item" in joined
    issues = _issues("id: x\ncomponents:\n  1BAD: {value: A}\n")
    assert any("String should match pattern" in i for i in issues)


def test_duplicate_filter_names() -> None:
    text = "id: x\ncomponents: {A: {value: a}}\nrows:\n"
    text += "  - {name: f, keep: {A: [a]}}\n  - {name: f, drop: {B: [b]}}\n"
    assert any("filter name 'f' is used twice" in i for i in _issues(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: x\ncomponents:\n  A: {value: a\n  B: 1\n", "line 4, column 4"),
        ("id: x\ncomponents: [a, b\n", "line 3, column 1"),
        ("id: x\n  bad indent: 1\n", "line 2, column 13"),
        ("id: x\ncomponents: {}\nid: y\n", "duplicate key 'id' (first at line 1)"),
        ("- id: x\n", "expected a mapping (key: value) at the top, found list"),
        ("", "the document is empty"),
        ("id: !!python/object:os.system echo\n", "could not determine a constructor"),
    ],
)
def test_bad_yaml_is_a_read_error_with_line_and_column(text: str, expected: str) -> None:
    with pytest.raises(ReadError) as info:
        loads_spec(text, ConformanceSpec, source="bad.yaml")
    assert expected in str(info.value)
    assert str(info.value).startswith("cannot read bad.yaml: ")


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="No such file"):
        load_conformance_spec(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ReadError, match="not UTF-8"):
        load_spec(latin, ConformanceSpec)
    good = tmp_path / "good.yaml"
    good.write_text(VALID, encoding="utf-8")
    assert load_conformance_spec(good) == loads_spec(VALID, ConformanceSpec)
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ncomponents: {A: {value: a, to: b}}\n", encoding="utf-8")
    with pytest.raises(InvalidDatasetError) as info:
        load_conformance_spec(bad)
    assert str(bad) in str(info.value)
    assert info.value.issues[0].location == "components.A.to"


def test_merge_keys_may_override() -> None:
    text = "id: x\nbase: &b {value: a}\n"
    document = parse_yaml(text + "other: {<<: *b, value: c}\n")
    assert document["other"] == {"value": "c"}


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: p.name)
def test_shipped_mappings_load(path: Path) -> None:
    spec = load_conformance_spec(path)
    assert spec.structure is not None and str(spec.structure) == "IAEG-SDGs:SDG(1.0)"
    assert path.stem == spec.id


def test_schema_is_exported() -> None:
    assert SCHEMA_MODELS["conformance-mapping"] is ConformanceSpec
    committed = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert committed == json_schema(ConformanceSpec, "conformance-mapping")
    rule = committed["$defs"]["ValueRule"]
    assert "from" in rule["properties"] and "source" not in rule["properties"]
    assert rule["additionalProperties"] is False


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: p.name)
def test_shipped_mappings_validate_against_json_schema(path: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))  # plain PyYAML, not ours
    assert document == parse_yaml(path.read_bytes())  # no YAML 1.1 surprises in the files
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


def test_json_schema_rejects_what_the_model_rejects() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    good = yaml.safe_load(VALID)
    assert list(validator.iter_errors(good)) == []
    for bad in (
        {**good, "extra": 1},
        {**good, "unmapped": "skip"},
        {**good, "components": {"A": {"value": "a", "colour": "red"}}},
        {**good, "components": {"A": {"value": ["a"]}}},
        {**good, "rows": [{"name": "f", "keep": {"A": [{"x": 1}]}}]},
    ):
        assert list(validator.iter_errors(bad)), bad
