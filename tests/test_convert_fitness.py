"""Bounds and weights through `cdinterop convert` (issue 17.3): the services example has a
95% interval on every published proportion in its SDMX (read by sdmx1 and pysdmx), Data
Package and DCAT outputs; the weighted spec rakes to the county, sex and age margins and
reports representativeness, weighting and the report."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app

ROOT = Path(__file__).resolve().parents[1]
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
WEIGHTED = ROOT / "mappings" / "services-survey-kobo-weighted.yaml"
MARGINS = ROOT / "examples" / "public-services-satisfaction" / "population-margins.csv"
KEY = "a-long-secret-key-for-the-tests"
STAT = Namespace("http://data.europa.eu/m8g/")  # StatDCAT-AP
runner = CliRunner()


def _convert(spec: Path, out: Path) -> Path:
    result = runner.invoke(
        app,
        ["convert", str(SUBMISSION), "-m", str(spec), "-o", str(out)],
        env={"CDINTEROP_PSEUDONYM_KEY": KEY},
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _convert(SPEC, tmp_path_factory.mktemp("bounds") / "out")


@pytest.fixture(scope="module")
def weighted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _convert(WEIGHTED, tmp_path_factory.mktemp("weighted") / "out")


def _published(out: Path) -> int:
    """The cells published, as the run's summary counts them (a few hundred)."""
    published = int(json.loads((out / "summary.json").read_text())["aggregate"]["published"])
    assert 150 < published < 833
    return published


def test_every_published_proportion_has_bounds(out: Path) -> None:
    table = cdinterop.load(out / "dataset.json").observations.to_pandas()
    published = table[table["OBS_VALUE"].notna()]
    assert len(published) == _published(out)
    assert published["LOWER_BOUND"].notna().all() and published["UPPER_BOUND"].notna().all()
    assert (published["LOWER_BOUND"] <= published["OBS_VALUE"]).all()
    assert (published["OBS_VALUE"] <= published["UPPER_BOUND"]).all()
    suppressed = table[table["OBS_VALUE"].isna()]
    assert suppressed["LOWER_BOUND"].isna().all()


def test_sdmx1_and_pysdmx_read_the_bounds(out: Path) -> None:
    import sdmx as sdmx1

    message = sdmx1.read_sdmx(out / "sdmx" / "structure-2.1.xml")
    dsd = next(iter(message.structure.values()))
    data = sdmx1.read_sdmx(out / "sdmx" / "data-ml21-ss.xml", structure=dsd)
    with_value = [o for o in data.data[0].obs if o.value is not None and o.value == o.value]
    assert len(with_value) == _published(out)
    for obs in with_value:
        low = float(obs.attached_attribute["LOWER_BOUND"].value)
        high = float(obs.attached_attribute["UPPER_BOUND"].value)
        assert low <= float(obs.value) <= high
    pysdmx_io = pytest.importorskip("pysdmx.io")
    frame = pysdmx_io.get_datasets(
        out / "sdmx" / "data-ml30-ss.xml", out / "sdmx" / "structure-3.0.xml"
    )[0].data
    values = frame[frame["OBS_VALUE"].notna() & (frame["OBS_VALUE"].astype(str) != "")]
    assert len(values) == _published(out)
    assert values["LOWER_BOUND"].astype(float).le(values["OBS_VALUE"].astype(float)).all()


def test_the_data_package_carries_the_bounds(out: Path) -> None:
    with zipfile.ZipFile(out / "datapackage.zip") as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        resource = next(r for r in descriptor["resources"] if r["name"] == "observations")
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        assert fields["LOWER_BOUND"]["type"] == "number"
        rows = list(csv.DictReader(io.TextIOWrapper(archive.open(resource["path"]), "utf-8")))
    published = [r for r in rows if r["OBS_VALUE"] != ""]
    assert len(published) == _published(out)
    assert all(float(r["LOWER_BOUND"]) <= float(r["OBS_VALUE"]) for r in published)


def test_dcat_lists_the_bound_attributes(out: Path) -> None:
    graph = Graph().parse(out / "dataset.ttl", format="turtle")
    attributes = {str(o) for o in graph.objects(None, STAT.attribute)}
    assert any(a.endswith("LOWER_BOUND") for a in attributes), attributes
    assert any(a.endswith("UPPER_BOUND") for a in attributes), attributes


def test_the_weighted_run_reaches_the_margins_and_reports(weighted: Path) -> None:
    import pandas as pd

    summary = json.loads((weighted / "summary.json").read_text(encoding="utf-8"))
    raking = summary["weighting"]
    assert raking["converged"] and raking["margins"] == ["REF_AREA", "SEX", "AGE"]
    assert raking["design_effect"] > 1 and raking["effective_sample_size"] < 958
    representativeness = summary["representativeness"]
    assert representativeness["benchmark"] == MARGINS.name
    for dimension in ("REF_AREA", "SEX", "AGE"):
        after = representativeness["weighted"]["dimensions"][dimension]
        assert after["total_variation"] == pytest.approx(0.0, abs=1e-9)
    # the weighted national count of each county is the benchmark's (pandas on the CSV)
    margins = pd.read_csv(MARGINS).groupby("REF_AREA")["OBS_VALUE"].sum()
    groups = representativeness["weighted"]["dimensions"]["REF_AREA"]["groups"]
    for group in groups:
        assert group["sample"] == pytest.approx(margins[group["code"]], rel=1e-9)
    # the unweighted sample is far from the population in the counties (Nairobi under)
    before = {g["code"]: g for g in representativeness["dimensions"]["REF_AREA"]["groups"]}
    assert before["KE-30"]["difference"] < -0.2
    table = cdinterop.load(weighted / "dataset.json").observations.to_pandas()
    published = table[table["OBS_VALUE"].notna()]
    assert published["LOWER_BOUND"].notna().all()
    html = (weighted / "report.html").read_text(encoding="utf-8")
    assert "population-margins.csv" in html and "report.html" not in summary.get("outputs", [])
    assert html.count('data-field="weighted_total_variation"') == 3
    cv = representativeness["propensity_cv"]
    assert 0 < cv < 2 and f'data-value="{cv!r}"' in html
    listed = {f["path"] for f in summary["files"]}
    assert "report.html" in listed
