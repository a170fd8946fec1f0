"""The malformed-SDMX corpus: every file fails with a clear, located error."""

import json
from pathlib import Path

import pytest

from cdinterop import sdmx
from cdinterop.errors import InvalidDatasetError, ReadError

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "sdmx"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
STRUCTURE = CORPUS / "structure-2.1.xml"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_sdmx(name: str) -> None:
    expected = EXPECTED[name]
    path = CORPUS / name
    if expected["error"] == "read":
        with pytest.raises(ReadError) as info:
            sdmx.read(path, structure=STRUCTURE)
        assert expected["message"] in str(info.value)
        assert "root:" not in str(info.value)  # nothing from /etc/passwd
        return
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(path, structure=STRUCTURE)
    codes = {issue.code for issue in failure.value.issues}
    assert set(expected["codes"]) <= codes, codes
    assert any(expected["message"] in str(issue) for issue in failure.value.issues)


def test_every_corpus_file_is_listed() -> None:
    files = {p.name for p in CORPUS.iterdir()}
    assert files - {"expected.json", "make_corpus.py", "structure-2.1.xml"} == set(EXPECTED)
