"""Malformed packages get clear errors; nothing outside a package is read or written;
check_package reports every problem; writes are atomic."""

from __future__ import annotations

import json
import os
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import cdinterop
from cdinterop import datapackage
from cdinterop.errors import InvalidDatasetError, ReadError, WriteError
from cdinterop.model import CitizenDataset

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "datapackage"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())
EXAMPLE = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus(name: str) -> None:
    expected = EXPECTED[name]
    path = CORPUS / name
    if expected["error"] == "ok":
        ds = datapackage.read(path)
        assert len(ds.observations) > 0
        assert datapackage.check_package(path) == []
        return
    if expected["error"] == "read":
        with pytest.raises(ReadError) as read_info:
            datapackage.read(path)
        assert expected["message"] in read_info.value.reason
        try:
            issues = datapackage.check_package(path)
        except ReadError as exc:  # the package cannot be opened at all
            assert expected["message"] in exc.reason
        else:
            assert any(expected["message"] in i.message for i in issues), issues
        return
    with pytest.raises(InvalidDatasetError) as info:
        datapackage.read(path)
    found = [[i.location, i.code] for i in info.value.issues]
    checked = [[i.location, i.code] for i in datapackage.check_package(path)]
    for want in expected["issues"]:
        assert want in found, f"{want} not in {found}"
        assert want in checked, f"{want} not in {checked}"


def test_every_corpus_case_is_listed() -> None:
    cases = {p.name for p in CORPUS.iterdir() if p.name not in ("expected.json", "make_corpus.py")}
    assert cases == set(EXPECTED)


def test_latin1_is_decoded() -> None:
    ds = datapackage.read(CORPUS / "valid-latin1")
    assert ds.observations.to_records()[0]["COMMENT"] == "Café"
    assert datapackage.read(CORPUS / "valid-bom") == datapackage.read(CORPUS / "valid")


# -- nothing outside the package is read ------------------------------------------------

_OPENED: list[str] = []
_WATCHING = [False]


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _WATCHING[0] and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@contextmanager
def _watch_opens() -> Iterator[list[str]]:
    """Record every file Python opens meanwhile (audit events: open(), os.open ...)."""
    _OPENED.clear()
    _WATCHING[0] = True
    try:
        yield _OPENED
    finally:
        _WATCHING[0] = False


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("SEX,TIME_PERIOD,OBS_VALUE,COMMENT\nF,2023,1,TOP-SECRET\n", "utf-8")
    return secret


def _plain_with_path(folder: Path, path: str) -> Path:
    descriptor = json.loads((CORPUS / "valid" / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["path"] = path
    folder.mkdir(parents=True)
    (folder / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    return folder


@pytest.mark.parametrize("kind", ["relative", "absolute", "file-url"])
def test_paths_out_of_the_package_are_never_opened(tmp_path: Path, kind: str) -> None:
    secret = _outside(tmp_path)
    path = {
        "relative": "../outside/secret.csv",
        "absolute": str(secret),
        "file-url": secret.as_uri(),
    }[kind]
    folder = _plain_with_path(tmp_path / "pkg", path)
    with _watch_opens() as opened:
        with pytest.raises(ReadError) as info:
            datapackage.read(folder)
        issues = datapackage.check_package(folder)
    assert "TOP-SECRET" not in str(info.value)
    assert issues and all("TOP-SECRET" not in str(i) for i in issues)
    assert str(secret) not in opened
    assert not [p for p in opened if "outside" in p]


def test_symlink_out_of_the_package_is_refused(tmp_path: Path) -> None:
    secret = _outside(tmp_path)
    folder = _plain_with_path(tmp_path / "pkg", "observations.csv")
    try:
        (folder / "observations.csv").symlink_to(secret)
        (folder / "sub").symlink_to(secret.parent, target_is_directory=True)
    except OSError:
        pytest.skip("symbolic links are not available here")
    with _watch_opens() as opened, pytest.raises(ReadError, match="leads outside the package"):
        datapackage.read(folder)
    assert str(secret) not in opened
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["path"] = "sub/secret.csv"
    (folder / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    with pytest.raises(ReadError, match="leads outside the package"):
        datapackage.read(folder)


def test_symlink_inside_the_package_is_followed(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "datapackage.json").write_bytes((CORPUS / "valid" / "datapackage.json").read_bytes())
    (folder / "real.csv").write_bytes((CORPUS / "valid" / "observations.csv").read_bytes())
    try:
        (folder / "observations.csv").symlink_to("real.csv")
    except OSError:
        pytest.skip("symbolic links are not available here")
    assert len(datapackage.read(folder).observations) == 2


def test_zip_is_never_extracted(tmp_path: Path) -> None:
    archive = tmp_path / "slip.zip"
    archive.write_bytes((CORPUS / "zip-slip.zip").read_bytes())
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    with pytest.raises(ReadError, match="unsafe name"):
        datapackage.read(archive)
    with zipfile.ZipFile(CORPUS / "valid.zip") as zf:
        names = zf.namelist()
    (tmp_path / "ok.zip").write_bytes((CORPUS / "valid.zip").read_bytes())
    assert len(datapackage.read(tmp_path / "ok.zip").observations) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.zip", "slip.zip"]
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    assert "observations.csv" in names


def test_sources_that_are_not_packages(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no such file"):
        datapackage.read(tmp_path / "nothing")
    with pytest.raises(ReadError, match=r"no datapackage\.json"):
        datapackage.read(tmp_path)
    (tmp_path / "fake.zip").write_bytes(b"not a zip")
    with pytest.raises(ReadError, match="not a readable zip"):
        datapackage.read(tmp_path / "fake.zip")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(ReadError, match=r"no datapackage\.json"):
        datapackage.read(empty)


# -- check_package ----------------------------------------------------------------------


def test_check_package_reports_everything(tmp_path: Path) -> None:
    ds = cdinterop.load(EXAMPLE)
    folder = datapackage.write(ds, tmp_path / "pkg")
    assert datapackage.check_package(folder) == []
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    descriptor["contributors"][0]["roles"] = "creator"  # v2 profile violation
    descriptor["resources"][1]["path"] = "../elsewhere.csv"  # unsafe path of a codelist
    (folder / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    csv = folder / "observations.csv"
    lines = csv.read_text("utf-8").splitlines()
    lines[1] = lines[1].replace(",_T,BAG,", ",NOWHERE,BAG,", 1)  # unknown code
    lines[2] = lines[2].replace(",4745,", ",many,", 1)  # wrong type
    csv.write_text("\n".join(lines) + "\n", "utf-8")
    issues = datapackage.check_package(folder)
    found = {(i.location, i.code) for i in issues}
    assert ("descriptor.contributors[0].roles", "datapackage-profile") in found
    assert ("resources[1].path", "read-error") in found
    assert ("resources[0].hash", "hash-mismatch") in found
    assert ("observations[0].BEACH", "unknown-code") in found
    assert ("observations[1].OBS_VALUE", "wrong-type") in found
    wrong = next(i for i in issues if i.code == "wrong-type")
    assert (wrong.row, wrong.component, wrong.value) == (1, "OBS_VALUE", "many")


# -- atomic writes ----------------------------------------------------------------------


def test_write_refuses_to_replace_other_things(tmp_path: Path) -> None:
    ds = cdinterop.load(EXAMPLE)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me", "utf-8")
    with pytest.raises(WriteError, match="not a Data Package"):
        datapackage.write(ds, precious)
    assert [p.name for p in precious.iterdir()] == ["thesis.txt"]
    (tmp_path / "file").write_text("x", "utf-8")
    with pytest.raises(WriteError, match="a file of that name exists"):
        datapackage.write(ds, tmp_path / "file")
    (tmp_path / "taken.zip").mkdir()
    with pytest.raises(WriteError, match="a folder of that name exists"):
        datapackage.write(ds, tmp_path / "taken.zip")


def test_write_replaces_a_package_and_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = cdinterop.load(EXAMPLE)
    target = datapackage.write(ds, tmp_path / "pkg")
    smaller = ds.replace(observations=ds.observations.to_records()[:3])
    assert datapackage.read(datapackage.write(smaller, target)) == smaller
    datapackage.write(ds, tmp_path / "pkg.zip")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(datapackage, "write_observations", broken)
    for name in ("pkg", "pkg.zip"):
        with pytest.raises(WriteError, match="No space left"):
            datapackage.write(ds, tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg", "pkg.zip"]  # no leftovers
    assert datapackage.read(tmp_path / "pkg") == smaller
    assert datapackage.read(tmp_path / "pkg.zip") == ds


def test_write_into_an_empty_folder(tmp_path: Path, dataset: CitizenDataset) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert datapackage.read(datapackage.write(dataset, target)) == dataset
