"""Identification ranges and power against brute force, the rebuild, Cohen's tables and simulation."""
import itertools

import numpy as np
import pytest
from scipy import stats as sps

from coopai import contingency as C, identification as I, plan, power, sector_tests
from coopai.published import paper_sector_sizes, sector_sizes, table1_counts, total_only_count
from coopai.survey import add_derived_variables


@pytest.fixture(scope="module")
def breakdowns(published):
    return {s: I.feasible_breakdowns(published, s) for s in I.CONSTRAINT_SETS}


def test_unconstrained_breakdowns_are_every_composition(breakdowns):
    caps = (14, 8, 5, 3)
    brute = [c for c in itertools.product(*[range(k + 1) for k in caps]) if sum(c) == 9]
    got = breakdowns["hard"]["has_structured_it_equipment"]
    assert sorted(map(tuple, got)) == sorted(brute)


def test_rebuilt_breakdowns_are_among_the_feasible_ones(breakdowns, rebuilt):
    survey = add_derived_variables(rebuilt[0])
    for constraint_set, sets in breakdowns.items():
        for variable, splits in sets.items():
            counts = sector_tests.sector_table(survey, variable).to_numpy()
            observed = counts if variable == "digital_tool_status" else counts[:, 1]
            assert any(np.array_equal(observed, s) for s in splits), (constraint_set, variable)


def test_assumptions_only_narrow_the_ranges(breakdowns):
    for variable, splits in breakdowns["hard+assumptions"].items():
        hard = {tuple(np.asarray(s).ravel()) for s in breakdowns["hard"][variable]}
        assert {tuple(np.asarray(s).ravel()) for s in splits} <= hard


def test_feasible_status_breakdowns_respect_the_constraints(breakdowns, published):
    table1 = table1_counts(published)
    online = np.maximum(table1.loc["uses_social_media"], table1.loc["sells_online_platform"]).to_numpy()
    n = sector_sizes(published).to_numpy()
    for split in breakdowns["hard+assumptions"]["digital_tool_status"]:
        uses, none = split[:, 0], split[:, 1]
        assert (uses >= online).all() and (none <= n - online).all() and (split.sum(axis=1) == n).all()


def test_ranges_table(published):
    ranges = I.identification_ranges(published)
    assert set(ranges.columns) >= {"variable", "n_breakdowns", "p_exact_min", "p_exact_max",
                                   "cramers_v_min", "cramers_v_max"}
    assert (ranges["p_exact_min"] <= ranges["p_exact_max"]).all()
    assert len(ranges) == 2 * len(I.VARIABLES)


@pytest.mark.parametrize("w, dof, cohen_n", [(0.1, 1, 785), (0.3, 1, 87), (0.5, 1, 31),
                                             (0.1, 3, 1090), (0.3, 3, 121), (0.5, 3, 44)])
def test_n_for_power_matches_cohen_1988(w, dof, cohen_n):
    # Cohen (1988), Table 7.4.6, alpha = .05, power = .80; his table rounds n to the nearest unit.
    assert abs(power.n_for_power(w, dof) - cohen_n) <= 1


def test_alternative_has_the_requested_effect_size():
    for w in plan.EFFECT_SIZES:
        assert power.cohens_w(power.alternative_proportions(w), power.SECTOR_SIZES) == pytest.approx(w)


def test_approximate_power_against_simulated_chi2_test():
    # With n = 300 in sectors of the same shares, the approximation and a simulation of Pearson's test agree.
    sizes = np.array([140, 80, 50, 30])
    w = 0.2
    p = power.alternative_proportions(w, sizes)
    rng = np.random.default_rng(2)
    yes = rng.binomial(sizes, p, size=(4000, 4))
    rejections = np.mean([sps.chi2_contingency(np.column_stack([y, sizes - y]), correction=False)[1] < 0.05
                          for y in yes])
    assert abs(rejections - power.power_chi2_approx(w, 300, 3)) < 4 * np.sqrt(0.25 / 4000)


def test_exact_test_keeps_its_size_under_the_null():
    # w = 0: the simulated rejection rate cannot exceed alpha beyond Monte Carlo error (exact tests are conservative).
    rng = np.random.default_rng(4)
    sizes = np.array(power.SECTOR_SIZES)
    yes = rng.binomial(sizes, 0.5, size=(3000, 4))
    rate = np.mean([C.fisher_freeman_halton(np.column_stack([y, sizes - y])) <= 0.05 for y in yes])
    assert rate <= 0.05 + 4 * np.sqrt(0.05 * 0.95 / 3000)


@pytest.fixture(scope="module")
def ranges(published):
    return I.identification_ranges(published)


# Expected: R 4.2.2, fisher.test on every composition weighted by exp(sum(lchoose(caps, x)) - lchoose(30, K))
# (the issue quotes 0.040 / 0.049 / 0.049; barriers' 0.04846 is 0.048 at three decimals).
@pytest.mark.parametrize("variable, expected", [("heard_of_ai", 0.04015326), ("reports_ai_barriers", 0.04846032),
                                                ("interested_in_ai", 0.04944828)])
def test_null_weighted_share_is_the_exact_tests_size(published, ranges, breakdowns, variable, expected):
    # Second method: when every composition is feasible, the null-weighted share of breakdowns with
    # p < alpha is the total probability of the least probable tables, i.e. the largest attainable
    # p-value below alpha (exact_pvalues_r_by_2, one sort over all tables).
    caps = (14, 8, 5, 3)
    total = total_only_count(published, variable)
    assert len(breakdowns["hard+assumptions"][variable]) == len(I.compositions(total, caps))
    _, probability, p = C.exact_pvalues_r_by_2(caps, total)
    assert probability.sum() == pytest.approx(1.0)
    size = float(p[p < plan.ALPHA].max())
    got = ranges.set_index(["variable", "constraint_set"]).loc[(variable, "hard+assumptions"), "null_share_p_below_alpha"]
    assert got == pytest.approx(size, abs=1e-12)
    assert got == pytest.approx(expected, abs=1e-8)
    # Not the share of breakdowns counted equally (0.51 to 0.62), which a student would misread.
    assert np.mean(p < plan.ALPHA) > 0.5 > 10 * got


def test_null_weights_are_multivariate_hypergeometric(breakdowns):
    caps = np.array([14, 8, 5, 3])
    splits = breakdowns["hard"]["used_ai_tool"]
    full = np.array([I._as_full_table(s, caps) for s in splits])
    scipy_pmf = [sps.multivariate_hypergeom.pmf(s, caps, int(s.sum())) for s in splits]
    assert np.allclose(I.null_weights(full), scipy_pmf, rtol=1e-10)


def test_constrained_share_is_normalised_over_the_feasible_breakdowns(breakdowns, ranges):
    # digital_tool_status is the one variable the assumptions cut: its feasible breakdowns carry
    # less than all of the null probability, and the share is taken within them.
    n = np.array([14, 8, 5, 3])
    splits = breakdowns["hard+assumptions"]["digital_tool_status"]
    weights = I.null_weights(splits)
    assert weights.sum() < 0.5
    p = np.array([C.fisher_freeman_halton(t) for t in splits])
    share = ranges.set_index(["variable", "constraint_set"]).loc[("digital_tool_status", "hard+assumptions"),
                                                                 "null_share_p_below_alpha"]
    assert share == pytest.approx(sum(w for w, q in zip(weights, p) if q < 0.05) / weights.sum())
    assert (splits.sum(axis=2) == n).all()


def test_minima_below_the_axis_floor_are_flagged(ranges):
    below = ranges["p_exact_min"] < I.RANGE_AXIS_FLOOR
    assert below.any() and (~below).any()  # the flag separates real cases on the published study
    assert (ranges["p_exact_min_below_axis"] == below).all()


def test_two_proportion_power_enumeration_is_bounded_and_agrees_with_the_full_grid():
    """The truncated enumeration equals the full (n1 + 1)(n2 + 1) grid, and stays small at 100,000."""
    import scipy.stats as sps

    def full_grid(p1, p2, n1, n2, alpha=0.05):
        x1, x2 = np.arange(n1 + 1)[:, None], np.arange(n2 + 1)[None, :]
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(se > 0, (x1 / n1 - x2 / n2) / se, 0.0)
        weight = sps.binom.pmf(x1, n1, p1) * sps.binom.pmf(x2, n2, p2)
        return float(weight[np.abs(z) > sps.norm.ppf(1 - alpha / 2)].sum())

    for args in [(0.74, 0.5, 3, 27), (0.6, 0.5, 300, 2700), (0.52, 0.5, 1500, 1500), (0.0, 0.5, 10, 20)]:
        assert power.power_two_proportions_exact(*args) == pytest.approx(full_grid(*args), abs=1e-10)
    # 100,000 cooperatives: a full grid would hold 3,000 x 97,000 outcomes (2.3 GB of floats).
    assert len(power._binomial_support(97_000, 0.5)) * len(power._binomial_support(3_000, 0.505)) < 5_000_000
    assert 0 < power.power_two_proportions_exact(0.505, 0.5, 3_000, 97_000) < 1


@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_the_planners_h1_row_comes_from_the_plan_not_typed_in_counts(alpha):
    """H1's n per group for 80 % power at Cohen's h, in closed form: 2 ((z(1 - alpha/2) + z(0.8)) / h)^2
    (the variance of 2 asin(sqrt(p)) is 1/n per group); no survey's group sizes enter it."""
    import inspect
    import math

    closed_form = math.ceil(2 * ((sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(plan.TARGET_POWER))
                                 / plan.H1_EFFECT_SIZE_H) ** 2)
    assert power.h1_n_per_group(alpha) == closed_form
    table = power.sample_size_plan(alpha=alpha, n_sectors=3)
    assert table.loc[table["goal"].str.startswith("H1"), "n"].item() == closed_form
    assert table["goal"].str.contains(r"\(3 sectors\)").any()  # the run's number of sectors, when given
    # Without it, the published study's (data/published), never a number typed into the function.
    assert power.sample_size_plan(alpha=alpha)["goal"].str.contains(rf"\({len(paper_sector_sizes())} sectors\)").any()
    assert "h1_planning(" not in inspect.getsource(power.sample_size_plan)
