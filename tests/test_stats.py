"""Descriptive statistics against independent computations."""
import math

import pandas as pd
import pytest
from scipy.stats import norm

from coopai import codebook, stats
from coopai.survey import add_derived_variables


def wilson_closed_form(k, n, alpha=0.05):
    """Wilson (1927) score interval written out, as in Newcombe (1998), eq. 3."""
    z = norm.ppf(1 - alpha / 2)
    p = k / n
    centre = (2 * n * p + z**2) / (2 * (n + z**2))
    half = z * math.sqrt(z**2 + 4 * n * p * (1 - p)) / (2 * (n + z**2))
    return centre - half, centre + half


@pytest.mark.parametrize("k, n, low, high", [
    # Newcombe (1998), Table I, method 3 (score interval without continuity correction).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998(k, n, low, high):
    got = stats.wilson_interval(k, n)
    assert got == pytest.approx((low, high), abs=6e-5)


@pytest.mark.parametrize("k", range(0, 31))
def test_wilson_matches_closed_form_at_n30(k):
    assert stats.wilson_interval(k, 30) == pytest.approx(wilson_closed_form(k, 30), abs=1e-12)
    assert stats.wilson_interval(k, 30, alpha=0.1) == pytest.approx(wilson_closed_form(k, 30, 0.1), abs=1e-12)


def test_wilson_rejects_bad_arguments():
    with pytest.raises(ValueError):
        stats.wilson_interval(5, 4)
    with pytest.raises(ValueError):
        stats.wilson_interval(1, 4, alpha=0)


def test_table1_against_crosstab(rebuilt):
    survey = rebuilt[0]
    table = stats.table1_marketing_practices(survey)
    assert list(table.columns[:5]) == ["practice", "sector", "count", "n", "percent"]
    assert len(table) == 4 * 5 and (table.groupby("practice")["sector"].last() == "Total").all()
    for practice in codebook.PRACTICES:
        ct = pd.crosstab(survey["sector"], survey[practice], margins=True)
        for row in table[table["practice"] == practice].itertuples():
            key = "All" if row.sector == "Total" else row.sector
            assert row.count == ct.loc[key, True] and row.n == ct.loc[key, "All"]
            assert row.percent == pytest.approx(100 * row.count / row.n)
            assert row.ci_low <= row.percent <= row.ci_high


def test_table1_display_prints_like_the_paper(rebuilt):
    wide = stats.table1_display(stats.table1_marketing_practices(rebuilt[0]), "fr")
    assert wide.loc["Utilisation des réseaux sociaux", "Services (n\u00a0=\u00a05)"] == "80,0\u00a0% (4)"
    assert wide.loc["Vente directe traditionnelle", "Total (n\u00a0=\u00a030)"] == "73,3\u00a0% (22)"
    wide_en = stats.table1_display(stats.table1_marketing_practices(rebuilt[0]), "en")
    assert wide_en.loc["Uses social media", "Crafts (n\u00a0=\u00a08)"] == "62.5% (5)"
    # one form for every cell: no bare "73.3" beside "100,0 %"
    assert all(c.endswith(")") and "%" in c for c in wide.to_numpy().ravel())


def test_sector_distribution_and_proportions(rebuilt):
    survey = rebuilt[0]
    dist = stats.sector_distribution(survey)
    assert dist["count"].tolist() == [14, 8, 5, 3] and dist["percent"].sum() == pytest.approx(100)
    summary = stats.proportion_summary(add_derived_variables(survey),
                                       ["digital_tool_status=none", "neither_knows_nor_interested_ai"])
    assert summary["k"].tolist() == [6, 9]
    assert summary["ci_low"].iloc[0] == pytest.approx(wilson_closed_form(6, 30)[0])
