"""write/read of RDF files: every format, atomicity, and no remote JSON-LD contexts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cdinterop
from cdinterop import dcat
from cdinterop.errors import ReadError, WriteError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".rdf", ".nt"])
def test_write_read(tmp_path: Path, suffix: str) -> None:
    ds = cdinterop.load(EXAMPLE)
    path = dcat.write(ds, tmp_path / f"ds{suffix}")
    assert dcat.read(path) == ds.replace(observations=[])
    assert [p.name for p in tmp_path.iterdir()] == [f"ds{suffix}"]


def test_explicit_format(tmp_path: Path) -> None:
    ds = cdinterop.load(EXAMPLE)
    path = dcat.write(ds, tmp_path / "ds.txt", format="nt")
    assert dcat.read(path, format="nt") == ds.replace(observations=[])
    with pytest.raises(WriteError, match="unknown RDF format"):
        dcat.write(ds, tmp_path / "x.ttl", format="n3")
    with pytest.raises(ReadError):
        dcat.read(tmp_path / "ds.txt")


@pytest.mark.parametrize(
    "context",
    [
        "http://127.0.0.1:9/context.jsonld",
        ["https://schema.org/"],
        {"@import": "http://127.0.0.1:9/ctx.jsonld"},
    ],
)
def test_remote_jsonld_context_is_refused(tmp_path: Path, context: object) -> None:
    doc = {"@context": context, "@id": "http://example.org/x", "name": "x"}
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ReadError, match="remote @context"):
        dcat.read(path)


def test_nested_remote_context_is_refused(tmp_path: Path) -> None:
    doc = {"@graph": [{"@context": "http://127.0.0.1:9/c", "@id": "http://e/x"}]}
    path = tmp_path / "nested.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ReadError, match="remote @context"):
        dcat.read(path)


def test_malformed_input(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(ReadError, match="not valid turtle"):
        dcat.read(path)
