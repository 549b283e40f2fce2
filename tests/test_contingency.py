"""Contingency tests against independent computations: brute force, textbook values, formulas, scipy."""
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from coopai import codebook, contingency as C, mmi, plan, sector_tests, verdicts
from coopai.survey import add_derived_variables


def brute_force_ffh(table, rtol=1e-7):
    """Enumerate every table with the observed margins (naive, independent of the package): each
    combination of the (r-1) x (c-1) upper-left cells, the last row and column then fixed by the margins."""
    t = np.asarray(table)
    rows, cols = t.sum(1), t.sum(0)
    r, c = t.shape

    def logp(m):
        lg = math.lgamma
        return (sum(lg(x + 1) for x in rows) + sum(lg(x + 1) for x in cols) - lg(t.sum() + 1)
                - sum(lg(x + 1) for x in m.ravel()))

    observed, total = logp(t), 0.0
    for cells in itertools.product(*[range(min(rows[i], cols[j]) + 1) for i in range(r - 1) for j in range(c - 1)]):
        m = np.zeros((r, c), dtype=int)
        m[:-1, :-1] = np.array(cells).reshape(r - 1, c - 1)
        m[:-1, -1] = rows[:-1] - m[:-1, :-1].sum(1)
        m[-1, :] = cols - m[:-1, :].sum(0)
        if (m < 0).any():
            continue
        assert (m.sum(1) == rows).all() and (m.sum(0) == cols).all()
        if logp(m) <= observed + math.log1p(rtol):
            total += math.exp(logp(m))
    return total


def random_table(rng, shape, high=5):
    while True:
        t = rng.integers(0, high, size=shape)
        if (t.sum(0) > 0).all() and (t.sum(1) > 0).all():
            return t


@pytest.mark.parametrize("shape", [(2, 2), (3, 2), (4, 2), (2, 3), (3, 3)])
def test_exact_p_matches_brute_force(shape):
    rng = np.random.default_rng(sum(shape))
    for _ in range(6):
        t = random_table(rng, shape, high=3)
        assert C.fisher_freeman_halton(t) == pytest.approx(brute_force_ffh(t), rel=1e-9, abs=1e-12)


def brute_force_r_by_2(table, rtol=1e-7):
    """r x 2 only: loop over the first column's cells in plain Python (math.comb, no numpy)."""
    rows, c1 = [int(a + b) for a, b in table], int(sum(a for a, _ in table))
    weight = lambda xs: math.prod(math.comb(n, x) for n, x in zip(rows, xs))
    observed, total = weight([a for a, _ in table]), 0
    for xs in itertools.product(*[range(n + 1) for n in rows]):
        if sum(xs) == c1 and weight(xs) <= observed * (1 + rtol):
            total += weight(xs)
    return total / math.comb(sum(rows), c1)


def test_exact_p_of_table1_practices_matches_brute_force(rebuilt):
    survey = add_derived_variables(rebuilt[0])
    for practice in codebook.PRACTICES:
        t = sector_tests.sector_table(survey, practice).to_numpy()
        assert C.fisher_freeman_halton(t) == pytest.approx(brute_force_r_by_2(t.tolist()), rel=1e-9)


def test_two_by_two_matches_scipy_fisher_exact():
    rng = np.random.default_rng(7)
    for _ in range(50):
        t = random_table(rng, (2, 2), high=12)
        assert C.fisher_freeman_halton(t) == pytest.approx(sps.fisher_exact(t).pvalue, rel=1e-9)


def test_textbook_tea_tasting():
    # Fisher (1935): 8 cups, 4 with milk first, 3 of them identified; two-sided p = 0.4857 (Agresti 2002, 3.5.2).
    assert C.fisher_freeman_halton([[3, 1], [1, 3]]) == pytest.approx(34 / 70, abs=1e-12)


def test_large_r_by_2_closing_algorithm_matches_full_enumeration():
    rng = np.random.default_rng(3)
    for _ in range(2):
        rows = rng.integers(100, 170, size=4)
        x = np.minimum(rows, rng.binomial(rows, rng.uniform(0.2, 0.8, 4)))
        t = np.column_stack([x, rows - x])
        assert np.prod(rows[:-1] + 1.0) > 200_000  # the all-at-once path is not taken
        tables = C.tables_r_by_2(rows, int(x.sum()), max_tables=10**8)
        logw = C._log_choose(rows, tables).sum(axis=1)
        observed = C._log_choose(rows, x).sum()
        full = np.exp(logw - C._log_choose(rows.sum(), x.sum()))[logw <= observed + math.log1p(1e-7)].sum()
        assert C.fisher_freeman_halton(t) == pytest.approx(full, rel=1e-8, abs=1e-300)


def test_too_many_tables_falls_back_to_monte_carlo():
    big = np.array([[30000, 2000], [20000, 1000], [9000, 800], [5000, 700]])
    with pytest.raises(C.TooManyTables):
        C.fisher_freeman_halton(big)
    result = C.exact_or_monte_carlo(big, seed=1)
    assert result["method"].startswith("monte_carlo") and 0 <= result["p"] <= 1


def test_monte_carlo_agrees_with_exact_within_its_error():
    for t in ([[10, 4], [3, 5], [1, 4], [1, 2]], [[0, 14], [3, 5], [4, 1], [1, 2]], [[7, 7], [4, 4], [4, 1], [2, 1]]):
        exact = C.fisher_freeman_halton(t)
        mc = C.monte_carlo_pvalue(t, draws=20_000, seed=11)
        assert abs(mc["p"] - exact) <= 4 * max(mc["se"], 1e-4)


def test_chi2_and_g_match_their_formulas():
    t = np.array([[10, 4], [3, 5], [1, 4], [1, 2]], dtype=float)
    e = np.outer(t.sum(1), t.sum(0)) / t.sum()
    chi2 = ((t - e) ** 2 / e).sum()
    g2 = 2 * (t * np.log(t / e)).sum()
    assert C.pearson_chi2(t)["chi2"] == pytest.approx(chi2) and C.pearson_chi2(t)["dof"] == 3
    assert C.pearson_chi2(t)["p"] == pytest.approx(sps.chi2.sf(chi2, 3))
    assert C.g_test(t)["g2"] == pytest.approx(g2)


def test_cramers_v_and_bias_correction_by_hand():
    t = np.array([[10, 4], [3, 5], [1, 4], [1, 2]])
    chi2, n = C.pearson_chi2(t)["chi2"], 30
    assert C.cramers_v(t) == pytest.approx(math.sqrt(chi2 / n))
    # Bergsma (2013) with r = 4, k = 2, n = 30 written out.
    phi2 = max(0, chi2 / n - 3 * 1 / 29)
    k_t, r_t = 2 - 1 / 29, 4 - 9 / 29
    assert C.cramers_v_corrected(t) == pytest.approx(math.sqrt(phi2 / min(k_t - 1, r_t - 1)))
    many = C.cramers_v_many(np.array([t, [[7, 7], [4, 4], [4, 1], [2, 1]]]))
    assert many == pytest.approx([C.cramers_v(t), C.cramers_v([[7, 7], [4, 4], [4, 1], [2, 1]])])


def test_cramers_v_interval_inverts_the_noncentral_chi2():
    t = np.array([[0, 14], [3, 5], [4, 1], [1, 2]])
    ci = C.cramers_v_interval(t)
    chi2, n = C.pearson_chi2(t)["chi2"], 30
    lam_low, lam_high = ci["low"] ** 2 * n, ci["high"] ** 2 * n
    assert sps.ncx2.cdf(chi2, 3, lam_low) == pytest.approx(0.975, abs=1e-6)
    assert sps.ncx2.cdf(chi2, 3, lam_high) == pytest.approx(0.025, abs=1e-6)
    null = C.cramers_v_interval([[7, 7], [4, 4], [4, 1], [2, 1]])
    assert null["reaches_zero"] and null["low"] == 0.0


def test_adjusted_residuals_by_formula():
    t = np.array([[10, 4], [3, 5], [1, 4], [1, 2]], dtype=float)
    n = t.sum()
    e = np.outer(t.sum(1), t.sum(0)) / n
    formula = (t - e) / np.sqrt(e * np.outer(1 - t.sum(1) / n, 1 - t.sum(0) / n))
    assert C.adjusted_residuals(t) == pytest.approx(formula)


def test_holm_and_bh_by_hand():
    p = [0.01, 0.04, 0.03, 0.20]
    # Holm: sorted 0.01*4, 0.03*3, 0.04*2, 0.20*1, made monotone.
    assert C.adjust_pvalues(p, "holm") == pytest.approx([0.04, 0.09, 0.09, 0.20])
    # BH: sorted p * m / rank, made monotone from the top.
    assert C.adjust_pvalues(p, "fdr_bh") == pytest.approx([0.04, 0.0533333, 0.0533333, 0.20], rel=1e-5)


def test_sector_tests_table_has_the_planned_columns(rebuilt):
    table = sector_tests.sector_tests(add_derived_variables(rebuilt[0]))
    expected = ["practice", "chi2", "dof", "p_chi2", "g2", "p_g2", "p_exact", "p_exact_holm", "p_exact_bh",
                "p_monte_carlo", "cramers_v", "cramers_v_corrected", "min_expected", "pct_cells_expected_lt5"]
    assert set(expected) <= set(table.columns)
    assert table["practice"].tolist() == list(plan.FAMILIES["table1_practices"])
    assert (table["p_exact_holm"] >= table["p_exact"]).all()


def tiny_multiple_response():
    return pd.DataFrame({
        "sector": ["A", "A", "A", "B", "B", "B", "B"],
        "x": [True, True, True, False, False, True, False],
        "y": [True, False, True, False, True, False, False],
    })


def test_mmi_statistic_bonferroni_and_permutation_against_enumeration():
    s = tiny_multiple_response()
    result = mmi.mmi_test(s, ["x", "y"], group="sector", permutations=20_000, seed=5)
    per_item = [sps.chi2_contingency(pd.crosstab(s["sector"], s[i]).to_numpy(), correction=False)[0] for i in "xy"]
    assert result["x2_s"] == pytest.approx(sum(per_item))
    p_items = [sps.chi2.sf(x, 1) for x in per_item]
    assert result["p_bonferroni_asymptotic"] == pytest.approx(min(1, 2 * min(p_items)))
    # Exact permutation distribution: every way to choose which 3 of the 7 cooperatives are sector A.
    stats = []
    for group_a in itertools.combinations(range(7), 3):
        labels = np.array(["B"] * 7, dtype=object)
        labels[list(group_a)] = "A"
        stats.append(mmi.mmi_test(s.assign(sector=labels), ["x", "y"], permutations=1)["x2_s"])
    exact = np.mean(np.array(stats) >= result["x2_s"] * (1 - 1e-7))
    se = math.sqrt(exact * (1 - exact) / 20_000)
    assert abs(result["p_permutation"] - exact) < 4 * se + 1e-4


def test_naive_pooled_table_counts_ticks_not_cooperatives(rebuilt):
    naive = mmi.naive_pooled_chi2(rebuilt[0], codebook.PRACTICES)
    assert naive["ticks"] == 22 + 15 + 7 + 13 and naive["cooperatives"] == 30


@pytest.mark.parametrize("table, verdict", [
    ([[0, 14], [8, 0], [5, 0], [3, 0]], "supported"),        # an effect that must be found
    ([[7, 7], [4, 4], [3, 2], [1, 2]], "not_supported"),      # a null that must not be
    ([[14, 0], [0, 8], [0, 5], [0, 3]], "contradicted"),     # the opposite direction
])
def test_sector_reading_verdict_rules(table, verdict):
    rows = []
    for s, (no, yes) in zip(codebook.SECTORS, table):
        rows += [{"sector": s, "practice_x": True}] * yes + [{"sector": s, "practice_x": False}] * no
    survey = pd.DataFrame(rows).assign(sector=lambda d: pd.Categorical(d["sector"], categories=list(codebook.SECTORS)))
    t = sector_tests.sector_table(survey, "practice_x").to_numpy()
    tests = pd.DataFrame([{"practice": "practice_x", "p_exact": C.fisher_freeman_halton(t),
                           "p_exact_holm": C.fisher_freeman_halton(t)}])
    residuals = sector_tests.residuals_long(survey, ["practice_x"])
    reading = pd.DataFrame([{"reading_id": "X", "practice": "practice_x", "sectors_higher": "Agriculture",
                             "sectors_lower": ""}])
    assert verdicts.sector_reading_verdicts(tests, residuals, reading)["verdict"].item() == verdict
