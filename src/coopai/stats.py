"""Descriptive statistics of the survey: proportions with intervals, Table 1, sector shares.

Pure functions on a validated survey DataFrame (see :func:`coopai.survey.load_survey`),
returning tidy DataFrames.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from . import plan
from .codebook import PRACTICES, SECTORS, category_labels, check_lang, read_codebook, variable_label
from .style import format_number, format_percent, typeset  # noqa: F401  (format_percent: callers' old name)


def wilson_interval(k, n, alpha: float = plan.ALPHA) -> tuple[float, float]:
    """Wilson score interval for a proportion ``k / n``.

    Computed by statsmodels (``proportion_confint(method="wilson")``); the tests
    check it against the closed form and Newcombe's (1998) published examples.
    It behaves well at small ``n`` and at 0 or ``n`` successes, where the Wald
    interval fails, which is why it is the package's descriptive interval.

    Parameters
    ----------
    k, n : int
        Successes and trials, ``0 <= k <= n``, ``n > 0``.
    alpha : float
        1 - confidence level.

    Returns
    -------
    (float, float)

    References
    ----------
    Newcombe, R. G. (1998). Two-sided confidence intervals for the single
    proportion: comparison of seven methods. Statistics in Medicine 17, 857-872.

    Examples
    --------
    >>> low, high = wilson_interval(81, 263)
    >>> round(low, 4), round(high, 4)
    (0.2553, 0.3662)
    """
    if not (0 < alpha < 1):
        raise ValueError(f"alpha must be in (0, 1), not {alpha}")
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    # At k = 0 or k = n the bound is exactly 0 or 1; floating point leaves 1e-16 off it.
    return (0.0 if k == 0 else float(low)), (1.0 if k == n else float(high))


def indicator_hits(survey: pd.DataFrame, variable: str) -> np.ndarray:
    """Which cooperatives have a yes/no answer, or a category with ``"column=category"``.

    Examples
    --------
    >>> s = pd.DataFrame({"x": [True, False], "c": ["a", "b"]})
    >>> indicator_hits(s, "x").tolist(), indicator_hits(s, "c=b").tolist()
    ([True, False], [False, True])
    """
    if "=" in variable:
        column, category = variable.split("=", 1)
        return (survey[column] == category).to_numpy(dtype=bool)
    return survey[variable].astype(bool).to_numpy()


def proportion_summary(survey: pd.DataFrame, variables, alpha: float = plan.ALPHA) -> pd.DataFrame:
    """Share of cooperatives with each yes/no variable (or ``variable=category``), with Wilson intervals.

    Parameters
    ----------
    survey : DataFrame
        A validated survey.
    variables : list of str
        Boolean column names, or ``"column=category"`` for a categorical one.

    Returns
    -------
    pandas.DataFrame
        ``variable, k, n, proportion, ci_low, ci_high`` (proportions in 0..1).

    Examples
    --------
    >>> s = pd.DataFrame({"x": [True, False, True, True], "c": ["a", "b", "a", "b"]})
    >>> proportion_summary(s, ["x", "c=a"])[["variable", "k", "n"]].values.tolist()
    [['x', 3, 4], ['c=a', 2, 4]]
    """
    rows = []
    n = len(survey)
    for variable in variables:
        k = int(indicator_hits(survey, variable).sum())
        low, high = wilson_interval(k, n, alpha)
        rows.append((variable, k, n, k / n, low, high))
    return pd.DataFrame(rows, columns=["variable", "k", "n", "proportion", "ci_low", "ci_high"])


def sector_distribution(survey: pd.DataFrame, alpha: float = plan.ALPHA) -> pd.DataFrame:
    """Cooperatives per sector (the paper's Figure 2), with shares and Wilson intervals.

    Examples
    --------
    >>> s = pd.DataFrame({"sector": pd.Categorical(["Services", "Autres", "Services"],
    ...                                            categories=list(SECTORS))})
    >>> sector_distribution(s)[["sector", "count"]].values.tolist()
    [['Agriculture', 0], ['Artisanat', 0], ['Services', 2], ['Autres', 1]]
    """
    n = len(survey)
    counts = survey["sector"].value_counts(sort=False).reindex(list(SECTORS), fill_value=0)
    rows = []
    for sector, k in counts.items():
        low, high = wilson_interval(int(k), n, alpha)
        rows.append((sector, int(k), n, 100 * k / n, 100 * low, 100 * high))
    return pd.DataFrame(rows, columns=["sector", "count", "n", "percent", "ci_low", "ci_high"])


def table1_marketing_practices(survey: pd.DataFrame, alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The paper's Table 1: each marketing practice by sector and in total, tidy.

    Returns
    -------
    pandas.DataFrame
        ``practice, sector, count, n, percent, ci_low, ci_high``: one row per
        practice and sector, then a ``Total`` row per practice. Percentages and
        their Wilson interval at 1 - alpha are in percent.

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> t = table1_marketing_practices(load_survey())
    >>> t.query("practice == 'uses_social_media' and sector == 'Services'")[["count", "n"]].values.tolist()
    [[4, 5]]
    """
    rows = []
    for practice in PRACTICES:
        groups = [(s, survey[survey["sector"] == s]) for s in SECTORS] + [("Total", survey)]
        for sector, group in groups:
            n = len(group)
            k = int(group[practice].astype(bool).sum())
            low, high = wilson_interval(k, n, alpha) if n else (np.nan, np.nan)
            rows.append((practice, sector, k, n, 100 * k / n if n else np.nan, 100 * low, 100 * high))
    return pd.DataFrame(rows, columns=["practice", "sector", "count", "n", "percent", "ci_low", "ci_high"])


def table1_display(table1: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """Table 1 laid out as in the paper: one row per practice, "percent (count)" per sector and in total.

    Every cell is written the same way (the language's percent, one decimal, and the count);
    labels come from the codebook in ``lang``.

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> wide = table1_display(table1_marketing_practices(load_survey()), "fr")
    >>> wide.iloc[0, 0], wide.columns[-1]
    ('100,0\xa0% (14)', 'Total (n\xa0=\xa030)')
    """
    check_lang(lang)
    codebook = read_codebook()
    sector_labels = category_labels(lang)

    def cell(row):
        percent = "–" if pd.isna(row.percent) else format_percent(row.percent, lang)
        return f"{percent} ({format_number(row.count, lang, 0)})"

    def header(sector, n):
        return typeset(f"{sector_labels[('sector', sector)]} (n\u00a0=\u00a0{format_number(n, lang, 0)})", lang)

    wide = {}
    for practice, rows in table1.groupby("practice", sort=False):
        label = typeset(variable_label(codebook, practice, lang), lang)
        wide[label] = {header(row.sector, row.n): cell(row) for row in rows.itertuples()}
    out = pd.DataFrame.from_dict(wide, orient="index")
    out.index.name = "Pratique marketing" if lang == "fr" else "Marketing practice"
    return out
