"""The verdict rules: each verdict the package reports is computed here from test results, never typed in.

* :func:`sector_reading_verdicts`: the sector differences the paper reads into Table 1;
* :func:`h2_verdict`: hypothesis H2 (barriers) from its primary test and threshold sensitivity;
* :func:`h1_verdict`: hypothesis H1 (effect of AI on marketing), testable or not.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import narrative, plan
from .power import h1_planning

#: H1's outcome and exposure: marketing effectiveness compared between users and non-users of an AI tool.
H1_OUTCOME = "marketing_effectiveness"
H1_EXPOSURE = "used_ai_tool"


def named_sectors(reading) -> tuple[list[str], list[str]]:
    """The sectors a reading says are higher and lower (``sectors_higher``, ``sectors_lower``: names joined by "|").

    Examples
    --------
    >>> named_sectors(pd.Series({"sectors_higher": "Services|Artisanat", "sectors_lower": float("nan")}))
    (['Services', 'Artisanat'], [])
    """
    def split(value) -> list[str]:
        return [s for s in str(value).split("|") if s and s != "nan"]

    return split(reading.sectors_higher), split(reading.sectors_lower)


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
      (one sector, or one answer; see :func:`coopai.sector_tests.not_computable_reason`), or a
      sector the reading names has no cooperative in it.
    """
    rows = []
    for reading in readings.itertuples(index=False):
        test = tests.set_index("practice").loc[reading.practice]
        res = residuals[residuals["practice"] == reading.practice].set_index("sector")["adjusted_residual"]
        higher, lower = named_sectors(reading)
        signed = [res[s] for s in higher] + [-res[s] for s in lower]
        if not test.get("computable", True):
            verdict = "not_computable"  # one sector or one answer: no test exists (the tests' reason says why)
        elif np.isnan(signed).any():
            # The test exists, but a sector the reading names has no cooperative in this survey: the reading
            # cannot be checked (it said "not_supported", which the ledger counted as a discrepancy).
            verdict = "not_computable"
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
    how major a barrier is. The reason (English, the verdict table's ``reason`` column) is
    :func:`coopai.narrative.h2_reason`, which words notebook 04's line in either language: the
    thresholds shown to be exceeded and those tested and not exceeded, the one-sided lower bound and
    the Bayes factors in words.
    """
    verdict = "not_supported" if primary["p_value"] >= alpha else "partially_supported"
    return verdict, narrative.h2_reason(primary, sensitivity, verdict, alpha, "en")


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

    Returns the verdict, the reason (English: :func:`coopai.narrative.h1_reason`, the wording of
    notebook 04's line in either language), and the planning figures (power with the groups as they
    are, and the group size needed for 80 % power at ``plan.H1_EFFECT_SIZE_H``).
    """
    users, non_users = h1_groups(survey)
    planning = h1_planning(users, non_users, alpha)
    problems = h1_problems(survey)
    reason = narrative.h1_reason(problems, users, non_users, planning, "en")  # the table's English reason
    return ("not_testable" if problems else "testable"), reason, planning


def h1_problems(survey: pd.DataFrame) -> tuple[str, ...]:
    """What stops H1 from being tested on ``survey`` (:func:`h1_verdict`'s rule), as codes that
    :func:`coopai.narrative.h1_reason` puts into words: ``no_outcome`` (no measure of marketing
    effectiveness), ``small_groups`` (fewer than ``plan.H1_MIN_GROUP`` users or non-users of an AI
    tool); empty when H1 is testable.

    Examples
    --------
    >>> h1_problems(pd.DataFrame({"used_ai_tool": [True, False, False]}))
    ('no_outcome', 'small_groups')
    """
    users, non_users = h1_groups(survey)
    return tuple(code for code, found in (("no_outcome", H1_OUTCOME not in survey.columns),
                                          ("small_groups", min(users, non_users) < plan.H1_MIN_GROUP)) if found)
