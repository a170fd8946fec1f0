"""read_benchmark(): long CSVs with totals, cross-tables, SDMX messages, located errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cdinterop import sdmx
from cdinterop.errors import ReadError
from cdinterop.fitness import read_benchmark
from cdinterop.model import CitizenDataset, Observations

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "public-services-satisfaction" / "population-margins.csv"

MARGIN_ROWS = """REF_AREA,SEX,OBS_VALUE
KE-30,_T,300
KE-17,_T,200
_T,F,260
_T,M,240
_T,_T,500
"""


def write(tmp_path: Path, text: str, name: str = "margins.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_margins_from_total_rows(tmp_path: Path) -> None:
    bench = read_benchmark(write(tmp_path, MARGIN_ROWS))
    assert bench.margins == {
        "REF_AREA": {"KE-30": 300.0, "KE-17": 200.0},
        "SEX": {"F": 260.0, "M": 240.0},
    }
    assert bench.joint is None
    assert bench.total == 500.0
    assert bench.dimensions == ("REF_AREA", "SEX")
    assert bench.source.endswith("margins.csv")


def test_the_example_cross_table_against_pandas() -> None:
    bench = read_benchmark(EXAMPLE)
    frame = pd.read_csv(EXAMPLE, dtype={"REF_AREA": str, "SEX": str, "AGE": str})
    for dim in ("REF_AREA", "SEX", "AGE"):
        assert bench.margins[dim] == frame.groupby(dim, sort=False)["OBS_VALUE"].sum().to_dict()
    assert bench.joint is not None
    assert bench.joint.column_names == ["REF_AREA", "SEX", "AGE", "count"]
    assert bench.joint.num_rows == len(frame)
    assert sum(bench.joint.column("count").to_pylist()) == frame["OBS_VALUE"].sum()


def test_cross_table_and_margins_together(tmp_path: Path) -> None:
    text = MARGIN_ROWS + "KE-30,F,160\nKE-30,M,140\nKE-17,F,100\nKE-17,M,100\n"
    bench = read_benchmark(write(tmp_path, text))
    assert bench.joint is not None and bench.joint.num_rows == 4
    bad = MARGIN_ROWS + "KE-30,F,170\nKE-30,M,140\nKE-17,F,100\nKE-17,M,100\n"
    with pytest.raises(
        ReadError, match=r"row 2, REF_AREA=KE-30: the cells .* add up to 310, the margin says 300"
    ):
        read_benchmark(write(tmp_path, bad))


def test_chosen_dimensions_value_column_and_totals(tmp_path: Path) -> None:
    text = "AREA;SEX;FREQ;POP\nA;ALL;Y;10\nB;ALL;Y;30\nALL;F;Y;22\nALL;M;Y;18\n".replace(";", ",")
    path = write(tmp_path, text)
    bench = read_benchmark(path, value="POP", totals=("ALL",))
    assert bench.dimensions == ("AREA", "SEX")  # FREQ holds one code: left out
    only = read_benchmark(path, value="POP", totals=("ALL",), dimensions=["AREA", "SEX"])
    assert only.margins == bench.margins


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("REF_AREA,OBS_VALUE\nKE-30,-4\n", r"row 2, column OBS_VALUE: negative count -4"),
        (
            "REF_AREA,OBS_VALUE\nKE-30,12\nKE-17,many\n",
            r"row 3, column OBS_VALUE: 'many' is not a number",
        ),
        ("REF_AREA,OBS_VALUE\nKE-30,\n", r"row 2, column OBS_VALUE: '' is not a number"),
        (
            "REF_AREA,OBS_VALUE\nKE-30,nan\n",
            r"row 2, column OBS_VALUE: 'nan' is not a finite number",
        ),
        (
            "REF_AREA,OBS_VALUE\nKE-30,1\nKE-30,2\n",
            r"row 3: the same cell as row 2 \(REF_AREA=KE-30\)",
        ),
        ("REF_AREA,OBS_VALUE\n,1\n", r"row 2, column REF_AREA: empty code"),
        ("REF_AREA,COUNT\nKE-30,1\n", r"no value column 'OBS_VALUE'"),
        ("REF_AREA,OBS_VALUE\nKE-30,1,3\n", r"row 2: 3 fields where the header has 2"),
        (
            "REF_AREA,SEX,OBS_VALUE\nKE-30,_T,5\n_T,F,3\n_T,M,3\n",
            r"the SEX margin adds up to 6, the REF_AREA margin to 5",
        ),
        (
            MARGIN_ROWS.replace("_T,_T,500", "_T,_T,501"),
            r"REF_AREA margin adds up to 500, the grand total \(row 6\) to 501",
        ),
        ("A,B,C,OBS_VALUE\na1,_T,_T,5\n_T,b1,c1,5\n_T,b2,c2,0\n", r"no margin for dimension B"),
    ],
)
def test_located_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ReadError, match=message) as info:
        read_benchmark(path)
    assert str(path) in str(info.value)


def test_unknown_dimension_and_tolerance(tmp_path: Path) -> None:
    path = write(tmp_path, MARGIN_ROWS)
    with pytest.raises(
        ReadError, match=r"unknown dimension 'AGE' \(columns: REF_AREA, SEX, OBS_VALUE\)"
    ):
        read_benchmark(path, dimensions=["REF_AREA", "AGE"])
    rounded = write(tmp_path, MARGIN_ROWS.replace("_T,F,260", "_T,F,261"), "rounded.csv")
    with pytest.raises(ReadError, match="tolerance 1e-06"):
        read_benchmark(rounded)
    assert read_benchmark(rounded, tolerance=0.01).margins["SEX"]["F"] == 261.0


def sdmx_dataset(dataset: CitizenDataset) -> CitizenDataset:
    base: dict[str, Any] = {
        "FREQ": "A",
        "TIME_PERIOD": "2023",
        "UNIT_MEASURE": "PERSONS",
        "OBS_STATUS": "A",
    }
    cells = [("GH", "F", 10.0), ("GH", "M", 12.0), ("KE", "F", 20.0), ("KE", "M", 18.0)]
    rows = [{**base, "REF_AREA": a, "SEX": s, "OBS_VALUE": v} for a, s, v in cells]
    rows += [{**base, "REF_AREA": "GH", "SEX": "_T", "OBS_VALUE": 22.0}]
    rows += [{**base, "REF_AREA": "KE", "SEX": "_T", "OBS_VALUE": 38.0}]
    return dataset.model_copy(update={"observations": Observations.from_records(rows)})


@pytest.mark.parametrize(("fmt", "name"), [("ml21-ss", "pop.xml"), ("csv20", "pop.csv")])
def test_sdmx_messages(tmp_path: Path, dataset: CitizenDataset, fmt: str, name: str) -> None:
    data = sdmx_dataset(dataset)
    path = tmp_path / name
    sdmx.write(data, path, format=fmt)
    bench = read_benchmark(path, structure=data)
    assert bench.dimensions == ("SEX", "REF_AREA")  # FREQ holds one code
    assert bench.margins == {"SEX": {"F": 30.0, "M": 30.0}, "REF_AREA": {"GH": 22.0, "KE": 38.0}}
    assert bench.joint is not None and bench.joint.num_rows == 4
