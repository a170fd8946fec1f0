"""Hostile SDMX data: SDMX-CSV with CR line ends or a hundred thousand columns, SDMX-ML
with thousands of distinct unknown attributes or one observation with a hundred thousand
attributes. Each is read or refused (limit ``columns``) in time linear in its size."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cdinterop import limits, sdmx
from cdinterop.errors import InvalidDatasetError
from cdinterop.limits import LimitExceeded
from cdinterop.model import CitizenDataset
from cdinterop.sdmx._data_read import read_payload


@pytest.fixture
def files(tmp_path: Path, dataset: CitizenDataset) -> dict[str, Path]:
    out = {}
    for kind in ("csv10", "csv20", "ml21-ss", "ml21-generic", "ml30-ss"):
        path = tmp_path / f"{kind}.{'csv' if kind.startswith('csv') else 'xml'}"
        sdmx.write(dataset, path, format=kind)
        out[kind] = path
    return out


def _with_obs_attributes(path: Path, target: Path, attributes: list[str]) -> Path:
    """The message with ``attributes[i]`` added to the i-th ``<Obs`` (cycling)."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("<Obs ")
    body, _, tail = rest.rpartition("/>")
    obs = ("<Obs " + body + "/>").split("\n")
    first = obs[0]
    lines = [first.replace("/>", f" {a}/>", 1) for a in attributes]
    target.write_text(head + "\n".join(lines) + tail, encoding="utf-8")
    return target


@pytest.mark.parametrize("kind", ["csv10", "csv20"])
def test_sdmx_csv_with_cr_line_ends_is_read(
    files: dict[str, Path], tmp_path: Path, dataset: CitizenDataset, kind: str
) -> None:
    text = files[kind].read_text(encoding="utf-8")
    cr = tmp_path / f"cr-{kind}.csv"
    cr.write_bytes(text.replace("\n", "\r").encode())
    expected = sdmx.read(files[kind], structure=dataset)
    assert sdmx.read(cr, structure=dataset).observations.table.equals(expected.observations.table)
    crlf = tmp_path / f"crlf-{kind}.csv"
    crlf.write_bytes(text.replace("\n", "\r\n").encode())
    assert sdmx.read(crlf, structure=dataset).observations.table.num_rows == 3


def test_sdmx_csv_with_too_many_columns_is_refused(
    files: dict[str, Path], tmp_path: Path, dataset: CitizenDataset
) -> None:
    lines = files["csv10"].read_text(encoding="utf-8").splitlines()
    extra = 100_000
    wide = tmp_path / "wide.csv"
    header = lines[0] + "".join(f",X{i}" for i in range(extra))
    wide.write_text("\n".join([header, *(line + "," * extra for line in lines[1:])]) + "\n")
    with pytest.raises(LimitExceeded, match=r"header row of at least 10,\d{3} columns") as caught:
        sdmx.read(wide, structure=dataset)
    assert caught.value.limit == "columns"
    assert wide.name in str(caught.value)
    with limits.use(columns=200_000):
        payload = read_payload(wide, dataset.structure)
    assert payload.table.num_columns > extra


def test_sdmx_csv_rows_limit(files: dict[str, Path], dataset: CitizenDataset) -> None:
    with limits.use(rows=2), pytest.raises(LimitExceeded, match="limit rows = 2"):
        sdmx.read(files["csv20"], structure=dataset)


def test_many_distinct_unknown_attributes_are_refused_in_linear_time(
    files: dict[str, Path], tmp_path: Path, dataset: CitizenDataset
) -> None:
    path = _with_obs_attributes(
        files["ml21-ss"], tmp_path / "distinct.xml", [f'U{i}="x"' for i in range(15_000)]
    )
    start = time.perf_counter()
    with pytest.raises(LimitExceeded, match="10,001 distinct components"):
        sdmx.read(path, structure=dataset)
    assert time.perf_counter() - start < 10
    with limits.use(columns=20_000):
        start = time.perf_counter()
        payload = read_payload(path, dataset.structure)
        assert time.perf_counter() - start < 20
    assert payload.table.num_rows == 15_000
    assert payload.table.column("U7").null_count == 14_999


def test_one_observation_with_many_attributes_is_refused_fast(
    files: dict[str, Path], tmp_path: Path, dataset: CitizenDataset
) -> None:
    many = " ".join(f'A{i}="v{i}"' for i in range(100_000))
    path = _with_obs_attributes(files["ml30-ss"], tmp_path / "wide.xml", [many])
    start = time.perf_counter()
    with pytest.raises(LimitExceeded, match=r"<Obs> with 100,00\d attributes"):
        sdmx.read(path, structure=dataset)
    assert time.perf_counter() - start < 5
    with limits.use(columns=200_000):
        start = time.perf_counter()
        payload = read_payload(path, dataset.structure)
        assert time.perf_counter() - start < 20  # was 110 s: quadratic in lxml
    assert payload.table.column("A99999").to_pylist() == ["v99999"]


def test_many_attributes_read_as_few(
    files: dict[str, Path], tmp_path: Path, dataset: CitizenDataset
) -> None:
    """Values read the linear way (64 attributes or more) are those lxml gives."""
    many = " ".join(f'B{i}="&lt;{i}&amp;&#233;"' for i in range(100))
    path = _with_obs_attributes(files["ml21-ss"], tmp_path / "many.xml", [many])
    payload = read_payload(path, dataset.structure)
    assert payload.table.column("B42").to_pylist() == ["<42&é"]
    assert payload.table.column("OBS_STATUS").to_pylist()[0] is not None
    with pytest.raises(InvalidDatasetError, match="unknown-column"):
        sdmx.read(path, structure=dataset)


def test_generic_observation_values_are_limited(
    files: dict[str, Path], tmp_path: Path, dataset: CitizenDataset
) -> None:
    text = files["ml21-generic"].read_text(encoding="utf-8")
    values = "".join(f'<gen:Value id="G{i}" value="x"/>' for i in range(300))
    marker = "</gen:Attributes></gen:Obs>"
    assert marker in text
    path = tmp_path / "generic.xml"
    path.write_text(text.replace(marker, values + marker, 1), encoding="utf-8")
    with limits.use(columns=100), pytest.raises(LimitExceeded, match="limit columns = 100"):
        sdmx.read(path, structure=dataset)
