"""Ingest of CSV submissions (plain, KoboToolbox, ODK): encodings, line ends, damage, limits,
ragged and duplicate headers, formula cells, bidi text, files that are not files."""

from __future__ import annotations

import gzip
from collections.abc import Callable

from ._case import Case, Seeds
from ._util import (
    all_of,
    copy,
    fifo,
    ingest_counts,
    link,
    make,
    mentions,
    rejects_neutralised,
    text_kept,
    write,
)
from .mutate import duplicate_lines, flip_bits, insert_at, truncate
from .seeds import KOBO_ROWS, PLAIN_ROWS, csv_text, plain_rows

__all__ = ["cases"]

case = make("ingest-csv")


def _plain(seeds: Seeds) -> bytes:
    return (seeds / "plain.csv").read_bytes()


def _kobo(seeds: Seeds) -> bytes:
    return (seeds / "kobo.csv").read_bytes()


def _odk(seeds: Seeds) -> bytes:
    return (seeds / "odk.csv").read_bytes()


def _ingest(name: str = "in.csv", spec: str = "{s}/plain.yaml") -> tuple[str, ...]:
    return ("ingest", f"{{d}}/{name}", "-m", spec, "-o", "{d}/out")


KEPT = ingest_counts(PLAIN_ROWS, accepted=PLAIN_ROWS)
CONSISTENT = ingest_counts()
NOTE = text_kept("note 5 é", "note 199 é")


def _rows_with(change: dict[int, list[str]]) -> bytes:
    rows = plain_rows()
    for at, row in change.items():
        rows[at] = row
    return csv_text(rows).encode()


def _encodings() -> list[Case]:
    def enc(codec: str) -> Callable[[Seeds], bytes]:
        return lambda s: _plain(s).decode("utf-8").encode(codec)

    out = [
        case(
            "utf8-bom",
            _ingest(),
            "ok",
            write("in.csv", lambda s: b"\xef\xbb\xbf" + _plain(s)),
            all_of(KEPT, NOTE),
        ),
        case("utf16-bom", _ingest(), "ok", write("in.csv", enc("utf-16")), all_of(KEPT, NOTE)),
        case(
            "utf16-be-bom",
            _ingest(),
            "ok",
            write("in.csv", lambda s: b"\xfe\xff" + _plain(s).decode().encode("utf-16-be")),
            all_of(KEPT, NOTE),
        ),
        case(
            "utf16-le-no-bom",
            _ingest(),
            "any",
            write("in.csv", enc("utf-16-le")),
            all_of(KEPT, NOTE),
        ),
        case("utf32", _ingest(), "any", write("in.csv", enc("utf-32")), all_of(KEPT, NOTE)),
        case(
            "latin1-undeclared",
            _ingest(),
            "any",
            write("in.csv", enc("latin-1")),
            all_of(CONSISTENT, NOTE, mentions("encod|latin|decod", "an encoding guess")),
        ),
        case(
            "cp1252-undeclared",
            _ingest(),
            "any",
            write("in.csv", enc("cp1252")),
            all_of(CONSISTENT, NOTE),
        ),
        case(
            "double-bom",
            _ingest(),
            "any",
            write("in.csv", lambda s: b"\xef\xbb\xbf\xef\xbb\xbf" + _plain(s)),
            CONSISTENT,
        ),
        case(
            "utf16-bom-utf8-body",
            _ingest(),
            "any",
            write("in.csv", lambda s: b"\xff\xfe" + _plain(s)),
            CONSISTENT,
        ),
        case(
            "invalid-utf8-byte",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"note 7 ", b"note 7 \xff\xfe ")),
            all_of(CONSISTENT, mentions("utf|decod|encod|byte", "an undecodable byte")),
        ),
        case(
            "overlong-utf8",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"note 9 ", b"note 9 \xc0\xaf")),
            CONSISTENT,
        ),
        case(
            "utf8-surrogate-bytes",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"note 11 ", b"note 11 \xed\xa0\x80")),
            CONSISTENT,
        ),
        case("gb18030", _ingest(), "any", write("in.csv", enc("gb18030")), CONSISTENT),
        case(
            "kobo-utf16",
            _ingest(spec="{s}/kobo.yaml"),
            "ok",
            write("in.csv", lambda s: _kobo(s).decode().encode("utf-16")),
            ingest_counts(KOBO_ROWS, accepted=958),
        ),
        case(
            "kobo-bom",
            _ingest(spec="{s}/kobo.yaml"),
            "ok",
            write("in.csv", lambda s: b"\xef\xbb\xbf" + _kobo(s)),
            ingest_counts(KOBO_ROWS, accepted=958),
        ),
    ]
    return out


def _line_ends() -> list[Case]:
    return [
        case(
            "cr-only",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"\r\n", b"\r")),
            all_of(KEPT, NOTE),
        ),
        case(
            "lf-only",
            _ingest(),
            "ok",
            write("in.csv", lambda s: _plain(s).replace(b"\r\n", b"\n")),
            all_of(KEPT, NOTE),
        ),
        case(
            "mixed-ends",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"\r\n", b"\n", 100)),
            all_of(KEPT, NOTE),
        ),
        case(
            "kobo-cr-only",
            _ingest(spec="{s}/kobo.yaml"),
            "any",
            write("in.csv", lambda s: _kobo(s).replace(b"\n", b"\r")),
            ingest_counts(KOBO_ROWS, accepted=958),
        ),
        case(
            "no-final-newline",
            _ingest(),
            "ok",
            write("in.csv", lambda s: _plain(s).rstrip()),
            all_of(KEPT, NOTE),
        ),
        case(
            "blank-lines",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"\r\nR0050", b"\r\n\r\n\r\nR0050")),
            KEPT,
        ),
        case(
            "form-feed-lines",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"\r\nR0050", b"\r\n\x0c\r\nR0050")),
            CONSISTENT,
        ),
        case(
            "unicode-line-separator",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"note 3 ", "note 3 \u2028x".encode())),
            all_of(KEPT),
        ),
    ]


def _damage() -> list[Case]:
    out: list[Case] = []
    for seed in range(12):
        out.append(
            case(
                f"plain-bitflip-{seed}",
                _ingest(),
                "any",
                write("in.csv", lambda s, n=seed: flip_bits(_plain(s), n, 6)),
                CONSISTENT,
            )
        )
    for seed in range(10):
        out.append(
            case(
                f"kobo-bitflip-{seed}",
                _ingest(spec="{s}/kobo.yaml"),
                "any",
                write("in.csv", lambda s, n=seed: flip_bits(_kobo(s), 100 + n, 12)),
                CONSISTENT,
            )
        )
    for seed in range(3):
        out.append(
            case(
                f"odk-bitflip-{seed}",
                _ingest(spec="{s}/odk.yaml"),
                "any",
                write("in.csv", lambda s, n=seed: flip_bits(_odk(s), 200 + n, 6)),
                CONSISTENT,
            )
        )
    for frac in (0.0005, 0.1, 0.5, 0.77, 0.999):
        out.append(
            case(
                f"plain-truncated-{frac}",
                _ingest(),
                "any",
                write("in.csv", lambda s, f=frac: truncate(_plain(s), f)),
                CONSISTENT,
            )
        )
    for frac in (0.3, 0.66, 0.9999):
        out.append(
            case(
                f"kobo-truncated-{frac}",
                _ingest(spec="{s}/kobo.yaml"),
                "any",
                write("in.csv", lambda s, f=frac: truncate(_kobo(s), f)),
                CONSISTENT,
            )
        )
    for seed in range(3):
        out.append(
            case(
                f"plain-duplicated-lines-{seed}",
                _ingest(),
                "any",
                write("in.csv", lambda s, n=seed: duplicate_lines(_plain(s), n)),
                CONSISTENT,
            )
        )
    out.append(
        case(
            "kobo-duplicated-lines",
            _ingest(spec="{s}/kobo.yaml"),
            "ok",
            write("in.csv", lambda s: duplicate_lines(_kobo(s), 7, 20)),
            CONSISTENT,
        )
    )
    # stray quotes: a quote that opens a field swallows the lines up to the next one
    out += [
        case(
            "stray-quote-mid-field",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"note 50 ", b'note "50 ')),
            ingest_counts(PLAIN_ROWS, tolerance=1),
        ),
        case(
            "stray-quote-field-start",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b",note 50 ", b',"note 50 ')),
            all_of(
                ingest_counts(PLAIN_ROWS, tolerance=2),
                mentions("quote|truncat|problem|reject|line", "a quote that swallowed rows"),
            ),
        ),
        case(
            "stray-quote-header",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"score", b'sc"ore', 1)),
            CONSISTENT,
        ),
        case(
            "unbalanced-quote-last-line",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).rstrip() + b',"unterminated\r\n'),
            CONSISTENT,
        ),
        case(
            "kobo-stray-quote",
            _ingest(spec="{s}/kobo.yaml"),
            "any",
            write("in.csv", lambda s: _kobo(s).replace(b'"nairobi"', b'"nai"robi"', 1)),
            ingest_counts(KOBO_ROWS, tolerance=1),
        ),
    ]
    # NUL bytes
    out += [
        case(
            "nul-in-value",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"note 5 ", b"note 5 \x00")),
            CONSISTENT,
        ),
        case(
            "nul-in-header",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"score", b"sc\x00ore", 1)),
            CONSISTENT,
        ),
        case("all-nul", _ingest(), "error", write("in.csv", lambda s: b"\x00" * 100_000)),
        case(
            "nul-every-other",
            _ingest(),
            "any",
            write("in.csv", lambda s: b"".join(bytes([c, 0]) for c in _plain(s))),
            CONSISTENT,
        ),
        case(
            "control-chars",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"note 8 ", b"note 8 \x1b[31m\x07\x08")),
            CONSISTENT,
        ),
    ]
    return out


def _wide(n: int) -> bytes:
    head = ",".join(f"c{i}" for i in range(n))
    row = ",".join("1" for _ in range(n))
    return f"{head}\r\n{row}\r\n{row}\r\n".encode()


def _limits() -> list[Case]:
    big = 20 * 1024 * 1024
    return [
        case("100k-columns", _ingest(), "error", write("in.csv", lambda s: _wide(100_000))),
        case("10001-columns", _ingest(), "error", write("in.csv", lambda s: _wide(10_001))),
        case(
            "9999-columns-no-spec-columns",
            _ingest(),
            "error",
            write("in.csv", lambda s: _wide(9_999)),
        ),
        case(
            "100k-columns-row-only",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s) + (",x" * 100_000).encode() + b"\r\n"),
            ingest_counts(PLAIN_ROWS + 1, tolerance=1),
        ),
        case(
            "huge-field-20mb",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"note 5 ", b"note 5 " + b"A" * big)),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "huge-quoted-field-newlines",
            _ingest(),
            "any",
            write(
                "in.csv",
                lambda s: _plain(s).replace(b"note 5 \xc3\xa9", b'"' + b"x\n" * (big // 2) + b'"'),
            ),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "field-2mb",
            _ingest(),
            "any",
            write(
                "in.csv",
                lambda s: _plain(s).replace(b"note 5 ", b"note 5 " + b"B" * (2 * 1024 * 1024)),
            ),
            ingest_counts(PLAIN_ROWS),
        ),
        case(
            "one-line-200mb",
            _ingest(),
            "error",
            write("in.csv", lambda s: b"id," + b"x" * (200 * 1024 * 1024)),
            timeout=120,
        ),
        case(
            "header-only",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).splitlines()[0] + b"\r\n"),
            CONSISTENT,
        ),
        case(
            "header-name-100kb",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"note", b"note," + b"h" * 100_000, 1)),
            CONSISTENT,
        ),
        case(
            "million-rows",
            _ingest(),
            "ok",
            write("in.csv", lambda s: csv_text(plain_rows(1_000_000)).encode()),
            ingest_counts(1_000_000, accepted=1_000_000),
            timeout=240,
        ),
    ]


def _shape() -> list[Case]:
    short = ["R0010", "Ghana"]
    long = ["R0020", "Kenya", "male", "2024-01-11", "5", "note", "extra", "more"]
    return [
        case(
            "ragged-short-rows",
            _ingest(),
            "any",
            write("in.csv", lambda s: _rows_with({11: short, 31: short})),
            all_of(ingest_counts(PLAIN_ROWS, min_rejected=2)),
        ),
        case(
            "ragged-long-rows",
            _ingest(),
            "any",
            write("in.csv", lambda s: _rows_with({21: long, 41: long})),
            all_of(ingest_counts(PLAIN_ROWS, min_rejected=2)),
        ),
        case(
            "ragged-empty-row",
            _ingest(),
            "any",
            write("in.csv", lambda s: _rows_with({61: [""]})),
            ingest_counts(PLAIN_ROWS, tolerance=1),
        ),
        case(
            "duplicate-header-used",
            _ingest(),
            "error",
            write("in.csv", lambda s: _plain(s).replace(b"area,sex", b"score,sex", 1)),
        ),
        case(
            "duplicate-header-unused",
            _ingest(),
            "any",
            write(
                "in.csv",
                lambda s: (
                    _plain(s)
                    .replace(b"id,area", b"id,note,area", 1)
                    .replace(b"\r\nR", b"\r\nR")
                    .replace(b",Ghana,", b",x,Ghana,")
                    .replace(b",Kenya,", b",x,Kenya,")
                ),
            ),
            mentions("duplicate|twice|same name", "a duplicate column name"),
        ),
        case(
            "empty-header-name",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b",note", b",", 1)),
            CONSISTENT,
        ),
        case(
            "missing-spec-column",
            _ingest(),
            "error",
            write("in.csv", lambda s: _plain(s).replace(b",score,", b",scorx,", 1)),
        ),
        case(
            "header-case-changed",
            _ingest(),
            "error",
            write("in.csv", lambda s: _plain(s).replace(b"score", b"SCORE", 1)),
        ),
        case(
            "header-with-spaces",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b",score,", b", score ,", 1)),
            CONSISTENT,
        ),
        case(
            "semicolon",
            _ingest(),
            "ok",
            write("in.csv", lambda s: csv_text(plain_rows(), ";").encode()),
            KEPT,
        ),
        case(
            "tab",
            _ingest(),
            "ok",
            write("in.csv", lambda s: csv_text(plain_rows(), "\t").encode()),
            KEPT,
        ),
        case(
            "pipe",
            _ingest(),
            "ok",
            write("in.csv", lambda s: csv_text(plain_rows(), "|").encode()),
            KEPT,
        ),
        case(
            "mixed-delimiters",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b",", b";", 300)),
            CONSISTENT,
        ),
        case(
            "kobo-missing-uuid",
            _ingest(spec="{s}/kobo.yaml"),
            "error",
            write("in.csv", lambda s: _kobo(s).replace(b'"_uuid"', b'"_uuidx"', 1)),
        ),
        case(
            "kobo-same-uuid-everywhere",
            _ingest(spec="{s}/kobo.yaml"),
            "ok",
            write("in.csv", lambda s: _same_uuid(_kobo(s))),
            CONSISTENT,
        ),
        case(
            "kobo-short-and-full-names",
            _ingest(spec="{s}/kobo.yaml"),
            "any",
            write("in.csv", lambda s: _kobo(s).replace(b'"deviceid"', b'"gender"', 1)),
            CONSISTENT,
        ),
    ]


def _same_uuid(data: bytes) -> bytes:
    import re

    return re.sub(
        rb'"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"',
        b'"00000000-0000-0000-0000-000000000000"',
        data,
    )


def _text() -> list[Case]:
    formulas = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    out: list[Case] = []
    for n, f in enumerate(formulas):
        out.append(
            case(
                f"formula-in-rejected-value-{n}",
                _ingest(),
                "ok",
                write(
                    "in.csv",
                    lambda s, f=f: _rows_with({5: ["R0004", "Ghana", f, "2024-01-14", "4", "n"]}),
                ),
                all_of(ingest_counts(PLAIN_ROWS, min_rejected=1), rejects_neutralised()),
            )
        )
    out += [
        case(
            "formula-in-kept-note",
            _ingest(),
            "ok",
            write(
                "in.csv",
                lambda s: _rows_with({5: ["R0004", "Ghana", "female", "2024-01-14", "4", "=1+1"]}),
            ),
            all_of(KEPT, text_kept("=1+1"), mentions("formula", "a formula-like value")),
        ),
        case(
            "kobo-formula-gender",
            _ingest(spec="{s}/kobo.yaml"),
            "ok",
            write("in.csv", lambda s: _kobo(s).replace(b'"Male"', b"\"=cmd|' /C calc'!A0\"", 1)),
            all_of(ingest_counts(KOBO_ROWS, min_rejected=10), rejects_neutralised()),
        ),
        case(
            "formula-in-id",
            _ingest(),
            "any",
            write("in.csv", lambda s: _plain(s).replace(b"R0007,", b"@R0007,", 1)),
            rejects_neutralised(),
        ),
        case(
            "bidi-override-note",
            _ingest(),
            "ok",
            write(
                "in.csv",
                lambda s: _plain(s).replace(b"note 5 ", "note 5 \u202ecod.exe\u202c ".encode()),
            ),
            all_of(KEPT, text_kept("\u202ecod.exe")),
        ),
        case(
            "zero-width-in-code",
            _ingest(),
            "ok",
            write(
                "in.csv", lambda s: _plain(s).replace(b"R0003,Kenya", "R0003,Ken\u200bya".encode())
            ),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "homoglyph-in-code",
            _ingest(),
            "ok",
            write(
                "in.csv", lambda s: _plain(s).replace(b"R0002,Ghana", "R0002,Gh\u0430na".encode())
            ),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "bom-inside-value",
            _ingest(),
            "ok",
            write(
                "in.csv", lambda s: _plain(s).replace(b"R0004,Ghana", "R0004,\ufeffGhana".encode())
            ),
            ingest_counts(PLAIN_ROWS),
        ),
        case(
            "combining-marks-bomb",
            _ingest(),
            "any",
            write(
                "in.csv",
                lambda s: _plain(s).replace(b"note 5 ", ("note 5 e" + "\u0301" * 100_000).encode()),
            ),
            CONSISTENT,
        ),
        case(
            "tag-characters",
            _ingest(),
            "ok",
            write(
                "in.csv",
                lambda s: _plain(s).replace(b"note 6 ", "note 6 \U000e0041\U000e0042".encode()),
            ),
            all_of(KEPT, text_kept("\U000e0041")),
        ),
        case(
            "newline-in-quoted-note",
            _ingest(),
            "ok",
            write("in.csv", lambda s: _plain(s).replace(b"note 6 \xc3\xa9", b'"line1\nline2"')),
            all_of(KEPT, text_kept("line1\nline2")),
        ),
    ]
    return out


def _not_files() -> list[Case]:
    return [
        case("empty-file", _ingest(), "error", write("in.csv", lambda s: b"")),
        case("bom-only", _ingest(), "error", write("in.csv", lambda s: b"\xef\xbb\xbf")),
        case(
            "whitespace-only", _ingest(), "error", write("in.csv", lambda s: b" \r\n\t\r\n" * 100)
        ),
        case(
            "png-bytes",
            _ingest(),
            "error",
            write("in.csv", lambda s: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
        ),
        case(
            "gzip-named-csv",
            _ingest(),
            "error",
            write("in.csv", lambda s: gzip.compress(_plain(s))),
        ),
        case("xlsx-named-csv", _ingest(), "error", copy("plain.xlsx", "in.csv")),
        case("directory", _ingest("indir"), "error", write("indir/x", lambda s: b"")),
        case("missing-file", _ingest("nothing.csv"), "error"),
        case("fifo", _ingest("in.fifo"), "error", fifo("in.fifo"), timeout=30),
        case(
            "dev-zero",
            ("ingest", "/dev/zero", "-m", "{s}/plain.yaml", "-o", "{d}/out"),
            "error",
            timeout=30,
        ),
        case(
            "link-to-dev-urandom",
            _ingest("rand.csv"),
            "error",
            link("rand.csv", "/dev/urandom"),
            timeout=30,
        ),
        case(
            "dev-stdin",
            ("ingest", "/dev/stdin", "-m", "{s}/plain.yaml", "-o", "{d}/out"),
            "error",
            timeout=30,
        ),
        case(
            "proc-self-environ",
            ("ingest", "/proc/self/environ", "-m", "{s}/plain.yaml", "-o", "{d}/out"),
            "error",
            timeout=30,
        ),
        case(
            "convert-bitflips",
            ("convert", "{d}/in.csv", "-m", "{s}/kobo.yaml", "-o", "{d}/out"),
            "any",
            write("in.csv", lambda s: flip_bits(_kobo(s), 999, 20)),
            CONSISTENT,
        ),
        case(
            "convert-formula",
            ("convert", "{d}/in.csv", "-m", "{s}/kobo.yaml", "-o", "{d}/out"),
            "ok",
            write("in.csv", lambda s: _kobo(s).replace(b'"Male"', b'"=1+2"', 3)),
            all_of(CONSISTENT, rejects_neutralised()),
        ),
        case(
            "convert-inserted-garbage",
            ("convert", "{d}/in.csv", "-m", "{s}/kobo.yaml", "-o", "{d}/out"),
            "any",
            write("in.csv", lambda s: insert_at(_kobo(s), 0.5, b'\x00\xff\xfe"\r;;\n')),
            CONSISTENT,
        ),
    ]


def cases() -> list[Case]:
    """The CSV ingest cases."""
    return [
        *_encodings(),
        *_line_ends(),
        *_damage(),
        *_limits(),
        *_shape(),
        *_text(),
        *_not_files(),
    ]
