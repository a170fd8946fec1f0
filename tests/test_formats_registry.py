"""The format registry (`cdinterop.formats`): the built-in formats, formats registered at run
time (and written by ``convert``), formats of installed plugins found through the entry-point
group ``cdinterop.formats``, and broken plugins, which warn instead of stopping anything."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import cdinterop
from cdinterop import convert as convert_module
from cdinterop import formats as registry
from cdinterop.convert import convert
from cdinterop.errors import CdinteropError
from cdinterop.formats import (
    ENTRY_POINT_GROUP,
    Format,
    FormatPluginWarning,
    UnknownFormatError,
    formats,
    get_format,
    register_format,
)
from cdinterop.model import CitizenDataset, refuse_added_fields

ROOT = Path(__file__).resolve().parents[1]
LITTER = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
KEY = b"a-long-secret-key-for-the-tests"


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """Each test starts from a registry that has not looked at anything yet."""
    restore = registry._reset()
    yield
    restore()


def _write_jsonl(dataset: CitizenDataset, folder: Path) -> Sequence[Path]:
    """A third-party writer: the observations as JSON lines."""
    refuse_added_fields(dataset, "JSON lines")
    path = folder / "observations.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for record in dataset.observations.to_json_records():
            handle.write(json.dumps(record, sort_keys=True) + "\n")
    return [path]


JSONL = Format(
    "jsonl",
    "JSON lines",
    "the observations, one JSON object a line",
    write=_write_jsonl,
    suffixes=(".jsonl",),
)


# -- the built-in formats --------------------------------------------------------------------


def test_the_built_in_formats_are_listed_first() -> None:
    names = [f.name for f in formats()]
    assert names[:4] == ["sdmx", "datapackage", "dcat", "model"]
    for name in names[:4]:
        fmt = get_format(name)
        assert fmt.write is not None and fmt.read is not None and fmt.suffixes
    assert [f.name for f in formats() if f.describes][:2] == ["dcat", "model"]


def test_looking_formats_up_imports_none_of_their_packages() -> None:
    code = (
        "import sys\n"
        "from cdinterop.formats import formats, get_format\n"
        "formats(); get_format('sdmx')\n"
        "heavy = {'pyarrow', 'pydantic', 'sdmx', 'rdflib', 'lxml', 'frictionless'}\n"
        "print(sorted(heavy & {m.partition('.')[0] for m in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_the_built_in_readers_and_writers_round_trip(tmp_path: Path) -> None:
    dataset = cdinterop.load(LITTER)
    assert get_format("model").read is not None
    assert get_format("model").read(LITTER) == dataset  # type: ignore[misc]
    datapackage = get_format("datapackage")
    assert datapackage.write is not None and datapackage.read is not None
    (package,) = datapackage.write(dataset, tmp_path)
    assert package == tmp_path / "datapackage.zip"
    assert datapackage.read(package) == dataset


def test_an_unknown_name_is_a_located_lookup_error() -> None:
    with pytest.raises(UnknownFormatError, match="unknown format 'nothing'; known: ") as caught:
        get_format("nothing")
    assert isinstance(caught.value, CdinteropError) and isinstance(caught.value, LookupError)
    assert "datapackage" in str(caught.value)
    with pytest.raises(UnknownFormatError):
        formats(["sdmx", "nothing"])


# -- registering at run time ------------------------------------------------------------------


def test_a_format_is_described_completely() -> None:
    with pytest.raises(ValueError, match="lower-case letters"):
        Format("JSON Lines", "x", "x", write=_write_jsonl)
    with pytest.raises(ValueError, match="neither reads nor writes"):
        Format("nothing", "x", "x")
    with pytest.raises(TypeError):
        register_format("jsonl")  # type: ignore[arg-type]


def test_a_registered_format_is_found_and_a_name_is_taken_once() -> None:
    assert register_format(JSONL) is JSONL
    assert get_format("jsonl") is JSONL
    assert [f.name for f in formats(["jsonl", "sdmx"])] == ["sdmx", "jsonl"]
    with pytest.raises(ValueError, match="already registered"):
        register_format(JSONL)
    with pytest.raises(ValueError, match="already registered"):
        register_format(Format("sdmx", "x", "x", write=_write_jsonl))
    other = Format("jsonl", "JSON lines", "another", write=_write_jsonl)
    assert register_format(other, replace=True) is other
    assert get_format("jsonl") is other


def test_convert_writes_a_registered_format(tmp_path: Path) -> None:
    register_format(JSONL)
    assert "jsonl" in convert_module.writable_outputs()
    lines: list[str] = []
    out = tmp_path / "out"
    result = convert(SUBMISSION, SPEC, out, to=["jsonl", "sdmx"], key=KEY, progress=lines.append)
    written = (out / "observations.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(written) == len(result.dataset.observations) > 0
    assert json.loads(written[0]) == result.dataset.observations.to_json_records()[0]
    assert "writing JSON lines" in lines and "writing SDMX" in lines
    assert lines.index("writing SDMX") < lines.index("writing JSON lines")  # built-ins first
    assert "observations.jsonl" in {f.path for f in result.files}
    # the data set JSON is always written; only files convert can describe are distributions
    assert cdinterop.load(out / "dataset.json") == result.dataset
    assert all(d.id.startswith("SDMX_") for d in result.dataset.distributions)
    assert not (out / "datapackage.zip").exists() and not (out / "dataset.ttl").exists()


# -- plugins -----------------------------------------------------------------------------------


def _plugin(folder: Path, module: str, source: str, points: dict[str, str]) -> None:
    """An installed distribution in ``folder``: a module and a dist-info whose
    ``entry_points.txt`` declares ``points`` in the formats group."""
    (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = folder / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n", encoding="utf-8"
    )
    listed = "".join(f"{name} = {value}\n" for name, value in points.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{listed}", encoding="utf-8")


PLUGIN = """
from pathlib import Path

from cdinterop.formats import Format

LOADED = []


def write(dataset, folder):
    path = Path(folder) / "rows.txt"
    path.write_text(str(len(dataset.observations)), encoding="utf-8")
    return [path]


def make():
    LOADED.append("tsv-test")
    return Format("tsv-test", "TSV", "a test format", write=write)


FORMAT = Format("txt-test", "text", "a test format", write=write)
WRONG_NAME = Format("another", "text", "a test format", write=write)
NOT_A_FORMAT = 42
"""


def test_an_entry_point_plugin_is_found_and_loaded_when_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plugin(
        tmp_path,
        "cdi_test_plugin",
        PLUGIN,
        {"txt-test": "cdi_test_plugin:FORMAT", "tsv-test": "cdi_test_plugin:make"},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "cdi_test_plugin", raising=False)
    fmt = get_format("txt-test")
    assert fmt.title == "text" and fmt.write is not None
    module = sys.modules["cdi_test_plugin"]
    assert module.LOADED == []  # the other entry point is not loaded yet
    assert get_format("tsv-test").title == "TSV"  # a function that returns the format
    assert module.LOADED == ["tsv-test"]
    assert [f.name for f in formats()][-2:] == ["tsv-test", "txt-test"]
    (written,) = fmt.write(cdinterop.load(LITTER), tmp_path)
    assert written.read_text(encoding="utf-8") == str(len(cdinterop.load(LITTER).observations))


def test_a_broken_plugin_warns_and_the_rest_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plugin(
        tmp_path,
        "cdi_broken_plugin",
        "raise ImportError('a dependency of the plugin is missing')\n",
        {"broken-test": "cdi_broken_plugin:FORMAT"},
    )
    _plugin(
        tmp_path,
        "cdi_odd_plugin",
        PLUGIN,
        {
            "named-test": "cdi_odd_plugin:WRONG_NAME",
            "object-test": "cdi_odd_plugin:NOT_A_FORMAT",
            "sdmx": "cdi_odd_plugin:FORMAT",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.warns(FormatPluginWarning) as caught:
        names = [f.name for f in formats()]
    messages = sorted(str(w.message) for w in caught)
    assert names[:4] == ["sdmx", "datapackage", "dcat", "model"]
    assert not {"broken-test", "named-test", "object-test"} & set(names)
    assert get_format("sdmx").title == "SDMX"  # a plugin cannot take a built-in name
    assert any(
        "'broken-test'" in m and "ImportError: a dependency of the plugin is missing" in m
        for m in messages
    )
    assert any("'named-test'" in m and "gives the format 'another'" in m for m in messages)
    assert any("'object-test'" in m and "gives int, not" in m for m in messages)
    assert any("'sdmx'" in m and "is a built-in format" in m for m in messages)
    with pytest.raises(UnknownFormatError):
        get_format("broken-test")  # left out, once; asking again does not load it again
