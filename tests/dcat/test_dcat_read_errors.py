"""Errors of reading a DCAT file name the file first, then the RDF node at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdinterop import dcat
from cdinterop.errors import ReadError

NO_STRUCTURE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<x> a dcat:Dataset ; dct:title "X" .
"""


def test_a_data_set_without_structure_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "portal.ttl"
    path.write_text(NO_STRUCTURE, encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        dcat.read(path)
    assert caught.value.source == str(path)
    assert caught.value.reason.startswith(f"{path.resolve().as_uri().rsplit('/', 1)[0]}/x: ")
    assert "no stat:dimension" in caught.value.reason
