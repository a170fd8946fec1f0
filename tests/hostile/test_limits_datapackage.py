"""Hostile Data Packages: codecs that are not text encodings, hashes without a fixed size,
damaged zip archives and zip bombs are refused with a `ReadError` (exit 2 for limits),
never a traceback; zip members are counted while they are decompressed."""

from __future__ import annotations

import contextlib
import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cdinterop import datapackage, limits
from cdinterop._cli import app
from cdinterop.errors import InvalidDatasetError, ReadError
from cdinterop.limits import LimitExceeded
from cdinterop.model import CitizenDataset

runner = CliRunner()
SCHEMA = {"fields": [{"name": "id", "type": "string"}, {"name": "value", "type": "integer"}]}


def _folder(tmp_path: Path, **resource: Any) -> Path:
    (tmp_path / "data.csv").write_text("id,value\na,1\nb,2\n", encoding="utf-8")
    entry = {"name": "t", "path": "data.csv", "schema": SCHEMA, **resource}
    descriptor = {"name": "p", "resources": [entry]}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return tmp_path


def _zip(path: Path, members: dict[str, bytes], *, stored: bool = False) -> Path:
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _plain_members(csv: bytes = b"id,value\na,1\nb,2\n") -> dict[str, bytes]:
    entry = {"name": "t", "path": "data.csv", "schema": "schema.json"}
    return {
        "datapackage.json": json.dumps({"name": "p", "resources": [entry]}).encode(),
        "schema.json": json.dumps(SCHEMA).encode(),
        "data.csv": csv,
    }


def _member_offset(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    return info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)


@pytest.mark.parametrize("encoding", ["base64", "rot13", "zlib", "hex"])
def test_a_codec_that_is_not_a_text_encoding_is_a_read_error(tmp_path: Path, encoding: str) -> None:
    folder = _folder(tmp_path, encoding=encoding)
    with pytest.raises(ReadError, match="is a codec, not a text encoding"):
        datapackage.read(folder)
    issues = datapackage.check_package(folder)
    assert any("not a text encoding" in i.message for i in issues)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize("algorithm", ["shake_128", "shake_256", "nosuchhash"])
def test_a_hash_without_a_fixed_size_is_an_unknown_algorithm(
    tmp_path: Path, algorithm: str
) -> None:
    folder = _folder(tmp_path, hash=f"{algorithm}:abcd", bytes=17)
    issues = datapackage.check_package(folder)
    assert [i.code for i in issues] == ["hash-unknown"]
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output


def test_flipped_bits_in_a_package_zip_are_read_errors(
    tmp_path: Path, dataset: CitizenDataset
) -> None:
    original = datapackage.write(dataset, tmp_path / "good.zip").read_bytes()
    rng = random.Random(14)
    for attempt in range(40):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        path = tmp_path / f"flipped{attempt}.zip"
        path.write_bytes(bytes(damaged))
        for read in (datapackage.read, datapackage.check_package):
            with contextlib.suppress(ReadError, InvalidDatasetError):
                read(path)


@pytest.mark.parametrize("where", [0.01, 0.9])
def test_a_damaged_deflate_stream_is_a_read_error(tmp_path: Path, where: float) -> None:
    """Damage near the start (met reading the header) or near the end (met by Arrow's
    CSV reader, whose threads must not see the exception)."""
    csv = b"id,value\n" + b"".join(b"r%d,%d\n" % (i, i) for i in range(300_000))
    data = bytearray(_zip(tmp_path / "good.zip", _plain_members(csv)).read_bytes())
    start = _member_offset(bytes(data), "data.csv")
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        size = archive.getinfo("data.csv").compress_size
    for i in range(int(size * where), int(size * where) + 60):
        data[start + i] ^= 0xFF
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError, match=r"'data.csv' is damaged in the zip archive"):
        datapackage.read(path)
    issues = datapackage.check_package(path)
    assert any("damaged in the zip archive" in i.message for i in issues)


def test_a_crc_mismatch_is_a_read_error(tmp_path: Path) -> None:
    csv = b"id,value\n" + b"".join(b"r%d,%d\n" % (i, i) for i in range(2_000))
    data = bytearray(_zip(tmp_path / "good.zip", _plain_members(csv), stored=True).read_bytes())
    data[_member_offset(bytes(data), "data.csv") + 5_000] ^= 0x01
    path = tmp_path / "crc.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError, match="Bad CRC-32"):
        datapackage.read(path)


def _bomb(path: Path, member: str, size: int) -> Path:
    """A zip whose ``member`` decompresses to ``size`` bytes or more."""
    members = _plain_members()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name == member:
                continue
            archive.writestr(name, data)
        with archive.open(member, "w") as stream:
            if member == "data.csv":
                stream.write(b"id,value\n")
                block = b"a,1\n" * 16_384
            else:
                stream.write(b'{"fields": ' + json.dumps(SCHEMA["fields"]).encode() + b', "x": "')
                block = b" " * 65_536
            for _ in range(size // len(block) + 1):
                stream.write(block)
            if member != "data.csv":
                stream.write(b'"}')
    return path


def test_a_csv_member_beyond_unzipped_bytes_is_refused(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.zip", "data.csv", 3 << 20)
    assert path.stat().st_size < 50_000
    with limits.use(unzipped_bytes=1 << 20):
        with pytest.raises(LimitExceeded, match="unzipped_bytes") as caught:
            datapackage.read(path)
        assert "'data.csv' decompresses to more bytes than the limit" in str(caught.value)
        assert str(path) in str(caught.value)
        with pytest.raises(LimitExceeded):
            datapackage.check_package(path)
    with limits.use(unzipped_bytes=1 << 20):
        result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "--limit unzipped_bytes=N" in " ".join(result.output.split())


def test_a_schema_member_beyond_bytes_is_refused_while_decompressed(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.zip", "schema.json", 3 << 20)
    with limits.use(bytes=1 << 20), pytest.raises(LimitExceeded, match="limit bytes"):
        datapackage.read(path)
    with limits.use(bytes=1 << 20):
        result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert datapackage.read(path).observations.table.num_rows == 2


def test_a_descriptor_beyond_bytes_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, description="x" * 200_000)
    with limits.use(bytes=100_000), pytest.raises(LimitExceeded, match=r"datapackage\.json"):
        datapackage.read(folder)
    datapackage.read(folder)


def test_an_undecodable_byte_is_located_in_a_large_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    body = b"".join(b"r%d,%d\n" % (i, i) for i in range(300_000))
    (folder / "data.csv").write_bytes(b"id,value\n" + body + b"\xff,1\n")
    with pytest.raises(ReadError, match=r"line 300002: byte b'\\xff' is not valid utf-8"):
        datapackage.read(folder)
