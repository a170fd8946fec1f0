"""``cdinterop audit OUTDIR``, checked against the independent scipy attacker (`lp_oracle`).

The command must find, for every suppressed cell of a published output, the interval the
oracle finds from the same ``dataset.json``; exit 0 on a protected output, 1 when a cell
is disclosed (listing it), and 2 without a traceback on a folder or file that is not an
output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cdinterop._cli import app
from cdinterop.convert import convert
from cdinterop.ingest import IngestSpec
from cdinterop.mapping import load_spec

from .helpers import EXAMPLES, ROOT

pytest.importorskip("scipy.optimize", reason="the independent attacker solves with scipy")
from . import lp_oracle as oracle

KEY = b"0123456789abcdef0123456789abcdef"
SERVICES = EXAMPLES / "public-services-satisfaction" / "submissions-kobo.csv"
SERVICES_SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
COUNT = oracle.Quantity("SAMPLE_SIZE", lower=1)

runner = CliRunner()


def _services(out: Path, **disclosure: Any) -> Path:
    spec = load_spec(SERVICES_SPEC, IngestSpec)
    if disclosure:
        assert spec.aggregation is not None
        agg = spec.aggregation.model_dump(by_alias=True, exclude_unset=True)
        agg["disclosure"] = {**agg.get("disclosure", {}), **disclosure}
        spec = spec.model_copy(update={"aggregation": type(spec.aggregation).model_validate(agg)})
    convert(SERVICES, spec, out, to=["model"], key=KEY)
    return out


@pytest.fixture(scope="module")
def protected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The services example converted with its shipped spec (interval protection)."""
    return _services(tmp_path_factory.mktemp("audit") / "protected")


@pytest.fixture(scope="module")
def primary_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The services example with primary suppression only: totals give cells away."""
    return _services(tmp_path_factory.mktemp("audit") / "primary", secondary=False)


def _report(out: Path) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["audit", str(out), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, json.loads(result.stdout)


def _oracle_intervals(out: Path) -> dict[tuple[str, ...], tuple[float, float]]:
    pub = oracle.read_published(out / "dataset.json")
    found = oracle.attack(pub, COUNT)
    assert not found.unbalanced
    return {pub.key(i): (iv.lo, iv.hi) for i, iv in found.intervals.items()}


def _command_intervals(
    report: dict[str, Any], out: Path
) -> dict[tuple[str, ...], tuple[float, float]]:
    dims = oracle.read_published(out / "dataset.json").dims
    return {
        tuple(c["key"][d] for d in dims): (
            c["lower"],
            float("inf") if c["upper"] is None else c["upper"],
        )
        for c in report["cells"]
        if c["component"] == COUNT.column
    }


def test_a_protected_output_passes_with_the_oracles_intervals(protected: Path) -> None:
    code, report = _report(protected)
    assert code == 0, report
    assert report["ok"] and report["audit"]["exact"] == 0 and report["audit"]["complete"]
    ours, theirs = _command_intervals(report, protected), _oracle_intervals(protected)
    assert len(theirs) > 500  # primary and secondary cells of the services table
    assert ours == theirs
    assert report["recorded"]["exact"] == 0 and report["recorded"]["inside_protection"] == 0


def test_a_disclosing_output_fails_and_lists_the_cells(primary_only: Path) -> None:
    code, report = _report(primary_only)
    theirs = _oracle_intervals(primary_only)
    exact = {k for k, (lo, hi) in theirs.items() if hi - lo < 0.5}
    assert code == 1 and not report["ok"]
    assert exact and report["audit"]["exact"] == len(exact)
    assert _command_intervals(report, primary_only) == theirs
    shown = runner.invoke(app, ["audit", str(primary_only), "--show", "3"])
    assert shown.exit_code == 1
    assert f"{len(exact)} determined exactly" in " ".join(shown.stdout.split())
    assert "Narrowest intervals" in shown.stdout


def test_the_dataset_file_itself_may_be_given(protected: Path) -> None:
    result = runner.invoke(app, ["audit", str(protected / "dataset.json")])
    assert result.exit_code == 0, result.stdout
    assert "0 determined exactly" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("no-dataset", None, "no dataset.json here"),
        ("not-json", "{", "not valid JSON"),
        ("not-a-dataset", '{"a": 1}', "Field required"),
        ("a-list", "[1, 2]", "expected a JSON object"),
        ("binary", "\x00\x01\x02", "cannot read"),
    ],
)
def test_what_is_not_an_output_exits_2_without_a_traceback(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    folder = tmp_path / name
    folder.mkdir()
    if content is not None:
        (folder / "dataset.json").write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["audit", str(folder)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert message in " ".join(result.output.split())


def test_a_missing_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)


def test_a_record_naming_dimensions_the_data_set_lacks_exits_2(
    protected: Path, tmp_path: Path
) -> None:
    data = json.loads((protected / "dataset.json").read_text(encoding="utf-8"))
    data["disclosure"]["totals"] = {"NO_SUCH_DIMENSION": "_T"}
    (tmp_path / "dataset.json").write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["audit", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "NO_SUCH_DIMENSION" in result.output
    code, report = _report(tmp_path)
    assert code == 1 and not report["ok"] and report["problems"]


def test_an_output_without_suppression_passes(tmp_path: Path) -> None:
    litter = EXAMPLES / "marine-litter-ghana" / "dataset.json"
    result = runner.invoke(app, ["audit", str(litter)])
    assert result.exit_code == 0
    assert "0 suppressed cells" in " ".join(result.stdout.split())


def test_published_values_that_contradict_the_totals_are_reported(
    protected: Path, tmp_path: Path
) -> None:
    """A grand total changed after publication: no values of the suppressed cells fit, so
    the audit says the output is inconsistent (exit 1), not that cdinterop has a bug."""
    data = json.loads((protected / "dataset.json").read_text(encoding="utf-8"))
    totals = data["disclosure"]["totals"]
    (grand,) = [r for r in data["observations"] if all(r[d] == c for d, c in totals.items())]
    grand["SAMPLE_SIZE"] = 1
    (tmp_path / "dataset.json").write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["audit", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "contradict the totals" in " ".join(result.output.split())
    assert "internal error" not in result.output
