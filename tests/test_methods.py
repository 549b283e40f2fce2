"""Methods checks: exact power by enumeration, Cramér's V interval level, residual flags, H2's reason."""
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from coopai import contingency as C, hypotheses, narrative, plan, power, sector_tests, verdicts


def _power_brute_force(w, sizes, alpha=0.05):
    """Every outcome one by one: binomial weights and the exact test of each table."""
    p = power.alternative_proportions(w, sizes)
    total = 0.0
    for yes in itertools.product(*[range(n + 1) for n in sizes]):
        table = np.column_stack([yes, np.subtract(sizes, yes)])
        if table.sum(axis=0).min() == 0:
            continue
        if C.fisher_freeman_halton(table) <= alpha:
            total += math.prod(sps.binom.pmf(k, n, q) for k, n, q in zip(yes, sizes, p))
    return total


@pytest.mark.parametrize("w", [0.0, 0.3, 0.5])
def test_enumerated_power_equals_brute_force(w):
    sizes = (14, 8, 5, 3)
    got = power.power_exact(w, sizes)
    assert got["method"] == "enumerated" and got["outcomes"] == 15 * 9 * 6 * 4 == 3240
    assert got["power"] == pytest.approx(_power_brute_force(w, sizes), abs=1e-12)
    if w == 0:
        assert got["power"] <= 0.05  # the exact test keeps its size
    if w == 0.5:
        assert round(got["power"], 4) == 0.6616


def test_simulated_power_lands_near_the_enumerated_value():
    exact = power.power_exact(0.5)["power"]
    sim = power.power_exact_simulated(0.5, simulations=4000, seed=11)
    assert abs(sim["power"] - exact) < 4 * sim["se"]


def test_power_falls_back_to_simulation_past_the_enumeration_limit():
    got = power.power_exact(0.3, (40, 30, 20, 10), max_outcomes=1000, simulations=200)
    assert got["method"] == "simulated" and got["se"] > 0
    table = power.power_table(sizes=(6, 4, 3, 2))
    assert (table["power_exact_method"] == "enumerated").all() and (table["n"] == 15).all()


def test_exact_z_test_power_explains_the_h1_gap():
    h = plan.H1_EFFECT_SIZE_H
    p1 = power.proportion_for_cohens_h(h, 0.5)
    assert 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(0.5)) == pytest.approx(h)
    exact = power.power_two_proportions_exact(p1, 0.5, 3, 27)
    simulated = power.power_two_proportions_simulated(p1, 0.5, 3, 27, simulations=40_000, seed=3)
    assert abs(exact - simulated) < 4 * math.sqrt(exact * (1 - exact) / 40_000)
    approx = power.h1_planning(3, 27)["power_as_is"]
    assert approx > 2 * exact  # the normal approximation overstates power with 3 users
    # With 100 per group the approximation is fine: the gap is the tiny group, not the method.
    big_exact = power.power_two_proportions_exact(p1, 0.5, 100, 100)
    assert abs(power.h1_planning(100, 100)["power_as_is"] - big_exact) < 0.02


def test_cramers_v_interval_is_steigers_and_says_when_it_disagrees_with_the_exact_test():
    rng = np.random.default_rng(4)
    sizes = np.array([14, 8, 5, 3])
    for _ in range(60):
        yes = rng.binomial(sizes, rng.uniform(0.1, 0.9, 4))
        table = np.column_stack([yes, sizes - yes])
        if table.sum(axis=0).min() == 0:
            continue
        interval = C.cramers_v_interval(table, 1 - plan.cramers_v_confidence(0.05))
        # Steiger (2004): the 1 - 2 alpha interval reaches 0 exactly when the chi-square test does not reject.
        assert interval["reaches_zero"] == (C.pearson_chi2(table)["p"] >= 0.05)
    survey = pd.DataFrame({"sector": np.repeat(["Agriculture", "Artisanat", "Services", "Autres"], sizes),
                           "x": np.r_[[True] * 10, [False] * 4, [True] * 2, [False] * 6, [True] * 1, [False] * 4,
                                      [False] * 3]})
    row = sector_tests.sector_test(survey, "x")
    assert row["cramers_v_ci_level"] == pytest.approx(0.9)
    assert row["cramers_v_ci_agrees_with_exact"] == (row["cramers_v_ci_reaches_zero"] == (row["p_exact"] >= 0.05))
    # The fault the flag is for: a table where the chi-square rejects and the exact test does not.
    found = False
    for yes in itertools.product(range(15), range(9), range(6), range(4)):
        table = np.column_stack([yes, sizes - np.array(yes)])
        if table.sum(axis=0).min() == 0:
            continue
        if C.pearson_chi2(table)["p"] < 0.05 <= C.fisher_freeman_halton(table):
            found = True
            break
    assert found
    labels = np.repeat(["Agriculture", "Artisanat", "Services", "Autres"], sizes)
    flags = np.concatenate([[True] * k + [False] * (n - k) for k, n in zip(yes, sizes)])
    row = sector_tests.sector_test(pd.DataFrame({"sector": labels, "x": flags}), "x")
    assert not row["cramers_v_ci_reaches_zero"] and row["p_exact"] >= 0.05
    assert row["cramers_v_ci_agrees_with_exact"] is False


def test_residual_flags_use_a_bonferroni_threshold_and_mark_low_expected_counts(loaded):
    practices = plan.FAMILIES["table1_practices"]
    table = sector_tests.residuals_long(loaded, practices)
    cells = int(table["adjusted_residual"].notna().sum())
    assert cells == 16
    t = table["threshold"].iloc[0]
    assert 2 * cells * sps.norm.sf(t) == pytest.approx(0.05)
    assert (table["beyond_threshold"] == (table["adjusted_residual"].abs() > t)).all()
    # +-1.96 would flag more cells than the threshold does.
    assert (table["adjusted_residual"].abs() > 1.96).sum() > table["beyond_threshold"].sum()
    for practice in practices:
        expected = C.expected_counts(sector_tests.sector_table(loaded, practice).to_numpy()).min(axis=1)
        got = table[table["practice"] == practice]["expected_min"].to_numpy()
        assert np.allclose(got, expected)
    assert table["low_expected"].any() and (table["low_expected"] == (table["expected_min"] < 5)).all()


@pytest.fixture(scope="module")
def loaded():
    from coopai.survey import load_survey

    return load_survey()


def test_h2_reason_lists_the_thresholds_tested_and_failed_with_the_lower_bound():
    k, n = 21, 30
    primary = hypotheses.proportion_check(k, n, 0.5)
    sensitivity = hypotheses.h2_sensitivity(k, n)
    verdict, reason = verdicts.h2_verdict(primary, sensitivity)
    assert verdict == "partially_supported"
    failed = sensitivity.loc[~sensitivity["exceeds"], "threshold"]
    assert len(failed) == 6
    assert "not shown to exceed " + ", ".join(f"{t:.0%}" for t in failed) in reason
    assert "no higher threshold tested" not in reason
    # Second method for the bound: scipy's one-sided exact interval.
    bound = sps.binomtest(k, n, 0.5, alternative="greater").proportion_ci(0.95, method="exact").low
    assert verdicts.one_sided_lower_bound(k, n) == pytest.approx(bound, abs=1e-9)
    assert f"{bound:.1%}" in reason and "53.5%" in reason
    assert "BF10 = 2.42 two-sided (anecdotal evidence" in reason and "moderate evidence for a majority" in reason


def test_h2_rule_never_returns_supported():
    # Every outcome of a 30-cooperative survey: the rule's verdict is one of H2_VERDICTS, never "supported".
    seen = set()
    for k in range(31):
        primary = hypotheses.proportion_check(k, 30, 0.5)
        seen.add(verdicts.h2_verdict(primary, hypotheses.h2_sensitivity(k, 30))[0])
    assert seen == set(verdicts.H2_VERDICTS) and "supported" not in seen


@pytest.mark.parametrize("bf, words", [(1.0, "no evidence either way"), (2.999, "anecdotal evidence for H1"),
                                       (3.0, "moderate evidence for H1"), (10.0, "strong evidence for H1"),
                                       (30.0, "very strong evidence for H1"), (100.0, "extreme evidence for H1"),
                                       (1 / 4, "moderate evidence for H0"), (1 / 40, "very strong evidence for H0")])
def test_bayes_factor_words_follow_lee_and_wagenmakers(bf, words):
    assert narrative.bayes_factor_words(bf, "H1", "en") == words


def test_sector_power_takes_the_surveys_sectors_and_the_papers_as_reference():
    """Notebook 03's power section (power.sector_power): the run's own sectors, the published study's
    beside them only when they differ, and the curve's degrees of freedom from the run's sectors, or
    from the paper's when one sector leaves no sector test."""
    from coopai.published import paper_sector_sizes

    paper = list(paper_sector_sizes())
    two = pd.DataFrame({"sector": ["Services"] * 7 + ["Agriculture"] * 5})
    result = power.sector_power(two, seed=1)
    assert result["sizes"] == [5, 7] and result["dof"] == 1  # codebook order: Agriculture first
    assert list(result["shown"]["role"].unique()) == ["this run", "published study (reference)"]
    assert result["paper_power"]["sector_sizes"].iloc[0] == "/".join(map(str, paper))
    # The curve is the approximation at 1 degree of freedom, recomputed here from scipy's noncentral chi-square.
    row = result["curve"].iloc[0]
    critical = sps.chi2.ppf(1 - plan.ALPHA, 1)
    assert row["power"] == pytest.approx(sps.ncx2.sf(critical, 1, row["n"] * row["w"] ** 2), rel=1e-9)
    one = power.sector_power(pd.DataFrame({"sector": ["Artisanat"] * 9}), seed=1)
    assert one["sizes"] == [9] and one["dof"] == len(paper) - 1
    assert one["power_table"]["power_exact"].isna().all()
    published = pd.DataFrame({"sector": [s for s, k in zip(("Agriculture", "Artisanat", "Services", "Autres"), paper)
                                         for _ in range(k)]})
    same = power.sector_power(published, seed=1)
    assert same["shown"] is same["power_table"] and same["paper_power"] is same["power_table"]
