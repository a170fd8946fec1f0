"""convert --engine dask: the outputs of the Dask engine (a LocalCluster of two worker
processes) are those of the local engine, file for file, whatever the partitioning: whole
files, many byte ranges per file, several files with a duplicate across them, keep: last,
and the checks across rows (duplicate keys, series attributes) decided across partitions.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.convert import ConvertError, convert
from cdinterop.ingest import IngestSpec
from cdinterop.ingest._spec import Deduplicate
from cdinterop.mapping import load_spec
from cdinterop.model import AttachmentLevel
from cdinterop.testing import assert_same_outputs

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
KEY = b"dask-engine-test-key-0123456789abcdef"
URL = "https://example.org/files/"


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    from cdinterop.engines import local_cluster

    with local_cluster(2) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def spec() -> IngestSpec:
    return load_spec(SPEC, IngestSpec)


def _checks_spec(spec: IngestSpec) -> IngestSpec:
    """No de-duplication (repeated submissions become duplicate keys) and ENUMERATOR a
    series attribute of REF_AREA (later enumerators of an area are rejected)."""
    structure = spec.structure
    attributes = tuple(
        a.model_copy(update={"attachment": AttachmentLevel.SERIES, "dimensions": ("REF_AREA",)})
        if a.id == "ENUMERATOR"
        else a
        for a in structure.attributes
    )
    changed = structure.model_copy(update={"attributes": attributes})
    return spec.model_copy(update={"deduplicate": None, "structure": changed, "max_rejected": 1.0})


def _split(folder: Path, parts: int, changed_duplicate: bool = False) -> list[Path]:
    """The example as ``parts`` files, the first record again at the end of the last (a
    phone synced twice; ``changed_duplicate``: with another age)."""
    with SUBMISSION.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, records = rows[0], rows[1:]
    again = list(records[0])
    if changed_duplicate:
        age = header.index(next(h for h in header if h.endswith("age")))
        again[age] = "71"
    size = -(-len(records) // parts)
    folder.mkdir()
    files = []
    for i in range(parts):
        chunk = records[i * size : (i + 1) * size] + ([again] if i == parts - 1 else [])
        path = folder / f"part-{i + 1}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            writer.writerows(chunk)
        files.append(path)
    return files


def _both(
    tmp: Path, submission: object, spec: IngestSpec, scheduler: str, **dask: object
) -> tuple[Path, Path]:
    local, remote = tmp / "local", tmp / "dask"
    convert(submission, spec, local, key=KEY, base_url=URL)  # type: ignore[arg-type]
    convert(
        submission,  # type: ignore[arg-type]
        spec,
        remote,
        key=KEY,
        base_url=URL,
        engine="dask",
        scheduler=scheduler,
        **dask,  # type: ignore[arg-type]
    )
    return local, remote


@pytest.fixture(scope="module")
def local_example(tmp_path_factory: pytest.TempPathFactory, spec: IngestSpec) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    convert(SUBMISSION, spec, out, key=KEY, base_url=URL)
    return out


@pytest.mark.parametrize("partition_bytes", [None, 4_000])
def test_the_example_gives_the_outputs_of_the_local_engine(
    tmp_path: Path, spec: IngestSpec, cluster: str, local_example: Path, partition_bytes: int | None
) -> None:
    out = tmp_path / "dask"
    convert(
        SUBMISSION, spec, out, key=KEY, base_url=URL, engine="dask", scheduler=cluster,
        partition_bytes=partition_bytes,
    )  # fmt: skip
    assert_same_outputs(local_example, out)


@pytest.mark.parametrize("keep", ["first", "last"])
def test_several_files_and_a_duplicate_across_them(
    tmp_path: Path, spec: IngestSpec, cluster: str, keep: str
) -> None:
    files = _split(tmp_path / "exports", 3, changed_duplicate=keep == "last")
    dedup = Deduplicate(name="duplicate-submission", key=("_uuid",), keep=keep)
    chosen = spec.model_copy(update={"deduplicate": dedup})
    local, remote = _both(tmp_path, files, chosen, cluster, partition_bytes=3_000)
    assert_same_outputs(local, remote)


def test_duplicate_keys_and_series_attributes_across_partitions(
    tmp_path: Path, spec: IngestSpec, cluster: str
) -> None:
    files = _split(tmp_path / "exports", 3)
    local, remote = _both(tmp_path, files, _checks_spec(spec), cluster, partition_bytes=2_500)
    rejects = (remote / "rejects.csv").read_text("utf-8")
    assert "already used by row" in rejects and "of part-1.csv" in rejects
    assert "takes different values within REF_AREA" in rejects
    assert_same_outputs(local, remote)


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(partition_bytes=st.integers(min_value=2_000, max_value=60_000))
def test_any_partitioning_gives_the_same_outputs(
    tmp_path_factory: pytest.TempPathFactory,
    spec: IngestSpec,
    cluster: str,
    local_example: Path,
    partition_bytes: int,
) -> None:
    out = tmp_path_factory.mktemp("random") / "dask"
    convert(
        SUBMISSION, spec, out, key=KEY, base_url=URL, engine="dask", scheduler=cluster,
        partition_bytes=partition_bytes,
    )  # fmt: skip
    assert_same_outputs(local_example, out)


def test_the_engine_options_are_checked(tmp_path: Path, spec: IngestSpec) -> None:
    with pytest.raises(ConvertError, match="unknown engine"):
        convert(SUBMISSION, spec, tmp_path / "a", key=KEY, engine="spark")
    with pytest.raises(ConvertError, match="for the dask engine"):
        convert(SUBMISSION, spec, tmp_path / "b", key=KEY, scheduler="tcp://x:1")
    with pytest.raises(ConvertError, match="positive"):
        convert(SUBMISSION, spec, tmp_path / "c", key=KEY, engine="dask", partition_bytes=0)


def test_unit_records_give_the_outputs_of_the_local_engine(
    tmp_path: Path, spec: IngestSpec, cluster: str
) -> None:
    """A spec without aggregation publishes the unit records: the parts' records come
    back to the client in order."""
    kept = spec.model_copy(update={"aggregation": None})
    convert(SUBMISSION, kept, tmp_path / "local", key=KEY, base_url=URL)
    convert(
        SUBMISSION, kept, tmp_path / "dask", key=KEY, base_url=URL, engine="dask",
        scheduler=cluster, partition_bytes=30_000,
    )  # fmt: skip
    assert_same_outputs(tmp_path / "local", tmp_path / "dask")


def test_an_unread_column_is_the_local_error(
    tmp_path: Path, spec: IngestSpec, cluster: str
) -> None:
    from cdinterop.ingest import IngestError

    dedup = Deduplicate(name="d", key=("no_such_column",), keep="first")
    broken = spec.model_copy(update={"deduplicate": dedup})
    with pytest.raises(IngestError, match="no_such_column"):
        convert(SUBMISSION, broken, tmp_path / "x", key=KEY, engine="dask", scheduler=cluster)


def test_the_cli_reports_a_file_the_spec_does_not_fit(tmp_path: Path, cluster: str) -> None:
    """One export of several lacks a column: exit 2 naming the file, as with the local
    engine, never a traceback."""
    from typer.testing import CliRunner

    from cdinterop._cli import app

    folder = tmp_path / "exports"
    folder.mkdir()
    lines = SUBMISSION.read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "a.csv").write_text("".join(lines[:200]), encoding="utf-8")
    renamed = lines[0].replace('"_uuid"', '"_uuid_renamed"')
    (folder / "b.csv").write_text(renamed + "".join(lines[200:]), encoding="utf-8")
    env = {"CDINTEROP_PSEUDONYM_KEY": KEY.decode()}
    outputs = {}
    for engine in ("local", "dask"):
        args = ["convert", str(folder), "-m", str(SPEC), "-o", str(tmp_path / engine)]
        if engine == "dask":
            args += ["--engine", "dask", "--scheduler", cluster]
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 2, result.output
        assert "internal error" not in result.output
        outputs[engine] = "".join(result.output.split())  # however the console wraps
    assert "doesnotfitb.csv" in outputs["dask"]
    assert "nocolumn'_uuid'inb.csv" in outputs["dask"]


def test_the_beach_data_cards_give_the_outputs_of_the_local_engine(
    tmp_path: Path, cluster: str
) -> None:
    """The other shipped example: an XLSX workbook (one part, read whole by a worker)."""
    cards = ROOT / "examples" / "marine-litter-ghana" / "data-cards.xlsx"
    beach = ROOT / "mappings" / "beach-data-cards.yaml"
    convert(cards, beach, tmp_path / "local", key=KEY, base_url=URL)
    convert(
        cards, beach, tmp_path / "dask", key=KEY, base_url=URL, engine="dask", scheduler=cluster
    )
    assert_same_outputs(tmp_path / "local", tmp_path / "dask")


@pytest.mark.parametrize("seed", [1, 2])
def test_random_exports_give_the_outputs_of_the_local_engine(
    tmp_path: Path, spec: IngestSpec, cluster: str, seed: int
) -> None:
    """Random exports built from the example's records: drawn with replacement (repeated
    submissions), shuffled, some cells blanked or spoiled (rejects), cut into two files,
    read in random byte ranges."""
    import random

    rng = random.Random(seed)
    with SUBMISSION.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, records = rows[0], rows[1:]
    spoiled = [header.index(c) for c in ("respondent/age", "respondent/gender", "_submission_time")]
    drawn = [list(rng.choice(records)) for _ in range(600)]
    for record in drawn:
        if rng.random() < 0.1:
            record[rng.choice(spoiled)] = rng.choice(["", "n/a", "-1", "=1+1"])
    folder = tmp_path / "exports"
    folder.mkdir()
    for name, chunk in (("x.csv", drawn[:250]), ("y.csv", drawn[250:])):
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            writer.writerows(chunk)
    loose = spec.model_copy(update={"max_rejected": 1.0})
    convert(folder, loose, tmp_path / "local", key=KEY, base_url=URL)
    convert(
        folder, loose, tmp_path / "dask", key=KEY, base_url=URL, engine="dask",
        scheduler=cluster, partition_bytes=rng.randrange(2_000, 40_000),
    )  # fmt: skip
    assert_same_outputs(tmp_path / "local", tmp_path / "dask")


def test_the_rows_limit_holds_for_a_file_read_in_parts(
    tmp_path: Path, spec: IngestSpec, cluster: str
) -> None:
    """Each part is under the limit, the file is not: refused as the local engine does."""
    from cdinterop import limits

    with limits.use(limits.current().replace(rows=500)):
        with pytest.raises(limits.LimitExceeded, match="rows"):
            convert(SUBMISSION, spec, tmp_path / "local", key=KEY)
        with pytest.raises(limits.LimitExceeded, match="rows"):
            convert(
                SUBMISSION, spec, tmp_path / "dask", key=KEY, engine="dask", scheduler=cluster,
                partition_bytes=20_000,
            )  # fmt: skip
