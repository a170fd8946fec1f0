"""Mapping specs (YAML) and pseudonymisation keys: alias bombs, Python tags, deep nesting,
unknown keys, hostile expressions, keys that are devices, FIFOs or missing."""

from __future__ import annotations

import textwrap

from ._case import Case, Seeds, Setup
from ._util import fifo, ingest_counts, link, make, write, writes
from .seeds import PLAIN_ROWS, PLAIN_SPEC

__all__ = ["cases"]

case = make("spec")
ARGS = ("ingest", "{s}/plain.csv", "-m", "{d}/spec.yaml", "-o", "{d}/out")
KOBO = ("ingest", "{s}/kobo.csv", "-m", "{d}/spec.yaml", "-o", "{d}/out")
CONVERT = ("convert", "{s}/kobo.csv", "-m", "{d}/spec.yaml", "-o", "{d}/out")
KEPT = ingest_counts(PLAIN_ROWS, accepted=PLAIN_ROWS)
CONSISTENT = ingest_counts()


def _spec(text: str) -> Setup:
    return write("spec.yaml", lambda s: text.encode())


def _replace(old: str, new: str) -> Setup:
    return write("spec.yaml", lambda s: PLAIN_SPEC.replace(old, new, 1).encode())


def _expression(expr: str) -> Setup:
    """The plain spec with NOTE computed by ``expr``."""
    return write(
        "spec.yaml",
        lambda s: PLAIN_SPEC.replace(
            "NOTE: {from: note}", "NOTE: {expression: " + _quoted(expr) + "}", 1
        ).encode(),
    )


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _kobo(seeds: Seeds, old: str, new: str) -> bytes:
    return (seeds / "kobo.yaml").read_text(encoding="utf-8").replace(old, new, 1).encode()


PSEUDO = write(
    "spec.yaml",
    lambda s: PLAIN_SPEC.replace(
        "components:", "privacy: {pseudonymise: [id]}\ncomponents:"
    ).encode(),
)


def _laughs() -> str:
    lines = ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    for i in range(8):
        prev = f"*{chr(97 + i)}"
        lines.append(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([prev] * 9)}]")
    return "\n".join(lines)


LAUGHS = _laughs()


def _expressions() -> list[Case]:
    hostile = {
        "syntax-error": "1 +",
        "dunder-import": "__import__('os').system('touch ../outside/pwned')",
        "class-walk": "().__class__.__bases__[0].__subclasses__()",
        "open-file": "open('../outside/secret.txt').read()",
        "eval": "eval('1+1')",
        "exec": "exec('x=1')",
        "getattr": "getattr(note, 'upper')()",
        "attribute": "note.upper()",
        "lambda": "(lambda: 1)()",
        "comprehension-1e9": "[x for x in range(10**9)]",
        "power-tower": "9**9**9",
        "power-big": "2**100000000",
        "string-repeat": "'a' * 10**10",
        "string-repeat-column": "note * 100000000",
        "walrus": "(x := 1)",
        "fstring": "f'{note}'",
        "format-attr": "'{0.__class__}'.format(note)",
        "nested-parens-10000": "(" * 10_000 + "1" + ")" * 10_000,
        "nested-not-5000": "not " * 5_000 + "1",
        "long-expression-1mb": "+".join(["1"] * 300_000),
        "unknown-name": "undefined_name + 1",
        "unknown-function": "system('id')",
        "backtick-unbalanced": "`note",
        "backtick-escape": "`no\\`te`",
        "backtick-nul": "`no\x00te`",
        "backtick-unknown-column": "`../../outside/secret.txt`",
        "string-escapes": "'\\x00\\u202e' + note",
        "string-10mb": "'" + "x" * (10 * 2**20) + "'",
        "has-choice-many-args": "has_choice(note, " + ", ".join(["'a'"] * 10_000) + ")",
        "division-by-zero": "1/0",
        "dict-literal": "{'a': 1}['a']",
        "starred": "[*note]",
        "slice-huge": "note[::10**18]",
        "await": "await note",
        "yield": "(yield 1)",
        "semicolon-statement": "1; import os",
    }
    out = []
    for name, expr in hostile.items():
        out.append(
            case(
                f"expression-{name}",
                ARGS,
                "any",
                _expression(expr),
                CONSISTENT,
                note=expr[:60],
                timeout=60,
            )
        )
    return out


def cases() -> list[Case]:
    """The spec and key cases."""
    out: list[Case] = [
        case("valid", ARGS, "ok", _spec(PLAIN_SPEC), KEPT),
        case("alias-bomb", ARGS, "error", _spec(LAUGHS + "\n" + PLAIN_SPEC)),
        case(
            "alias-bomb-in-dataset-keywords",
            ARGS,
            "error",
            _spec(
                PLAIN_SPEC.replace(
                    "dataset:\n",
                    "dataset:\n  keywords:\n" + textwrap.indent(LAUGHS, "    ") + "\n",
                )
            ),
        ),
        case(
            "python-object-apply",
            ARGS,
            "error",
            _spec("x: !!python/object/apply:os.system ['touch ../outside/pwned']\n" + PLAIN_SPEC),
        ),
        case("python-name", ARGS, "error", _spec("x: !!python/name:os.system\n" + PLAIN_SPEC)),
        case(
            "python-tag-in-value",
            ARGS,
            "error",
            _replace("id: hostile-plain", "id: !!python/object/new:str ['x']"),
        ),
        case(
            "custom-tag", ARGS, "error", _replace("id: hostile-plain", "id: !include /etc/passwd")
        ),
        case("binary-tag", ARGS, "any", _replace("id: hostile-plain", "id: !!binary aGVsbG8=")),
        case("set-tag", ARGS, "error", _replace("unmapped: reject", "unmapped: !!set {a, b}")),
        case(
            "deep-flow-nesting-10000",
            ARGS,
            "error",
            _spec(PLAIN_SPEC + "\nx: " + "[" * 10_000 + "]" * 10_000 + "\n"),
        ),
        case(
            "deep-block-nesting-1000",
            ARGS,
            "error",
            _spec(
                PLAIN_SPEC
                + "\nx:\n"
                + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(1000))
                + " " * 1001
                + "v\n"
            ),
        ),
        case("unknown-top-key", ARGS, "error", _spec(PLAIN_SPEC + "\nunknwon_key: 1\n")),
        case(
            "unknown-component-key",
            ARGS,
            "error",
            _replace("SCORE: {from: score}", "SCORE: {from: score, mapp: {}}"),
        ),
        case("typo-in-source", ARGS, "error", _replace("layout: csv", "layuot: csv")),
        case(
            "duplicate-key",
            ARGS,
            "error",
            _spec(PLAIN_SPEC.replace("unmapped: reject", "unmapped: reject\nunmapped: keep")),
        ),
        case(
            "duplicate-component",
            ARGS,
            "error",
            _replace("SCORE: {from: score}", "SCORE: {from: score}\n  SCORE: {from: id}"),
        ),
        case("empty", ARGS, "error", _spec("")),
        case("comment-only", ARGS, "error", _spec("# nothing\n")),
        case("list-root", ARGS, "error", _spec("- a\n- b\n")),
        case("scalar-root", ARGS, "error", _spec("just text\n")),
        case("binary-garbage", ARGS, "error", write("spec.yaml", lambda s: bytes(range(256)) * 10)),
        case("utf16", ARGS, "any", write("spec.yaml", lambda s: PLAIN_SPEC.encode("utf-16")), KEPT),
        case(
            "bom",
            ARGS,
            "ok",
            write("spec.yaml", lambda s: b"\xef\xbb\xbf" + PLAIN_SPEC.encode()),
            KEPT,
        ),
        case(
            "tabs",
            ARGS,
            "error",
            _spec(PLAIN_SPEC.replace("  id: DSD_HOSTILE", "\tid: DSD_HOSTILE")),
        ),
        case(
            "line-20mb",
            ARGS,
            "any",
            _spec(PLAIN_SPEC + "\ndescription_extra: " + "x" * (20 * 2**20) + "\n"),
        ),
        case(
            "description-20mb",
            ARGS,
            "any",
            _replace('version: "1.0"', 'version: "1.0"\ndescription: ' + "x" * (20 * 2**20)),
            KEPT,
        ),
        case(
            "huge-int",
            ARGS,
            "error",
            _replace("unmapped: reject", "unmapped: reject\nmax_rejected: " + "9" * 100_000),
        ),
        case(
            "nan-max-rejected",
            ARGS,
            "error",
            _replace("unmapped: reject", "unmapped: reject\nmax_rejected: .nan"),
        ),
        case(
            "negative-facet",
            ARGS,
            "any",
            _replace("max_value: 100", "max_value: -.inf"),
            CONSISTENT,
        ),
        case(
            "map-100k-entries",
            ARGS,
            "ok",
            _replace(
                "{Ghana: GH, Kenya: KE, GH: GH, KE: KE}",
                "{Ghana: GH, Kenya: KE, GH: GH, KE: KE, "
                + ", ".join(f"x{i}: GH" for i in range(100_000))
                + "}",
            ),
            KEPT,
        ),
        case(
            "components-unknown-columns",
            ARGS,
            "error",
            _replace("SCORE: {from: score}", "SCORE: {from: nonexistent}"),
        ),
        case(
            "component-id-injection",
            ARGS,
            "error",
            _replace("SCORE: {from: score}", "SCORE: {from: score}\n  '../../x': {from: id}"),
        ),
        case(
            "spec-is-directory",
            ("ingest", "{s}/plain.csv", "-m", "{d}/specdir", "-o", "{d}/out"),
            "error",
            write("specdir/x", lambda s: b""),
        ),
        case(
            "spec-fifo",
            ("ingest", "{s}/plain.csv", "-m", "{d}/spec.fifo", "-o", "{d}/out"),
            "error",
            fifo("spec.fifo"),
            timeout=30,
        ),
        case(
            "spec-dev-zero",
            ("ingest", "{s}/plain.csv", "-m", "/dev/zero", "-o", "{d}/out"),
            "error",
            timeout=30,
        ),
        case("spec-link-dev-urandom", ARGS, "error", link("spec.yaml", "/dev/urandom"), timeout=30),
        case(
            "spec-missing",
            ("ingest", "{s}/plain.csv", "-m", "{d}/nothing.yaml", "-o", "{d}/out"),
            "error",
        ),
        case(
            "spec-source-limits-huge",
            ARGS,
            "any",
            _replace("layout: csv", "layout: csv\n  limits: {rows: 1e400}"),
            CONSISTENT,
        ),
        case(
            "spec-source-limits-unknown",
            ARGS,
            "error",
            _replace("layout: csv", "layout: csv\n  limits: {rowz: 10}"),
        ),
        case(
            "spec-encoding-bogus",
            ARGS,
            "error",
            _replace("layout: csv", "layout: csv\n  encoding: no-such-codec"),
        ),
        case(
            "spec-encoding-rot13",
            ARGS,
            "error",
            _replace("layout: csv", "layout: csv\n  encoding: rot13"),
        ),
        case(
            "spec-encoding-base64",
            ARGS,
            "error",
            _replace("layout: csv", "layout: csv\n  encoding: base64"),
        ),
        case(
            "spec-delimiter-newline",
            ARGS,
            "error",
            _replace("layout: csv", 'layout: csv\n  delimiter: "\\n"'),
        ),
        case(
            "spec-delimiter-quote",
            ARGS,
            "error",
            _replace("layout: csv", "layout: csv\n  delimiter: '\"'"),
        ),
        case(
            "spec-header-row-huge",
            ARGS,
            "error",
            _replace("layout: csv", "layout: csv\n  header_row: 1000000000"),
        ),
        # keys
        case(
            "key-dev-zero",
            (*ARGS, "--key", "file:/dev/zero"),
            "error",
            _spec(PLAIN_SPEC.replace("components:", "privacy: {pseudonymise: [id]}\ncomponents:")),
            timeout=30,
        ),
        case(
            "key-fifo",
            (*ARGS, "--key", "file:{d}/key.fifo"),
            "error",
            writes(PSEUDO, fifo("key.fifo")),
            timeout=30,
        ),
        case("key-env-missing", (*ARGS, "--key", "env:CDI_NO_SUCH_VARIABLE"), "error", PSEUDO),
        case("key-file-missing", (*ARGS, "--key", "file:{d}/nothing"), "error", PSEUDO),
        case("key-no-scheme", (*ARGS, "--key", "plain-secret"), "error", PSEUDO),
        case(
            "key-empty-file",
            (*ARGS, "--key", "file:{d}/key"),
            "error",
            writes(PSEUDO, write("key", lambda s: b"")),
        ),
        case(
            "key-in-spec-dev-urandom",
            ARGS,
            "error",
            _spec(
                PLAIN_SPEC.replace(
                    "components:",
                    "privacy: {pseudonymise: [id], key: 'file:/dev/urandom'}\ncomponents:",
                )
            ),
            timeout=30,
        ),
        case(
            "key-in-spec-proc",
            ARGS,
            "error",
            _spec(
                PLAIN_SPEC.replace(
                    "components:",
                    "privacy: {pseudonymise: [id], key: 'file:/proc/self/environ'}\ncomponents:",
                )
            ),
            timeout=30,
        ),
        case(
            "kobo-key-missing-env",
            KOBO,
            "error",
            write(
                "spec.yaml",
                lambda s: _kobo(s, "key: env:CDINTEROP_PSEUDONYM_KEY", "key: env:CDI_UNSET_KEY"),
            ),
        ),
        # aggregation (convert)
        case(
            "convert-threshold-negative",
            CONVERT,
            "error",
            write("spec.yaml", lambda s: _kobo(s, "threshold: 10", "threshold: -1")),
        ),
        case(
            "convert-decimals-1000",
            CONVERT,
            "error",
            write("spec.yaml", lambda s: _kobo(s, "decimals: 1", "decimals: 1000")),
        ),
        case(
            "convert-threshold-huge",
            CONVERT,
            "any",
            write("spec.yaml", lambda s: _kobo(s, "threshold: 10", "threshold: 1e308")),
        ),
        case(
            "convert-measure-column-missing",
            CONVERT,
            "error",
            write("spec.yaml", lambda s: _kobo(s, "column: SATISFIED", "column: NOPE")),
        ),
        case(
            "conform-alias-bomb",
            (
                "sdmx",
                "conform",
                "{s}/dataset.json",
                "-s",
                "{s}/conv/sdmx/structure-2.1.xml",
                "-m",
                "{d}/spec.yaml",
                "-o",
                "{d}/out",
            ),
            "error",
            _spec(LAUGHS + "\n"),
        ),
        case(
            "conform-python-tag",
            (
                "sdmx",
                "conform",
                "{s}/dataset.json",
                "-s",
                "{s}/conv/sdmx/structure-2.1.xml",
                "-m",
                "{d}/spec.yaml",
                "-o",
                "{d}/out",
            ),
            "error",
            _spec("x: !!python/object/apply:os.system ['touch ../outside/pwned']\n"),
        ),
        case(
            "catalog-alias-bomb",
            ("dcat", "catalog", "{d}/spec.yaml", "{s}/dataset.json", "-o", "{d}/out.ttl"),
            "error",
            _spec(LAUGHS + "\n"),
        ),
    ]
    out += _expressions()
    return out
