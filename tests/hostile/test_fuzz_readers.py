"""Property-based fuzzing (Hypothesis) of every reader on mutated valid files (issue 14).

Each reader gets a valid file written by cdinterop's own writers (the seeds of the hostile
corpus), damaged by a few random mutations (bit flips, truncation, hostile snippets
inserted, lines duplicated or deleted), and must either read it or raise one of the
documented errors, a `cdinterop.errors.CdinteropError` (``ReadError``,
``InvalidDatasetError``, ``LimitExceeded``, ...): never anything else. The network is cut
for the whole module. Examples are derandomised so that CI is reproducible; raise
``CDINTEROP_FUZZ_EXAMPLES`` (default 12 per reader) to fuzz longer.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cdinterop
from cdinterop import datapackage, dcat, sdmx
from cdinterop.errors import CdinteropError
from cdinterop.ingest import IngestSpec, open_submission
from cdinterop.mapping import loads_spec

from .corpus import build
from .corpus.seeds import PLAIN_SPEC

EXAMPLES = int(os.environ.get("CDINTEROP_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SNIPPETS = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b'"',
    b"\r",
    b"\n\n",
    b",,,,",
    b";",
    b'<!DOCTYPE x [<!ENTITY e "e">]>',
    b"&e;",
    b"<![CDATA[",
    b"]]>",
    b"</",
    b"{",
    b"}",
    b"[" * 300,
    b"\\u0000",
    b"\\ud800",
    b"1e400",
    b"NaN",
    b"-Infinity",
    b"9" * 400,
    b"=HYPERLINK(1)",
    "\u202e\u200b".encode(),
    b"@prefix x: <http://127.0.0.1:9/> .",
    b'"@context": "http://127.0.0.1:9/c"',
    b"!!python/object/apply:os.system ['true']",
    b"*a",
    b"&a [1]",
    b"PK\x03\x04",
]

Mutation = tuple[str, float, int]
WHERE = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1, allow_nan=False))
"""Where a mutation applies, as a fraction of the length: the very start (the header, the
prolog) and the end are chosen more often than chance would."""


@st.composite
def mutations(draw: st.DrawFn) -> list[Mutation]:
    """One to three mutations: (kind, where as a fraction of the length, parameter)."""
    kinds = st.sampled_from(["flip", "truncate", "insert", "duplicate", "delete"])
    return draw(
        st.lists(
            st.tuples(kinds, WHERE, st.integers(0, 10_000)),
            min_size=1,
            max_size=3,
        )
    )


def mutate(data: bytes, plan: list[Mutation]) -> bytes:
    """Apply ``plan`` to ``data``."""
    for kind, where, n in plan:
        at = int(len(data) * where)
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ (1 << (n % 8))]) + data[at + 1 :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + SNIPPETS[n % len(SNIPPETS)] + data[at:]
        elif kind == "duplicate":
            lines = data.splitlines(keepends=True)
            if lines:
                i = n % len(lines)
                lines.insert(i, lines[i])
                data = b"".join(lines)
        elif kind == "delete":
            data = data[:at] + data[at + 1 + n % 64 :]
    return data


@pytest.fixture(scope="module")
def seeds() -> Iterator[Path]:
    """The corpus seeds, with the network cut while the module runs."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("network access in a fuzz test")

    folder = Path(tempfile.mkdtemp(prefix="cdinterop-fuzz-"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        patch.setenv("CDINTEROP_PSEUDONYM_KEY", "fuzz-key-0123456789abcdef")
        yield build(folder / "seeds").root
    shutil.rmtree(folder, ignore_errors=True)


def only_documented(read: Callable[[], object]) -> None:
    """Call ``read``; a `CdinteropError` is fine, any other exception fails the test."""
    with contextlib.suppress(CdinteropError):
        read()


def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="cdinterop-fuzz-case-"))


def _submission(path: Path) -> None:
    with open_submission(path) as sub:
        for _ in sub.batches():
            pass
        sub.problems()


def _with_file(name: str, data: bytes, read: Callable[[Path], object]) -> None:
    folder = _scratch()
    try:
        path = folder / name
        path.write_bytes(data)
        only_documented(lambda: read(path))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("seed", ["plain.csv", "kobo.csv", "odk.csv"])
@FUZZ
@given(plan=mutations())
def test_ingest_csv(seeds: Path, seed: str, plan: list[Mutation]) -> None:
    _with_file("in.csv", mutate((seeds / seed).read_bytes(), plan), _submission)


@pytest.mark.parametrize("seed", ["plain.json", "kobo-api.json"])
@FUZZ
@given(plan=mutations())
def test_ingest_json(seeds: Path, seed: str, plan: list[Mutation]) -> None:
    _with_file("in.json", mutate((seeds / seed).read_bytes(), plan), _submission)


def _rezip(source: bytes, member: str, plan: list[Mutation]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, mutate(data, plan) if info.filename == member else data)
    return buf.getvalue()


@FUZZ
@given(
    plan=mutations(), member=st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml", None])
)
def test_ingest_xlsx(seeds: Path, plan: list[Mutation], member: str | None) -> None:
    data = (seeds / "plain.xlsx").read_bytes()
    damaged = mutate(data, plan) if member is None else _rezip(data, member, plan)
    _with_file("in.xlsx", damaged, _submission)


@FUZZ
@given(plan=mutations())
def test_dataset_json(seeds: Path, plan: list[Mutation]) -> None:
    data = mutate((seeds / "dataset.json").read_bytes(), plan)
    only_documented(lambda: cdinterop.loads(data))


class Structure:
    """The structure message of the seeds, read once; its short repr keeps Hypothesis's
    reports of falsifying examples readable."""

    __slots__ = ("dataset",)

    def __init__(self, dataset: cdinterop.CitizenDataset) -> None:
        self.dataset = dataset

    def __repr__(self) -> str:
        return f"Structure({self.dataset.structure.id})"


@pytest.fixture(scope="module")
def structure(seeds: Path) -> Structure:
    """The structure of the converted example, read once."""
    return Structure(sdmx.read_structure(seeds / "conv" / "sdmx" / "structure-2.1.xml"))


@pytest.mark.parametrize(
    "name",
    [
        "data-ml21-ss.xml",
        "data-ml21-generic.xml",
        "data-ml30-ss.xml",
        "data-csv10.csv",
        "data-csv20.csv",
    ],
)
@FUZZ
@given(plan=mutations())
def test_sdmx_data(seeds: Path, structure: Structure, name: str, plan: list[Mutation]) -> None:
    data = mutate((seeds / "conv" / "sdmx" / name).read_bytes(), plan)
    only_documented(lambda: sdmx.read(data, structure=structure.dataset))


@pytest.mark.parametrize("name", ["structure-2.1.xml", "structure-3.0.xml"])
@FUZZ
@given(plan=mutations())
def test_sdmx_structure(seeds: Path, name: str, plan: list[Mutation]) -> None:
    data = mutate((seeds / "conv" / "sdmx" / name).read_bytes(), plan)
    only_documented(lambda: sdmx.read_structure(data))


@FUZZ
@given(
    plan=mutations(),
    member=st.sampled_from(["datapackage.json", "observations.csv", "codelists/cl_sex.csv"]),
)
def test_datapackage_folder(seeds: Path, plan: list[Mutation], member: str) -> None:
    folder = _scratch()
    try:
        shutil.copytree(seeds / "dp", folder / "pkg")
        target = folder / "pkg" / member
        target.write_bytes(mutate(target.read_bytes(), plan))
        only_documented(lambda: datapackage.read(folder / "pkg"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@FUZZ
@given(plan=mutations(), member=st.sampled_from(["datapackage.json", "observations.csv", None]))
def test_datapackage_zip(seeds: Path, plan: list[Mutation], member: str | None) -> None:
    data = (seeds / "dp.zip").read_bytes()
    damaged = mutate(data, plan) if member is None else _rezip(data, member, plan)
    _with_file("pkg.zip", damaged, datapackage.read)


@pytest.mark.parametrize("suffix", ["ttl", "nt", "rdf", "jsonld"])
@FUZZ
@given(plan=mutations())
def test_dcat(seeds: Path, suffix: str, plan: list[Mutation]) -> None:
    _with_file(f"in.{suffix}", mutate((seeds / f"ds.{suffix}").read_bytes(), plan), dcat.read)


@pytest.mark.parametrize("seed", ["plain.yaml", "kobo.yaml"])
@FUZZ
@given(plan=mutations())
def test_spec_yaml(seeds: Path, seed: str, plan: list[Mutation]) -> None:
    data = mutate((seeds / seed).read_bytes(), plan)
    only_documented(lambda: loads_spec(data, IngestSpec, source=seed))


def test_the_seeds_are_valid(seeds: Path) -> None:
    """Without mutations every reader reads its seed (so the fuzzing starts from valid
    files)."""
    _submission(seeds / "plain.csv")
    _submission(seeds / "plain.json")
    _submission(seeds / "plain.xlsx")
    cdinterop.load(seeds / "dataset.json")
    structure = sdmx.read_structure(seeds / "conv" / "sdmx" / "structure-2.1.xml")
    assert (
        len(sdmx.read(seeds / "conv" / "sdmx" / "data-csv20.csv", structure=structure).observations)
        == 833
    )
    assert len(datapackage.read(seeds / "dp").observations) == 833
    assert len(datapackage.read(seeds / "dp.zip").observations) == 833
    for suffix in ("ttl", "nt", "rdf", "jsonld"):
        dcat.read(seeds / f"ds.{suffix}")
    loads_spec(PLAIN_SPEC, IngestSpec)
