"""convert streams: the unit records are aggregated batch by batch, several exports are read
as one submission, and the answer depends neither on the batch size nor on how the
submission is split into files.

Two runs are compared file for file after `cdinterop.testing.normalised_outputs()` takes out
what differs between any two runs (timestamps, durations, and the sizes and checksums of files
that hold timestamps).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pytest

from cdinterop.convert import convert
from cdinterop.ingest import IngestSpec
from cdinterop.ingest._rejects import Rejects
from cdinterop.mapping import load_spec
from cdinterop.testing import assert_same_outputs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "public-services-satisfaction"
SUBMISSION = EXAMPLE / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
KEY = b"streaming-test-key-0123456789abcdef"


@pytest.fixture(scope="module")
def spec() -> IngestSpec:
    return load_spec(SPEC, IngestSpec)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory, spec: IngestSpec) -> Path:
    out = tmp_path_factory.mktemp("default") / "out"
    convert(SUBMISSION, spec, out, key=KEY, base_url="https://example.org/files/")
    return out


@pytest.mark.parametrize("batch_rows", [1, 37, 500])
def test_the_batch_size_does_not_change_the_outputs(
    tmp_path: Path, spec: IngestSpec, default_run: Path, batch_rows: int
) -> None:
    out = tmp_path / "out"
    convert(
        SUBMISSION, spec, out, key=KEY, base_url="https://example.org/files/", batch_rows=batch_rows
    )
    assert_same_outputs(default_run, out)


def _split(path: Path, folder: Path, parts: int, extra: list[list[str]] | None = None) -> None:
    """The export as ``parts`` files of consecutive rows, each with the header; ``extra``
    rows are appended to the last."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, records = rows[0], rows[1:]
    size = -(-len(records) // parts)
    folder.mkdir()
    for i in range(parts):
        chunk = records[i * size : (i + 1) * size]
        if i == parts - 1 and extra:
            chunk = chunk + extra
        with (folder / f"part-{i + 1}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            writer.writerows(chunk)


def _observations(out: Path) -> list[dict[str, object]]:
    data = json.loads((out / "dataset.json").read_text("utf-8"))
    return list(data["observations"])


def test_several_exports_give_the_cells_of_one(
    tmp_path: Path, spec: IngestSpec, default_run: Path
) -> None:
    with SUBMISSION.open(encoding="utf-8", newline="") as handle:
        first_record = list(csv.reader(handle, delimiter=";"))[1]
    folder = tmp_path / "exports"
    _split(SUBMISSION, folder, 3, extra=[first_record])  # a phone synced twice
    out = tmp_path / "out"
    result = convert(folder, spec, out, key=KEY, base_url="https://example.org/files/")
    assert _observations(out) == _observations(default_run)
    one = json.loads((default_run / "summary.json").read_text("utf-8"))["ingest"]
    many = result.summary.to_dict()["ingest"]
    assert many["rows_read"] == one["rows_read"] + 1
    assert many["accepted"] == one["accepted"]
    assert many["filtered_by_rule"]["duplicate-submission"] == (
        one["filtered_by_rule"]["duplicate-submission"] + 1
    )
    assert [s["source"] for s in many["sources"]] == ["part-1.csv", "part-2.csv", "part-3.csv"]
    for key in ("rows_read", "accepted", "filtered", "rejected"):
        assert sum(s[key] for s in many["sources"]) == many[key]
    for s in many["sources"]:
        assert s["rows_read"] == s["accepted"] + s["filtered"] + s["rejected"]
    sources = result.dataset.provenance.sources
    assert [s.path for s in sources if s.id.startswith("SUBMISSION")] == [
        "part-1.csv",
        "part-2.csv",
        "part-3.csv",
    ]
    with (out / "rejects.csv").open(encoding="utf-8", newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert rejects and set(rejects[0]) == {"source", "row", "column", "value", "reason", "code"}
    assert {r["source"] for r in rejects} <= {"part-1.csv", "part-2.csv", "part-3.csv"}
    assert len({(r["source"], r["row"]) for r in rejects}) == many["rejected"]


def test_a_glob_pattern_names_the_exports(tmp_path: Path, spec: IngestSpec) -> None:
    folder = tmp_path / "exports"
    _split(SUBMISSION, folder, 2)
    by_glob = convert(str(folder / "*.csv"), spec, tmp_path / "a", key=KEY)
    by_list = convert(sorted(folder.glob("*.csv")), spec, tmp_path / "b", key=KEY)
    assert (
        by_glob.summary.to_dict()["ingest"]["sources"]
        == (by_list.summary.to_dict()["ingest"]["sources"])
    )
    assert_same_outputs(tmp_path / "a", tmp_path / "b")


def test_rejects_spilled_to_disk_read_back_the_same() -> None:
    def fill(rejects: Rejects) -> pa.Table:
        for batch in range(5):
            rows = pa.array(range(batch * 10, batch * 10 + 10), pa.int64())
            rejects.add(rows, "b", pa.array(["x"] * 10), pa.array(["why"] * 10), code="c1")
            rejects.add(rows[:3], "a", None, pa.array(["other"] * 3), code="c2")
            rejects.end_batch()
        rejects.add(
            pa.array([-1, 15, 61], pa.int64()),
            "(record)",
            None,
            pa.array(["unread"] * 3),
            code="c3",
        )
        rejects.end_unread()
        table = rejects.table()
        rejects.close()
        return table

    in_memory, spilled = Rejects(), Rejects(spill_bytes=1)
    kept, read_back = fill(in_memory), fill(spilled)
    assert kept.equals(read_back)
    assert kept.column("row").to_pylist() == sorted(kept.column("row").to_pylist())
    assert spilled.rows == in_memory.rows == 53
