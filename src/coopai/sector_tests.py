"""This study's tests by sector: each variable's sector-by-answer table and the plan's statistics on it.

The table machinery (exact Fisher-Freeman-Halton, Monte Carlo, chi-square, G, Cramer's V,
residuals) is :mod:`coopai.contingency`; which tests and families run is :mod:`coopai.plan`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import codebook, narrative, plan
from .contingency import (adjust_pvalues, adjusted_residuals, cramers_v, cramers_v_corrected, cramers_v_interval,
                          exact_or_monte_carlo, expected_counts, g_test, monte_carlo_pvalue, pearson_chi2)


def sector_table(survey: pd.DataFrame, variable: str, group: str = "sector") -> pd.DataFrame:
    """Counts of ``variable``'s answers by sector, sectors in the paper's order.

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> sector_table(load_survey(), "uses_social_media").values.tolist()
    [[10, 4], [3, 5], [1, 4], [1, 2]]
    """
    column = survey[variable]
    if column.dtype == bool:
        column = column.astype(bool)
        categories = [False, True]
    elif hasattr(column, "cat"):
        categories = list(column.cat.categories)
    else:  # plain text (a rebuild before loading): the codebook's order, not the alphabet's
        book = codebook.read_codebook()
        known = codebook.allowed_values(book, variable) if variable in book.index else []
        categories = known or sorted(column.unique())
    rows = list(codebook.SECTORS) if group == "sector" else sorted(survey[group].unique())
    # Counted with category codes and one bincount (what pd.crosstab then reindex gives, about
    # twenty times faster: the MMI test and the rebuild ranges build this table thousands of times).
    # Answers outside the categories, or missing, are not counted, as crosstab leaves them out.
    row_codes = pd.Index(rows).get_indexer(survey[group]).astype(np.int64)
    column_codes = pd.Index(categories).get_indexer(column).astype(np.int64)
    keep = (row_codes >= 0) & (column_codes >= 0)
    cells = np.bincount(row_codes[keep] * len(categories) + column_codes[keep], minlength=len(rows) * len(categories))
    return pd.DataFrame(cells.reshape(len(rows), len(categories)), index=pd.Index(rows, name=group),
                        columns=pd.Index(categories, name=variable))


def _answer_name(answer) -> str:
    return {True: "yes", False: "no"}.get(answer, str(answer)) if isinstance(answer, (bool, np.bool_)) else str(answer)


def not_computable_reason(counts: pd.DataFrame) -> str:
    """Why no test of association exists on a sector-by-answer table, or ``""`` when one does.

    A test compares sectors, so it needs cooperatives in at least two sectors; it asks whether
    the answers differ, so it needs at least two different answers. Sectors without
    cooperatives and answers nobody gave are left out first (they carry no test).

    Examples
    --------
    >>> one = pd.DataFrame([[3, 2], [0, 0]], index=["Agriculture", "Artisanat"], columns=[False, True])
    >>> not_computable_reason(one)
    'one sector only (Agriculture): comparing sectors needs cooperatives in at least two sectors'
    >>> same = pd.DataFrame([[3, 0], [2, 0]], index=["Agriculture", "Artisanat"], columns=[False, True])
    >>> not_computable_reason(same)
    "every cooperative gave the same answer ('no'): a test of association needs at least two different answers"
    >>> not_computable_reason(pd.DataFrame([[3, 1], [2, 2]]))
    ''
    """
    t = counts.to_numpy()
    sectors = list(counts.index[t.sum(axis=1) > 0])
    answers = list(counts.columns[t.sum(axis=0) > 0])
    # The wording is narrative's (one copy for this column and the sentences that show it in French).
    if not sectors:
        return narrative.reason_text("reason_no_answer")
    if len(sectors) < 2:
        return narrative.reason_text("reason_one_sector", sector=str(sectors[0]))
    if len(answers) < 2:
        return narrative.reason_text("reason_same_answer", answer=_answer_name(answers[0]))
    return ""


def comparison_reason(survey: pd.DataFrame) -> str:
    """Why no comparison between sectors exists in ``survey`` (fewer than two sectors), or ``""``.

    Examples
    --------
    >>> comparison_reason(pd.DataFrame({"sector": ["Services", "Services"]}))
    'one sector only (Services): comparing sectors needs cooperatives in at least two sectors'
    """
    present = [s for s in codebook.SECTORS if (survey["sector"] == s).any()]
    if len(present) >= 2:
        return ""
    counts = pd.DataFrame({"n": [int((survey["sector"] == s).sum()) for s in codebook.SECTORS]},
                          index=list(codebook.SECTORS))
    return not_computable_reason(counts)


def sector_test(survey: pd.DataFrame, variable: str, seed: int = 0, alpha: float = plan.ALPHA) -> dict:
    """Every statistic of the plan for one variable by sector, as one tidy row.

    ``computable`` is False, every statistic NaN and ``reason`` says why when the table has
    fewer than two sectors or fewer than two answers (:func:`not_computable_reason`).
    """
    counts = sector_table(survey, variable)
    reason = not_computable_reason(counts)
    t = counts.to_numpy()
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]  # an empty sector or an answer nobody gave carries no test
    if reason:
        nan = float("nan")
        return {"practice": variable, "n": int(t.sum()), "chi2": nan, "dof": nan, "p_chi2": nan, "g2": nan,
                "p_g2": nan, "p_exact": nan, "p_exact_log10": nan, "exact_method": "not_computable", "p_monte_carlo": nan,
                "p_monte_carlo_se": nan, "cramers_v": nan, "cramers_v_corrected": nan, "cramers_v_ci_low": nan,
                "cramers_v_ci_high": nan, "cramers_v_ci_reaches_zero": nan,
                "cramers_v_ci_level": plan.cramers_v_confidence(alpha), "cramers_v_ci_agrees_with_exact": nan,
                "min_expected": nan, "pct_cells_expected_lt5": nan, "computable": False, "reason": reason}
    expected = expected_counts(t)
    chi = pearson_chi2(t)
    g = g_test(t)
    exact = exact_or_monte_carlo(t, seed=seed)
    mc = monte_carlo_pvalue(t, seed=seed)
    # Steiger (2004): the interval consistent with a test at alpha is the 1 - 2 alpha interval.
    level = plan.cramers_v_confidence(alpha)
    interval = cramers_v_interval(t, 1 - level)
    return {
        "practice": variable, "n": int(t.sum()),
        "chi2": chi["chi2"], "dof": chi["dof"], "p_chi2": chi["p"],
        "g2": g["g2"], "p_g2": g["p"],
        "p_exact": exact["p"], "p_exact_log10": exact["log10_p"],
        "exact_method": exact["method"] if exact["method"] == "exact" else f"monte_carlo_{exact['draws']}",
        "p_monte_carlo": mc["p"], "p_monte_carlo_se": mc["se"],
        "cramers_v": cramers_v(t), "cramers_v_corrected": cramers_v_corrected(t),
        "cramers_v_ci_low": interval["low"], "cramers_v_ci_high": interval["high"],
        "cramers_v_ci_reaches_zero": interval["reaches_zero"], "cramers_v_ci_level": level,
        # The interval's lower limit follows the chi-square test; the decision follows the exact test.
        "cramers_v_ci_agrees_with_exact": bool(interval["reaches_zero"] == (exact["p"] >= alpha)),
        "min_expected": float(expected.min()),
        "pct_cells_expected_lt5": float(100 * (expected < 5).mean()),
        "computable": True, "reason": "",
    }


def sector_tests(survey: pd.DataFrame, family: str = "table1_practices", seed: int = 0,
                 alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The plan's tests for a family of variables, with Holm and Benjamini-Hochberg adjusted exact p-values.

    A variable whose test is not computable (one sector, or one answer) keeps its row, with
    NaN statistics and the reason; the adjustment runs over the computable tests only (a test
    that does not exist is not part of the family).

    Returns
    -------
    pandas.DataFrame
        One row per variable: ``practice, chi2, dof, p_chi2, g2, p_g2, p_exact,
        p_exact_holm, p_exact_bh, p_monte_carlo, cramers_v, cramers_v_corrected,
        min_expected, pct_cells_expected_lt5, computable, reason`` and more.
    """
    rows = [sector_test(survey, v, seed=seed + i, alpha=alpha) for i, v in enumerate(plan.FAMILIES[family])]
    table = pd.DataFrame(rows)
    computable = table["computable"].to_numpy(dtype=bool)
    for method, column, after in (("holm", "p_exact_holm", "p_exact"), ("fdr_bh", "p_exact_bh", "p_exact_holm")):
        adjusted = np.full(len(table), np.nan)
        if computable.any():
            adjusted[computable] = adjust_pvalues(table.loc[computable, "p_exact"], method)
        table.insert(table.columns.get_loc(after) + 1, column, adjusted)
    table.insert(1, "family", family)
    return table


def residuals_long(survey: pd.DataFrame, variables, alpha: float = plan.ALPHA) -> pd.DataFrame:
    """Adjusted residuals of the "yes" column of each variable by sector, tidy (for the heatmap), with flags.

    In an r x 2 table the "no" column's residuals are the same with the opposite sign, so each
    sector x variable cell is one comparison. ``threshold`` is Bonferroni over those cells
    (:func:`coopai.plan.residual_threshold`); ``beyond_threshold`` flags residuals past it;
    ``low_expected`` flags cells whose smaller expected count (yes or no) is under
    ``plan.RESIDUAL_MIN_EXPECTED``, where the residual is far from normal.

    Returns
    -------
    pandas.DataFrame
        ``practice, sector, adjusted_residual, expected_min, threshold, beyond_threshold, low_expected``.
    """
    rows = []
    for variable in variables:
        counts = sector_table(survey, variable)
        t = counts.to_numpy()
        residuals = np.full(t.shape, np.nan)
        expected = np.full(t.shape, np.nan)
        # A sector without cooperatives (a codebook sector this survey lacks) has no residual, and must not void
        # the others': they are the residuals of the table of the sectors present (before, one absent sector
        # left every residual NaN, and every sector reading of a two-sector survey "not supported").
        present = t.sum(axis=1) > 0
        if present.sum() >= 2 and (t[present].sum(axis=0) > 0).all():  # else no variation: undefined
            residuals[present] = adjusted_residuals(t[present])
            expected[present] = expected_counts(t[present])
        for sector, value, cell_expected in zip(counts.index, residuals[:, -1], expected.min(axis=1)):
            rows.append((variable, sector, float(value), float(cell_expected)))
    table = pd.DataFrame(rows, columns=["practice", "sector", "adjusted_residual", "expected_min"])
    threshold = plan.residual_threshold(alpha, max(1, int(table["adjusted_residual"].notna().sum())))
    table["threshold"] = threshold
    table["beyond_threshold"] = table["adjusted_residual"].abs() > threshold
    table["low_expected"] = table["expected_min"] < plan.RESIDUAL_MIN_EXPECTED
    return table


def total_only_tests(survey: pd.DataFrame, published: pd.DataFrame | None = None, seed: int = 0,
                     alpha: float = plan.ALPHA) -> dict:
    """Sector tests of the variables the paper publishes only for all cooperatives.

    On rebuilt data the sector breakdown is not known, so each test is a range over every
    feasible breakdown (:func:`coopai.identification.identification_ranges`); on observed data
    the breakdown is observed and each test is an ordinary point result (:func:`sector_test`).

    Returns
    -------
    dict
        ``stem`` (the table's file name), ``caption``, ``table`` (to write) and ``shown`` (its
        columns for the notebook).
    """
    from . import identification

    if survey.attrs.get("rebuilt"):
        ranges = identification.identification_ranges(published, alpha=alpha)
        return {"stem": "identification_ranges", "table": ranges,
                "caption": "Sector tests on total-only variables: range over every feasible sector breakdown.",
                "shown": ranges.drop(columns=["breakdown_p_min", "breakdown_p_max"])}
    # Observed data: one family declared in the plan before any survey was seen, Holm within it.
    point = sector_tests(survey, "total_only_observed", seed=seed, alpha=alpha)
    return {"stem": "total_only_sector_tests", "table": point,
            "caption": "Sector tests on the digitalisation and AI variables (observed data; Holm within the plan's "
                       "total-only family).",
            "shown": point[["practice", "p_exact", "p_exact_holm", "exact_method", "cramers_v", "min_expected"]
                           + ([] if point["computable"].all() else ["reason"])]}
