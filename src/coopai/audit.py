"""The reproduction audit: every number the paper states, recomputed, with a status and a basis set by rule.

Statuses
--------
``reproduced``
    recomputed exactly (a count, or a percentage printed at full precision such as 50 or 100);
``rounding``
    matches at the printed precision under a named rule: ``rounded`` (half up), ``truncated``
    or ``adjusted to sum to 100``;
``false_precision``
    printed with more decimals than it was rounded to: 73.33 rounded to 73.3 and printed
    "73,30", off by 0.033 where two decimals promise at most 0.005. Only one decimal of
    padding is recognised; a value that matches only at two or more decimals fewer (70.4
    printed "70,00") is a ``discrepancy``;
``true_of_sample_only``
    a sector reading that describes the 30 cooperatives correctly (the named sectors lie
    on the stated side) but that the exact test does not support as a difference between
    sectors;
``discrepancy``
    does not match under any rule (for an inferential claim: the package's test or verdict
    does not support the paper's reading; for a word: the number does not bear it out);
``internal_inconsistency``
    cannot hold together with another published figure;
``not_reproducible``
    not from the survey (cited figures), or not identified by what the paper publishes.

In replication mode (observed data) a printed survey number is compared as a *share* with
its own n on each side (the paper's k of 30 against this survey's k of n), never as a count,
and the rounding rules do not apply: its status is

``consistent``
    Newcombe's hybrid score interval of the difference of the two shares contains 0;
``different``
    it does not;
``not_compared``
    the sample size itself (a design choice, not a finding).

Bases (what a match can show; counted apart in REPRODUCTION.md)
--------------------------------------------------------------
``by_construction``
    the rebuild was made to match it, so the match proves nothing;
``arithmetic_check``
    the paper's own figures and words checked against each other: a percentage against the
    counts it comes from, a rounding rule, a sum, a repeated list, a word such as "majority"
    against its number. It shows whether the paper is internally right, not whether the
    survey found what the paper says;
``inferential``
    a reading of the data that a test or a verdict rule can check;
``observed``
    (replication mode) recomputed from real answers;
``external``
    a figure from outside the survey.

Tracing a claim
---------------
Each row of the ledger carries the number as the paper prints it (``printed``), the
notebook and section where it is recomputed and the function that recomputes it
(``notebook``, ``section``, ``function``).
"""
from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep

from . import codebook, config, hypotheses, identification, plan, sector_tests, stats, style
from .published import (implied_counts, published_count_of, read_published_aggregates, read_sector_readings,
                        sample_size, sector_sizes, table1_counts)
from .narrative import at_monte_carlo_floor, format_p, monte_carlo_draws, p_method, state_bounds

# The ledger's notes and REPRODUCTION.md are English: counts and shares print as English sentences print
# them ("1,000 of 100,000", "46.7%"), never with Python's "%.1f %" (a French space in an English sentence).
_EN = "en"


def _count(value) -> str:
    return style.format_number(value, _EN, 0)


def _percent(value: float, decimals: int = 1) -> str:
    """A percentage already in percent, as an English sentence prints it."""
    return style.format_percent(value, _EN, decimals)
from .verdicts import H1_OUTCOME, H1_VERDICTS, H2_VERDICTS, h1_verdict, h2_verdict, named_sectors, sector_reading_verdicts

LEDGER_COLUMNS = ["claim_id", "kind", "location", "page", "quantity", "printed", "published", "reproduced", "status",
                  "basis", "rule", "aggregate_id", "notebook", "section", "function", "note"]

#: The bases in the order REPRODUCTION.md counts them.
BASES = ("by_construction", "arithmetic_check", "inferential", "external", "observed")
STATUSES = ("reproduced", "rounding", "false_precision", "true_of_sample_only", "discrepancy",
            "internal_inconsistency", "not_reproducible")
#: Statuses of printed numbers in replication mode (observed data), shares compared with their own n.
REPLICATION_STATUSES = ("consistent", "different", "not_compared")

#: Rows of data/published the rebuild takes as its inputs (their match is by construction).
REBUILD_INPUT_UNITS = {
    "count": lambda row: row.variable in ("sample_size", "sector") or row.sector != "Total",
    "percent": lambda row: row.sector == "Total" and row.variable not in codebook.PRACTICES + ("sector",),
}


def round_half_up(value: float, decimals: int) -> float:
    """Round as printed tables do (half away from zero), not Python's round-half-to-even.

    Examples
    --------
    >>> round_half_up(46.665, 2), round_half_up(62.5, 0), round(62.5)
    (46.67, 63.0, 62)
    """
    factor = 10.0 ** decimals
    return math.floor(abs(value) * factor + 0.5 + 1e-9) / factor * (1 if value >= 0 else -1)


def truncate(value: float, decimals: int) -> float:
    """Cut ``value`` after ``decimals`` decimals.

    Examples
    --------
    >>> truncate(46.667, 0), truncate(73.333, 1)
    (46.0, 73.3)
    """
    factor = 10.0 ** decimals
    return math.floor(value * factor + 1e-9) / factor


def rounding_status(printed: float, decimals: int, exact: float) -> tuple[str, str]:
    """Status and rule of one printed percentage against its exact value.

    Rules, in order: exact; rounded half up at the printed precision; rounded to one decimal
    fewer and padded with a zero (``false_precision``: the printed decimals promise more than
    the value has); truncated at the printed precision; otherwise ``discrepancy``.

    Examples
    --------
    >>> rounding_status(50.0, 2, 50.0)
    ('reproduced', 'exact')
    >>> rounding_status(73.30, 2, 220 / 3)
    ('false_precision', 'rounded to 1 decimal, printed with 2')
    >>> rounding_status(46.0, 0, 140 / 3)
    ('rounding', 'truncated')
    >>> rounding_status(70.00, 2, 70.4)
    ('discrepancy', 'no rounding rule fits')
    >>> rounding_status(41.0, 0, 140 / 3)
    ('discrepancy', 'no rounding rule fits')
    """
    tol = 1e-9
    if math.isnan(exact):  # a share of no cooperative (a sector absent from the survey)
        return "discrepancy", "no cooperative in the base: no share to compare"
    if abs(exact - printed) <= tol:
        return "reproduced", "exact"
    if abs(round_half_up(exact, decimals) - printed) <= tol:
        return "rounding", f"rounded (half up) to {decimals} decimal{'s' if decimals != 1 else ''}"
    fewer = decimals - 1
    if fewer >= 0 and abs(round_half_up(exact, fewer) - printed) <= tol:
        return "false_precision", f"rounded to {fewer} decimal{'s' if fewer != 1 else ''}, printed with {decimals}"
    if abs(truncate(exact, decimals) - printed) <= tol:
        return "rounding", "truncated"
    return "discrepancy", "no rounding rule fits"


def sums_to_100_rule(printed, exact) -> bool:
    """Whether printed shares are the exact ones adjusted to sum to 100 (each printed value is the
    floor or the ceiling of its exact value, they add to 100, and plain rounding would not).

    Examples
    --------
    >>> sums_to_100_rule([46, 27, 17, 10], [140 / 3, 80 / 3, 50 / 3, 10])
    True
    """
    printed, exact = np.asarray(printed, dtype=float), np.asarray(exact, dtype=float)
    if np.isnan(exact).any():  # a sector absent from the survey has no share
        return False
    in_bracket = np.all((printed == np.floor(exact + 1e-9)) | (printed == np.ceil(exact - 1e-9)))
    rounded = np.array([round_half_up(x, 0) for x in exact])
    return bool(in_bracket and abs(printed.sum() - 100) < 1e-9 and abs(rounded.sum() - 100) > 1e-9)


def _basis(row, rebuilt) -> str:
    if not rebuilt:
        return "observed"
    return "by_construction" if REBUILD_INPUT_UNITS[row.unit](row) else "arithmetic_check"


def _name(function) -> str:
    """``module.function`` of the function that recomputes a claim (follows the code if it moves)."""
    return f"{function.__module__}.{function.__qualname__}"


#: Where the printed survey numbers are recomputed for reading: notebook 02's sections, by the
#: first letter of the aggregate id (N sample, S sectors, T Table 1, D digitalisation, A AI).
DESCRIPTIVE_NOTEBOOK = "02_descriptive_statistics.ipynb"
DESCRIPTIVE_SECTIONS = {"N": "Figure 2 · Sectors", "S": "Figure 2 · Sectors",
                        "T": "Table 1 · Marketing practices by sector", "D": "Figure 3 · Digitalisation",
                        "A": "Figures 4 and 5 · Knowledge, use, interest and barriers"}
AUDIT_NOTEBOOK = "05_reproduction_audit.ipynb"


def format_printed(value: float, decimals: int, unit: str) -> str:
    """A number as the paper prints it: French decimal comma, a percent sign for shares.

    Examples
    --------
    >>> format_printed(56.7, 1, "percent"), format_printed(7, 0, "count")
    ('56,7 %', '7')
    """
    text = f"{value:.{int(decimals)}f}".replace(".", ",")
    return f"{text} %" if unit == "percent" else text


def _recompute(survey, row) -> float:
    count = published_count_of(survey, row.variable, row.category, row.sector)
    if row.unit == "count":
        return float(count)
    base = len(survey) if row.sector == "Total" else int((survey["sector"] == row.sector).sum())
    return 100.0 * count / base if base else float("nan")  # a sector without cooperatives has no share


def _survey_base(survey: pd.DataFrame, variable: str, sector: str) -> int:
    """n of the share a printed number describes: its sector's size, or everyone (a sector's own size
    is a share of the whole sample)."""
    whole = sector == "Total" or variable == "sector"
    return len(survey) if whole else int((survey["sector"] == sector).sum())


def paper_share(row, published: pd.DataFrame) -> tuple[int, int]:
    """The paper's k and n behind one printed number: a count with its base, or a percentage
    turned back into the count it implies (k = value x n / 100, rounded to the nearest whole)."""
    whole = row.sector == "Total" or row.variable == "sector"
    base = sample_size(published) if whole else int(sector_sizes(published)[row.sector])
    k = int(row.value) if row.unit == "count" else int(round(row.value * base / 100))
    return k, base


def share_comparison(k_new: int, n_new: int, k_paper: int, n_paper: int, alpha: float = plan.ALPHA) -> dict:
    """One replication comparison: this survey's share against the paper's, each with its own n.

    Both shares are estimates (the paper's from its 30 cooperatives), so the difference gets
    Newcombe's hybrid score interval (statsmodels ``confint_proportions_2indep(method="newcomb")``),
    level 1 - alpha. Verdict: ``consistent`` when the interval contains 0, else ``different``.

    Examples
    --------
    >>> r = share_comparison(347, 500, 21, 30)
    >>> r["replication_verdict"], round(r["diff_ci_low"], 4), round(r["diff_ci_high"], 4)  # R: -0.1457, 0.1769
    ('consistent', -0.1457, 0.1769)
    """
    low, high = stats.wilson_interval(k_new, n_new, alpha)
    d_low, d_high = confint_proportions_2indep(k_new, n_new, k_paper, n_paper, method="newcomb", compare="diff",
                                               alpha=alpha)
    d_low, d_high = float(d_low), float(d_high)
    return {"k": k_new, "n": n_new, "estimate": k_new / n_new, "ci_low": low, "ci_high": high,
            "paper_k": k_paper, "paper_n": n_paper, "paper": k_paper / n_paper,
            "difference": k_new / n_new - k_paper / n_paper, "diff_ci_low": d_low, "diff_ci_high": d_high,
            "replication_verdict": "consistent" if d_low <= 0 <= d_high else "different"}


#: The start of the rule of a printed share whose sector has no cooperative in the survey (not compared).
NO_SECTOR = "no cooperative of sector"


def _replication_printed_claims(survey: pd.DataFrame, published: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Replication mode: each printed number as a share of its own n, against this survey's share."""
    level = style.confidence_level(alpha, "en")
    rows = []
    for row in published.itertuples(index=False):
        claim = {"claim_id": f"P-{row.aggregate_id}", "kind": "printed", "location": row.location, "page": row.page,
                 "quantity": f"{row.variable} {row.category}".strip() + f" [{row.sector}]", "printed": row.printed,
                 "basis": "observed", "aggregate_id": row.aggregate_id, "notebook": AUDIT_NOTEBOOK,
                 "section": "Replication mode", "function": _name(share_comparison), "note": row.note}
        base_new = _survey_base(survey, row.variable, row.sector)
        if row.variable == "sample_size":
            rows.append({**claim, "published": row.value, "reproduced": float(base_new), "status": "not_compared",
                         "rule": "the sample size is a design choice, not a finding"})
            continue
        k_paper, base_paper = paper_share(row, published)
        if base_new == 0:
            rows.append({**claim, "published": 100 * k_paper / base_paper, "reproduced": np.nan,
                         "status": "not_compared", "rule": f"{NO_SECTOR} {row.sector} in this survey"})
            continue
        k_new = published_count_of(survey, row.variable, row.category, row.sector)
        c = share_comparison(k_new, base_new, k_paper, base_paper, alpha)
        rows.append({**claim, "published": 100 * c["paper"], "reproduced": 100 * c["estimate"],
                     "status": c["replication_verdict"],
                     "rule": f"shares compared: paper {k_paper}/{base_paper}, this survey {k_new}/{base_new}; "
                             f"Newcombe {level} interval of the difference "
                             f"[{100 * c['diff_ci_low']:.1f}, {100 * c['diff_ci_high']:.1f}] points"})
    return pd.DataFrame(rows)


def printed_claims(survey: pd.DataFrame, published: pd.DataFrame, alpha: float = plan.ALPHA) -> pd.DataFrame:
    """One claim per printed survey number (data/published/survey_aggregates.csv), recomputed.

    On rebuilt data (reproduction mode) counts are compared as counts and percentages under the
    rounding rules; on observed data (replication mode) every number is compared as a share with
    its own n (:func:`share_comparison`), since counts of different samples cannot be compared.
    """
    rebuilt = bool(survey.attrs.get("rebuilt"))
    if not rebuilt:
        return _replication_printed_claims(survey, published, alpha)
    rows = []
    for row in published.itertuples(index=False):
        value = _recompute(survey, row)
        if row.unit == "count":
            status, rule = ("reproduced", "exact") if value == row.value else ("discrepancy", "count differs")
        else:
            status, rule = rounding_status(row.value, row.decimals, value)
        rows.append({"claim_id": f"P-{row.aggregate_id}", "kind": "printed", "location": row.location,
                     "page": row.page, "quantity": f"{row.variable} {row.category}".strip() + f" [{row.sector}]",
                     "printed": row.printed, "published": row.value, "reproduced": value, "status": status,
                     "basis": _basis(row, rebuilt), "rule": rule, "aggregate_id": row.aggregate_id,
                     "notebook": DESCRIPTIVE_NOTEBOOK, "section": DESCRIPTIVE_SECTIONS[row.aggregate_id[0]],
                     "function": _name(published_count_of), "note": row.note})
    claims = pd.DataFrame(rows)
    # Sector shares: a group rule can explain what no single rule does.
    shares = published[(published["variable"] == "sector") & (published["unit"] == "percent")]
    ids = [f"P-{a}" for a in shares["aggregate_id"]]
    group = claims.set_index("claim_id").loc[ids]
    if sums_to_100_rule(group["published"], group["reproduced"]):
        mask = claims["claim_id"].isin(ids) & (claims["status"] != "reproduced")
        claims.loc[mask, "status"] = "rounding"
        claims.loc[mask, "rule"] = "adjusted so the shares sum to 100"
    return claims


def repeat_claims(survey, published, printed: pd.DataFrame, path=None) -> pd.DataFrame:
    """Numbers the text repeats, each pointing to its row in data/published (never copied)."""
    repeats = pd.read_csv(config.resolve(path or config.TEXT_REPEATS), dtype=str,
                          keep_default_na=False)
    source = published.set_index("aggregate_id")
    base = printed.set_index("aggregate_id")
    rows = []
    replication = not survey.attrs.get("rebuilt")
    for rep in repeats.itertuples(index=False):
        row = source.loc[rep.aggregate_id]
        decimals = int(rep.decimals_here)
        recomputed = base.loc[rep.aggregate_id, "reproduced"]
        if replication:  # the same share as its printed figure: the same comparison, no rounding rules
            rows.append({"claim_id": rep.claim_id, "kind": "repeated_in_text", "location": rep.location,
                         "page": rep.page, "quantity": rep.quantity,
                         "printed": format_printed(row["value"], decimals, row["unit"]) if decimals >= row["decimals"]
                         else format_printed(round_half_up(row["value"], decimals), decimals, row["unit"]),
                         "published": base.loc[rep.aggregate_id, "published"],
                         "reproduced": recomputed, "status": base.loc[rep.aggregate_id, "status"], "basis": "observed",
                         "rule": base.loc[rep.aggregate_id, "rule"], "aggregate_id": rep.aggregate_id,
                         "notebook": AUDIT_NOTEBOOK, "section": "Replication mode", "function": _name(share_comparison),
                         "note": f"same figure as {rep.aggregate_id}"})
            continue
        if row["unit"] == "count":
            value_here = row["value"]
            status, rule = ("reproduced", "exact") if recomputed == value_here else ("discrepancy", "count differs")
        else:
            # The text prints the table's number at its own precision: derive it, do not copy it.
            value_here = round_half_up(row["value"], decimals) if decimals < row["decimals"] else row["value"]
            status, rule = rounding_status(value_here, decimals, recomputed)
        # A repeat shows what its source shows: by construction if the rebuild took the source as input.
        rows.append({"claim_id": rep.claim_id, "kind": "repeated_in_text", "location": rep.location,
                     "page": rep.page, "quantity": rep.quantity,
                     "printed": format_printed(value_here, decimals, row["unit"]), "published": value_here,
                     "reproduced": recomputed, "status": status, "basis": base.loc[rep.aggregate_id, "basis"],
                     "rule": rule, "aggregate_id": rep.aggregate_id, "notebook": DESCRIPTIVE_NOTEBOOK,
                     "section": DESCRIPTIVE_SECTIONS[rep.aggregate_id[0]], "function": _name(published_count_of),
                     "note": f"same figure as {rep.aggregate_id}, printed with {decimals} decimals here"})
    return pd.DataFrame(rows)


def external_claims(path=None) -> pd.DataFrame:
    """Figures the paper cites from outside the survey: not reproducible from it."""
    table = pd.read_csv(config.resolve(path or config.EXTERNAL_FIGURES), dtype=str,
                        keep_default_na=False)
    return pd.DataFrame([{
        "claim_id": f"E-{r.external_id}", "kind": "external", "location": r.location, "page": r.page,
        "quantity": r.quantity, "printed": r.printed, "published": float(r.value) if r.value else np.nan,
        "reproduced": np.nan, "status": "not_reproducible", "basis": "external", "rule": "not from the survey",
        "aggregate_id": r.external_id, "notebook": AUDIT_NOTEBOOK, "section": "Not from the survey",
        "function": _name(external_claims), "note": f"{r.source}; {r.note}"} for r in table.itertuples(index=False)])


def consistency_claims(survey: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Figures that cannot all hold at once, rounding habits, shared captions, and the stated sampling."""
    n = sample_size(published)
    implied = implied_counts(published)
    uses, none = implied[("digital_tool_status", "uses")], implied[("digital_tool_status", "none")]
    shares = published[(published["variable"] == "sector") & (published["unit"] == "percent")]
    share_sum = float(shares["value"].sum())
    exact_sum = float(100 * sector_sizes(published).sum() / n)
    table1_totals = published[(published["variable"].isin(codebook.PRACTICES)) & (published["sector"] == "Total")
                              & (published["unit"] == "percent")]
    counts = table1_counts(published)
    two_decimals = table1_totals[table1_totals["decimals"] == 2]
    padded = [r for r in two_decimals.itertuples(index=False)
              if rounding_status(r.value, 2, 100 * counts.loc[r.variable].sum() / n)[0] == "false_precision"]
    none_share = none / n
    frame = pd.DataFrame([
        {"claim_id": "C1", "kind": "consistency", "location": "Section 3.2 and Figure 3", "page": "759",
         "quantity": "cooperatives using a digital tool plus those using none, out of all",
         "published": float(uses + none), "reproduced": float(n),
         "status": "internal_inconsistency" if uses + none != n else "reproduced", "basis": "arithmetic_check",
         "rule": "the two shares should cover every cooperative", "aggregate_id": "D01 D05",
         "note": f"in the paper: {uses} + {none} = {uses + none} of {n}, {n - uses - none} cooperatives in neither group "
                 f"(coded 'unclassified' by the rebuild)"},
        {"claim_id": "C2", "kind": "consistency", "location": "Section 3 and Figure 2", "page": "757",
         "quantity": "sector shares add up to 100", "published": share_sum, "reproduced": exact_sum,
         "status": "rounding" if sums_to_100_rule(shares["value"], 100 * sector_sizes(published) / n)
         else ("reproduced" if share_sum == exact_sum else "discrepancy"),
         "basis": "arithmetic_check", "rule": "adjusted so the shares sum to 100", "aggregate_id": "S05 S06 S07 S08",
         "note": "plain rounding would print 47 + 27 + 17 + 10 = 101"},
        {"claim_id": "C3", "kind": "consistency", "location": "Tableau 1", "page": "757",
         "quantity": "Table 1 total percentages printed with two decimals, of which rounded to one and padded",
         "published": float(len(two_decimals)), "reproduced": float(len(padded)),
         "status": "false_precision" if padded else "reproduced", "basis": "arithmetic_check",
         "rule": "rounded to 1 decimal, printed with 2", "aggregate_id": " ".join(two_decimals["aggregate_id"]),
         "note": "; ".join(f"{r.printed} is {int(counts.loc[r.variable].sum())}/{n} = "
                           f"{_percent(100 * counts.loc[r.variable].sum() / n, 2)} rounded to one decimal and padded "
                           f"with a zero" for r in padded) or "no padded value"},
        {"claim_id": "C4", "kind": "consistency", "location": "Figures 4 and 5", "page": "760",
         "quantity": "two figures with one caption", "published": np.nan, "reproduced": np.nan,
         "status": "internal_inconsistency", "basis": "arithmetic_check", "rule": "each figure needs its own caption",
         "aggregate_id": "A01-A05",
         "note": "both captioned knowledge and use of AI; the package's split (knowledge and use / interest and "
                 "barriers) is its own reading"},
        {"claim_id": "C5", "kind": "consistency", "location": "Section 2 (méthodologie) and section 3.2", "page": "756",
         "quantity": "sample described as cooperatives already engaged in digital transformation",
         "published": np.nan, "reproduced": 100 * none_share,
         "status": "internal_inconsistency" if none > 0 else "reproduced", "basis": "arithmetic_check",
         "rule": "an engaged cooperative uses at least one digital tool", "aggregate_id": "D05",
         "note": f"in the paper: {none} of {n} ({_percent(100 * none_share, 0)}) use no digital tool at all"},
    ])
    return frame.assign(printed="", notebook=AUDIT_NOTEBOOK, section="Consistency of the published figures",
                        function=_name(consistency_claims))


#: Notebook 04's section for each hypothesis.
HYPOTHESIS_SECTIONS = {"H1": "H1 · AI adoption would improve marketing effectiveness",
                       "H2": "H2 · Barriers as major obstacles"}


def on_stated_side(residuals: pd.DataFrame, reading) -> bool:
    """Whether every sector a reading names lies on its stated side in the sample (adjusted residual > 0
    for a sector said to be higher, < 0 for one said to be lower)."""
    res = residuals[residuals["practice"] == reading.practice].set_index("sector")["adjusted_residual"]
    higher, lower = named_sectors(reading)
    signed = np.array([res[x] for x in higher] + [-res[x] for x in lower], dtype=float)
    return bool(len(signed) and np.isfinite(signed).all() and (signed > 0).all())


def reading_status(verdict: str, sample_side: bool) -> str:
    """Ledger status of a sector reading from its verdict and whether the sample bears it out.

    Examples
    --------
    >>> reading_status("supported", True), reading_status("not_supported", True), reading_status("not_supported", False)
    ('reproduced', 'true_of_sample_only', 'discrepancy')
    >>> reading_status("not_computable", False)  # no test, or a named sector absent: nothing contradicts the paper
    'not_reproducible'
    """
    if verdict == "supported":
        return "reproduced"
    if verdict == "not_computable":
        return "not_reproducible"
    return "true_of_sample_only" if sample_side and verdict == "not_supported" else "discrepancy"


#: The paper's reading of a total-only variable by sector (p. 760), testable on observed data only.
R5_READING = pd.DataFrame([{"reading_id": "R5", "practice": "heard_of_ai", "sectors_higher": "",
                            "sectors_lower": "Agriculture|Artisanat", "location": "Section 3.2 (texte)", "page": "760",
                            "paraphrase": "knowledge of AI is said to be scarcer in agricultural and craft "
                                          "cooperatives"}])


def p_words(method: str, p: float, p_holm: float) -> tuple[str, str]:
    """How the ledger names a sector test's p from its ``exact_method``: the words after "exact test"
    in a rule, and the note's Holm-adjusted p. An exact p keeps the words it always had; a Monte Carlo
    one is named with its draws, and at its floor 1/(1 + B) the note says so
    (:func:`coopai.narrative.at_monte_carlo_floor` states the rule). English, as the ledger is.

    Examples
    --------
    >>> p_words("exact", 0.0013, 0.00521)
    ('', 'Holm-adjusted exact p = 0.00521')
    >>> by, note = p_words("monte_carlo_20000", 1 / 20001, 4 / 20001)
    >>> by
    ', p by Monte Carlo (20,000 draws)'
    >>> note
    'Holm-adjusted p = 0.0002, by Monte Carlo (20,000 draws); p before Holm 5×10⁻⁵, at its floor 1/(1 + B): no drawn table as extreme'
    """
    draws = monte_carlo_draws(method) if str(method).startswith("monte_carlo_") else 0  # not_computable: no p
    if not draws:
        return "", state_bounds(f"Holm-adjusted exact p = {format_p(p_holm)}")
    floor = (f"; p before Holm {format_p(p)}, at its floor 1/(1 + B): no drawn table as extreme"
             if at_monte_carlo_floor(p, draws) else "")
    return f", p by {p_method(method)}", state_bounds(f"Holm-adjusted p = {format_p(p_holm)}, by {p_method(method)}{floor}")


def reading_note(test: pd.Series, residuals: pd.DataFrame, reading, holm: str) -> str:
    """The ledger note of a sector reading: the Holm-adjusted p (``holm``, :func:`p_words`), or why
    there is none. A test that does not exist gives its reason; a sector the reading names that has
    no cooperative in the survey is named, since the verdict rule cannot check the reading without it.

    Examples
    --------
    >>> reading = pd.Series({"practice": "x", "sectors_higher": "Services", "sectors_lower": "Agriculture|Autres"})
    >>> residuals = pd.DataFrame({"practice": "x", "sector": ["Agriculture", "Services", "Autres"],
    ...                           "adjusted_residual": [-2.5, 2.5, float("nan")]})
    >>> reading_note(pd.Series({"computable": True}), residuals, reading, "Holm-adjusted exact p = 0.01")
    'Holm-adjusted exact p = 0.01; Autres has no cooperative in this survey, so the reading cannot be checked'
    >>> reading_note(pd.Series({"computable": False, "reason": "no cooperative answered"}), residuals, reading, "")
    'no sector test: no cooperative answered'
    """
    if not bool(test.get("computable", True)):
        return f"no sector test: {test['reason']}"
    by_sector = residuals[residuals["practice"] == reading.practice].set_index("sector")["adjusted_residual"]
    named = [s for side in named_sectors(reading) for s in side]
    absent = [s for s in named if pd.isna(by_sector.get(s))]
    if not absent:
        return holm
    verb = "has" if len(absent) == 1 else "have"
    return f"{holm}; {' and '.join(absent)} {verb} no cooperative in this survey, so the reading cannot be checked"


def observed_r5_claim(survey: pd.DataFrame, seed: int = 0, alpha: float = plan.ALPHA) -> dict:
    """I-R5 on observed data: the sector test of ``heard_of_ai`` within the plan's total-only family
    (Holm), read by the same direction-and-significance rule as the Table 1 readings."""
    tests = sector_tests.sector_tests(survey, "total_only_observed", seed=seed, alpha=alpha)
    residuals = sector_tests.residuals_long(survey, ["heard_of_ai"])
    verdict = sector_reading_verdicts(tests, residuals, R5_READING, alpha).iloc[0]
    by_sector = residuals.set_index("sector")["adjusted_residual"]
    reading = R5_READING.iloc[0]
    test = tests.set_index("practice").loc[reading.practice]
    by, holm = p_words(test["exact_method"], verdict.p_exact, verdict.p_exact_holm)
    present = [s for s in ("Agriculture", "Artisanat") if not pd.isna(by_sector.get(s))]
    return {"claim_id": "I-R5", "kind": "inferential", "location": reading.location, "page": reading.page,
            "quantity": reading.paraphrase, "printed": "", "published": np.nan, "reproduced": verdict.p_exact_holm,
            "notebook": "03_cross_sector_tests.ipynb", "section": "Variables published only as totals",
            "function": _name(sector_reading_verdicts),
            # The same status rule as I-R1 to I-R4: a test that does not exist (one sector, or a named sector
            # absent) contradicts nothing, and a reading true of the sample but not shown between sectors says so.
            "status": reading_status(verdict.verdict, on_stated_side(residuals, reading)), "basis": "inferential",
            "rule": f"exact sector test on observed data{by}, Holm within the total-only family: {verdict.verdict}",
            "aggregate_id": "A01",
            "note": reading_note(test, residuals, reading, holm + (
                "; adjusted residuals of 'heard of AI': " + ", ".join(f"{s} {by_sector[s]:+.2f}" for s in present)
                if present else ""))}


def sector_reading_claims(survey: pd.DataFrame, seed: int = 0, alpha: float = plan.ALPHA) -> list[dict]:
    """I-R1 to I-R4: the paper's readings of Table 1 against the sector tests and their verdict rule,
    each p named by its method (:func:`p_words`)."""
    rows = []
    tests = sector_tests.sector_tests(survey, seed=seed, alpha=alpha)
    by_practice = tests.set_index("practice")
    residuals = sector_tests.residuals_long(survey, plan.FAMILIES["table1_practices"])
    readings = read_sector_readings()
    verdicts = sector_reading_verdicts(tests, residuals, readings, alpha)
    for reading, verdict in zip(readings.itertuples(index=False), verdicts.itertuples(index=False)):
        sample_side = on_stated_side(residuals, reading)
        status = reading_status(verdict.verdict, sample_side)
        test = by_practice.loc[reading.practice]
        by, holm = p_words(test["exact_method"], verdict.p_exact, verdict.p_exact_holm)
        note = reading_note(test, residuals, reading, holm)
        rule = f"exact test verdict{by}: {verdict.verdict}" + (
            "; true of these cooperatives, not supported as a difference between sectors"
            if status == "true_of_sample_only" else "")
        rows.append({"claim_id": f"I-{reading.reading_id}", "kind": "inferential", "location": reading.location,
                     "page": reading.page, "quantity": reading.paraphrase, "printed": "", "published": np.nan,
                     "reproduced": verdict.p_exact_holm, "status": status, "basis": "inferential", "rule": rule,
                     "aggregate_id": "Tableau 1", "notebook": "03_cross_sector_tests.ipynb",
                     "section": "The paper's readings of Table 1, against the test",
                     "function": _name(sector_reading_verdicts),
                     "note": note})
    return rows


def inferential_claims(survey: pd.DataFrame, published: pd.DataFrame, seed: int = 0,
                       alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The paper's readings of its percentages, against the package's tests and verdict rules."""
    rows = sector_reading_claims(survey, seed, alpha)
    checks = hypotheses.hypothesis_checks(survey, alpha)
    agree = {"H1": {"partially_confirmed": ("partially_supported",)}, "H2": {"fully_validated": ("supported",)}}
    for hyp in ("H1", "H2"):
        head = hypotheses.verdict_row(checks, hyp)
        ok = head["package_verdict"] in agree[hyp].get(head["paper_verdict"], ())
        # Neither rule can return the verdict the paper gives (verdicts.H1_VERDICTS, H2_VERDICTS): no data could match.
        possible = {"H1": H1_VERDICTS, "H2": H2_VERDICTS}[hyp]
        by_design = not set(agree[hyp].get(head["paper_verdict"], ())) & set(possible)
        rows.append({"claim_id": f"I-{hyp}", "kind": "inferential", "location": "Section 4 (Synthèse)", "page": "761",
                     "quantity": f"{hyp} {head['paper_verdict']}", "printed": "", "published": np.nan,
                     "reproduced": head["p_value"], "status": "reproduced" if ok else "discrepancy",
                     "basis": "inferential", "rule": f"package verdict: {head['package_verdict']}" + (
                         "; the rule cannot return the verdict the paper gives, so this discrepancy is fixed by design"
                         if by_design else ""),
                     "aggregate_id": "A04" if hyp == "H2" else "A02 A03", "notebook": "04_hypothesis_checks.ipynb",
                     "section": HYPOTHESIS_SECTIONS[hyp],
                     "function": _name(h2_verdict if hyp == "H2" else h1_verdict),
                     "note": head["reason"]})
    if survey.attrs.get("rebuilt"):
        ranges = identification.identification_ranges(published, constraint_sets=("hard+assumptions",))
        heard = ranges.set_index("variable").loc["heard_of_ai"]
        identified = not (heard["p_exact_min"] < alpha <= heard["p_exact_max"])
        rows.append({"claim_id": "I-R5", "kind": "inferential", "location": "Section 3.2 (texte)", "page": "760",
                     "quantity": "knowledge of AI is said to be scarcer in agricultural and craft cooperatives",
                     "published": np.nan, "reproduced": np.nan,
                     "status": "not_reproducible" if not identified else "discrepancy", "basis": "inferential",
                     "rule": "sector test not identified by the published totals",
                     "aggregate_id": "A01", "printed": "", "notebook": "03_cross_sector_tests.ipynb",
                     "section": "Variables published only as totals",
                     "function": _name(identification.identification_ranges),
                     "note": f"exact p ranges from {format_p(heard['p_exact_min'])} to "
                             f"{format_p(heard['p_exact_max'])} over "
                             f"{int(heard['n_breakdowns'])} possible sector breakdowns"})
    else:
        rows.append(observed_r5_claim(survey, seed, alpha))
    return pd.DataFrame(rows)


#: Table 1's practices that are communication or promotion (direct sales and online platforms
#: are sales channels): what "more dynamic in digital communication and promotion" is read against.
PROMOTION_PRACTICES = ("uses_social_media", "attends_trade_fairs")


def read_wording_claims(path=None) -> pd.DataFrame:
    """Words of the paper that a number can check (data/audit/wording_claims.csv), paraphrased."""
    return pd.read_csv(config.resolve(path or config.DATA_DIR / "audit" / "wording_claims.csv"), dtype=str,
                       keep_default_na=False)


def read_barrier_lists(path=None) -> pd.DataFrame:
    """The barriers the paper names for the same share, page by page (data/audit/barrier_lists.csv)."""
    return pd.read_csv(config.resolve(path or config.DATA_DIR / "audit" / "barrier_lists.csv"), dtype=str,
                       keep_default_na=False)


def _printed_of(published: pd.DataFrame, aggregate_id: str) -> str:
    return str(published.set_index("aggregate_id").loc[aggregate_id, "printed"])


def wording_claims(survey: pd.DataFrame, published: pd.DataFrame, barrier_lists: pd.DataFrame | None = None,
                   claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Words the paper puts on its numbers ("majority", "growing", "more dynamic"), each checked by a rule.

    Rules (``rule`` column of data/audit/wording_claims.csv):

    * ``majority``: the named sector is a majority only above one half of the cooperatives;
      the largest sector at or below one half is a plurality;
    * ``same_barrier_list``: two pages giving barriers for the same share must name the same ones;
    * ``h1_basis``: an effect that users of AI tools observe needs an outcome measured on at
      least ``H1_MIN_GROUP`` users and as many non-users;
    * ``change_over_time``: a change ("growing") needs two measurements in time; a survey
      without a ``wave`` column measured once;
    * ``more_dynamic_in_promotion``: the named sectors are more dynamic in promotion only if
      each has a higher rate than every other sector in each of :data:`PROMOTION_PRACTICES`;
      ``not_reproducible`` when the survey lacks a named sector, or has no other sector.

    Words contradicted by the paper's own figures are an ``internal_inconsistency`` on rebuilt
    data (the figures are the paper's) and a ``discrepancy`` on observed data.
    """
    rebuilt = bool(survey.attrs.get("rebuilt"))
    barrier_lists = read_barrier_lists() if barrier_lists is None else barrier_lists
    claims = read_wording_claims() if claims is None else claims
    contradicted = "internal_inconsistency" if rebuilt else "discrepancy"
    numbers_basis = "arithmetic_check" if rebuilt else "observed"
    n = len(survey)
    rows = []
    for claim in claims.itertuples(index=False):
        printed = ""
        if claim.rule == "majority":
            k = int((survey["sector"] == claim.subject).sum())
            largest = k >= survey["sector"].value_counts().max()
            ok = k / n > 0.5
            status, basis = ("reproduced" if ok else contradicted), numbers_basis
            rule = "a majority is more than half; the largest group at or below half is a plurality"
            note = (f"{claim.subject}: {_count(k)} of {_count(n)} ({_percent(100 * k / n)}), "
                    + ("a majority" if ok else "the largest sector, a plurality" if largest else "not the largest sector"))
        elif claim.rule == "same_barrier_list":
            lists = {page: set(group["barrier"]) for page, group in barrier_lists.groupby("page")}
            same = len({frozenset(v) for v in lists.values()}) == 1
            status, basis = ("reproduced" if same else "internal_inconsistency"), "arithmetic_check"
            printed = _printed_of(published, claim.subject)
            rule = "two lists given for the same share must name the same barriers"
            labels = barrier_lists.groupby("page")["label_en"].agg(lambda x: "; ".join(x))
            common = set.intersection(*lists.values())
            note = " | ".join(f"p. {page}: {labels[page]}" for page in sorted(lists)) + (
                f" ({len(common)} barrier{'s' if len(common) != 1 else ''} in common)" if not same else "")
        elif claim.rule == "h1_basis":
            users = int(stats.indicator_hits(survey, claim.subject).sum())
            has_outcome = H1_OUTCOME in survey.columns
            adequate = has_outcome and min(users, n - users) >= plan.H1_MIN_GROUP
            status, basis = ("reproduced" if adequate else "discrepancy"), "inferential"
            printed = _printed_of(published, "A02")
            rule = (f"an effect observed by AI users needs an outcome measured on at least {plan.H1_MIN_GROUP} "
                    f"users and as many non-users")
            note = (f"{_count(users)} of {_count(n)} cooperatives used an AI tool; "
                    + ("an outcome is recorded" if has_outcome else "no outcome of marketing effectiveness is recorded"))
        elif claim.rule == "change_over_time":
            waves = int(survey["wave"].nunique()) if "wave" in survey.columns else 1
            status, basis = ("not_reproducible" if waves < 2 else "reproduced"), "inferential"
            if claim.subject == "interested_in_ai":
                printed = _printed_of(published, "A03")
            rule = "a change needs at least two measurements in time"
            note = f"{waves} survey wave{'s' if waves != 1 else ''}: " + (
                "a level, not a change" if waves < 2 else "compare the waves")
        elif claim.rule == "more_dynamic_in_promotion":
            named = claim.subject.split("|")
            rates = pd.DataFrame({p: pd.Series(stats.indicator_hits(survey, p), index=survey.index, dtype=float)
                                  .groupby(survey["sector"], observed=True).mean() for p in PROMOTION_PRACTICES})
            absent = [x for x in named if x not in rates.index]  # a sector without cooperatives has no rate
            named = [x for x in named if x in rates.index]
            others = [x for x in rates.index if x not in named]
            ok = all((rates.loc[x] > rates.loc[others].max()).all() for x in named)
            # Without one of the named sectors, or without any other to compare with, the words cannot be
            # checked: before, a survey lacking them read "reproduced" (all() of nothing) or a discrepancy.
            checkable = not absent and named and others
            status = ("reproduced" if ok else contradicted) if checkable else "not_reproducible"
            basis = numbers_basis
            rule = "each named sector above every other sector in each promotion practice of Table 1"
            lowest = [f"{x} lowest in {p}" for p in PROMOTION_PRACTICES for x in named
                      if rates.loc[x, p] <= rates[p].min()]
            note = "; ".join(f"{p}: " + ", ".join(f"{x} {_percent(100 * rates.loc[x, p])}" for x in rates.index)
                             for p in PROMOTION_PRACTICES) + (f" ({'; '.join(lowest)})" if lowest else "")
            if absent:
                note += f"; no cooperative of {' or '.join(absent)} in this survey"
            elif not others:
                note += "; no other sector in this survey to compare with"
        else:
            raise ValueError(f"data/audit/wording_claims.csv, claim {claim.claim_id}: unknown rule {claim.rule!r}")
        rows.append({"claim_id": claim.claim_id, "kind": "wording", "location": claim.location, "page": claim.page,
                     "quantity": claim.quantity, "printed": printed, "published": np.nan, "reproduced": np.nan,
                     "status": status, "basis": basis, "rule": rule, "aggregate_id": claim.subject,
                     "notebook": AUDIT_NOTEBOOK, "section": "Words against the numbers",
                     "function": _name(wording_claims), "note": note})
    return pd.DataFrame(rows)


def claims_ledger(survey: pd.DataFrame, published: pd.DataFrame | None = None, seed: int = 0,
                  alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The whole ledger: printed numbers, repeats in the text, cited figures, consistency, inferences."""
    published = read_published_aggregates() if published is None else published
    printed = printed_claims(survey, published, alpha)
    ledger = pd.concat([printed, repeat_claims(survey, published, printed), external_claims(),
                        consistency_claims(survey, published), wording_claims(survey, published),
                        inferential_claims(survey, published, seed, alpha)],
                       ignore_index=True)
    return ledger[LEDGER_COLUMNS]


def replication_comparison(ledger: pd.DataFrame, survey: pd.DataFrame, published: pd.DataFrame,
                           alpha: float = plan.ALPHA) -> pd.DataFrame:
    """Replication mode: every printed share (counts included, as k of their n) against this survey's.

    One row per printed claim that is a share (:func:`share_comparison`): the paper's k and n,
    this survey's k and n, both shares, this survey's Wilson interval, the difference with
    Newcombe's interval, and the verdict.
    """
    source = published.set_index("aggregate_id")
    rows = []
    for claim in ledger[(ledger["kind"] == "printed") & ledger["claim_id"].str.startswith("P-")].itertuples():
        row = source.loc[claim.aggregate_id]
        if row["variable"] == "sample_size":
            continue
        base_new = _survey_base(survey, row["variable"], row["sector"])
        if base_new == 0:
            continue
        k_paper, base_paper = paper_share(pd.Series({**row.to_dict(), "aggregate_id": claim.aggregate_id}), published)
        k_new = published_count_of(survey, row["variable"], row["category"], row["sector"])
        rows.append({"claim_id": claim.claim_id, **share_comparison(k_new, base_new, k_paper, base_paper, alpha)})
    return pd.DataFrame(rows)


def status_summary(ledger: pd.DataFrame) -> pd.DataFrame:
    """Claims by basis and status, bases in the order of :data:`BASES` (what a match can show)."""
    table = ledger.groupby(["basis", "status"]).size().rename("claims").reset_index()
    order = {b: i for i, b in enumerate(BASES)}
    status_order = {x: i for i, x in enumerate(STATUSES)}
    return table.sort_values(["basis", "status"], key=lambda col: col.map(order if col.name == "basis" else
                                                                          status_order)).reset_index(drop=True)


BASIS_WORDS = {"by_construction": "by construction (the rebuild was made to match them)",
               "arithmetic_check": "arithmetic checks of the paper's own figures and words",
               "inferential": "inferential (a test or a verdict rule)",
               "external": "external (not from the survey)",
               "observed": "recomputed from observed answers"}


def basis_counts(ledger: pd.DataFrame) -> str:
    """"92 claims: 37 by construction, ..." with every basis present, counted apart."""
    counts = ledger["basis"].value_counts()
    return ", ".join(f"{int(counts[b])} {BASIS_WORDS[b]}" for b in BASES if b in counts)


def run_provenance(data_path, survey: pd.DataFrame, alpha: float, seed: int, design: str = "") -> dict:
    """What a report was generated from: the data file (relative to the repository when inside it,
    else its name, so no machine path is written), its SHA-256, n, origin and the run's parameters
    (with ``design``, the declared survey design's description, when the run declares one).

    The loader records the file and its hash on the survey (``attrs``), so a run that reads a
    snapshot of the survey still names the user's file; ``data_path`` is hashed only without them.
    """
    if "source_sha256" in survey.attrs:
        shown, digest = survey.attrs["source_path"], survey.attrs["source_sha256"]
    else:
        path = Path(data_path)
        shown, digest = config.display(path), hashlib.sha256(path.read_bytes()).hexdigest()
    provenance = {"data_file": shown, "sha256": digest, "n": len(survey),
                  "origin": "rebuilt" if survey.attrs.get("rebuilt") else "observed", "alpha": alpha, "seed": seed}
    return {**provenance, "design": design} if design else provenance


def replication_sentence(ledger: pd.DataFrame, replication: pd.DataFrame, alpha: float = plan.ALPHA) -> str:
    """REPRODUCTION.md's count of the replication comparisons: how many of the paper's printed shares
    are consistent with this survey and how many differ, and how many were not compared because this
    survey has no cooperative of their sector (before, those were left out of the "published" count).

    Examples
    --------
    >>> ledger = pd.DataFrame({"kind": "printed", "rule": ["", "no cooperative of sector Autres in this survey"]})
    >>> print(replication_sentence(ledger, pd.DataFrame({"replication_verdict": ["different"]})))
    Of 2 published shares, 1 was not compared (no cooperative of its sector in this survey); of the 1 compared (each as k of its own n, the paper's against this survey's), 0 are consistent with this survey (Newcombe 95% interval of the difference contains 0) and 1 differs.
    """
    counts = replication["replication_verdict"].value_counts()
    consistent, different = int(counts.get("consistent", 0)), int(counts.get("different", 0))
    missing = int(((ledger["kind"] == "printed") & ledger["rule"].astype(str).str.startswith(NO_SECTOR)).sum())
    verdicts = (f"{_count(consistent)} {'is' if consistent == 1 else 'are'} consistent with this survey (Newcombe "
                f"{style.confidence_level(alpha, _EN)} interval of the difference contains 0) and {_count(different)} "
                f"{'differs' if different == 1 else 'differ'}")
    how = "each as k of its own n, the paper's against this survey's"
    if not missing:
        return f"Of {_count(len(replication))} published shares ({how.replace('each as', 'each compared as')}), {verdicts}."
    return (f"Of {_count(len(replication) + missing)} published shares, {_count(missing)} "
            f"{'was' if missing == 1 else 'were'} not compared (no cooperative of {'its' if missing == 1 else 'their'} "
            f"sector in this survey); of the {_count(len(replication))} compared ({how}), {verdicts}.")


def reproduction_report(ledger: pd.DataFrame, origin: str, replication: pd.DataFrame | None = None,
                        provenance: dict | None = None) -> str:
    """REPRODUCTION.md: the page a reviewer reads first. Every number in it comes from the ledger.

    It opens with what it was generated from (:func:`run_provenance`): data file, SHA-256, n,
    origin and parameters.
    """
    evidence = ledger[ledger["basis"] != "by_construction"]
    alpha = provenance["alpha"] if provenance else plan.ALPHA
    lines = ["# Reproduction report", "",
             "Generated by notebooks/05_reproduction_audit.ipynb; the ledger it summarises is `claims.csv` beside "
             "it. Do not edit.", ""]
    if provenance:
        lines += [f"- Data file: `{provenance['data_file']}` (SHA-256 `{provenance['sha256']}`)",
                  f"- Cooperatives: {_count(provenance['n'])}; origin: **{provenance['origin']}**",
                  f"- Parameters: alpha = {provenance['alpha']:g}, seed = {provenance['seed']}", ""]
        if provenance.get("design"):
            lines[-1:-1] = [f"- Survey design: {provenance['design']}; the shares compared with the paper's are "
                            "unweighted (the design-based estimates are in tables/design_proportions.csv)"]
    if origin == "rebuilt":
        lines += ["**Data: rebuilt from the published aggregates (not the original answers).** A claim the rebuild "
                  "was made to match (`by_construction`) is listed but not counted as evidence.", ""]
    lines += [f"- Claims in the ledger: **{len(ledger)}**: {basis_counts(ledger)}. A match by construction shows "
              f"nothing; an arithmetic check shows whether the paper agrees with itself, not what the survey found.", ""]
    lines += ["| basis | status | claims |", "|---|---|---|"]
    for row in status_summary(ledger).itertuples():
        lines.append(f"| {row.basis} | {row.status} | {row.claims} |")
    lines += ["", "## Claims not matched by construction, by status", ""]
    for status in STATUSES + REPLICATION_STATUSES:
        part = evidence[evidence["status"] == status]
        if len(part):
            lines.append(f"- **{status}**: {len(part)} ({', '.join(f'{b} {k}' for b, k in part['basis'].value_counts().items())})")
    rounding = ledger[ledger["status"].isin(["rounding", "false_precision"])]
    if len(rounding):
        lines += ["", "## Rounding rules found", ""]
        for rule, group in rounding.groupby("rule"):
            lines.append(f"- {rule}: {', '.join(group['claim_id'])}")
    lines += ["", "## Consistency findings", ""]
    for row in ledger[ledger["kind"] == "consistency"].itertuples():
        lines.append(f"- {row.claim_id} ({row.location}, p. {row.page}): {row.quantity} - **{row.status}**. {row.note}.")
    lines += ["", "## Inferential claims", ""]
    for row in ledger[ledger["kind"] == "inferential"].itertuples():
        lines.append(f"- {row.claim_id} ({row.location}, p. {row.page}): {row.quantity} - **{row.status}** "
                     f"({row.rule}). {row.note}.")
    lines += ["", "## Words against the numbers", ""]
    for row in ledger[ledger["kind"] == "wording"].itertuples():
        lines.append(f"- {row.claim_id} ({row.location}, p. {row.page}): {row.quantity} - **{row.status}** "
                     f"({row.rule}). {row.note}.")
    external = ledger[ledger["kind"] == "external"]
    lines += ["", "## Not from the survey", ""]
    lines += [f"- {row.claim_id} ({row.location}): {row.quantity} - {row.note}." for row in external.itertuples()]
    if replication is not None and len(replication):
        lines += ["", "## Replication", "", replication_sentence(ledger, replication, alpha), "",
                  "| claim | paper k/n | this survey k/n | difference (points) | interval | verdict |",
                  "|---|---|---|---|---|---|"]
        for row in replication.itertuples():
            lines.append(f"| {row.claim_id} | {row.paper_k}/{row.paper_n} | {_count(row.k)}/{_count(row.n)} | "
                         f"{100 * row.difference:+.1f} | [{100 * row.diff_ci_low:.1f}, {100 * row.diff_ci_high:.1f}] | "
                         f"{row.replication_verdict} |")
    lines += ["", "## Where each claim is recomputed", "",
              "Search `claims.csv` for the number as printed; each notebook below is in `notebooks/` as HTML.", "",
              "| claim | printed | status | notebook, section | function |", "|---|---|---|---|---|"]
    for row in ledger.itertuples():
        html = str(row.notebook).replace(".ipynb", ".html")
        lines.append(f"| {row.claim_id} | {row.printed if isinstance(row.printed, str) else ''} | {row.status} | "
                     f"[{row.notebook}](notebooks/{html}), {row.section} | `{row.function}` |")
    return "\n".join(lines) + "\n"
