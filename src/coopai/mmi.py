"""The multiple-response test: are the practices a cooperative ticks independent of its sector?

A cooperative can tick several practices at once, so the practices are not categories of one
variable; :func:`mmi_test` is the test of multiple marginal independence (Bilder, Loughin and
Nettleton 2000) and :func:`naive_pooled_chi2` the wrong test it replaces, kept for teaching.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import plan
from .contingency import exact_or_monte_carlo, monte_carlo_p, pearson_chi2
from .sector_tests import sector_table


def _item_chi2(counts_yes: np.ndarray, group_sizes: np.ndarray, item_totals: np.ndarray,
               add_constant: float = 0.0) -> np.ndarray:
    """Pearson chi-square of each group x (yes, no) item table, from the "yes" counts.

    ``counts_yes`` has shape (..., groups, items). For a 0/1 item with overall share p,
    chi2 = sum_g (O_g - n_g p)^2 / (n_g p (1 - p)); an item everybody (or nobody) ticks gives 0.
    With ``add_constant`` > 0, zero cells are replaced by it first and the table's margins
    recomputed, as MRCV's ``check.zero`` does (:func:`item_statistics` is the plain version).
    """
    if add_constant:
        yes = counts_yes.astype(float)
        no = group_sizes[:, None] - yes
        valid = (item_totals > 0) & (item_totals < group_sizes.sum())
        yes, no = np.where(yes == 0, add_constant, yes), np.where(no == 0, add_constant, no)
        rows, col_yes, col_no = yes + no, yes.sum(axis=-2, keepdims=True), no.sum(axis=-2, keepdims=True)
        total = col_yes + col_no
        e_yes, e_no = rows * col_yes / total, rows * col_no / total
        chi2 = ((yes - e_yes) ** 2 / e_yes + (no - e_no) ** 2 / e_no).sum(axis=-2)
        return np.where(valid, chi2, 0.0)
    n = group_sizes.sum()
    p = item_totals / n
    expected = group_sizes[:, None] * p[None, :]
    denominator = group_sizes[:, None] * p * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(denominator > 0, (counts_yes - expected) ** 2 / denominator, 0.0)
    return cells.sum(axis=-2)


def item_statistics(codes, answers, add_constant: float = 0.0) -> np.ndarray:
    """Pearson chi-square of each group x (no, yes) item table, one table at a time, as MRCV's ``MI.stat``.

    ``codes``: each respondent's group (0 .. r - 1); ``answers``: 0/1 matrix, respondents x items.
    A table with an empty row or column has no statistic (NaN; MRCV leaves it out). Zero cells
    are replaced by ``add_constant`` first (MRCV's default 0.5; the plan's
    :data:`coopai.plan.MMI_ADD_CONSTANT` is 0). Written with scipy's ``chi2_contingency`` as a
    check on the vectorized statistic the permutations use.

    Examples
    --------
    >>> item_statistics([0, 0, 1, 1], [[1], [1], [0], [1]]).round(4).tolist()
    [1.3333]
    """
    answers = np.asarray(answers, dtype=np.int64)
    out = np.full(answers.shape[1], np.nan)
    for j, table in _item_tables(codes, answers):
        table = np.where(table == 0, add_constant, table)
        out[j] = float(sps.chi2_contingency(table, correction=False)[0])
    return out


def _item_tables(codes, answers):
    """Each item's group x (no, yes) table that has a statistic (no empty row or column), with its column index."""
    codes = np.asarray(codes)
    answers = np.asarray(answers, dtype=np.int64)
    r = int(codes.max()) + 1
    sizes = np.bincount(codes, minlength=r)
    for j in range(answers.shape[1]):
        yes = np.bincount(codes, weights=answers[:, j], minlength=r)
        table = np.column_stack([sizes - yes, yes])
        if not ((table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any()):
            yield j, table


def zero_cells(survey: pd.DataFrame, items, group: str = "sector") -> int:
    """The empty cells MRCV's constant would fill in :func:`x2_s_with_constant`: zero counts in the
    group x (no, yes) tables that have a statistic. None: adding the constant changes nothing.

    Examples
    --------
    >>> s = pd.DataFrame({"sector": ["a", "a", "b", "b"], "x": [1, 1, 0, 1], "y": [1, 0, 1, 0]})
    >>> zero_cells(s, ["x", "y"]), zero_cells(s, ["y"])
    (1, 0)
    """
    codes = pd.Categorical(survey[group]).remove_unused_categories().codes
    answers = survey[list(items)].astype(bool).astype(int)
    return int(sum((table == 0).sum() for _, table in _item_tables(codes, answers)))


def rao_scott_second_order(codes, answers, x2_s: float) -> dict:
    """Second-order Rao-Scott adjustment of the MMI statistic (Bilder and Loughin 2004; MRCV's ``rs2``).

    Under MMI, X2_S is asymptotically a weighted sum of chi-square(1) variables, the weights
    being the eigenvalues lambda of D^-1 H Sigma H': Sigma the covariance of the r x c estimated
    shares (sector by item), H the contrast of each share with the item's pooled share, D the
    variances those contrasts would have if items were independent of each other. Matching
    two moments gives X2_S,adj = (r - 1) c X2_S / sum(lambda^2) on (r - 1)^2 c^2 / sum(lambda^2)
    degrees of freedom, as MRCV computes it (with (r - 1) c, the trace expected under MMI, where
    Rao and Scott use sum(lambda)). sum(lambda^2) is the trace of the squared matrix, so no
    eigen-decomposition is needed.

    Sigma is block-diagonal over groups: block i is S_i / a_i, with S_i the within-group
    covariance matrix of the item indicators (divisor n_i) and a_i = n_i / n. This is MRCV's
    G V G' over the 2^c answer patterns without building them (the tests compare the two).
    Items nobody or everybody ticks have no variance and are left out, as are empty groups.

    Returns
    -------
    dict
        ``x2_s_rs2, df_rs2, p_rao_scott, items_used``.

    References
    ----------
    Bilder, C. R. and Loughin, T. M. (2004). Testing for marginal independence between two
    categorical variables with multiple responses. Biometrics 60, 241-248.
    """
    codes = np.unique(np.asarray(codes), return_inverse=True)[1]  # empty groups carry nothing
    answers = np.asarray(answers, dtype=float)
    shares = answers.mean(axis=0)
    keep = (shares > 0) & (shares < 1)
    answers, shares = answers[:, keep], shares[keep]
    r, c, n = int(codes.max()) + 1, answers.shape[1], len(codes)
    if c == 0 or r < 2:
        return {"x2_s_rs2": float("nan"), "df_rs2": float("nan"), "p_rao_scott": 1.0, "items_used": int(c)}
    sizes = np.bincount(codes, minlength=r).astype(float)
    a = sizes / n
    sigma = np.zeros((r * c, r * c))
    for i in range(r):
        centred = answers[codes == i] - answers[codes == i].mean(axis=0)
        sigma[i * c:(i + 1) * c, i * c:(i + 1) * c] = centred.T @ centred / sizes[i] / a[i]
    h = np.eye(r * c) - np.kron(np.outer(np.ones(r), a), np.eye(c))
    d_inverse = 1.0 / np.kron(n / sizes, shares * (1 - shares))
    m = d_inverse[:, None] * (h @ sigma @ h.T)
    sum_squares = float(np.trace(m @ m))
    if not sum_squares > 0:
        # Every item constant within every group: no within-group covariance to rescale by, so the
        # adjustment does not exist (MRCV divides by zero); said, rather than a p-value made up.
        return {"x2_s_rs2": float("nan"), "df_rs2": float("nan"), "p_rao_scott": float("nan"), "items_used": int(c)}
    statistic = (r - 1) * c * x2_s / sum_squares
    dof = (r - 1) ** 2 * c ** 2 / sum_squares
    return {"x2_s_rs2": statistic, "df_rs2": dof, "p_rao_scott": float(sps.chi2.sf(statistic, dof)),
            "items_used": int(c)}


def x2_s_with_constant(survey: pd.DataFrame, items, add_constant: float = 0.5, group: str = "sector") -> float:
    """X2_S with ``add_constant`` in every zero cell, as MRCV computes it by default (for comparison).

    Examples
    --------
    >>> s = pd.DataFrame({"sector": ["a", "a", "b", "b"], "x": [1, 1, 0, 1]})
    >>> round(x2_s_with_constant(s, ["x"], 0.0), 4), round(x2_s_with_constant(s, ["x"], 0.5), 4)
    (1.3333, 0.45)
    """
    codes = pd.Categorical(survey[group]).remove_unused_categories().codes
    return float(np.nansum(item_statistics(codes, survey[list(items)].astype(bool).astype(int), add_constant)))


def mmi_test(survey: pd.DataFrame, items, group: str = "sector", permutations: int = plan.PERMUTATIONS,
             seed: int = 0, add_constant: float = plan.MMI_ADD_CONSTANT) -> dict:
    """Test of multiple marginal independence between a single-response and a multiple-response variable.

    A cooperative can tick several practices, so the practices are not categories of
    one variable and a chi-square on the group x practice count matrix counts some
    cooperatives several times. The MMI test (Bilder, Loughin and Nettleton 2000;
    R package MRCV) sums the per-item Pearson statistics, X2_S = sum_j X2_j, and
    calibrates it four ways:

    * Bonferroni on the per-item exact (Fisher-Freeman-Halton) p-values (Monte Carlo
      estimates past exact enumeration's reach): a valid test of MMI at any n, which
      depends only on the published margins; the plan's primary form (:data:`plan.MMI_PRIMARY`);
    * Bonferroni on the per-item asymptotic p-values: min(1, c * min_j p_j), as MRCV's
      ``bon`` method; same margins;
    * the second-order Rao-Scott adjustment (:func:`rao_scott_second_order`, MRCV's ``rs2``):
      asymptotic, and it uses which items each cooperative ticks together;
    * permutation of the group labels across cooperatives, which keeps each
      cooperative's set of answers together: (1 + #{X2_S* >= X2_S}) / (1 + B), with its
      standard error sqrt(p (1 - p) / B) (:func:`coopai.contingency.monte_carlo_p`). Its null is
      joint independence (the whole answer set unrelated to the group), stronger than MMI;
      it depends on which items each cooperative ticks together.

    ``add_constant`` replaces zero cells before each item's statistic, in the observed and
    the permuted tables alike (MRCV's default is 0.5; the plan's is 0).

    Returns
    -------
    dict
        ``x2_s, item_chi2, item_p_asymptotic, item_p_exact (dicts by item), p_bonferroni_asymptotic,
        p_bonferroni_exact, p_bonferroni_exact_se, x2_s_rs2, df_rs2, p_rao_scott, p_permutation,
        p_permutation_se, permutations, add_constant``. The ``_se`` columns are the Monte Carlo
        standard errors (0 where the p-value is exact).

    References
    ----------
    Bilder, C. R., Loughin, T. M. and Nettleton, D. (2000). Multiple marginal
    independence testing for pick any/C variables. Communications in Statistics -
    Simulation and Computation 29, 1285-1316.
    """
    items = list(items)
    labels = pd.Categorical(survey[group]).remove_unused_categories()  # an empty group has no row
    codes = labels.codes
    n_groups = len(labels.categories)
    answers = survey[items].astype(bool).to_numpy(dtype=np.int64)
    group_sizes = np.bincount(codes, minlength=n_groups)
    item_totals = answers.sum(axis=0)
    onehot = np.eye(n_groups, dtype=np.int64)[codes]
    observed = _item_chi2(onehot.T @ answers, group_sizes, item_totals, add_constant)
    x2_s = float(observed.sum())
    dof = n_groups - 1
    p_asym = sps.chi2.sf(observed, dof)
    exact = [exact_or_monte_carlo(sector_table(survey, item, group).to_numpy(), seed=seed)
             if 0 < item_totals[j] < len(survey) else {"p": 1.0, "se": 0.0} for j, item in enumerate(items)]
    p_exact = np.array([e["p"] for e in exact])
    c = len(items)
    smallest = int(np.argmin(p_exact))
    # Bonferroni's p is c times the smallest item p; when that p is a Monte Carlo estimate, so is
    # Bonferroni's, with c times its standard error (0 when the smallest p is exact, or capped at 1).
    bonferroni_exact_se = 0.0 if c * p_exact[smallest] >= 1 else c * float(exact[smallest]["se"])
    # Permuting labels costs n per draw: past plan.PERMUTATION_WORK label moves, fewer draws
    # (never under 999), and the count actually used is returned.
    permutations = int(min(permutations, max(999, plan.PERMUTATION_WORK // max(1, len(codes)))))
    rng = np.random.default_rng(seed)
    # Each cooperative's answers as one pattern number: counts by (group, pattern) then give
    # every item's group counts, with one bincount per permutation and no n x groups matrix.
    pattern = answers @ (1 << np.arange(c))
    item_of_pattern = (np.arange(1 << c)[:, None] >> np.arange(c)) & 1          # (patterns, items)
    exceed = 0
    batch = max(1, 5_000_000 // max(1, len(codes)))  # about 40 MB of labels at a time
    for start in range(0, permutations, batch):
        size = min(batch, permutations - start)
        shuffled = rng.permuted(np.broadcast_to(codes, (size, len(codes))), axis=1)
        index = (np.arange(size)[:, None] * n_groups + shuffled) * (1 << c) + pattern
        by_pattern = np.bincount(index.ravel(), minlength=size * n_groups << c).reshape(size, n_groups, 1 << c)
        stats = _item_chi2(by_pattern @ item_of_pattern, group_sizes, item_totals, add_constant).sum(axis=1)
        exceed += int(np.sum(stats >= x2_s * (1 - plan.EXACT_RTOL)))
    permutation = monte_carlo_p(exceed, permutations)
    return {
        "x2_s": x2_s, "item_chi2": dict(zip(items, observed.tolist())),
        "item_p_asymptotic": dict(zip(items, p_asym.tolist())), "item_p_exact": dict(zip(items, p_exact.tolist())),
        "p_bonferroni_asymptotic": float(min(1.0, c * p_asym.min())),
        "p_bonferroni_exact": float(min(1.0, c * p_exact.min())), "p_bonferroni_exact_se": bonferroni_exact_se,
        **{k: v for k, v in rao_scott_second_order(codes, answers, x2_s).items() if k != "items_used"},
        "p_permutation": permutation["p"], "p_permutation_se": permutation["se"], "permutations": permutations,
        "add_constant": float(add_constant),
    }


def naive_pooled_chi2(survey: pd.DataFrame, items, group: str = "sector") -> dict:
    """The wrong test, for teaching: chi-square on the group x item count matrix.

    It treats each tick as an independent observation, so a cooperative that ticks
    three practices counts three times and the table's total exceeds the number of
    cooperatives. Shown in notebook 03 to explain why the MMI test is needed.
    """
    matrix = pd.DataFrame({item: survey.groupby(group, observed=True)[item].sum() for item in items})
    result = pearson_chi2(matrix.to_numpy())
    return {**result, "ticks": int(matrix.to_numpy().sum()), "cooperatives": len(survey), "matrix": matrix}


def mmi_over_rebuilds(survey: pd.DataFrame, items, permutations: int = plan.PERMUTATIONS, seed: int = 0,
                      published: pd.DataFrame | None = None) -> pd.DataFrame:
    """The MMI test on this dataset and, when it is the rebuilt one, on every rebuild of ``plan.REBUILD_SEEDS``.

    The permutation p-value depends on which items each cooperative ticks together, which the
    published tables do not fix: on rebuilt data it is shown over the valid rebuilds (a range),
    on observed data once.

    Returns
    -------
    pandas.DataFrame
        One row per dataset (``dataset`` is ``"this dataset"`` or ``"rebuild seed S"``) with the
        columns of :func:`mmi_test` except the per-item dictionaries.
    """
    def row(name, data):
        result = mmi_test(data, items, permutations=permutations, seed=seed)
        return {"dataset": name, **{k: v for k, v in result.items() if not isinstance(v, dict)}}  # no per-item dicts

    rows = [row("this dataset", survey)]
    if survey.attrs.get("rebuilt"):
        from .published import read_published_aggregates
        from .rebuild import rebuild_cooperatives
        from .survey import add_derived_variables

        published = read_published_aggregates() if published is None else published
        for s in plan.REBUILD_SEEDS:
            rows.append(row(f"rebuild seed {s}", add_derived_variables(rebuild_cooperatives(published, seed=s)[0])))
    return pd.DataFrame(rows)
