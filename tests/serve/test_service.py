"""The service without HTTP: large answers are streamed from a temporary file (and equal
what the cache path gives), and SDMX-JSON structure messages are split, joined, linked
and cut into stubs like SDMX-ML ones."""

from __future__ import annotations

import json

import pytest

from cdinterop.serve import Service, load_catalogue
from cdinterop.serve import _service as service_module
from cdinterop.serve._query import parse_structure_query
from cdinterop.serve._structures import ArtefactKey, StructurePool

from .conftest import MARINE

FLOW = ["dataflow", "GH.CCLEAN", "DF_MARINE_LITTER_GH", "1.0"]


def test_large_answers_are_streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    service = Service(load_catalogue([MARINE]))
    small = service.data(FLOW, "format=ml21-generic", None)
    assert small.stream is None and small.body
    monkeypatch.setattr(service_module, "CACHE_ITEM_BYTES", 1000)
    monkeypatch.setattr(service_module, "CHUNK_BYTES", 4096)
    large = Service(load_catalogue([MARINE])).data(FLOW, "format=ml21-generic", None)
    assert large.stream is not None
    chunks = list(large.chunks())
    assert len(chunks) > 1 and all(len(c) <= 4096 for c in chunks)
    body = b"".join(chunks)
    # the same message but for its header's preparation time and id
    strip = lambda data: data.split(b"</mes:Header>")[-1]  # noqa: E731
    assert b"</mes:Header>" in body and strip(body) == strip(small.body)
    assert large.stream.closed


def _message(*artefacts: tuple[str, dict[str, object]]) -> bytes:
    data: dict[str, list[object]] = {}
    for kind, item in artefacts:
        data.setdefault(kind, []).append(item)
    return json.dumps({"meta": {"id": "M", "schema": "x"}, "data": data}).encode()


URN = "urn:sdmx:org.sdmx.infomodel"


def test_sdmx_json_structure_pool() -> None:
    pool = StructurePool("json-2.0")
    codelist_a = {
        "id": "CL_X",
        "agencyID": "SDMX",
        "version": "1.0",
        "isPartial": True,
        "name": "X",
        "description": "All X",
        "codes": [{"id": "A"}, {"id": "B"}],
    }
    codelist_b = {**codelist_a, "codes": [{"id": "B"}, {"id": "C"}]}
    dsd = {
        "id": "DSD",
        "agencyID": "AG",
        "version": "1.0",
        "name": "D",
        "annotations": [{}],
        "dataStructureComponents": {
            "dimensionList": {
                "dimensions": [
                    {
                        "id": "X",
                        "localRepresentation": {
                            "enumeration": f"{URN}.codelist.Codelist=SDMX:CL_X(1.0)"
                        },
                    }
                ]
            }
        },
    }
    flow = {
        "id": "DF",
        "agencyID": "AG",
        "version": "1.0",
        "name": "F",
        "structure": f"{URN}.datastructure.DataStructure=AG:DSD(1.0)",
    }
    pool.add_message(
        _message(("dataflows", flow), ("dataStructures", dsd), ("codelists", codelist_a)), "one"
    )
    pool.add_message(_message(("codelists", codelist_b)), "two")
    pool.link()
    dsd_key = ArtefactKey("datastructure", "AG", "DSD", "1.0")
    codelist_key = ArtefactKey("codelist", "SDMX", "CL_X", "1.0")
    assert pool.references[dsd_key] == {codelist_key}
    assert [c["id"] for c in pool.artefacts[codelist_key]["codes"]] == ["A", "B", "C"]
    query = parse_structure_query(
        "dataflow", ["AG", "DF"], [("references", "all"), ("detail", "referencestubs")]
    )
    message = json.loads(pool.render(pool.select(query)))
    assert message["meta"]["id"] == "M"
    assert message["data"]["dataflows"] == [flow]
    assert message["data"]["codelists"] == [
        {
            "id": "CL_X",
            "agencyID": "SDMX",
            "version": "1.0",
            "name": "X",
            "isExternalReference": True,
        }
    ]
    assert message["data"]["dataStructures"][0]["isExternalReference"] is True
    parents = parse_structure_query("codelist", ["SDMX"], [("references", "ancestors")])
    kinds = {k.kind for k, _ in pool.select(parents)}
    assert kinds == {"codelist", "datastructure", "dataflow"}
