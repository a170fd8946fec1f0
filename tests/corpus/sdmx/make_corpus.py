"""Regenerate the malformed-SDMX corpus: ``python tests/corpus/sdmx/make_corpus.py``.

Each file breaks one thing in an SDMX data message or SDMX-CSV file that belongs to the
small structure ``structure-2.1.xml`` written here from a hand-made data set;
``expected.json`` says how reading it must fail (``read``: ReadError; ``invalid``:
InvalidDatasetError with these issue codes) and with which words.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

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
        {"SEX": s, "TIME_PERIOD": "2024", "OBS_VALUE": v, "NOTE": None}
        for s, v in (("F", 1.5), ("M", 2.0), ("_T", 3.5))
    ]
    return CitizenDataset(
        id="DF_CORPUS",
        agency="TEST",
        title={"en": "Corpus"},
        structure=structure,
        observations=rows,
        attribute_values={"UNIT": "PERSONS"},
    )


def written(ds: CitizenDataset, fmt: str) -> bytes:
    buffer = io.BytesIO()
    sdmx.write(ds, buffer, format=fmt)
    return buffer.getvalue()


def main() -> None:
    ds = dataset()
    sdmx.write_structure(ds, HERE / "structure-2.1.xml", version="2.1")
    ss = written(ds, "ml21-ss")
    generic = written(ds, "ml21-generic")
    csv = written(ds, "csv10")
    lol = b'<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    cases: dict[str, tuple[bytes, str, list[str], str]] = {
        "empty.xml": (b"", "read", [], "neither SDMX-ML nor SDMX-CSV"),
        "truncated.xml": (ss[: len(ss) // 2], "read", [], "malformed XML"),
        "xxe.xml": (
            b'<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            + ss.split(b"\n", 1)[1].replace(b'NOTE="', b'NOTE="&x;', 1),
            "read",
            [],
            "DTD or entities",
        ),
        "billion-laughs.xml": (
            b'<?xml version="1.0"?>\n<!DOCTYPE m [' + lol + b"]>\n" + ss.split(b"\n", 1)[1],
            "read",
            [],
            "DTD or entities",
        ),
        "wrong-root.xml": (
            b'<?xml version="1.0"?>\n<Catalog xmlns="urn:x"/>\n',
            "read",
            [],
            "not an SDMX data message",
        ),
        "unknown-code.xml": (
            ss.replace(b'SEX="M"', b'SEX="X"'),
            "invalid",
            ["unknown-code"],
            "'X' is not a code of CL_SEX",
        ),
        "bad-number.xml": (
            ss.replace(b'OBS_VALUE="2"', b'OBS_VALUE="two"'),
            "invalid",
            ["wrong-type"],
            "not a number",
        ),
        "missing-dimension.xml": (
            ss.replace(b'SEX="F" ', b"", 1),
            "invalid",
            ["missing-value"],
            "SEX is mandatory",
        ),
        "bad-period.xml": (
            ss.replace(b'TIME_PERIOD="2024"', b'TIME_PERIOD="2024-Q7"', 1),
            "invalid",
            ["malformed-period"],
            "outside 1..4",
        ),
        "unknown-component.xml": (
            ss.replace(b"<Obs ", b'<Obs COLOUR="red" ', 1),
            "invalid",
            ["unknown-column"],
            "COLOUR",
        ),
        "generic-duplicate.xml": (
            generic.replace(b'<gen:Value id="SEX" value="M"/>', b'<gen:Value id="SEX" value="F"/>'),
            "invalid",
            ["duplicate-key"],
            "already used by row",
        ),
        "no-header.csv": (b"1,2,3\n", "read", [], "neither SDMX-ML nor SDMX-CSV"),
        "ragged.csv": (csv + b"TEST:DF_CORPUS(1.0),F\n", "read", [], "not readable as CSV"),
        "varying-dataset-attribute.csv": (
            csv.replace(b"PERSONS", b"HOUSEHOLDS", 1),
            "read",
            [],
            "varies between rows",
        ),
        "latin1.csv": (
            csv.replace(b"PERSONS", "PERSONNES\xe9".encode("latin-1")),
            "read",
            [],
            "not readable as CSV",
        ),
    }
    expected = {}
    for name, (content, outcome, codes, message) in cases.items():
        (HERE / name).write_bytes(content)
        expected[name] = {"error": outcome, "codes": codes, "message": message}
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
