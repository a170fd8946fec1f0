import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import cdinterop
from cdinterop.errors import InvalidDatasetError, ReadError
from cdinterop.model import CitizenDataset
from cdinterop.testing import citizen_datasets

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "json"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(citizen_datasets())
def test_json_round_trip(ds: CitizenDataset) -> None:
    assert cdinterop.loads(cdinterop.dumps(ds)) == ds


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(citizen_datasets(complete=True))
def test_json_round_trip_complete(ds: CitizenDataset) -> None:
    assert ds.participation is not None and ds.quality is not None
    assert cdinterop.loads(cdinterop.dumps(ds, indent=None)) == ds


def test_save_load_file(dataset: CitizenDataset, tmp_path: Path) -> None:
    path = cdinterop.save(dataset, tmp_path / "sub" / "ds.json")
    assert cdinterop.load(path) == dataset
    assert [p.name for p in path.parent.iterdir()] == ["ds.json"]  # no temp files left


def test_failed_save_leaves_nothing(dataset: CitizenDataset, tmp_path: Path) -> None:
    target = tmp_path / "ds.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        cdinterop.save(dataset, target, indent="x")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["ds.json"]


def test_missing_file() -> None:
    with pytest.raises(ReadError, match="cannot read"):
        cdinterop.load("/nonexistent/ds.json")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_corpus(name: str) -> None:
    expected = EXPECTED[name]
    path = CORPUS / name
    if expected["error"] == "read":
        with pytest.raises(ReadError, match=expected["message"]):
            cdinterop.load(path)
        with pytest.raises(ReadError):
            cdinterop.check_json(path)
        return
    with pytest.raises(InvalidDatasetError) as info:
        cdinterop.load(path)
    issues = cdinterop.check_json(path)
    found = [[i.location, i.code] for i in issues]
    for want in expected["issues"]:
        assert want in found, f"{want} not in {found}"
    assert any(expected["message"] in str(i) for i in issues), [str(i) for i in issues]
    assert info.value.issues


def test_every_corpus_file_is_listed() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.name not in ("expected.json", "make_corpus.py")}
    assert files == set(EXPECTED)


def test_utf8_bom_is_accepted(dataset: CitizenDataset, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + cdinterop.dumps(dataset).encode())
    assert cdinterop.load(path) == dataset


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(citizen_datasets())
def test_save_streams_the_observations_byte_for_byte(dataset: CitizenDataset) -> None:
    """``save()`` writes the observations a batch at a time; the file is what ``dumps()``
    gives, whatever the batches (here two rows each, so every example streams)."""
    import io

    from cdinterop.model import _jsonio

    saved = _jsonio._STREAM_ROWS
    _jsonio._STREAM_ROWS = 2
    try:
        buffer = io.StringIO()
        _jsonio._write(dataset, buffer, 2)
    finally:
        _jsonio._STREAM_ROWS = saved
    assert buffer.getvalue() == _jsonio.dumps(dataset, indent=2)
