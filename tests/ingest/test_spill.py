"""Unit records spilled to an Arrow IPC file and mapped back: the same table as kept in
memory, in order, and no file left behind."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from cdinterop.ingest._spill import SpilledRecords


def _batches() -> list[pa.Table]:
    return [
        pa.table(
            {
                "AREA": pa.array([f"A{i}" for i in range(start, start + size)], pa.string()),
                "OBS_VALUE": pa.array([float(i) for i in range(start, start + size)], pa.float64()),
            }
        )
        for start, size in ((0, 5), (5, 0), (5, 7), (12, 3))
    ]


@pytest.mark.parametrize("memory_rows", [0, 6, 1_000])
def test_spilled_records_read_back_in_order(tmp_path: Path, memory_rows: int) -> None:
    sink = SpilledRecords(memory_rows=memory_rows, folder=tmp_path)
    for batch in _batches():
        sink.add(batch)
    assert sink.rows == 15
    assert sink.spilled == (memory_rows < 15)
    table = sink.table()
    assert table.equals(pa.concat_tables(_batches()))
    assert list(tmp_path.iterdir()) == []  # unlinked once mapped
    assert table.column("AREA").to_pylist()[-1] == "A14"  # the mapping outlives the file


def test_a_failed_run_leaves_no_file(tmp_path: Path) -> None:
    sink = SpilledRecords(memory_rows=0, folder=tmp_path)
    sink.add(_batches()[0])
    assert len(list(tmp_path.iterdir())) == 1
    sink.close()
    assert list(tmp_path.iterdir()) == []


def test_nothing_taken_is_an_empty_table() -> None:
    assert SpilledRecords().table().num_rows == 0


def test_ingest_gives_the_same_records_spilled_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cdinterop.ingest import _spill, ingest

    root = Path(__file__).resolve().parents[2]
    export = root / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
    spec = root / "mappings" / "services-survey-kobo.yaml"
    key = b"spill-test-key-0123456789abcdef"
    in_memory = ingest(export, spec, key=key)
    monkeypatch.setattr(_spill, "MEMORY_ROWS", 10)
    monkeypatch.setattr(_spill.tempfile, "tempdir", str(tmp_path))
    spilled = ingest(export, spec, key=key)
    assert in_memory.summary.accepted > 10
    assert spilled.dataset.observations == in_memory.dataset.observations
    assert spilled.rejects.equals(in_memory.rejects)
    assert list(tmp_path.iterdir()) == []


def test_a_full_temporary_folder_is_a_clear_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No room for the spill file: a WriteError naming what was kept and TMPDIR (the
    CLI's exit 2), not an OSError (exit 3)."""
    import errno

    from cdinterop.errors import WriteError
    from cdinterop.ingest import _spill
    from cdinterop.ingest._rejects import Rejects

    def full(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_spill.tempfile, "mkstemp", full)
    sink = SpilledRecords(memory_rows=0)
    with pytest.raises(WriteError, match=r"the unit records .* No space left.*TMPDIR"):
        sink.add(_batches()[0])
    rejects = Rejects(spill_bytes=0)
    rejects.add(pa.array([1], pa.int64()), "a", None, pa.array(["why"]), code="c")
    with pytest.raises(WriteError, match=r"the rejects .* No space left.*TMPDIR"):
        rejects.end_batch()
