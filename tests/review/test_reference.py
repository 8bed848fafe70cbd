"""Published reference numbers: metafor on the BCG trials, RevMan 5 on Fleiss 1993.

Tolerances follow /work/shared/reviews/evidence-synthesis.md: metafor prints 4 decimals
and its REML stops at a change below 1e-5, so estimates and Q are compared within 1e-4,
tau², QM and QE within 1e-3, percentages within 0.01 (their printed precision), the
prediction interval (printed with 2 decimals) within 0.005.
"""

from __future__ import annotations

import math

import pytest

from tests.review.datasets import BCG, FLEISS1993, bcg_log_rr
from thymoscope.synthesis import (
    from_counts,
    leave_one_out,
    meta_regression,
    pool,
    subgroup_analysis,
)
from thymoscope.synthesis.distributions import chi2_sf

EST = 1e-4
VAR = 1e-3
PCT = 1e-2


@pytest.fixture(scope="module")
def bcg() -> tuple[list[float], list[float]]:
    return bcg_log_rr()


def test_bcg_log_rr_from_counts_matches_the_review_formula(
    bcg: tuple[list[float], list[float]],
) -> None:
    yi, vi = bcg
    for (_, tpos, tneg, cpos, cneg, _, _), y, v in zip(BCG, yi, vi, strict=True):
        effect = from_counts("risk_ratio", tpos, tpos + tneg, cpos, cpos + cneg)
        assert effect.yi == pytest.approx(y, rel=1e-12)
        assert effect.vi == pytest.approx(v, rel=1e-12)
        assert effect.continuity_correction == 0.0


def test_bcg_reml(bcg: tuple[list[float], list[float]]) -> None:
    result = pool(*bcg, method="reml")
    het = result.heterogeneity
    assert het.tau2 == pytest.approx(0.3132, abs=VAR)
    assert het.i2 == pytest.approx(92.22, abs=PCT)
    assert het.h2 == pytest.approx(12.86, abs=PCT)
    assert het.df == 12
    assert het.q == pytest.approx(152.2330, abs=EST)
    assert het.p_value < 1e-4
    assert result.estimate == pytest.approx(-0.7145, abs=EST)
    assert result.se == pytest.approx(0.1798, abs=EST)
    assert result.ci.low == pytest.approx(-1.0669, abs=EST)
    assert result.ci.high == pytest.approx(-0.3622, abs=EST)
    assert result.tau2_algorithm == "fisher_scoring"


def test_bcg_reml_prediction_interval(bcg: tuple[list[float], list[float]]) -> None:
    prediction = pool(*bcg, method="reml").prediction
    assert prediction is not None
    assert prediction.low == pytest.approx(-1.87, abs=0.005)
    assert prediction.high == pytest.approx(0.44, abs=0.005)
    assert math.exp(prediction.low) == pytest.approx(0.15, abs=0.005)
    assert math.exp(prediction.high) == pytest.approx(1.55, abs=0.005)


def test_bcg_dersimonian_laird(bcg: tuple[list[float], list[float]]) -> None:
    result = pool(*bcg, method="dl")
    assert result.estimate == pytest.approx(-0.7141, abs=EST)
    assert result.ci.low == pytest.approx(-1.0644, abs=EST)
    assert result.ci.high == pytest.approx(-0.3638, abs=EST)
    assert result.heterogeneity.tau2 == pytest.approx(0.3088, abs=VAR)
    assert result.heterogeneity.i2 == pytest.approx(92.1173, abs=EST)
    assert math.exp(result.estimate) == pytest.approx(0.4896, abs=EST)
    assert math.exp(result.ci.low) == pytest.approx(0.3449, abs=EST)
    assert math.exp(result.ci.high) == pytest.approx(0.6950, abs=EST)


def test_bcg_fixed_effect(bcg: tuple[list[float], list[float]]) -> None:
    result = pool(*bcg, method="fe")
    assert result.estimate == pytest.approx(-0.4303, abs=EST)
    assert result.ci.low == pytest.approx(-0.5097, abs=EST)
    assert result.ci.high == pytest.approx(-0.3509, abs=EST)
    assert math.exp(result.estimate) == pytest.approx(0.6503, abs=EST)
    assert math.exp(result.ci.low) == pytest.approx(0.6007, abs=EST)
    assert math.exp(result.ci.high) == pytest.approx(0.7040, abs=EST)
    assert result.prediction is None


def test_bcg_subgroups_by_allocation_common_tau2(bcg: tuple[list[float], list[float]]) -> None:
    analysis = subgroup_analysis(*bcg, levels=[row[6] for row in BCG])
    common = analysis.common_tau2
    assert common is not None
    assert common.qm_df == 2
    assert common.qm == pytest.approx(1.7675, abs=VAR)
    assert common.qm_p == pytest.approx(0.4132, abs=EST)
    assert common.r2 == pytest.approx(0.0, abs=PCT)
    assert [g.level for g in analysis.groups] == ["random", "alternate", "systematic"]
    assert [len(g.indices) for g in analysis.groups] == [7, 2, 4]
    # separate tau² per subgroup: Q-between of the subgroup estimates, df = 2
    assert analysis.q_between_df == 2
    assert analysis.q_between_p == pytest.approx(chi2_sf(analysis.q_between, 2), rel=1e-12)
    weights = [1 / g.pooled.se**2 for g in analysis.groups]
    mean = sum(w * g.pooled.estimate for w, g in zip(weights, analysis.groups, strict=True))
    mean /= sum(weights)
    assert analysis.q_between == pytest.approx(
        sum(
            w * (g.pooled.estimate - mean) ** 2
            for w, g in zip(weights, analysis.groups, strict=True)
        )
    )


def test_bcg_meta_regression_on_latitude(bcg: tuple[list[float], list[float]]) -> None:
    rows = [(1.0, float(row[5])) for row in BCG]
    model = meta_regression(*bcg, rows=rows, names=("intercept", "ablat"))
    assert model.tau2 == pytest.approx(0.0764, abs=VAR)
    assert model.r2 == pytest.approx(75.62, abs=PCT)
    assert model.qm == pytest.approx(16.3571, abs=VAR)
    assert model.qm_df == 1
    assert model.qe == pytest.approx(30.7331, abs=VAR)
    assert model.qe_df == 11
    intercept, slope = model.coefficients
    assert intercept.estimate == pytest.approx(0.2515, abs=EST)
    assert slope.estimate == pytest.approx(-0.0291, abs=EST)
    assert slope.se == pytest.approx(0.0072, abs=EST)


def test_bcg_leave_one_out_without_trial_8(bcg: tuple[list[float], list[float]]) -> None:
    results = leave_one_out(*bcg)
    assert len(results) == 13
    without_8 = results[7]
    assert without_8.omitted == 7
    assert without_8.estimate == pytest.approx(-0.7948, abs=EST)
    assert without_8.heterogeneity.tau2 == pytest.approx(0.2732, abs=VAR)
    assert without_8.heterogeneity.q == pytest.approx(67.9858, abs=EST)


def test_bcg_egger_regression_test_matches_metafor_regtest(
    bcg: tuple[list[float], list[float]],
) -> None:
    from thymoscope.synthesis import egger_test

    result = egger_test(*bcg)
    assert result is not None
    # metafor: regtest(res) -> z = -0.8033, p = 0.4218; limit estimate -0.5104
    assert result.statistic == pytest.approx(-0.8033, abs=EST)
    assert result.p_value == pytest.approx(0.4218, abs=EST)
    assert result.limit_estimate.estimate == pytest.approx(-0.5104, abs=EST)
    assert egger_test(*(x[:9] for x in bcg)) is None


def test_fleiss_mrc1_standard_error_of_log_odds_ratio_from_counts() -> None:
    _, a, n1, c, n0 = FLEISS1993[0]
    assert from_counts("odds_ratio", a, n1, c, n0).se == pytest.approx(
        0.1972198088133556, rel=1e-12
    )


def test_fleiss_heterogeneity_as_revman_computes_it() -> None:
    """RevMan 5 (Mantel–Haenszel OR): Q 9.94605598, P 0.12694225, I² 39.67458046.

    RevMan's Q is the inverse-variance weighted sum of squares around the MH pooled log
    OR; thymoscope's Q is around the inverse-variance estimate (the minimum over
    centres), so it is slightly smaller.  Both are checked here.
    """
    effects = [from_counts("odds_ratio", a, n1, c, n0) for _, a, n1, c, n0 in FLEISS1993]
    numerator = sum(a * (n0 - c) / (n1 + n0) for _, a, n1, c, n0 in FLEISS1993)
    denominator = sum((n1 - a) * c / (n1 + n0) for _, a, n1, c, n0 in FLEISS1993)
    mh = math.log(numerator / denominator)
    q_mh = sum((e.yi - mh) ** 2 / e.vi for e in effects)
    assert q_mh == pytest.approx(9.94605598, abs=1e-7)
    assert chi2_sf(q_mh, 6) == pytest.approx(0.12694225, abs=1e-6)
    assert 100 * (q_mh - 6) / q_mh == pytest.approx(39.67458046, abs=1e-6)
    fixed = pool([e.yi for e in effects], [e.vi for e in effects], method="fe")
    het = fixed.heterogeneity
    assert het.q <= q_mh
    assert het.q == pytest.approx(9.9461, abs=1e-4)
    assert het.i2 == pytest.approx(39.6746, abs=1e-3)
    assert het.p_value == pytest.approx(0.1269, abs=1e-4)
