"""The valid seed files that the corpus damages, written by cdinterop's own writers.

`build(folder)` writes, once per run:

- ``kobo.csv`` / ``kobo.yaml``: the KoboToolbox example export and its mapping spec;
  ``kobo.json`` (an array of records) and ``kobo-api.json`` (an API page) with the same
  records, read with ``kobo-auto.yaml`` (the spec with ``layout: auto``);
- ``plain.csv`` / ``plain.yaml``: 200 records of a small plain CSV and its spec (also
  ``plain.json`` with ``plain-json.yaml``, ``odk.csv`` with ``odk.yaml``, and
  ``plain.xlsx`` with ``plain-xlsx.yaml``);
- ``cards.xlsx`` / ``cards.yaml``: the beach data cards workbook and its spec;
- ``conv/``: what ``cdinterop convert`` writes for the Kobo example (``sdmx/`` with the
  structure messages and seven data formats, ``datapackage.zip``, ``dataset.ttl``,
  ``dataset.json``, ``rejects.csv``, ``summary.json``);
- ``dataset.json`` (the converted data set), ``dp/`` (its Data Package folder),
  ``dp.zip``, and its DCAT description ``ds.ttl``, ``ds.jsonld``, ``ds.rdf``, ``ds.nt``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ._case import Seeds

__all__ = ["PLAIN_ROWS", "ROOT", "build", "plain_rows"]

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
MAPPINGS = ROOT / "mappings"
PLAIN_ROWS = 200
KOBO_ROWS = 972
"""Records of the Kobo example export (``rows_read`` of its ingest)."""

PLAIN_SPEC = (Path(__file__).with_name("plain-spec.yaml")).read_text(encoding="utf-8")


def plain_rows(n: int = PLAIN_ROWS) -> list[list[str]]:
    """Header and ``n`` records of the plain seed: id, area, sex, date, score, note."""
    rows = [["id", "area", "sex", "date", "score", "note"]]
    for i in range(n):
        rows.append(
            [
                f"R{i:04d}",
                ("Ghana", "Kenya")[i % 2],
                ("female", "male")[i % 3 % 2],
                f"2024-0{1 + i % 9}-1{i % 9}",
                str(i % 101),
                f"note {i} é",
            ]
        )
    return rows


def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\r\n") -> str:
    """Rows as CSV text."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return buf.getvalue()


def _xlsx(rows: list[list[str]], path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in rows:
        sheet.append(row)
    book.save(path)


def build(folder: Path) -> Seeds:
    """Write every seed into ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = Seeds(folder)
    shutil.copy(
        EXAMPLES / "public-services-satisfaction" / "submissions-kobo.csv", folder / "kobo.csv"
    )
    spec = (MAPPINGS / "services-survey-kobo.yaml").read_text(encoding="utf-8")
    (folder / "kobo.yaml").write_text(spec, encoding="utf-8")
    (folder / "kobo-auto.yaml").write_text(
        spec.replace("layout: kobo-csv", "layout: auto"), encoding="utf-8"
    )
    with (folder / "kobo.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle, delimiter=";"))
    (folder / "kobo.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    page = {"count": len(records), "next": None, "previous": None, "results": records}
    (folder / "kobo-api.json").write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")

    rows = plain_rows()
    (folder / "plain.csv").write_text(csv_text(rows), encoding="utf-8", newline="")
    (folder / "plain.yaml").write_text(PLAIN_SPEC, encoding="utf-8")
    header, *body = rows
    (folder / "plain.json").write_text(
        json.dumps([dict(zip(header, r, strict=True)) for r in body], ensure_ascii=False),
        encoding="utf-8",
    )
    (folder / "plain-json.yaml").write_text(
        PLAIN_SPEC.replace("layout: csv", "layout: json"), encoding="utf-8"
    )
    odk_head = ["SubmissionDate", "KEY", "meta-instanceID", "FormVersion", *header]
    odk = [odk_head] + [
        [f"2024-06-0{1 + i % 9}T10:00:00.000Z", f"uuid:{i:08d}", f"uuid:{i:08d}", "1", *r]
        for i, r in enumerate(body)
    ]
    (folder / "odk.csv").write_text(csv_text(odk), encoding="utf-8", newline="")
    (folder / "odk.yaml").write_text(
        PLAIN_SPEC.replace("layout: csv", "layout: odk-csv"), encoding="utf-8"
    )
    _xlsx(rows, folder / "plain.xlsx")
    (folder / "plain-xlsx.yaml").write_text(
        PLAIN_SPEC.replace("layout: csv", "layout: xlsx"), encoding="utf-8"
    )
    shutil.copy(EXAMPLES / "marine-litter-ghana" / "data-cards.xlsx", folder / "cards.xlsx")
    shutil.copy(MAPPINGS / "beach-data-cards.yaml", folder / "cards.yaml")

    env = {**os.environ, "CDINTEROP_PSEUDONYM_KEY": "hostile-corpus-seed-key-0123456789"}
    subprocess.run(
        [sys.executable, "-m", "cdinterop", "convert", str(folder / "kobo.csv"), "-m",
         str(folder / "kobo.yaml"), "-o", str(folder / "conv")],
        check=True, env=env, capture_output=True,
    )  # fmt: skip

    import cdinterop
    from cdinterop import datapackage, dcat

    shutil.copy(folder / "conv" / "dataset.json", folder / "dataset.json")
    dataset = cdinterop.load(folder / "dataset.json")
    datapackage.write(dataset, folder / "dp")
    shutil.copy(folder / "conv" / "datapackage.zip", folder / "dp.zip")
    for suffix in ("ttl", "jsonld", "rdf", "nt"):
        dcat.write(dataset, folder / f"ds.{suffix}")
    return seeds
