"""Regenerate the malformed-submission corpus: ``python tests/corpus/ingest/make_corpus.py``.

Every file is a small survey export (written here, not copied from anywhere) that is broken
in one way; ``spec.yaml`` is the ingest spec they are all run with, and ``expected.json``
says what ``cdinterop ingest`` must do with each: ``exit`` (0 ran, 1 too many rejects or an
invalid spec, 2 unusable input), words the message must contain, and for runs that
complete the counts. Big inputs (a 10 MB field) are made on the fly by the test.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER = "id,gender,age,month\n"
GOOD = ["1,F,23,2024-06", "2,M,45,2024-06", "3,F,31,2024-07"]

SPEC = """\
# The spec every corpus file is ingested with (plain CSV layout).
id: corpus
version: "1.0"
source: {layout: csv}
structure:
  id: DSD_CORPUS
  agency: TEST
  name: {en: Corpus}
  concepts:
    - {id: RECORD, name: {en: Record}}
    - {id: SEX, name: {en: Sex}}
    - {id: AGE, name: {en: Age}}
    - {id: TIME_PERIOD, name: {en: Month}}
    - {id: OBS_VALUE, name: {en: Count}}
  dimensions: [{id: RECORD}, {id: SEX}, {id: AGE}]
  time_dimension: {id: TIME_PERIOD}
components:
  RECORD: {from: id}
  SEX: {from: gender, map: {F: F, M: M}}
  AGE: {from: age, bands: {Y15T29: [15, 29], Y30T64: [30, 64]}}
  TIME_PERIOD: {from: month}
  OBS_VALUE: {value: 1}
dataset: {id: DF_CORPUS, agency: TEST, title: {en: Corpus}}
"""

FILES: dict[str, tuple[bytes, dict[str, object]]] = {
    "good.csv": (
        (HEADER + "\n".join(GOOD) + "\n").encode(),
        {"exit": 0, "rows_read": 3, "accepted": 3, "rejected": 0},
    ),
    "truncated.csv": (
        (HEADER + "\n".join(GOOD) + '\n4,F,"2').encode(),
        {"exit": 0, "rows_read": 4, "accepted": 3, "rejected": 1},
    ),
    "too-many-fields.csv": (
        (HEADER + GOOD[0] + "\n5,F,23,2024-06,extra\n" + GOOD[1] + "\n").encode(),
        {"exit": 0, "rows_read": 3, "accepted": 2, "rejected": 1},
    ),
    "semicolons.csv": (
        (HEADER.replace(",", ";") + "\n".join(g.replace(",", ";") for g in GOOD) + "\n").encode(),
        {"exit": 0, "rows_read": 3, "accepted": 3, "rejected": 0},
    ),
    "mixed-encoding.csv": (
        (HEADER + GOOD[0] + "\n").encode() + "9,F,2\xe9,2024-06\n".encode("latin-1"),
        {"exit": 2, "message": "UTF-8"},
    ),
    "latin1-declared.csv": (
        (HEADER + "Zoé,F,23,2024-06\n").encode("latin-1"),
        {"exit": 0, "rows_read": 1, "accepted": 1, "rejected": 0},
    ),
    "utf16.csv": (
        (HEADER + "\n".join(GOOD) + "\n").encode("utf-16"),
        {"exit": 0, "rows_read": 3, "accepted": 3, "rejected": 0},
    ),
    "empty.csv": (b"", {"exit": 2, "message": "empty"}),
    "header-only.csv": (HEADER.encode(), {"exit": 0, "rows_read": 0, "accepted": 0}),
    "unknown-column.csv": (
        ("id,sex,age,month\n" + "\n".join(GOOD) + "\n").encode(),
        {"exit": 2, "message": "'gender'"},
    ),
    "bad-values.csv": (
        (HEADER + "1,F,23,2024-06\n2,X,230,2024-13\n3,M,forty,June\n").encode(),
        {"exit": 0, "rows_read": 3, "accepted": 1, "rejected": 2},
    ),
}


def main() -> None:
    """Write the corpus files, the spec and the expectations."""
    expected = {}
    for name, (data, outcome) in FILES.items():
        (HERE / name).write_bytes(data)
        expected[name] = outcome
    (HERE / "spec.yaml").write_text(SPEC, encoding="utf-8")
    text = json.dumps(expected, indent=2, sort_keys=True) + "\n"
    (HERE / "expected.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(FILES)} files, spec.yaml and expected.json to {HERE}")


if __name__ == "__main__":
    main()
