"""Ingest of JSON submissions (plain arrays of records and KoboToolbox API pages): nesting,
duplicate keys, flattening collisions, encodings, huge and odd numbers, key bombs."""

from __future__ import annotations

import json
from collections.abc import Callable

from ._case import Case, Seeds
from ._util import all_of, ingest_counts, make, mentions, text_kept, write
from .mutate import flip_bits, insert_at, truncate
from .seeds import KOBO_ROWS, PLAIN_ROWS

__all__ = ["cases"]

case = make("ingest-json")
ARGS = ("ingest", "{d}/in.json", "-m", "{s}/plain-json.yaml", "-o", "{d}/out")
KOBO = ("ingest", "{d}/in.json", "-m", "{s}/kobo-auto.yaml", "-o", "{d}/out")
CONSISTENT = ingest_counts()
KEPT = ingest_counts(PLAIN_ROWS, accepted=PLAIN_ROWS)


def _plain(seeds: Seeds) -> bytes:
    return (seeds / "plain.json").read_bytes()


def _records(seeds: Seeds) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads(_plain(seeds))
    return data


def _with(change: dict[str, object], at: int = 5) -> Callable[[Seeds], bytes]:
    def make_bytes(seeds: Seeds) -> bytes:
        recs = _records(seeds)
        recs[at] = {**recs[at], **change}
        return json.dumps(recs, ensure_ascii=False).encode()

    return make_bytes


def _raw_record(raw: str, at: int = 5) -> Callable[[Seeds], bytes]:
    """Replace record ``at`` by the raw JSON text ``raw``."""

    def make_bytes(seeds: Seeds) -> bytes:
        recs = [json.dumps(r, ensure_ascii=False) for r in _records(seeds)]
        recs[at] = raw
        return ("[" + ",".join(recs) + "]").encode()

    return make_bytes


REC = '"id": "R0005", "area": "Kenya", "sex": "male", "date": "2024-06-15", '


def cases() -> list[Case]:
    """The JSON ingest cases."""
    deep = 10_000
    out: list[Case] = [
        case(
            "null-value",
            ARGS,
            "ok",
            write("in.json", _with({"note": None}, 5)),
            ingest_counts(PLAIN_ROWS),
        ),
        case(
            "nested-value-10000",
            ARGS,
            "any",
            write(
                "in.json",
                _raw_record("{" + REC + '"score": "5", "note": ' + "[" * deep + "]" * deep + "}"),
            ),
            CONSISTENT,
        ),
        case(
            "nested-object-5000",
            ARGS,
            "any",
            write(
                "in.json",
                _raw_record(
                    "{" + REC + '"score": "5", "note": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}"
                ),
            ),
            CONSISTENT,
        ),
        case(
            "nested-root-100k",
            ARGS,
            "error",
            write("in.json", lambda s: b"[" * 100_000 + b"]" * 100_000),
        ),
        case(
            "nested-object-150",
            ARGS,
            "any",
            write(
                "in.json",
                _raw_record(
                    "{" + REC + '"score": "5", "note": ' + '{"a":' * 150 + "1" + "}" * 150 + "}"
                ),
            ),
            CONSISTENT,
        ),
        case(
            "duplicate-key",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": "5", "score": "99", "note": "n"}')),
            all_of(CONSISTENT, mentions("duplicate|twice|repeated", "a duplicate key")),
        ),
        case(
            "flatten-collision",
            ARGS,
            "any",
            write(
                "in.json",
                _raw_record("{" + REC + '"score": "5", "note": {"x": "1"}, "note/x": "2"}'),
            ),
            all_of(
                CONSISTENT,
                mentions("collid|collision|duplicate|both|twice|clash", "a flattening collision"),
            ),
        ),
        case(
            "kobo-group-collision",
            KOBO,
            "any",
            write("in.json", lambda s: _kobo_collision(s)),
            all_of(
                CONSISTENT,
                mentions("collid|collision|duplicate|both|twice|clash", "a flattening collision"),
            ),
        ),
        case("bom", ARGS, "ok", write("in.json", lambda s: b"\xef\xbb\xbf" + _plain(s)), KEPT),
        case(
            "utf16",
            ARGS,
            "any",
            write("in.json", lambda s: _plain(s).decode().encode("utf-16")),
            all_of(KEPT, text_kept("note 5 é")),
        ),
        case(
            "latin1",
            ARGS,
            "any",
            write("in.json", lambda s: _plain(s).decode().encode("latin-1")),
            all_of(CONSISTENT, text_kept("note 5 é")),
        ),
        case(
            "number-1e400",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": 1e400, "note": "n"}')),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "number-1e-400",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": 1e-400, "note": "n"}')),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "number-5000-digits",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": ' + "9" * 5000 + ', "note": "n"}')),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "number-1m-digits",
            ARGS,
            "any",
            write(
                "in.json", _raw_record("{" + REC + '"score": ' + "9" * 1_000_000 + ', "note": "n"}')
            ),
            CONSISTENT,
        ),
        case(
            "number-exponent-huge",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": 1e999999999999, "note": "n"}')),
            CONSISTENT,
        ),
        case(
            "nan-literal",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": NaN, "note": "n"}')),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "infinity-literal",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": -Infinity, "note": "n"}')),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "float-score",
            ARGS,
            "ok",
            write("in.json", _raw_record("{" + REC + '"score": 5.7, "note": "n"}')),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "bool-score",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": true, "note": "n"}')),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "distinct-keys-bomb",
            ARGS,
            "error",
            write(
                "in.json", lambda s: json.dumps([{f"k{i}": "1"} for i in range(20_001)]).encode()
            ),
        ),
        case(
            "one-record-100k-keys",
            ARGS,
            "error",
            write(
                "in.json", lambda s: json.dumps([{f"k{i}": "1" for i in range(100_000)}]).encode()
            ),
        ),
        case(
            "array-100k-items-in-value",
            ARGS,
            "any",
            write(
                "in.json",
                _raw_record(
                    "{" + REC + '"score": "5", "note": [' + ",".join(["1"] * 100_000) + "]}"
                ),
            ),
            CONSISTENT,
        ),
        case(
            "string-20mb",
            ARGS,
            "any",
            write(
                "in.json",
                _raw_record("{" + REC + '"score": "5", "note": "' + "x" * (20 * 2**20) + '"}'),
            ),
            ingest_counts(PLAIN_ROWS, min_rejected=1),
        ),
        case(
            "lone-surrogate",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": "5", "note": "a\\ud800b"}')),
            CONSISTENT,
        ),
        case(
            "nul-escape-in-key",
            ARGS,
            "any",
            write("in.json", _raw_record("{" + REC + '"score": "5", "no\\u0000te": "n"}')),
            CONSISTENT,
        ),
        case(
            "items-not-objects",
            ARGS,
            "any",
            write("in.json", _raw_record("42")),
            ingest_counts(PLAIN_ROWS, tolerance=0),
        ),
        case(
            "null-record",
            ARGS,
            "any",
            write("in.json", _raw_record("null")),
            ingest_counts(PLAIN_ROWS),
        ),
        case("scalar-root", ARGS, "error", write("in.json", lambda s: b"42")),
        case("string-root", ARGS, "error", write("in.json", lambda s: b'"[{}]"')),
        case("object-root-no-results", ARGS, "error", write("in.json", lambda s: b'{"data": []}')),
        case("empty-array", ARGS, "any", write("in.json", lambda s: b"[]"), CONSISTENT),
        case("empty-file", ARGS, "error", write("in.json", lambda s: b"")),
        case("comments", ARGS, "error", write("in.json", lambda s: b"// c\n" + _plain(s))),
        case("trailing-comma", ARGS, "error", write("in.json", lambda s: _plain(s)[:-1] + b",]")),
        case(
            "two-documents",
            ARGS,
            "any",
            write("in.json", lambda s: _plain(s) + b"\n" + _plain(s)),
            all_of(CONSISTENT, mentions("extra|trailing|after|second", "a second document")),
        ),
        case(
            "ndjson",
            ARGS,
            "any",
            write("in.json", lambda s: b"\n".join(json.dumps(r).encode() for r in _records(s))),
            KEPT,
        ),
        case(
            "kobo-next-url",
            KOBO,
            "ok",
            write(
                "in.json",
                lambda s: (
                    (s / "kobo-api.json")
                    .read_bytes()
                    .replace(
                        b'"next": null',
                        b'"next": "http://127.0.0.1:9/api/v2/assets/x/data?start=1000"',
                    )
                ),
            ),
            ingest_counts(KOBO_ROWS, accepted=958),
        ),
        case(
            "kobo-count-mismatch",
            KOBO,
            "any",
            write(
                "in.json",
                lambda s: (
                    (s / "kobo-api.json").read_bytes().replace(b'"count": 972', b'"count": 99999')
                ),
            ),
            all_of(
                ingest_counts(KOBO_ROWS),
                mentions("count|next|page|99999|incomplete", "a count larger than the page"),
            ),
        ),
        case(
            "kobo-array",
            KOBO,
            "ok",
            write("in.json", lambda s: (s / "kobo.json").read_bytes()),
            ingest_counts(KOBO_ROWS, accepted=958),
        ),
        case(
            "kobo-attachments-nested",
            KOBO,
            "any",
            write(
                "in.json",
                lambda s: (
                    (s / "kobo.json")
                    .read_bytes()
                    .replace(
                        b'"_tags": ""',
                        b'"_tags": [], "_attachments": [{"download_url": "http://127.0.0.1:9/x", '
                        b'"filename": "../../etc/passwd"}]',
                    )
                ),
            ),
            ingest_counts(KOBO_ROWS),
        ),
    ]
    for seed in range(8):
        out.append(
            case(
                f"bitflip-{seed}",
                ARGS,
                "any",
                write("in.json", lambda s, n=seed: flip_bits(_plain(s), 300 + n, 4)),
                CONSISTENT,
            )
        )
    for seed in range(4):
        out.append(
            case(
                f"kobo-bitflip-{seed}",
                KOBO,
                "any",
                write(
                    "in.json",
                    lambda s, n=seed: flip_bits((s / "kobo-api.json").read_bytes(), 400 + n, 10),
                ),
                CONSISTENT,
            )
        )
    for frac in (0.01, 0.5, 0.9999):
        out.append(
            case(
                f"truncated-{frac}",
                ARGS,
                "error",
                write("in.json", lambda s, f=frac: truncate(_plain(s), f)),
            )
        )
    out.append(
        case(
            "inserted-garbage",
            ARGS,
            "error",
            write("in.json", lambda s: insert_at(_plain(s), 0.5, b"\x00<!DOCTYPE x>")),
        )
    )
    return out


def _kobo_collision(seeds: Seeds) -> bytes:
    recs: list[dict[str, object]] = json.loads((seeds / "kobo.json").read_bytes())
    first = dict(recs[0])
    first["respondent"] = {"gender": "female"}
    recs[0] = first
    return json.dumps(recs).encode()
