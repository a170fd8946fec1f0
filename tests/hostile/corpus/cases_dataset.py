"""Data set JSON (``validate``, ``sdmx write``, ``dcat write``, ``datapackage write``):
nesting, bad types, huge numbers, characters XML cannot carry, damage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lxml import etree

from ._case import Case, Finding, Run, Seeds
from ._util import make, write
from .mutate import flip_bits, truncate

__all__ = ["cases"]

case = make("dataset")
VALIDATE = ("validate", "{d}/ds.json")
SDMX = ("sdmx", "write", "{d}/ds.json", "-o", "{d}/out")
DCAT_RDF = ("dcat", "write", "{d}/ds.json", "-o", "{d}/out.rdf")
DCAT_TTL = ("dcat", "write", "{d}/ds.json", "-o", "{d}/out.ttl")
DP = ("datapackage", "write", "{d}/ds.json", "-o", "{d}/out.zip")


def _seed(seeds: Seeds) -> bytes:
    """The seed data set as one line of JSON (so that snippets can be replaced in it)."""
    return json.dumps(
        json.loads((seeds / "dataset.json").read_bytes()), ensure_ascii=False
    ).encode()


def _data(seeds: Seeds) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_seed(seeds))
    return data


def _changed(path: tuple[Any, ...], value: Any) -> Any:
    def make_bytes(seeds: Seeds) -> bytes:
        data = _data(seeds)
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return json.dumps(data, ensure_ascii=False).encode()

    return make_bytes


def _raw(old: bytes, new: bytes) -> Any:
    return lambda s: _seed(s).replace(old, new, 1)


def xml_parses(folder: str = "out") -> Any:
    """After a success: every XML file written parses (no character XML cannot carry)."""

    def check(run: Run) -> Finding | None:
        if run.returncode != 0:
            return None
        base = run.work / folder
        files = [base] if base.is_file() else sorted(base.rglob("*.xml"))
        for path in files:
            if path.suffix in (".xml", ".rdf"):
                try:
                    etree.parse(str(path), etree.XMLParser(resolve_entities=False, huge_tree=True))
                except etree.XMLSyntaxError as exc:
                    return Finding("loss", f"{Path(path).name} is not well-formed XML: {exc}")
        return None

    return check


def cases() -> list[Case]:
    """The data set JSON cases."""
    bad_chars = {
        "nul": "\u0000",
        "soh": "\u0001",
        "fffe": "\ufffe",
        "esc": "\u001b",
        "vt": "\u000b",
    }
    out: list[Case] = [
        case("valid-validate", VALIDATE, "ok", write("ds.json", _seed)),
        case("valid-sdmx-write", SDMX, "ok", write("ds.json", _seed), xml_parses()),
        case(
            "nesting-100k-validate",
            VALIDATE,
            "error",
            write("ds.json", lambda s: b"[" * 100_000 + b"]" * 100_000),
        ),
        case(
            "nesting-100k-sdmx-write",
            SDMX,
            "error",
            write("ds.json", lambda s: b"[" * 100_000 + b"]" * 100_000),
        ),
        case(
            "nesting-in-title",
            VALIDATE,
            "error",
            write(
                "ds.json",
                _raw(b'"title": {', b'"title": {"x": ' + b"[" * 5000 + b"]" * 5000 + b", "),
            ),
        ),
        case(
            "nesting-in-description-dcat",
            DCAT_TTL,
            "error",
            write(
                "ds.json",
                lambda s: _seed(s).replace(
                    b'"description": {',
                    b'"description": {"xx": ' + b"[" * 50_000 + b"]" * 50_000 + b",",
                    1,
                ),
            ),
        ),
        case("title-number", VALIDATE, "error", write("ds.json", _changed(("title",), 42))),
        case(
            "observations-string",
            VALIDATE,
            "error",
            write("ds.json", _changed(("observations",), "all of them")),
        ),
        case(
            "obs-value-object",
            VALIDATE,
            "error",
            write("ds.json", _changed(("observations", 5, "OBS_VALUE"), {"a": 1})),
        ),
        case(
            "obs-value-huge-int-validate",
            VALIDATE,
            "any",
            write("ds.json", _raw(b'"OBS_VALUE": null', b'"OBS_VALUE": ' + b"9" * 5000)),
        ),
        case(
            "obs-value-huge-int-sdmx",
            SDMX,
            "any",
            write("ds.json", _raw(b'"OBS_VALUE": null', b'"OBS_VALUE": ' + b"9" * 5000)),
            xml_parses(),
        ),
        case(
            "obs-value-1e400",
            SDMX,
            "any",
            write("ds.json", _raw(b'"OBS_VALUE": null', b'"OBS_VALUE": 1e400')),
            xml_parses(),
        ),
        case(
            "obs-value-nan",
            VALIDATE,
            "any",
            write("ds.json", _raw(b'"OBS_VALUE": null', b'"OBS_VALUE": NaN')),
        ),
        case(
            "obs-value-infinity-sdmx",
            SDMX,
            "any",
            write("ds.json", _raw(b'"OBS_VALUE": null', b'"OBS_VALUE": Infinity')),
            xml_parses(),
        ),
        case(
            "int-1m-digits",
            VALIDATE,
            "error",
            write("ds.json", _raw(b'"OBS_VALUE": null', b'"OBS_VALUE": ' + b"9" * 1_000_000)),
        ),
        case(
            "duplicate-key",
            VALIDATE,
            "any",
            write("ds.json", lambda s: b'{"id": "OTHER", ' + _seed(s)[1:]),
        ),
        case("unknown-key", VALIDATE, "error", write("ds.json", _changed(("unknown_field",), 1))),
        case("bom", VALIDATE, "any", write("ds.json", lambda s: b"\xef\xbb\xbf" + _seed(s))),
        case(
            "utf16", VALIDATE, "any", write("ds.json", lambda s: _seed(s).decode().encode("utf-16"))
        ),
        case("empty", VALIDATE, "error", write("ds.json", lambda s: b"")),
        case("null", VALIDATE, "error", write("ds.json", lambda s: b"null")),
        case(
            "title-20mb",
            SDMX,
            "any",
            write("ds.json", _changed(("title", "en"), "T" * (20 * 2**20))),
            xml_parses(),
        ),
        case(
            "attribute-keys-100k",
            VALIDATE,
            "error",
            write("ds.json", _changed(("observations", 0), {f"K{i}": "x" for i in range(100_000)})),
        ),
        case(
            "schema-remote",
            VALIDATE,
            "any",
            write("ds.json", _changed(("$schema",), "http://127.0.0.1:9/schema.json")),
        ),
        case(
            "id-path-traversal-sdmx",
            SDMX,
            "error",
            write("ds.json", _changed(("id",), "../../outside/x")),
        ),
        case(
            "id-path-traversal-dp",
            DP,
            "error",
            write("ds.json", _changed(("id",), "../../outside/x")),
        ),
        case(
            "lone-surrogate-title-sdmx",
            SDMX,
            "any",
            write("ds.json", _raw(b'"title": {"en": "', b'"title": {"en": "\\ud800')),
            xml_parses(),
        ),
        case(
            "lone-surrogate-title-dcat",
            DCAT_RDF,
            "any",
            write("ds.json", _raw(b'"title": {"en": "', b'"title": {"en": "\\ud800')),
            xml_parses("out.rdf"),
        ),
        case(
            "formula-title-dp",
            DP,
            "ok",
            write("ds.json", _changed(("title", "en"), '=HYPERLINK("http://x")')),
        ),
        case(
            "bidi-title-dcat",
            DCAT_TTL,
            "ok",
            write("ds.json", _changed(("title", "en"), "abc\u202edcba")),
        ),
    ]
    for name, char in bad_chars.items():
        escaped = json.dumps(char)[1:-1].encode()
        out.append(
            case(
                f"xml-char-{name}-title-sdmx",
                SDMX,
                "any",
                write("ds.json", _raw(b'"title": {"en": "', b'"title": {"en": "' + escaped)),
                xml_parses(),
            )
        )
        out.append(
            case(
                f"xml-char-{name}-title-dcat-rdf",
                DCAT_RDF,
                "any",
                write("ds.json", _raw(b'"title": {"en": "', b'"title": {"en": "' + escaped)),
                xml_parses("out.rdf"),
            )
        )
        out.append(
            case(
                f"xml-char-{name}-code-name-sdmx",
                SDMX,
                "any",
                write("ds.json", _raw(b'"name": {"en": "', b'"name": {"en": "' + escaped)),
                xml_parses(),
            )
        )
    for frac in (0.1, 0.5, 0.999):
        out.append(
            case(
                f"truncated-{frac}",
                VALIDATE,
                "error",
                write("ds.json", lambda s, f=frac: truncate(_seed(s), f)),
            )
        )
    for n in range(6):
        out.append(
            case(
                f"bitflip-validate-{n}",
                VALIDATE,
                "any",
                write("ds.json", lambda s, n=n: flip_bits(_seed(s), 1300 + n, 3)),
            )
        )
    for n in range(3):
        out.append(
            case(
                f"bitflip-sdmx-write-{n}",
                SDMX,
                "any",
                write("ds.json", lambda s, n=n: flip_bits(_seed(s), 1400 + n, 3)),
                xml_parses(),
            )
        )
    return out
