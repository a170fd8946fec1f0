"""Design effect, effective sample size and intervals against statsmodels and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from cdinterop.fitness import (
    design_effect,
    effective_sample_size,
    mean_interval,
    proportion_interval,
)

proportions = st.one_of(
    st.just(0.0), st.just(1.0), st.floats(min_value=1e-9, max_value=1 - 1e-9)
)  # statsmodels (scipy) overflows at subnormal counts; see test_tiny_proportions
sizes = st.floats(min_value=1.0, max_value=1e6, allow_nan=False)
levels = st.sampled_from([0.8, 0.9, 0.95, 0.99])
pairs = st.lists(st.tuples(proportions, sizes), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(pairs=pairs, level=levels)
def test_wilson_matches_statsmodels(pairs: list[tuple[float, float]], level: float) -> None:
    p, n = (np.array(x) for x in zip(*pairs, strict=True))
    lower, upper = proportion_interval(p, n, level=level, method="wilson")
    low_ref, up_ref = proportion_confint(p * n, n, alpha=1 - level, method="wilson")
    np.testing.assert_allclose(lower, low_ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(upper, up_ref, rtol=0, atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(pairs=pairs, level=levels)
def test_korn_graubard_is_clopper_pearson_at_n_eff(
    pairs: list[tuple[float, float]], level: float
) -> None:
    p, n = (np.array(x) for x in zip(*pairs, strict=True))
    lower, upper = proportion_interval(p, n, level=level, method="korn-graubard")
    low_ref, up_ref = proportion_confint(p * n, n, alpha=1 - level, method="beta")
    low_ref = np.where(p == 0, 0.0, low_ref)  # statsmodels gives NaN at the edges
    up_ref = np.where(p == 1, 1.0, up_ref)
    np.testing.assert_allclose(lower, low_ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(upper, up_ref, rtol=0, atol=1e-9)


def test_korn_graubard_degrees_of_freedom_widen_the_interval() -> None:
    p, n_eff, n = np.array([0.3]), np.array([40.0]), np.array([60.0])
    lower, upper = proportion_interval(p, n_eff, method="korn-graubard", n=n)
    factor = (stats.norm.ppf(0.975) / stats.t.ppf(0.975, 59)) ** 2
    low_ref, up_ref = proportion_confint(0.3 * 40 * factor, 40 * factor, alpha=0.05, method="beta")
    assert lower[0] == pytest.approx(low_ref, abs=1e-12)
    assert upper[0] == pytest.approx(up_ref, abs=1e-12)
    plain = proportion_interval(p, n_eff, method="korn-graubard")
    assert lower[0] < plain[0][0] and upper[0] > plain[1][0]


@pytest.mark.parametrize("method", ["wilson", "korn-graubard"])
def test_edges(method: str) -> None:
    lower, upper = proportion_interval(
        np.array([0.0, 1.0, 0.5, 0.5, 0.5]),
        np.array([10.0, 10.0, 0.5, 0.0, np.nan]),
        method=method,  # type: ignore[arg-type]
    )
    assert lower[0] == 0.0 and 0 < upper[0] < 1
    assert upper[1] == 1.0 and 0 < lower[1] < 1
    assert np.isnan(lower[2:]).all() and np.isnan(upper[2:]).all()


def test_tiny_proportions() -> None:
    p = np.array([5e-324, 1e-300, 1 - 1e-16])
    lower, upper = proportion_interval(p, np.full(3, 5.0), method="korn-graubard")
    assert lower[0] == lower[1] == 0.0 and upper[2] == 1.0
    reference = proportion_confint(0.0, 5.0, alpha=0.05, method="beta")[1]
    assert upper[0] == pytest.approx(reference, abs=1e-9)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        proportion_interval(np.array([1.2]), np.array([10.0]))
    with pytest.raises(ValueError, match="unknown interval method"):
        proportion_interval(np.array([0.2]), np.array([10.0]), method="wald")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="confidence level"):
        proportion_interval(np.array([0.2]), np.array([10.0]), level=95)
    with pytest.raises(ValueError, match="standard deviation"):
        mean_interval(np.array([1.0]), np.array([-1.0]), np.array([10.0]))


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.tuples(
            st.floats(-1e6, 1e6, allow_nan=False),
            st.one_of(st.just(0.0), st.floats(1e-6, 1e4)),  # scipy: NaN at subnormal scales
            st.floats(1.001, 1e6, allow_nan=False),
        ),
        min_size=1,
        max_size=20,
    ),
    level=levels,
)
def test_mean_interval_matches_scipy(
    values: list[tuple[float, float, float]], level: float
) -> None:
    mean, sd, n = (np.array(x) for x in zip(*values, strict=True))
    lower, upper = mean_interval(mean, sd, n, level)
    with np.errstate(invalid="ignore"):  # scipy at scale 0
        ref_low, ref_up = stats.t.interval(level, n - 1, loc=mean, scale=sd / np.sqrt(n))
    ref_low = np.where(sd == 0, mean, ref_low)
    ref_up = np.where(sd == 0, mean, ref_up)
    np.testing.assert_allclose(lower, ref_low, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(upper, ref_up, rtol=1e-9, atol=1e-9)


def test_mean_interval_needs_a_degree_of_freedom() -> None:
    lower, upper = mean_interval(np.array([1.0, 1.0]), np.array([2.0, 2.0]), np.array([1.0, 0.2]))
    assert np.isnan(lower).all() and np.isnan(upper).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.01, 1e4, allow_nan=False), min_size=1, max_size=50))
def test_kish(weights: list[float]) -> None:
    w = np.array(weights)
    n = len(w)
    assert design_effect(w) == pytest.approx(n * sum(x * x for x in weights) / sum(weights) ** 2)
    assert effective_sample_size(w) == pytest.approx(
        sum(weights) ** 2 / sum(x * x for x in weights)
    )
    assert effective_sample_size(w) == pytest.approx(n / design_effect(w))


def test_kish_edges_and_rows() -> None:
    assert design_effect(np.ones(7)) == pytest.approx(1.0)
    assert effective_sample_size(np.ones(7)) == pytest.approx(7.0)
    assert np.isnan(design_effect(np.zeros(3)))
    assert np.isnan(effective_sample_size(np.zeros(3)))
    rows = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]])
    np.testing.assert_allclose(design_effect(rows), [1.0, 3 * 14 / 36])
