"""Reading SDMX produced by other tools: pysdmx writes the example in every format it has,
and cdinterop reads each file back to the very same data set, given the structure."""

from pathlib import Path

import pytest

import cdinterop
from cdinterop import sdmx

pysdmx_io = pytest.importorskip("pysdmx.io")
from pysdmx.io.format import Format  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PYSDMX_FORMATS = [
    "DATA_SDMX_ML_2_1_STR",
    "DATA_SDMX_ML_2_1_STRTS",
    "DATA_SDMX_ML_2_1_GENTS",
    "DATA_SDMX_ML_3_0",
    "DATA_SDMX_CSV_1_0_0",
    "DATA_SDMX_CSV_2_0_0",
]


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> tuple[cdinterop.CitizenDataset, Path]:
    ds = cdinterop.load(EXAMPLES / "public-services-satisfaction" / "dataset.json")
    folder = tmp_path_factory.mktemp("ours")
    sdmx.write_all(ds, folder, formats=["ml21-ss"])
    return ds, folder


@pytest.mark.parametrize("fmt", PYSDMX_FORMATS)
def test_files_written_by_pysdmx_read_back_exactly(
    ours: tuple[cdinterop.CitizenDataset, Path], fmt: str, tmp_path: Path
) -> None:
    ds, folder = ours
    structure = folder / "structure-2.1.xml"
    datasets = pysdmx_io.get_datasets(folder / "data-ml21-ss.xml", structure)
    options = {}
    if fmt.endswith("TS"):
        options["dimension_at_observation"] = {datasets[0].short_urn: "TIME_PERIOD"}
    target = tmp_path / f"{fmt}.data"
    pysdmx_io.write_sdmx(datasets, Format[fmt], output_path=str(target), **options)
    assert sdmx.read(target, structure=structure) == ds
