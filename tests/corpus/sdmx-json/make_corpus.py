"""Regenerate the malformed SDMX-JSON corpus: ``python tests/corpus/sdmx-json/make_corpus.py``.

Each file breaks one thing in an SDMX-JSON data message that belongs to the small structure
``structure-2.1.xml`` written here from a hand-made data set (the messages are cdinterop's
own SDMX-JSON 2.0 or 1.0, edited); ``expected.json`` says how reading it must fail
(``read``: ReadError; ``invalid``: InvalidDatasetError with these issue codes) and with which
words (for a ReadError, also the JSON path or line that locates it).
"""

from __future__ import annotations

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
    TimeDimension,
)

HERE = Path(__file__).resolve().parent


def dataset() -> CitizenDataset:
    ids = ("SEX", "TIME_PERIOD", "OBS_VALUE", "NOTE", "UNIT")
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
                codes=[Code(id=c, name={"en": c}) for c in ("F", "M", "_T")],
            )
        ],
        dimensions=[Dimension(id="SEX", codelist="CL_SEX")],
        time_dimension=TimeDimension(),
        attributes=[Attribute(id="NOTE"), Attribute(id="UNIT", attachment=AttachmentLevel.DATASET)],
    )
    rows = [
        {"SEX": s, "TIME_PERIOD": t, "OBS_VALUE": v, "NOTE": "checked" if s == "F" else None}
        for s, v in (("F", 1.5), ("M", 2.0), ("_T", 3.5))
        for t in ("2023", "2024")
    ]
    return CitizenDataset(
        id="DF_CORPUS",
        agency="TEST",
        title={"en": "Corpus"},
        structure=structure,
        observations=rows,
        attribute_values={"UNIT": "PERSONS"},
    )


Message = dict[str, Any]
Change = Callable[[Message], Any]


def written(ds: CitizenDataset, fmt: str) -> Message:
    buffer = io.BytesIO()
    sdmx.write(ds, buffer, format=fmt)
    message: Message = json.loads(buffer.getvalue())
    message["meta"]["id"] = "CORPUS"
    message["meta"]["prepared"] = "2026-01-01T00:00:00Z"
    return message


def dumps(message: Message) -> bytes:
    return json.dumps(message, indent=1, ensure_ascii=False).encode()


def edited(message: Message, change: Change) -> bytes:
    copy = json.loads(json.dumps(message))
    change(copy)
    return dumps(copy)


def _observations(message: Message) -> dict[str, Any]:
    observations: dict[str, Any] = message["data"]["dataSets"][0]["observations"]
    return observations


def main() -> None:
    ds = dataset()
    sdmx.write_structure(ds, HERE / "structure-2.1.xml", version="2.1")
    v2 = written(ds, "json20")
    v1 = written(ds, "json10")
    good = dumps(v2)
    first = next(iter(_observations(v2)))

    def set_in(path: list[str | int], value: object) -> Change:
        def change(m: Message) -> None:
            target: Any = m
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = value

        return change

    def obs(change: Callable[[dict[str, Any]], Any]) -> Change:
        return lambda m: change(_observations(m))

    deep = b'{"data": {"structures": [], "dataSets": ' + b"[" * 100_000
    cases: dict[str, tuple[bytes, str, list[str], str]] = {
        "truncated.json": (good[: len(good) // 2], "read", [], "malformed JSON"),
        "not-utf8.json": (
            good.replace(b'"Corpus"', '"Corpus\xe9"'.encode("latin-1"), 1),
            "read",
            [],
            "not UTF-8",
        ),
        "duplicate-key.json": (
            good.replace(f'"{first}": ['.encode(), f'"{first}": [9], "{first}": ['.encode(), 1),
            "read",
            [],
            f"data.dataSets[0].observations: the key '{first}' appears twice",
        ),
        "deep-nesting.json": (deep, "read", [], "nested too deeply"),
        "long-integer.json": (
            good.replace(
                b'"observations": {', b'"observations": {"0:0": [' + b"9" * 5000 + b"],", 1
            ),
            "read",
            [],
            "not readable JSON",
        ),
        "observations-array.json": (
            edited(v2, set_in(["data", "dataSets", 0, "observations"], [1, 2])),
            "read",
            [],
            "data.dataSets[0].observations: expected an object, found an array",
        ),
        "observation-object.json": (
            edited(v2, obs(lambda o: o.update({first: {"value": 1}}))),
            "read",
            [],
            f'data.dataSets[0].observations["{first}"]: expected an array, found an object',
        ),
        "key-out-of-range.json": (
            edited(v2, obs(lambda o: o.update({"9:0": o.pop(first)}))),
            "read",
            [],
            'observations["9:0"]: key index 9 of SEX is out of range (3 values',
        ),
        "attribute-index-out-of-range.json": (
            edited(v1, obs(lambda o: o.update({first: [1.5, 7]}))),  # 1.0: NOTE by index
            "read",
            [],
            f'observations["{first}"][1]: value index 7 of NOTE is out of range',
        ),
        "attribute-index-text.json": (
            edited(v1, obs(lambda o: o.update({first: [1.5, "zero"]}))),
            "read",
            [],
            f'observations["{first}"][1]: expected the index of a value of NOTE, found a string',
        ),
        "bad-key.json": (
            edited(v2, obs(lambda o: o.update({"a:b": o.pop(first)}))),
            "read",
            [],
            "a key is indices separated by ':'",
        ),
        "short-key.json": (
            edited(v2, obs(lambda o: o.update({"0": o.pop(first)}))),
            "read",
            [],
            'observations["0"]: the key has 1 indices; 2 dimensions',
        ),
        "delete-action.json": (
            edited(v2, set_in(["data", "dataSets", 0, "action"], "Delete")),
            "read",
            [],
            "data.dataSets[0].action: Delete",
        ),
        "structure-index.json": (
            edited(v2, set_in(["data", "dataSets", 0, "structure"], 3)),
            "read",
            [],
            "data.dataSets[0].structure: 3 is not the index of one of the 1 structures",
        ),
        "errors-only.json": (
            dumps({"meta": v2["meta"], "errors": [{"code": 404, "title": "No results found"}]}),
            "read",
            [],
            "the message holds errors, not data: 404 No results found",
        ),
        "not-sdmx.json": (b'{"hello": "world"}', "read", [], "not an SDMX-JSON data message"),
        "structure-message.json": (
            b'{"$schema": "https://json.sdmx.org/2.1/sdmx-json-structure-schema.json", '
            b'"meta": {}, "data": {"dataStructures": []}}',
            "read",
            [],
            "this is an SDMX-JSON structure message",
        ),
        "unknown-code.json": (
            edited(
                v2,
                set_in(
                    ["data", "structures", 0, "dimensions", "observation", 0, "values", 1, "id"],
                    "X",
                ),
            ),
            "invalid",
            ["unknown-code"],
            "'X' is not a code of CL_SEX",
        ),
        "unknown-attribute.json": (
            edited(
                v2,
                lambda m: (
                    m["data"]["structures"][0]["attributes"]["observation"].append(
                        {"id": "COLOUR", "name": "Colour", "relationship": {"observation": {}}}
                    )
                    or _observations(m).update({first: [1.5, 0, "red"]})
                ),
            ),
            "invalid",
            ["unknown-column"],
            "COLOUR",
        ),
    }
    expected = {}
    for name, (content, outcome, codes, message) in cases.items():
        (HERE / name).write_bytes(content)
        expected[name] = {"error": outcome, "codes": codes, "message": message}
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
