"""Interval protection (issue 21), checked from outside by an independent LP attacker.

Every protected table is *published* (``dataset.json``), read back as plain JSON and attacked
by `lp_oracle`: the relations are rebuilt from the published cells, every suppressed cell
is minimised and maximised with ``scipy.optimize.linprog`` (``x >= 1`` for written count
cells, ``x >= 0`` for magnitudes), and the intervals are judged against the true values,
recomputed from the unit records with pandas. What "done" means: no suppressed cell is
determined exactly and no sensitive cell is narrowed inside ``[x - LPL, x + UPL]`` — on both
shipped examples, on 150 random tables and on a linked table; while today's simple method
(the negative control) is caught.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.aggregate import AggregationSpec, aggregate, audit_output
from cdinterop.ingest import IngestSpec, ingest
from cdinterop.mapping import load_spec
from cdinterop.model import CitizenDataset, ValueType
from cdinterop.model import _jsonio as jsonio

from .helpers import EXAMPLES, ROOT, audit_and_oracle, target_structure, unit_records
from .test_disclosure import tables

pytest.importorskip("scipy.optimize", reason="the independent attacker solves with scipy")
from . import lp_oracle as oracle

KEY = b"0123456789abcdef0123456789abcdef"
SERVICES = EXAMPLES / "public-services-satisfaction" / "submissions-kobo.csv"
SERVICES_SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
CARDS = EXAMPLES / "marine-litter-ghana" / "data-cards.xlsx"
CARDS_SPEC = ROOT / "mappings" / "beach-data-cards.yaml"
LITTER_THRESHOLD = 5
"""The litter example publishes without suppression; this threshold turns it on (data
cards per cell) to protect a magnitude (items) as well as a count."""


# ----------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Run:
    """A published output and the truth behind it."""

    published: oracle.Published
    truth: dict[tuple[str, ...], dict[str, float]]
    spec: AggregationSpec
    folder: Path | None = None
    """The output folder (none for tables aggregated in memory)."""


def _levels(run: Run) -> oracle.Levels | None:
    """The protection levels of the record, else the spec's (``simple`` records none)."""
    p = run.spec.disclosure.protection
    default = None if p is None else oracle.Levels(p.upper, p.lower, p.sliding)
    return oracle.Levels.of(run.published, default)


def _truth_frame(units: pd.DataFrame, spec: AggregationSpec) -> pd.DataFrame:
    """The unit records with one column per target dimension, made with pandas from the
    spec's rules (fixed value, source column, value map, annual periods, unpivot)."""
    if spec.unpivot is not None:
        u = spec.unpivot
        units = units.melt(
            id_vars=[c for c in units.columns if c not in u.columns],
            value_vars=list(u.columns),
            var_name=u.code,
            value_name=u.value,
        )
        units[u.code] = units[u.code].map(dict(u.columns))
    frame = pd.DataFrame(index=units.index)
    for dim, rule in spec.dimensions.items():
        if rule.value is not None:
            frame[dim] = str(rule.value)
            continue
        assert rule.source is not None
        col = units[rule.source].astype(str)
        if rule.map is not None:
            col = col.map(lambda v, m=rule.map: str(m.get(v, v)))
        if rule.period is not None:
            assert rule.period == "A", "the truth knows annual periods only"
            col = col.str[:4]
        frame[dim] = col
    for column in units.columns:
        if column not in frame.columns:
            frame[column] = units[column]
    return frame


def _truth(
    units: pd.DataFrame, spec: AggregationSpec, dims: tuple[str, ...], sums: Mapping[str, str]
) -> dict[tuple[str, ...], dict[str, float]]:
    totalled = spec.totals or tuple(d for d, r in spec.dimensions.items() if r.source)
    totals = {d: spec.dimensions[d].total for d in totalled}
    return oracle.true_cells(_truth_frame(units, spec), dims, totals, sums, spec.contributors)


def _quantities(spec: AggregationSpec) -> list[tuple[oracle.Quantity, str]]:
    """The additive quantities published, each with the name of its true value: the
    contributor count (``x >= 1``), and the measure when it is another additive quantity
    (a sum: ``x >= 0``; a count when no contributor count is published)."""
    out = []
    if spec.contributor_count is not None and spec.contributors is None:
        # distinct contributors (counted by a column) do not add up: not attacked
        out.append((oracle.Quantity(spec.contributor_count, lower=1), "count"))
    measure = spec.measure
    if measure is not None and measure.type == "count" and not out and not spec.weight:
        out.append((oracle.Quantity("OBS_VALUE", lower=1), "count"))
    elif measure is not None and measure.type == "sum" and not spec.weight:
        integer = all(m.value_type is ValueType.INTEGER for m in spec.structure.measures)
        out.append((oracle.Quantity("OBS_VALUE", lower=0, integer=integer), "OBS_VALUE"))
    assert out, "nothing additive is published"
    return out


def _published_equal_truth(run: Run) -> None:
    """Every published value of an attacked quantity is the true one (the truth's check)."""
    for q, name in _quantities(run.spec):
        for i, row in enumerate(run.published.rows):
            if row.get(q.column) is not None:
                key = run.published.key(i)
                assert float(row[q.column]) == run.truth[key][name], (q.column, key)


def _judged(run: Run) -> list[tuple[str, oracle.Verdicts]]:
    levels = _levels(run)
    return [
        (q.column, oracle.judge(run.published, q, run.truth, value=name, levels=levels))
        for q, name in _quantities(run.spec)
    ]


def _assert_protected(run: Run, *, record: bool = True) -> list[tuple[str, oracle.Verdicts]]:
    """0 exact, 0 inside protection, 0 narrower than sliding; the oracle's own checks
    (relations balance, truth inside every interval); the record states the levels."""
    _published_equal_truth(run)
    problems = []
    judged = _judged(run)
    for column, v in judged:
        summary = f"{column}: {v.summary()}"
        if v.exact or v.inside or v.narrow or v.outside or v.unbalanced:
            problems.append(summary)
    if record and run.published.disclosure.get("protection") is None:
        problems.append("the disclosure record states no protection levels")
    assert not problems, "\n".join(problems)
    return judged


def _published(dataset: CitizenDataset, hints: Mapping[str, str] | None = None) -> oracle.Published:
    """The data set as published: its dataset.json text, read back by the oracle."""
    return oracle.parse_published(jsonio.dumps(dataset), hints)


def _hints(spec: AggregationSpec) -> dict[str, str]:
    return {d: r.total for d, r in spec.dimensions.items()}


# ------------------------------------------------------------------------ the examples


def _convert(
    submission: Path, spec: IngestSpec, out: Path, key: bytes | None
) -> tuple[oracle.Published, pd.DataFrame]:
    """``convert`` the submission into ``out``; the published output and the unit records."""
    from cdinterop.convert import convert

    convert(submission, spec, out, to=["model"], key=key)
    units = ingest(submission, spec, key=key).dataset.observations.to_pandas()
    assert spec.aggregation is not None
    return oracle.read_published(out / "dataset.json", _hints(spec.aggregation)), units


def _example(submission: Path, spec: IngestSpec, out: Path, key: bytes | None) -> Run:
    published, units = _convert(submission, spec, out, key)
    agg = spec.aggregation
    assert agg is not None and agg.measure is not None
    sums = {"OBS_VALUE": agg.measure.column} if agg.measure.type == "sum" else {}
    return Run(published, _truth(units, agg, published.dims, sums), agg, out)


def _spec(
    path: Path, patch: Callable[[dict[str, Any]], None] | None = None, **disclosure: Any
) -> IngestSpec:
    """The mapping spec at ``path``, its aggregation changed by ``patch`` (on the dumped
    aggregation) and ``disclosure`` (keys of the disclosure spec)."""
    spec = load_spec(path, IngestSpec)
    if patch is None and not disclosure:
        return spec
    assert spec.aggregation is not None
    agg = spec.aggregation.model_dump(by_alias=True, exclude_unset=True)
    agg["disclosure"] = {**agg.get("disclosure", {}), **disclosure}
    if patch is not None:
        patch(agg)
    return spec.model_copy(update={"aggregation": AggregationSpec.model_validate(agg)})


def _litter_with_suppression(agg: dict[str, Any]) -> None:
    """Cell suppression on the litter aggregation: the count of data cards published as
    CLEANUPS, the status codes Q (OBS_STATUS) and F / C (a new CONF_STATUS attribute)."""
    structure = agg["structure"]
    codelists = []
    for cl in structure["codelists"]:
        if cl["id"] == "CL_OBS_STATUS":
            cl = {
                **cl,
                "codes": [
                    *cl["codes"],
                    {"id": "Q", "name": {"en": "Suppressed"}},
                    {"id": "M", "name": {"en": "Missing"}},
                ],
            }
        codelists.append(cl)
    codes = [{"id": c, "name": {"en": c}} for c in ("F", "C")]
    codelists.append(
        {"id": "CL_CONF_STATUS", "agency": "GH.CCLEAN", "name": {"en": "Conf"}, "codes": codes}
    )
    structure["codelists"] = codelists
    structure["concepts"] = [*structure["concepts"], {"id": "CONF_STATUS", "name": {"en": "C"}}]
    structure["attributes"] = [
        *structure["attributes"],
        {"id": "CONF_STATUS", "codelist": "CL_CONF_STATUS", "usage": "mandatory"},
    ]
    agg["contributor_count"] = "CLEANUPS"
    agg["contributors"] = "CARD_NO"  # a card is one contributor, not one per litter type
    agg["disclosure"] = {
        **agg["disclosure"],
        "method": "cell_suppression",
        "threshold": LITTER_THRESHOLD,
        "obs_status": {"attribute": "OBS_STATUS", "normal": "A", "suppressed": "Q", "missing": "M"},
    }


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The services example converted with its shipped mapping (default disclosure spec)."""
    out = tmp_path_factory.mktemp("services") / "out"
    return _example(SERVICES, _spec(SERVICES_SPEC), out, KEY)


@pytest.fixture(scope="session")
def litter_protected(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The litter example with cell suppression turned on (k data cards per cell, the
    count published as CLEANUPS): a magnitude and a count, tables split by year, a
    nested dimension and a total code that is not ``_T``."""
    spec = _spec(CARDS_SPEC, _litter_with_suppression)
    out = tmp_path_factory.mktemp("litter") / "out"
    return _example(CARDS, spec, out, None)


def test_services_example_is_protected(services: Run) -> None:
    """The shipped services example (k = 10, five totalled dimensions, 32 groupings): no
    suppressed count is exact, no sensitive one is narrowed inside its range, and its
    suppressed cells all carry the same status codes (see the CONF_STATUS test below; the
    check is here to convert the example once per worker)."""
    assert services.published.totals  # the relations were found
    ((_, v),) = _assert_protected(services)
    assert v.attacked > 318 and v.balanced > 0  # 318 sensitive cells, some total published
    _assert_primary_and_secondary_alike(services)


def test_litter_example_as_shipped_balances(tmp_path: Path) -> None:
    """The litter example publishes every cell (no disclosure control): nothing to attack,
    but every rebuilt relation (GH over regions, _T over beaches and categories, nested
    beaches) balances — the oracle reads this layout right."""
    run = _example(CARDS, _spec(CARDS_SPEC), tmp_path / "out", None)
    _published_equal_truth(run)
    assert run.published.totals == {"REF_AREA": "GH", "BEACH": "_T", "LITTER_TYPE": "_T"}
    q = oracle.Quantity("OBS_VALUE", lower=0)
    result = oracle.attack(run.published, q)
    assert result.intervals == {}
    assert result.unbalanced == []
    # 4 years x (GH over 4 regions, 4 regions over their beaches, 13 area-beach rows over
    # 6 categories), each for every category and the all-categories total
    assert result.balanced == 4 * (7 * (1 + 4) + 13)


def test_litter_example_with_suppression_is_protected(litter_protected: Run) -> None:
    """The item sums are attacked; the cards per cell (CLEANUPS) are distinct cards, which
    do not add up over the litter types (a card has a row for each), so they are not; each
    published one must be the true number of distinct cards, not of rows."""
    assert litter_protected.published.disclosure.get("method") == "cell_suppression"
    judged = _assert_protected(litter_protected)
    assert [column for column, _ in judged] == ["OBS_VALUE"]
    assert all(v.attacked > 0 and v.balanced > 0 for _, v in judged)
    pub, truth = litter_protected.published, litter_protected.truth
    shown = [(pub.key(i), r["CLEANUPS"]) for i, r in enumerate(pub.rows) if r.get("CLEANUPS")]
    assert shown and all(n == truth[key]["count"] for key, n in shown)
    lt = pub.dims.index("LITTER_TYPE")
    over_types = {k[:lt] + k[lt + 1 :]: n for k, n in shown if k[lt] == "_T"}
    assert over_types  # cells of all litter types together are published
    for key, n in shown:  # every card has every type: no type has more cards than all
        assert key[lt] == "_T" or n <= over_types.get(key[:lt] + key[lt + 1 :], n)


def test_unpivot_with_cell_suppression_needs_a_contributor_column() -> None:
    """Without it each card would count once per litter type in every total over the
    types: a beach of three cards would pass a threshold of five."""
    spec = _spec(CARDS_SPEC, _litter_with_suppression)
    assert spec.aggregation is not None
    agg = spec.aggregation.model_dump(by_alias=True, exclude_unset=True)
    del agg["contributors"]
    with pytest.raises(ValueError, match="cell suppression with unpivot needs the column"):
        AggregationSpec.model_validate(agg)


def test_the_audit_command_attacks_the_item_sums(litter_protected: Run) -> None:
    """`cdinterop audit` on the litter output attacks the published item sums (OBS_VALUE;
    the structure declares no minimum, so unbounded below) as the oracle does, cell for
    cell, and leaves the distinct-card counts alone (they do not add up)."""
    assert litter_protected.folder is not None
    report = audit_output(litter_protected.folder)
    pub = litter_protected.published
    ours, theirs = audit_and_oracle(report, pub, "OBS_VALUE", -math.inf)
    assert theirs and ours == theirs
    assert {c.component for c in report.intervals} == {"OBS_VALUE"}
    assert report.ok and not report.notes, (report.problems, report.notes)


# ------------------------------------------------------------------------ random tables


def _table_spec(dims: dict[str, list[str]], k: int, **disclosure: Any) -> AggregationSpec:
    return AggregationSpec.model_validate(
        {
            "structure": target_structure(dims, value_type=ValueType.INTEGER).model_dump(),
            "dimensions": {d: {"from": d} for d in dims},
            "measure": {"type": "count"},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": {"method": "cell_suppression", "threshold": k, **disclosure},
        }
    )


def _table_run(frame: pd.DataFrame, dims: dict[str, list[str]], k: int, **disclosure: Any) -> Run:
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    spec = _table_spec(dims, k, **disclosure)
    published = _published(aggregate(unit_records(table), spec).dataset)
    return Run(published, _truth(frame, spec, published.dims, {}), spec)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(2, 12))
def test_random_tables_are_protected(
    case: tuple[pd.DataFrame, dict[str, list[str]]], k: int
) -> None:
    frame, dims = case
    run = _table_run(frame, dims, k)
    _assert_protected(run)
    _assert_one_conf_status(run.published)


# ------------------------------------------------------------------------ linked tables


def _cube(seed: int, sizes: tuple[int, int, int], records: int) -> pd.DataFrame:
    """Records over three dimensions, every finest cell non-empty, skewed so that many
    cells of every grouping are small."""
    rng = np.random.default_rng(seed)
    levels = [[f"{name}{i}" for i in range(n)] for name, n in zip("abc", sizes, strict=True)]
    full = list(itertools.product(*levels))
    weights = rng.dirichlet(np.full(len(full), 0.3))
    drawn = rng.choice(len(full), size=records - len(full), p=weights)
    keys = full + [full[i] for i in drawn]
    return pd.DataFrame(keys, columns=["A", "B", "C"])


@pytest.mark.parametrize(
    ("seed", "sizes", "records", "k"),
    [(1, (4, 3, 3), 150, 5), (2, (3, 3, 3), 90, 8), (3, (5, 4, 2), 200, 10)],
)
def test_linked_tables_are_protected_together(
    seed: int, sizes: tuple[int, int, int], records: int, k: int
) -> None:
    """A cube with three totalled dimensions: every cell of a 1-way or 2-way margin is also
    a total of the finer groupings, so the same cells sit in several tables. The attacker
    uses every relation of every grouping at once."""
    frame = _cube(seed, sizes, records)
    dims = {d: sorted(frame[d].unique()) for d in ("A", "B", "C")}
    run = _table_run(frame, dims, k)
    pub = run.published
    assert len(pub.rows) == int(np.prod([n + 1 for n in sizes]))  # all 8 groupings
    (table,) = oracle.tables(pub)
    # one relation per cell with a total code along each dimension, in every grouping
    by_dim: dict[str, int] = {}
    for rel in table.relations:
        by_dim[rel.dimension] = by_dim.get(rel.dimension, 0) + 1
    total = int(np.prod([n + 1 for n in sizes]))
    assert by_dim == {d: total // (n + 1) for d, n in zip("ABC", sizes, strict=True)}
    # the suppressed cells are linked across groupings through shared relations
    hidden = set(oracle.suppressed_rows(pub, oracle.Quantity("SAMPLE_SIZE", 1)))
    groupings = {sum(code == "_T" for code in pub.key(r)) for r in hidden}
    assert len(groupings) > 1, "the case must suppress cells in several groupings"
    assert any(
        rel.total in hidden and hidden.intersection(rel.children) for rel in table.relations
    ), "no suppressed margin cell is the total of suppressed cells of a finer grouping"
    _assert_protected(run)


# ------------------------------------------------------------------------- CONF_STATUS


def _status_codes(pub: oracle.Published, column: str) -> tuple[set[Any], set[Any]]:
    """The OBS_STATUS and CONF_STATUS codes of the suppressed cells."""
    rows = [pub.rows[i] for i in oracle.suppressed_rows(pub, oracle.Quantity(column, 1))]
    return {r.get("OBS_STATUS") for r in rows}, {r.get("CONF_STATUS") for r in rows}


def _assert_one_conf_status(pub: oracle.Published, column: str = "SAMPLE_SIZE") -> None:
    """Primary and secondary cells carry one and the same public code, ``C``."""
    obs, conf = _status_codes(pub, column)
    assert obs <= {"Q"} and conf <= {"C"}, (obs, conf)


def _assert_primary_and_secondary_alike(run: Run) -> None:
    """Both kinds of suppressed cells are there, and carry the same public codes."""
    pub = run.published
    column = run.spec.contributor_count
    assert column is not None and pub.threshold is not None
    hidden = oracle.suppressed_rows(pub, oracle.Quantity(column, 1))
    primary = [i for i in hidden if run.truth[pub.key(i)]["count"] < pub.threshold]
    assert len(hidden) > len(primary) > 0  # both kinds are there
    assert _status_codes(pub, column) == ({"Q"}, {"C"})


def test_conf_status_does_not_tell_primary_from_secondary(litter_protected: Run) -> None:
    """One public code for every suppressed cell, primary or secondary: a code that told
    them apart would say which groups are small and bound their values (``C`` means
    fewer than k). Also checked on the services example and on every random table."""
    _assert_primary_and_secondary_alike(litter_protected)
    frame = _cube(1, (4, 3, 3), 150)
    dims = {d: sorted(frame[d].unique()) for d in ("A", "B", "C")}
    _assert_primary_and_secondary_alike(_table_run(frame, dims, 5))


# --------------------------------------------------------------------- negative control


def test_oracle_catches_the_simple_method(tmp_path: Path) -> None:
    """``secondary_method: simple`` (no total with a lone suppressed cell, then the rank
    audit) is not protected against an attacker who knows that a written cell holds a
    record: the oracle must say so (it has teeth)."""
    spec = _spec(SERVICES_SPEC, secondary_method="simple")
    run = _example(SERVICES, spec, tmp_path / "out", KEY)
    _published_equal_truth(run)
    (column, v), *_ = _judged(run)
    assert column == "SAMPLE_SIZE"
    assert not v.outside and not v.unbalanced and v.balanced > 100
    assert len(v.exact) > 0, v.summary()
    assert len(v.inside) > 0, v.summary()
