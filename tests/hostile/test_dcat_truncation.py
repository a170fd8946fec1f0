"""A description cdinterop wrote that lost some of its triples (an N-Triples file cut at a
line end, lines dropped by a tool) is refused with the properties it lost, instead of
being read as a data set with fields missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdinterop import dcat, load
from cdinterop.errors import InvalidDatasetError, ReadError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"


def _lines(tmp_path: Path) -> tuple[list[str], Path]:
    written = dcat.write(load(EXAMPLE), tmp_path / "full.nt")
    return written.read_text(encoding="utf-8").splitlines(keepends=True), tmp_path / "cut.nt"


@pytest.mark.parametrize(
    ("predicate", "shown"),
    [
        ("http://www.w3.org/ns/dcat#keyword", "dcat:keyword"),
        ("http://purl.org/dc/terms/temporal", "(dct|dcterms):temporal"),
        ("http://purl.org/dc/terms/spatial", "(dct|dcterms):spatial"),
    ],
)
def test_a_lost_triple_of_the_data_set_is_named(tmp_path: Path, predicate: str, shown: str) -> None:
    lines, cut = _lines(tmp_path)
    dataset = next(line.split()[0] for line in lines if "#Dataset>" in line)
    kept = [x for x in lines if not (x.startswith(dataset) and f"<{predicate}>" in x)]
    dropped = len(lines) - len(kept)
    assert dropped >= 1
    cut.write_text("".join(kept), encoding="utf-8")
    with pytest.raises(ReadError, match=rf"lost triples cdinterop wrote: .*{shown}"):
        dcat.read(cut)


def test_triples_added_since_are_welcome(tmp_path: Path) -> None:
    lines, cut = _lines(tmp_path)
    dataset = next(line.split()[0] for line in lines if "#Dataset>" in line)
    extra = f'{dataset} <http://www.w3.org/ns/dcat#keyword> "added by a portal"@en .\n'
    cut.write_text("".join([*lines, extra]), encoding="utf-8")
    assert dcat.read(cut) == dcat.read(tmp_path / "full.nt")  # the exact form wins


def test_every_cut_at_a_line_end_is_refused_or_exact(tmp_path: Path) -> None:
    """Cut the file after each tenth of its lines (in the writer's order and sorted): what
    reads must equal the data set; everything else is refused: a ReadError, or an
    InvalidDatasetError with located issues when the cut leaves a description whose data
    set breaks a model rule (a contact point without its email)."""
    lines, cut = _lines(tmp_path)
    expected = dcat.read(tmp_path / "full.nt")
    for order in (lines, sorted(lines)):
        for tenth in range(1, 10):
            cut.write_text("".join(order[: len(order) * tenth // 10]), encoding="utf-8")
            try:
                got = dcat.read(cut)
            except (ReadError, InvalidDatasetError):
                continue
            assert got == expected, tenth
