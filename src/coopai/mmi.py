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
from .contingency import exact_or_monte_carlo, pearson_chi2
from .sector_tests import sector_table


def _item_chi2(counts_yes: np.ndarray, group_sizes: np.ndarray, item_totals: np.ndarray) -> np.ndarray:
    """Pearson chi-square of each group x (yes, no) item table, from the "yes" counts.

    ``counts_yes`` has shape (..., groups, items). For a 0/1 item with overall share p,
    chi2 = sum_g (O_g - n_g p)^2 / (n_g p (1 - p)); an item everybody (or nobody) ticks gives 0.
    """
    n = group_sizes.sum()
    p = item_totals / n
    expected = group_sizes[:, None] * p[None, :]
    denominator = group_sizes[:, None] * p * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(denominator > 0, (counts_yes - expected) ** 2 / denominator, 0.0)
    return cells.sum(axis=-2)


def mmi_test(survey: pd.DataFrame, items, group: str = "sector", permutations: int = plan.PERMUTATIONS,
             seed: int = 0) -> dict:
    """Test of multiple marginal independence between a single-response and a multiple-response variable.

    A cooperative can tick several practices, so the practices are not categories of
    one variable and a chi-square on the group x practice count matrix counts some
    cooperatives several times. The MMI test (Bilder, Loughin and Nettleton 2000;
    R package MRCV) sums the per-item Pearson statistics, X2_S = sum_j X2_j, and
    calibrates it three ways:

    * Bonferroni on the per-item asymptotic p-values: min(1, c * min_j p_j), as MRCV's
      ``bon`` method; depends only on the published margins;
    * Bonferroni on the per-item exact (Fisher-Freeman-Halton) p-values (Monte Carlo
      estimates past exact enumeration's reach); same;
    * permutation of the group labels across cooperatives, which keeps each
      cooperative's set of answers together: (1 + #{X2_S* >= X2_S}) / (1 + B).
      Depends on which items each cooperative ticks together.

    Returns
    -------
    dict
        ``x2_s, item_chi2 (dict), p_bonferroni_asymptotic, p_bonferroni_exact, p_permutation,
        permutations``.

    References
    ----------
    Bilder, C. R., Loughin, T. M. and Nettleton, D. (2000). Multiple marginal
    independence testing for pick any/C variables. Communications in Statistics -
    Simulation and Computation 29, 1285-1316.
    """
    items = list(items)
    labels = pd.Categorical(survey[group])
    codes = labels.codes
    n_groups = len(labels.categories)
    answers = survey[items].astype(bool).to_numpy(dtype=np.int64)
    group_sizes = np.bincount(codes, minlength=n_groups)
    item_totals = answers.sum(axis=0)
    onehot = np.eye(n_groups, dtype=np.int64)[codes]
    observed = _item_chi2(onehot.T @ answers, group_sizes, item_totals)
    x2_s = float(observed.sum())
    dof = n_groups - 1
    p_asym = sps.chi2.sf(observed, dof)
    p_exact = np.array([exact_or_monte_carlo(sector_table(survey, item, group).to_numpy(), seed=seed)["p"]
                        if 0 < item_totals[j] < len(survey) else 1.0 for j, item in enumerate(items)])
    c = len(items)
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
        stats = _item_chi2(by_pattern @ item_of_pattern, group_sizes, item_totals).sum(axis=1)
        exceed += int(np.sum(stats >= x2_s * (1 - plan.EXACT_RTOL)))
    return {
        "x2_s": x2_s, "item_chi2": dict(zip(items, observed.tolist())),
        "p_bonferroni_asymptotic": float(min(1.0, c * p_asym.min())),
        "p_bonferroni_exact": float(min(1.0, c * p_exact.min())),
        "p_permutation": (1 + exceed) / (1 + permutations), "permutations": permutations,
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
        columns of :func:`mmi_test` except ``item_chi2``.
    """
    def row(name, data):
        result = mmi_test(data, items, permutations=permutations, seed=seed)
        return {"dataset": name, **{k: v for k, v in result.items() if k != "item_chi2"}}

    rows = [row("this dataset", survey)]
    if survey.attrs.get("rebuilt"):
        from .published import read_published_aggregates
        from .rebuild import rebuild_cooperatives
        from .survey import add_derived_variables

        published = read_published_aggregates() if published is None else published
        for s in plan.REBUILD_SEEDS:
            rows.append(row(f"rebuild seed {s}", add_derived_variables(rebuild_cooperatives(published, seed=s)[0])))
    return pd.DataFrame(rows)
