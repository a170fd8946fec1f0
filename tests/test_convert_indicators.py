"""A count and a proportion for the same cells in one run (issue 16.2): the shipped spec
mappings/services-survey-kobo-indicators.yaml publishes the interviews and the proportion
satisfied of every cell as two series; both equal a pandas recomputation from the unit
records, suppression is one decision per cell, and the outputs pass the oracles."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app
from cdinterop.sdmx._xsd_validation import validate_official, validate_structure_specific

ROOT = Path(__file__).resolve().parents[1]
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo-indicators.yaml"
BASE_SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
KEY = "a-long-secret-key-for-the-tests"
DIMENSIONS = ["REF_AREA", "SEX", "AGE", "DISABILITY_STATUS", "SERVICE"]
THRESHOLD = 10
runner = CliRunner()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("indicators") / "out"
    result = runner.invoke(
        app,
        ["convert", str(SUBMISSION), "-m", str(SPEC), "-o", str(folder)],
        env={"CDINTEROP_PSEUDONYM_KEY": KEY},
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def published(out: Path) -> pd.DataFrame:
    return cdinterop.load(out / "dataset.json").observations.to_pandas()


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The unit records through `cdinterop ingest` with the spec it extends."""
    folder = tmp_path_factory.mktemp("units")
    args = ["ingest", str(SUBMISSION), "-m", str(BASE_SPEC), "-o", str(folder), "--no-datapackage"]
    result = runner.invoke(app, args, env={"CDINTEROP_PSEUDONYM_KEY": KEY})
    assert result.exit_code == 0, result.output
    return cdinterop.load(folder / "dataset.json").observations.to_pandas()


def _expected(units: pd.DataFrame) -> dict[tuple[Any, ...], tuple[int, float]]:
    """Per cell, totals included: the interviews and the percentage satisfied, by pandas."""
    frame = units.assign(TIME_PERIOD=units["TIME_PERIOD"].str[:4])
    cells: dict[tuple[Any, ...], tuple[int, float]] = {}
    for r in range(len(DIMENSIONS) + 1):
        for kept in combinations(DIMENSIONS, r):
            stats = frame.groupby([*kept, "TIME_PERIOD"])["SATISFIED"].agg(["sum", "count"])
            for index, row in stats.iterrows():
                index = index if isinstance(index, tuple) else (index,)
                values = dict(zip([*kept, "TIME_PERIOD"], index, strict=True))
                totals = [values.get(d, "KE" if d == "REF_AREA" else "_T") for d in DIMENSIONS]
                key = (*totals, values["TIME_PERIOD"])
                cells[key] = (int(row["count"]), 100 * row["sum"] / row["count"])
    return cells


def test_both_series_equal_a_pandas_recomputation(
    published: pd.DataFrame, units: pd.DataFrame
) -> None:
    expected = _expected(units)
    series = published.groupby("SERIES")
    assert set(series.groups) == {"INTERVIEWS", "SATISFIED_SHARE"}
    assert all(len(rows) == len(expected) for _, rows in series)  # every cell in each series
    checked = 0
    for row in published.itertuples(index=False):
        values = row._asdict()
        count, share = expected[(*(values[d] for d in DIMENSIONS), values["TIME_PERIOD"])]
        if pd.isna(values["OBS_VALUE"]):
            assert values["CONF_STATUS"] == "C"  # one public code, primary or secondary
            continue
        assert count >= THRESHOLD
        if values["SERIES"] == "INTERVIEWS":
            assert values["OBS_VALUE"] == count and values["UNIT_MEASURE"] == "NUMBER"
        else:
            assert values["OBS_VALUE"] == pytest.approx(round(share, 1), abs=0.051)
            assert values["UNIT_MEASURE"] == "PT"
        assert values["SAMPLE_SIZE"] == count
        checked += 1
    assert checked > 200


def test_suppression_agrees_across_the_two_series(published: pd.DataFrame) -> None:
    key = [*DIMENSIONS, "TIME_PERIOD"]
    status = published.pivot_table(
        index=key, columns="SERIES", values="CONF_STATUS", aggfunc="first"
    )
    assert (status["INTERVIEWS"] == status["SATISFIED_SHARE"]).all()
    assert set(status["INTERVIEWS"]) == {"C", "F"}


def test_the_proportions_equal_the_single_indicator_run(
    published: pd.DataFrame, tmp_path: Path
) -> None:
    """The proportions of this spec are those of the shipped single-indicator spec, cell for
    cell, suppression included: one run gives what two runs gave."""
    out = tmp_path / "single"
    result = runner.invoke(
        app,
        ["convert", str(SUBMISSION), "-m", str(BASE_SPEC), "-o", str(out), "--to", "datapackage"],
        env={"CDINTEROP_PSEUDONYM_KEY": KEY},
    )
    assert result.exit_code == 0, result.output
    single = cdinterop.load(out / "dataset.json").observations.to_pandas()
    key = [*DIMENSIONS, "TIME_PERIOD"]
    share = published[published["SERIES"] == "SATISFIED_SHARE"].set_index(key).sort_index()
    single = single.set_index(key).sort_index()
    assert share.index.equals(single.index)
    assert share["CONF_STATUS"].equals(single["CONF_STATUS"])
    pd.testing.assert_series_equal(
        share["OBS_VALUE"].astype(float), single["OBS_VALUE"].astype(float)
    )


def test_outputs_pass_the_oracles(out: Path) -> None:
    ds = cdinterop.load(out / "dataset.json")
    folder = out / "sdmx"
    assert (
        validate_structure_specific(folder / "data-ml21-ss.xml", ds.structure, version="2.1") == []
    )
    assert validate_official(folder / "structure-2.1.xml", version="2.1") == []
    assert (
        validate_structure_specific(folder / "data-ml30-ss.xml", ds.structure, version="3.0") == []
    )
    assert validate_official(folder / "data-ml21-generic.xml", version="2.1") == []
    pysdmx_io = pytest.importorskip("pysdmx.io")
    datasets = pysdmx_io.get_datasets(folder / "data-ml30-ss.xml", folder / "structure-3.0.xml")
    assert len(datasets[0].data) == len(ds.observations)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    agg = summary["aggregate"]
    assert agg["indicators"] == 2 and agg["observations"] == 2 * agg["cells"] == len(
        ds.observations
    )
    withheld = agg["primary_suppressed"] + agg["secondary_suppressed"]
    assert agg["cells_published"] == agg["cells"] - withheld  # nothing without a value here
    assert agg["published"] == 2 * agg["cells_published"]
