"""The paper's hypotheses H1 and H2, stated as something the data can test, and their checks.

Every verdict here is computed from test results by the rules in
:func:`coopai.verdicts.h2_verdict` and :func:`coopai.verdicts.h1_verdict`; none is typed in.

Which library computes what
---------------------------
* exact binomial tests and Clopper-Pearson intervals: ``scipy.stats.binomtest``;
* Wilson intervals: :func:`coopai.stats.wilson_interval` (statsmodels);
* ``bf10``: ``pingouin.bayesfactor_binom`` (uniform Beta(1, 1) prior, two-sided);
* ``bf_plus``: the directional Bayes factor, written here as a Beta-function closed form
  (pingouin has no directional version); the tests check both against numerical integration;
* power of a two-group comparison: :func:`coopai.power.h1_planning` (statsmodels ``NormalIndPower``).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sps

from . import config, plan, power, stats
from .narrative import h1_interest_reason
from .verdicts import h1_groups, h1_verdict, h2_verdict

#: The primary operationalisation of H2: share reporting barriers against a majority.
H2_PRIMARY_INDICATOR = "reports_ai_barriers"
H2_THRESHOLD = 0.5
H2_SENSITIVITY_THRESHOLDS = tuple(np.round(np.arange(0.5, 0.801, 0.05), 2))

#: H2 indicators, each pointing the way H2 does ("not" = the share lacking something).
H2_INDICATORS = (
    ("reports_ai_barriers", False),
    ("has_structured_it_equipment", True),
    ("has_stable_internet", True),
    ("uses_specific_digital_solutions", True),
    ("heard_of_ai", True),
    ("digital_tool_status=none", False),
    ("neither_knows_nor_interested_ai", False),
)

#: Barriers the paper names without a number: listed, never estimated.
H2_NOT_PUBLISHED = (
    ("digital_skills", "Lack of digital skills", "Manque de compétences numériques"),
    ("support", "Lack of support and training", "Absence d'accompagnement et de formation"),
    ("tool_access", "Difficult access to suitable tools", "Difficultés d'accès à des outils adaptés"),
    ("perceived_complexity", "Distrust of AI's perceived complexity", "Méfiance face à la complexité perçue de l'IA"),
)

#: H1: the supporting sign the paper leans on, and the comparison H1 would need.
H1_INTEREST_INDICATOR = "interested_in_ai"


#: ``package_verdict`` of the rows that support or list; every other row carries its hypothesis's verdict.
NOT_VERDICT_ROWS = ("supporting_indicator", "not_published")


def read_hypotheses(path=None) -> pd.DataFrame:
    """The hypotheses and the paper's verdicts (paraphrased), with their location."""
    return pd.read_csv(config.resolve(path or config.HYPOTHESES), dtype=str,
                       keep_default_na=False).set_index("hypothesis")


def log_binomial_tail(k: int, n: int, p0: float, upper: bool = True) -> float:
    """Natural log of P(X >= k) (``upper``) or P(X <= k) for X ~ Binomial(n, p0), exact in logs.

    The tail is the log-sum-exp of scipy's binomial log pmf over its terms, so it stays finite
    where the probability itself is below the smallest float (about 1e-308), as at n = 100,000.

    Examples
    --------
    >>> round(math.exp(log_binomial_tail(21, 30, 0.5)), 4)
    0.0214
    >>> round(log_binomial_tail(15809, 100_000, 0.5, upper=False) / math.log(10))  # p underflows to 0
    -11149
    """
    ks = np.arange(k, n + 1) if upper else np.arange(0, k + 1)
    if len(ks) == 0:
        return -math.inf
    log_tail = float(special.logsumexp(sps.binom.logpmf(ks, n, p0)))
    if log_tail > -math.log(2):  # the larger side: 1 minus the other tail keeps full precision near 1
        other = np.arange(0, k) if upper else np.arange(k + 1, n + 1)
        log_tail = math.log1p(-math.exp(float(special.logsumexp(sps.binom.logpmf(other, n, p0))))) if len(other) else 0.0
    return log_tail


def binomial_tests(k: int, n: int, p0: float) -> dict:
    """Exact binomial tests of a proportion against ``p0`` (scipy): one-sided (greater) and two-sided.

    ``log10_p_greater`` is the one-sided p in base-10 logs (:func:`log_binomial_tail`): it says
    how small the p-value is where the float ``p_greater`` underflows to 0.

    Examples
    --------
    >>> r = binomial_tests(21, 30, 0.5)
    >>> round(r["p_greater"], 4), round(r["p_two_sided"], 4), round(r["log10_p_greater"], 4)
    (0.0214, 0.0428, -1.6699)
    """
    return {"p_greater": float(sps.binomtest(k, n, p0, alternative="greater").pvalue),
            "p_two_sided": float(sps.binomtest(k, n, p0, alternative="two-sided").pvalue),
            "log10_p_greater": min(0.0, log_binomial_tail(k, n, p0) / math.log(10))}


def clopper_pearson(k: int, n: int, alpha: float = plan.ALPHA) -> tuple[float, float]:
    """Clopper-Pearson ("exact") interval (scipy's ``binomtest(...).proportion_ci(method="exact")``)."""
    ci = sps.binomtest(k, n).proportion_ci(confidence_level=1 - alpha, method="exact")
    return float(ci.low), float(ci.high)


def log_bf10_binomial(k: int, n: int, p0: float) -> float:
    """Natural log of :func:`bf10_binomial`: betaln(k + 1, n - k + 1) - log(p0^k (1 - p0)^(n - k)).

    Examples
    --------
    >>> round(log_bf10_binomial(15809, 100_000, 0.5) / math.log(10), 2)  # BF10 = 10^11144: past float range
    11143.98
    """
    return float(special.betaln(k + 1, n - k + 1) - (k * math.log(p0) + (n - k) * math.log(1 - p0)))


def bf10_binomial(k: int, n: int, p0: float) -> float:
    """Bayes factor for theta != p0 against theta = p0, uniform prior (pingouin).

    Closed form: B(k + 1, n - k + 1) / (p0^k (1 - p0)^(n - k)). Past the float range (large n)
    the value is ``inf`` and :func:`log_bf10_binomial` gives its size.
    """
    import pingouin  # loaded here only: it takes a second to import

    try:
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            value = float(pingouin.bayesfactor_binom(k, n, p=p0))
    except OverflowError:
        value = float("nan")
    if not math.isfinite(value) or value == 0:  # large n: the same closed form in logs
        value = _exp_or_inf(log_bf10_binomial(k, n, p0))
    return value


def _exp_or_inf(log_value: float) -> float:
    """exp() that returns inf instead of raising past the float range (Bayes factors at large n)."""
    return math.exp(log_value) if log_value < 709 else float("inf")


def log_bf_plus_binomial(k: int, n: int, p0: float) -> float:
    """Natural log of the directional Bayes factor :func:`bf_plus_binomial`, finite at any n.

    The posterior's upper tail 1 - I_p0(k + 1, n - k + 1) equals P(Y <= k) for
    Y ~ Binomial(n + 1, p0); where scipy's ``betaincc`` underflows (all posterior mass far
    below p0, as at n = 100,000) that tail is taken in logs (:func:`log_binomial_tail`).

    Examples
    --------
    >>> round(log_bf_plus_binomial(15809, 100_000, 0.5) / math.log(10), 4)  # R: -4.8350
    -4.835
    """
    upper = special.betaincc(k + 1, n - k + 1, p0)
    # Far in the tail betaincc loses relative precision before it reaches 0: logs from there on.
    log_upper = math.log(upper) if upper > 1e-280 else log_binomial_tail(k, n + 1, p0, upper=False)
    log_marginal = special.betaln(k + 1, n - k + 1) + log_upper - math.log(1 - p0)
    log_null = k * math.log(p0) + (n - k) * math.log(1 - p0)
    return float(log_marginal - log_null)


def bf_plus_binomial(k: int, n: int, p0: float) -> float:
    """Directional Bayes factor: theta > p0 (uniform prior on (p0, 1)) against theta = p0.

    BF+0 = [B(k+1, n-k+1) (1 - I_p0(k+1, n-k+1)) / (1 - p0)] / (p0^k (1 - p0)^(n - k)),
    with I the regularized incomplete Beta function, computed in logs
    (:func:`log_bf_plus_binomial`): never 0, ``inf`` only past the float range.

    Examples
    --------
    >>> round(bf_plus_binomial(21, 30, 0.5), 3)
    4.771
    >>> f"{bf_plus_binomial(15809, 100_000, 0.5):.3g}"  # R (pbeta, log.p = TRUE): 1.46e-05
    '1.46e-05'
    """
    return _exp_or_inf(log_bf_plus_binomial(k, n, p0))


def indicator_counts(survey: pd.DataFrame, variable: str, negate: bool) -> tuple[int, int]:
    """Count of cooperatives with (or, with ``negate``, without) an answer; ``name=category`` allowed."""
    hits = stats.indicator_hits(survey, variable)
    if negate:
        hits = ~hits
    return int(hits.sum()), len(survey)


def indicator_name(variable: str, negate: bool) -> str:
    """``lacks:has_stable_internet`` for a negated indicator, else the variable itself."""
    return f"lacks:{variable}" if negate else variable


def proportion_check(k: int, n: int, p0: float, alpha: float = plan.ALPHA) -> dict:
    """Everything the H2 table reports for one share tested against ``p0``."""
    wl, wh = stats.wilson_interval(k, n, alpha)
    cl, ch = clopper_pearson(k, n, alpha)
    tests = binomial_tests(k, n, p0)
    return {"k": k, "n": n, "proportion": k / n, "ci_low": wl, "ci_high": wh, "cp_low": cl, "cp_high": ch,
            "threshold": p0, "test": f"exact binomial, H0: p <= {p0:g} (one-sided)",
            "p_value": tests["p_greater"], "p_two_sided": tests["p_two_sided"],
            "bf10": bf10_binomial(k, n, p0), "bf_plus": bf_plus_binomial(k, n, p0),
            "log10_p_value": tests["log10_p_greater"],
            "log10_bf10": log_bf10_binomial(k, n, p0) / math.log(10),
            "log10_bf_plus": log_bf_plus_binomial(k, n, p0) / math.log(10)}


def h2_sensitivity(k: int, n: int, thresholds=H2_SENSITIVITY_THRESHOLDS, alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The primary H2 test at every threshold of the sensitivity analysis."""
    rows = []
    for t in thresholds:
        tests = binomial_tests(k, n, float(t))
        rows.append({"threshold": float(t), "p_value": tests["p_greater"], "bf_plus": bf_plus_binomial(k, n, float(t)),
                     "exceeds": tests["p_greater"] < alpha, "log10_p_value": tests["log10_p_greater"],
                     "log10_bf_plus": log_bf_plus_binomial(k, n, float(t)) / math.log(10)})
    return pd.DataFrame(rows)


def hypothesis_checks(survey: pd.DataFrame, alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The verdict table: one row per indicator, H2's first, then H1's.

    Columns ``hypothesis, indicator, k, n, proportion, ci_low, ci_high, cp_low, cp_high,
    threshold, test, p_value, p_two_sided, bf10, bf_plus, paper_verdict, package_verdict, reason``.
    Only the first row of each hypothesis carries the verdict the others support.
    """
    hypotheses = read_hypotheses()
    rows = []
    primary = None
    for variable, negate in H2_INDICATORS:
        k, n = indicator_counts(survey, variable, negate)
        row = {"hypothesis": "H2", "indicator": indicator_name(variable, negate), **proportion_check(k, n, H2_THRESHOLD, alpha)}
        if variable == H2_PRIMARY_INDICATOR:
            primary = row
        rows.append(row)
    sensitivity = h2_sensitivity(primary["k"], primary["n"], alpha=alpha)
    verdict, reason = h2_verdict(primary, sensitivity, alpha)
    for row in rows:
        primary_row = row is primary
        row.update(paper_verdict=hypotheses.loc["H2", "paper_verdict"],
                   package_verdict=verdict if primary_row else "supporting_indicator",
                   reason=reason if primary_row else "context for H2, not part of its verdict")
    for key, label_en, _ in H2_NOT_PUBLISHED:
        rows.append({"hypothesis": "H2", "indicator": f"not_published:{key}", "test": "none",
                     "paper_verdict": hypotheses.loc["H2", "paper_verdict"], "package_verdict": "not_published",
                     "reason": f"{label_en}: named in the paper without a number; not estimated"})
    verdict1, reason1, _ = h1_verdict(survey, alpha)
    k, n = indicator_counts(survey, H1_INTEREST_INDICATOR, False)
    interest = proportion_check(k, n, 0.5, alpha)
    rows.append({"hypothesis": "H1", "indicator": "effect_of_ai_on_marketing", "test": "none possible",
                 "paper_verdict": hypotheses.loc["H1", "paper_verdict"], "package_verdict": verdict1, "reason": reason1})
    rows.append({"hypothesis": "H1", "indicator": H1_INTEREST_INDICATOR, **interest,
                 "paper_verdict": hypotheses.loc["H1", "paper_verdict"], "package_verdict": "supporting_indicator",
                 "reason": h1_interest_reason(interest, alpha, "en")})  # notebook 04 words it in the run's language
    columns = ["hypothesis", "indicator", "k", "n", "proportion", "ci_low", "ci_high", "cp_low", "cp_high",
               "threshold", "test", "p_value", "p_two_sided", "bf10", "bf_plus", "log10_p_value", "log10_bf10",
               "log10_bf_plus", "paper_verdict", "package_verdict", "reason"]
    return pd.DataFrame(rows).reindex(columns=columns)


def verdict_row(checks: pd.DataFrame, hypothesis: str) -> pd.Series:
    """The one row of :func:`hypothesis_checks` that carries ``hypothesis``'s verdict (H2: its primary test).

    Notebooks 04 and 05 (through :mod:`coopai.audit`) both read the verdict here.

    Examples
    --------
    >>> checks = pd.DataFrame({"hypothesis": ["H2", "H2", "H2"], "indicator": ["a", "b", "c"],
    ...                        "package_verdict": ["supporting_indicator", "partially_supported", "not_published"]})
    >>> verdict_row(checks, "H2")["indicator"]
    'b'
    """
    rows = checks[(checks["hypothesis"] == hypothesis) & ~checks["package_verdict"].isin(NOT_VERDICT_ROWS)]
    if len(rows) != 1:
        raise ValueError(f"{hypothesis} has {len(rows)} rows carrying a verdict, not one")
    return rows.iloc[0]


def h1_power_check(survey: pd.DataFrame, alpha: float = plan.ALPHA, seed: int = 0) -> pd.DataFrame:
    """H1's planning figures (:func:`coopai.power.h1_planning`) beside the exact power of the same z-test.

    The two-sided z-test compares AI users with non-users, as many as the survey has, when the
    users' share is Cohen's h = ``plan.H1_EFFECT_SIZE_H`` above one half. Its power is computed
    exactly by enumerating the outcomes (:func:`coopai.power.power_two_proportions_exact`), and by
    simulation as a check. A second row does the same with 100 per group, where the normal
    approximation is sound: with a handful of users it overstates the power.

    Returns
    -------
    pandas.DataFrame
        Rows ``this survey`` and ``100 per group``: ``groups, users, non_users, effect_size_h,
        power_as_is, n_per_group_80, power_exact_z_test, power_simulated_z_test``.
    """
    users, non_users = h1_groups(survey)
    p_users = power.proportion_for_cohens_h(plan.H1_EFFECT_SIZE_H, 0.5)
    rows = []
    for label, (n1, n2) in (("this survey", (users, non_users)), ("100 per group", (100, 100))):
        planning = power.h1_planning(n1, n2, alpha)
        # An empty group: no z-test exists, so its power is 0 by every method (simulating a group of one
        # that the survey does not have gave 0.07).
        exact = power.power_two_proportions_exact(p_users, 0.5, n1, n2, alpha) if min(n1, n2) > 0 else 0.0
        simulated = (power.power_two_proportions_simulated(p_users, 0.5, n1, n2, alpha=alpha, seed=seed)
                     if min(n1, n2) > 0 else 0.0)
        rows.append({"groups": label, **planning, "power_exact_z_test": exact, "power_simulated_z_test": simulated})
    return pd.DataFrame(rows)
