"""Tests of association in an r x c table of counts, exact and approximate, with effect sizes.

Generic machinery (as statsmodels' ``contingency_tables``): this study's tests by sector are
:mod:`coopai.sector_tests`, the multiple-response test :mod:`coopai.mmi`.

Which library computes what
---------------------------
* Pearson chi-square and G: ``scipy.stats.chi2_contingency`` (no continuity correction).
* Adjusted standardized residuals: ``statsmodels.stats.contingency_tables.Table``
  with ``shift_zeros=False`` (its default adds 0.5 to every cell of a table with a zero).
* Holm and Benjamini-Hochberg: ``statsmodels.stats.multitest.multipletests``.
* Random tables with fixed margins: ``scipy.stats.random_table`` (Patefield's algorithm).
* The Fisher-Freeman-Halton exact p-value is computed here, by enumeration, because
  scipy's ``fisher_exact`` returns a Monte Carlo estimate for tables larger than 2 x 2
  and its exhaustive route permutes raw observations (infeasible at n = 30).
* Cramer's V, its bias correction and its interval are short formulas written here.

All functions take a table of counts (rows: groups such as sectors; columns: answers).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from scipy import optimize, special
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests

from . import plan


class TooManyTables(RuntimeError):
    """Exact enumeration would visit more tables than ``plan.MAX_EXACT_TABLES``."""


def as_table(table) -> np.ndarray:
    """A validated 2-D integer array of counts."""
    array = np.asarray(table)
    if array.ndim != 2 or array.shape[0] < 2 or array.shape[1] < 2:
        raise ValueError(f"need a table with at least 2 rows and 2 columns, got shape {array.shape}")
    if (array < 0).any() or not np.allclose(array, np.round(array)):
        raise ValueError("a table of counts needs non-negative whole numbers")
    return np.round(array).astype(np.int64)


def expected_counts(table) -> np.ndarray:
    """Expected counts under independence: row total x column total / N.

    Examples
    --------
    >>> expected_counts([[10, 4], [3, 5]]).round(2).tolist()
    [[8.27, 5.73], [4.73, 3.27]]
    """
    t = as_table(table)
    return np.outer(t.sum(1), t.sum(0)) / t.sum()


def pearson_chi2(table) -> dict:
    """Pearson's chi-square test of independence, without continuity correction (scipy).

    Examples
    --------
    >>> r = pearson_chi2([[10, 4], [3, 5]])
    >>> round(r["chi2"], 4), r["dof"]
    (2.4243, 1)
    """
    chi2, p, dof, _ = sps.chi2_contingency(as_table(table), correction=False)
    return {"chi2": float(chi2), "dof": int(dof), "p": float(p)}


def g_test(table) -> dict:
    """Likelihood-ratio (G) test of independence (scipy, ``lambda_="log-likelihood"``).

    Examples
    --------
    >>> round(g_test([[10, 4], [3, 5]])["g2"], 4)
    2.4306
    """
    g2, p, dof, _ = sps.chi2_contingency(as_table(table), correction=False, lambda_="log-likelihood")
    return {"g2": float(g2), "dof": int(dof), "p": float(p)}


def log_table_probability(table) -> float:
    """Log probability of a table under independence given its margins (multivariate hypergeometric).

    P = prod(row totals!) prod(column totals!) / (N! prod(cells!)).

    Examples
    --------
    >>> round(math.exp(log_table_probability([[3, 1], [1, 3]])), 6)  # Fisher's tea tasting
    0.228571
    """
    t = as_table(table)
    lg = special.gammaln
    return float(lg(t.sum(1) + 1).sum() + lg(t.sum(0) + 1).sum() - lg(t.sum() + 1) - lg(t + 1).sum())


def _log_choose(n, k):
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)


def tables_r_by_2(row_totals, column_total, max_tables: int = plan.MAX_EXACT_TABLES) -> np.ndarray:
    """Every r x 2 table with the given row totals and first-column total, as its first column.

    Returns
    -------
    numpy.ndarray
        Shape (K, r): row i of a table has ``x[i]`` in the first column and
        ``row_totals[i] - x[i]`` in the second.

    Examples
    --------
    >>> tables_r_by_2([1, 1, 1], 2).tolist()
    [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    """
    rows = np.asarray(row_totals, dtype=np.int64)
    if not 0 <= column_total <= rows.sum():
        raise ValueError(f"column total {column_total} outside 0..{rows.sum()}")
    if np.prod(rows[:-1] + 1.0) > max_tables:
        raise TooManyTables(f"{np.prod(rows[:-1] + 1.0):.3g} candidate tables")
    grids = np.meshgrid(*[np.arange(n + 1) for n in rows[:-1]], indexing="ij")
    head = np.stack([g.ravel() for g in grids], axis=1) if len(rows) > 1 else np.zeros((1, 0), dtype=np.int64)
    last = column_total - head.sum(axis=1)
    keep = (last >= 0) & (last <= rows[-1])
    return np.column_stack([head[keep], last[keep]])


def exact_pvalues_r_by_2(row_totals, column_total, rtol: float = plan.EXACT_RTOL):
    """Every r x 2 table with these margins and its Fisher-Freeman-Halton p-value, at once.

    One sort serves every table: used by the exact power of the sector test (every outcome is
    weighted and tested) and, in the tests, as a second method for identification ranges.

    Returns
    -------
    tables : ndarray (K, r)
        First columns, as :func:`tables_r_by_2`.
    probability : ndarray (K,)
    p_value : ndarray (K,)
    """
    rows = np.asarray(row_totals, dtype=np.int64)
    tables = tables_r_by_2(rows, column_total)
    logw = _log_choose(rows, tables).sum(axis=1)
    logp = logw - _log_choose(rows.sum(), column_total)
    probability = np.exp(logp)
    order = np.argsort(logp, kind="stable")
    cumulative = np.cumsum(probability[order])
    # For each table: the total probability of tables no more probable (within rtol).
    cut = np.searchsorted(logp[order], logp + math.log1p(rtol), side="right")
    p_value = np.minimum(1.0, cumulative[cut - 1])
    return tables, probability, p_value


@functools.lru_cache(maxsize=4096)
def _r_by_2_null(rows: tuple, column_total: int):
    """Sorted log probabilities and their log cumulative sums, for all r x 2 tables with these margins.

    In logs throughout, so that a p-value below the float range keeps its size. Cached:
    identification ranges and power simulations test many tables that share margins.
    """
    rows_array = np.asarray(rows, dtype=np.int64)
    tables = tables_r_by_2(rows_array, column_total)
    logp = np.sort(_log_choose(rows_array, tables).sum(axis=1)) - _log_choose(rows_array.sum(), column_total)
    return logp, np.logaddexp.accumulate(logp)


def _log_cumulative(logh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log of the mass at x' <= x and at x' >= x, along the last axis, from log pmf values."""
    left = np.logaddexp.accumulate(logh, axis=1)
    right = np.logaddexp.accumulate(logh[:, ::-1], axis=1)[:, ::-1]
    return left, right


def _closing_r_by_2(rows, column_total, log_threshold, max_states=plan.MAX_EXACT_TABLES) -> float:
    """Natural log of the exact tail probability for a large r x 2 table.

    The rows are taken smallest first and the two LARGEST rows are closed: the other
    r - 2 rows are enumerated (numpy, all at once), and the two largest rows in one step per
    partial table: their log probability is log-concave in the cell, so the completions more
    probable than the threshold form one interval around the mode, found by binary search,
    and the tail is the hypergeometric mass outside it (log cumulative sums from both ends,
    so small p-values stay precise and p-values below the float range keep their size).
    The p-value does not depend on the order of the rows; closing the largest two keeps
    the enumerated part smallest (``[[1490, 10], [10, 1490], [0, 1], [0, 1]]`` leaves
    4 partial tables, not 2.25 million). Exact for r x 2 tables up to a few thousand respondents.
    """
    rows = np.sort(np.asarray(rows, dtype=np.int64), kind="stable")
    head_rows, (a, b) = rows[:-2], rows[-2:]
    n_states = float(np.prod(head_rows + 1.0))
    if n_states > max_states:
        raise TooManyTables(f"{n_states:.3g} partial tables")
    if len(head_rows):
        grids = np.meshgrid(*[np.arange(n + 1) for n in head_rows], indexing="ij")
        head = np.stack([g.ravel() for g in grids], axis=1)
    else:
        head = np.zeros((1, 0), dtype=np.int64)
    t = column_total - head.sum(axis=1)
    keep = (t >= 0) & (t <= a + b)
    head, t = head[keep], t[keep]
    total_log = _log_choose(rows.sum(), column_total)
    # log probability of the partial table (the last two rows merged into one).
    w = _log_choose(head_rows, head).sum(axis=1) + _log_choose(a + b, t) - total_log
    # Hypergeometric log pmf of the cell x in row a, given t ones in rows a and b.
    ts = np.arange(min(column_total, a + b) + 1)[:, None]
    xs = np.arange(a + 1)[None, :]
    valid = (xs <= ts) & (ts - xs <= b)
    with np.errstate(invalid="ignore"):
        logh = np.where(valid, _log_choose(a, xs) + _log_choose(b, np.clip(ts - xs, 0, None)) - _log_choose(a + b, ts),
                        -np.inf)
    left, right = _log_cumulative(logh)
    mode = np.argmax(logh, axis=1)
    # The partial table's log weight w + log h(x) must exceed the threshold to be excluded.
    # A completion is more probable than the threshold when log h(x) > cut.
    cut = log_threshold - (w + total_log)
    xlow = np.maximum(0, t - b)
    xhigh = np.minimum(a, t)
    peak = logh[t, mode[t]]
    inside = peak > cut
    # first x in [xlow, mode] with logh > cut (logh increases up to the mode)
    lo, hi = xlow.copy(), mode[t].copy()
    for _ in range(int(a).bit_length() + 1):
        mid = (lo + hi) // 2
        above = logh[t, mid] > cut
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid + 1)
    first = hi
    # last x in [mode, xhigh] with logh > cut (logh decreases after the mode)
    lo, hi = mode[t].copy(), xhigh.copy()
    for _ in range(int(a).bit_length() + 1):
        mid = (lo + hi + 1) // 2
        above = logh[t, mid] > cut
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid - 1)
    last = lo
    below_mass = np.where(first > xlow, left[t, np.maximum(first - 1, 0)], -np.inf)
    above_mass = np.where(last < xhigh, right[t, np.minimum(last + 1, a)], -np.inf)
    log_tail = np.where(inside, np.logaddexp(below_mass, above_mass), 0.0)
    return float(min(0.0, special.logsumexp(w + log_tail)))


def _row_splits(total: int, caps) -> np.ndarray:
    """Every way to spread one row's ``total`` over columns with room ``caps`` (one split per row)."""
    caps = np.asarray(caps, dtype=np.int64)
    return tables_r_by_2(caps, int(total)) if len(caps) > 1 else np.array([[total]]) if total <= caps[0] else \
        np.zeros((0, 1), dtype=np.int64)


@functools.lru_cache(maxsize=256)
def _r_by_c_null(rows: tuple, cols: tuple, max_tables: int = plan.MAX_EXACT_TABLES):
    """Sorted log probabilities (and their log cumulative sums) of every r x c table with these margins.

    Tables are built row by row; partial tables that leave the same column totals are
    grouped, so each group's next rows are generated once. The count of partial tables is
    checked while a row is grown, so a table past reach stops early instead of filling memory.
    """
    lg = special.gammaln
    const = lg(np.asarray(rows) + 1).sum() + lg(np.asarray(cols) + 1).sum() - lg(sum(rows) + 1)
    states = {tuple(cols): np.zeros(1)}
    for row_total in rows[:-1]:
        grown = {}
        produced = 0
        for remaining, weights in states.items():
            splits = _row_splits(row_total, remaining)
            produced += len(splits) * len(weights)
            if produced > max_tables:
                raise TooManyTables(f"more than {max_tables:,} partial tables")
            for split, cost in zip(splits, lg(splits + 1).sum(axis=1)):
                key = tuple(int(c - x) for c, x in zip(remaining, split))
                grown.setdefault(key, []).append(weights - cost)
        states = {k: np.concatenate(v) for k, v in grown.items()}
    logp = np.sort(np.concatenate([w - lg(np.asarray(k) + 1).sum() for k, w in states.items()]) + const)
    return logp, np.logaddexp.accumulate(logp)


def fisher_freeman_halton_log(table, rtol: float = plan.EXACT_RTOL, max_tables: int = plan.MAX_EXACT_TABLES) -> float:
    """Natural log of the exact Fisher-Freeman-Halton p-value (finite where the p-value underflows).

    r x 2 (or 2 x c) tables: rows are taken smallest first (the p-value does not depend on
    their order) and enumerated all at once with numpy when that is small, else closed two
    rows at a time, the two largest (:func:`_closing_r_by_2`); other tables are all enumerated
    once per set of margins (:func:`_r_by_c_null`, cached). Past ``max_tables``,
    :class:`TooManyTables` is raised: use :func:`monte_carlo_pvalue`.

    Examples
    --------
    >>> round(fisher_freeman_halton_log([[1490, 10], [10, 1490], [0, 1], [0, 1]]) / math.log(10), 2)
    -850.89
    """
    t = as_table(table)
    if t.shape[1] != 2 and t.shape[0] == 2:
        t = t.T
    if t.shape[1] == 2:
        t = t[np.argsort(t.sum(1), kind="stable")]
        rows, c1 = t.sum(1), int(t[:, 0].sum())
        observed = float(_log_choose(rows, t[:, 0]).sum()) - _log_choose(rows.sum(), c1)
        threshold = observed + math.log1p(rtol)
        if np.prod(rows[:-1] + 1.0) <= 200_000:
            logp, log_cumulative = _r_by_2_null(tuple(int(n) for n in rows), c1)
            index = int(np.searchsorted(logp, threshold, side="right"))
            return float(min(0.0, log_cumulative[index - 1])) if index else -math.inf
        return _closing_r_by_2(rows, c1, threshold + _log_choose(rows.sum(), c1))
    logp, log_cumulative = _r_by_c_null(tuple(int(x) for x in t.sum(1)), tuple(int(x) for x in t.sum(0)), max_tables)
    index = int(np.searchsorted(logp, log_table_probability(t) + math.log1p(rtol), side="right"))
    return float(min(0.0, log_cumulative[index - 1])) if index else -math.inf


def fisher_freeman_halton(table, rtol: float = plan.EXACT_RTOL, max_tables: int = plan.MAX_EXACT_TABLES) -> float:
    """Exact p-value of the Fisher-Freeman-Halton test: the probability, under independence
    and the observed margins, of a table no more probable than the observed one.

    The exponential of :func:`fisher_freeman_halton_log` (0 only below the float range, about
    1e-308: the log gives its size).

    References
    ----------
    Freeman, G. H. and Halton, J. H. (1951). Note on an exact treatment of contingency,
    goodness of fit and other problems of significance. Biometrika 38, 141-149.

    Examples
    --------
    >>> round(fisher_freeman_halton([[3, 1], [1, 3]]), 4)  # Fisher's tea tasting, two-sided
    0.4857
    """
    return math.exp(fisher_freeman_halton_log(table, rtol, max_tables))


def monte_carlo_p(exceed: int, draws: int) -> dict:
    """A Monte Carlo p-value from ``exceed`` draws at least as extreme among ``draws``: (1 + b) / (1 + B),
    with its binomial standard error sqrt(p (1 - p) / B).

    The observed data count as one draw under the null, so p is never 0 and is a valid p-value
    (Davison and Hinkley 1997, sec. 4.2); its standard error is never 0 either. Every Monte Carlo
    p of the package (the exact test's fallback, the MMI permutation test) comes from here.

    Examples
    --------
    >>> r = monte_carlo_p(0, 999)
    >>> r["p"], round(r["se"], 6)
    (0.001, 0.001)
    >>> monte_carlo_p(49, 99)["p"]
    0.5
    """
    p = (1 + exceed) / (1 + draws)
    return {"p": p, "se": math.sqrt(p * (1 - p) / draws), "draws": draws}


def monte_carlo_pvalue(table, draws: int = plan.MONTE_CARLO_DRAWS, seed: int = 0,
                       rtol: float = plan.EXACT_RTOL) -> dict:
    """Monte Carlo estimate of the Fisher-Freeman-Halton p-value, tables drawn with fixed margins.

    p = (1 + b) / (1 + B), with b the drawn tables no more probable than the observed one
    among B draws: the observed table counts as one draw under the null, so the estimate
    is never 0 and is a valid p-value (Davison and Hinkley 1997, sec. 4.2; R's
    ``fisher.test(simulate.p.value = TRUE)`` does the same).

    Returns
    -------
    dict
        ``p``, ``se`` (its binomial standard error, sqrt(p (1 - p) / B), never 0) and ``draws``.

    Examples
    --------
    >>> r = monte_carlo_pvalue([[3, 1], [1, 3]], draws=20000, seed=1)
    >>> abs(r["p"] - 0.4857) < 4 * r["se"]
    True
    >>> monte_carlo_pvalue([[300, 0], [0, 300]], draws=999)["p"]  # no drawn table as extreme: 1 / 1000
    0.001
    """
    t = as_table(table)
    rng = np.random.default_rng(seed)
    sample = sps.random_table(t.sum(1), t.sum(0), seed=rng).rvs(size=draws)
    logs = -special.gammaln(sample + 1).sum(axis=(1, 2))
    observed = -special.gammaln(t + 1).sum()
    extreme = int(np.sum(logs <= observed + math.log1p(rtol)))
    return monte_carlo_p(extreme, draws)


def monte_carlo_agrees(p_exact: float, p_monte_carlo: float, se: float, draws: int, tolerance: float = 4.0) -> bool:
    """Whether a Monte Carlo p-value agrees with the exact one: within ``tolerance`` standard errors,
    plus the 1 / (1 + B) by which (1 + b) / (1 + B) sits above b / B.

    Examples
    --------
    >>> monte_carlo_agrees(3.8e-37, 1 / 20001, math.sqrt(1 / 20001 / 20000), 20000)
    True
    >>> monte_carlo_agrees(0.30, 0.20, 0.003, 20000)
    False
    """
    return bool(abs(p_monte_carlo - p_exact) <= tolerance * se + 1 / (1 + draws))


def exact_or_monte_carlo(table, seed: int = 0) -> dict:
    """The exact p-value when enumeration is feasible, else Monte Carlo; says which.

    Returns
    -------
    dict
        ``p``, ``log10_p`` (finite where an exact p underflows), ``se`` (0 for exact),
        ``method`` (``"exact"`` or ``"monte_carlo"``) and ``draws`` (0 for exact).

    Examples
    --------
    >>> exact_or_monte_carlo([[3, 1], [1, 3]])["method"]
    'exact'
    >>> r = exact_or_monte_carlo([[1490, 10], [10, 1490], [0, 1], [0, 1]])
    >>> r["method"], r["p"] == 0, round(r["log10_p"], 2)
    ('exact', True, -850.89)
    """
    try:
        log_p = fisher_freeman_halton_log(table)
        return {"p": math.exp(log_p), "log10_p": log_p / math.log(10), "se": 0.0, "method": "exact", "draws": 0}
    except TooManyTables:
        result = monte_carlo_pvalue(table, seed=seed)
        return {"p": result["p"], "log10_p": math.log10(result["p"]), "se": result["se"], "method": "monte_carlo",
                "draws": result["draws"]}


def cramers_v(table) -> float:
    """Cramer's V = sqrt(chi2 / (N (min(r, c) - 1))).

    Examples
    --------
    >>> round(cramers_v([[10, 0], [0, 10]]), 6)
    1.0
    """
    t = as_table(table)
    chi2 = pearson_chi2(t)["chi2"]
    return math.sqrt(chi2 / (t.sum() * (min(t.shape) - 1)))


def cramers_v_many(tables) -> np.ndarray:
    """Cramer's V of many tables of one shape at once (vectorized Pearson chi-square).

    Columns or rows with no observations are left out of each table's formula, as a
    table without them would be. Used where thousands of tables are scored
    (identification ranges); :func:`cramers_v` (scipy) checks it in the tests.
    """
    t = np.asarray(tables, dtype=float)
    n = t.sum(axis=(1, 2))
    expected = t.sum(axis=2)[:, :, None] * t.sum(axis=1)[:, None, :] / n[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.where(expected > 0, (t - expected) ** 2 / expected, 0.0).sum(axis=(1, 2))
    k = np.minimum((t.sum(axis=2) > 0).sum(axis=1), (t.sum(axis=1) > 0).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(k > 1, np.sqrt(chi2 / (n * (k - 1))), 0.0)


def cramers_v_corrected(table) -> float:
    """Bias-corrected Cramer's V (Bergsma 2013).

    phi2 = max(0, chi2/N - (k-1)(r-1)/(N-1)); k~ = k - (k-1)^2/(N-1), r~ likewise;
    V~ = sqrt(phi2 / min(k~ - 1, r~ - 1)).

    References
    ----------
    Bergsma, W. (2013). A bias-correction for Cramer's V and Tschuprow's T.
    Journal of the Korean Statistical Society 42, 323-328.
    """
    t = as_table(table)
    n = t.sum()
    r, k = t.shape
    phi2 = max(0.0, pearson_chi2(t)["chi2"] / n - (k - 1) * (r - 1) / (n - 1))
    k_tilde = k - (k - 1) ** 2 / (n - 1)
    r_tilde = r - (r - 1) ** 2 / (n - 1)
    return math.sqrt(phi2 / min(k_tilde - 1, r_tilde - 1))


def cramers_v_interval(table, alpha: float = plan.ALPHA) -> dict:
    """Confidence interval for Cramer's V by inverting the noncentral chi-square (Smithson 2003).

    The noncentrality lambda = N * w^2 (Cohen's w), and V = w / sqrt(min(r, c) - 1).
    The lower limit solves P(X >= chi2_obs; lambda) = alpha/2, the upper
    P(X <= chi2_obs; lambda) = alpha/2. When even lambda = 0 leaves the observed
    statistic unsurprising, the lower limit is 0 (``reaches_zero`` is True).

    Returns
    -------
    dict
        ``low, high, reaches_zero``.
    """
    t = as_table(table)
    test = pearson_chi2(t)
    chi2, dof, n = test["chi2"], test["dof"], t.sum()
    scale = n * (min(t.shape) - 1)

    def cdf(lam):
        return sps.chi2.cdf(chi2, dof) if lam <= 0 else sps.ncx2.cdf(chi2, dof, lam)

    def solve(target):
        if cdf(0.0) <= target:
            return 0.0
        hi = max(10.0, 4 * chi2)
        while cdf(hi) > target:
            hi *= 2
        return optimize.brentq(lambda lam: cdf(lam) - target, 0.0, hi, xtol=1e-10)

    low, high = solve(1 - alpha / 2), solve(alpha / 2)
    return {"low": math.sqrt(low / scale), "high": min(1.0, math.sqrt(high / scale)), "reaches_zero": low == 0.0}


def adjusted_residuals(table) -> np.ndarray:
    """Adjusted standardized residuals (O - E) / sqrt(E (1 - row share)(1 - column share)).

    Computed by statsmodels' ``Table(..., shift_zeros=False).standardized_resids``.
    A residual beyond +-2 marks a cell that drives an association (Agresti 2002, 2.4.5).
    """
    return np.asarray(Table(as_table(table), shift_zeros=False).standardized_resids)


def adjust_pvalues(p_values, method: str) -> np.ndarray:
    """Multiplicity-adjusted p-values (statsmodels ``multipletests``): ``"holm"`` or ``"fdr_bh"``.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    return multipletests(np.asarray(p_values, dtype=float), method=method)[1]
