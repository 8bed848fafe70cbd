"""Pooling, tau² estimators and meta-regression against direct numpy/scipy computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize

from thymoscope.synthesis import meta_regression, pool
from thymoscope.synthesis.models import estimate_tau2

effects = st.floats(min_value=-3, max_value=3, allow_nan=False)
variances = st.floats(min_value=0.005, max_value=2.0, allow_nan=False)


@st.composite
def bodies(draw: st.DrawFn, min_k: int = 2, max_k: int = 25) -> tuple[list[float], list[float]]:
    k = draw(st.integers(min_value=min_k, max_value=max_k))
    return draw(st.lists(effects, min_size=k, max_size=k)), draw(
        st.lists(variances, min_size=k, max_size=k)
    )


def numpy_dl(yi: list[float], vi: list[float]) -> dict[str, float]:
    y, v = np.array(yi), np.array(vi)
    w = 1 / v
    mu_fe = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - mu_fe) ** 2))
    k = len(y)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    tau2 = max(0.0, (q - (k - 1)) / c)
    wr = 1 / (v + tau2)
    mu = float(np.sum(wr * y) / np.sum(wr))
    vt = (k - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2))
    return {
        "mu_fe": float(mu_fe),
        "se_fe": float(np.sqrt(1 / np.sum(w))),
        "q": q,
        "tau2": float(tau2),
        "mu": mu,
        "se": float(np.sqrt(1 / np.sum(wr))),
        "i2": float(100 * tau2 / (tau2 + vt)),
        "h2": float(tau2 / vt + 1),
    }


@given(bodies())
def test_fixed_effect_and_dersimonian_laird_match_numpy(
    body: tuple[list[float], list[float]],
) -> None:
    yi, vi = body
    oracle = numpy_dl(yi, vi)
    fe = pool(yi, vi, "fe")
    assert fe.estimate == pytest.approx(oracle["mu_fe"], rel=1e-9, abs=1e-12)
    assert fe.se == pytest.approx(oracle["se_fe"], rel=1e-9)
    assert fe.heterogeneity.q == pytest.approx(oracle["q"], rel=1e-8, abs=1e-10)
    dl = pool(yi, vi, "dl")
    assert dl.heterogeneity.tau2 == pytest.approx(oracle["tau2"], rel=1e-8, abs=1e-12)
    assert dl.estimate == pytest.approx(oracle["mu"], rel=1e-9, abs=1e-12)
    assert dl.se == pytest.approx(oracle["se"], rel=1e-9)
    assert dl.heterogeneity.i2 == pytest.approx(oracle["i2"], rel=1e-8, abs=1e-9)
    assert dl.heterogeneity.h2 == pytest.approx(oracle["h2"], rel=1e-8)
    assert dl.ci.low == pytest.approx(
        oracle["mu"] - 1.959963984540054 * oracle["se"], rel=1e-9, abs=1e-12
    )
    assert sum(dl.weights) == pytest.approx(100.0)


def neg_restricted_loglik(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    w = 1 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return 0.5 * float(np.sum(np.log(v + tau2)) + np.log(np.sum(w)) + np.sum(w * (y - mu) ** 2))


def neg_restricted_slope(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    """d/d tau² of ``neg_restricted_loglik``: (tr P − y'PPy)/2 with P = W − Ww'/Σw."""
    w = 1 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    trace_p = np.sum(w) - np.sum(w**2) / np.sum(w)
    return 0.5 * float(trace_p - np.sum(w**2 * (y - mu) ** 2))


def test_the_slope_is_the_derivative_of_the_restricted_likelihood() -> None:
    y = np.array([0.1, 0.5, -0.3, 0.9])
    v = np.array([0.04, 0.1, 0.2, 0.05])
    for tau2 in (0.0, 0.01, 0.3):
        h = 1e-6
        numeric = (neg_restricted_loglik(tau2 + h, y, v) - neg_restricted_loglik(tau2, y, v)) / h
        assert neg_restricted_slope(tau2, y, v) == pytest.approx(numeric, rel=1e-3, abs=1e-6)


def test_reml_stops_at_a_narrow_boundary_maximum_as_metafor() -> None:
    """Found by hypothesis in CI: the likelihood falls for a few 1e-4 past tau² = 0, then
    climbs to its global maximum near 0.268. Fisher scoring from the (negative, so 0)
    Hedges start stays at the local maximum 0: the step-halving rule of metafor's scoring
    never lets tau² go below 0, and the first step from 0 points down."""
    y = [0.0, 0.0, 0.0, 0.0, 2.65625, 0.0, 0.0, 0.0, 2.625, 0.0, 1.375]
    v = [2.0, 2.0, 1.5, 0.04296875, 1.28125, 0.04296875, 1.5, 1.375, 1.1640625, 1.75, 0.5]
    tau2 = pool(y, v, "reml").heterogeneity.tau2
    assert tau2 == 0.0
    assert neg_restricted_slope(0.0, np.array(y), np.array(v)) >= 0


@settings(max_examples=80, deadline=None)
@given(bodies(min_k=3))
def test_reml_maximises_the_restricted_likelihood(body: tuple[list[float], list[float]]) -> None:
    """REML tau² is the restricted-likelihood maximiser scipy finds.

    Like metafor, Fisher scoring starts from the Hedges estimate, so when the restricted
    likelihood has two maxima it may settle on the local one; then it must at least be a
    local maximum (checked on both sides, or at the boundary tau² = 0).
    """
    yi, vi = body
    y, v = np.array(yi), np.array(vi)
    upper = 10 * (float(np.var(y)) + float(np.max(v))) + 1
    found = optimize.minimize_scalar(
        neg_restricted_loglik,
        bounds=(0, upper),
        args=(y, v),
        method="bounded",
        options={"xatol": 1e-10},
    )
    tau2 = pool(yi, vi, "reml").heterogeneity.tau2
    ours = neg_restricted_loglik(tau2, y, v)
    # metafor's stopping rule: the last change in tau² was below 1e-5
    if abs(tau2 - float(found.x)) <= 1e-4 * (1 + float(found.x)):
        return  # the same maximum, within metafor's stopping rule
    elif tau2 == 0.0:
        # a maximum on the boundary: the likelihood does not rise as tau² leaves 0. Its
        # basin can be narrower than any fixed step, so the slope is read, not sampled.
        assert neg_restricted_slope(0.0, y, v) >= -1e-9 * (1 + abs(ours))
    else:
        step = 1e-3 * (1 + tau2)
        assert ours <= neg_restricted_loglik(tau2 + step, y, v) + 1e-9
        assert tau2 < 1e-4 or ours <= neg_restricted_loglik(tau2 - step, y, v) + 1e-9


@settings(max_examples=60, deadline=None)
@given(bodies(min_k=3))
def test_paule_mandel_sets_generalised_q_to_its_df(body: tuple[list[float], list[float]]) -> None:
    yi, vi = body
    y, v = np.array(yi), np.array(vi)

    def q_minus_df(tau2: float) -> float:
        w = 1 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        return float(np.sum(w * (y - mu) ** 2)) - (len(y) - 1)

    tau2, _, _ = estimate_tau2(yi, vi, [(1.0,)] * len(yi), "pm")
    if q_minus_df(0.0) < 0:
        assert tau2 == 0.0
    else:
        root = optimize.brentq(q_minus_df, 0.0, 1e6, xtol=1e-12)
        assert tau2 == pytest.approx(root, rel=1e-8, abs=1e-10)


@settings(max_examples=60, deadline=None)
@given(bodies(min_k=4), st.lists(st.floats(min_value=-5, max_value=5), min_size=25, max_size=25))
def test_meta_regression_matches_numpy_wls(
    body: tuple[list[float], list[float]], moderator: list[float]
) -> None:
    yi, vi = body
    x = moderator[: len(yi)]
    assume(max(x) - min(x) > 0.5)
    model = meta_regression(yi, vi, [(1.0, xi) for xi in x], ("intercept", "x"), method="dl")
    design = np.column_stack([np.ones(len(yi)), np.array(x)])
    y, v = np.array(yi), np.array(vi)
    # DL for meta-regression (metafor): (QE − (k − p)) / tr(P) with FE weights
    w = np.diag(1 / v)
    xtwx_inv = np.linalg.inv(design.T @ w @ design)
    p_mat = w - w @ design @ xtwx_inv @ design.T @ w
    qe = float(y @ p_mat @ y)
    tau2 = max(0.0, (qe - (len(y) - 2)) / float(np.trace(p_mat)))
    wr = np.diag(1 / (v + tau2))
    vb = np.linalg.inv(design.T @ wr @ design)
    beta = vb @ design.T @ wr @ y
    assert model.tau2 == pytest.approx(tau2, rel=1e-7, abs=1e-10)
    assert model.qe == pytest.approx(qe, rel=1e-7, abs=1e-9)
    assert model.coefficients[1].estimate == pytest.approx(float(beta[1]), rel=1e-7, abs=1e-9)
    assert model.coefficients[1].se == pytest.approx(math.sqrt(vb[1, 1]), rel=1e-7)
    assert model.qm == pytest.approx(float(beta[1] ** 2 / vb[1, 1]), rel=1e-6, abs=1e-9)
    vt = (len(y) - 2) / float(np.trace(p_mat))
    assert model.i2 == pytest.approx(100 * tau2 / (tau2 + vt), rel=1e-7, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(bodies(min_k=3))
def test_hksj_scales_the_variance_and_uses_t(body: tuple[list[float], list[float]]) -> None:
    from scipy import stats

    yi, vi = body
    plain = pool(yi, vi, "dl")
    hksj = pool(yi, vi, "dl", hksj=True)
    y, v = np.array(yi), np.array(vi)
    w = 1 / (v + plain.heterogeneity.tau2)
    mu = plain.estimate
    s2 = float(np.sum(w * (y - mu) ** 2)) / (len(y) - 1)
    se = math.sqrt(s2 / float(np.sum(w)))
    assert hksj.estimate == pytest.approx(mu, rel=1e-12, abs=1e-14)
    assert hksj.se == pytest.approx(se, rel=1e-7, abs=1e-12)
    crit = float(stats.t.ppf(0.975, len(y) - 1))
    assert hksj.ci.high == pytest.approx(mu + crit * se, rel=1e-7, abs=1e-9)
    assert hksj.ci.distribution == "t"
    assert hksj.ci.df == len(y) - 1


@settings(max_examples=40, deadline=None)
@given(
    bodies(min_k=3, max_k=30),
    st.sampled_from(["reml", "dl", "fe"]),
    st.booleans(),
)
def test_leave_one_out_through_power_sums_equals_direct_refits(
    body: tuple[list[float], list[float]], method: str, hksj: bool
) -> None:
    from thymoscope.synthesis import leave_one_out
    from thymoscope.synthesis.influence import _direct

    yi, vi = body
    hksj = hksj and method != "fe"
    for fast in leave_one_out(yi, vi, method, hksj):  # type: ignore[arg-type]
        direct = _direct(fast.omitted, yi, vi, method, hksj, 95.0)  # type: ignore[arg-type]
        # REML refits start elsewhere; both stop within 1e-5 of the same maximum
        tol = 1e-4 if method == "reml" else 1e-8
        assert fast.heterogeneity.tau2 == pytest.approx(direct.heterogeneity.tau2, abs=tol)
        assert fast.estimate == pytest.approx(direct.estimate, abs=tol * 10)
        assert fast.se == pytest.approx(direct.se, rel=tol * 10, abs=1e-9)
        assert fast.heterogeneity.q == pytest.approx(direct.heterogeneity.q, rel=1e-7, abs=1e-9)
        assert fast.ci.distribution == direct.ci.distribution
