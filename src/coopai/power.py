"""Power of the sector test, and the sample a replication needs: shared by notebooks 03 and 04.

Two methods, side by side:

* the **noncentral chi-square approximation** (Cohen 1988, ch. 7): under an effect
  of size w, Pearson's statistic is roughly noncentral chi-square with
  noncentrality N w^2;
* the **exact power of the exact test** on the actual sector sizes, by enumeration: every
  possible outcome (the number of "yes" answers in each sector: 15 x 9 x 6 x 4 = 3,240
  outcomes for sectors of 14, 8, 5 and 3) is weighted by its binomial probability under
  the alternative, and the power is the total weight of the outcomes whose
  Fisher-Freeman-Halton p-value is at most alpha. No simulation error. Past
  ``plan.MAX_EXACT_TABLES`` outcomes (large surveys) the outcomes are drawn instead
  (``plan.POWER_SIMULATIONS`` draws), and the table says which method gave each value.

At n = 30 with sectors of 14, 8, 5 and 3 the two can differ: that is the point of
showing both.

The same holds for H1's two-group comparison: :func:`power_two_proportions_exact`
enumerates the outcomes of the z-test that :func:`h1_planning` approximates. With 3 AI
users the approximation overstates the power more than twofold: the users' share can only be
0, 1/3, 2/3 or 1, so the z statistic is far from normal, and only a few outcomes reject.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps
from statsmodels.stats.power import NormalIndPower

from . import contingency, plan
from .published import paper_sector_sizes

#: The paper's sector sizes (Agriculture, Artisanat, Services, Autres), from Table 1's header.
SECTOR_SIZES = paper_sector_sizes()


def power_chi2_approx(w: float, n: int, dof: int, alpha: float = plan.ALPHA) -> float:
    """Power of a chi-square test of effect size w with n observations (noncentral chi-square).

    Examples
    --------
    >>> round(power_chi2_approx(0.3, 87, 1), 2)  # Cohen (1988) table 7.4.6: n = 87 gives .80
    0.8
    """
    critical = sps.chi2.ppf(1 - alpha, dof)
    return float(sps.ncx2.sf(critical, dof, n * w**2)) if w > 0 else float(alpha)


def n_for_power(w: float, dof: int, alpha: float = plan.ALPHA, power: float = plan.TARGET_POWER,
                deff: float = 1.0) -> int:
    """Smallest n whose approximate power reaches ``power`` (Cohen's method), times the design effect.

    Under a design with design effect ``deff`` the survey carries the information of
    n / deff cooperatives drawn at random, so the simple-random-sample n is multiplied by it.

    Examples
    --------
    >>> n_for_power(0.3, 1), n_for_power(0.5, 1), n_for_power(0.1, 1)
    (88, 32, 785)
    >>> n_for_power(0.3, 1, deff=2.0)
    175
    """
    if not deff > 0:
        raise ValueError(f"the design effect must be positive, not {deff}")
    critical = sps.chi2.ppf(1 - alpha, dof)
    lam = optimize.brentq(lambda lam: sps.ncx2.sf(critical, dof, lam) - power, 1e-9, 1e4)
    return int(math.ceil(deff * lam / w**2))


def alternative_proportions(w: float, sizes=SECTOR_SIZES, base: float = 0.5) -> np.ndarray:
    """Per-sector proportions with Cohen's effect size ``w`` against the pooled proportion ``base``.

    The alternative: the first sector (Agriculture) differs from the others, the
    contrast the paper reads into Table 1. Proportions p_s = base + delta d_s with
    d_1 = 1, d_s = -q_1/(1 - q_1) otherwise (q the sector shares), so the pooled
    proportion stays ``base`` and w^2 = delta^2 sum(q d^2) / (base (1 - base)).

    Examples
    --------
    >>> p = alternative_proportions(0.3)
    >>> round(cohens_w(p, SECTOR_SIZES), 6)
    0.3
    """
    q = np.asarray(sizes, dtype=float) / np.sum(sizes)
    d = np.full(len(q), -q[0] / (1 - q[0]))
    d[0] = 1.0
    delta = w * math.sqrt(base * (1 - base) / np.sum(q * d**2))
    p = base + delta * d
    if (p < 0).any() or (p > 1).any():
        raise ValueError(f"w = {w} is not reachable with base proportion {base}")
    return p


def cohens_w(proportions, sizes) -> float:
    """Cohen's w of a groups x (yes, no) design: sqrt(sum (P_ij - P_i P_j)^2 / (P_i P_j))."""
    q = np.asarray(sizes, dtype=float) / np.sum(sizes)
    p = np.asarray(proportions, dtype=float)
    cells = np.column_stack([q * p, q * (1 - p)])
    expected = np.outer(q, cells.sum(axis=0))
    return float(math.sqrt(np.sum((cells - expected) ** 2 / expected)))


def power_exact_simulated(w: float, sizes=SECTOR_SIZES, alpha: float = plan.ALPHA,
                          simulations: int = plan.POWER_SIMULATIONS, seed: int = 0) -> dict:
    """Power of the Fisher-Freeman-Halton test by simulation, sector sizes fixed.

    Returns
    -------
    dict
        ``power`` and its binomial standard error ``se``.
    """
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes)
    p = alternative_proportions(w, sizes)
    yes = rng.binomial(sizes, p, size=(simulations, len(sizes)))
    rejections = 0
    for row in yes:
        table = np.column_stack([row, sizes - row])
        if table.sum(axis=0).min() == 0:
            continue  # no variation: the test cannot reject
        rejections += contingency.fisher_freeman_halton(table) <= alpha
    power = rejections / simulations
    return {"power": power, "se": math.sqrt(power * (1 - power) / simulations)}


def power_exact(w: float, sizes=SECTOR_SIZES, alpha: float = plan.ALPHA,
                max_outcomes: int = plan.MAX_EXACT_TABLES, simulations: int = plan.POWER_SIMULATIONS,
                seed: int = 0) -> dict:
    """Power of the Fisher-Freeman-Halton sector test, every outcome enumerated when feasible.

    For each total number of "yes" answers, all sector splits and their exact p-values come
    from one sort (:func:`coopai.contingency.exact_pvalues_r_by_2`); each split is weighted by
    its probability under the alternative (independent binomials, one per sector).

    Returns
    -------
    dict
        ``power``, ``se`` (0 when enumerated), ``method`` (``enumerated`` or ``simulated``)
        and ``outcomes`` (enumerated) or ``simulations``.

    Examples
    --------
    >>> round(power_exact(0.5)["power"], 4)   # 3,240 outcomes of sectors 14/8/5/3
    0.6616
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    outcomes = float(np.prod(sizes + 1.0))
    if outcomes > max_outcomes:
        result = power_exact_simulated(w, sizes, alpha, simulations, seed)
        return {**result, "method": "simulated", "simulations": simulations}
    p = alternative_proportions(w, sizes)
    power = 0.0
    for total in range(1, int(sizes.sum())):   # all-yes or all-no cannot reject
        tables, _, p_values = contingency.exact_pvalues_r_by_2(sizes, total)
        reject = tables[p_values <= alpha]
        if len(reject):
            power += float(np.exp(sps.binom.logpmf(reject, sizes, p).sum(axis=1)).sum())
    return {"power": power, "se": 0.0, "method": "enumerated", "outcomes": int(outcomes)}


def power_table(sizes=SECTOR_SIZES, effect_sizes=plan.EFFECT_SIZES, alpha: float = plan.ALPHA,
                simulations: int = plan.POWER_SIMULATIONS, seed: int = 0, role: str = "this run") -> pd.DataFrame:
    """Power of the sector test for each effect size: approximation, exact test (enumerated), n for 80 %.

    ``sizes`` are the run's sector sizes (sectors without a cooperative left out); the exact
    test's power is computed up to ``plan.POWER_EXACT_MAX_N`` cooperatives and left empty
    beyond, where only the approximation is shown. ``role`` labels the rows (``"this run"``, or
    ``"published study (reference)"`` for the paper's sizes shown beside a user's).

    Returns
    -------
    pandas.DataFrame
        ``w, n, sector_sizes, role, power_approx, power_exact, power_exact_se, power_exact_method,
        n_for_power_80`` (``power_exact_se`` is 0 where every outcome was enumerated).
    """
    sizes = [int(x) for x in sizes if int(x) > 0]
    dof = len(sizes) - 1
    n = int(np.sum(sizes))
    rows = []
    if dof < 1:  # one sector: there is no comparison between sectors to have power
        nan = float("nan")
        return pd.DataFrame([{"w": w, "n": n, "sector_sizes": "/".join(map(str, sizes)), "role": role,
                              "power_approx": nan, "power_exact": nan, "power_exact_se": nan,
                              "power_exact_method": "not computable: one sector", "n_for_power_80": nan}
                             for w in effect_sizes])
    for i, w in enumerate(effect_sizes):
        exact = (power_exact(w, sizes, alpha, simulations=simulations, seed=seed + i) if n <= plan.POWER_EXACT_MAX_N
                 else {"power": float("nan"), "se": float("nan"), "method": "not computed (n above the plan's cap)"})
        rows.append({"w": w, "n": n, "sector_sizes": "/".join(map(str, sizes)), "role": role,
                     "power_approx": power_chi2_approx(w, n, dof, alpha),
                     "power_exact": exact["power"], "power_exact_se": exact["se"],
                     "power_exact_method": exact["method"], "n_for_power_80": n_for_power(w, dof, alpha)})
    return pd.DataFrame(rows)


def power_curve(ns, effect_sizes=plan.EFFECT_SIZES, dof: int = 3, alpha: float = plan.ALPHA) -> pd.DataFrame:
    """Approximate power against n, tidy (``n, w, power``), for the power-curve figure."""
    return pd.DataFrame([(int(n), w, power_chi2_approx(w, int(n), dof, alpha)) for w in effect_sizes for n in ns],
                        columns=["n", "w", "power"])


def survey_sector_sizes(survey: pd.DataFrame) -> list[int]:
    """The survey's sector sizes in the codebook's order, sectors without a cooperative left out.

    Examples
    --------
    >>> survey_sector_sizes(pd.DataFrame({"sector": ["Services", "Agriculture", "Services"]}))
    [1, 2]
    """
    from .codebook import SECTORS

    return [k for k in (int(survey["sector"].eq(s).sum()) for s in SECTORS) if k > 0]


#: The n axis of the power curve (approximation): 10 to 2,000 cooperatives, 60 points on a log scale.
POWER_CURVE_NS = np.unique(np.geomspace(10, 2000, 60).astype(int))


def sector_power(survey: pd.DataFrame, seed: int = 0, alpha: float = plan.ALPHA) -> dict:
    """Notebook 03's power section: the sector test's power at the survey's sector sizes, the
    published study's beside it as a reference (when the sizes differ), and the power curve.

    With one sector there is no sector test (:func:`power_table` says so); the curve is then drawn
    for the published study's number of sectors, so that the figure still shows what a comparison
    of sectors could detect.

    Returns
    -------
    dict
        ``sizes``, ``paper_sizes``, ``power_table`` (this run), ``paper_power`` (the published
        study's, the same table when the sizes are the paper's), ``shown`` (both, as written to
        ``sector_test_power``), ``dof`` of the curve and ``curve`` (:func:`power_curve`).

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> result = sector_power(load_survey(), seed=1)
    >>> result["sizes"], result["dof"], len(result["shown"]) == len(plan.EFFECT_SIZES)
    ([14, 8, 5, 3], 3, True)
    """
    sizes = survey_sector_sizes(survey)
    paper_sizes = list(paper_sector_sizes())
    table = power_table(sizes, seed=seed, alpha=alpha)
    same = sizes == paper_sizes
    paper_power = table if same else power_table(paper_sizes, seed=seed, alpha=alpha,
                                                 role="published study (reference)")
    dof = (len(sizes) if len(sizes) > 1 else len(paper_sizes)) - 1
    return {"sizes": sizes, "paper_sizes": paper_sizes, "power_table": table, "paper_power": paper_power,
            "shown": table if same else pd.concat([table, paper_power], ignore_index=True), "dof": dof,
            "curve": power_curve(POWER_CURVE_NS, dof=dof, alpha=alpha)}


def h1_n_per_group(alpha: float = plan.ALPHA, power: float = plan.TARGET_POWER,
                   effect_size_h: float = plan.H1_EFFECT_SIZE_H) -> int:
    """The n per group (two equal groups) that H1's two-sided comparison of two proportions needs
    for ``power`` at Cohen's h = ``effect_size_h``: statsmodels ``NormalIndPower``, rounded up.

    It depends on the plan only (alpha, power, effect size), never on a survey's groups.

    Examples
    --------
    >>> from scipy.stats import norm
    >>> closed_form = 2 * ((norm.ppf(0.975) + norm.ppf(0.8)) / 0.5) ** 2  # var of 2 asin(sqrt(p)) is 1/n per group
    >>> h1_n_per_group(0.05, 0.8, 0.5), math.ceil(closed_form)  # Cohen (1988) table 6.4.1: 63
    (63, 63)
    """
    n = NormalIndPower().solve_power(effect_size_h, power=power, alpha=alpha, ratio=1.0)
    return int(math.ceil(n))


def h1_planning(users: int, non_users: int, alpha: float = plan.ALPHA) -> dict:
    """Power of a users-versus-non-users comparison as it stands (the survey's group sizes), and the
    n per group for 80 % (:func:`h1_n_per_group`).

    Normal approximation for two proportions with Cohen's h (statsmodels ``NormalIndPower``); 0
    when either group is empty.

    Examples
    --------
    >>> round(h1_planning(3, 27)["power_as_is"], 2), h1_planning(30, 0)["power_as_is"], h1_planning(0, 30)["power_as_is"]
    (0.13, 0.0, 0.0)
    """
    analysis = NormalIndPower()
    # An empty group leaves nothing to compare: power 0. (statsmodels reads ratio = 0 as a one-sample
    # test and would give every cooperative using AI a power of 0.78 at 30.)
    power_as_is = float(analysis.power(plan.H1_EFFECT_SIZE_H, nobs1=users, ratio=non_users / users,
                                       alpha=alpha)) if users and non_users else 0.0
    return {"users": users, "non_users": non_users, "effect_size_h": plan.H1_EFFECT_SIZE_H,
            "power_as_is": power_as_is, "n_per_group_80": h1_n_per_group(alpha)}


def proportion_for_cohens_h(h: float, p0: float) -> float:
    """The proportion that lies Cohen's h above ``p0``: h = 2 asin(sqrt(p)) - 2 asin(sqrt(p0)), solved for p.

    Examples
    --------
    >>> round(proportion_for_cohens_h(0.5, 0.5), 4)  # a medium effect above one half
    0.7397
    """
    return float(math.sin(math.asin(math.sqrt(p0)) + h / 2) ** 2)


#: Binomial tail mass left out of the enumeration of :func:`power_two_proportions_exact`, per tail.
TAIL_MASS = 1e-13


def _binomial_support(n: int, p: float) -> np.ndarray:
    """Outcomes 0..n of Binomial(n, p) without the tails of mass below ``TAIL_MASS`` each.

    Examples
    --------
    >>> _binomial_support(3, 0.5).tolist()
    [0, 1, 2, 3]
    >>> len(_binomial_support(100_000, 0.5)) < 5_000
    True
    """
    low = int(sps.binom.ppf(TAIL_MASS, n, p)) if 0 < p < 1 else 0
    high = int(sps.binom.isf(TAIL_MASS, n, p)) + 1 if 0 < p < 1 else n
    return np.arange(max(low - 1, 0), min(high, n) + 1)


def power_two_proportions_exact(p1: float, p2: float, n1: int, n2: int, alpha: float = plan.ALPHA) -> float:
    """Power of the two-sided pooled z-test of two proportions, every outcome enumerated.

    The outcomes (x1, x2) are weighted by their binomial probabilities; the power is the weight
    of those with |z| beyond the two-sided critical value (no continuity correction, as in
    :func:`h1_planning`'s approximation). Each group's outcomes are enumerated over the range
    outside which its binomial tails hold less than ``TAIL_MASS`` (all of 0..n for small groups):
    the grid then grows like sqrt(n1 n2), not n1 n2 (a full grid at 50,000 per group needs
    20 GB), and the power is exact to within 2 x ``TAIL_MASS``.

    Examples
    --------
    >>> round(power_two_proportions_exact(proportion_for_cohens_h(0.5, 0.5), 0.5, 3, 27), 3)  # approximation: 0.13
    0.052
    """
    x1 = _binomial_support(n1, p1)[:, None]
    x2 = _binomial_support(n2, p2)[None, :]
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (x1 / n1 - x2 / n2) / se, 0.0)
    weight = sps.binom.pmf(x1, n1, p1) * sps.binom.pmf(x2, n2, p2)
    return float(weight[np.abs(z) > sps.norm.ppf(1 - alpha / 2)].sum())


def power_two_proportions_simulated(p1: float, p2: float, n1: int, n2: int, alpha: float = plan.ALPHA,
                                    simulations: int = 4000, seed: int = 0) -> float:
    """Power of the two-sided z-test of two proportions, by simulation (checks ``h1_planning``)."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.binomial(n1, p1, simulations), rng.binomial(n2, p2, simulations)
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (x1 / n1 - x2 / n2) / se, 0.0)
    return float(np.mean(np.abs(z) > sps.norm.ppf(1 - alpha / 2)))


def margin_of_error_n(margin: float, alpha: float = plan.ALPHA, p: float = 0.5, deff: float = 1.0) -> int:
    """n for a normal-approximation margin of error of a proportion: deff z^2 p (1 - p) / margin^2.

    ``deff`` is the design effect expected of a stratified or clustered survey (Kish 1965):
    the simple-random-sample n is multiplied by it.

    Examples
    --------
    >>> margin_of_error_n(0.05), margin_of_error_n(0.05, deff=1.5)
    (385, 577)
    """
    if not deff > 0:
        raise ValueError(f"the design effect must be positive, not {deff}")
    z = sps.norm.ppf(1 - alpha / 2)
    return int(math.ceil(deff * z**2 * p * (1 - p) / margin**2))


def margin_of_error(n, alpha: float = plan.ALPHA, p: float = 0.5):
    """Half-width of the normal-approximation interval of a proportion at n (array-friendly)."""
    return sps.norm.ppf(1 - alpha / 2) * np.sqrt(p * (1 - p) / np.asarray(n, dtype=float))


def sample_size_plan(margins=(0.15, 0.10, 0.05, 0.03), alpha: float = plan.ALPHA, deff: float = 1.0,
                     n_sectors: int = len(SECTOR_SIZES)) -> pd.DataFrame:
    """The n a replication needs: for a margin of error of a proportion, for the sector test with
    ``n_sectors`` sectors (the run's; power 80 %), and for H1's comparison (per group).

    ``deff`` is the expected design effect of a stratified or clustered survey: every n is the
    simple-random-sample n multiplied by it (Kish 1965), and the goals say so.

    Examples
    --------
    >>> plan_srs, plan_design = sample_size_plan(), sample_size_plan(deff=2.0)
    >>> bool((plan_design["n"] >= 2 * plan_srs["n"] - 1).all())
    True
    """
    n_sectors = n_sectors if n_sectors >= 2 else len(SECTOR_SIZES)  # one sector: plan for the paper's design
    note = "" if deff == 1 else f", design effect {deff:g}"
    rows = [{"goal": f"margin of error +-{m:.0%} on a proportion (worst case p = 0.5){note}", "kind": "precision",
             "parameter": m, "n": margin_of_error_n(m, alpha, deff=deff)} for m in margins]
    rows += [{"goal": f"sector test ({n_sectors} sectors), power 80%, effect w = {w}{note}", "kind": "power",
              "parameter": w, "n": n_for_power(w, n_sectors - 1, alpha, deff=deff)} for w in plan.EFFECT_SIZES]
    # The n per group for 80 % power comes from the plan alone: no survey's group sizes enter it.
    rows.append({"goal": f"H1: AI users vs non-users, power 80%, effect h = {plan.H1_EFFECT_SIZE_H} (per group){note}",
                 "kind": "power", "parameter": plan.H1_EFFECT_SIZE_H,
                 "n": int(math.ceil(deff * h1_n_per_group(alpha)))})
    return pd.DataFrame(rows)
