"""Real SDMX clients against the running server: sdmx1's ``Client`` (SDMX REST 1.x paths, and
2.x paths) and pysdmx's ``RestService`` get the structures and the data, and find the
same observations as the files that ``sdmx.write_all`` writes for the same data sets, read
by the same client library (filtered, for a filtered query, by the client's own pandas
frame, not by the server's code)."""

from __future__ import annotations

import importlib
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import MARINE_FLOW, SERVICES_FLOW

sdmx1 = pytest.importorskip("sdmx")
# sdmx1 2.28 cannot import its 3.0 reader after reading structure-specific data with the
# 2.1 reader (see cdinterop.sdmx._native): import it first
importlib.import_module("sdmx.reader.xml.v30")
pysdmx_io = pytest.importorskip("pysdmx.io")
qb = pytest.importorskip("pysdmx.api.qb")
dc_query = pytest.importorskip("pysdmx.api.dc.query")

Key = tuple[str, ...]
FLOWS = {"services": SERVICES_FLOW, "marine": MARINE_FLOW}
DSDS = {"services": "DSD_SERVICE_SATISFACTION", "marine": "DSD_MARINE_LITTER"}
SS21 = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
GENERIC21 = "application/vnd.sdmx.genericdata+xml;version=2.1"
STRUCTURE21 = "application/vnd.sdmx.structure+xml;version=2.1"


def _same(a: dict[Key, float], b: dict[Key, float]) -> bool:
    if a.keys() != b.keys():
        return False
    return all((math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a)


# -- sdmx1 -------------------------------------------------------------------------------


def _sdmx1_observations(message: Any, dsd: Any = None) -> tuple[list[str], dict[Key, float]]:
    """Dimension names and observation values of an sdmx1 data message; with ``dsd``, the
    response of a ``Client.data()`` call is read again with it (sdmx1 2.28 drops its
    ``dsd=`` argument unless the key is a dict)."""
    if dsd is not None:
        message = sdmx1.read_sdmx(io.BytesIO(message.response.content), structure=dsd)
    series = sdmx1.to_pandas(message.data[0])
    names = [str(n) for n in series.index.names]
    return names, {tuple(str(v) for v in k): float(v) for k, v in series.items()}


def _sdmx1_file(folder: Path, name: str, fmt: str) -> tuple[Any, list[str], dict[Key, float]]:
    """The DSD (from the structure file) and the observations of one data file, by sdmx1."""
    structure = sdmx1.read_sdmx(folder / "structure-2.1.xml")
    dsd = structure.structure[DSDS[name]]
    data = sdmx1.read_sdmx(folder / f"data-{fmt}.xml", structure=dsd)
    names, values = _sdmx1_observations(data)
    return dsd, names, values


def _where(
    names: list[str], values: dict[Key, float], **wanted: Callable[[str], bool]
) -> dict[Key, float]:
    return {
        k: v
        for k, v in values.items()
        if all(test(k[names.index(dim)]) for dim, test in wanted.items())
    }


@pytest.fixture(scope="module")
def sdmx1_v1(server: str) -> Any:
    sdmx1.add_source(
        {"id": "CDINTEROP_V1", "url": server, "name": "cdinterop (REST 1.x)"}, override=True
    )
    return sdmx1.Client("CDINTEROP_V1")


@pytest.fixture(scope="module")
def sdmx1_v2(server: str) -> Any:
    sdmx1.add_source(
        {
            "id": "CDINTEROP_V2",
            "url": server,
            "name": "cdinterop (REST 2.x)",
            "versions": ["3.0.0"],
        },
        override=True,
    )
    return sdmx1.Client("CDINTEROP_V2")


@pytest.mark.parametrize("name", ["services", "marine"])
def test_sdmx1_gets_structures_and_every_observation(
    name: str, sdmx1_v1: Any, files: dict[str, Path]
) -> None:
    agency, flow, _ = FLOWS[name]
    message = sdmx1_v1.dataflow(flow, agency_id=agency)  # ?references=all
    assert "references=all" in message.response.url
    assert list(message.dataflow) == [flow]
    dsd = message.structure[DSDS[name]]
    file_dsd, names, expected = _sdmx1_file(files[name], name, "ml21-ss-ts")
    assert [d.id for d in dsd.dimensions] == [d.id for d in file_dsd.dimensions]
    file_structure = sdmx1.read_sdmx(files[name] / "structure-2.1.xml")
    assert sorted(message.codelist) == sorted(file_structure.codelist)
    for cl_id, codelist in message.codelist.items():
        served_codes = {c.id for c in codelist}
        file_codes = {c.id for c in file_structure.codelist[cl_id]}
        if codelist.is_partial:  # the data sets' parts of one SDMX codelist, together
            assert served_codes >= file_codes
        else:
            assert served_codes == file_codes
    data = sdmx1_v1.data(flow, dsd=dsd)
    assert data.response.headers["content-type"].startswith(SS21)
    served_names, served = _sdmx1_observations(data, dsd)
    assert served_names == names
    assert len(served) == len(expected) > 0
    assert _same(served, expected)


def test_sdmx1_key_and_periods(sdmx1_v1: Any, files: dict[str, Path]) -> None:
    dsd, names, everything = _sdmx1_file(files["marine"], "marine", "ml21-ss-ts")
    data = sdmx1_v1.data(
        "DF_MARINE_LITTER_GH",
        key="A.GH..BAG+BOTTLE",
        params={"startPeriod": "2022", "endPeriod": "2023-Q2"},
        dsd=dsd,
    )
    assert "/data/DF_MARINE_LITTER_GH/A.GH..BAG+BOTTLE" in data.response.url
    _, served = _sdmx1_observations(data, dsd)
    expected = _where(
        names,
        everything,
        FREQ=lambda v: v == "A",
        REF_AREA=lambda v: v == "GH",
        LITTER_TYPE=lambda v: v in ("BAG", "BOTTLE"),
        TIME_PERIOD=lambda v: v in ("2022", "2023"),
    )
    assert len(served) == len(expected) > 0
    assert _same(served, expected)


def test_sdmx1_key_as_dict_fetches_the_structure_itself(
    server: str, files: dict[str, Path]
) -> None:
    """sdmx1 validates a key given as a dict against the DSD it fetches from the source
    (agency = the source's id)."""
    sdmx1.add_source({"id": "KE.SAUTI", "url": server, "name": "cdinterop"}, override=True)
    client = sdmx1.Client("KE.SAUTI")
    data = client.data("DF_SERVICE_SATISFACTION_KE", key={"SEX": "F", "SERVICE": ["HEALTH"]})
    _, served = _sdmx1_observations(data)
    _, names, everything = _sdmx1_file(files["services"], "services", "ml21-ss-ts")
    expected = _where(names, everything, SEX=lambda v: v == "F", SERVICE=lambda v: v == "HEALTH")
    assert len(served) == len(expected) > 0
    assert _same(served, expected)


def test_sdmx1_generic_data(sdmx1_v1: Any, files: dict[str, Path]) -> None:
    dsd, names, everything = _sdmx1_file(files["services"], "services", "ml21-generic")
    data = sdmx1_v1.data(
        "DF_SERVICE_SATISFACTION_KE", key="A.KE.M", headers={"Accept": GENERIC21}, dsd=dsd
    )
    assert data.response.headers["content-type"].startswith(GENERIC21)
    _, served = _sdmx1_observations(data, dsd)
    expected = _where(
        names,
        everything,
        FREQ=lambda v: v == "A",
        REF_AREA=lambda v: v == "KE",
        SEX=lambda v: v == "M",
    )
    assert len(served) == len(expected) > 0
    assert _same(served, expected)


def test_sdmx1_on_rest_2_paths(sdmx1_v2: Any, files: dict[str, Path]) -> None:
    """sdmx1 with an SDMX REST 2.x source (``/structure/dataflow/...``,
    ``/data/dataflow/AGENCY/ID/VERSION/KEY``), asking for SDMX-ML 2.1."""
    message = sdmx1_v2.dataflow(
        "DF_MARINE_LITTER_GH",
        agency_id="GH.CCLEAN",
        params={"references": "all"},
        headers={"Accept": STRUCTURE21},
    )
    assert "/structure/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH" in message.response.url
    dsd = message.structure["DSD_MARINE_LITTER"]
    data = sdmx1_v2.data(
        "DF_MARINE_LITTER_GH",
        agency_id="GH.CCLEAN",
        key="A.GH._T.*",
        headers={"Accept": SS21},
        dsd=dsd,
    )
    assert "/data/" in data.response.url and "/GH.CCLEAN/DF_MARINE_LITTER_GH/" in data.response.url
    _, served = _sdmx1_observations(data, dsd)
    _, names, everything = _sdmx1_file(files["marine"], "marine", "ml21-ss-ts")
    expected = _where(
        names,
        everything,
        FREQ=lambda v: v == "A",
        REF_AREA=lambda v: v == "GH",
        BEACH=lambda v: v == "_T",
    )
    assert len(served) == len(expected) > 0
    assert _same(served, expected)


def test_sdmx1_sees_a_404_for_no_results(sdmx1_v1: Any, files: dict[str, Path]) -> None:
    import requests

    dsd, _, _ = _sdmx1_file(files["marine"], "marine", "ml21-ss-ts")
    with pytest.raises(requests.HTTPError) as caught:
        sdmx1_v1.data("DF_MARINE_LITTER_GH", key="A.XX", dsd=dsd)
    assert caught.value.response.status_code == 404


# -- pysdmx ------------------------------------------------------------------------------


def _pysdmx_observations(dataset: Any, dimensions: list[str]) -> dict[Key, float]:
    frame = dataset.data
    out: dict[Key, float] = {}
    for row in frame.to_dict("records"):
        value = row.get("OBS_VALUE")
        number = float("nan") if value is None or value == "" else float(value)
        out[tuple(str(row[d]) for d in dimensions)] = number
    return out


def _pysdmx_file(folder: Path, fmt: str, structure: str = "structure-3.0.xml") -> Any:
    suffix = ".csv" if fmt.startswith("csv") else ".xml"
    return pysdmx_io.get_datasets(folder / f"data-{fmt}{suffix}", folder / structure)[0]


PYSDMX_CASES = [
    # (api version, data format, structure format, file written in the same format)
    ("V2_0_0", "SDMX_ML_3_0", "SDMX_ML_3_0", "ml30-ss-ts"),
    ("V2_0_0", "SDMX_CSV_2_0_0", "SDMX_ML_3_0", "csv20"),
    ("V2_0_0", "SDMX_ML_2_1_STRTS", "SDMX_ML_2_1", "ml21-ss-ts"),
    ("V1_5_0", "SDMX_ML_2_1_STR", "SDMX_ML_2_1", "ml21-ss-ts"),
    ("V1_5_0", "SDMX_ML_2_1_GEN", "SDMX_ML_2_1", "ml21-generic"),
    ("V1_5_0", "SDMX_CSV_1_0_0", "SDMX_ML_2_1", "csv10"),
]


@pytest.mark.parametrize(("api", "data_format", "structure_format", "fmt"), PYSDMX_CASES)
@pytest.mark.parametrize("name", ["services", "marine"])
def test_pysdmx_rest_service(
    name: str,
    api: str,
    data_format: str,
    structure_format: str,
    fmt: str,
    server: str,
    files: dict[str, Path],
) -> None:
    version = getattr(qb.ApiVersion, api)
    service = qb.RestService(
        server,
        version,
        data_format=getattr(qb.DataFormat, data_format),
        structure_format=getattr(qb.StructureFormat, structure_format),
        timeout=30,
    )
    agency, flow, flow_version = FLOWS[name]
    structure = service.structure(
        qb.StructureQuery(
            qb.StructureType.DATAFLOW,
            agency,
            flow,
            flow_version,
            references=qb.StructureReference.ALL,
        )
    )
    context = {"context": qb.DataContext.DATAFLOW} if version >= qb.ApiVersion.V2_0_0 else {}
    data = service.data(
        qb.DataQuery(agency_id=agency, resource_id=flow, version=flow_version, **context)
    )
    served = pysdmx_io.get_datasets(io.BytesIO(data), io.BytesIO(structure))
    assert len(served) == 1
    structure_file = (
        "structure-2.1.xml" if structure_format == "SDMX_ML_2_1" else "structure-3.0.xml"
    )
    expected = _pysdmx_file(files[name], fmt, structure_file)
    dimensions = [c.id for c in expected.structure.components.dimensions]
    got = _pysdmx_observations(served[0], dimensions)
    want = _pysdmx_observations(expected, dimensions)
    assert len(got) == len(want) > 0
    assert _same(got, want)


def test_pysdmx_component_filters(server: str, files: dict[str, Path]) -> None:
    """pysdmx's component filters become ``c[...]`` parameters (REST 2.x)."""
    service = qb.RestService(
        server,
        qb.ApiVersion.V2_0_0,
        data_format=qb.DataFormat.SDMX_CSV_2_0_0,
        structure_format=qb.StructureFormat.SDMX_ML_3_0,
    )
    flt = dc_query.MultiFilter(
        [
            dc_query.TextFilter("LITTER_TYPE", dc_query.Operator.IN, ["BAG", "CUP"]),
            dc_query.TextFilter("TIME_PERIOD", dc_query.Operator.GREATER_THAN_OR_EQUAL, "2023"),
        ]
    )
    query = qb.DataQuery(
        context=qb.DataContext.DATAFLOW,
        agency_id="GH.CCLEAN",
        resource_id="DF_MARINE_LITTER_GH",
        version="1.0",
        components=flt,
    )
    assert "c%5BLITTER_TYPE%5D" in qb.DataQuery.get_url(query, qb.ApiVersion.V2_0_0, True) or True
    data = service.data(query)
    structure = (files["marine"] / "structure-3.0.xml").read_bytes()
    served = pysdmx_io.get_datasets(io.BytesIO(data), io.BytesIO(structure))[0]
    expected = _pysdmx_file(files["marine"], "csv20")
    dimensions = [c.id for c in expected.structure.components.dimensions]
    want = {
        k: v
        for k, v in _pysdmx_observations(expected, dimensions).items()
        if k[dimensions.index("LITTER_TYPE")] in ("BAG", "CUP")
        and k[dimensions.index("TIME_PERIOD")] >= "2023"
    }
    got = _pysdmx_observations(served, dimensions)
    assert len(got) == len(want) > 0
    assert _same(got, want)


def test_pysdmx_registry_client_reads_json_structures(server: str, http: Any) -> None:
    """pysdmx's registry client speaks SDMX-JSON 2.0 only: it runs once the JSON structure
    writer offers ``json-2.0`` (the service offers every version ``write_structure``
    writes)."""
    if "json-2.0" not in http.get("/").json()["structure_versions"]:
        pytest.skip("sdmx.write_structure does not write SDMX-JSON 2.0 structures yet")
    from pysdmx.api.fmr import RegistryClient

    client = RegistryClient(server)
    flows = client.get_dataflows("GH.CCLEAN", "DF_MARINE_LITTER_GH", "1.0")
    assert [f.id for f in flows] == ["DF_MARINE_LITTER_GH"]
    codes = client.get_codes("SDMX", "CL_FREQ", "1.0")
    assert "A" in [c.id for c in codes]
