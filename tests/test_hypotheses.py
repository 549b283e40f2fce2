"""Hypothesis checks: p-values, intervals and Bayes factors against closed forms and a second method;
verdict rules on constructed data where the answer is known."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special
from scipy import stats as sps

from coopai import hypotheses as H, plan, power
from coopai.survey import add_derived_variables
from coopai.verdicts import H1_OUTCOME, h1_verdict, h2_verdict


@pytest.mark.parametrize("k, n, p0", [(21, 30, 0.5), (17, 30, 0.5), (21, 30, 0.7), (3, 30, 0.1), (30, 30, 0.8)])
def test_binomial_p_values_by_summation(k, n, p0):
    pmf = [math.comb(n, j) * p0**j * (1 - p0) ** (n - j) for j in range(n + 1)]
    greater = sum(pmf[k:])
    two_sided = sum(p for p in pmf if p <= pmf[k] * (1 + 1e-7))
    got = H.binomial_tests(k, n, p0)
    assert got["p_greater"] == pytest.approx(greater, rel=1e-9)
    assert got["p_two_sided"] == pytest.approx(min(1.0, two_sided), rel=1e-6)


@pytest.mark.parametrize("k, n", [(21, 30), (0, 30), (30, 30), (3, 30)])
def test_clopper_pearson_by_beta_quantiles(k, n):
    low = 0.0 if k == 0 else sps.beta.ppf(0.025, k, n - k + 1)
    high = 1.0 if k == n else sps.beta.ppf(0.975, k + 1, n - k)
    assert H.clopper_pearson(k, n) == pytest.approx((low, high), abs=1e-10)


@pytest.mark.parametrize("k, n, p0", [(21, 30, 0.5), (17, 30, 0.5), (9, 30, 0.5), (24, 30, 0.6)])
def test_bf10_pingouin_against_beta_closed_form_and_integration(k, n, p0):
    closed = math.exp(special.betaln(k + 1, n - k + 1) - (k * math.log(p0) + (n - k) * math.log(1 - p0)))
    integral = integrate.quad(lambda t: t**k * (1 - t) ** (n - k), 0, 1)[0] / (p0**k * (1 - p0) ** (n - k))
    assert H.bf10_binomial(k, n, p0) == pytest.approx(closed, rel=1e-6)
    assert closed == pytest.approx(integral, rel=1e-6)


@pytest.mark.parametrize("k, n, p0", [(21, 30, 0.5), (17, 30, 0.5), (21, 30, 0.65), (9, 30, 0.5), (600, 1000, 0.55)])
def test_bf_plus_against_numerical_integration(k, n, p0):
    # Marginal likelihood under H+: uniform prior on (p0, 1), density 1 / (1 - p0); binomial coefficient cancels.
    log_null = k * math.log(p0) + (n - k) * math.log(1 - p0)
    integrand = lambda t: math.exp(k * math.log(t) + (n - k) * math.log(1 - t) - log_null) / (1 - p0)
    numeric = integrate.quad(integrand, p0, 1, points=[k / n] if k / n > p0 else None, limit=200)[0]
    assert H.bf_plus_binomial(k, n, p0) == pytest.approx(numeric, rel=1e-6)


def survey_with(barriers: int, n: int = 30, users: int = 3, outcome=False) -> pd.DataFrame:
    frame = pd.DataFrame({"reports_ai_barriers": np.arange(n) < barriers, "used_ai_tool": np.arange(n) < users})
    if outcome:
        frame[H1_OUTCOME] = np.arange(n) % 2 == 0
    return frame


@pytest.mark.parametrize("barriers, verdict", [(28, "partially_supported"), (21, "partially_supported"),
                                               (15, "not_supported"), (18, "not_supported")])
def test_h2_verdict_rule(barriers, verdict):
    primary = H.proportion_check(barriers, 30, 0.5)
    got, reason = h2_verdict(primary, H.h2_sensitivity(barriers, 30))
    assert got == verdict
    assert f"{barriers} of 30" in reason


@pytest.mark.parametrize("k", [21, 24, 26, 28])
def test_h2_reason_reports_the_highest_threshold_that_holds(k):
    _, reason = h2_verdict(H.proportion_check(k, 30, 0.5), H.h2_sensitivity(k, 30))
    held = [t for t in H.H2_SENSITIVITY_THRESHOLDS if sps.binomtest(k, 30, t, alternative="greater").pvalue < 0.05]
    assert f"exceed {max(held):.0%}" in reason


def test_h1_verdict_rule():
    assert h1_verdict(survey_with(21))[0] == "not_testable"
    assert h1_verdict(survey_with(21, users=15))[0] == "not_testable"          # no outcome
    assert h1_verdict(survey_with(21, users=3, outcome=True))[0] == "not_testable"  # too few users
    assert h1_verdict(survey_with(21, users=15, outcome=True))[0] == "testable"


def test_h1_power_against_simulation():
    planning = power.h1_planning(3, 27)
    h = plan.H1_EFFECT_SIZE_H
    p2 = 0.5
    p1 = math.sin(math.asin(math.sqrt(p2)) + h / 2) ** 2  # Cohen's h = 2 asin(sqrt p1) - 2 asin(sqrt p2)
    assert 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2)) == pytest.approx(h)
    simulated = power.power_two_proportions_simulated(p1, p2, 30, 30, simulations=20_000, seed=1)
    approx = float(__import__("statsmodels.stats.power", fromlist=["NormalIndPower"]).NormalIndPower().power(h, 30, 0.05))
    assert abs(simulated - approx) < 0.03
    assert planning["n_per_group_80"] == 63  # (1.96 + 0.8416)^2 / 0.5^2 = 31.4 ... per group for h: 62.8 -> 63
    assert 0 < planning["power_as_is"] < 0.3


def test_margin_of_error_textbook_values():
    assert power.margin_of_error_n(0.05) == 385 and power.margin_of_error_n(0.03) == 1068
    assert power.margin_of_error(385) == pytest.approx(0.0499, abs=1e-4)


def test_checks_table_follows_the_data(rebuilt):
    survey = add_derived_variables(rebuilt[0])
    table = H.hypothesis_checks(survey)
    needed = ["hypothesis", "indicator", "k", "n", "proportion", "ci_low", "ci_high", "test", "p_value", "bf10",
              "bf_plus", "paper_verdict", "package_verdict", "reason"]
    assert list(table.columns[:3]) == needed[:3] and set(needed) <= set(table.columns)
    verdicts = dict(zip(table["indicator"], table["package_verdict"]))
    assert verdicts["reports_ai_barriers"] == "partially_supported"
    assert verdicts["effect_of_ai_on_marketing"] == "not_testable"
    assert all(v == "not_published" for k, v in verdicts.items() if k.startswith("not_published:"))
    # Change the data: with 14 of 30 reporting barriers the verdict turns.
    fewer = survey.assign(reports_ai_barriers=np.arange(30) < 14)
    again = H.hypothesis_checks(fewer)
    assert again.set_index("indicator").loc["reports_ai_barriers", "package_verdict"] == "not_supported"


@pytest.mark.parametrize("alpha, level", [(0.025, "97.5%"), (0.05, "95%"), (0.01, "99%"), (0.001, "99.9%")])
def test_h2_reason_names_the_confidence_level_of_its_alpha(alpha, level):
    """The one-sided lower bound's level is 1 - alpha as style.confidence_level prints it: at alpha = 0.025
    it is 97.5%, not a rounded "98%"."""
    _, reason = h2_verdict(H.proportion_check(21, 30, 0.5), H.h2_sensitivity(21, 30, alpha=alpha), alpha)
    assert f"one-sided {level} lower bound " in reason


def test_reasons_print_counts_as_sentences_do_above_a_thousand_rows():
    """The table's reasons are narrative's English templates, so counts group thousands as every sentence
    does ("1,500 of 2,000"; under 1,000 rows the text is what the f-strings wrote), and the French line
    of notebook 04 says the same counts the French way."""
    from coopai import narrative

    verdict, reason = h2_verdict(H.proportion_check(1500, 2000, 0.5), H.h2_sensitivity(1500, 2000))
    assert verdict == "partially_supported" and reason.startswith("1,500 of 2,000 report barriers: shown to exceed 70%")
    survey = survey_with(1500, n=2000, users=8)  # fewer than plan.H1_MIN_GROUP users
    verdict, reason, planning = h1_verdict(survey)
    assert verdict == "not_testable" and "; only 8 cooperatives used an AI tool against 1,992 that did not. " in reason
    assert "contre 1\u202f992 qui" in narrative.h1_reason(("small_groups",), 8, 1992, planning, "fr")
    interest = H.hypothesis_checks(survey.assign(interested_in_ai=np.arange(2000) < 1200, heard_of_ai=True,
                                                 has_structured_it_equipment=True, has_stable_internet=True,
                                                 uses_specific_digital_solutions=True, digital_tool_status="uses",
                                                 neither_knows_nor_interested_ai=False))
    assert interest["reason"].iloc[-1].startswith("1,200 of 2,000 interested (p = ")
