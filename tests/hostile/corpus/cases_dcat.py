# ruff: noqa: E501
"""DCAT descriptions (Turtle, N-Triples, RDF/XML, JSON-LD) and SHACL shapes: DTDs and
entities, remote JSON-LD contexts, truncated descriptions of our own data set, huge literals,
deeply nested cdi:*Json literals; shapes with SERVICE, remote graphs, cartesian products and
catastrophic patterns."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from ._case import Case, Finding, Run, Seeds
from ._util import fifo, make, write
from .mutate import flip_bits, truncate

__all__ = ["cases"]

dc = make("dcat")
sh = make("shacl")
SYNTAXES = ("ttl", "nt", "rdf", "jsonld")


def _read(ext: str) -> tuple[str, ...]:
    return ("dcat", "read", f"{{d}}/in.{ext}", "-o", "{d}/out.json")


def _seed(seeds: Seeds, ext: str) -> bytes:
    return (seeds / f"ds.{ext}").read_bytes()


@cache
def _expected(path: str) -> Any:
    from cdinterop import dcat, dumps

    return json.loads(dumps(dcat.read(path)))


def same_as_full(ext: str) -> Any:
    """After a success: the data set read equals the one read from the whole seed (a
    damaged description must not lose metadata without a word)."""

    def check(run: Run) -> Finding | None:
        if run.returncode != 0:
            return None
        got = json.loads((run.work / "out.json").read_text("utf-8"))
        want = _expected(str(run.seeds / f"ds.{ext}"))
        if got != want:
            lost = sorted(k for k in want if got.get(k) != want.get(k))
            return Finding(
                "loss", f"the data set read differs from the whole description in {lost[:6]}"
            )
        return None

    return check


def _lines_cut(data: bytes, fraction: float) -> bytes:
    return data[: data.rfind(b"\n", 0, int(len(data) * fraction)) + 1]


def _rdf_dtd(data: bytes, dtd: bytes, use: bytes = b"") -> bytes:
    head, sep, rest = data.partition(b"?>")
    if not sep:
        head, sep, rest = b"", b"", data
    out = head + sep + b"\n" + dtd + rest
    if use:
        out = re.sub(rb"(<dct:title[^>]*>)", lambda m: m.group(1) + use, out, count=1)
    return out


LAUGHS = (
    b'<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(9))
    + b"]>"
)


def _jsonld_context(seeds: Seeds, context: Any) -> bytes:
    data = json.loads(_seed(seeds, "jsonld"))
    if isinstance(data, dict):
        data["@context"] = context
    else:
        data = {"@context": context, "@graph": data}
    return json.dumps(data).encode()


def _json_literal(seeds: Seeds, new: str) -> bytes:
    text = _seed(seeds, "ttl").decode()
    return re.sub(
        r'cdi:consentJson "(?:[^"\\]|\\.)*"', "cdi:consentJson " + json.dumps(new), text, count=1
    ).encode()


def _dcat_cases() -> list[Case]:
    out: list[Case] = []
    for ext in SYNTAXES:
        argv = _read(ext)
        out.append(
            dc(
                f"{ext}-valid",
                argv,
                "ok",
                write(f"in.{ext}", lambda s, e=ext: _seed(s, e)),
                same_as_full(ext),
            )
        )
        out.append(
            dc(
                f"{ext}-validate",
                ("validate", f"{{d}}/in.{ext}"),
                "ok",
                write(f"in.{ext}", lambda s, e=ext: _seed(s, e)),
            )
        )
        for frac in (0.3, 0.7, 0.995):
            out.append(
                dc(
                    f"{ext}-truncated-{frac}",
                    argv,
                    "any",
                    write(f"in.{ext}", lambda s, e=ext, f=frac: truncate(_seed(s, e), f)),
                    same_as_full(ext),
                )
            )
        for n in range(3):
            out.append(
                dc(
                    f"{ext}-bitflip-{n}",
                    argv,
                    "any",
                    write(f"in.{ext}", lambda s, e=ext, n=n: flip_bits(_seed(s, e), 1500 + n, 3)),
                )
            )
    for ext in ("ttl", "nt"):
        for frac in (0.5, 0.9, 0.99):
            out.append(
                dc(
                    f"{ext}-cut-at-line-{frac}",
                    _read(ext),
                    "any",
                    write(f"in.{ext}", lambda s, e=ext, f=frac: _lines_cut(_seed(s, e), f)),
                    same_as_full(ext),
                )
            )
    rdf = _read("rdf")
    out += [
        dc(
            "rdf-internal-entity",
            rdf,
            "error",
            write(
                "in.rdf",
                lambda s: _rdf_dtd(
                    _seed(s, "rdf"), b'<!DOCTYPE rdf:RDF [<!ENTITY e "x">]>', b"&e;"
                ),
            ),
        ),
        dc(
            "rdf-billion-laughs",
            rdf,
            "error",
            write("in.rdf", lambda s: _rdf_dtd(_seed(s, "rdf"), LAUGHS, b"&j;")),
        ),
        dc(
            "rdf-xxe",
            rdf,
            "error",
            write(
                "in.rdf",
                lambda s: _rdf_dtd(
                    _seed(s, "rdf"),
                    b'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:../outside/secret.txt">]>',
                    b"&x;",
                ),
            ),
        ),
        dc(
            "rdf-late-doctype",
            rdf,
            "error",
            write(
                "in.rdf",
                lambda s: _rdf_dtd(
                    _seed(s, "rdf"),
                    b"<!--" + b"c" * 70_000 + b'--><!DOCTYPE rdf:RDF [<!ENTITY e "x">]>',
                    b"&e;",
                ),
            ),
        ),
        dc(
            "rdf-external-dtd",
            rdf,
            "error",
            write(
                "in.rdf",
                lambda s: _rdf_dtd(
                    _seed(s, "rdf"), b'<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/x.dtd">'
                ),
            ),
        ),
        dc(
            "rdf-validate-laughs",
            ("validate", "{d}/in.rdf"),
            "error",
            write("in.rdf", lambda s: _rdf_dtd(_seed(s, "rdf"), LAUGHS, b"&j;")),
        ),
        dc(
            "jsonld-remote-context",
            _read("jsonld"),
            "error",
            write("in.jsonld", lambda s: _jsonld_context(s, "http://127.0.0.1:9/context.jsonld")),
        ),
        dc(
            "jsonld-remote-context-array",
            _read("jsonld"),
            "error",
            write(
                "in.jsonld",
                lambda s: _jsonld_context(
                    s, [{"dct": "http://purl.org/dc/terms/"}, "https://example.org/ctx.jsonld"]
                ),
            ),
        ),
        dc(
            "jsonld-file-context",
            _read("jsonld"),
            "error",
            write("in.jsonld", lambda s: _jsonld_context(s, "file:../outside/secret.txt")),
        ),
        dc(
            "jsonld-import",
            _read("jsonld"),
            "error",
            write(
                "in.jsonld",
                lambda s: _jsonld_context(s, {"@import": "http://127.0.0.1:9/ctx.jsonld"}),
            ),
        ),
        dc(
            "jsonld-validate-remote-context",
            ("validate", "{d}/in.jsonld"),
            "error",
            write("in.jsonld", lambda s: _jsonld_context(s, "http://127.0.0.1:9/context.jsonld")),
        ),
        dc(
            "jsonld-nesting-100k",
            _read("jsonld"),
            "error",
            write("in.jsonld", lambda s: b'{"@graph": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        ),
        dc(
            "ttl-base-file",
            _read("ttl"),
            "any",
            write("in.ttl", lambda s: b"@base <file:///etc/passwd> .\n" + _seed(s, "ttl")),
        ),
        dc(
            "ttl-literal-20mb",
            _read("ttl"),
            "any",
            write(
                "in.ttl",
                lambda s: (
                    _seed(s, "ttl")
                    + b'\n<http://x/a> <http://x/b> "'
                    + b"L" * (20 * 2**20)
                    + b'" .\n'
                ),
            ),
        ),
        dc(
            "ttl-literal-300mb",
            _read("ttl"),
            "error",
            write(
                "in.ttl",
                lambda s: (
                    _seed(s, "ttl")
                    + b'\n<http://x/a> <http://x/b> "'
                    + b"L" * (300 * 2**20)
                    + b'" .\n'
                ),
            ),
            timeout=180,
        ),
        dc(
            "ttl-json-literal-nesting-100k",
            _read("ttl"),
            "error",
            write("in.ttl", lambda s: _json_literal(s, "[" * 100_000 + "]" * 100_000)),
        ),
        dc(
            "ttl-json-literal-nesting-500",
            _read("ttl"),
            "error",
            write("in.ttl", lambda s: _json_literal(s, '{"a":' * 500 + "1" + "}" * 500)),
        ),
        dc(
            "ttl-json-literal-invalid",
            _read("ttl"),
            "error",
            write("in.ttl", lambda s: _json_literal(s, "{not json")),
        ),
        dc(
            "ttl-json-literal-huge-number",
            _read("ttl"),
            "any",
            write("in.ttl", lambda s: _json_literal(s, '{"obtained": true, "x": 1e400}')),
        ),
        dc(
            "ttl-json-literal-distinct-keys",
            _read("ttl"),
            "error",
            write(
                "in.ttl",
                lambda s: _json_literal(s, json.dumps({f"k{i}": i for i in range(100_000)})),
            ),
        ),
        dc(
            "ttl-owl-imports-remote",
            _read("ttl"),
            "any",
            write(
                "in.ttl",
                lambda s: (
                    _seed(s, "ttl")
                    + b"\n<http://x/a> <http://www.w3.org/2002/07/owl#imports> <http://127.0.0.1:9/more.ttl> .\n"
                ),
            ),
            same_as_full("ttl"),
        ),
        dc(
            "nt-2m-triples",
            _read("nt"),
            "error",
            write(
                "in.nt",
                lambda s: b"".join(
                    b"<http://x/s%d> <http://x/p> <http://x/o> .\n" % i for i in range(2_100_000)
                ),
            ),
            timeout=300,
        ),
        dc("empty", _read("ttl"), "error", write("in.ttl", lambda s: b"")),
        dc("binary", _read("ttl"), "error", write("in.ttl", lambda s: bytes(range(256)) * 100)),
        dc(
            "jsonld-in-ttl-file",
            _read("ttl"),
            "error",
            write("in.ttl", lambda s: _seed(s, "jsonld")),
        ),
        dc(
            "unknown-suffix",
            ("dcat", "read", "{d}/in.xyz", "-o", "{d}/out.json"),
            "any",
            write("in.xyz", lambda s: _seed(s, "ttl")),
            same_as_full("ttl"),
        ),
        dc(
            "ttl-bom",
            _read("ttl"),
            "any",
            write("in.ttl", lambda s: b"\xef\xbb\xbf" + _seed(s, "ttl")),
            same_as_full("ttl"),
        ),
        dc(
            "ttl-utf16",
            _read("ttl"),
            "any",
            write("in.ttl", lambda s: _seed(s, "ttl").decode().encode("utf-16")),
            same_as_full("ttl"),
        ),
        dc(
            "fifo",
            ("dcat", "read", "{d}/in.ttl", "-o", "{d}/out.json"),
            "error",
            fifo("in.ttl"),
            timeout=30,
        ),
        dc(
            "dev-zero",
            ("dcat", "read", "/dev/zero", "-o", "{d}/out.json", "--format", "turtle"),
            "error",
            timeout=30,
        ),
        dc(
            "two-datasets-validate",
            ("validate", "{d}/in.ttl"),
            "any",
            write(
                "in.ttl",
                lambda s: (
                    _seed(s, "ttl")
                    + _seed(s, "ttl").replace(b"DF_SERVICE_SATISFACTION_KE", b"DF_OTHER")
                ),
            ),
        ),
    ]
    return out


PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/shapes#> .
"""


def _sparql_shape(select: str, target: str = "sh:targetClass dcat:Dataset ;") -> str:
    return (
        PREFIXES
        + "ex:S a sh:NodeShape ;\n  "
        + target
        + "\n  sh:sparql [ a sh:SPARQLConstraint ;\n"
        '    sh:message "m" ;\n    sh:select """' + select + '""" ] .\n'
    )


def _shacl_cases() -> list[Case]:
    argv = ("validate", "{s}/ds.ttl", "--shapes", "{d}/shapes.ttl")

    def shapes(text: str) -> Any:
        return write("shapes.ttl", lambda s: text.encode())

    cartesian = "SELECT $this WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"
    return [
        sh(
            "service",
            argv,
            "error",
            shapes(
                _sparql_shape(
                    "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
                )
            ),
        ),
        sh(
            "service-lowercase-subquery",
            argv,
            "error",
            shapes(
                _sparql_shape(
                    "SELECT $this WHERE { { SELECT ?s WHERE { service silent <http://127.0.0.1:9/q> { ?s ?p ?o } } } }"
                )
            ),
        ),
        sh(
            "service-unicode-escape",
            argv,
            "error",
            shapes(
                _sparql_shape(
                    "SELECT $this WHERE { SERV\\u0049CE <http://127.0.0.1:9/q> { ?s ?p ?o } }"
                )
            ),
        ),
        sh(
            "service-in-target",
            argv,
            "error",
            shapes(
                PREFIXES
                + 'ex:S a sh:NodeShape ;\n  sh:target [ a sh:SPARQLTarget ; sh:select """SELECT ?this WHERE { SERVICE <http://127.0.0.1:9/q> { ?this ?p ?o } }""" ] ;\n  sh:property [ sh:path dct:title ; sh:minCount 1 ] .\n'
            ),
        ),
        sh(
            "from-remote-graph",
            argv,
            "any",
            shapes(_sparql_shape("SELECT $this FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }")),
        ),
        sh(
            "cartesian-with-time-limit",
            (*argv, "--limit", "seconds=10"),
            "error",
            shapes(_sparql_shape(cartesian)),
            timeout=90,
        ),
        sh(
            "catastrophic-pattern",
            argv,
            "any",
            shapes(
                PREFIXES
                + 'ex:S a sh:NodeShape ;\n  sh:targetClass dcat:Dataset ;\n  sh:property [ sh:path dct:identifier ; sh:pattern "^(a|a)*(a|a)*(a|a)*$" ] .\n'
            ),
            timeout=90,
        ),
        sh(
            "recursive-node",
            argv,
            "any",
            shapes(
                PREFIXES
                + "ex:S a sh:NodeShape ;\n  sh:targetClass dcat:Dataset ;\n  sh:node ex:S ;\n  sh:property [ sh:path dct:title ; sh:node ex:S ] .\n"
            ),
        ),
        sh(
            "owl-imports-remote",
            argv,
            "any",
            shapes(
                PREFIXES
                + "<http://example.org/shapes> <http://www.w3.org/2002/07/owl#imports> <http://127.0.0.1:9/shapes.ttl> .\n"
            ),
        ),
        sh(
            "rdfxml-doctype",
            ("validate", "{s}/ds.ttl", "--shapes", "{d}/shapes.rdf"),
            "error",
            write(
                "shapes.rdf",
                lambda s: (
                    b'<?xml version="1.0"?>'
                    + LAUGHS
                    + b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://x/a"><rdf:value>&j;</rdf:value></rdf:Description></rdf:RDF>'
                ),
            ),
        ),
        sh(
            "truncated",
            argv,
            "error",
            shapes(_sparql_shape("SELECT $this WHERE { ?s ?p ?o }")[:150]),
        ),
        sh("fifo", argv, "error", fifo("shapes.ttl"), timeout=30),
        sh("dev-zero", ("validate", "{s}/ds.ttl", "--shapes", "/dev/zero"), "error", timeout=30),
        sh(
            "100k-shapes",
            argv,
            "any",
            shapes(
                PREFIXES
                + "".join(
                    f"ex:S{i} a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:property [ sh:path dct:title ; sh:minCount 1 ] .\n"
                    for i in range(100_000)
                )
            ),
            timeout=120,
        ),
        sh(
            "data-jsonld-remote-context-with-shapes",
            ("validate", "{d}/in.jsonld", "--shapes", "{d}/shapes.ttl"),
            "error",
            lambda w, s: (
                (w / "in.jsonld").write_bytes(_jsonld_context(s, "http://127.0.0.1:9/c.jsonld")),
                (w / "shapes.ttl").write_text(
                    _sparql_shape("SELECT $this WHERE { ?s ?p ?o }"), encoding="utf-8"
                ),
                None,
            )[-1],
        ),
    ]


def cases() -> list[Case]:
    """The DCAT and SHACL cases."""
    return [*_dcat_cases(), *_shacl_cases()]


_ = Path
