"""Nothing of a private column reaches any output (issue 14, point 2).

Every column of the examples' exports that the spec drops (explicitly, or by not reading
it), pseudonymises or coarsens gets a unique marker in every row (``PRIVMARK...``; exact
coordinates with many decimals for geopoints); malformed records carrying markers are
added (a field too many, a field too few, an over-long field, a stray quote, a file cut
inside a quote). ``cdinterop ingest`` and ``cdinterop convert`` then run, and every
output file (zips opened) and the console output are searched for every marker.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop import limits
from cdinterop._cli import app
from cdinterop.ingest import IngestSpec
from cdinterop.mapping import load_spec

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SERVICES_SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
CARDS = ROOT / "examples" / "marine-litter-ghana" / "data-cards.xlsx"
CARDS_SPEC = ROOT / "mappings" / "beach-data-cards.yaml"
KEY = "replace-with-your-own-secret-key"
runner = CliRunner()
FIELD_BYTES = 1 << 20
FORM_VERSION = "__version__"


class Markers:
    """Unique marker texts, remembered so that the outputs can be searched for them."""

    def __init__(self) -> None:
        self._count = itertools.count(1)
        self.planted: list[str] = []

    def text(self) -> str:
        marker = f"PRIVMARK{next(self._count):06d}Z"
        self.planted.append(marker)
        return marker

    def geopoint(self) -> str:
        n = next(self._count)
        lat = f"-1.{n:06d}83719264"
        lon = f"36.{n:06d}51928374"
        self.planted += [lat, lon]
        return f"{lat} {lon} 1361.9 23.9"


def _public_columns(spec: IngestSpec, header: list[str]) -> set[str]:
    """The export's columns that the spec publishes as they are or through a rule."""
    read: set[str] = set()
    for rule in spec.components.values():
        if rule.source is not None:
            read.add(rule.source)
        if rule.expression is not None:
            read |= {name for name in header if f"`{name}`" in rule.expression}
            words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", rule.expression))
            read |= words & set(header)
    for row_filter in spec.rows:
        read |= set(row_filter.conditions)
    privacy = spec.privacy
    private = set(privacy.drop) | set(privacy.pseudonymise) | set(privacy.geopoints)
    # The form version (Kobo __version__) names the form, not a respondent: the run
    # publishes it in the provenance unless the spec drops the column.
    return (read | (set(header) & {FORM_VERSION})) - private


def _outputs(folder: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        yield str(path.relative_to(folder)), data
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    yield f"{path.name}!{name}", archive.read(name)


def _leaks(markers: Markers, folder: Path, console: str) -> list[str]:
    found = []
    texts = [*_outputs(folder), ("console", console.encode())]
    for name, data in texts:
        text = data.decode("utf-8", errors="replace")
        upper = text.upper()
        for marker in markers.planted:
            if marker.upper() in upper:
                found.append(f"{marker} in {name}")
    return found


def _run_both(
    submission: Path, spec: Path, tmp_path: Path, markers: Markers, extra: list[str] = ()
) -> None:
    env = {"CDINTEROP_PSEUDONYM_KEY": KEY}
    leaks: list[str] = []
    for command in ("ingest", "convert"):
        out = tmp_path / f"out-{command}"
        args = [command, str(submission), "-m", str(spec), "-o", str(out), *extra]
        with limits.use(field_bytes=FIELD_BYTES):
            result = runner.invoke(app, args, env=env)
        assert result.exit_code in (0, 1), result.output
        assert (out / "rejects.csv").is_file(), result.output
        leaks += _leaks(markers, out, result.output)
    assert not leaks, sorted(
        {leak.split(" in ")[1] + ": " + leak.split(" in ")[0] for leak in leaks}
    )[:60]


def _marked_services(
    tmp_path: Path, spec_path: Path = SERVICES_SPEC
) -> tuple[Path, Markers, list[str]]:
    """The Kobo example with markers in every private column and malformed records."""
    spec = load_spec(spec_path, IngestSpec)
    text = SERVICES.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, records = rows[0], rows[1:]
    public = _public_columns(spec, header)
    geopoints = set(spec.privacy.geopoints)
    markers = Markers()
    for record in records:
        for i, name in enumerate(header):
            if name in public:
                continue
            if name in geopoints:
                if record[i]:
                    record[i] = markers.geopoint()
            else:
                record[i] = markers.text()

    def quoted(record: list[str]) -> str:
        return ";".join('"' + value.replace('"', '""') + '"' for value in record)

    lines = [quoted(header), *(quoted(r) for r in records)]
    base = list(records[0])
    device = header.index("deviceid")

    def marked() -> list[str]:
        return [v if n in public else markers.text() for n, v in zip(header, base, strict=True)]

    too_many = quoted([*marked(), markers.text()])
    too_few = quoted(marked()[:-3])
    long = marked()
    long[header.index("services/comment")] = markers.text() + "x" * 1_200_000
    public_long = list(records[1])
    public_long[header.index("respondent/age")] = markers.text() + "9" * 1_200_000
    stray = marked()
    stray_line = quoted(stray).replace(f'"{stray[device]}"', f'"{stray[device]}" "', 1)
    cut_record = marked()
    cut = quoted(cut_record)
    cut = cut[: cut.index(cut_record[device]) + len(cut_record[device])]  # inside deviceid
    body = [*lines[:300], too_many, too_few, quoted(long), quoted(public_long), *lines[300:]]
    body += [stray_line, *lines[600:610], cut]
    path = tmp_path / "submissions-kobo.csv"
    path.write_text("\n".join(body), encoding="utf-8")
    return path, markers, header


def test_services_example_leaks_no_private_value(tmp_path: Path) -> None:
    path, markers, _header = _marked_services(tmp_path)
    _run_both(path, SERVICES_SPEC, tmp_path, markers, ["--max-rejected", "1"])


def test_a_dropped_form_version_is_not_published(tmp_path: Path) -> None:
    text = SERVICES_SPEC.read_text(encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace("    - deviceid ", f"    - {FORM_VERSION}\n    - deviceid "))
    path, markers, _header = _marked_services(tmp_path, spec)
    assert any(marker for marker in markers.planted)
    out = tmp_path / "out"
    args = ["ingest", str(path), "-m", str(spec), "-o", str(out), "--max-rejected", "1"]
    with limits.use(field_bytes=FIELD_BYTES):
        result = runner.invoke(app, args, env={"CDINTEROP_PSEUDONYM_KEY": KEY})
    assert result.exit_code == 0, result.output
    assert not _leaks(markers, out, result.output)


def test_services_rejects_name_lines_and_problems(tmp_path: Path) -> None:
    path, _markers, _header = _marked_services(tmp_path)
    out = tmp_path / "out"
    args = ["ingest", str(path), "-m", str(SERVICES_SPEC), "-o", str(out), "--max-rejected", "1"]
    with limits.use(field_bytes=FIELD_BYTES):
        result = runner.invoke(app, args, env={"CDINTEROP_PSEUDONYM_KEY": KEY})
    assert result.exit_code == 0, result.output
    rejects = list(csv.DictReader(io.StringIO((out / "rejects.csv").read_text())))
    records = [r for r in rejects if r["reason"].endswith("the row is left out")]
    reasons = " | ".join(r["reason"] for r in records)
    assert "expected 33 fields, found 34" in reasons and "found 30" in reasons, reasons
    assert "line 989: the record is cut off inside a quoted field" in reasons, reasons
    long = {r["column"]: r["reason"] for r in records if "bytes long" in r["reason"]}
    assert set(long) == {"services/comment", "respondent/age"}, reasons
    assert all(r["value"] == "" for r in records), records
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows_read"] == summary["accepted"] + summary["filtered"] + summary["rejected"]


@pytest.mark.parametrize("layout", ["csv", "json"])
def test_plain_csv_and_json_leak_no_private_value(tmp_path: Path, layout: str) -> None:
    markers = Markers()
    header = ["id", "name", "phone", "gps", "sex", "age"]
    records = []
    for n in range(40):
        sex = "X" if n % 7 == 0 else ("F" if n % 2 else "M")
        age = "abc" if n % 9 == 0 else str(20 + n)
        gps = markers.geopoint() if n % 5 else f"{markers.text()} 36.8"
        records.append([markers.text(), markers.text(), markers.text(), gps, sex, age])
    spec = tmp_path / "spec.yaml"
    spec.write_text(_PLAIN_SPEC.replace("LAYOUT", layout), encoding="utf-8")
    if layout == "csv":
        path = tmp_path / "people.csv"
        lines = [",".join(header), *(",".join(r) for r in records)]
        lines.insert(5, ",".join([markers.text(), markers.text(), "", "", "F", "30", "x"]))
        lines.insert(9, ",".join([markers.text(), markers.text(), "F"]))
        lines.append(f'{markers.text()},"{markers.text()}')
        path.write_text("\n".join(lines), encoding="utf-8")
    else:
        path = tmp_path / "people.json"
        items: list[object] = [dict(zip(header, r, strict=True)) for r in records]
        items.insert(3, [markers.text(), markers.text()])
        items.insert(7, markers.text())
        path.write_text(json.dumps(items), encoding="utf-8")
    _run_both(path, spec, tmp_path, markers, ["--max-rejected", "1"])


def test_cards_example_leaks_no_private_value(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    spec = load_spec(CARDS_SPEC, IngestSpec)
    workbook = openpyxl.load_workbook(CARDS)
    sheet = workbook[spec.source.sheet or workbook.sheetnames[0]]
    header = [cell.value for cell in sheet[1]]
    public = _public_columns(spec, [str(h) for h in header])
    markers = Markers()
    for row in sheet.iter_rows(min_row=2):
        if all(cell.value is None for cell in row):
            continue
        for cell, name in zip(row, header, strict=False):
            if name not in public:
                cell.value = markers.text()
    path = tmp_path / "data-cards.xlsx"
    workbook.save(path)
    _run_both(path, CARDS_SPEC, tmp_path, markers, ["--max-rejected", "1"])


_PLAIN_SPEC = """\
id: plain-people
version: "1.0"
source: {layout: LAYOUT}
privacy:
  drop: [name, phone]
  pseudonymise: [id]
  geopoints:
    gps: {grid: 0.1}
structure:
  id: DSD_PEOPLE
  agency: TEST
  version: "1.0"
  name: {en: People}
  concepts:
    - {id: PERSON, name: {en: Person}}
    - {id: SEX, name: {en: Sex}}
    - {id: AGE, name: {en: Age}}
    - {id: CELL, name: {en: Cell}}
  codelists:
    - id: CL_SEX
      name: {en: Sex}
      codes: [{id: F, name: {en: F}}, {id: M, name: {en: M}}]
  dimensions:
    - {id: PERSON}
    - {id: SEX, codelist: CL_SEX}
  measures:
    - {id: AGE, value_type: integer}
  attributes:
    - {id: CELL}
components:
  PERSON: {from: id}
  SEX: {from: sex, map: {F: F, M: M}}
  AGE: {expression: "number(age)"}
  CELL: {from: gps}
dataset:
  id: DF_PEOPLE
  agency: TEST
  title: {en: People}
  licence: CC-BY-4.0
"""
