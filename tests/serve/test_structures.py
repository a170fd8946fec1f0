"""Structure queries over HTTP: artefact types, agencies, ids and versions with wildcards,
``references`` and ``detail``, REST 1.x and 2.x paths, SDMX-ML 2.1 / 3.0 (and SDMX-JSON
when the writer offers it); every SDMX-ML answer valid against the official XSDs."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from cdinterop.sdmx._xsd_validation import validate_official

ML21 = "application/vnd.sdmx.structure+xml;version=2.1"
ML30 = "application/vnd.sdmx.structure+xml;version=3.0.0"
MARINE_FLOW = "/structure/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH/1.0"


def _artefacts(response: Any) -> set[tuple[str, str, str, str]]:
    """(type, agency, id, version) of every artefact of an SDMX-ML structure message."""
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    found = set()
    for structures in root:
        if etree.QName(structures).localname != "Structures":
            continue
        for container in structures:
            for element in container:
                found.add(
                    (
                        etree.QName(element).localname,
                        element.get("agencyID"),
                        element.get("id"),
                        element.get("version"),
                    )
                )
    return found


def _valid(response: Any) -> None:
    version = "3.0" if "version=3.0" in response.headers["content-type"] else "2.1"
    assert validate_official(response.content, version=version) == []


def _types(found: set[tuple[str, str, str, str]]) -> set[str]:
    return {kind for kind, *_ in found}


@pytest.mark.parametrize("accept", [ML21, ML30])
def test_references(http: Any, accept: str) -> None:
    headers = {"Accept": accept}
    alone = http.get(MARINE_FLOW, headers=headers)
    assert alone.headers["content-type"] == accept
    _valid(alone)
    assert _types(_artefacts(alone)) == {"Dataflow"}
    children = _artefacts(http.get(MARINE_FLOW, params={"references": "children"}, headers=headers))
    assert _types(children) == {"Dataflow", "DataStructure"}
    every = http.get(MARINE_FLOW, params={"references": "all"}, headers=headers)
    _valid(every)
    found = _artefacts(every)
    assert {"Dataflow", "DataStructure", "Codelist", "ConceptScheme"} <= _types(found)
    assert ("Codelist", "GH.CCLEAN", "CL_LITTER_TYPE", "1.0") in found
    assert not any(agency == "KE.SAUTI" for _, agency, _, _ in found)  # the other data set's
    descendants = _artefacts(
        http.get(MARINE_FLOW, params={"references": "descendants"}, headers=headers)
    )
    assert descendants == found
    codelists = _artefacts(
        http.get(MARINE_FLOW, params={"references": "codelist"}, headers=headers)
    )
    assert _types(codelists) == {"Dataflow", "Codelist"}


def test_parents_and_ancestors(http: Any) -> None:
    shared = "/structure/codelist/SDMX/CL_FREQ/1.0"
    parents = _artefacts(
        http.get(shared, params={"references": "parents"}, headers={"Accept": ML30})
    )
    assert {(k, a, i) for k, a, i, _ in parents if k == "DataStructure"} == {
        ("DataStructure", "KE.SAUTI", "DSD_SERVICE_SATISFACTION"),
        ("DataStructure", "GH.CCLEAN", "DSD_MARINE_LITTER"),
    }
    ancestors = _artefacts(
        http.get(shared, params={"references": "ancestors"}, headers={"Accept": ML30})
    )
    assert {i for k, _, i, _ in ancestors if k == "Dataflow"} == {
        "DF_SERVICE_SATISFACTION_KE",
        "DF_MARINE_LITTER_GH",
    }
    siblings = _artefacts(
        http.get(shared, params={"references": "parentsandsiblings"}, headers={"Accept": ML21})
    )
    assert ("Codelist", "GH.CCLEAN", "CL_BEACH", "1.0") in siblings


def test_partial_codelists_of_two_data_sets_are_joined(http: Any) -> None:
    """Both examples carry a part of SDMX:CL_OBS_STATUS (the codes they use): the service
    answers with both parts together, still partial."""
    response = http.get("/structure/codelist/SDMX/CL_OBS_STATUS", headers={"Accept": ML21})
    _valid(response)
    root = etree.fromstring(response.content)
    codelist = next(e for e in root.iter() if etree.QName(e).localname == "Codelist")
    assert codelist.get("isPartial") == "true"
    codes = [e.get("id") for e in codelist if etree.QName(e).localname == "Code"]
    assert len(codes) == len(set(codes)) and {"A", "E"} <= set(codes)


@pytest.mark.parametrize("accept", [ML21, ML30])
@pytest.mark.parametrize(
    "detail", ["allstubs", "allcompletestubs", "referencestubs", "referencecompletestubs"]
)
def test_stubs(http: Any, accept: str, detail: str) -> None:
    response = http.get(
        MARINE_FLOW, params={"references": "all", "detail": detail}, headers={"Accept": accept}
    )
    _valid(response)
    root = etree.fromstring(response.content)
    stubs = [e for e in root.iter() if e.get("isExternalReference") == "true"]
    codes = [e for e in root.iter() if etree.QName(e).localname == "Code"]
    if detail.startswith("all"):
        assert len(stubs) == len(_artefacts(response)) and not codes
    else:
        assert len(stubs) == len(_artefacts(response)) - 1 and not codes
    kept = {etree.QName(c).localname for s in stubs for c in s}
    if "complete" in detail:
        assert {"Name", "Description"} <= kept <= {"Name", "Description", "Annotations"}
    else:
        assert kept == {"Name"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/structure/dataflow", {"DF_SERVICE_SATISFACTION_KE", "DF_MARINE_LITTER_GH"}),
        ("/structure/dataflow/*/*/*", {"DF_SERVICE_SATISFACTION_KE", "DF_MARINE_LITTER_GH"}),
        (
            "/structure/dataflow/GH.CCLEAN,KE.SAUTI",
            {"DF_SERVICE_SATISFACTION_KE", "DF_MARINE_LITTER_GH"},
        ),
        ("/structure/dataflow/GH.CCLEAN/*/~", {"DF_MARINE_LITTER_GH"}),
        ("/structure/dataflow/*/DF_MARINE_LITTER_GH/+", {"DF_MARINE_LITTER_GH"}),
        ("/structure/datastructure/KE.SAUTI", {"DSD_SERVICE_SATISFACTION"}),
        ("/structure/*/GH.CCLEAN/CL_BEACH", {"CL_BEACH"}),
        ("/structure/codelist/SDMX/CL_SEX,CL_FREQ/1.0", {"CL_SEX", "CL_FREQ"}),
        ("/structure/conceptscheme/GH.CCLEAN", {"CS_DSD_MARINE_LITTER"}),
        # REST 1.x paths
        ("/dataflow/all/all/latest", {"DF_SERVICE_SATISFACTION_KE", "DF_MARINE_LITTER_GH"}),
        ("/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH", {"DF_MARINE_LITTER_GH"}),
        ("/datastructure/GH.CCLEAN/DSD_MARINE_LITTER/1.0", {"DSD_MARINE_LITTER"}),
        ("/codelist/SDMX/CL_SEX/latest", {"CL_SEX"}),
        ("/conceptscheme/KE.SAUTI/all", {"CS_DSD_SERVICE_SATISFACTION"}),
    ],
)
def test_selection(http: Any, path: str, expected: set[str]) -> None:
    response = http.get(path, headers={"Accept": ML21})
    _valid(response)
    assert {i for _, _, i, _ in _artefacts(response)} == expected


def test_rest_1_paths_default_to_sdmx_ml_21(http: Any) -> None:
    response = http.get("/codelist/SDMX/CL_SEX/1.0")
    assert response.headers["content-type"] == ML21
    _valid(response)


def test_schema_of_a_dataflow(http: Any) -> None:
    response = http.get(
        "/schema/dataflow/GH.CCLEAN/DF_MARINE_LITTER_GH/1.0", headers={"Accept": ML30}
    )
    _valid(response)
    assert {"Dataflow", "DataStructure", "Codelist", "ConceptScheme"} <= _types(
        _artefacts(response)
    )


def test_structure_formats(http: Any) -> None:
    versions = http.get("/").json()["structure_versions"]
    assert {"2.1", "3.0"} <= set(versions)
    for value, expected in (("2.1", ML21), ("3.0", ML30), ("xml", None)):
        response = http.get(MARINE_FLOW, params={"format": value})
        assert response.status_code == 200
        if expected:
            assert response.headers["content-type"] == expected
    if "json-2.0" in versions:
        response = http.get(
            MARINE_FLOW,
            params={"references": "all"},
            headers={"Accept": "application/vnd.sdmx.structure+json;version=2.0.0"},
        )
        message = response.json()
        assert [f["id"] for f in message["data"]["dataflows"]] == ["DF_MARINE_LITTER_GH"]
        assert "codelists" in message["data"] and "dataStructures" in message["data"]
        stubs = http.get(MARINE_FLOW, params={"detail": "allstubs", "format": "json-2.0"}).json()
        assert stubs["data"]["dataflows"][0]["isExternalReference"] is True


@pytest.mark.parametrize(
    ("path", "params", "headers", "status"),
    [
        ("/structure/dataflow/GH.CCLEAN/NO_SUCH", {}, {}, 404),
        ("/structure/categoryscheme", {}, {}, 404),
        ("/structure/nonsense", {}, {}, 400),
        ("/structure/codelist/SDMX/CL_SEX/1.0/F", {}, {}, 501),
        (MARINE_FLOW, {"references": "nonsense!"}, {}, 400),
        (MARINE_FLOW, {"detail": "everything"}, {}, 400),
        (MARINE_FLOW, {}, {"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"}, 406),
        (MARINE_FLOW, {"format": "csv20"}, {}, 406),
        ("/structure", {}, {}, 400),
    ],
)
def test_structure_errors(
    http: Any, path: str, params: dict[str, str], headers: dict[str, str], status: int
) -> None:
    response = http.get(path, params=params, headers=headers)
    assert response.status_code == status, response.text
    assert validate_official(response.content, version="2.1") == []
