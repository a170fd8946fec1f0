"""SDMX-ML data and structure messages and SDMX-CSV: XXE, billion laughs, a DOCTYPE after a
70 KB comment, attribute bombs, wrong namespaces, truncation, bit flips; SDMX-CSV line ends,
columns, BOM, headers."""

from __future__ import annotations

import re
from collections.abc import Callable

from ._case import Case, Seeds
from ._util import make, sdmx_count, write
from .mutate import flip_bits, insert_at, truncate

__all__ = ["cases"]

ml = make("sdmx-ml")
struct = make("sdmx-structure")
scsv = make("sdmx-csv")
OBS = 833
"""Observations in the converted example."""

FORMATS = {
    "ml21-ss": ("data-ml21-ss.xml", "structure-2.1.xml"),
    "ml21-ss-ts": ("data-ml21-ss-ts.xml", "structure-2.1.xml"),
    "ml21-generic": ("data-ml21-generic.xml", "structure-2.1.xml"),
    "ml30-ss": ("data-ml30-ss.xml", "structure-3.0.xml"),
    "ml30-ss-ts": ("data-ml30-ss-ts.xml", "structure-3.0.xml"),
}
LAUGHS = (
    '<!DOCTYPE {root} [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>"
)


def _seed(seeds: Seeds, name: str) -> bytes:
    return (seeds / "conv" / "sdmx" / name).read_bytes()


def _read(name: str, structure: str) -> tuple[str, ...]:
    return (
        "sdmx",
        "read",
        f"{{d}}/{name}",
        "-s",
        f"{{s}}/conv/sdmx/{structure}",
        "-o",
        "{d}/out.json",
    )


def _after_declaration(data: bytes, snippet: bytes) -> bytes:
    head, sep, rest = data.partition(b"?>")
    return head + sep + b"\n" + snippet + rest


def _root(data: bytes) -> bytes:
    match = re.search(rb"<([\w:]+)[\s>]", data.partition(b"?>")[2])
    return match.group(1) if match else b"x"


def _dtd(kind: str) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        root = _root(data)
        if kind == "xxe":
            dtd = b"<!DOCTYPE " + root + b' [<!ENTITY x SYSTEM "file:../outside/secret.txt">]>'
            data = _after_declaration(data, dtd)
            return data.replace(b'SERVICE="EDUCATION"', b'SERVICE="&x;"', 1).replace(
                b"<com:Name", b"<com:Name>&x;</com:Name><com:Name", 1
            )
        if kind == "laughs":
            dtd = LAUGHS.replace("{root}", root.decode()).encode()
            data = _after_declaration(data, dtd)
            return data.replace(b'SERVICE="EDUCATION"', b'SERVICE="&j;"', 1).replace(
                b"<com:Name", b"<com:Name>&j;</com:Name><com:Name", 1
            )
        if kind == "late-doctype":
            dtd = b"<!--" + b"c" * 70_000 + b"--><!DOCTYPE " + root + b' [<!ENTITY e "x">]>'
            return _after_declaration(data, dtd)
        if kind == "external-dtd":
            return _after_declaration(
                data, b"<!DOCTYPE " + root + b' SYSTEM "http://127.0.0.1:9/x.dtd">'
            )
        if kind == "parameter-entity":
            dtd = (
                b"<!DOCTYPE " + root + b' [<!ENTITY % p SYSTEM "file:../outside/secret.txt"> %p;]>'
            )
            return _after_declaration(data, dtd)
        if kind == "xinclude":
            return data.replace(b"?>", b"?>", 1).replace(
                b"<mes:Header>",
                b'<mes:Header><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                b'href="../outside/secret.txt" parse="text"/>',
                1,
            )
        raise ValueError(kind)

    return change


def _ml_cases() -> list[Case]:
    out: list[Case] = []
    for fmt, (name, structure) in FORMATS.items():
        argv = _read("data.xml", structure)

        def seed(s: Seeds, n: str = name) -> bytes:
            return _seed(s, n)

        out.append(ml(f"{fmt}-valid", argv, "ok", write("data.xml", seed), sdmx_count(OBS)))
        for kind in ("xxe", "laughs", "late-doctype", "external-dtd", "parameter-entity"):
            change = _dtd(kind)
            out.append(
                ml(
                    f"{fmt}-{kind}",
                    argv,
                    "error",
                    write("data.xml", lambda s, c=change, sd=seed: c(sd(s))),
                )
            )
        out.append(
            ml(
                f"{fmt}-xinclude",
                argv,
                "any",
                write("data.xml", lambda s, sd=seed: _dtd("xinclude")(sd(s))),
                sdmx_count(OBS),
            )
        )
        for frac in (0.02, 0.5, 0.98):
            out.append(
                ml(
                    f"{fmt}-truncated-{frac}",
                    argv,
                    "error",
                    write("data.xml", lambda s, f=frac, sd=seed: truncate(sd(s), f)),
                )
            )
        for n in range(3):
            out.append(
                ml(
                    f"{fmt}-bitflip-{n}",
                    argv,
                    "any",
                    write("data.xml", lambda s, n=n, sd=seed: flip_bits(sd(s), 700 + n, 4)),
                    sdmx_count(OBS),
                )
            )
        out.append(
            ml(
                f"{fmt}-wrong-namespace",
                argv,
                "error",
                write(
                    "data.xml",
                    lambda s, sd=seed: sd(s).replace(
                        b"http://www.sdmx.org/resources/sdmxml/schemas/",
                        b"http://example.org/not-sdmx/",
                    ),
                ),
            )
        )
        out.append(
            ml(
                f"{fmt}-utf16",
                argv,
                "any",
                write(
                    "data.xml",
                    lambda s, sd=seed: (
                        sd(s)
                        .decode()
                        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
                        .encode("utf-16")
                    ),
                ),
                sdmx_count(OBS),
            )
        )
        out.append(
            ml(
                f"{fmt}-declared-latin1-is-utf8",
                argv,
                "any",
                write(
                    "data.xml",
                    lambda s, sd=seed: sd(s).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"'),
                ),
                sdmx_count(OBS),
            )
        )
        out.append(
            ml(
                f"{fmt}-deep-nesting",
                argv,
                "error",
                write(
                    "data.xml",
                    lambda s, sd=seed: insert_at(
                        sd(s), 0.999, b"<x>" * 100_000 + b"</x>" * 100_000
                    ),
                ),
            )
        )
    ss = "data-ml21-ss.xml"

    def attrs(seeds: Seeds) -> bytes:
        data = _seed(seeds, ss)
        counter = iter(range(10**9))
        return re.sub(
            rb"<Obs ",
            lambda m: b"<Obs " + b" ".join(b'U%d="x"' % next(counter) for _ in range(19)) + b" ",
            data,
        )

    out += [
        ml(
            "unknown-attributes-15000",
            _read("data.xml", "structure-2.1.xml"),
            "error",
            write("data.xml", attrs),
        ),
        ml(
            "one-obs-100k-attributes",
            _read("data.xml", "structure-2.1.xml"),
            "error",
            write(
                "data.xml",
                lambda s: _seed(s, ss).replace(
                    b"<Obs ", b"<Obs " + b" ".join(b'X%d="1"' % i for i in range(100_000)) + b" ", 1
                ),
            ),
        ),
        ml(
            "attribute-value-20mb",
            _read("data.xml", "structure-2.1.xml"),
            "any",
            write(
                "data.xml",
                lambda s: _seed(s, ss).replace(
                    b'OBS_STATUS="Q"', b'OBS_STATUS="' + b"Q" * (20 * 2**20) + b'"', 1
                ),
            ),
        ),
        ml(
            "obs-value-1e400",
            _read("data.xml", "structure-2.1.xml"),
            "any",
            write(
                "data.xml",
                lambda s: (
                    _seed(s, ss)
                    .replace(b'OBS_VALUE="', b'OBS_VALUE="1e400', 1)
                    .replace(b'OBS_VALUE="1e400', b'OBS_VALUE="1e400" X="', 1)
                ),
            ),
        ),
        ml(
            "obs-value-nan-text",
            _read("data.xml", "structure-2.1.xml"),
            "any",
            write(
                "data.xml",
                lambda s: re.sub(
                    rb'OBS_VALUE="[^"]*"', b'OBS_VALUE="not-a-number"', _seed(s, ss), count=1
                ),
            ),
            sdmx_count(OBS),
        ),
        ml(
            "invalid-xml-char-ref",
            _read("data.xml", "structure-2.1.xml"),
            "error",
            write(
                "data.xml",
                lambda s: _seed(s, ss).replace(b'SERVICE="EDUCATION"', b'SERVICE="&#0;"', 1),
            ),
        ),
        ml(
            "processing-instruction",
            _read("data.xml", "structure-2.1.xml"),
            "any",
            write(
                "data.xml",
                lambda s: _after_declaration(
                    _seed(s, ss), b'<?xml-stylesheet href="http://127.0.0.1:9/x.xsl"?>'
                ),
            ),
            sdmx_count(OBS),
        ),
        ml(
            "duplicate-obs",
            _read("data.xml", "structure-2.1.xml"),
            "any",
            write("data.xml", lambda s: _dup_obs(_seed(s, ss))),
            sdmx_count(OBS),
        ),
        ml(
            "validate-xxe",
            ("validate", "{d}/data.xml", "-s", "{s}/conv/sdmx/structure-2.1.xml"),
            "error",
            write("data.xml", lambda s: _dtd("xxe")(_seed(s, ss))),
        ),
        ml(
            "validate-laughs",
            ("validate", "{d}/data.xml", "-s", "{s}/conv/sdmx/structure-2.1.xml"),
            "error",
            write("data.xml", lambda s: _dtd("laughs")(_seed(s, ss))),
        ),
        ml(
            "empty",
            _read("data.xml", "structure-2.1.xml"),
            "error",
            write("data.xml", lambda s: b""),
        ),
        ml(
            "not-xml",
            _read("data.xml", "structure-2.1.xml"),
            "error",
            write("data.xml", lambda s: b"\x89PNG\r\n\x1a\n" * 100),
        ),
    ]
    return out


def _dup_obs(data: bytes) -> bytes:
    start = data.index(b"<Obs ")
    end = data.index(b"/>", start) + 2
    return data[:end] + data[start:end] + data[end:]


def _structure_cases() -> list[Case]:
    name = "structure-2.1.xml"

    def seed(s: Seeds) -> bytes:
        return _seed(s, name)

    validate = ("validate", "{d}/structure.xml")
    read = (
        "sdmx",
        "read",
        "{s}/conv/sdmx/data-ml21-ss.xml",
        "-s",
        "{d}/structure.xml",
        "-o",
        "{d}/out.json",
    )
    out: list[Case] = [
        struct("valid-validate", validate, "ok", write("structure.xml", seed)),
        struct("valid-read", read, "ok", write("structure.xml", seed), sdmx_count(OBS)),
    ]
    for kind in ("xxe", "laughs", "late-doctype", "external-dtd", "parameter-entity"):
        change = _dtd(kind)
        out.append(
            struct(
                f"{kind}-validate",
                validate,
                "error",
                write("structure.xml", lambda s, c=change: c(seed(s))),
            )
        )
        out.append(
            struct(
                f"{kind}-read",
                read,
                "error",
                write("structure.xml", lambda s, c=change: c(seed(s))),
            )
        )
    for frac in (0.1, 0.6, 0.97):
        out.append(
            struct(
                f"truncated-{frac}",
                read,
                "error",
                write("structure.xml", lambda s, f=frac: truncate(seed(s), f)),
            )
        )
    for n in range(5):
        out.append(
            struct(
                f"bitflip-{n}",
                read,
                "any",
                write("structure.xml", lambda s, n=n: flip_bits(seed(s), 800 + n, 4)),
            )
        )
    out += [
        struct(
            "wrong-namespace",
            read,
            "error",
            write(
                "structure.xml",
                lambda s: seed(s).replace(
                    b"http://www.sdmx.org/resources/sdmxml/schemas/", b"urn:x:"
                ),
            ),
        ),
        struct(
            "codelist-100k-codes",
            read,
            "any",
            write("structure.xml", lambda s: _many_codes(seed(s), 100_000)),
            sdmx_count(OBS),
        ),
        struct(
            "name-20mb",
            read,
            "any",
            write(
                "structure.xml",
                lambda s: re.sub(
                    rb"(<com:Name[^>]*>)",
                    lambda m: m.group(1) + b"N" * (20 * 2**20),
                    seed(s),
                    count=1,
                ),
            ),
        ),
        struct(
            "deep-nesting",
            validate,
            "error",
            write(
                "structure.xml",
                lambda s: insert_at(seed(s), 0.999, b"<x>" * 100_000 + b"</x>" * 100_000),
            ),
        ),
        struct(
            "structure-3.0-laughs",
            ("validate", "{d}/structure.xml"),
            "error",
            write("structure.xml", lambda s: _dtd("laughs")(_seed(s, "structure-3.0.xml"))),
        ),
    ]
    return out


def _many_codes(data: bytes, n: int) -> bytes:
    match = re.search(rb"(<str:Code [^>]*>.*?</str:Code>)", data, re.S)
    if match is None:
        return data
    code = match.group(1)
    extra = b"".join(re.sub(rb'id="[^"]*"', b'id="ZZ%d"' % i, code, count=1) for i in range(n))
    return data.replace(code, code + extra, 1)


def _csv_cases() -> list[Case]:
    out: list[Case] = []
    for version in ("csv10", "csv20"):
        name = f"data-{version}.csv"
        argv = _read("data.csv", "structure-2.1.xml")

        def seed(s: Seeds, n: str = name) -> bytes:
            return _seed(s, n)

        def wide(s: Seeds, cols: int, sd: Callable[[Seeds], bytes] = seed) -> bytes:
            data = sd(s)
            head, _, rest = data.partition(b"\n")
            extra = b"".join(b",X%d" % i for i in range(cols))
            lines = rest.split(b"\n")
            return (
                head.rstrip(b"\r")
                + extra
                + b"\n"
                + b"\n".join(ln.rstrip(b"\r") + b"," * cols for ln in lines[:5] if ln)
                + b"\n"
            )

        out += [
            scsv(f"{version}-valid", argv, "ok", write("data.csv", seed), sdmx_count(OBS)),
            scsv(
                f"{version}-cr-only",
                argv,
                "any",
                write(
                    "data.csv",
                    lambda s, sd=seed: sd(s).replace(b"\r\n", b"\n").replace(b"\n", b"\r"),
                ),
                sdmx_count(OBS),
            ),
            scsv(
                f"{version}-crlf",
                argv,
                "ok",
                write(
                    "data.csv",
                    lambda s, sd=seed: sd(s).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
                ),
                sdmx_count(OBS),
            ),
            scsv(
                f"{version}-bom",
                argv,
                "ok",
                write("data.csv", lambda s, sd=seed: b"\xef\xbb\xbf" + sd(s)),
                sdmx_count(OBS),
            ),
            scsv(
                f"{version}-leading-blank-lines",
                argv,
                "any",
                write("data.csv", lambda s, sd=seed: b"\r\n\r\n" + sd(s)),
                sdmx_count(OBS),
            ),
            scsv(
                f"{version}-utf16",
                argv,
                "any",
                write("data.csv", lambda s, sd=seed: sd(s).decode().encode("utf-16")),
                sdmx_count(OBS),
            ),
            scsv(
                f"{version}-100k-columns",
                argv,
                "error",
                write("data.csv", lambda s, sd=seed: wide(s, 100_000, sd)),
            ),
            scsv(
                f"{version}-10001-columns",
                argv,
                "error",
                write("data.csv", lambda s, sd=seed: wide(s, 10_001, sd)),
            ),
            scsv(
                f"{version}-wrong-header",
                argv,
                "error",
                write("data.csv", lambda s, sd=seed: sd(s).replace(b"REF_AREA", b"REF_AREX", 1)),
            ),
            scsv(
                f"{version}-no-header",
                argv,
                "error",
                write("data.csv", lambda s, sd=seed: sd(s).partition(b"\n")[2]),
            ),
            scsv(
                f"{version}-duplicate-column",
                argv,
                "error",
                write("data.csv", lambda s, sd=seed: sd(s).replace(b"SEX", b"AGE", 1)),
            ),
            scsv(
                f"{version}-nul",
                argv,
                "any",
                write(
                    "data.csv",
                    lambda s, sd=seed: sd(s).replace(b",EDUCATION,", b",EDU\x00CATION,", 1),
                ),
            ),
            scsv(
                f"{version}-stray-quote",
                argv,
                "any",
                write(
                    "data.csv", lambda s, sd=seed: sd(s).replace(b",EDUCATION,", b',"EDUCATION,', 1)
                ),
            ),
            scsv(
                f"{version}-ragged",
                argv,
                "error",
                write(
                    "data.csv",
                    lambda s, sd=seed: sd(s).replace(b",EDUCATION,", b",EDUCATION,,,", 1),
                ),
            ),
            scsv(
                f"{version}-field-20mb",
                argv,
                "any",
                write(
                    "data.csv",
                    lambda s, sd=seed: sd(s).replace(
                        b",EDUCATION,", b",E" + b"X" * (20 * 2**20) + b",", 1
                    ),
                ),
            ),
            scsv(
                f"{version}-formula-value",
                argv,
                "error",
                write(
                    "data.csv",
                    lambda s, sd=seed: sd(s).replace(b",EDUCATION,", b",=HYPERLINK(1),", 1),
                ),
            ),
            scsv(
                f"{version}-validate-100k-columns",
                ("validate", "{d}/data.csv", "-s", "{s}/conv/sdmx/structure-2.1.xml"),
                "error",
                write("data.csv", lambda s, sd=seed: wide(s, 100_000, sd)),
            ),
        ]
        for frac in (0.3, 0.999):
            out.append(
                scsv(
                    f"{version}-truncated-{frac}",
                    argv,
                    "any",
                    write("data.csv", lambda s, f=frac, sd=seed: truncate(sd(s), f)),
                )
            )
        for n in range(3):
            out.append(
                scsv(
                    f"{version}-bitflip-{n}",
                    argv,
                    "any",
                    write("data.csv", lambda s, n=n, sd=seed: flip_bits(sd(s), 900 + n, 4)),
                )
            )
    return out


def cases() -> list[Case]:
    """The SDMX cases."""
    return [*_ml_cases(), *_structure_cases(), *_csv_cases()]
