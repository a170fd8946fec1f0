"""The ingest run's fast paths change nothing: batch size, parse block size, the
distinct-value shortcuts and the single structure check give the same data set, rejects
(with exact line numbers) and counts."""

from __future__ import annotations

import hmac
import random
from pathlib import Path

import pyarrow as pa
import pytest

from cdinterop.errors import InvalidDatasetError
from cdinterop.ingest._run import IngestError, IngestResult, ingest
from cdinterop.ingest._sources import Layout, SourceOptions, open_submission
from cdinterop.ingest._spec import IngestSpec
from cdinterop.ingest._transforms import pseudonymise, to_period
from cdinterop.mapping._loading import loads_spec
from cdinterop.model import CitizenDataset, Observations

KEY_VAR = "CDI_TEST_BATCH_KEY"
KEY = "a-test-key-that-is-long-enough"

SPEC = f"""\
id: batches
version: "1.0"
source: {{layout: kobo-csv}}
rows:
  - name: not-approved
    keep: {{_validation_status: [approved]}}
deduplicate: {{name: resubmitted, key: [_uuid]}}
privacy:
  drop: [deviceid]
  pseudonymise: [_uuid]
  key: env:{KEY_VAR}
  geopoints: {{grp/location: {{grid: 0.1}}}}
structure:
  id: DSD_T
  agency: T
  name: {{en: Test}}
  concepts:
    - {{id: RECORD, name: {{en: Record}}}}
    - {{id: SITE, name: {{en: Site}}}}
    - {{id: BEACH_TYPE, name: {{en: Beach type}}}}
    - {{id: CELL, name: {{en: Grid cell}}}}
    - {{id: TIME_PERIOD, name: {{en: Month}}}}
    - {{id: OBS_VALUE, name: {{en: Items}}}}
  codelists:
    - {{id: CL_BEACH_TYPE, agency: T, name: {{en: Beach types}},
       codes: [{{id: S, name: {{en: Sandy}}}}, {{id: R, name: {{en: Rocky}}}}]}}
  dimensions:
    - {{id: RECORD}}
    - {{id: SITE}}
    - {{id: BEACH_TYPE, codelist: CL_BEACH_TYPE}}
  time_dimension: {{id: TIME_PERIOD}}
  attributes:
    - {{id: CELL, attachment: observation}}
components:
  RECORD: {{from: _uuid}}
  SITE: {{from: grp/site}}
  BEACH_TYPE: {{from: grp/beach_type, map: {{sandy: S, rocky: R}}, unmapped: keep}}
  CELL: {{from: grp/location}}
  TIME_PERIOD: {{from: _submission_time, period: M}}
  OBS_VALUE: {{expression: 'number(col("grp/bottles")) + number(col("grp/bags"))'}}
dataset:
  id: DF_T
  agency: T
  title: {{en: Test data cards}}
"""

HEADER = [
    "deviceid",
    "grp/site",
    "grp/location",
    "grp/beach_type",
    "grp/bottles",
    "grp/bags",
    "comments",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_index",
]


def _write(path: Path, rows: int) -> dict[str, int]:
    """A Kobo CSV with planted problems; returns the physical line of each ``_index``."""
    rng = random.Random(7)
    lines: dict[str, int] = {}
    line = 2
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(HEADER) + "\n")
        for i in range(rows):
            comment = ""
            if i % 7 == 0:
                comment = '"a comment, with a comma"'
            if i % 11 == 0:
                comment = '"two lines\nof comment"'
            if i % 97 == 0:
                comment = '"three\nlines\nhere"'
            location = f"-1.{i % 999:03d} 36.{i % 777:03d} 1600 5"
            if i % 53 == 0:
                location = "not a place"
            if i % 59 == 0:
                location = "95.0 10.0"
            time = "2024-03-01T06:10:00" if i % 3 else f"2024-0{1 + i % 9}-1{i % 10}T08:00:00"
            if i % 61 == 0:
                time = "2024-02-30T10:00:00"
            if i % 67 == 0:
                time = "yesterday"
            beach = rng.choice(["sandy", "rocky"])
            if i % 71 == 0:
                beach = "muddy"  # kept by the map, refused by the codelist
            uuid = f"uuid-{i:06d}" if i % 13 else f"uuid-{i - 1:06d}"  # resubmissions
            row = [
                f"dev{i % 10}",
                f"Beach {i % 5}",
                location,
                beach,
                "x" if i % 73 == 0 else str(i % 50),
                str(i % 20),
                comment,
                uuid,
                time,
                "Approved" if i % 4 else "",
                str(i),
            ]
            text = ",".join(row) + "\n"
            if i % 83 == 0:  # a bad row: too many fields
                text = ",".join([*row, "extra"]) + "\n"
            handle.write(text)
            lines[str(i)] = line
            line += text.count("\n")
    return lines


@pytest.fixture
def spec(monkeypatch: pytest.MonkeyPatch) -> IngestSpec:
    monkeypatch.setenv(KEY_VAR, KEY)
    return loads_spec(SPEC, IngestSpec)


def _run(path: Path, spec: IngestSpec, batch_rows: int) -> IngestResult:
    options = SourceOptions(layout=Layout.KOBO_CSV, batch_rows=batch_rows)
    return ingest(path, spec, options=options)


def _same(a: IngestResult, b: IngestResult) -> None:
    assert a.rejects.equals(b.rejects)
    assert a.dataset.observations == b.dataset.observations
    sa, sb = a.summary.to_dict(), b.summary.to_dict()
    sa.pop("seconds")
    sb.pop("seconds")
    assert sa == sb


def test_batch_and_block_size_change_nothing(
    tmp_path: Path, spec: IngestSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kobo.csv"
    lines = _write(path, 1500)
    reference = _run(path, spec, 65_536)
    s = reference.summary
    assert s.rows_read == 1500
    assert s.rows_read == s.accepted + s.filtered + s.rejected
    assert s.filtered_by_rule["not-approved"] > 0 and s.filtered_by_rule["resubmitted"] > 0
    assert s.rejected > 0 and s.accepted > 500
    for batch_rows in (9, 128):
        _same(reference, _run(path, spec, batch_rows))
    # small parse blocks: many reader batches per group, and restarts for long records
    monkeypatch.setattr("cdinterop.ingest._sources.csv_text._BLOCK_BYTES", 4096)
    for batch_rows in (11, 65_536):
        _same(reference, _run(path, spec, batch_rows))

    # every rejected row is reported on the line it starts on
    rejects = reference.rejects.to_pylist()
    by_line = {row: line for row, line in ((int(k), v) for k, v in lines.items())}
    reasons = {r["row"]: r for r in rejects}
    muddy = [i for i in range(1500) if i % 71 == 0 and i % 4 and i % 83]
    assert any(by_line[i] in reasons for i in muddy)
    bad_rows = [by_line[i] for i in range(1500) if i % 83 == 0]
    assert all(line in reasons for line in bad_rows)
    assert all("fields" in reasons[line]["reason"] for line in bad_rows)
    bad_times = [by_line[i] for i in range(1500) if i % 67 == 0 and i % 4 and i % 83]
    assert bad_times and all(reasons[line]["column"] == "_submission_time" for line in bad_times)


def test_structure_is_checked_once_and_only_for_a_clean_table(
    tmp_path: Path, spec: IngestSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kobo.csv"
    _write(path, 400)
    calls: list[int] = []
    import cdinterop.model._checks as checks

    original = checks.check_observations

    def counting(table: pa.Table, structure: object) -> object:
        calls.append(table.num_rows)
        return original(table, structure)  # type: ignore[arg-type]

    monkeypatch.setattr(checks, "check_observations", counting)
    result = _run(path, spec, 65_536)
    # one batch, checked once: the rows that fail the structure (muddy beaches) leave, the
    # others are not checked again, not even when the data set is built from them
    checked = [n for n in calls if n > 0]
    assert len(checked) == 1
    assert checked[0] > result.summary.accepted > 0
    assert result.dataset.issues() == []


def test_conformed_observations_skip_the_second_check() -> None:
    from cdinterop.model._structure import DataStructure

    structure = DataStructure.model_validate(
        {
            "id": "DSD_X",
            "agency": "T",
            "name": {"en": "X"},
            "concepts": [
                {"id": "REF_AREA", "name": {"en": "Area"}},
                {"id": "TIME_PERIOD", "name": {"en": "Period"}},
                {"id": "OBS_VALUE", "name": {"en": "Value"}},
            ],
            "dimensions": [{"id": "REF_AREA"}],
            "time_dimension": {"id": "TIME_PERIOD"},
        }
    )
    raw = Observations.from_records([{"REF_AREA": "GH", "TIME_PERIOD": "2024", "OBS_VALUE": 1.5}])
    conformed, issues = raw.conform(structure)
    assert issues == []
    assert conformed.conform(structure) == (conformed, [])
    assert conformed.conform(structure)[0] is conformed
    # an equal but different structure object is checked again
    copy = DataStructure.model_validate(structure.model_dump())
    again, issues = conformed.conform(copy)
    assert again is not conformed and again == conformed and issues == []
    # a table with problems is never marked as checked
    bad = Observations.from_records([{"REF_AREA": "GH", "TIME_PERIOD": "x", "OBS_VALUE": 1}])
    checked, issues = bad.conform(structure)
    assert issues
    assert checked.conform(structure)[1]
    base = {"id": "DF_X", "agency": "T", "title": {"en": "X"}, "structure": structure}
    with pytest.raises(InvalidDatasetError):
        CitizenDataset.model_validate({**base, "observations": checked})
    with pytest.raises(InvalidDatasetError):
        CitizenDataset.model_validate({**base, "observations": bad.table})
    ds = CitizenDataset.model_validate({**base, "observations": conformed})
    assert ds.observations is conformed


def test_period_on_distinct_texts_equals_row_by_row() -> None:
    pool = [
        "2024-03-01T06:10:00",
        " 2024-03-01 ",
        "",
        None,
        "2024-02-30",
        "2024-06-30T23:30:00-05:00",
        "2024-06-03 10:15",
        "x",
        "2024-12-30",
        "2024-06-03T25:00:00",
    ]
    rng = random.Random(1)
    repeated = [rng.choice(pool) for _ in range(5000)]
    distinct = [
        f"2024-{i % 14:02d}-{i % 31:02d}T06:{i % 60:02d}:{(i // 60) % 60:02d}" if i % 9 else None
        for i in range(5000)
    ]
    sample = range(0, 5000, 37)
    for values in (repeated, distinct):
        column = pa.array(values, pa.string())
        for frequency in ("A", "Q", "M", "W", "D"):
            whole = to_period(column, frequency)  # type: ignore[arg-type]
            for i in sample:
                one = to_period(column.slice(i, 1), frequency)  # type: ignore[arg-type]
                assert whole.values[i].as_py() == one.values[0].as_py()
                assert whole.failed[i].as_py() == one.failed[0].as_py()
                reason = None if whole.reasons is None else whole.reasons[i].as_py()
                assert reason == (None if one.reasons is None else one.reasons[0].as_py())


def test_pseudonyms_of_repeated_values_are_hmac_sha256() -> None:
    key = b"k3y-for-tests-0123456789abcdef"
    values = ["a", "", None, "a", "ü-ñ", "b", "", None] * 50
    chunked = pa.chunked_array([pa.array(values[:13]), pa.array(values[13:])])
    for length in (16, 17, 33, 64):
        got = pseudonymise(chunked, key, length=length).to_pylist()
        want = [
            None if v is None else hmac.new(key, v.encode(), "sha256").hexdigest()[:length]
            for v in values
        ]
        assert got == want
    assert pseudonymise(pa.array([], pa.string()), key).to_pylist() == []
    assert pseudonymise(pa.nulls(2), key).to_pylist() == [None, None]


def test_spec_is_resolved_from_the_columns_without_the_digest(
    tmp_path: Path, spec: IngestSpec
) -> None:
    path = tmp_path / "kobo.csv"
    _write(path, 5)
    with open_submission(path) as submission:
        assert submission.columns == submission.info.columns
        assert submission.path == submission.info.path
    other = tmp_path / "other.csv"
    other.write_text("_uuid,x\nu1,1\n", encoding="utf-8")
    with pytest.raises(
        IngestError, match=r"the spec does not fit .*other\.csv.*\(the file has: _uuid, x"
    ):
        ingest(other, spec)


def test_pseudonyms_beyond_one_arrays_offsets(monkeypatch: pytest.MonkeyPatch) -> None:
    key = b"k3y-for-tests-0123456789abcdef"
    monkeypatch.setattr("cdinterop.ingest._transforms.pseudonyms._MAX_STRING_BYTES", 20)
    values = ["a", None, "b", "a"]
    want = [
        None if v is None else hmac.new(key, v.encode(), "sha256").hexdigest()[:16] for v in values
    ]
    assert pseudonymise(pa.array(values), key).to_pylist() == want
