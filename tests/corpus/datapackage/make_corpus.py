"""Regenerate the malformed Data Package corpus: ``python tests/corpus/datapackage/make_corpus.py``.

Each case is a package (a folder, or a ``.zip``) that breaks one rule, derived from two
small valid packages written out by hand below (not by cdinterop): a plain Data Package
and one with cdinterop's ``cdinterop:*`` properties. ``expected.json`` says how each must
come out of ``cdinterop.datapackage.read``:

- ``ok``: it reads (valid packages: other encodings, zip layouts);
- ``read``: a :class:`~cdinterop.errors.ReadError` whose message contains ``message``;
- ``invalid``: an :class:`~cdinterop.errors.InvalidDatasetError` with these
  ``[location, code]`` issues (and ``check_package`` reports the same).
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

PLAIN: dict[str, Any] = {
    "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
    "name": "corpus-base",
    "title": "Corpus base",
    "licenses": [{"name": "CC-BY-4.0", "path": "https://spdx.org/licenses/CC-BY-4.0.html"}],
    "resources": [
        {
            "name": "observations",
            "type": "table",
            "path": "observations.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [
                    {
                        "name": "SEX",
                        "type": "string",
                        "categories": [
                            {"value": "F", "label": "Female"},
                            {"value": "M", "label": "Male"},
                        ],
                        "constraints": {"required": True, "enum": ["F", "M"]},
                    },
                    {"name": "TIME_PERIOD", "type": "string", "constraints": {"required": True}},
                    {"name": "OBS_VALUE", "type": "number"},
                    {"name": "COMMENT", "type": "string"},
                ],
                "missingValues": [""],
                "primaryKey": ["SEX", "TIME_PERIOD"],
            },
        }
    ],
}
CSV = "SEX,TIME_PERIOD,OBS_VALUE,COMMENT\nF,2023,1.5,Café\nM,2023,2,\n"

OURS: dict[str, Any] = {
    "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
    "name": "df_corpus",
    "title": "Corpus base",
    "version": "1.0",
    "licenses": [{"name": "CC-BY-4.0", "path": "https://spdx.org/licenses/CC-BY-4.0.html"}],
    "resources": [
        {
            "name": "observations",
            "type": "table",
            "path": "observations.csv",
            "format": "csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [
                    {"name": "SEX", "type": "string", "constraints": {"required": True}},
                    {"name": "TIME_PERIOD", "type": "string", "constraints": {"required": True}},
                    {"name": "OBS_VALUE", "type": "number"},
                    {
                        "name": "UNIT",
                        "type": "string",
                        "constraints": {"required": True, "enum": ["PT"]},
                    },
                ],
                "missingValues": [""],
                "primaryKey": ["SEX", "TIME_PERIOD"],
            },
        }
    ],
    "cdinterop:format-version": "1",
    "cdinterop:metadata": {"id": "DF_CORPUS", "agency": "TEST", "title": {"en": "Corpus base"}},
    "cdinterop:structure": {
        "id": "DSD_CORPUS",
        "agency": "TEST",
        "name": {"en": "Corpus structure"},
        "concepts": [
            {"id": i, "name": {"en": i}} for i in ("SEX", "TIME_PERIOD", "OBS_VALUE", "UNIT")
        ],
        "codelists": [
            {
                "id": "CL_SEX",
                "name": {"en": "Sex"},
                "codes": [{"id": c, "name": {"en": c}} for c in ("F", "M")],
            }
        ],
        "dimensions": [{"id": "SEX", "codelist": "CL_SEX"}],
        "time_dimension": {"id": "TIME_PERIOD"},
        "attributes": [{"id": "UNIT", "attachment": "dataset"}],
    },
}
OURS_CSV = "SEX,TIME_PERIOD,OBS_VALUE,UNIT\nF,2023,1.5,PT\nM,2023,2,PT\n"


def plain(**changes: Any) -> dict[str, Any]:
    """The plain package with top-level changes."""
    data = copy.deepcopy(PLAIN)
    data.update(changes)
    return data


def plain_resource(**changes: Any) -> dict[str, Any]:
    """The plain package with changes to its resource."""
    data = copy.deepcopy(PLAIN)
    data["resources"][0].update(changes)
    return data


def ours(**changes: Any) -> dict[str, Any]:
    """The cdinterop package with top-level changes."""
    data = copy.deepcopy(OURS)
    data.update(changes)
    return data


def _json(descriptor: Any) -> bytes:
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode()


def folder(name: str, files: dict[str, bytes]) -> None:
    """Write a package folder from its files."""
    target = HERE / name
    for path, content in files.items():
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_bytes(content)


def archive(name: str, files: dict[str, bytes]) -> None:
    """Write a zip archive (fixed timestamps, so that regeneration is reproducible)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, content in files.items():
            info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, content)
    (HERE / name).write_bytes(buffer.getvalue())


def main() -> None:
    for child in HERE.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        elif child.suffix == ".zip" or child.name == "expected.json":
            child.unlink()
    expected: dict[str, dict[str, Any]] = {}
    base = {"datapackage.json": _json(PLAIN), "observations.csv": CSV.encode()}

    def case(name: str, files: dict[str, bytes], outcome: dict[str, Any]) -> None:
        (archive if name.endswith(".zip") else folder)(name, files)
        expected[name] = outcome

    ok = {"error": "ok"}
    case("valid", base, ok)
    case("valid-ours", {"datapackage.json": _json(OURS), "observations.csv": OURS_CSV.encode()}, ok)
    case(
        "valid-latin1",
        {
            "datapackage.json": _json(plain_resource(encoding="latin-1")),
            "observations.csv": CSV.encode("latin-1"),
        },
        ok,
    )
    case("valid-bom", {**base, "observations.csv": b"\xef\xbb\xbf" + CSV.encode()}, ok)
    case("valid.zip", base, ok)
    case("valid-nested.zip", {f"package/{k}": v for k, v in base.items()}, ok)

    def read(name: str, files: dict[str, bytes], message: str) -> None:
        case(name, files, {"error": "read", "message": message})

    read("broken-json", {**base, "datapackage.json": _json(PLAIN)[:150]}, "not valid JSON")
    read("not-object", {**base, "datapackage.json": b"[1, 2, 3]\n"}, "JSON object")
    read("no-resources", {**base, "datapackage.json": _json(plain(resources=[]))}, "resources")
    read("missing-file", {"datapackage.json": base["datapackage.json"]}, "not found")
    read("empty-csv", {**base, "observations.csv": b""}, "empty")
    read(
        "ragged-row",
        {**base, "observations.csv": (CSV + "F,2024,3,x,extra\n").encode()},
        "not a readable CSV",
    )
    read(
        "latin1-declared-utf8",
        {**base, "observations.csv": CSV.encode("latin-1")},
        "line 2: byte b'\\xe9' is not valid utf-8",
    )
    read(
        "unknown-encoding",
        {**base, "datapackage.json": _json(plain_resource(encoding="klingon"))},
        "unknown encoding 'klingon'",
    )
    for name, path, message in (
        ("traversal", "../../etc/passwd", "goes outside the package"),
        ("absolute", "/etc/passwd", "is an absolute path"),
        ("windows-absolute", "C:\\Windows\\win.ini", "is an absolute path"),
        ("url", "https://example.org/observations.csv", "is a URL"),
        ("file-url", "file:///etc/passwd", "is a URL"),
        ("backslash", "data\\..\\..\\secret.csv", "backslashes"),
        ("home", "~/secret.csv", "home folder"),
    ):
        read(name, {**base, "datapackage.json": _json(plain_resource(path=path))}, message)
    read(
        "schema-traversal",
        {**base, "datapackage.json": _json(plain_resource(schema="../schema.json"))},
        "goes outside the package",
    )
    read(
        "zip-slip.zip",
        {
            "datapackage.json": _json(plain_resource(path="../evil.csv")),
            "../evil.csv": CSV.encode(),
        },
        "unsafe name",
    )
    read(
        "no-tabular",
        {
            "datapackage.json": _json(
                plain(resources=[{"name": "readme", "path": "README.md", "format": "md"}])
            ),
            "README.md": b"# nothing tabular\n",
        },
        "no tabular resource",
    )
    numbers_only = plain_resource(
        schema={"fields": [{"name": "A", "type": "number"}, {"name": "B", "type": "integer"}]}
    )
    read(
        "numbers-only", {**base, "datapackage.json": _json(numbers_only)}, "cannot infer dimensions"
    )
    banana = copy.deepcopy(PLAIN)
    banana["resources"][0]["schema"]["fields"][2]["type"] = "banana"
    read("unknown-type", {**base, "datapackage.json": _json(banana)}, "unknown type 'banana'")
    read(
        "ours-future-version",
        {
            "datapackage.json": _json(ours(**{"cdinterop:format-version": "2"})),
            "observations.csv": OURS_CSV.encode(),
        },
        "this cdinterop reads '1'",
    )

    def invalid(name: str, files: dict[str, bytes], issues: list[list[str]]) -> None:
        case(name, files, {"error": "invalid", "issues": issues})

    rows = CSV.replace("1.5", "n/a")
    invalid(
        "wrong-type",
        {**base, "observations.csv": rows.encode()},
        [["observations[0].OBS_VALUE", "wrong-type"]],
    )
    invalid(
        "unknown-code",
        {**base, "observations.csv": CSV.replace("M,", "X,").encode()},
        [["observations[1].SEX", "unknown-code"]],
    )
    invalid(
        "duplicate-key",
        {**base, "observations.csv": (CSV + "F,2023,7,\n").encode()},
        [["observations[2]", "duplicate-key"]],
    )
    invalid(
        "missing-value",
        {**base, "observations.csv": (CSV + ",2024,7,\n").encode()},
        [["observations[2].SEX", "missing-value"]],
    )
    invalid(
        "bad-period",
        {**base, "observations.csv": (CSV + "F,2023-Q9,7,\n").encode()},
        [["observations[2].TIME_PERIOD", "malformed-period"]],
    )
    invalid(
        "missing-column",
        {**base, "observations.csv": b"SEX,TIME_PERIOD,COMMENT\nF,2023,\n"},
        [["observations.OBS_VALUE", "missing-column"]],
    )
    invalid(
        "extra-column",
        {
            **base,
            "observations.csv": CSV.replace("COMMENT\n", "COMMENT,COLOUR\n")
            .replace("Café\n", "Café,red\n")
            .replace("2,\n", "2,,blue\n")
            .encode(),
        },
        [["observations.COLOUR", "unknown-column"]],
    )
    invalid(
        "hash-mismatch",
        {**base, "datapackage.json": _json(plain_resource(hash="sha256:" + "0" * 64, bytes=1))},
        [["resources[0].hash", "hash-mismatch"], ["resources[0].bytes", "bytes-mismatch"]],
    )
    bad_title = ours()
    bad_title["cdinterop:metadata"] = {**OURS["cdinterop:metadata"], "title": {"english": "x"}}
    invalid(
        "ours-bad-metadata",
        {"datapackage.json": _json(bad_title), "observations.csv": OURS_CSV.encode()},
        [["descriptor.cdinterop:metadata.title.english.[key]", "rule"]],
    )
    invalid(
        "ours-inconsistent-attribute",
        {
            "datapackage.json": _json(OURS),
            "observations.csv": OURS_CSV.replace("2,PT", "2,XX").encode(),
        },
        [["observations[1].UNIT", "inconsistent-dataset-attribute"]],
    )
    mismatch = copy.deepcopy(OURS)
    mismatch["resources"][0]["schema"]["fields"].pop()
    invalid(
        "ours-schema-mismatch",
        {"datapackage.json": _json(mismatch), "observations.csv": OURS_CSV.encode()},
        [["resources[0].schema.fields", "schema-mismatch"]],
    )
    invalid(
        "ours-unknown-property",
        {
            "datapackage.json": _json(ours(**{"cdinterop:colour": "red"})),
            "observations.csv": OURS_CSV.encode(),
        },
        [["descriptor.cdinterop:colour", "unknown-property"]],
    )
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
