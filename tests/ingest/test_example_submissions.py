"""The raw submissions behind the two examples, ingested with the shipped mapping specs:
every simulated unit record is accepted, every planted problem is filtered by its rule or
rejected at its row and column, and nothing private reaches an output file."""

from __future__ import annotations

import csv
import importlib.util
import json
import random
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app
from cdinterop.ingest._run import IngestResult, ingest
from cdinterop.ingest._spec import IngestSpec
from cdinterop.mapping._loading import load_spec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MAPPINGS = ROOT / "mappings"
SURVEY = EXAMPLES / "public-services-satisfaction"
LITTER = EXAMPLES / "marine-litter-ghana"
KEY = "a-test-key-that-is-long-enough"

CASES = {
    "survey": (SURVEY / "submissions-kobo.csv", MAPPINGS / "services-survey-kobo.yaml"),
    "cards": (LITTER / "data-cards.xlsx", MAPPINGS / "beach-data-cards.yaml"),
}
ITEMS = ("BOTTLE", "SACHET", "BAG", "WRAPPER", "FISHING_GEAR", "OTHER")


@cache
def _generator() -> ModuleType:
    """examples/generate.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "cdinterop_examples_generate", EXAMPLES / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "planted-problems.json").read_text("utf-8"))
    return data


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDINTEROP_PSEUDONYM_KEY", KEY)


@cache
def _ingest(case: str) -> IngestResult:
    path, spec = CASES[case]
    return ingest(path, load_spec(spec, IngestSpec), key=KEY.encode())


def _rows(result: IngestResult) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = result.dataset.observations.table.to_pylist()
    return rows


# -- counts and planted problems ----------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_counts_match_the_manifest(case: str) -> None:
    summary = _ingest(case).summary
    manifest = _manifest(CASES[case][0].parent)
    assert summary.rows_read == summary.accepted + summary.filtered + summary.rejected
    assert summary.rows_read == manifest["rows_read"]
    assert summary.accepted == manifest["accepted"]
    assert summary.rejected == manifest["rejected"]
    assert summary.filtered_by_rule == manifest["filtered"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_planted_problem_is_named(case: str) -> None:
    result = _ingest(case)
    manifest = _manifest(CASES[case][0].parent)
    rejects = result.rejects.to_pylist()
    at = {(r["row"], r["column"]) for r in rejects}
    planted_rejects = [p for p in manifest["planted"] if p["outcome"] == "rejected"]
    for problem in planted_rejects:
        for column in problem["columns"]:
            assert (problem["row"], column) in at, problem
    # nothing but the planted rows is rejected, and only at the planted columns
    assert {r["row"] for r in rejects} == {p["row"] for p in planted_rejects}
    assert at == {(p["row"], c) for p in planted_rejects for c in p["columns"]}
    filtered = Counter(p["rule"] for p in manifest["planted"] if p["outcome"] == "filtered")
    assert result.summary.filtered_by_rule == dict(filtered)
    assert {p["outcome"] for p in manifest["planted"]} == {"filtered", "rejected"}


def test_survey_reasons_are_useful() -> None:
    by_value = {r["value"]: r for r in _ingest("survey").rejects.to_pylist() if r["value"]}
    assert by_value["230"]["reason"] == "respondent/age 230 is outside every band"
    assert by_value["twenty"]["reason"] == "not a number"
    assert "not in the value map of SEX" in by_value["x"]["reason"]
    assert "not in the value map of REF_AREA" in by_value["Nakuru"]["reason"]
    [gps] = [r for r in _ingest("survey").rejects.to_pylist() if r["column"] == "location/gps"]
    assert gps["value"] is None  # the location is never written, even when unreadable


def test_planted_rows_are_where_the_manifest_says() -> None:
    """The manifest's line numbers point at the planted rows (one comment spans two lines)."""
    text = (SURVEY / "submissions-kobo.csv").read_text("utf-8")
    records = list(csv.DictReader(text.splitlines(keepends=True), delimiter=";"))
    line_of: dict[int, dict[str, str]] = {}
    line = 2
    for record in records:
        line_of[line] = record
        line += 1 + sum(v.count("\n") for v in record.values())
    assert line > len(records) + 2  # a multi-line free-text answer shifts the lines
    manifest = _manifest(SURVEY)
    assert {p["row"] for p in manifest["planted"]} <= set(line_of)
    by_problem = {p["problem"]: line_of[p["row"]] for p in manifest["planted"]}
    assert by_problem["impossible age 230"]["respondent/age"] == "230"
    assert by_problem["gender no map knows"]["respondent/gender"] == "x"
    assert by_problem["submission not approved by the supervisor"]["_validation_status"] == (
        "Not Approved"
    )
    uuids = Counter(r["_uuid"] for r in records)
    duplicates = [p for p in manifest["planted"] if p.get("rule") == "duplicate-submission"]
    assert all(uuids[line_of[p["row"]]["_uuid"]] == 2 for p in duplicates)


# -- the accepted records are exactly the simulated ones -----------------------------------


def test_survey_accepts_exactly_the_simulated_records() -> None:
    gen = _generator()
    _, expected, _ = gen.satisfaction_submissions()
    simulated = [
        r
        for r in gen._satisfaction_records(random.Random(1662))
        if int(r["respondent"][1:]) <= gen.SUBMISSION_RESPONDENTS
    ]
    fields = ("county", "service", "sex", "age", "disability", "satisfied")
    assert Counter(tuple(r[f] for f in fields) for r in expected) == Counter(
        tuple(r[f] for f in fields) for r in simulated
    )
    rows = _rows(_ingest("survey"))
    got = Counter(
        (
            r["REF_AREA"],
            r["SERVICE"],
            r["SEX"],
            r["AGE"],
            r["DISABILITY_STATUS"],
            r["TIME_PERIOD"],
            r["SATISFIED"],
        )
        for r in rows
    )
    want = Counter(
        (
            r["county"],
            r["service"],
            r["sex"],
            r["age"],
            r["disability"],
            r["period"],
            r["satisfied"],
        )
        for r in expected
    )
    assert got == want
    assert len({r["RESPONDENT"] for r in rows}) == len(rows)
    assert {r["TIME_PERIOD"] for r in rows} == {"2024-06", "2024-07", "2024-08"}


def test_survey_unit_records_aggregate_like_the_example() -> None:
    """Aggregated the way the example is, the ingested records give its cell counts."""
    gen = _generator()
    _, expected, _ = gen.satisfaction_submissions()
    cells, _ = gen._satisfaction_observations(expected)
    rows = _rows(_ingest("survey"))
    renamed = [
        {
            "county": r["REF_AREA"],
            "sex": r["SEX"],
            "age": r["AGE"],
            "disability": r["DISABILITY_STATUS"],
            "service": r["SERVICE"],
            "satisfied": r["SATISFIED"],
        }
        for r in rows
    ]
    assert gen._satisfaction_observations(renamed)[0] == cells


def test_cards_accept_exactly_the_simulated_records() -> None:
    gen = _generator()
    _, expected, _ = gen.litter_cards()
    simulated = Counter(
        (r["year"], r["beach"], r["item"], r["count"], r["metres"])
        for r in gen._litter_records(random.Random(1411))
    )
    rows = _rows(_ingest("cards"))
    got = Counter(
        (int(r["TIME_PERIOD"][:4]), r["BEACH"], item, r[item], r["SURVEYED_LENGTH"])
        for r in rows
        for item in ITEMS
    )
    assert got == simulated
    by_card = Counter((r["BEACH"], r["TIME_PERIOD"], *(r[item] for item in ITEMS)) for r in rows)
    assert by_card == Counter(
        (r["beach"], r["date"].isoformat(), *(r[item] for item in ITEMS)) for r in expected
    )
    regions = {b: region for b, (_, region, _) in gen.BEACHES.items()}
    assert all(regions[r["BEACH"]] == r["REF_AREA"] for r in rows)


# -- metadata consistent with the published examples ---------------------------------------


@pytest.mark.parametrize(("case", "folder"), [("survey", SURVEY), ("cards", LITTER)])
def test_metadata_matches_the_published_example(case: str, folder: Path) -> None:
    ds = _ingest(case).dataset
    example = cdinterop.load(folder / "dataset.json")
    assert ds.agency == example.agency
    assert ds.licence == example.licence
    assert ds.publisher == example.publisher
    assert ds.consent == example.consent
    assert ds.participation is not None and example.participation is not None
    ours = ds.participation.model_dump(exclude={"participants"})
    assert ours == example.participation.model_dump(exclude={"participants"})
    agents = {a.id: a for a in example.provenance.agents}
    for agent in ds.provenance.agents:
        if agent.id in agents and agent.id != "CDINTEROP":
            assert agent == agents[agent.id]
    assert ds.id.endswith(("_UNIT_KE", "_UNIT_GH"))
    kinds = [a.type for a in ds.provenance.activities]
    assert kinds[-1] == "ingestion"


# -- the CLI and privacy --------------------------------------------------------------------

runner = CliRunner()


def _private_values(case: str) -> set[str]:
    """What must never reach an output file: raw ids, names, phones, precise points."""
    path = CASES[case][0]
    if case == "survey":
        text = path.read_text("utf-8")
        records = list(csv.DictReader(text.splitlines(keepends=True), delimiter=";"))
        values = {r["_uuid"] for r in records} | {r["_submitted_by"] for r in records}
        values |= {r["deviceid"] for r in records}
        for r in records:
            if r["location/_gps_latitude"]:
                values |= {r["location/_gps_latitude"], r["location/_gps_longitude"]}
        return values
    gen = _generator()
    rows, _, _ = gen.litter_cards()
    header = list(gen.CARD_HEADER)
    leader, phone, notes = (header.index(c) for c in ("Team leader", "Leader phone", "Notes"))
    values = {str(row[leader]) for row in rows} | {str(row[phone]) for row in rows}
    return values | {str(row[notes]) for row in rows if row[notes]}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_writes_every_output_and_nothing_private(case: str, tmp_path: Path) -> None:
    submission, spec = CASES[case]
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", str(submission), "-m", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "datapackage",
        "dataset.json",
        "rejects.csv",
        "summary.json",
    ]
    assert (out / "datapackage" / "datapackage.json").is_file()
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    manifest = _manifest(submission.parent)
    assert (summary["rows_read"], summary["accepted"], summary["rejected"]) == (
        manifest["rows_read"],
        manifest["accepted"],
        manifest["rejected"],
    )
    assert len(cdinterop.load(out / "dataset.json").observations) == manifest["accepted"]
    with (out / "rejects.csv").open(encoding="utf-8", newline="") as handle:
        rejected_rows = {int(r["row"]) for r in csv.DictReader(handle)}
    assert rejected_rows == {p["row"] for p in manifest["planted"] if p["outcome"] == "rejected"}
    text = "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file()
    )
    private = _private_values(case)
    assert len(private) > 50
    leaked = sorted(v for v in private if v in text)
    assert not leaked, leaked[:10]
    assert KEY not in text


def test_survey_pseudonyms_and_grid_cells() -> None:
    rows = _rows(_ingest("survey"))
    assert all(len(r["RESPONDENT"]) == 16 for r in rows)
    assert len({r["ENUMERATOR"] for r in rows}) == 6  # six enumerators, pseudonymised
    cells = {r["GRID_CELL"] for r in rows if r["GRID_CELL"] is not None}
    for cell in cells:
        lat, lon = (float(x) for x in cell.split())
        assert round(lat * 20) % 2 == 1 and round(lon * 20) % 2 == 1  # x.x5: cell centres
    assert sum(r["GRID_CELL"] is None for r in rows) > 0  # interviews without a GPS fix


@pytest.mark.parametrize("case", sorted(CASES))
def test_specs_validate_against_the_json_schema(case: str) -> None:
    import jsonschema
    import yaml

    from cdinterop.mapping._loading import parse_yaml

    path = CASES[case][1]
    schema = json.loads((ROOT / "schemas" / "ingest-mapping.schema.json").read_text("utf-8"))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))  # plain PyYAML, not ours
    assert document == parse_yaml(path.read_bytes())  # no YAML 1.1 surprises in the files
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert load_spec(path, IngestSpec).id == path.stem
