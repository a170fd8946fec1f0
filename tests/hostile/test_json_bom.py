"""A JSON submission that starts with a UTF-8 byte-order mark is read, as CSV ones are
(it was refused as invalid JSON)."""

from __future__ import annotations

import json
from pathlib import Path

from cdinterop.ingest import open_submission


def test_json_with_a_bom_reads_like_without(tmp_path: Path) -> None:
    records = [{"id": "r1", "count": 3}, {"id": "r2", "count": 5}]
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(records), encoding="utf-8")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(records).encode())
    with_bom, without = open_submission(bom), open_submission(plain)
    assert with_bom.columns == without.columns == ("id", "count")
    rows = [[r for b in s.batches() for r in b.to_pylist()] for s in (with_bom, without)]
    assert rows[0] == rows[1] and len(rows[0]) == 2
