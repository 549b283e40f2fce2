"""The verdict rules: each verdict the package reports is computed here from test results, never typed in.

* :func:`sector_reading_verdicts`: the sector differences the paper reads into Table 1;
* :func:`h2_verdict`: hypothesis H2 (barriers) from its primary test and threshold sensitivity;
* :func:`h1_verdict`: hypothesis H1 (effect of AI on marketing), testable or not.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import plan, style
from .narrative import format_bf, format_p
from .power import h1_planning

#: H1's outcome and exposure: marketing effectiveness compared between users and non-users of an AI tool.
H1_OUTCOME = "marketing_effectiveness"
H1_EXPOSURE = "used_ai_tool"


def sector_reading_verdicts(tests: pd.DataFrame, residuals: pd.DataFrame, readings: pd.DataFrame,
                            alpha: float = plan.ALPHA) -> pd.DataFrame:
    """Whether the exact test supports each sector difference the paper reads into Table 1.

    Rules, applied in order:

    * ``contradicted``: a named sector's adjusted residual has the wrong sign;
    * ``supported``: the Holm-adjusted exact p is below alpha and some named
      sector's adjusted residual is beyond the two-sided normal quantile z(1 - alpha/2)
      (1.96 at alpha = 0.05) in the stated direction;
    * ``not_supported``: the direction matches but the test does not reject
      (the data are compatible with no difference between sectors);
    * ``not_computable`` (checked first): the sector test does not exist on this survey
      (one sector, or one answer; see :func:`coopai.sector_tests.not_computable_reason`).
    """
    rows = []
    for reading in readings.itertuples(index=False):
        test = tests.set_index("practice").loc[reading.practice]
        res = residuals[residuals["practice"] == reading.practice].set_index("sector")["adjusted_residual"]
        higher = [s for s in str(reading.sectors_higher).split("|") if s and s != "nan"]
        lower = [s for s in str(reading.sectors_lower).split("|") if s and s != "nan"]
        signed = [res[s] for s in higher] + [-res[s] for s in lower]
        if not test.get("computable", True):
            verdict = "not_computable"  # one sector or one answer: no test exists (the tests' reason says why)
        elif np.isnan(signed).any():
            verdict = "not_supported"  # a sector or an answer without variation: nothing to test
        elif min(signed) < 0:
            verdict = "contradicted"
        elif test["p_exact_holm"] < alpha and max(signed) > plan.residual_threshold(alpha):
            verdict = "supported"
        else:
            verdict = "not_supported"
        rows.append({"reading_id": reading.reading_id, "practice": reading.practice,
                     "sectors_higher": "|".join(higher), "sectors_lower": "|".join(lower),
                     "p_exact": test["p_exact"], "p_exact_holm": test["p_exact_holm"],
                     "largest_directed_residual": max(signed), "verdict": verdict})
    return pd.DataFrame(rows)


#: Every verdict :func:`h2_verdict` can return. Never ``supported``: the survey records whether a
#: cooperative reports barriers, not whether they are *major* obstacles, so a paper verdict of
#: "fully validated" is a ``discrepancy`` in the ledger by design, whatever the data.
H2_VERDICTS = ("not_supported", "partially_supported")

#: Lee and Wagenmakers' (2013) wording of Jeffreys' (1961) evidence categories, by lower bound.
BAYES_FACTOR_WORDS = ((100, "extreme"), (30, "very strong"), (10, "strong"), (3, "moderate"), (1, "anecdotal"))


def bayes_factor_evidence(bf: float, hypothesis: str = "H1") -> str:
    """Lee and Wagenmakers' (2013) words for a Bayes factor BF10 (evidence for H1 over H0).

    1-3 anecdotal, 3-10 moderate, 10-30 strong, 30-100 very strong, above 100 extreme; a
    factor below 1 is read the same way as 1/BF, as evidence for H0.

    Examples
    --------
    >>> bayes_factor_evidence(2.42), bayes_factor_evidence(4.77), bayes_factor_evidence(0.2)
    ('anecdotal evidence for H1', 'moderate evidence for H1', 'moderate evidence for H0')
    """
    if not np.isfinite(bf) or bf <= 0:
        return "extreme evidence for " + (hypothesis if bf == np.inf else "H0")
    favoured, value = (hypothesis, bf) if bf >= 1 else ("H0", 1 / bf)
    if value == 1:
        return "no evidence either way"
    word = next(w for bound, w in BAYES_FACTOR_WORDS if value >= bound)
    return f"{word} evidence for {favoured}"


def one_sided_lower_bound(k: int, n: int, alpha: float = plan.ALPHA) -> float:
    """Exact one-sided (1 - alpha) lower confidence bound of a proportion (Clopper-Pearson).

    The smallest threshold the one-sided exact binomial test at alpha cannot reject.

    Examples
    --------
    >>> round(one_sided_lower_bound(21, 30), 3)
    0.535
    """
    return float(sps.beta.ppf(alpha, k, n - k + 1)) if k > 0 else 0.0


def h2_verdict(primary: dict, sensitivity: pd.DataFrame, alpha: float = plan.ALPHA) -> tuple[str, str]:
    """Package verdict on H2 from the primary test and the threshold sensitivity.

    Rules:

    * ``not_supported``: the share reporting barriers is not shown to exceed one half;
    * ``partially_supported``: it exceeds one half (one-sided exact p < alpha), but the
      survey asks whether barriers exist, not whether they are *major*, so the claim
      shown is weaker than the hypothesis.

    ``supported`` is never returned (:data:`H2_VERDICTS`): no answer in the survey measures
    how major a barrier is. The reason lists the thresholds shown to be exceeded and those
    tested and not exceeded, the one-sided lower bound and the Bayes factors in words.
    """
    k, n = primary["k"], primary["n"]
    p_text = format_p(primary["p_value"], "en", primary.get("log10_p_value"))  # never 0, even at n = 100,000
    lower = one_sided_lower_bound(k, n, alpha)
    evidence = (f"one-sided {style.confidence_level(alpha, 'en')} lower bound {lower:.1%} (Clopper-Pearson); "
                f"BF+0 = {format_bf(primary['bf_plus'], primary.get('log10_bf_plus'))} ({bayes_factor_evidence(primary['bf_plus'], 'a majority')}), "
                f"BF10 = {format_bf(primary['bf10'], primary.get('log10_bf10'))} two-sided ({bayes_factor_evidence(primary['bf10'], 'a share other than one half')})")
    if primary["p_value"] >= alpha:
        return "not_supported", (f"{k} of {n} report barriers (one-sided exact p = {p_text} "
                                 f"against one half): not shown to be a majority; {evidence}")
    held = sensitivity.loc[sensitivity["p_value"] < alpha, "threshold"]
    failed = sensitivity.loc[sensitivity["p_value"] >= alpha, "threshold"]
    tested = (f"not shown to exceed {', '.join(f'{t:.0%}' for t in failed)} (tested)" if len(failed)
              else "every threshold tested exceeded")
    return "partially_supported", (
        f"{k} of {n} report barriers: shown to exceed {float(held.max()):.0%} (one-sided exact p = "
        f"{p_text} against one half), {tested}; {evidence}; the survey records that barriers "
        f"exist, not that they are major obstacles, and gives no share for the barriers it names, so this "
        f"rule's strongest verdict is partially_supported")


def h1_groups(survey: pd.DataFrame) -> tuple[int, int]:
    """The two groups H1 would compare: cooperatives that used an AI tool, and the others.

    Examples
    --------
    >>> h1_groups(pd.DataFrame({"used_ai_tool": [True, False, False]}))
    (1, 2)
    """
    users = int(survey[H1_EXPOSURE].astype(bool).sum())
    return users, len(survey) - users


#: Every verdict :func:`h1_verdict` can return: whether H1 can be tested at all (the comparison itself
#: is not run here), so a paper verdict of "partially confirmed" is a ``discrepancy`` by design.
H1_VERDICTS = ("not_testable", "testable")


def h1_verdict(survey: pd.DataFrame, alpha: float = plan.ALPHA) -> tuple[str, str, dict]:
    """Package verdict on H1: testable only with an outcome and enough AI users and non-users.

    Rules:

    * ``not_testable``: no measure of marketing effectiveness in the data, or fewer than
      ``plan.H1_MIN_GROUP`` cooperatives in either group (users / non-users of an AI tool);
    * otherwise the comparison is run elsewhere and this returns ``testable``.

    Returns the verdict, the reason, and the planning figures (power with the groups as they
    are, and the group size needed for 80 % power at ``plan.H1_EFFECT_SIZE_H``).
    """
    users, non_users = h1_groups(survey)
    planning = h1_planning(users, non_users, alpha)
    problems = []
    if H1_OUTCOME not in survey.columns:
        problems.append("the survey has no measure of marketing effectiveness")
    if min(users, non_users) < plan.H1_MIN_GROUP:
        problems.append(f"only {users} cooperatives used an AI tool against {non_users} that did not")
    if problems:
        reason = (f"H1 is causal ('would improve') and needs an outcome compared between AI users and comparable "
                  f"non-users, ideally before and after adoption; {'; '.join(problems)}. With {users} against "
                  f"{non_users}, a comparison would detect a medium effect (h = {plan.H1_EFFECT_SIZE_H}) with power "
                  f"{planning['power_as_is']:.2f}; 80 % power needs {planning['n_per_group_80']} per group")
        return "not_testable", reason, planning
    return "testable", "an outcome and two groups large enough are present", planning
