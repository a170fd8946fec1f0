"""Writing an ingest run's outputs into a folder, all or nothing.

``dataset.json`` (the unit records), ``datapackage/`` (the same as a Data Package v2),
``records.parquet`` (the same as a Parquet file, when asked for),
``rejects.csv`` (``row, column, value, reason, code``; for a spreadsheet, so a text cell that begins
with ``=``, ``+``, ``-``, ``@``, tab or CR gets a ``'`` in front) and ``summary.json`` are first
written to a staging folder beside the target and then swapped in (`cdinterop._publish`),
so a failure or a kill leaves the target as it was. After a run that rejected too many rows
only ``rejects.csv`` and ``summary.json`` are written (with ``"failed": true``), for the
person who has to fix the submission; the outputs of an earlier run in the same folder that
this run did not write are removed.
"""

from __future__ import annotations

from pathlib import Path

from cdinterop._files import write_json
from cdinterop._formulas import write_people_csv
from cdinterop._publish import RUN_OUTPUTS, publish
from cdinterop.ingest._results import IngestResult

__all__ = ["OUTPUT_NAMES", "write_outputs"]

OUTPUT_NAMES = ("dataset.json", "datapackage", "records.parquet", "rejects.csv", "summary.json")
"""What ``write_outputs()`` may put in the folder."""


def write_outputs(
    result: IngestResult,
    folder: str | Path,
    *,
    datapackage: bool = True,
    parquet: bool = False,
    failed: bool = False,
) -> list[Path]:
    """Write the outputs of ``result`` into ``folder`` (created if needed; earlier outputs
    of the same names are replaced); return the paths written. ``parquet`` adds the unit
    records as ``records.parquet`` (written a row group at a time). With ``failed`` only the
    rejects and the summary are written."""
    from cdinterop import datapackage as dp
    from cdinterop.model._internal import save

    target = Path(folder)
    names = []
    with publish(target, RUN_OUTPUTS) as staging:
        if not failed:
            save(result.dataset, staging / "dataset.json")
            names.append("dataset.json")
            if datapackage:
                dp.write(result.dataset, staging / "datapackage")
                names.append("datapackage")
            if parquet:
                _write_parquet(result, staging / "records.parquet")
                names.append("records.parquet")
        write_people_csv(result.rejects, staging / "rejects.csv")
        names.append("rejects.csv")
        summary = {**result.summary.to_dict(), "failed": failed, "outputs": names}
        write_json(staging / "summary.json", summary)
        names.append("summary.json")
    return [target / name for name in names]


def _write_parquet(result: IngestResult, path: Path) -> None:
    """The unit records as a Parquet file, a row group of at most 131,072 rows at a time."""
    import pyarrow.parquet as pq

    table = result.dataset.observations.table
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        for batch in table.to_batches(max_chunksize=1 << 17):
            writer.write_batch(batch)
