"""`cdinterop convert` on the services survey's raw KoboToolbox export: every output passes
the independent oracles, the published values equal a pandas recomputation, and no
suppressed value can be derived from what is published."""

from __future__ import annotations

import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from rdflib import Graph
from typer.testing import CliRunner

import cdinterop
from cdinterop import sdmx
from cdinterop._cli import app
from cdinterop.sdmx._xsd_validation import validate_official, validate_structure_specific

ROOT = Path(__file__).resolve().parents[1]
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1"
KEY = "a-long-secret-key-for-the-tests"
DIMENSIONS = ["REF_AREA", "SEX", "AGE", "DISABILITY_STATUS", "SERVICE"]
runner = CliRunner()


@cache
def _converted(base: str) -> Path:
    out = Path(base) / "services"
    result = runner.invoke(
        app,
        ["convert", str(SUBMISSION), "-m", str(SPEC), "-o", str(out)],
        env={"CDINTEROP_PSEUDONYM_KEY": KEY},
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _converted(str(tmp_path_factory.mktemp("convert")))


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The unit records, through `cdinterop ingest` (the aggregation is what is checked)."""
    folder = tmp_path_factory.mktemp("ingest")
    result = runner.invoke(
        app,
        ["ingest", str(SUBMISSION), "-m", str(SPEC), "-o", str(folder), "--no-datapackage"],
        env={"CDINTEROP_PSEUDONYM_KEY": KEY},
    )
    assert result.exit_code == 0, result.output
    return cdinterop.load(folder / "dataset.json").observations.to_pandas()


def test_outputs_and_summary(out: Path) -> None:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ingest = summary["ingest"]
    assert ingest["rows_read"] == ingest["accepted"] + ingest["filtered"] + ingest["rejected"]
    agg = summary["aggregate"]
    assert (
        agg["cells"]
        == agg["published"]
        + agg["primary_suppressed"]
        + agg["secondary_suppressed"]
        + agg["missing"]
    )
    listed = {f["path"]: f for f in summary["files"]}
    for name in ("dataset.json", "dataset.ttl", "datapackage.zip", "rejects.csv"):
        assert name in listed
    import hashlib

    for path, entry in listed.items():
        data = (out / path).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def test_sdmx_passes_the_xsds_and_pysdmx(out: Path) -> None:
    pysdmx_io = pytest.importorskip("pysdmx.io")
    ds = cdinterop.load(out / "dataset.json")
    folder = out / "sdmx"
    for name, info in sdmx.FORMATS.items():
        path = folder / f"data-{name}{info.extension}"
        if not path.exists() or info.extension == ".json":
            continue  # pysdmx reads no SDMX-JSON data (see tests/sdmx/test_json_data.py)
        if info.extension == ".xml":
            if "-ss" in name:
                errors = validate_structure_specific(path, ds.structure, version=info.sdmx_version)
            else:
                errors = validate_official(path, version=info.sdmx_version)
            assert errors == [], name
        structure = folder / sdmx.STRUCTURE_FILES[info.sdmx_version]
        datasets = pysdmx_io.get_datasets(path, structure)
        assert len(datasets) == 1 and len(datasets[0].data) == len(ds.observations), name


def test_sdmx1_reads_the_structure_and_data(out: Path) -> None:
    import sdmx as sdmx1

    message = sdmx1.read_sdmx(out / "sdmx" / "structure-2.1.xml")
    dsd = next(iter(message.structure.values()))
    data = sdmx1.read_sdmx(out / "sdmx" / "data-ml21-ss.xml", structure=dsd)
    ds = cdinterop.load(out / "dataset.json")
    assert len(data.data[0].obs) == len(ds.observations)


def test_datapackage_passes_frictionless(out: Path, tmp_path: Path) -> None:
    import frictionless

    folder = tmp_path / "package"
    with zipfile.ZipFile(out / "datapackage.zip") as archive:
        archive.extractall(folder)
    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


@pytest.mark.skipif(
    not (SHAPES / "dcat-ap-SHACL.ttl").is_file(), reason=f"DCAT-AP shapes not found at {SHAPES}"
)
def test_dcat_passes_the_dcat_ap_shapes(out: Path) -> None:
    from pyshacl import validate

    data = Graph().parse(out / "dataset.ttl", format="turtle")
    for name in ("dcat-ap-SHACL.ttl", "shapes_recommended.ttl"):
        shapes = Graph().parse(SHAPES / name, format="turtle")
        conforms, _report, text = validate(data, shacl_graph=shapes, inference="none")
        assert conforms, text
    distributions = cdinterop.load(out / "dataset.json").distributions
    assert {str(d.download_url).rsplit("/", 1)[-1] for d in distributions} >= {
        "datapackage.zip",
        "data-ml21-ss.xml",
    }


def test_provenance_chain(out: Path) -> None:
    ds = cdinterop.load(out / "dataset.json")
    kinds = [a.type.value for a in ds.provenance.activities]
    for step in (
        "pseudonymisation",
        "ingestion",
        "aggregation",
        "disclosure_control",
        "conversion",
    ):
        assert step in kinds
    order = [kinds.index(s) for s in ("ingestion", "aggregation", "conversion")]
    assert order == sorted(order)
    [source] = [s for s in ds.provenance.sources if s.title == SUBMISSION.name]
    import hashlib

    assert source.checksum is not None
    assert source.checksum.value == hashlib.sha256(SUBMISSION.read_bytes()).hexdigest()
    assert any(a.kind.value == "software" and a.version for a in ds.provenance.agents)


def _recomputed(units: pd.DataFrame) -> dict[tuple[Any, ...], tuple[float, int]]:
    """Percentage satisfied and interview count of every cell, totals included, by
    pandas group-bys over every subset of the dimensions."""
    from itertools import combinations

    frame = units.copy()
    frame["TIME_PERIOD"] = frame["TIME_PERIOD"].str[:4]
    cells: dict[tuple[Any, ...], tuple[float, int]] = {}
    for r in range(len(DIMENSIONS) + 1):
        for kept in combinations(DIMENSIONS, r):
            grouped = (
                frame.groupby([*kept, "TIME_PERIOD"]) if kept else frame.groupby("TIME_PERIOD")
            )
            stats = grouped["SATISFIED"].agg(["sum", "count"]).reset_index()
            for row in stats.itertuples(index=False):
                values = row._asdict()
                key = tuple(
                    values[d] if d in kept else ("KE" if d == "REF_AREA" else "_T")
                    for d in DIMENSIONS
                )
                cells[(*key, values["TIME_PERIOD"])] = (
                    100 * values["sum"] / values["count"],
                    int(values["count"]),
                )
    return cells


def test_values_equal_a_pandas_recomputation(out: Path, units: pd.DataFrame) -> None:
    published = cdinterop.load(out / "dataset.json").observations.to_pandas()
    expected = _recomputed(units)
    assert len(published) == len(expected)
    checked = 0
    for row in published.itertuples(index=False):
        values = row._asdict()
        value, count = expected[(*(values[d] for d in DIMENSIONS), values["TIME_PERIOD"])]
        if count < 10:
            assert pd.isna(values["OBS_VALUE"]) and values["CONF_STATUS"] == "C"
            continue
        if pd.isna(values["OBS_VALUE"]):
            assert values["CONF_STATUS"] == "C"  # secondary: the same public code
            continue
        assert values["OBS_VALUE"] == pytest.approx(round(value, 1), abs=0.051)
        assert values["SAMPLE_SIZE"] == count
        checked += 1
    assert checked > 100


def test_no_suppressed_count_can_be_derived(out: Path) -> None:
    """For every additive relation (a total and its children along one dimension, the
    other dimensions fixed) of the published interview counts, never exactly one unknown."""
    table = cdinterop.load(out / "dataset.json").observations.to_pandas()
    totals = {d: ("KE" if d == "REF_AREA" else "_T") for d in DIMENSIONS}
    known = {
        tuple(row[d] for d in DIMENSIONS): not pd.isna(row["SAMPLE_SIZE"])
        for row in table.to_dict("records")
    }
    relations = 0
    for key in known:
        for i, dim in enumerate(DIMENSIONS):
            if key[i] != totals[dim]:
                continue
            children = [
                k
                for k in known
                if k[i] != totals[dim] and k[:i] + k[i + 1 :] == key[:i] + key[i + 1 :]
            ]
            if not children:
                continue
            unknown = [not known[key]] + [not known[c] for c in children]
            assert sum(unknown) != 1, (dim, key)
            relations += 1
    assert relations > 100


CARDS = ROOT / "examples" / "marine-litter-ghana" / "data-cards.xlsx"
CARDS_SPEC = ROOT / "mappings" / "beach-data-cards.yaml"
LITTER_KEYS = ["REF_AREA", "BEACH", "LITTER_TYPE", "TIME_PERIOD"]


@pytest.fixture(scope="module")
def litter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The beach data cards through `cdinterop convert` and through `cdinterop ingest`."""
    base = tmp_path_factory.mktemp("litter")
    env = {"CDINTEROP_PSEUDONYM_KEY": KEY}
    out, units = base / "convert", base / "ingest"
    result = runner.invoke(
        app, ["convert", str(CARDS), "-m", str(CARDS_SPEC), "-o", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    args = ["ingest", str(CARDS), "-m", str(CARDS_SPEC), "-o", str(units), "--no-datapackage"]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return out, units


def test_litter_outputs_pass_the_oracles(litter: tuple[Path, Path], tmp_path: Path) -> None:
    import frictionless

    out, _units = litter
    ds = cdinterop.load(out / "dataset.json")
    folder = out / "sdmx"
    assert (
        validate_structure_specific(folder / "data-ml21-ss.xml", ds.structure, version="2.1") == []
    )
    assert validate_official(folder / "data-ml21-generic.xml", version="2.1") == []
    pysdmx_io = pytest.importorskip("pysdmx.io")
    datasets = pysdmx_io.get_datasets(folder / "data-ml30-ss.xml", folder / "structure-3.0.xml")
    assert len(datasets[0].data) == len(ds.observations)
    with zipfile.ZipFile(out / "datapackage.zip") as archive:
        archive.extractall(tmp_path / "package")
    assert frictionless.validate(tmp_path / "package" / "datapackage.json").valid
    if (SHAPES / "dcat-ap-SHACL.ttl").is_file():
        from pyshacl import validate

        data = Graph().parse(out / "dataset.ttl", format="turtle")
        for name in ("dcat-ap-SHACL.ttl", "shapes_recommended.ttl"):
            shapes = Graph().parse(SHAPES / name, format="turtle")
            conforms, _report, text = validate(data, shacl_graph=shapes, inference="none")
            assert conforms, text


def test_litter_values_equal_pandas_and_the_published_example(litter: tuple[Path, Path]) -> None:
    """Items summed per region, beach, category and year with totals, recomputed by pandas
    from the unit records; they also equal the published example's values."""
    out, units_folder = litter
    units = cdinterop.load(units_folder / "dataset.json").observations.to_pandas()
    categories = ["BOTTLE", "SACHET", "BAG", "WRAPPER", "FISHING_GEAR", "OTHER"]
    long = units.melt(
        id_vars=["REF_AREA", "BEACH", "TIME_PERIOD"],
        value_vars=categories,
        var_name="LITTER_TYPE",
        value_name="ITEMS",
    )
    long["TIME_PERIOD"] = long["TIME_PERIOD"].str[:4]
    expected: dict[tuple[str, ...], int] = {}
    for area_total in (False, True):
        for beach_total in (False, True):
            if area_total and not beach_total:
                continue  # no beach detail under the national total
            for type_total in (False, True):
                frame = long.copy()
                if area_total:
                    frame["REF_AREA"] = "GH"
                if beach_total:
                    frame["BEACH"] = "_T"
                if type_total:
                    frame["LITTER_TYPE"] = "_T"
                sums = frame.groupby(LITTER_KEYS)["ITEMS"].sum()
                expected.update({key: int(v) for key, v in sums.items()})
    published = cdinterop.load(out / "dataset.json").observations.to_pandas()
    got = {
        tuple(r[k] for k in LITTER_KEYS): int(r["OBS_VALUE"]) for r in published.to_dict("records")
    }
    assert got == expected
    example = cdinterop.load(ROOT / "examples" / "marine-litter-ghana" / "dataset.json")
    frame = example.observations.to_pandas()
    assert got == {
        tuple(r[k] for k in LITTER_KEYS): int(r["OBS_VALUE"]) for r in frame.to_dict("records")
    }


def test_every_output_carries_the_same_provenance_chain(out: Path, tmp_path: Path) -> None:
    """The SDMX structure message's annotations, the Data Package's cdinterop: properties
    and the DCAT graph each read back to the provenance of dataset.json."""
    from cdinterop import datapackage, dcat

    expected = cdinterop.load(out / "dataset.json").provenance
    for name in ("structure-2.1.xml", "structure-3.0.xml"):
        assert sdmx.read_structure(out / "sdmx" / name).provenance == expected, name
    assert datapackage.read(out / "datapackage.zip").provenance == expected
    assert dcat.read(out / "dataset.ttl").provenance == expected


def test_datapackage_descriptor_meets_the_v2_profile(out: Path) -> None:
    """The descriptor against the official Data Package v2 JSON Schema (dplib-py's copy),
    every $ref resolved locally."""
    import importlib.util

    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    spec = importlib.util.find_spec("dplib")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("dplib-py (the official v2 profiles) is not installed")
    profiles = Path(next(iter(spec.submodule_search_locations))) / "profiles" / "2.0"
    base = "https://datapackage.org/profiles/2.0/"
    names = ["datapackage.json", "dataresource.json", "tableschema.json", "tabledialect.json"]
    loaded = {n: json.loads((profiles / n).read_text(encoding="utf-8")) for n in names}
    registry = Registry().with_resources(
        (base + n, Resource.from_contents(loaded[n], DRAFT7)) for n in names
    )
    with zipfile.ZipFile(out / "datapackage.zip") as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
    validator = Draft7Validator(loaded["datapackage.json"], registry=registry)
    assert [e.message for e in validator.iter_errors(descriptor)] == []


SDG_DSD = ROOT.parent / "shared" / "standards" / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml"


@pytest.mark.skipif(not SDG_DSD.is_file(), reason=f"the SDG DSD is not at {SDG_DSD}")
def test_convert_conforms_to_the_sdg_dsd(tmp_path: Path) -> None:
    """--structure/--conform: the indicators land on the global SDG DSD, and the SDMX
    written validates against the official XSDs and the SDG DSD's own schema."""
    out = tmp_path / "sdg"
    args = ["convert", str(SUBMISSION), "-m", str(SPEC), "-o", str(out), "--to", "sdmx,dcat"]
    args += [
        "--structure",
        str(SDG_DSD),
        "--conform",
        str(ROOT / "mappings" / "services-satisfaction-to-sdg.yaml"),
    ]
    result = runner.invoke(app, args, env={"CDINTEROP_PSEUDONYM_KEY": KEY})
    assert result.exit_code == 0, result.output
    ds = cdinterop.load(out / "dataset.json")
    assert (ds.structure.agency, ds.structure.id) == ("IAEG-SDGs", "SDG")
    assert set(ds.observations.to_pandas()["SERIES"]) == {"SP_PSR_SATIS"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["conform"]["rows_out"] == len(ds.observations)
    assert not (out / "datapackage.zip").exists()  # not asked for
    errors = validate_structure_specific(
        out / "sdmx" / "data-ml21-ss.xml", ds.structure, version="2.1"
    )
    assert errors == []
    kinds = [a.type.value for a in ds.provenance.activities]
    assert kinds.index("aggregation") < kinds.index("conversion")


def test_litter_sdmx1_reads_the_data(litter: tuple[Path, Path]) -> None:
    import sdmx as sdmx1

    out, _units = litter
    message = sdmx1.read_sdmx(out / "sdmx" / "structure-2.1.xml")
    dsd = next(iter(message.structure.values()))
    data = sdmx1.read_sdmx(out / "sdmx" / "data-ml21-ss.xml", structure=dsd)
    assert len(data.data[0].obs) == len(cdinterop.load(out / "dataset.json").observations)


@pytest.mark.parametrize("command", ["convert", "ingest"])
@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (
            [],
            "the pseudonymisation key (privacy.key: env:CDINTEROP_PSEUDONYM_KEY) cannot be used: "
            "environment variable CDINTEROP_PSEUDONYM_KEY",
        ),
        (["--key", "env:CDINTEROP_NO_SUCH_KEY"], "--key env:CDINTEROP_NO_SUCH_KEY"),
        (["--key", "file:no-such-key.txt"], "--key file:no-such-key.txt"),
    ],
)
def test_a_missing_key_is_a_usage_error(
    command: str, option: list[str], expected: str, tmp_path: Path
) -> None:
    """No key: exit 2 with a message naming where it was looked for; no traceback, no
    output folder (a user error, not an internal one)."""
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [command, str(SUBMISSION), "-m", str(SPEC), "-o", str(out), *option],
        env={"CDINTEROP_PSEUDONYM_KEY": None, "COLUMNS": "300"},
    )
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not out.exists()


def test_structures_read_after_sdmx1_read_structure_specific_data(out: Path) -> None:
    """sdmx1 2.28 registers the namespaces of structure-specific data it reads in a
    class-level table, which broke its 3.0 reader's import afterwards; reading a structure
    with cdinterop must work in such a process (fresh, so the 3.0 reader is not loaded)."""
    import subprocess
    import sys

    code = (
        "import sys, sdmx as sdmx1; from pathlib import Path; from cdinterop import sdmx; "
        "d = Path(sys.argv[1]); "
        "m = sdmx1.read_sdmx(d / 'structure-2.1.xml'); dsd = next(iter(m.structure.values())); "
        "sdmx1.read_sdmx(d / 'data-ml21-ss.xml', structure=dsd); "
        "print(sdmx.read_structure(d / 'structure-3.0.xml').id)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(out / "sdmx")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == cdinterop.load(out / "dataset.json").id
