"""``convert --base-iri``: the DCAT identifiers minted under the given IRI (the files' URLs
stay those of ``--base-url``), a bad IRI refused before anything is read, writer options
through the format registry (a plugin writer without options still works), and the warning
for the documentation's placeholder pseudonymisation key."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib import namespace as ns
from typer.testing import CliRunner

from cdinterop import formats as registry
from cdinterop._cli import app
from cdinterop.convert import ConvertError, convert
from cdinterop.formats import Format, register_format
from cdinterop.ingest import PlaceholderKeyWarning, load_key
from cdinterop.model import CitizenDataset

ROOT = Path(__file__).resolve().parents[1]
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
PLACEHOLDER = "replace-with-your-own-secret-key"  # the README's first command
KEY = "a-long-secret-key-for-the-tests"
BASE_IRI = "https://data.example.org/services/"
BASE_URL = "https://files.example.net/published/services/"
runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """Each test starts from a registry that has not looked at anything yet."""
    restore = registry._reset()
    yield
    restore()


def _convert_cli(out: Path, *options: str, key: str = KEY) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["convert", str(SUBMISSION), "-m", str(SPEC), "-o", str(out), *options],
        env={"CDINTEROP_PSEUDONYM_KEY": key},
    )
    return result.exit_code, result.stderr


def _iris(graph: Graph) -> set[str]:
    return {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}


def test_the_dcat_identifiers_are_minted_under_the_base_iri(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stderr = _convert_cli(
        out, "--to", "sdmx,dcat", "--base-iri", BASE_IRI, "--base-url", BASE_URL
    )
    assert code == 0, stderr
    graph = Graph().parse(out / "dataset.ttl", format="turtle")
    dataset_id = json.loads((out / "dataset.json").read_text(encoding="utf-8"))["id"]
    (dataset,) = graph.subjects(ns.RDF.type, ns.DCAT.Dataset)
    assert str(dataset) == f"{BASE_IRI}dataset/{dataset_id}"
    distributions = list(graph.objects(dataset, ns.DCAT.distribution))
    assert distributions and all(
        str(d).startswith(f"{BASE_IRI}distribution/") for d in distributions
    )
    # nothing is minted under the default base any more
    assert not [iri for iri in _iris(graph) if iri.startswith("https://example.org/cdinterop/")]
    # --base-url keeps its meaning: where the files are downloaded from
    urls = {str(u) for d in distributions for u in graph.objects(d, ns.DCAT.downloadURL)}
    assert urls and all(url.startswith(BASE_URL) for url in urls)
    assert not [url for url in urls if url.startswith(BASE_IRI)]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["base_iri"] == BASE_IRI
    assert summary["outputs"] == ["sdmx", "dcat"]


def test_without_base_iri_the_default_base_and_summary_are_as_before(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = convert(SUBMISSION, SPEC, out, to=["dcat"], key=KEY.encode())
    graph = Graph().parse(out / "dataset.ttl", format="turtle")
    (dataset,) = graph.subjects(ns.RDF.type, ns.DCAT.Dataset)
    assert str(dataset) == f"https://example.org/cdinterop/dataset/{result.dataset.id}"
    assert "base_iri" not in json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("iri", "says"),
    [
        ("javascript:alert(1)", "absolute http or https IRI"),
        ("file:///srv/data/", "absolute http or https IRI"),
        ("data.example.org/services/", "absolute http or https IRI"),
        ("https://data.example.org/?x=1", "must not have a query"),
        ("https://data.example.org/a b/", "holds a space"),
    ],
)
def test_a_bad_base_iri_is_refused_before_anything_is_read(
    tmp_path: Path, iri: str, says: str
) -> None:
    broken_spec = tmp_path / "broken.yaml"
    broken_spec.write_text("this: [is not a spec\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["convert", str(SUBMISSION), "-m", str(broken_spec), "-o", str(out), "--base-iri", iri],
        env={"CDINTEROP_PSEUDONYM_KEY": KEY},
    )
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "--base-iri" in said and says in said and "e.g. https://data.example.org/" in said
    assert "spec" not in said.replace("--base-iri", "")  # the spec was never read
    assert not out.exists()


def test_the_python_api_refuses_a_bad_base_iri_before_reading(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ConvertError, match="absolute http or https IRI") as caught:
        convert(tmp_path / "no-such-file.csv", SPEC, out, base_iri="ftp://data.example.org/")
    assert caught.value.summary is None
    assert not out.exists()


def test_a_plugin_writer_without_options_still_works(tmp_path: Path) -> None:
    calls: list[tuple[str, ...]] = []

    def write_count(dataset: CitizenDataset, folder: Path, /) -> Sequence[Path]:
        """A third-party writer of the old kind: two arguments, no options."""
        calls.append(("write_count",))
        path = folder / "count.txt"
        path.write_text(str(len(dataset.observations)), encoding="utf-8")
        return []

    register_format(Format("count-test", "count", "the number of observations", write=write_count))
    out = tmp_path / "out"
    result = convert(
        SUBMISSION, SPEC, out, to=["count-test", "dcat"], key=KEY.encode(), base_iri=BASE_IRI
    )
    assert calls == [("write_count",)]
    assert (out / "count.txt").read_text(encoding="utf-8") == str(len(result.dataset.observations))
    graph = Graph().parse(out / "dataset.ttl", format="turtle")
    assert set(graph.subjects(ns.RDF.type, ns.DCAT.Dataset)) == {
        URIRef(f"{BASE_IRI}dataset/{result.dataset.id}")
    }


def test_write_into_passes_a_format_the_options_it_names_and_no_others(tmp_path: Path) -> None:
    received: list[dict[str, object]] = []

    def plain(dataset: CitizenDataset, folder: Path) -> Sequence[Path]:
        return []

    def with_options(
        dataset: CitizenDataset, folder: Path, *, options: object = None
    ) -> Sequence[Path]:
        assert isinstance(options, dict)
        received.append(options)
        return []

    dataset = registry.get_format("model").read
    assert dataset is not None
    ds = dataset(ROOT / "examples" / "marine-litter-ghana" / "dataset.json")
    run = {"base_iri": BASE_IRI, "other": 1}
    assert Format("plain-test", "t", "t", write=plain).write_into(ds, tmp_path, run) == []
    takes = Format("opts-test", "t", "t", write=with_options, options=("base_iri", "absent"))
    takes.write_into(ds, tmp_path, run)
    takes.write_into(ds, tmp_path)
    assert received == [{"base_iri": BASE_IRI}, {}]
    assert registry.get_format("dcat").options == ("base_iri",)
    with pytest.raises(ValueError, match="takes writer options but does not write"):
        Format("read-test", "t", "t", read=lambda path: ds, options=("base_iri",))


def test_base_iri_with_no_output_that_mints_identifiers_warns(tmp_path: Path) -> None:
    code, stderr = _convert_cli(tmp_path / "out", "--to", "sdmx", "--base-iri", BASE_IRI)
    assert code == 0, stderr
    assert "--base-iri is used by the outputs that mint identifiers" in " ".join(stderr.split())


# -- the documentation's placeholder key ---------------------------------------------------------

WARNING = "is the placeholder the documentation shows"


def test_convert_warns_once_about_the_placeholder_key_and_succeeds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stderr = _convert_cli(out, "--to", "dcat", key=PLACEHOLDER)
    assert code == 0, stderr
    lines = [line for line in stderr.splitlines() if WARNING in line]
    assert len(lines) == 1
    assert lines[0].startswith("! the pseudonymisation key (env:CDINTEROP_PSEUDONYM_KEY)")
    assert "secret of your own" in lines[0]
    assert (out / "dataset.ttl").exists()


@pytest.mark.parametrize(("key", "warned"), [(PLACEHOLDER, True), (KEY, False)])
def test_ingest_warns_about_the_placeholder_key_only(
    tmp_path: Path, key: str, warned: bool
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["ingest", str(SUBMISSION), "-m", str(SPEC), "-o", str(out), "--no-datapackage"],
        env={"CDINTEROP_PSEUDONYM_KEY": key},
    )
    assert result.exit_code == 0, result.output
    assert (WARNING in result.stderr) is warned
    assert (out / "dataset.json").exists()


def test_convert_with_a_key_of_ones_own_does_not_warn(tmp_path: Path) -> None:
    code, stderr = _convert_cli(tmp_path / "out", "--to", "dcat")
    assert code == 0, stderr
    assert WARNING not in stderr


def test_load_key_warns_with_a_placeholder_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDINTEROP_TEST_KEY", PLACEHOLDER)
    with pytest.warns(PlaceholderKeyWarning, match="secret of your own"):
        assert load_key("env:CDINTEROP_TEST_KEY") == PLACEHOLDER.encode()
    key_file = tmp_path / "key"
    key_file.write_text("a-long-secret-key\n", encoding="utf-8")  # the CLI help's example
    with pytest.warns(PlaceholderKeyWarning):
        load_key(f"file:{key_file}")
    monkeypatch.setenv("CDINTEROP_TEST_KEY", KEY)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlaceholderKeyWarning)
        assert load_key("env:CDINTEROP_TEST_KEY") == KEY.encode()
    assert issubclass(PlaceholderKeyWarning, UserWarning)
