"""The plan of analysis, fixed before any result was looked at: one place for every statistical choice.

Notebooks and tests import these names; changing a choice here changes it everywhere,
and the notebooks print the plan they ran under.

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
* **alpha = 0.05**, two-sided, by convention.
"""
from __future__ import annotations

from .codebook import PRACTICES

ALPHA = 0.05

#: Relative tolerance under which two table probabilities count as equal.
EXACT_RTOL = 1e-7

PRIMARY_TEST = "Fisher-Freeman-Halton exact test (tables ordered by probability under fixed margins)"
SECONDARY_TESTS = ("Pearson chi-square, no continuity correction", "likelihood-ratio G")
MULTIPLICITY_PRIMARY = "holm"
MULTIPLICITY_SECONDARY = "fdr_bh"

#: Families of tests that share a multiplicity correction.
#: Only Table 1 is tested by sector: the other variables are published as totals
#: only, so their sector tests are not identified (identification ranges instead).
FAMILIES = {
    "table1_practices": PRACTICES,
}

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

#: Effect size for H1's planned comparison: Cohen's h = 0.5, a medium difference between
#: AI users and non-users in a yes/no marketing outcome (Cohen 1988, ch. 6).
H1_EFFECT_SIZE_H = 0.5
#: Smallest group that a two-group comparison is run on at all.
H1_MIN_GROUP = 10


def describe() -> str:
    """The plan as a short Markdown list, for the notebooks to print.

    Examples
    --------
    >>> "Holm" in describe()
    True
    """
    families = "; ".join(f"`{name}`: {', '.join(items)}" for name, items in FAMILIES.items())
    return "\n".join([
        f"- Primary test: {PRIMARY_TEST}, relative tolerance {EXACT_RTOL:g}.",
        f"- Shown beside it, for teaching: {', '.join(SECONDARY_TESTS)}.",
        f"- Multiplicity: Holm (family-wise), with Benjamini-Hochberg beside it. Families: {families}.",
        f"- alpha = {ALPHA}, two-sided.",
        f"- Monte Carlo: {MONTE_CARLO_DRAWS:,} tables under fixed margins; permutations: {PERMUTATIONS:,}; "
        f"rebuild seeds for ranges: {len(REBUILD_SEEDS)}.",
    ])
