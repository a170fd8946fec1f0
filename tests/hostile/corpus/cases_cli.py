"""Command-line operations: outputs that are devices, FIFOs, links into /proc, paths below
a file, read-only folders, outputs that are the inputs; bad ``--limit`` values."""

from __future__ import annotations

import os
from pathlib import Path

from ._case import Case, Check, Finding, Run, Seeds, Setup
from ._util import copy, fifo, link, make, sdmx_count, unchanged, write, writes

__all__ = ["cases"]

case = make("cli")
DS = "{s}/dataset.json"


def _readonly(name: str) -> Setup:
    def setup(work: Path, seeds: Seeds) -> None:
        (work / name).mkdir()
        (work / name).chmod(0o555)

    return setup


def _kept(name: str, content: bytes) -> Check:
    def check(run: Run) -> Finding | None:
        path = run.work / name
        if not path.exists() or path.read_bytes() != content:
            return Finding(
                "security", f"the unrelated file {name} in the output folder was removed or changed"
            )
        return None

    return check


def cases() -> list[Case]:
    """The command-line cases."""
    outputs = {
        "dev-null": "/dev/null",
        "dev-full": "/dev/full",
        "dev-stdout": "/dev/stdout",
        "proc-fd-1": "/proc/self/fd/1",
        "sys": "/sys/kernel/cdinterop-hostile",
        "root": "/",
        "empty": "",
    }
    out: list[Case] = []
    for name, target in outputs.items():
        out.append(
            case(
                f"datapackage-write-to-{name}", ("datapackage", "write", DS, "-o", target), "error"
            )
        )
        out.append(
            case(
                f"sdmx-read-to-{name}",
                (
                    "sdmx",
                    "read",
                    "{s}/conv/sdmx/data-csv20.csv",
                    "-s",
                    "{s}/conv/sdmx/structure-2.1.xml",
                    "-o",
                    target,
                ),
                "error",
            )
        )
    out.append(
        case(
            "dcat-write-to-dev-null",
            ("dcat", "write", DS, "-o", "/dev/null", "-f", "turtle"),
            "error",
        )
    )
    out.append(
        case(
            "ingest-to-dev-null",
            ("ingest", "{s}/plain.csv", "-m", "{s}/plain.yaml", "-o", "/dev/null"),
            "error",
        )
    )
    out.append(
        case(
            "convert-to-proc",
            ("convert", "{s}/kobo.csv", "-m", "{s}/kobo.yaml", "-o", "/proc/self/cwd/out"),
            "any",
            check=None,
        )
    )
    out += [
        case(
            "dp-write-to-fifo",
            ("datapackage", "write", DS, "-o", "{d}/out.zip"),
            "error",
            fifo("out.zip"),
            timeout=30,
        ),
        case(
            "sdmx-read-to-fifo",
            (
                "sdmx",
                "read",
                "{s}/conv/sdmx/data-csv20.csv",
                "-s",
                "{s}/conv/sdmx/structure-2.1.xml",
                "-o",
                "{d}/out.json",
            ),
            "error",
            fifo("out.json"),
            timeout=30,
        ),
        case(
            "dcat-write-to-fifo",
            ("dcat", "write", DS, "-o", "{d}/out.ttl"),
            "error",
            fifo("out.ttl"),
            timeout=30,
        ),
        case(
            "dcat-write-to-link-proc-fd-1",
            ("dcat", "write", DS, "-o", "{d}/out.ttl"),
            "error",
            link("out.ttl", "/proc/self/fd/1"),
        ),
        case(
            "dp-write-to-link-dev-null",
            ("datapackage", "write", DS, "-o", "{d}/out.zip"),
            "error",
            link("out.zip", "/dev/null"),
        ),
        case(
            "sdmx-write-to-link-dev",
            ("sdmx", "write", DS, "-o", "{d}/out"),
            "error",
            link("out", "/dev"),
        ),
        case(
            "sdmx-write-below-a-file",
            ("sdmx", "write", DS, "-o", "{d}/afile/sub"),
            "error",
            write("afile", lambda s: b"keep"),
            _kept("afile", b"keep"),
        ),
        case(
            "ingest-below-a-file",
            ("ingest", "{s}/plain.csv", "-m", "{s}/plain.yaml", "-o", "{d}/afile/sub"),
            "error",
            write("afile", lambda s: b"keep"),
            _kept("afile", b"keep"),
        ),
        case(
            "dp-write-below-a-file",
            ("datapackage", "write", DS, "-o", "{d}/afile/sub.zip"),
            "error",
            write("afile", lambda s: b"keep"),
            _kept("afile", b"keep"),
        ),
        case(
            "read-only-folder",
            ("sdmx", "write", DS, "-o", "{d}/ro/out"),
            "any",
            _readonly("ro"),
            note="root ignores permissions: an error is only expected when not running as root",
        ),
        case(
            "output-is-input-dp-read",
            ("datapackage", "read", "{d}/dp.zip", "-o", "{d}/dp.zip"),
            "error",
            copy("dp.zip"),
            unchanged("dp.zip", "dp.zip"),
        ),
        case(
            "output-is-input-sdmx-read",
            (
                "sdmx",
                "read",
                "{d}/data-csv20.csv",
                "-s",
                "{s}/conv/sdmx/structure-2.1.xml",
                "-o",
                "{d}/data-csv20.csv",
            ),
            "error",
            copy("conv/sdmx/data-csv20.csv"),
            unchanged("data-csv20.csv", "conv/sdmx/data-csv20.csv"),
        ),
        case(
            "output-is-input-dcat-write",
            ("dcat", "write", "{d}/dataset.json", "-o", "{d}/dataset.json", "-f", "json-ld"),
            "error",
            copy("dataset.json"),
            unchanged("dataset.json", "dataset.json"),
        ),
        case(
            "output-folder-holds-input-ingest",
            ("ingest", "{d}/plain.csv", "-m", "{s}/plain.yaml", "-o", "{d}"),
            "any",
            copy("plain.csv"),
            unchanged("plain.csv", "plain.csv"),
        ),
        case(
            "output-folder-holds-input-convert",
            ("convert", "{d}/in/kobo.csv", "-m", "{s}/kobo.yaml", "-o", "{d}/in"),
            "any",
            copy("kobo.csv", "in/kobo.csv"),
            unchanged("in/kobo.csv", "kobo.csv"),
        ),
        case(
            "output-is-input-folder-sdmx-write",
            ("sdmx", "write", "{d}/sdmx/dataset.json", "-o", "{d}/sdmx"),
            "any",
            copy("dataset.json", "sdmx/dataset.json"),
            unchanged("sdmx/dataset.json", "dataset.json"),
        ),
        case(
            "output-is-input-dp-write",
            ("datapackage", "write", "{d}/ds.json", "-o", "{d}/ds.json"),
            "error",
            copy("dataset.json", "ds.json"),
            unchanged("ds.json", "dataset.json"),
        ),
        case(
            "output-is-spec-ingest",
            ("ingest", "{s}/plain.csv", "-m", "{d}/plain.yaml", "-o", "{d}/plain.yaml"),
            "error",
            copy("plain.yaml"),
            unchanged("plain.yaml", "plain.yaml"),
        ),
        case(
            "output-folder-unrelated-files-convert",
            ("convert", "{s}/kobo.csv", "-m", "{s}/kobo.yaml", "-o", "{d}/out"),
            "any",
            write("out/notes.txt", lambda s: b"mine"),
            _kept("out/notes.txt", b"mine"),
        ),
        case(
            "output-link-to-folder",
            ("sdmx", "write", DS, "-o", "{d}/out"),
            "any",
            writes(write("elsewhere/keep.txt", lambda s: b"mine"), link("out", "{d}/elsewhere")),
            _kept("elsewhere/keep.txt", b"mine"),
            note="-o names a link to another folder of the user's: its other files survive",
        ),
        case("path-4096-chars", ("sdmx", "write", DS, "-o", "{d}/" + "a" * 4096), "error"),
        case(
            "path-component-300-chars",
            ("datapackage", "write", DS, "-o", "{d}/" + "b" * 300 + ".zip"),
            "error",
        ),
        case("limit-unknown", ("validate", DS, "--limit", "bogus=1"), "error"),
        case("limit-negative", ("validate", DS, "--limit", "rows=-1"), "error"),
        case("limit-nan", ("validate", DS, "--limit", "rows=nan"), "error"),
        case("limit-1e999", ("validate", DS, "--limit", "rows=1e999"), "error"),
        case("limit-zero-seconds", ("validate", DS, "--limit", "seconds=0"), "error"),
        case("limit-no-value", ("validate", DS, "--limit"), "error"),
        case("validate-directory", ("validate", "{d}"), "error"),
        case("validate-dev-zero", ("validate", "/dev/zero"), "error", timeout=30),
        case("validate-fifo", ("validate", "{d}/x.json"), "error", fifo("x.json"), timeout=30),
        case("validate-rejects-csv", ("validate", "{s}/conv/rejects.csv"), "error"),
        case("validate-max-issues-zero", ("validate", DS, "--max-issues", "0"), "error"),
        case("unknown-command", ("frobnicate",), "error"),
        case("unknown-option", ("validate", DS, "--no-such-option"), "error"),
        case(
            "sdmx-write-unknown-format",
            ("sdmx", "write", DS, "-o", "{d}/out", "-f", "ml99"),
            "error",
        ),
        case(
            "dcat-write-unknown-format",
            ("dcat", "write", DS, "-o", "{d}/out.ttl", "-f", "n3x"),
            "error",
        ),
        case(
            "dcat-write-bad-base-iri",
            ("dcat", "write", DS, "-o", "{d}/out.ttl", "--base-iri", "javascript:alert(1)"),
            "error",
        ),
        case(
            "convert-to-unknown",
            ("convert", "{s}/kobo.csv", "-m", "{s}/kobo.yaml", "-o", "{d}/out", "--to", "pdf"),
            "error",
        ),
        case(
            "convert-base-url-bogus",
            (
                "convert",
                "{s}/kobo.csv",
                "-m",
                "{s}/kobo.yaml",
                "-o",
                "{d}/out",
                "--base-url",
                "file:///etc/",
            ),
            "any",
        ),
        case(
            "ingest-max-rejected-nan",
            (
                "ingest",
                "{s}/plain.csv",
                "-m",
                "{s}/plain.yaml",
                "-o",
                "{d}/out",
                "--max-rejected",
                "nan",
            ),
            "error",
        ),
        case(
            "sdmx-read-roundtrip",
            (
                "sdmx",
                "read",
                "{s}/conv/sdmx/data-csv20.csv",
                "-s",
                "{s}/conv/sdmx/structure-2.1.xml",
                "-o",
                "{d}/out.json",
            ),
            "ok",
            None,
            sdmx_count(833),
        ),
        case(
            "output-existing-file-as-folder",
            ("sdmx", "write", DS, "-o", "{d}/file"),
            "error",
            writes(write("file", lambda s: b"keep")),
            _kept("file", b"keep"),
        ),
    ]
    if os.geteuid() != 0:
        out = [c for c in out if c.id != "cli/read-only-folder"] + [
            case(
                "read-only-folder-strict",
                ("sdmx", "write", DS, "-o", "{d}/ro/out"),
                "error",
                _readonly("ro"),
            )
        ]
    return out
