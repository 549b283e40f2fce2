"""The paper's hypotheses H1 and H2, stated as something the data can test, and the verdict rules.

Every verdict here is computed from test results by the rules in
:func:`h2_verdict` and :func:`h1_verdict`; none is typed in.

Which library computes what
---------------------------
* exact binomial tests and Clopper-Pearson intervals: ``scipy.stats.binomtest``;
* Wilson intervals: :func:`coopai.stats.wilson_interval` (statsmodels);
* ``bf10``: ``pingouin.bayesfactor_binom`` (uniform Beta(1, 1) prior, two-sided);
* ``bf_plus``: the directional Bayes factor, written here as a Beta-function closed form
  (pingouin has no directional version); the tests check both against numerical integration;
* power of a two-group comparison: ``statsmodels.stats.power.NormalIndPower``.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sps
from statsmodels.stats.power import NormalIndPower

from . import paths, plan, stats

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
H1_OUTCOME = "marketing_effectiveness"
H1_EXPOSURE = "used_ai_tool"
#: Effect size for H1's planned comparison: Cohen's h = 0.5, a medium difference between
#: AI users and non-users in a yes/no marketing outcome (Cohen 1988, ch. 6).
H1_EFFECT_SIZE_H = 0.5
#: Smallest group that a two-group comparison is run on at all.
H1_MIN_GROUP = 10


def read_hypotheses(path=None) -> pd.DataFrame:
    """The hypotheses and the paper's verdicts (paraphrased), with their location."""
    return pd.read_csv(paths.resolve(path or paths.DATA_DIR / "published" / "hypotheses.csv"), dtype=str,
                       keep_default_na=False).set_index("hypothesis")


def binomial_tests(k: int, n: int, p0: float) -> dict:
    """Exact binomial tests of a proportion against ``p0`` (scipy): one-sided (greater) and two-sided.

    Examples
    --------
    >>> r = binomial_tests(21, 30, 0.5)
    >>> round(r["p_greater"], 4), round(r["p_two_sided"], 4)
    (0.0214, 0.0428)
    """
    return {"p_greater": float(sps.binomtest(k, n, p0, alternative="greater").pvalue),
            "p_two_sided": float(sps.binomtest(k, n, p0, alternative="two-sided").pvalue)}


def clopper_pearson(k: int, n: int, alpha: float = plan.ALPHA) -> tuple[float, float]:
    """Clopper-Pearson ("exact") interval (scipy's ``binomtest(...).proportion_ci(method="exact")``)."""
    ci = sps.binomtest(k, n).proportion_ci(confidence_level=1 - alpha, method="exact")
    return float(ci.low), float(ci.high)


def bf10_binomial(k: int, n: int, p0: float) -> float:
    """Bayes factor for theta != p0 against theta = p0, uniform prior (pingouin).

    Closed form: B(k + 1, n - k + 1) / (p0^k (1 - p0)^(n - k)).
    """
    import pingouin  # loaded here only: it takes a second to import

    try:
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            value = float(pingouin.bayesfactor_binom(k, n, p=p0))
    except OverflowError:
        value = float("nan")
    if not math.isfinite(value):  # large n: the same closed form in logs, infinite past float range
        log_bf = special.betaln(k + 1, n - k + 1) - (k * math.log(p0) + (n - k) * math.log(1 - p0))
        value = _exp_or_inf(log_bf)
    return value


def _exp_or_inf(log_value: float) -> float:
    """exp() that returns inf instead of raising past the float range (Bayes factors at large n)."""
    return math.exp(log_value) if log_value < 709 else float("inf")


def bf_plus_binomial(k: int, n: int, p0: float) -> float:
    """Directional Bayes factor: theta > p0 (uniform prior on (p0, 1)) against theta = p0.

    BF+0 = [B(k+1, n-k+1) (1 - I_p0(k+1, n-k+1)) / (1 - p0)] / (p0^k (1 - p0)^(n - k)),
    with I the regularized incomplete Beta function. Computed in logs to stay finite at large n.

    Examples
    --------
    >>> round(bf_plus_binomial(21, 30, 0.5), 3)
    4.771
    """
    upper = special.betaincc(k + 1, n - k + 1, p0)
    if upper <= 0:  # all posterior mass below p0, beyond float precision
        return 0.0
    log_marginal = special.betaln(k + 1, n - k + 1) + math.log(upper) - math.log(1 - p0)
    log_null = k * math.log(p0) + (n - k) * math.log(1 - p0)
    return _exp_or_inf(log_marginal - log_null)


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
            "bf10": bf10_binomial(k, n, p0), "bf_plus": bf_plus_binomial(k, n, p0)}


def h2_verdict(primary: dict, sensitivity: pd.DataFrame, alpha: float = plan.ALPHA) -> tuple[str, str]:
    """Package verdict on H2 from the primary test and the threshold sensitivity.

    Rules:

    * ``not_supported``: the share reporting barriers is not shown to exceed one half;
    * ``partially_supported``: it exceeds one half (one-sided exact p < alpha), but the
      survey asks whether barriers exist, not whether they are *major*, so the claim
      shown is weaker than the hypothesis; the reason gives the highest threshold at
      which the share is still shown to exceed it.
    """
    if primary["p_value"] >= alpha:
        return "not_supported", (f"{primary['k']} of {primary['n']} report barriers (p = {primary['p_value']:.3g} "
                                 f"against a majority): not shown to be a majority")
    held = sensitivity.loc[sensitivity["p_value"] < alpha, "threshold"]
    highest = float(held.max())
    beyond = ("the highest threshold tested" if highest >= sensitivity["threshold"].max()
              else "but no higher threshold tested")
    return "partially_supported", (
        f"{primary['k']} of {primary['n']} report barriers: shown to exceed {highest:.0%}, {beyond} (one-sided "
        f"exact p = {primary['p_value']:.3g} against one half); the survey records "
        f"that barriers exist, not that they are major obstacles, and gives no share for the barriers it names")


def h1_verdict(survey: pd.DataFrame, alpha: float = plan.ALPHA) -> tuple[str, str, dict]:
    """Package verdict on H1: testable only with an outcome and enough AI users and non-users.

    Rules:

    * ``not_testable``: no measure of marketing effectiveness in the data, or fewer than
      ``H1_MIN_GROUP`` cooperatives in either group (users / non-users of an AI tool);
    * otherwise the comparison is run elsewhere and this returns ``testable``.

    Returns the verdict, the reason, and the planning figures (power with the groups as they
    are, and the group size needed for 80 % power at ``H1_EFFECT_SIZE_H``).
    """
    users = int(survey[H1_EXPOSURE].astype(bool).sum())
    non_users = len(survey) - users
    planning = h1_planning(users, non_users, alpha)
    problems = []
    if H1_OUTCOME not in survey.columns:
        problems.append("the survey has no measure of marketing effectiveness")
    if min(users, non_users) < H1_MIN_GROUP:
        problems.append(f"only {users} cooperatives used an AI tool against {non_users} that did not")
    if problems:
        reason = (f"H1 is causal ('would improve') and needs an outcome compared between AI users and comparable "
                  f"non-users, ideally before and after adoption; {'; '.join(problems)}. With {users} against "
                  f"{non_users}, a comparison would detect a medium effect (h = {H1_EFFECT_SIZE_H}) with power "
                  f"{planning['power_as_is']:.2f}; 80 % power needs {planning['n_per_group_80']} per group")
        return "not_testable", reason, planning
    return "testable", "an outcome and two groups large enough are present", planning


def h1_planning(users: int, non_users: int, alpha: float = plan.ALPHA) -> dict:
    """Power of a users-versus-non-users comparison as it stands, and the n per group for 80 %.

    Normal approximation for two proportions with Cohen's h (statsmodels ``NormalIndPower``).
    """
    analysis = NormalIndPower()
    power_as_is = float(analysis.power(H1_EFFECT_SIZE_H, nobs1=max(users, 1), ratio=non_users / max(users, 1),
                                       alpha=alpha)) if users else 0.0
    n80 = analysis.solve_power(H1_EFFECT_SIZE_H, power=plan.TARGET_POWER, alpha=alpha, ratio=1.0)
    return {"users": users, "non_users": non_users, "effect_size_h": H1_EFFECT_SIZE_H,
            "power_as_is": power_as_is, "n_per_group_80": int(math.ceil(n80))}


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


def h2_sensitivity(k: int, n: int, thresholds=H2_SENSITIVITY_THRESHOLDS, alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The primary H2 test at every threshold of the sensitivity analysis."""
    rows = []
    for t in thresholds:
        tests = binomial_tests(k, n, float(t))
        rows.append({"threshold": float(t), "p_value": tests["p_greater"], "bf_plus": bf_plus_binomial(k, n, float(t)),
                     "exceeds": tests["p_greater"] < alpha})
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
    interest_reason = (f"{k} of {n} interested (p = {interest['p_value']:.3g} against one half): "
                       f"{'a majority' if interest['p_value'] < alpha else 'not shown to be a majority'}; "
                       f"a sign of interest, not evidence of an effect on marketing")
    rows.append({"hypothesis": "H1", "indicator": H1_INTEREST_INDICATOR, **interest,
                 "paper_verdict": hypotheses.loc["H1", "paper_verdict"], "package_verdict": "supporting_indicator",
                 "reason": interest_reason})
    columns = ["hypothesis", "indicator", "k", "n", "proportion", "ci_low", "ci_high", "cp_low", "cp_high",
               "threshold", "test", "p_value", "p_two_sided", "bf10", "bf_plus", "paper_verdict",
               "package_verdict", "reason"]
    return pd.DataFrame(rows).reindex(columns=columns)


def margin_of_error_n(margin: float, alpha: float = plan.ALPHA, p: float = 0.5) -> int:
    """n for a normal-approximation margin of error of a proportion: z^2 p (1 - p) / margin^2.

    Examples
    --------
    >>> margin_of_error_n(0.05)
    385
    """
    z = sps.norm.ppf(1 - alpha / 2)
    return int(math.ceil(z**2 * p * (1 - p) / margin**2))


def sample_size_plan(margins=(0.15, 0.10, 0.05, 0.03), alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The n a replication needs: for a margin of error of a proportion, and for the sector test (power 80 %)."""
    from . import power

    rows = [{"goal": f"margin of error +-{m:.0%} on a proportion (worst case p = 0.5)", "kind": "precision",
             "parameter": m, "n": margin_of_error_n(m, alpha)} for m in margins]
    rows += [{"goal": f"sector test (4 sectors), power 80%, effect w = {w}", "kind": "power", "parameter": w,
              "n": power.n_for_power(w, 3, alpha)} for w in plan.EFFECT_SIZES]
    rows.append({"goal": f"H1: AI users vs non-users, power 80%, effect h = {H1_EFFECT_SIZE_H} (per group)",
                 "kind": "power", "parameter": H1_EFFECT_SIZE_H, "n": h1_planning(3, 27, alpha)["n_per_group_80"]})
    return pd.DataFrame(rows)


def margin_of_error(n, alpha: float = plan.ALPHA, p: float = 0.5):
    """Half-width of the normal-approximation interval of a proportion at n (array-friendly)."""
    return sps.norm.ppf(1 - alpha / 2) * np.sqrt(p * (1 - p) / np.asarray(n, dtype=float))
