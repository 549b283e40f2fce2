"""Numerics at n = 500 and 100,000 against R (tests/fixtures/r_numerics.R; its output is committed
as r_numerics.csv, so R is not needed here). Cases come from coopai.synthetic's generated surveys."""
import math
import re

import pandas as pd
import pytest

from coopai import hypotheses as H
from conftest import ROOT

R = pd.read_csv(ROOT / "tests" / "fixtures" / "r_numerics.csv", comment="#")


def r_cases(quantity):
    rows = R[R["quantity"] == quantity]
    return [pytest.param(row.case, row.value, id=row.case) for row in rows.itertuples()]


def binomial_case(case):
    k, n, p0 = re.fullmatch(r"k=(\d+) n=(\d+) p0=([\d.]+)", case).groups()
    return int(k), int(n), float(p0)


def test_fixture_covers_both_sizes():
    cases = R[R["quantity"] == "log10_bf_plus"]["case"]
    assert cases.str.contains("n=500 ").any() and cases.str.contains("n=100000 ").any()


@pytest.mark.parametrize("case, expected", r_cases("log10_p_greater"))
def test_one_sided_binomial_p_in_logs_matches_r_pbinom(case, expected):
    k, n, p0 = binomial_case(case)
    got = H.binomial_tests(k, n, p0)
    assert got["log10_p_greater"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    if expected > -300:  # representable: the float p agrees too
        assert got["p_greater"] == pytest.approx(10**expected, rel=1e-8)


@pytest.mark.parametrize("case, expected", r_cases("log10_bf10"))
def test_bf10_in_logs_matches_r(case, expected):
    k, n, p0 = binomial_case(case)
    assert H.log_bf10_binomial(k, n, p0) / math.log(10) == pytest.approx(expected, rel=1e-10)
    value = H.bf10_binomial(k, n, p0)
    assert value > 0
    if expected < 300:
        assert value == pytest.approx(10**expected, rel=1e-6)
    else:  # past the float range: infinite, and the log column says how large
        assert value == math.inf


@pytest.mark.parametrize("case, expected", r_cases("log10_bf_plus"))
def test_bf_plus_in_logs_matches_r_pbeta(case, expected):
    k, n, p0 = binomial_case(case)
    assert H.log_bf_plus_binomial(k, n, p0) / math.log(10) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    value = H.bf_plus_binomial(k, n, p0)
    assert value > 0  # never 0 where the Bayes factor is positive
    if expected < 300:
        assert value == pytest.approx(10**expected, rel=1e-6)


def test_bf_plus_underflow_cases_at_100000_were_zero_before_logs():
    # The fault: betaincc's upper tail underflows to 0 at n = 100,000 (posterior far below p0) ...
    from scipy import special
    assert special.betaincc(15809 + 1, 100_000 - 15809 + 1, 0.5) == 0.0
    # ... while R gives 10^-4.835; the package now does too.
    expected = R.set_index(["quantity", "case"]).loc[("log10_bf_plus", "k=15809 n=100000 p0=0.5"), "value"]
    assert math.log10(H.bf_plus_binomial(15809, 100_000, 0.5)) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("case, expected", r_cases("bf_plus_integrate"))
def test_bf_plus_matches_r_numerical_integration(case, expected):
    k, n, p0 = binomial_case(case)
    assert H.bf_plus_binomial(k, n, p0) == pytest.approx(expected, rel=1e-7)


FFH_TABLES = {
    "synthetic500 direct_sales": [[8, 197], [55, 94], [66, 22], [20, 38]],
    "synthetic500 sells_online_platform": [[168, 37], [102, 47], [51, 37], [37, 21]],
    "synthetic500 attends_trade_fairs": [[93, 112], [68, 81], [68, 20], [36, 22]],
    "synthetic500 heard_of_ai": [[162, 43], [112, 37], [66, 22], [41, 17]],
    "synthetic500 reports_ai_barriers": [[55, 150], [57, 92], [25, 63], [16, 42]],
    "closing largest rows": [[1490, 10], [10, 1490], [0, 1], [0, 1]],
    "closing largest rows, small": [[140, 10], [10, 140], [0, 1], [0, 1]],
}


@pytest.mark.parametrize("case, expected", r_cases("log10_p_fisher") + r_cases("log10_p_enumerated"))
def test_exact_test_in_logs_matches_r(case, expected):
    from coopai import contingency as C
    if expected == -math.inf:  # fisher.test underflows to 0 here; the log enumeration below has the value
        log_p = C.fisher_freeman_halton_log(FFH_TABLES[case])
        assert math.isfinite(log_p) and log_p / math.log(10) < -308  # below the double range, as R found
        return
    result = C.exact_or_monte_carlo(FFH_TABLES[case])
    assert result["method"] == "exact"
    assert result["log10_p"] == pytest.approx(expected, rel=1e-9)


def test_closing_closes_the_two_largest_rows():
    from coopai import contingency as C
    table = FFH_TABLES["closing largest rows"]
    # The fault: closing the last two rows as given (1500 and 1) enumerates 1501 x 1501 partial
    # tables, past the plan's cap, so the old code fell back to Monte Carlo.
    with pytest.raises(C.TooManyTables):
        C.tables_r_by_2([1500, 1500, 1, 1], 1500)
    result = C.exact_or_monte_carlo(table)
    assert result["method"] == "exact" and result["se"] == 0
    expected = R.set_index(["quantity", "case"]).loc[("log10_p_enumerated", "closing largest rows"), "value"]
    assert result["log10_p"] == pytest.approx(expected, rel=1e-9)
    # Row order does not change the p-value.
    assert C.fisher_freeman_halton_log(table[::-1]) == pytest.approx(C.fisher_freeman_halton_log(table), rel=1e-12)


def test_monte_carlo_p_is_one_over_b_plus_one_like_r_when_no_draw_is_as_extreme():
    from coopai import contingency as C
    strong = [[40000, 6000], [10000, 16000], [8000, 9000], [5000, 6000]]
    expected = R.set_index(["quantity", "case"]).loc[("fisher_simulated_p_strong_B1999", "strong 100000"), "value"]
    result = C.monte_carlo_pvalue(strong, draws=1999, seed=3)
    assert result["p"] == pytest.approx(expected) and result["p"] > 0 and result["se"] > 0
    assert C.exact_or_monte_carlo(strong)["method"] == "monte_carlo"
