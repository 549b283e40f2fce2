"""The MMI family against MRCV (the R package of Bilder, Loughin and Nettleton's test) on its own data.

../shared/external/mrcv/ holds MRCV's farmer1 data and what MRCV 0.4-0 computes for it;
tests/data/mrcv_rebuilt30* hold what MRCV computes on 30 cooperatives with zero cells (with
and without its add-0.5-to-zero-cells default), and the R script that produced it.
"""
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from coopai import mmi, plan

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = ROOT.parent / "shared" / "external" / "mrcv"
HERE = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def farmer1():
    if not (EXTERNAL / "farmer1.csv").exists():
        pytest.skip("../shared/external/mrcv is not next to the repository")
    data = pd.read_csv(EXTERNAL / "farmer1.csv")
    expected = json.loads((EXTERNAL / "farmer1_expected.json").read_text())
    per_item = pd.read_csv(EXTERNAL / "farmer1_per_item.csv").set_index("item")
    return data, expected, per_item


@pytest.fixture(scope="module")
def farmer1_result(farmer1):
    data, _, _ = farmer1
    return mmi.mmi_test(data, [f"Y{j}" for j in range(1, 6)], group="Ed", permutations=9_999, seed=1)


def test_farmer1_statistic_and_per_item_values_match_mrcv(farmer1, farmer1_result):
    _, expected, per_item = farmer1
    assert farmer1_result["x2_s"] == pytest.approx(expected["X2_S"], abs=1e-6)
    for item, value in expected["X2_S_j"].items():
        assert farmer1_result["item_chi2"][item] == pytest.approx(value, abs=1e-6)
        assert farmer1_result["item_p_asymptotic"][item] == pytest.approx(expected["p_chisq_j"][item], abs=1e-6)
        # Exact per-item p-values against R's fisher.test on the same 5 x 2 tables.
        assert farmer1_result["item_p_exact"][item] == pytest.approx(per_item.loc[item, "p_fisher"], abs=1e-6)


def test_farmer1_bonferroni_matches_mrcv(farmer1, farmer1_result):
    _, expected, per_item = farmer1
    assert farmer1_result["p_bonferroni_asymptotic"] == pytest.approx(expected["bonferroni"]["p_value_bon"], abs=1e-6)
    assert farmer1_result["p_bonferroni_exact"] == pytest.approx(min(1, 5 * per_item["p_fisher"].min()), abs=1e-6)


def test_farmer1_rao_scott_second_order_matches_mrcv(farmer1, farmer1_result):
    _, expected, _ = farmer1
    rs2 = expected["rao_scott_2nd_order"]
    assert farmer1_result["x2_s_rs2"] == pytest.approx(rs2["X2_S_rs2"], abs=1e-6)
    assert farmer1_result["df_rs2"] == pytest.approx(rs2["df_rs2"], abs=1e-6)
    assert farmer1_result["p_rao_scott"] == pytest.approx(rs2["p_value_rs2"], abs=1e-6)


def test_farmer1_permutation_p_lands_near_mrcvs_bootstrap(farmer1, farmer1_result):
    # A bonus check, not the same procedure: MRCV resamples answers with replacement, this test
    # permutes group labels. Both estimate the null distribution of X2_S; allow 3 Monte Carlo
    # standard errors of the 9,999 permutations around MRCV's range over seeds.
    _, expected, _ = farmer1
    low, high = expected["bootstrap_B1999_p_range"]
    p = farmer1_result["p_permutation"]
    se = np.sqrt(p * (1 - p) / farmer1_result["permutations"])
    assert low - 3 * se <= p <= high + 3 * se


def _rao_scott_by_patterns(codes, answers, x2_s):
    """MRCV's Appendix A literally: tau over the 2^c answer patterns, G, H, D, V, eigenvalues."""
    codes, answers = np.asarray(codes), np.asarray(answers, dtype=int)
    r, c, n = codes.max() + 1, answers.shape[1], len(codes)
    patterns = np.array(list(itertools.product([0, 1], repeat=c)))                # (2^c, c)
    index = {tuple(p): k for k, p in enumerate(patterns)}
    counts = np.zeros((r, len(patterns)))
    for g, row in zip(codes, answers):
        counts[g, index[tuple(row)]] += 1
    n_i = counts.sum(axis=1)
    tau = (counts / n_i[:, None]).ravel()
    G = np.kron(np.eye(r), patterns.T)
    a = n_i / n
    pi_j = (np.kron(np.ones((1, r)), np.eye(c)) @ (G @ tau * np.repeat(n_i, c))) / n
    H = np.eye(r * c) - np.kron(np.ones((r, r)) @ np.diag(a), np.eye(c))
    D = np.kron(np.diag(n / n_i), np.diag(pi_j * (1 - pi_j)))
    V = np.zeros((r * len(patterns),) * 2)
    for i in range(r):
        t = tau[i * len(patterns):(i + 1) * len(patterns)]
        V[i * len(patterns):(i + 1) * len(patterns), i * len(patterns):(i + 1) * len(patterns)] = (
            (np.diag(t) - np.outer(t, t)) / a[i])
    M = np.diag(1 / np.diag(D)) @ H @ G @ V @ G.T @ H.T
    s2 = np.sum(np.real(np.linalg.eigvals(M)) ** 2)
    stat = (r - 1) * c * x2_s / s2
    df = (r - 1) ** 2 * c ** 2 / s2
    return stat, df, sps.chi2.sf(stat, df)


def test_rao_scott_covariance_form_equals_mrcvs_pattern_form():
    # Second method: the 2^c-pattern matrices of MRCV's code against the package's
    # within-group covariance form, on random data with 4 groups and 4 items.
    rng = np.random.default_rng(3)
    codes = np.repeat(np.arange(4), [40, 25, 20, 15])
    answers = (rng.random((100, 4)) < [0.2, 0.5, 0.6, 0.3]).astype(int)
    answers[:, 3] |= answers[:, 0]  # items that go together
    x2_s = float(np.nansum(mmi.item_statistics(codes, answers)))
    got = mmi.rao_scott_second_order(codes, answers, x2_s)
    stat, df, p = _rao_scott_by_patterns(codes, answers, x2_s)
    assert got["x2_s_rs2"] == pytest.approx(stat, rel=1e-10)
    assert got["df_rs2"] == pytest.approx(df, rel=1e-10)
    assert got["p_rao_scott"] == pytest.approx(p, rel=1e-8)


@pytest.fixture(scope="module")
def rebuilt30():
    data = pd.read_csv(HERE / "mrcv_rebuilt30.csv")
    expected = json.loads((HERE / "mrcv_rebuilt30_expected.json").read_text())["add_constant"]
    return data, expected


@pytest.mark.parametrize("constant", ["0.5", "0"])
def test_zero_cells_with_and_without_mrcvs_constant(rebuilt30, constant):
    data, expected = rebuilt30
    items = ["P1", "P2", "P3", "P4"]
    # The fault first: the data do have zero cells, so the constant matters.
    yes = data.groupby("sector")[items].sum().to_numpy()
    no = data.groupby("sector").size().to_numpy()[:, None] - yes
    assert (yes == 0).any() or (no == 0).any()
    result = mmi.mmi_test(data, items, group="sector", permutations=999, seed=0, add_constant=float(constant))
    want = expected[constant]
    assert result["x2_s"] == pytest.approx(want["X2_S"], abs=1e-6)
    assert [result["item_chi2"][i] for i in items] == pytest.approx(want["X2_S_j"], abs=1e-6)
    assert result["p_bonferroni_asymptotic"] == pytest.approx(want["p_value_bon"], abs=1e-6)
    assert result["x2_s_rs2"] == pytest.approx(want["X2_S_rs2"], abs=1e-6)
    assert result["df_rs2"] == pytest.approx(want["df_rs2"], abs=1e-6)
    assert result["p_rao_scott"] == pytest.approx(want["p_value_rs2"], abs=1e-6)


def test_the_plan_leaves_zero_cells_alone_and_the_constant_changes_x2_s(rebuilt30):
    data, expected = rebuilt30
    assert plan.MMI_ADD_CONSTANT == 0
    assert expected["0"]["X2_S"] != pytest.approx(expected["0.5"]["X2_S"], abs=0.5)


def test_permutation_with_a_constant_uses_the_same_statistic(rebuilt30):
    # With add_constant, the permuted statistics carry it too: check one permutation by hand.
    data, _ = rebuilt30
    items = ["P1", "P2", "P3", "P4"]
    codes = data["sector"].to_numpy() - 1
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(codes)
    vectorised = mmi._item_chi2(np.stack([np.bincount(shuffled, weights=data[i], minlength=4) for i in items], axis=1),
                                np.bincount(codes), data[items].sum().to_numpy(), add_constant=0.5)
    direct = np.nan_to_num(mmi.item_statistics(shuffled, data[items].to_numpy(), add_constant=0.5))
    assert vectorised == pytest.approx(direct, abs=1e-9)


def test_x2_s_with_mrcvs_constant_for_the_notebooks_comparison(rebuilt30):
    data, expected = rebuilt30
    items = ["P1", "P2", "P3", "P4"]
    assert mmi.x2_s_with_constant(data, items, 0.5) == pytest.approx(expected["0.5"]["X2_S"], abs=1e-6)
    assert mmi.x2_s_with_constant(data, items, 0.0) == pytest.approx(expected["0"]["X2_S"], abs=1e-6)
