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
