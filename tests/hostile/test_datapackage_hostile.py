"""Hostile Data Packages: codecs that fail without a byte position (``utf-16`` without a
BOM, ``punycode``, ``idna``), a ``hash`` or ``bytes`` of the wrong JSON type, and a package
cdinterop wrote that lost (or changed) a codelist file are located problems, never a
traceback nor a silent success."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop import datapackage
from cdinterop._cli import app
from cdinterop.errors import InvalidDatasetError, ReadError

ROOT = Path(__file__).resolve().parents[2]
LITTER = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
SCHEMA = {"fields": [{"name": "id", "type": "string"}, {"name": "value", "type": "integer"}]}
runner = CliRunner()


def _folder(tmp_path: Path, data: bytes, **resource: Any) -> Path:
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "data.csv").write_bytes(data)
    entry = {"name": "t", "path": "data.csv", "schema": SCHEMA, **resource}
    descriptor = {"name": "p", "resources": [entry]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def _read_error(folder: Path) -> str:
    with pytest.raises(ReadError) as info:
        datapackage.read(folder)
    issues = datapackage.check_package(folder)
    assert any(i.location == "resources[0].path" and i.code == "read-error" for i in issues)
    result = runner.invoke(app, ["datapackage", "read", str(folder), "-o", str(folder / "o.json")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return info.value.reason


# -- encodings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "says"),
    [
        ("utf-16", "UTF-16 stream does not start with BOM"),
        ("UTF-16", "UTF-16 stream does not start with BOM"),
        ("punycode", "not valid punycode text"),
    ],
)
def test_codec_that_fails_without_a_position(tmp_path: Path, encoding: str, says: str) -> None:
    folder = _folder(tmp_path, b"id,value\na,1\nb,2\n", encoding=encoding)
    reason = _read_error(folder)
    assert reason.startswith("resources[0].path: ")
    assert says in reason and "'encoding'" in reason


def test_bad_bytes_after_the_header_block(tmp_path: Path) -> None:
    """The header parses; Arrow meets the bad sequence (a lone surrogate) further on."""
    text = "id,value\n" + "".join(f"x{i},{i}\n" for i in range(20_000))
    data = text.encode("utf-16-le") + b"\x00\xd8" + "z,1\n".encode("utf-16-le")
    reason = _read_error(_folder(tmp_path, data, encoding="utf-16-le"))
    assert "resources[0].path: line 20002:" in reason
    assert "not valid utf-16-le text" in reason


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    data = "id,value\na,1\nb,2\n".encode("utf-16")
    ds = datapackage.read(_folder(tmp_path, data, encoding="utf-16"))
    assert len(ds.observations) == 2


@pytest.mark.parametrize("encoding", ["idna", "punycode", "utf-16"])
def test_listing_tables_survives_any_codec(tmp_path: Path, encoding: str) -> None:
    """Several tables and none chosen: the message counts their rows whatever the codec."""
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"id,value\n\xff\xfe,1\n")
    (folder / "b.csv").write_bytes(b"id,value\na,1\n")
    resources = [
        {"name": "a", "path": "a.csv", "encoding": encoding, "schema": SCHEMA},
        {"name": "b", "path": "b.csv", "schema": SCHEMA},
    ]
    (folder / "datapackage.json").write_text(json.dumps({"name": "p", "resources": resources}))
    with pytest.raises(ReadError, match="say which one holds the observations"):
        datapackage.read(folder)


# -- hash and bytes of the wrong type --------------------------------------------------


@pytest.mark.parametrize("value", [12, None, ["sha256:00"], {"sha256": "00"}, True])
def test_hash_that_is_not_a_string(tmp_path: Path, value: Any) -> None:
    folder = _folder(tmp_path, b"id,value\na,1\n", hash=value)
    with pytest.raises(InvalidDatasetError) as info:
        datapackage.read(folder)
    found = [(i.location, i.code) for i in info.value.issues]
    assert found == [("resources[0].hash", "hash-invalid")]
    assert "a hash is a string" in info.value.issues[0].message
    checked = datapackage.check_package(folder)
    assert ("resources[0].hash", "hash-invalid") in [(i.location, i.code) for i in checked]


@pytest.mark.parametrize("value", ["15", -1, 1.5, True, None])
def test_bytes_that_is_not_a_size(tmp_path: Path, value: Any) -> None:
    folder = _folder(tmp_path, b"id,value\na,1\n", bytes=value)
    with pytest.raises(InvalidDatasetError) as info:
        datapackage.read(folder)
    assert [(i.location, i.code) for i in info.value.issues] == [
        ("resources[0].bytes", "bytes-invalid")
    ]


def test_right_bytes_and_hash_still_pass(tmp_path: Path) -> None:
    import hashlib

    data = b"id,value\na,1\n"
    digest = hashlib.sha256(data).hexdigest()
    folder = _folder(tmp_path, data, bytes=len(data), hash=f"sha256:{digest}")
    assert len(datapackage.read(folder).observations) == 1


# -- codelist files of a package cdinterop wrote ----------------------------------------


def _written(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    folder = datapackage.write(cdinterop.load(LITTER), tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text())
    codelists = [r for r in descriptor["resources"] if r["name"] != "observations"]
    assert codelists
    return folder, descriptor["resources"]


def test_missing_codelist_file(tmp_path: Path) -> None:
    folder, resources = _written(tmp_path)
    index = len(resources) - 1
    (folder / resources[index]["path"]).unlink()
    with pytest.raises(ReadError) as info:
        datapackage.read(folder)
    assert info.value.reason.startswith(f"resources[{index}].path: ")
    assert "not found" in info.value.reason
    issues = datapackage.check_package(folder)
    assert [(i.location, i.code) for i in issues] == [(f"resources[{index}].path", "read-error")]
    result = runner.invoke(app, ["datapackage", "read", str(folder), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert f"resources[{index}].path" in result.output


def test_missing_codelist_and_bad_observation_are_both_reported(tmp_path: Path) -> None:
    folder, resources = _written(tmp_path)
    (folder / resources[1]["path"]).unlink()
    descriptor = json.loads((folder / "datapackage.json").read_text())
    del descriptor["resources"][0]["hash"]  # the observations change below
    del descriptor["resources"][0]["bytes"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    observations = folder / resources[0]["path"]
    header, first, *rest = observations.read_text().splitlines()
    columns = header.split(",")
    values = first.split(",")
    values[0] = "NOT-A-CODE"
    observations.write_text("\n".join([header, ",".join(values), *rest]) + "\n")
    issues = datapackage.check_package(folder)
    assert ("resources[1].path", "read-error") in [(i.location, i.code) for i in issues]
    assert any(i.row == 0 and i.component == columns[0] for i in issues), issues


def test_changed_codelist_file(tmp_path: Path) -> None:
    folder, resources = _written(tmp_path)
    path = folder / resources[1]["path"]
    path.write_bytes(path.read_bytes() + b"EXTRA,Extra\n")
    with pytest.raises(InvalidDatasetError) as info:
        datapackage.read(folder)
    found = {(i.location, i.code) for i in info.value.issues}
    assert found == {
        ("resources[1].hash", "hash-mismatch"),
        ("resources[1].bytes", "bytes-mismatch"),
    }


def test_written_package_reads_back(tmp_path: Path) -> None:
    folder, _ = _written(tmp_path)
    assert datapackage.read(folder) == cdinterop.load(LITTER)
    assert datapackage.check_package(folder) == []
