"""Regenerate the malformed SDMX-JSON structure corpus:
``python tests/corpus/sdmx-json-structure/make_corpus.py``.

Each file breaks one thing in the SDMX-JSON 2.0 structure message cdinterop writes for a
small hand-made data set; ``expected.json`` says how reading it with
``cdinterop.sdmx.read_structure`` must fail (``read``: ReadError; ``invalid``:
InvalidDatasetError), with which words, and where (the JSON path the error names).
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cdinterop import sdmx
from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Code,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Group,
    TimeDimension,
)

HERE = Path(__file__).resolve().parent
_DSD = "data.dataStructures[0].dataStructureComponents"


def dataset() -> CitizenDataset:
    ids = ("SEX", "AREA", "TIME_PERIOD", "OBS_VALUE", "NOTE")
    structure = DataStructure(
        id="DSD_CORPUS",
        agency="TEST",
        name={"en": "Corpus"},
        concepts=[Concept(id=i, name={"en": i}) for i in ids],
        codelists=[
            Codelist(
                id="CL_SEX",
                agency="TEST",
                name={"en": "Sex"},
                codes=[Code(id=c, name={"en": c}) for c in ("_T", "F", "M")],
            ),
            Codelist(
                id="CL_AREA",
                agency="TEST",
                name={"en": "Area"},
                codes=[Code(id="GH", name={"en": "Ghana"})],
            ),
        ],
        dimensions=[
            Dimension(id="SEX", codelist="CL_SEX"),
            Dimension(id="AREA", codelist="CL_AREA"),
        ],
        time_dimension=TimeDimension(),
        groups=[Group(id="BY_SEX", dimensions=("SEX",))],
        attributes=[Attribute(id="NOTE", attachment=AttachmentLevel.SERIES)],
    )
    return CitizenDataset(
        id="DF_CORPUS", agency="TEST", title={"en": "Corpus"}, structure=structure
    )


def message() -> dict[str, Any]:
    buffer = io.BytesIO()
    sdmx.write_structure(dataset(), buffer, version="json-2.0")
    document: dict[str, Any] = json.loads(buffer.getvalue())
    document["meta"]["prepared"] = "2024-01-01T00:00:00Z"  # the files do not change
    return document


def _dims(d: dict[str, Any]) -> list[dict[str, Any]]:
    dims: list[dict[str, Any]] = d["data"]["dataStructures"][0]["dataStructureComponents"][
        "dimensionList"
    ]["dimensions"]
    return dims


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        node: Any = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _flow_note(d: dict[str, Any]) -> None:
    notes = d["data"]["dataflows"][0]["annotations"]
    for note in notes:
        if note["type"] == "cdinterop:metadata":
            note["text"] = note["texts"]["en"] = "{not json"


def _duplicate_code(d: dict[str, Any]) -> None:
    codes = d["data"]["codelists"][0]["codes"]
    codes.append(copy.deepcopy(codes[0]))


def _constraint(d: dict[str, Any]) -> None:
    d["data"]["dataConstraints"] = [
        {
            "id": "CC",
            "agencyID": "TEST",
            "version": "1.0",
            "name": "Allowed",
            "role": "Allowed",
            "constraintAttachment": {
                "dataStructures": [
                    "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=TEST:DSD_CORPUS(1.0)"
                ]
            },
            "cubeRegions": [
                {
                    "include": True,
                    "keyValues": [
                        {"id": "SEX", "values": [{"value": "F"}]},
                        {"id": "SEX", "values": [{"value": "M"}]},
                    ],
                }
            ],
        }
    ]


def _dimension_not_object(d: dict[str, Any]) -> None:
    dims: list[Any] = _dims(d)
    dims[0] = "SEX"


_CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "no-data.json": lambda d: d.pop("data"),
    "data-message.json": _set(["data"], {"structures": [], "dataSets": []}),
    "bad-concept-urn.json": lambda d: _dims(d)[0].__setitem__("conceptIdentity", "SEX"),
    "unknown-group-dimension.json": _set(
        ["data", "dataStructures", 0, "dataStructureComponents", "groups", 0, "groupDimensions"],
        ["SEX", "AGE"],
    ),
    "unknown-code-parent.json": _set(["data", "codelists", 0, "codes", 1, "parent"], "X"),
    "value-list.json": lambda d: _dims(d)[1]["localRepresentation"].__setitem__(
        "enumeration", "urn:sdmx:org.sdmx.infomodel.codelist.ValueList=TEST:VL_AREA(1.0)"
    ),
    "bad-usage.json": _set(
        [
            "data",
            "dataStructures",
            0,
            "dataStructureComponents",
            "attributeList",
            "attributes",
            0,
            "usage",
        ],
        "sometimes",
    ),
    "names-not-object.json": _set(["data", "codelists", 1, "names"], "Area"),
    "missing-dsd.json": _set(
        ["data", "dataflows", 0, "structure"],
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=TEST:DSD_OTHER(1.0)",
    ),
    "bad-annotation.json": _flow_note,
    "duplicate-code.json": _duplicate_code,
    "invalid-language.json": _set(["data", "codelists", 1, "names"], {"not a language": "Area"}),
    "measure-dimension.json": lambda d: d["data"]["dataStructures"][0]["dataStructureComponents"][
        "dimensionList"
    ].__setitem__("measureDimension", {"id": "MEASURE"}),
    "bad-constraint.json": _constraint,
    "dimension-not-object.json": _dimension_not_object,
    "duplicate-component.json": _set(
        [
            "data",
            "dataStructures",
            0,
            "dataStructureComponents",
            "measureList",
            "measures",
            0,
            "id",
        ],
        "SEX",
    ),
}


def main() -> None:
    base = message()
    for name, change in _CHANGES.items():
        document = copy.deepcopy(base)
        change(document)
        (HERE / name).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    text = json.dumps(base, indent=1)
    (HERE / "truncated.json").write_text(text[: len(text) // 2], encoding="utf-8")
    (HERE / "array-root.json").write_text(json.dumps([base]) + "\n", encoding="utf-8")
    (HERE / "not-utf8.json").write_bytes(
        json.dumps(base, ensure_ascii=False).replace('"Ghana"', '"Gh\u00e2na"').encode("latin-1")
    )
    (HERE / "too-deep.json").write_text(
        json.dumps({**base, "x-deep": [[[]]]}).replace("[[[]]]", "[" * 300 + "]" * 300),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
