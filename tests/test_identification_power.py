"""Identification ranges and power against brute force, the rebuild, Cohen's tables and simulation."""
import itertools

import numpy as np
import pytest
from scipy import stats as sps

from coopai import contingency as C, identification as I, plan, power, sector_tests
from coopai.published import sector_sizes, table1_counts
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
