"""Data Packages, folders and zips: zip slip, links, URLs, FIFOs, zip bombs, CRC mismatch,
damaged deflate, bit flips, odd encodings and hashes, missing files."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._case import Case, Seeds, Setup
from ._util import make, mentions, sdmx_count, write
from .mutate import flip_bits, truncate

__all__ = ["cases"]

case = make("datapackage")
READ = ("datapackage", "read", "{d}/pkg", "-o", "{d}/out.json")
ZREAD = ("datapackage", "read", "{d}/pkg.zip", "-o", "{d}/out.json")
ZVALIDATE = ("validate", "{d}/pkg.zip")
OBS = 833
COUNT = sdmx_count(OBS)
Descriptor = dict[str, Any]


def _descriptor(seeds: Seeds) -> Descriptor:
    data: Descriptor = json.loads((seeds / "dp" / "datapackage.json").read_text("utf-8"))
    return data


def _obs(d: Descriptor) -> Descriptor:
    resource: Descriptor = d["resources"][0]
    return resource


def folder(
    desc: Callable[[Descriptor], None] | None = None,
    files: dict[str, bytes | None] | None = None,
    raw_descriptor: Callable[..., bytes] | None = None,
    extra: Setup | None = None,
) -> Setup:
    """A setup copying the seed package folder to ``pkg``, changing its descriptor
    (in place), its files (``None`` deletes) or the descriptor's bytes."""

    def setup(work: Path, seeds: Seeds) -> None:
        target = work / "pkg"
        shutil.copytree(seeds / "dp", target)
        d = _descriptor(seeds)
        if desc is not None:
            desc(d)
        data = json.dumps(d, ensure_ascii=False, indent=1).encode()
        if raw_descriptor is not None:
            data = raw_descriptor(data)
        (target / "datapackage.json").write_bytes(data)
        for name, content in (files or {}).items():
            path = target / name
            if content is None:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            else:
                path.write_bytes(content)
        if extra is not None:
            extra(work, seeds)

    return setup


def _zip_bytes(
    seeds: Seeds,
    desc: Callable[[Descriptor], None] | None = None,
    files: dict[str, bytes | None] | None = None,
    raw_descriptor: Callable[[bytes], bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    d = _descriptor(seeds)
    if desc is not None:
        desc(d)
    data = json.dumps(d, ensure_ascii=False).encode()
    if raw_descriptor is not None:
        data = raw_descriptor(data)
    members: dict[str, bytes | None] = {"datapackage.json": data}
    base = seeds / "dp"
    for path in sorted(base.rglob("*")):
        if path.is_file() and path.name != "datapackage.json":
            members[str(path.relative_to(base))] = path.read_bytes()
    members.update(files or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, content in members.items():
            if content is not None:
                z.writestr(name, content)
    return buf.getvalue()


def zipped(**kwargs: Any) -> Setup:
    """A setup writing ``pkg.zip`` from the seed package with changes (see `_zip_bytes`)."""
    return write("pkg.zip", lambda s: _zip_bytes(s, **kwargs))


def _set(key: str, value: Any) -> Callable[[Descriptor], None]:
    def change(d: Descriptor) -> None:
        _obs(d)[key] = value

    return change


def _member_offset(data: bytes, name: str) -> tuple[int, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    n = len(info.filename.encode())
    extra = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + n + extra
    return start, info.compress_size


def _damage_member(data: bytes, name: str, at: float = 0.5) -> bytes:
    start, size = _member_offset(data, name)
    buf = bytearray(data)
    for k in range(4):
        buf[start + int(size * at) + k] ^= 0x5A
    return bytes(buf)


def _crc_mismatch(seeds: Seeds) -> bytes:
    data = _zip_bytes(seeds, compression=zipfile.ZIP_STORED)
    start, size = _member_offset(data, "observations.csv")
    body = data[start : start + size].replace(b"EDUCATION", b"EDUCATIOM", 1)
    return data[:start] + body + data[start + size :]


def _bomb(
    name: str, size: int, head: bytes = b"", unit: bytes = b"0", tail: bytes = b""
) -> Callable[[Seeds], bytes]:
    def make_bytes(seeds: Seeds) -> bytes:
        base = _zip_bytes(seeds)
        buf = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(base)) as src,
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z,
        ):
            for member in src.namelist():
                if member != name:
                    z.writestr(member, src.read(member))
            with z.open(name, "w", force_zip64=True) as handle:
                handle.write(head)
                chunk = unit * max(1, 2**20 // len(unit))
                written = 0
                while written < size:
                    handle.write(chunk)
                    written += len(chunk)
                handle.write(tail)
        return buf.getvalue()

    return make_bytes


def _rows_bomb(seeds: Seeds) -> bytes:
    text = (seeds / "dp" / "observations.csv").read_bytes()
    head, _, rest = text.partition(b"\n")
    return _bomb("observations.csv", 600 * 2**20, head + b"\n", rest)(seeds)


def _symlink_member(seeds: Seeds) -> bytes:
    base = _zip_bytes(seeds, files={"observations.csv": None})
    buf = io.BytesIO(base)
    with zipfile.ZipFile(buf, "a") as z:
        info = zipfile.ZipInfo("observations.csv")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "../outside/secret.txt")
    return buf.getvalue()


def _duplicate_member(seeds: Seeds) -> bytes:
    base = _zip_bytes(seeds)
    buf = io.BytesIO(base)
    text = (seeds / "dp" / "observations.csv").read_bytes()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buf, "a") as z:
            z.writestr("observations.csv", text.replace(b"EDUCATION", b"HEALTH"))
    return buf.getvalue()


def _many_members(seeds: Seeds) -> bytes:
    files: dict[str, bytes | None] = {f"junk/{i}.txt": b"" for i in range(100_000)}
    return _zip_bytes(seeds, files=files, compression=zipfile.ZIP_STORED)


def _links(name: str, target: str) -> Setup:
    def setup(work: Path, seeds: Seeds) -> None:
        path = work / "pkg" / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        path.symlink_to(target.replace("{o}", str(work.parent / "outside")))

    return setup


def _fifo_resource(work: Path, seeds: Seeds) -> None:
    path = work / "pkg" / "observations.csv"
    path.unlink()
    os.mkfifo(path)


def _deep(data: bytes) -> bytes:
    return data[:-1] + b', "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def cases() -> list[Case]:
    """The Data Package cases."""
    paths = {
        "traversal": "../outside/secret.txt",
        "absolute": "/etc/passwd",
        "proc": "/proc/self/environ",
        "file-url": "file:///etc/passwd",
        "http-url": "http://127.0.0.1:9/observations.csv",
        "https-url": "https://example.org/observations.csv",
        "backslash": "..\\outside\\secret.txt",
        "home": "~/secret.txt",
        "windows-drive": "C:\\Windows\\win.ini",
        "nul-in-path": "observations.csv\u0000.txt",
        "path-array-traversal": ["observations.csv", "../outside/secret.txt"],
        "empty-path": "",
        "dot": ".",
    }
    out: list[Case] = [
        case("folder-valid", READ, "ok", folder(), COUNT),
        case("zip-valid", ZREAD, "ok", zipped(), COUNT),
        case("zip-validate-valid", ZVALIDATE, "ok", zipped()),
    ]
    for name, path in paths.items():
        out.append(case(f"folder-path-{name}", READ, "error", folder(_set("path", path))))
        out.append(case(f"zip-path-{name}", ZREAD, "error", zipped(desc=_set("path", path))))
    out += [
        case(
            "zip-slip-member",
            ZREAD,
            "error",
            zipped(
                desc=_set("path", "../outside/evil.csv"),
                files={
                    "../outside/evil.csv": (Path(__file__).parent / "plain-spec.yaml").read_bytes()
                },
            ),
        ),
        case(
            "zip-absolute-member",
            ZREAD,
            "error",
            zipped(
                desc=_set("path", "/tmp/cdi-hostile-abs.csv"),
                files={"/tmp/cdi-hostile-abs.csv": b"a,b\n"},
            ),
        ),
        case(
            "zip-slip-extra-member",
            ZREAD,
            "any",
            zipped(files={"../outside/evil.txt": b"x"}),
            COUNT,
        ),
        case("zip-symlink-member", ZREAD, "error", write("pkg.zip", _symlink_member)),
        case(
            "folder-link-to-outside",
            READ,
            "error",
            folder(extra=_links("observations.csv", "{o}/secret.txt")),
        ),
        case(
            "folder-link-to-dev-zero",
            READ,
            "error",
            folder(extra=_links("observations.csv", "/dev/zero")),
            timeout=30,
        ),
        case(
            "folder-codelists-link-to-etc", READ, "any", folder(extra=_links("codelists", "/etc"))
        ),
        case(
            "folder-descriptor-link-to-outside",
            READ,
            "error",
            folder(extra=_links("datapackage.json", "{o}/secret.txt")),
        ),
        case("folder-fifo-resource", READ, "error", folder(extra=_fifo_resource), timeout=30),
        case(
            "folder-resource-is-directory",
            READ,
            "error",
            folder(
                files={"observations.csv": None},
                extra=lambda w, s: (w / "pkg" / "observations.csv").mkdir(),
            ),
        ),
        case(
            "zip-bomb-member-600mb-one-field",
            ZREAD,
            "error",
            write("pkg.zip", _bomb("observations.csv", 600 * 2**20)),
            timeout=180,
        ),
        case("zip-bomb-member-600mb-rows", ZREAD, "any", write("pkg.zip", _rows_bomb), timeout=300),
        case(
            "zip-bomb-descriptor-1gib",
            ZREAD,
            "error",
            write(
                "pkg.zip", _bomb("datapackage.json", 2**30, b'{"name": "x", "x": "', b" ", b'"}')
            ),
            timeout=300,
        ),
        case(
            "zip-validate-bomb-descriptor-1gib",
            ZVALIDATE,
            "error",
            write(
                "pkg.zip", _bomb("datapackage.json", 2**30, b'{"name": "x", "x": "', b" ", b'"}')
            ),
            timeout=300,
        ),
        case("zip-crc-mismatch", ZREAD, "error", write("pkg.zip", _crc_mismatch)),
        case(
            "zip-damaged-deflate",
            ZREAD,
            "error",
            write("pkg.zip", lambda s: _damage_member(_zip_bytes(s), "observations.csv")),
        ),
        case(
            "zip-damaged-descriptor",
            ZREAD,
            "error",
            write("pkg.zip", lambda s: _damage_member(_zip_bytes(s), "datapackage.json")),
        ),
        case(
            "zip-duplicate-member",
            ZREAD,
            "any",
            write("pkg.zip", _duplicate_member),
            mentions("duplicate|twice|more than once|same name", "two members with one name"),
        ),
        case("zip-100k-members", ZREAD, "any", write("pkg.zip", _many_members), COUNT),
        case(
            "zip-nested-zip",
            ZREAD,
            "error",
            write("pkg.zip", lambda s: _zip_bytes(s, files={"observations.csv": _zip_bytes(s)})),
        ),
        case(
            "zip-comment-64k",
            ZREAD,
            "ok",
            write("pkg.zip", lambda s: _with_comment(_zip_bytes(s))),
            COUNT,
        ),
        case(
            "zip-encrypted-flag",
            ZREAD,
            "error",
            write("pkg.zip", lambda s: _encrypted_flag(_zip_bytes(s))),
        ),
        case(
            "zip-not-a-zip", ZREAD, "error", write("pkg.zip", lambda s: b"not a zip at all" * 100)
        ),
        case("zip-empty", ZREAD, "error", write("pkg.zip", lambda s: b"")),
    ]
    for frac in (0.2, 0.7, 0.99):
        out.append(
            case(
                f"zip-truncated-{frac}",
                ZREAD,
                "error",
                write("pkg.zip", lambda s, f=frac: truncate(_zip_bytes(s), f)),
            )
        )
    for n in range(6):
        out.append(
            case(
                f"zip-bitflip-{n}",
                ZREAD,
                "any",
                write("pkg.zip", lambda s, n=n: flip_bits(_zip_bytes(s), 1000 + n, 3)),
            )
        )
    for n in range(4):
        out.append(
            case(
                f"folder-descriptor-bitflip-{n}",
                READ,
                "any",
                folder(raw_descriptor=lambda b, n=n: flip_bits(b, 1100 + n, 3)),
            )
        )
    for n in range(3):
        out.append(
            case(
                f"folder-observations-bitflip-{n}",
                READ,
                "any",
                folder(files={"observations.csv": None}, extra=_flipped_obs(n)),
            )
        )
    for enc in (
        "base64",
        "rot13",
        "utf-7",
        "utf-32",
        "utf-16",
        "bogus-codec",
        "hex",
        "zlib_codec",
        "idna",
        "punycode",
    ):
        out.append(case(f"encoding-{enc}", READ, "any", folder(_set("encoding", enc)), COUNT))
    for name, value in {
        "shake-128": "shake_128:" + "0" * 32,
        "md5-wrong": "md5:" + "0" * 32,
        "sha256-wrong": "sha256:" + "0" * 64,
        "sha256-empty": "sha256:",
        "number": 12,
        "unknown-algorithm": "whirlpool:00",
        "huge": "sha256:" + "0" * 2**20,
    }.items():
        out.append(case(f"hash-{name}", READ, "error", folder(_set("hash", value))))
    out += [
        case("bytes-wrong", READ, "error", folder(_set("bytes", 1))),
        case("bytes-negative", READ, "error", folder(_set("bytes", -1))),
        case("bytes-huge", READ, "error", folder(_set("bytes", 10**30))),
        case("compression-gz", READ, "any", folder(_set("compression", "gz")), COUNT),
        case("missing-observations", READ, "error", folder(files={"observations.csv": None})),
        case("missing-codelist", READ, "error", folder(files={"codelists/cl_sex.csv": None})),
        case("missing-descriptor", READ, "error", folder(files={"datapackage.json": None})),
        case("descriptor-broken-json", READ, "error", folder(raw_descriptor=lambda b: b[:-10])),
        case("descriptor-nesting-100k", READ, "error", folder(raw_descriptor=_deep)),
        case(
            "descriptor-duplicate-key",
            READ,
            "any",
            folder(raw_descriptor=lambda b: b[:-1] + b', "name": "other-name"}'),
            mentions("duplicate|twice|more than once", "a duplicate key in the descriptor"),
        ),
        case("descriptor-array", READ, "error", folder(raw_descriptor=lambda b: b"[" + b + b"]")),
        case(
            "descriptor-bom",
            READ,
            "ok",
            folder(raw_descriptor=lambda b: b"\xef\xbb\xbf" + b),
            COUNT,
        ),
        case(
            "descriptor-utf16",
            READ,
            "any",
            folder(raw_descriptor=lambda b: b.decode().encode("utf-16")),
            COUNT,
        ),
        case(
            "descriptor-100k-resources",
            READ,
            "any",
            folder(
                lambda d: d["resources"].extend(
                    {"name": f"r{i}", "path": "observations.csv"} for i in range(100_000)
                )
            ),
        ),
        case(
            "schema-100k-fields",
            READ,
            "error",
            folder(
                lambda d: _obs(d)["schema"]["fields"].extend(
                    {"name": f"F{i}", "type": "string"} for i in range(100_000)
                )
            ),
        ),
        case(
            "schema-duplicate-field",
            READ,
            "error",
            folder(
                lambda d: _obs(d)["schema"]["fields"].append(dict(_obs(d)["schema"]["fields"][0]))
            ),
        ),
        case(
            "dialect-delimiter-newline", READ, "error", folder(_set("dialect", {"delimiter": "\n"}))
        ),
        case("dialect-header-false", READ, "any", folder(_set("dialect", {"header": False}))),
        case("dialect-quote-empty", READ, "any", folder(_set("dialect", {"quoteChar": ""})), COUNT),
        case(
            "schema-remote-url",
            READ,
            "error",
            folder(_set("schema", "http://127.0.0.1:9/schema.json")),
        ),
        case(
            "schema-path-traversal", READ, "error", folder(_set("schema", "../outside/secret.txt"))
        ),
        case(
            "profile-remote",
            READ,
            "any",
            folder(lambda d: d.__setitem__("$schema", "http://127.0.0.1:9/profile.json")),
            COUNT,
        ),
        case(
            "observations-formula-cells",
            READ,
            "any",
            folder(files={"observations.csv": None}, extra=_formula_obs),
        ),
    ]
    return out


def _flipped_obs(n: int) -> Setup:
    def setup(work: Path, seeds: Seeds) -> None:
        data = (seeds / "dp" / "observations.csv").read_bytes()
        (work / "pkg" / "observations.csv").write_bytes(flip_bits(data, 1200 + n, 4))

    return setup


def _formula_obs(work: Path, seeds: Seeds) -> None:
    data = (seeds / "dp" / "observations.csv").read_bytes()
    (work / "pkg" / "observations.csv").write_bytes(data.replace(b"EDUCATION", b"=HYPERLINK(1)", 1))


def _with_comment(data: bytes) -> bytes:
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as z:
        z.comment = b"c" * 65_535
    return buf.getvalue()


def _encrypted_flag(data: bytes) -> bytes:
    buf = bytearray(data)
    at = 0
    while True:
        at = buf.find(b"PK\x03\x04", at)
        if at < 0:
            break
        buf[at + 6] |= 1
        at += 4
    at = 0
    while True:
        at = buf.find(b"PK\x01\x02", at)
        if at < 0:
            break
        buf[at + 8] |= 1
        at += 4
    return bytes(buf)
