"""Raking against two independent implementations: a plain numpy IPF and ipfn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from ipfn import ipfn

from cdinterop.fitness import Benchmark, RakingError, design_effect, rake

from .helpers import MARGINS, benchmark, numpy_ipf, records

DIMS = list(MARGINS)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ipfn")


def weighted_margins(table: pa.Table, weights: np.ndarray) -> dict[str, dict[str, float]]:
    frame = table.select(DIMS).to_pandas().assign(w=weights)
    return {d: frame.groupby(d)["w"].sum().to_dict() for d in DIMS}


def test_weights_match_numpy_ipf_and_margins_hold() -> None:
    table = records()
    result = rake(table, benchmark(), dimensions=DIMS)
    reference = numpy_ipf(table, MARGINS)
    np.testing.assert_allclose(result.weights, reference, rtol=1e-6)
    for dim, sums in weighted_margins(table, result.weights).items():
        for code, target in MARGINS[dim].items():
            assert sums[code] == pytest.approx(target, rel=1e-9)
    assert result.converged
    assert result.weights.sum() == pytest.approx(10_000.0)


def test_weights_match_ipfn() -> None:
    table = records(seed=9)
    frame = table.select(DIMS).to_pandas().assign(total=1.0)
    aggregates = [pd.Series(MARGINS[d]).rename_axis(d) for d in DIMS]
    fitted = ipfn.ipfn(
        frame, aggregates, [[d] for d in DIMS], weight_col="total", convergence_rate=1e-13
    ).iteration()
    result = rake(table, benchmark(), dimensions=DIMS)
    np.testing.assert_allclose(result.weights, fitted["total"].to_numpy(), rtol=1e-6)


def test_base_weights() -> None:
    table = records(weights=True)
    base = table.column("w").to_numpy()
    result = rake(table, benchmark(), dimensions=DIMS, base_weights="w")
    np.testing.assert_allclose(result.weights, numpy_ipf(table, MARGINS, base), rtol=1e-6)


def test_two_margins_and_integer_codes() -> None:
    table = pa.table({"a": [1, 1, 2, 2, 2, 3], "b": ["x", "y", "x", "y", "y", "x"]})
    margins = {"a": {"1": 30.0, "2": 50.0, "3": 20.0}, "b": {"x": 60.0, "y": 40.0}}
    result = rake(table, Benchmark(margins=margins), dimensions=["a", "b"])
    reference = numpy_ipf(
        table.set_column(0, "a", pa.array(["1", "1", "2", "2", "2", "3"])), margins
    )
    np.testing.assert_allclose(result.weights, reference, rtol=1e-6)


def test_trimming_caps_the_weights_and_keeps_the_margins() -> None:
    table = records()
    plain = rake(table, benchmark(), dimensions=DIMS)
    trim = 4.0
    assert plain.weights.max() > trim * plain.weights.mean()
    result = rake(table, benchmark(), dimensions=DIMS, trim=trim)
    assert result.converged
    assert result.iterations > 1
    assert result.weights.max() <= trim * result.weights.mean() * (1 + 1e-6)
    assert result.trimmed >= int(np.sum(plain.weights > trim * plain.weights.mean()))
    for dim, sums in weighted_margins(table, result.weights).items():
        for code, target in MARGINS[dim].items():
            assert sums[code] == pytest.approx(target, rel=1e-8)
    assert result.design_effect < plain.design_effect


def test_a_cap_the_margins_do_not_allow_is_not_converged() -> None:
    table = records()
    result = rake(table, benchmark(), dimensions=DIMS, trim=2.0)
    assert not result.converged
    assert result.iterations == 51  # one rake, then MAX_TRIM_ROUNDS trim-and-rake rounds
    assert result.weights.max() > 2.0 * result.weights.mean()
    for dim, sums in weighted_margins(table, result.weights).items():
        for code, target in MARGINS[dim].items():
            assert sums[code] == pytest.approx(target, rel=1e-8)


def test_result_dict() -> None:
    table = records()
    result = rake(table, benchmark(), dimensions=DIMS, trim=3.0)
    data = result.to_dict()
    assert set(data) == {
        "method",
        "library",
        "margins",
        "iterations",
        "converged",
        "trim",
        "trimmed",
        "design_effect",
        "effective_sample_size",
        "weights",
    }
    assert data["method"] == "raking"
    assert data["library"].startswith("svy ")
    assert data["margins"] == DIMS
    assert data["trim"] == 3.0
    w = result.weights
    assert data["design_effect"] == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2)
    assert data["design_effect"] == pytest.approx(float(design_effect(w)))
    assert data["effective_sample_size"] == pytest.approx(len(w) / data["design_effect"])
    assert data["weights"] == {"min": w.min(), "max": w.max(), "mean": w.mean()}


def test_a_group_without_records_is_an_error_naming_it() -> None:
    table = records()
    table = table.filter(pc.not_equal(table.column("AGE"), "Y_GE65"))
    with pytest.raises(RakingError, match=r"no record has AGE=Y_GE65 \(population 1000\)"):
        rake(table, benchmark(), dimensions=DIMS)


def test_a_code_the_benchmark_lacks_is_an_error() -> None:
    table = pa.table({"SEX": ["F", "M", "X"]})
    with pytest.raises(RakingError, match="SEX=X is in the records but not in the benchmark"):
        rake(table, benchmark(), dimensions=["SEX"])


def test_missing_values_and_disagreeing_totals() -> None:
    with pytest.raises(RakingError, match="1 records have no SEX"):
        rake(pa.table({"SEX": ["F", "M", None]}), benchmark(), dimensions=["SEX"])
    odd = Benchmark(margins={"a": {"x": 10.0}, "b": {"y": 11.0}})
    with pytest.raises(RakingError, match="margins of one population"):
        rake(pa.table({"a": ["x"], "b": ["y"]}), odd, dimensions=["a", "b"])
    with pytest.raises(RakingError, match="no margin for AGE"):
        rake(pa.table({"AGE": ["x"]}), Benchmark(margins={"SEX": {"F": 1.0}}), dimensions=["AGE"])
    with pytest.raises(ValueError, match="no column 'NOPE'"):
        rake(records(), benchmark(), dimensions=["NOPE"])
    with pytest.raises(ValueError, match="must exceed 1"):
        rake(records(), benchmark(), dimensions=DIMS, trim=0.5)


def test_a_zero_population_group_gets_weight_zero() -> None:
    table = pa.table({"SEX": ["F", "M", "X", "F"]})
    margins = {"SEX": {"F": 50.0, "M": 50.0, "X": 0.0}}
    result = rake(table, Benchmark(margins=margins), dimensions=["SEX"])
    np.testing.assert_allclose(result.weights, [25.0, 50.0, 0.0, 25.0])


def test_million_records_are_quick() -> None:
    import time

    rng = np.random.default_rng(1)
    n = 1_000_000
    table = pa.table({d: np.array(list(m))[rng.integers(0, len(m), n)] for d, m in MARGINS.items()})
    start = time.perf_counter()
    result = rake(table, benchmark(), dimensions=DIMS)
    assert time.perf_counter() - start < 10
    assert result.converged
