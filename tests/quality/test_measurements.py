"""The quality measurements of a run, on both shipped examples, against independent pandas
computations from the submission, the unit records, ``rejects.csv`` and the published
observations."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app
from cdinterop.model import METRICS, CitizenDataset, QualityDimension, QualityMetric

ROOT = Path(__file__).resolve().parents[2]
KEY = "a-long-secret-key-for-the-tests"
runner = CliRunner()


@dataclass(frozen=True)
class Example:
    name: str
    submission: Path
    spec: Path
    duplicate_rule: str
    duplicate_key: str

    def source(self) -> pd.DataFrame:
        """The submission as pandas reads it: every cell as text."""
        if self.submission.suffix == ".csv":
            return pd.read_csv(self.submission, sep=";", dtype=str, keep_default_na=False)
        return pd.read_excel(
            self.submission, sheet_name="Data cards", dtype=str, engine="openpyxl"
        ).fillna("")


SERVICES = Example(
    "services",
    ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv",
    ROOT / "mappings" / "services-survey-kobo.yaml",
    "duplicate-submission",
    "_uuid",
)
LITTER = Example(
    "litter",
    ROOT / "examples" / "marine-litter-ghana" / "data-cards.xlsx",
    ROOT / "mappings" / "beach-data-cards.yaml",
    "duplicate-card",
    "Card No.",
)
EXAMPLES = [SERVICES, LITTER]


@dataclass(frozen=True)
class Run:
    """A ``cdinterop convert`` and a ``cdinterop ingest`` of one example."""

    example: Example
    out: Path
    summary: dict[str, Any]
    published: CitizenDataset
    units: pd.DataFrame
    unit_dataset: CitizenDataset
    rejects: pd.DataFrame

    def measured(self, metric: QualityMetric) -> dict[tuple[str | None, str | None], Any]:
        """The values of ``metric`` in summary.json, by (component, qualifier)."""
        found = {}
        for m in self.summary["quality"]:
            if m["metric"] == metric.value:
                key = (m.get("component"), m.get("qualifier"))
                assert key not in found, f"{metric} {key} measured twice"
                found[key] = m["value"]
        return found


@cache
def _run(example: Example, base: str) -> Run:
    out, units = Path(base) / "convert", Path(base) / "ingest"
    env = {"CDINTEROP_PSEUDONYM_KEY": KEY}
    args = ["convert", str(example.submission), "-m", str(example.spec), "-o", str(out)]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    args = ["ingest", str(example.submission), "-m", str(example.spec), "-o", str(units)]
    result = runner.invoke(app, [*args, "--no-datapackage"], env=env)
    assert result.exit_code == 0, result.output
    unit_dataset = cdinterop.load(units / "dataset.json")
    return Run(
        example,
        out,
        json.loads((out / "summary.json").read_text(encoding="utf-8")),
        cdinterop.load(out / "dataset.json"),
        unit_dataset.observations.to_pandas(),
        unit_dataset,
        pd.read_csv(out / "rejects.csv", dtype={"code": str}),
    )


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda e: e.name)
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    example: Example = request.param
    return _run(example, str(tmp_path_factory.mktemp(example.name)))


def _rows_read(run: Run) -> int:
    return len(run.example.source())


def test_every_measurement_is_of_the_catalogue_with_its_unit_and_dimension(run: Run) -> None:
    assert run.summary["quality"], "no quality measurement in summary.json"
    for m in run.summary["quality"]:
        definition = METRICS[QualityMetric(m["metric"])]
        assert m["unit"] == definition.unit
        assert QualityDimension(m["dimension"]) is definition.dimension
        assert m["computed_at"]
    measured = {m["metric"] for m in run.summary["quality"]}
    assert measured == {m.value for m in QualityMetric}


def test_completeness_per_component(run: Run) -> None:
    expected = run.units.notna().mean()
    measured = run.measured(QualityMetric.COMPLETENESS)
    columns = [c for c in run.unit_dataset.structure.column_ids if c in run.units.columns]
    assert {k[0] for k in measured} == {*columns, None}
    for column in columns:
        assert measured[(column, None)] == pytest.approx(expected[column], abs=1e-12)
    overall = run.units[columns].notna().to_numpy().mean()
    assert measured[(None, None)] == pytest.approx(overall, abs=1e-12)


def test_rows_read_match_the_submission(run: Run) -> None:
    assert run.summary["ingest"]["rows_read"] == _rows_read(run)


def test_rejected_share_overall_and_per_reason(run: Run) -> None:
    read = _rows_read(run)
    measured = run.measured(QualityMetric.REJECTED_ROW_SHARE)
    assert measured[(None, None)] == pytest.approx(run.rejects["row"].nunique() / read)
    per_reason = run.rejects.groupby("code")["row"].nunique() / read
    assert {q for _c, q in measured if q is not None} == set(per_reason.index)
    for code, share in per_reason.items():
        assert measured[(None, code)] == pytest.approx(share)


def test_filtered_and_duplicate_shares(run: Run) -> None:
    source = run.example.source()
    read = len(source)
    filtered = run.measured(QualityMetric.FILTERED_ROW_SHARE)
    accepted = len(run.units)
    rejected = run.rejects["row"].nunique()
    assert filtered[(None, None)] == pytest.approx((read - accepted - rejected) / read)
    if "_validation_status" in source.columns:  # the services example's row filter
        kept = source["_validation_status"] == "Approved"
        assert filtered[(None, "not-approved")] == pytest.approx((~kept).sum() / read)
        source = source[kept]
    duplicates = source[run.example.duplicate_key].duplicated().sum()
    assert duplicates > 0
    share = duplicates / read
    assert filtered[(None, run.example.duplicate_rule)] == pytest.approx(share)
    duplicated = run.measured(QualityMetric.DUPLICATE_SHARE)
    assert duplicated == {(None, run.example.duplicate_rule): pytest.approx(share)}


def test_timeliness_in_days_from_the_end_of_collection(run: Run) -> None:
    measured = run.measured(QualityMetric.TIMELINESS_DAYS)
    entry = next(m for m in run.summary["quality"] if m["metric"] == "TIMELINESS_DAYS")
    computed = dt.datetime.fromisoformat(entry["computed_at"]).date()
    coverage = run.unit_dataset.temporal_coverage
    assert coverage is not None and coverage.end is not None
    periods = run.units["TIME_PERIOD"].dropna().unique()
    last = max(pd.Period(p).end_time.date() for p in periods)  # days or months
    if last > coverage.end:  # the beach cards: a card dated after the coverage given
        expected = {(None, "last_period"): (computed - last).days}
    else:
        expected = {(None, "temporal_coverage"): (computed - coverage.end).days}
    assert measured == expected


def test_code_and_area_coverage_per_dimension(run: Run) -> None:
    structure = run.unit_dataset.structure
    codes = {
        d.id: {c.id for c in cl.codes}
        for d in structure.dimensions
        if (cl := structure.codelist_of(d.id)) is not None
    }
    measured = run.measured(QualityMetric.CODE_COVERAGE)
    assert {c for c, _q in measured} == set(codes)
    for dim, ids in codes.items():
        present = set(run.units[dim].dropna().unique()) & ids
        assert measured[(dim, None)] == pytest.approx(len(present) / len(ids))
    areas = run.measured(QualityMetric.AREA_COVERAGE)
    ids = codes["REF_AREA"]
    present = set(run.units["REF_AREA"].dropna().unique())
    subdivisions = {c for c in ids if "-" in c}  # ISO 3166-2 codes: country-subdivision
    assert present <= subdivisions
    assert areas == {("REF_AREA", "subdivision"): pytest.approx(len(present) / len(subdivisions))}


def test_publication_and_suppression_rates_of_the_cells(run: Run) -> None:
    obs = run.published.observations.to_pandas()
    indicators = run.summary["aggregate"]["indicators"]
    cells = len(obs) / indicators
    status = obs["CONF_STATUS"] if "CONF_STATUS" in obs.columns else pd.Series(dtype=str)
    assert run.measured(QualityMetric.CELL_PUBLICATION_RATE) == {
        (None, None): pytest.approx(obs["OBS_VALUE"].notna().sum() / indicators / cells)
    }
    # every suppressed cell has the public code C; the record splits primary and secondary
    record = run.published.disclosure
    primary = record.cells_suppressed if record else 0
    secondary = record.secondary_cells_suppressed if record else 0
    assert (status == "C").sum() / indicators == primary + secondary
    assert run.measured(QualityMetric.PRIMARY_SUPPRESSION_RATE) == {
        (None, None): pytest.approx(primary / cells)
    }
    assert run.measured(QualityMetric.SECONDARY_SUPPRESSION_RATE) == {
        (None, None): pytest.approx(secondary / cells)
    }


def test_the_published_data_set_and_the_unit_records_carry_the_measurements(run: Run) -> None:
    quality = run.published.quality
    assert quality is not None
    published = [m.model_dump(mode="json", exclude_none=True) for m in quality.measurements]
    assert published[-len(run.summary["quality"]) :] == run.summary["quality"]
    units = run.unit_dataset.quality
    assert units is not None
    unit_metrics = {m.metric for m in units.measurements}
    cell_metrics = {"CELL_PUBLICATION_RATE", "PRIMARY_SUPPRESSION_RATE"}
    assert unit_metrics and not unit_metrics & cell_metrics
    assert run.summary["ingest"]["quality"] == [
        {k: v for k, v in m.items() if k != "computed_at"}
        for m in run.summary["quality"]
        if m["metric"] in unit_metrics
    ]


# -- the measurements travel with the data set ---------------------------------------------------

SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1"


def test_dcat_measurements_are_of_the_cdi_metrics_and_shacl_valid(run: Run) -> None:
    from pyshacl import validate
    from rdflib import Graph, Literal
    from rdflib.namespace import RDF, SKOS

    from cdinterop.dcat._vocab import CDI, DQV
    from cdinterop.dcat._vocabulary import shapes_graph, vocabulary_graph

    data = Graph().parse(run.out / "dataset.ttl", format="turtle")
    found = set()
    for node in data.subjects(RDF.type, DQV.QualityMeasurement):
        metric = data.value(node, DQV.isMeasurementOf)
        component, qualifier = data.value(node, CDI.component), data.value(node, CDI.qualifier)
        notation = str(data.value(metric, SKOS.notation))
        if notation in {m.value for m in QualityMetric}:
            assert metric == CDI[f"computedMetric-{notation}"]
            found.add((notation, component and str(component), qualifier and str(qualifier)))
    expected = {
        (m["metric"], m.get("component"), m.get("qualifier")) for m in run.summary["quality"]
    }
    assert found == expected
    vocab = vocabulary_graph()
    for metric, definition in METRICS.items():
        concept = CDI[f"computedMetric-{metric.value}"]
        assert (concept, RDF.type, DQV.Metric) in vocab
        assert str(vocab.value(concept, SKOS.definition)).startswith(definition.definition)
        dimension = CDI[f"dimension-{definition.dimension.value}"]
        assert (concept, DQV.inDimension, dimension) in vocab
        assert (concept, DQV.inDimension, dimension) in data or concept not in set(data.objects())
    assert (None, CDI.qualifier, Literal("subdivision")) in data
    if not (SHAPES / "dcat-ap-SHACL.ttl").is_file():  # pragma: no cover
        pytest.skip("the DCAT-AP 3.0.1 shapes are not in ../shared/standards")
    shapes = [Graph().parse(SHAPES / n) for n in ("dcat-ap-SHACL.ttl", "shapes_recommended.ttl")]
    for graph in [*shapes, shapes_graph()]:
        conforms, _report, text = validate(data, shacl_graph=graph, inference="none")
        assert conforms, text


def test_every_format_carries_the_measurements(run: Run, tmp_path: Path) -> None:
    import io

    from cdinterop import datapackage, dcat, sdmx

    ds = run.published
    assert ds.quality is not None and len(ds.quality.measurements) == len(run.summary["quality"])
    described = ds.replace(observations=[])  # DCAT describes, it does not hold the data
    for name, suffixes in dcat.FORMATS.items():
        path = dcat.write(ds, tmp_path / f"dataset{suffixes[0]}", format=name)
        assert dcat.read(path) == described, name
    assert dcat.from_graph(dcat.to_graph(ds)) == described
    assert datapackage.read(datapackage.write(ds, tmp_path / "package.zip")) == ds
    cdinterop.save(ds, tmp_path / "dataset.json")
    assert cdinterop.load(tmp_path / "dataset.json") == ds
    empty = ds.replace(observations=[], attribute_values={})
    written = 0
    for name, fmt in sdmx.FORMATS.items():
        if not fmt.supports(ds):
            continue
        buffer = io.BytesIO()
        sdmx.write(ds, buffer, format=name)
        assert sdmx.read(buffer.getvalue(), structure=empty) == ds, name
        written += 1
    assert written >= 2
