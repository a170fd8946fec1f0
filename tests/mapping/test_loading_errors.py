"""Spec errors for unknown keys: reported on the key's own line, with the closest known key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdinterop.errors import InvalidDatasetError
from cdinterop.ingest._spec import IngestSpec
from cdinterop.mapping import load_spec, loads_spec

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "mappings" / "services-survey-kobo.yaml"


def _messages(text: str) -> list[str]:
    """The unknown-key issues of an (otherwise incomplete) ingest spec."""
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(text, IngestSpec)
    return [str(issue) for issue in info.value.issues if issue.code == "extra-forbidden"]


def test_misspelt_top_level_block_key_is_on_its_own_line(tmp_path: Path) -> None:
    text = MAPPING.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = lines.index("deduplicate:") + 1
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace("\ndeduplicate:\n", "\ndedupliate:\n"), encoding="utf-8")
    with pytest.raises(InvalidDatasetError) as info:
        load_spec(spec, IngestSpec)
    issues = [str(issue) for issue in info.value.issues]
    assert issues == [
        "dedupliate: Extra inputs are not permitted (did you mean 'deduplicate'?) "
        f"(line {line}, column 1) [extra-forbidden]"
    ]


def test_misspelt_nested_block_key() -> None:
    text = """\
id: x
components:
  SEX:
    from: gender
    mapp:
      female: F
"""
    assert _messages(text) == [
        "components.SEX.mapp: Extra inputs are not permitted (did you mean 'map'?) "
        "(line 5, column 5) [extra-forbidden]"
    ]


def test_misspelt_key_in_a_list_item_and_under_a_dict_value() -> None:
    text = """\
id: x
components: {A: {value: a}}
rows:
  - name: f
    kepp:
      A: [a]
privacy:
  geopoints:
    gps:
      gird:
        0.1
"""
    issues = _messages(text)
    assert any(
        "rows[0].kepp: Extra inputs are not permitted (did you mean 'keep'?) (line 5, column 5)"
        in issue
        for issue in issues
    ), issues
    assert any(
        "privacy.geopoints.gps.gird: Extra inputs are not permitted (did you mean 'grid'?) "
        "(line 10, column 7)" in issue
        for issue in issues
    ), issues


def test_same_line_values_keep_their_place_and_unrelated_keys_get_no_hint() -> None:
    text = "id: x\ncomponents:\n  SERIES:\n    value: A\n    colour: red\n    zzzzzz:\n      - 1\n"
    assert _messages(text) == [
        "components.SERIES.colour: Extra inputs are not permitted (line 5, column 13) "
        "(value: 'red') [extra-forbidden]",
        "components.SERIES.zzzzzz: Extra inputs are not permitted (line 6, column 5) "
        "[extra-forbidden]",
    ]
