"""Data Packages published by others (``../shared/real-world/datapackage/``): every package
reads, with every row (counted with the csv module, not with cdinterop), unique ids, its
licence recognised and its version kept as its exact text; cdinterop's own round trip keeps
the model; what cdinterop writes from it passes frictionless, the official v2 profiles and,
as DCAT, the official DCAT-AP 3.0.1 shapes. (A Data Package has no blank nodes and no
distributions: those checks are the DCAT tests'.)"""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import frictionless
import pytest
from rdflib import RDF, BNode, Graph, Namespace

from cdinterop import datapackage, dcat
from cdinterop.model import CitizenDataset
from cdinterop.model._base import VERSION_PATTERN

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "real-world" / "datapackage"
SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
DESCRIPTORS = ("datapackage.json", "datapackage.yaml", "datapackage.yml")
PACKAGES = (
    sorted(p.parent for name in DESCRIPTORS for p in REAL.rglob(name)) if REAL.is_dir() else [REAL]
)
SH = Namespace("http://www.w3.org/ns/shacl#")


def _name(path: Path) -> str:
    return path.name


def _descriptor(folder: Path) -> dict[str, Any]:
    if not REAL.is_dir():
        pytest.skip(f"real-world Data Packages not found at {REAL}")
    path = next(folder / n for n in DESCRIPTORS if (folder / n).is_file())
    if path.suffix == ".json":
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    import yaml

    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _tables(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in descriptor["resources"] if "schema" in r or r.get("type") == "table"]


def _resource(descriptor: dict[str, Any]) -> str | None:
    """The table to read: the only one, else ``observations`` (else every package here
    would need a name, which the test then fails on)."""
    tables = _tables(descriptor)
    return None if len(tables) == 1 else "observations"


@cache
def _read(folder: Path) -> CitizenDataset:
    return datapackage.read(folder, resource=_resource(_descriptor(folder)))


@pytest.mark.parametrize("folder", PACKAGES, ids=_name)
def test_every_package_reads_every_row(folder: Path) -> None:
    descriptor = _descriptor(folder)
    ds = _read(folder)
    wanted = _resource(descriptor)
    table = next(r for r in _tables(descriptor) if wanted is None or r["name"] == wanted)
    dialect = table.get("dialect") if isinstance(table.get("dialect"), dict) else {}
    path = folder / table["path"]
    with path.open(encoding=table.get("encoding", "utf-8-sig"), newline="") as handle:
        reader = csv.reader(handle, delimiter=dialect.get("delimiter", ","))
        rows = sum(1 for row in reader if row) - 1  # the header
    assert len(ds.observations) == rows
    assert datapackage.check_package(folder, resource=wanted) == []


@pytest.mark.parametrize("folder", PACKAGES, ids=_name)
def test_ids_are_unique(folder: Path) -> None:
    ds = _read(folder)
    for kind, ids in (
        ("columns", list(ds.structure.column_ids)),
        ("concepts", [c.id for c in ds.structure.concepts]),
        ("codelists", [c.id for c in ds.structure.codelists]),
        ("agents", [a.id for a in ds.provenance.agents]),
        ("sources", [s.id for s in ds.provenance.sources]),
        ("activities", [a.id for a in ds.provenance.activities]),
    ):
        assert len(set(ids)) == len(ids), (kind, ids)


@pytest.mark.parametrize("folder", PACKAGES, ids=_name)
def test_licence_and_version_as_given(folder: Path) -> None:
    descriptor = _descriptor(folder)
    ds = _read(folder)
    if descriptor.get("licenses"):
        assert ds.licence is not None, descriptor["licenses"]
    version = descriptor.get("version")
    source = ds.provenance.sources[-1]
    assert source.id == "DATAPACKAGE"
    assert source.version == version  # the exact text, whatever it is
    if isinstance(version, str) and re.match(VERSION_PATTERN, version):
        assert ds.version == version
    elif version is not None:
        # not an SDMX version (2023-03-30): never mangled (2023.0), and the reading is noted
        assert ds.version in ("1.0", re.sub(r"^v", "", str(version)).split("-")[0])
        assert str(version) in str(ds.provenance.activities[-1].parameters["version"])


@pytest.mark.parametrize("folder", PACKAGES, ids=_name)
def test_round_trip_through_cdinterop(folder: Path, tmp_path: Path) -> None:
    ds = _read(folder)
    for target in (tmp_path / "pkg", tmp_path / "pkg.zip"):
        assert datapackage.read(datapackage.write(ds, target)) == ds
    assert dcat.from_graph(dcat.to_graph(ds)) == ds.replace(observations=[])


@pytest.mark.parametrize("folder", PACKAGES, ids=_name)
def test_what_cdinterop_writes_passes_the_oracles(
    folder: Path, tmp_path: Path, assert_v2_valid: Any
) -> None:
    written = datapackage.write(_read(folder), tmp_path / "pkg")
    report = frictionless.validate(str(written / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    descriptor = json.loads((written / "datapackage.json").read_text(encoding="utf-8"))
    assert_v2_valid(descriptor)


@cache
def _shapes() -> Graph:
    if not SHAPES.is_file():
        pytest.skip(f"official DCAT-AP 3.0.1 shapes not found at {SHAPES}")
    return Graph().parse(SHAPES, format="turtle")


@pytest.mark.parametrize("folder", PACKAGES, ids=_name)
def test_its_dcat_description_conforms(folder: Path) -> None:
    from pyshacl import validate

    graph = dcat.to_graph(_read(folder))
    assert not [n for triple in graph for n in triple if isinstance(n, BNode)]
    _conforms, report, text = validate(
        graph, shacl_graph=_shapes(), inference="none", advanced=True
    )
    assert isinstance(report, Graph)
    violations = [
        r
        for r in report.subjects(RDF.type, SH.ValidationResult)
        if (r, SH.resultSeverity, SH.Violation) in report
    ]
    assert violations == [], text


def test_the_folder_is_covered() -> None:
    """Every file of the folder belongs to a package above: its descriptor or a resource."""
    if not REAL.is_dir():
        pytest.skip(f"real-world Data Packages not found at {REAL}")
    covered = set()
    for folder in PACKAGES:
        descriptor = _descriptor(folder)
        covered |= {folder / n for n in DESCRIPTORS if (folder / n).is_file()}
        covered |= {folder / r["path"] for r in descriptor["resources"] if "path" in r}
    files = {p for p in REAL.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert files <= {p.resolve() for p in covered} | covered, files - covered
