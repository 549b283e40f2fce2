"""The plan of analysis: one place for every statistical choice.

Notebooks and tests import these names; changing a choice here changes it everywhere,
and the notebooks print the plan they ran under.

When the choices were made (what can be checked)
------------------------------------------------
The plan is this file, ``src/coopai/plan.py``. It fixes the tests, their sidedness, the
multiplicity families and corrections, alpha, the Monte Carlo and permutation sizes, the
rebuilds over which ranges are taken, the MMI form that decides, the interval for
Cramer's V and the threshold for flagging residuals. It does not prove that the choices
came before the results: the file was first committed together with the tests it governs,
after the paper's Table 1 was already in the repository, and some choices (the MMI primary
form, the Cramer's V interval, the residual threshold) were added after earlier results had
been shown. The git history says when each line was written
(``git log -p --follow src/coopai/plan.py``); each choice below gives its reason, which does
not depend on a result.

Why these choices (for a student)
---------------------------------
* **Primary test: Fisher-Freeman-Halton exact test.** With 30 cooperatives in
  sectors of 14, 8, 5 and 3, most expected counts of a sector table are below 5,
  where the chi-square approximation is unreliable (Cochran 1954). The exact test
  conditions on the table's margins and needs no large-sample approximation
  (Freeman and Halton 1951; Agresti 2002, sec. 3.5.3). Tables are ordered by their
  probability; tables whose probability equals the observed one to a relative
  tolerance of 1e-7 count as at least as extreme (as R's fisher.test does).
* **Pearson chi-square and G** are reported beside it to show what the
  approximation would have said, never to choose a test after the fact.
* **Multiplicity: Holm** controls the family-wise error rate without assuming
  independence between tests (Holm 1979); **Benjamini-Hochberg** (1995), which
  controls the false discovery rate, is shown beside it.
* **Sidedness, as the code runs it.** Sector tests have no direction: the exact test
  orders whole tables by probability and chi-square squares every deviation, so they are
  two-sided in the only sense they have. H2's binomial test is **one-sided** (H0: the
  share reporting barriers is at most the threshold), because H2 claims a majority; the
  two-sided p is shown beside it. Identification ranges and power use the sector test.
* **alpha = 0.05**, by convention.
* **MMI (several practices at once): the decision rests on Bonferroni over the
  per-practice exact p-values.** MMI's null says each practice's share is the same in
  every sector. Bonferroni over exact per-practice tests is a valid test of exactly that
  null at any sample size, and it depends only on Table 1, so every rebuild gives the same
  answer. Permuting whole cooperatives tests *joint* independence (the whole set of
  practices a cooperative ticks is unrelated to its sector), a stronger null than MMI, and
  on rebuilt data it depends on the rebuild; the Rao-Scott second-order form (Bilder and
  Loughin 2004) and Bonferroni on asymptotic p-values rest on large-sample
  approximations. They are shown beside it. Zero cells are left as they are
  (``MMI_ADD_CONSTANT = 0``; MRCV adds 0.5 by default): Pearson's statistic needs no
  constant when a table's margins are positive, and adding one would change a sector's
  size and make each practice's statistic differ from its own sector test's.
* **Cramer's V interval: 1 - 2 alpha (90 %), after Steiger (2004).** V is never negative,
  so a test of "no association" at alpha is one-sided in V; the interval consistent with
  it is the 1 - 2 alpha interval, whose lower limit is 0 exactly when the chi-square test
  does not reject at alpha. The decision rests on the exact test, whose p can differ from
  the chi-square's, so the tables flag whether the interval and the exact test agree.
  Inverting the exact test would need its distribution under each alternative, which has
  no closed form for r x c tables.
* **Adjusted residuals are flagged beyond a Bonferroni threshold** over the cells of the
  figure (``residual_threshold``): with 16 sector x practice cells, +-1.96 would flag
  about one cell in 20 by chance; the threshold keeps the chance of any false flag at
  alpha (2.96 at alpha = 0.05). Cells whose expected count is below 5 are marked as well, since their residual
  is far from normal.
"""
from __future__ import annotations

from .codebook import PRACTICES, check_lang
# The significance level and the seed of every random draw (Monte Carlo, permutations, bootstrap,
# simulations) are defined in coopai.config, which the run command reads without this module's
# imports (pandas), so that a run with nothing to do answers in a fraction of a second.
from .config import ALPHA, SEED  # noqa: F401  (part of the plan)

#: Relative tolerance under which two table probabilities count as equal.
EXACT_RTOL = 1e-7

PRIMARY_TEST = "Fisher-Freeman-Halton exact test (tables ordered by probability under fixed margins)"
SECONDARY_TESTS = ("Pearson chi-square, no continuity correction", "likelihood-ratio G")
MULTIPLICITY_PRIMARY = "holm"
MULTIPLICITY_SECONDARY = "fdr_bh"

#: Families of tests that share a multiplicity correction (Holm within each family).
#: ``table1_practices``: the four practices the paper breaks down by sector (Table 1).
#: ``total_only_observed``: the digitalisation and AI variables the paper gives only as totals.
#: On rebuilt data their sector tests are not identified (identification ranges instead); on
#: observed data (a replication) they are ordinary tests, and they form one family of their
#: own, declared here before any such survey is seen, so that nine tests are not read one by one.
FAMILIES = {
    "table1_practices": PRACTICES,
    "total_only_observed": ("digital_tool_status", "has_structured_it_equipment", "has_stable_internet",
                            "uses_specific_digital_solutions", "heard_of_ai", "used_ai_tool", "interested_in_ai",
                            "reports_ai_barriers", "neither_knows_nor_interested_ai"),
}
#: When each family is tested.
FAMILY_SCOPE = {"table1_practices": "every run", "total_only_observed": "observed data only"}

#: Direction of each test's alternative, as the code runs it (see the module docstring).
SIDEDNESS = {
    "sector tests (exact, chi-square, G, MMI)": "no direction (every deviation from independence counts)",
    "H2 (binomial, share against a threshold)": "one-sided: H0 share <= threshold; two-sided p shown beside",
    "H1 interest (binomial against one half)": "one-sided: H0 share <= 1/2; two-sided p shown beside",
}

#: The MMI form the decision rests on (a key of :func:`coopai.mmi.mmi_test`'s result).
MMI_PRIMARY = "p_bonferroni_exact"
#: Constant added to zero cells of each practice's table before the MMI statistic (MRCV: 0.5).
MMI_ADD_CONSTANT = 0.0

#: Below this expected count an adjusted residual is marked as unreliable.
RESIDUAL_MIN_EXPECTED = 5.0

#: Monte Carlo p-values under fixed margins.
MONTE_CARLO_DRAWS = 20_000
#: Label permutations for the multiple-response (MMI) test.
PERMUTATIONS = 9_999
#: Cap on label moves (permutations x cooperatives) in the MMI test: at 100,000
#: cooperatives this leaves 999 permutations, where the asymptotic form is reliable anyway.
PERMUTATION_WORK = 50_000_000
#: Valid random rebuilds over which results that depend on the joint answers are ranged.
REBUILD_SEEDS = tuple(range(20))

#: Exact enumeration is used while the number of tables to visit stays under this;
#: past it, Monte Carlo with MONTE_CARLO_DRAWS draws (standard error reported).
MAX_EXACT_TABLES = 2_000_000

#: Survey designs (coopai.design): a stratum with a single sampled cluster is centred on the
#: grand mean instead of its own mean (R's options(survey.lonely.psu = "adjust")): it keeps every
#: cooperative and errs on the side of a larger variance, where "remove" or "certainty" would
#: count the stratum as adding none (Lumley 2010, sec. 3.2.1). Exact tests condition on counts
#: of equally likely cooperatives; under weights and clusters those counts are not the sample's
#: information, so the sector tests are Rao and Scott's (1984) corrected tests instead.
LONELY_PSU = "adjust"
DESIGN_TEST = "Rao-Scott second-order corrected F (first-order corrected chi-square beside it)"
DESIGN_INTERVALS = "logit interval (Korn-Graubard beside it)"

#: Effect sizes (Cohen's w) for the power analysis: small, medium, large (Cohen 1988).
EFFECT_SIZES = (0.1, 0.3, 0.5)
TARGET_POWER = 0.8
POWER_SIMULATIONS = 2_000
#: The exact test's power is computed for samples up to this size; beyond it each simulated
#: table's exact test is too slow to repeat thousands of times, and only the approximation is shown.
POWER_EXACT_MAX_N = 100

#: Effect size for H1's planned comparison: Cohen's h = 0.5, a medium difference between
#: AI users and non-users in a yes/no marketing outcome (Cohen 1988, ch. 6).
H1_EFFECT_SIZE_H = 0.5
#: Smallest group that a two-group comparison is run on at all.
H1_MIN_GROUP = 10


def cramers_v_confidence(alpha: float = ALPHA) -> float:
    """Confidence level of Cramer's V interval: 1 - 2 alpha (Steiger 2004).

    Examples
    --------
    >>> round(cramers_v_confidence(0.05), 2)
    0.9
    """
    return 1.0 - 2.0 * alpha


def critical_z(alpha: float = ALPHA) -> float:
    """Two-sided normal critical value at ``alpha``: the z of a ``1 - alpha`` interval.

    Examples
    --------
    >>> round(critical_z(0.05), 2), round(critical_z(0.01), 2)
    (1.96, 2.58)
    """
    from scipy import stats as sps  # the plan module stays import-light for the notebooks' first cell

    return float(sps.norm.ppf(1 - alpha / 2))


def residual_threshold(alpha: float = ALPHA, cells: int = 1) -> float:
    """Flag threshold for adjusted residuals: Bonferroni over ``cells`` two-sided comparisons.

    Examples
    --------
    >>> round(residual_threshold(0.05, 1), 2), round(residual_threshold(0.05, 16), 2)
    (1.96, 2.96)
    """
    return critical_z(alpha / cells)


def describe(alpha: float = ALPHA, lang: str = "en") -> str:
    """The plan as a short Markdown list, for the notebooks to print, at the run's ``alpha`` and in its
    language (the wording is :data:`coopai.narrative.TEXT`'s ``plan``; in French, the plan's English
    terms below are read through its ``plan_terms``), typeset as every sentence is.

    Examples
    --------
    >>> "Holm" in describe()
    True
    >>> "- alpha = 0.01." in describe(0.01) and "Cramer’s V interval at 98%" in describe(0.01)
    True
    >>> "- alpha = 0,01." in describe(0.01, "fr") and "V de Cramer à 98\xa0%" in describe(0.01, "fr")
    True
    """
    from . import narrative, style  # narrative imports this module: imported here, when called

    t = narrative.TEXT[check_lang(lang)]
    term = (lambda text: text) if lang == "en" else t["plan_terms"].__getitem__  # a missing French term raises

    def plain(value):
        return style.format_number(value, lang, None, thousands=False)

    text = t["plan"].format(
        primary=term(PRIMARY_TEST), rtol=style.format_significant(EXACT_RTOL, lang),
        secondary=", ".join(term(x) for x in SECONDARY_TESTS),
        families="; ".join(f"`{name}` ({term(FAMILY_SCOPE[name])}): {', '.join(items)}" for name, items in FAMILIES.items()),
        alpha=style.format_significant(alpha, lang), sidedness="; ".join(f"{term(k)}: {term(v)}" for k, v in SIDEDNESS.items()),
        mmi=MMI_PRIMARY, constant=plain(MMI_ADD_CONSTANT), level=style.confidence_level(2 * alpha, lang),
        min_expected=plain(RESIDUAL_MIN_EXPECTED), draws=narrative.number(MONTE_CARLO_DRAWS, lang),
        permutations=narrative.number(PERMUTATIONS, lang), seeds=narrative.number(len(REBUILD_SEEDS), lang),
        design_test=term(DESIGN_TEST), design_intervals=term(DESIGN_INTERVALS), lonely=LONELY_PSU,
        design_exact=t["design_exact"])
    return style.typeset_markdown(text, lang)
