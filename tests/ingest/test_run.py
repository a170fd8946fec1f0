"""The ingest run and `cdinterop ingest`, as a data engineer uses them: counts add up,
every planted problem is in the rejects, privacy holds in every output file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app
from cdinterop.ingest._run import IngestError, ingest
from cdinterop.ingest._spec import IngestSpec
from cdinterop.mapping._loading import loads_spec

from .test_spec import SPEC

KEY = "a-test-key-that-is-long-enough"
OTHER_KEY = "another-key-that-is-long-enough"
HEADER = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "gender",
    "age",
    "satisfaction",
    "phone",
    "location",
]
ROWS = [
    [
        "1",
        "uuid-0001",
        "2024-06-03T10:15:22",
        "Approved",
        "Female",
        "23",
        "satisfied",
        "0700111",
        "5.6037 -0.1870 12 5",
    ],
    [
        "2",
        "uuid-0002",
        "2024-06-04T11:00:00",
        "Approved",
        "woman",
        "45",
        "unsatisfied",
        "0700222",
        "5.61 -0.18",
    ],
    [
        "3",
        "uuid-0002",
        "2024-06-04T11:00:00",
        "Approved",
        "woman",
        "45",
        "unsatisfied",
        "0700222",
        "5.61 -0.18",
    ],
    [
        "4",
        "uuid-0004",
        "2024-07-01T09:00:00",
        "Not approved",
        "Male",
        "30",
        "satisfied",
        "0700444",
        "5.6 -0.2",
    ],
    [
        "5",
        "uuid-0005",
        "2024-07-02T09:00:00",
        "Approved",
        "robot",
        "-4",
        "satisfied",
        "0700555",
        "not a place",
    ],
    [
        "6",
        "uuid-0006",
        "2024-07-02T09:30:00",
        "Approved",
        "man",
        "",
        "very_satisfied",
        "0700666",
        "5.55 -0.25",
    ],
    ["7", "uuid-0007", "sometime", "Approved", "1", "61", "satisfied", "0700777", "5.55 -0.25"],
    [
        "8",
        "uuid-0008",
        "2024-08-15T08:00:00",
        "Approved",
        "2",
        "19",
        "satisfied",
        "0700888",
        "5.7 -0.1",
    ],
]
"""Planted: a duplicate _uuid (line 4), a not-approved submission (line 5), an unknown
gender, an impossible age and an unreadable geopoint (line 6), a missing age (line 7), an
unreadable submission time (line 8)."""


def _write(tmp_path: Path, rows: list[list[str]] = ROWS) -> Path:
    path = tmp_path / "submissions.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _spec(**changes: object) -> IngestSpec:
    spec = loads_spec(SPEC, IngestSpec)
    return spec.model_copy(update={"max_rejected": None, **changes})


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDINTEROP_PSEUDONYM_KEY", KEY)


def test_counts_add_up_and_rejects_name_every_problem(tmp_path: Path) -> None:
    result = ingest(_write(tmp_path), _spec())
    s = result.summary
    assert (s.rows_read, s.accepted, s.filtered, s.rejected) == (8, 3, 2, 3)
    assert s.rows_read == s.accepted + s.filtered + s.rejected
    assert s.filtered_by_rule == {"not-approved": 1, "duplicate-submission": 1}
    rejects = {(r["row"], r["column"]): r for r in result.rejects.to_pylist()}
    assert rejects[(6, "gender")]["value"] == "robot"
    assert "not in the value map of SEX" in rejects[(6, "gender")]["reason"]
    assert rejects[(6, "age")]["reason"] == "age -4 is outside every band"
    assert rejects[(6, "location")]["value"] is None  # the location is never written
    assert rejects[(7, "age")]["reason"] == "AGE is mandatory but has no value"
    assert rejects[(8, "_submission_time")]["value"] == "sometime"
    assert set(rejects) == {
        (6, "gender"),
        (6, "age"),
        (6, "location"),
        (7, "age"),
        (8, "_submission_time"),
    }
    frame = result.dataset.observations.to_pandas()
    assert sorted(frame["SEX"]) == ["F", "F", "F"]
    assert sorted(frame["AGE"]) == ["Y18T29", "Y18T29", "Y_GE45"]
    assert sorted(frame["TIME_PERIOD"]) == ["2024-06", "2024-06", "2024-08"]


def test_provenance_records_the_run(tmp_path: Path) -> None:
    path = _write(tmp_path)
    ds = ingest(path, _spec()).dataset
    ingest_activity = ds.provenance.activities[-1]
    assert ingest_activity.type == "ingestion"
    assert ingest_activity.parameters["spec"] == "services-survey-kobo"
    assert ingest_activity.parameters["spec_version"] == "1.2"
    assert (ingest_activity.rows_in, ingest_activity.rows_out) == (8, 3)
    privacy = ds.provenance.activities[-2]
    assert privacy.type == "pseudonymisation"
    assert "dropped phone" in privacy.label and "0.1° grid" in privacy.label
    [source] = ds.provenance.sources
    import hashlib

    assert source.checksum is not None
    assert source.checksum.value == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.size == path.stat().st_size


def test_pseudonyms_are_stable_per_key(tmp_path: Path) -> None:
    path = _write(tmp_path)
    first = ingest(path, _spec()).dataset.observations.to_pandas()["RESPONDENT"]
    again = ingest(path, _spec()).dataset.observations.to_pandas()["RESPONDENT"]
    other = ingest(path, _spec(), key=OTHER_KEY.encode()).dataset.observations.to_pandas()
    assert list(first) == list(again)
    assert not set(first) & set(other["RESPONDENT"])


def test_threshold(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="3 of 8 rows rejected") as info:
        ingest(_write(tmp_path), _spec(), max_rejected=0.1)
    assert info.value.result is not None
    assert info.value.result.summary.rejected == 3


def test_unknown_column_in_spec(tmp_path: Path) -> None:
    spec = loads_spec(SPEC.replace("{from: gender,", "{from: gendre,"), IngestSpec)
    with pytest.raises(IngestError, match=r"components\.SEX\.from: no column 'gendre'"):
        ingest(_write(tmp_path), spec)


runner = CliRunner()


def _files_text(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    )


def test_cli_writes_every_output_without_private_data(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("max_rejected: 0.05", "max_rejected: 0.5"), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", str(_write(tmp_path)), "-m", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "datapackage",
        "dataset.json",
        "rejects.csv",
        "summary.json",
    ]
    summary = json.loads((out / "summary.json").read_text())
    assert {k: summary[k] for k in ("rows_read", "accepted", "filtered", "rejected")} == {
        "rows_read": 8,
        "accepted": 3,
        "filtered": 2,
        "rejected": 3,
    }
    assert summary["filtered_by_rule"] == {"not-approved": 1, "duplicate-submission": 1}
    assert len(cdinterop.load(out / "dataset.json").observations) == 3
    text = _files_text(out)
    assert KEY not in text
    for row in ROWS:
        assert row[1] not in text  # raw identifiers
        assert row[7] not in text  # dropped phone numbers
    assert "5.6037" not in text  # precise locations


def test_cli_threshold_exit_1_keeps_rejects(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", str(_write(tmp_path)), "-m", str(spec), "-o", str(out)])
    assert result.exit_code == 1
    assert "more than the 5.0% allowed" in " ".join(result.output.split())
    assert sorted(p.name for p in out.iterdir()) == ["rejects.csv", "summary.json"]
    assert json.loads((out / "summary.json").read_text())["failed"] is True


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("{from: gender,", "{from: gendre,"), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", str(_write(tmp_path)), "-m", str(spec), "-o", str(out)])
    assert result.exit_code == 2
    assert "gendre" in result.output and "Traceback" not in result.output
    bad_map = tmp_path / "bad.yaml"
    bad_map.write_text(SPEC.replace("map: {Female: F,", "map: {Female: [F, M],"), encoding="utf-8")
    result = runner.invoke(
        app, ["ingest", str(_write(tmp_path)), "-m", str(bad_map), "-o", str(out)]
    )
    assert result.exit_code == 2  # a spec that cannot be used, like an unusable file
    assert "components.SEX.map" in result.output and "line 29" in " ".join(result.output.split())
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(empty), "-m", str(spec), "-o", str(out)])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_header_only(tmp_path: Path) -> None:
    result = ingest(_write(tmp_path, []), _spec())
    assert (result.summary.rows_read, result.summary.accepted) == (0, 0)
    assert len(result.dataset.observations) == 0


def test_deduplicate_keep_last_and_empty_keys(tmp_path: Path) -> None:
    from cdinterop.ingest._spec import Deduplicate

    rows = [list(r) for r in ROWS]
    rows[2][4] = "Female"  # the re-submission (line 4) differs from the first (line 3)
    rows[2][5] = "33"
    rows[6][1] = ""  # line 8: no _uuid, never compared
    rows[7][1] = ""  # line 9: no _uuid either
    rows[6][2] = "2024-07-03T09:00:00"
    last = _spec(deduplicate=Deduplicate(name="resubmitted", key=("_uuid",), keep="last"))
    result = ingest(_write(tmp_path, rows), last)
    frame = result.dataset.observations.to_pandas()
    assert "Y30T44" in set(frame["AGE"])  # the later submission of uuid-0002 won
    assert result.summary.filtered_by_rule["resubmitted"] == 1  # not the two empty keys
    assert result.summary.accepted == 2  # line 2, and line 4 (the last of uuid-0002)
    rejected = {(r["row"], r["column"]) for r in result.rejects.to_pylist()}
    assert {(8, "_uuid"), (9, "_uuid")} <= rejected  # compared by nobody


@pytest.mark.parametrize("keep", ["first", "last"])
@pytest.mark.parametrize("batch_rows", [1, 2, 3])
def test_deduplication_spans_batches(tmp_path: Path, keep: str, batch_rows: int) -> None:
    """Which copy of a re-submission is kept does not depend on the batches it falls in."""
    from cdinterop.ingest._sources import SourceOptions
    from cdinterop.ingest._spec import Deduplicate

    rows = [list(r) for r in ROWS]
    rows[2][5] = "33"  # the re-submission (line 4) differs from the first (line 3)
    rows[7][1] = "uuid-0001"  # line 9 re-submits line 2, batches later
    rows[7][5] = "52"
    spec = _spec(deduplicate=Deduplicate(name="resubmitted", key=("_uuid",), keep=keep))
    path = _write(tmp_path, rows)
    whole = ingest(path, spec)
    batched = ingest(path, spec, options=SourceOptions(batch_rows=batch_rows))
    assert batched.summary.filtered_by_rule["resubmitted"] == 2
    assert batched.dataset.observations.table.equals(whole.dataset.observations.table)
    assert batched.rejects.equals(whole.rejects)
    ages = set(batched.dataset.observations.to_pandas()["AGE"])
    assert ("Y30T44" in ages) == (keep == "last")  # line 4's age band (33) won or lost


def test_numeric_default_on_a_text_column(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][0] = ""  # line 2: no _id, so OBS_VALUE takes the default
    spec = loads_spec(
        SPEC.replace(
            '  OBS_VALUE: {expression: "1 if satisfaction in',
            '  OBS_VALUE: {from: _id, default: 0}\n  X: {expression: "1 if satisfaction in',
        ).replace("  X: {expression", "  # X: {expression"),
        IngestSpec,
    )
    result = ingest(_write(tmp_path, rows), spec.model_copy(update={"max_rejected": None}))
    assert result.summary.accepted == 3
    assert sorted(result.dataset.observations.to_pandas()["OBS_VALUE"]) == [0.0, 2.0, 8.0]


def test_duplicate_keys_name_source_rows(tmp_path: Path) -> None:
    """A unit-record key that repeats is rejected, and the reason names the file's row
    of the first record (not a position in the records table)."""
    rows = [list(r) for r in ROWS]
    rows[7][1] = "uuid-0001"  # line 9 repeats line 2's respondent, month and age band
    rows[7][2] = "2024-06-20T08:00:00"
    rows[7][5] = "25"
    spec = _spec(deduplicate=None)
    result = ingest(_write(tmp_path, rows), spec)
    [duplicate] = [r for r in result.rejects.to_pylist() if r["row"] == 9]
    assert "already used by row 2" in duplicate["reason"]
