"""Writing an ingest run's outputs into a folder, all or nothing.

``dataset.json`` (the unit records), ``datapackage/`` (the same as a Data Package v2),
``rejects.csv`` (``row, column, value, reason``) and ``summary.json`` are first written to
a staging folder beside the target and then moved in, so a failure leaves the target as it
was. After a run that rejected too many rows only ``rejects.csv`` and ``summary.json`` are
written (with ``"failed": true``), for the person who has to fix the submission; the
outputs of an earlier run in the same folder that this run did not write are removed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pyarrow.csv as pacsv

from cdinterop._files import replace_outputs
from cdinterop.errors import WriteError
from cdinterop.ingest._run import IngestResult

__all__ = ["OUTPUT_NAMES", "write_outputs"]

OUTPUT_NAMES = ("dataset.json", "datapackage", "rejects.csv", "summary.json")
"""What ``write_outputs()`` may put in the folder."""


def write_outputs(
    result: IngestResult, folder: str | Path, *, datapackage: bool = True, failed: bool = False
) -> list[Path]:
    """Write the outputs of ``result`` into ``folder`` (created if needed; earlier outputs
    of the same names are replaced); return the paths written. With ``failed`` only the
    rejects and the summary are written."""
    from cdinterop import datapackage as dp
    from cdinterop.model._jsonio import save

    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise WriteError(f"cannot create {target}: {exc.strerror or exc}") from None
    try:
        names = []
        if not failed:
            save(result.dataset, staging / "dataset.json")
            names.append("dataset.json")
            if datapackage:
                dp.write(result.dataset, staging / "datapackage")
                names.append("datapackage")
        pacsv.write_csv(result.rejects, staging / "rejects.csv")
        names.append("rejects.csv")
        summary = {**result.summary.to_dict(), "failed": failed, "outputs": names}
        text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
        (staging / "summary.json").write_text(text, encoding="utf-8")
        names.append("summary.json")
        written = replace_outputs(staging, target, OUTPUT_NAMES)
        return written
    except OSError as exc:
        raise WriteError(f"cannot write into {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
