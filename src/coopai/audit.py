"""The reproduction audit: every number the paper states, recomputed, with a status and a basis set by rule.

Statuses
--------
``reproduced``
    recomputed exactly (a count, or a percentage printed at full precision such as 50 or 100);
``rounding``
    matches at the printed precision under a named rule: ``rounded`` (half up), ``truncated``,
    ``rounded to fewer decimals, padded`` (73.3 printed as 73,30) or ``adjusted to sum to 100``;
``discrepancy``
    does not match under any rule (for an inferential claim: the package's test or verdict
    does not support the paper's reading);
``internal_inconsistency``
    cannot hold together with another published figure;
``not_reproducible``
    not from the survey (cited figures), or not identified by what the paper publishes.

Bases
-----
``by_construction``
    the rebuild was made to match it, so the match proves nothing;
``derived``
    follows from other published figures without the rebuild's assumptions;
``rounding``
    a printed percentage whose check is about its rounding rule;
``inferential``
    a reading of the data that a test can check;
``observed``
    (replication mode) recomputed from real answers;
``external``
    a figure from outside the survey.

Only claims whose basis is not ``by_construction`` count as evidence.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep

from . import codebook, config, hypotheses, identification, plan, sector_tests, stats
from .published import (implied_counts, published_count_of, read_published_aggregates, read_sector_readings,
                        sample_size, sector_sizes)
from .verdicts import sector_reading_verdicts

LEDGER_COLUMNS = ["claim_id", "kind", "location", "page", "quantity", "published", "reproduced", "status",
                  "basis", "rule", "aggregate_id", "note"]

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

    Examples
    --------
    >>> rounding_status(50.0, 2, 50.0)
    ('reproduced', 'exact')
    >>> rounding_status(73.30, 2, 220 / 3)
    ('rounding', 'rounded to 1 decimal, printed with 2')
    >>> rounding_status(46.0, 0, 140 / 3)
    ('rounding', 'truncated')
    >>> rounding_status(41.0, 0, 140 / 3)
    ('discrepancy', 'no rounding rule fits')
    """
    tol = 1e-9
    if abs(exact - printed) <= tol:
        return "reproduced", "exact"
    if abs(round_half_up(exact, decimals) - printed) <= tol:
        return "rounding", f"rounded (half up) to {decimals} decimal{'s' if decimals != 1 else ''}"
    for fewer in range(decimals - 1, -1, -1):
        if abs(round_half_up(exact, fewer) - printed) <= tol:
            return "rounding", f"rounded to {fewer} decimal{'s' if fewer != 1 else ''}, printed with {decimals}"
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
    in_bracket = np.all((printed == np.floor(exact + 1e-9)) | (printed == np.ceil(exact - 1e-9)))
    rounded = np.array([round_half_up(x, 0) for x in exact])
    return bool(in_bracket and abs(printed.sum() - 100) < 1e-9 and abs(rounded.sum() - 100) > 1e-9)


def _basis(row, status, rebuilt) -> str:
    if not rebuilt:
        return "observed"
    if REBUILD_INPUT_UNITS[row.unit](row):
        return "by_construction"
    return "rounding" if status == "rounding" else "derived"


def _recompute(survey, row) -> float:
    count = published_count_of(survey, row.variable, row.category, row.sector)
    if row.unit == "count":
        return float(count)
    base = len(survey) if row.sector == "Total" else int((survey["sector"] == row.sector).sum())
    return 100.0 * count / base


def printed_claims(survey: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """One claim per printed survey number (data/published/survey_aggregates.csv), recomputed."""
    rebuilt = bool(survey.attrs.get("rebuilt"))
    rows = []
    for row in published.itertuples(index=False):
        value = _recompute(survey, row)
        if row.unit == "count":
            status, rule = ("reproduced", "exact") if value == row.value else ("discrepancy", "count differs")
        else:
            status, rule = rounding_status(row.value, row.decimals, value)
        rows.append({"claim_id": f"P-{row.aggregate_id}", "kind": "printed", "location": row.location,
                     "page": row.page, "quantity": f"{row.variable} {row.category}".strip() + f" [{row.sector}]",
                     "published": row.value, "reproduced": value, "status": status,
                     "basis": _basis(row, status, rebuilt), "rule": rule, "aggregate_id": row.aggregate_id,
                     "note": row.note})
    claims = pd.DataFrame(rows)
    # Sector shares: a group rule can explain what no single rule does.
    shares = published[(published["variable"] == "sector") & (published["unit"] == "percent")]
    ids = [f"P-{a}" for a in shares["aggregate_id"]]
    group = claims.set_index("claim_id").loc[ids]
    if sums_to_100_rule(group["published"], group["reproduced"]):
        mask = claims["claim_id"].isin(ids) & (claims["status"] != "reproduced")
        claims.loc[mask, "status"] = "rounding"
        claims.loc[mask, "rule"] = "adjusted so the shares sum to 100"
        if rebuilt:
            claims.loc[mask, "basis"] = "rounding"
    return claims


def repeat_claims(survey, published, printed: pd.DataFrame, path=None) -> pd.DataFrame:
    """Numbers the text repeats, each pointing to its row in data/published (never copied)."""
    repeats = pd.read_csv(config.resolve(path or config.TEXT_REPEATS), dtype=str,
                          keep_default_na=False)
    source = published.set_index("aggregate_id")
    base = printed.set_index("aggregate_id")
    rows = []
    for rep in repeats.itertuples(index=False):
        row = source.loc[rep.aggregate_id]
        decimals = int(rep.decimals_here)
        recomputed = base.loc[rep.aggregate_id, "reproduced"]
        if row["unit"] == "count":
            value_here = row["value"]
            status, rule = ("reproduced", "exact") if recomputed == value_here else ("discrepancy", "count differs")
        else:
            # The text prints the table's number at its own precision: derive it, do not copy it.
            value_here = round_half_up(row["value"], decimals) if decimals < row["decimals"] else row["value"]
            status, rule = rounding_status(value_here, decimals, recomputed)
        rows.append({"claim_id": rep.claim_id, "kind": "repeated_in_text", "location": rep.location,
                     "page": rep.page, "quantity": rep.quantity, "published": value_here, "reproduced": recomputed,
                     "status": status, "basis": base.loc[rep.aggregate_id, "basis"] if status != "rounding" else
                     ("rounding" if base.loc[rep.aggregate_id, "basis"] != "observed" else "observed"),
                     "rule": rule, "aggregate_id": rep.aggregate_id,
                     "note": f"same figure as {rep.aggregate_id}, printed with {decimals} decimals here"})
    return pd.DataFrame(rows)


def external_claims(path=None) -> pd.DataFrame:
    """Figures the paper cites from outside the survey: not reproducible from it."""
    table = pd.read_csv(config.resolve(path or config.EXTERNAL_FIGURES), dtype=str,
                        keep_default_na=False)
    return pd.DataFrame([{
        "claim_id": f"E-{r.external_id}", "kind": "external", "location": r.location, "page": r.page,
        "quantity": r.quantity, "published": float(r.value) if r.value else np.nan, "reproduced": np.nan,
        "status": "not_reproducible", "basis": "external", "rule": "not from the survey",
        "aggregate_id": r.external_id, "note": f"{r.source}; {r.note}"} for r in table.itertuples(index=False)])


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
    padded = int((table1_totals["decimals"] == 2).sum())
    none_share = none / n
    return pd.DataFrame([
        {"claim_id": "C1", "kind": "consistency", "location": "Section 3.2 and Figure 3", "page": "759",
         "quantity": "cooperatives using a digital tool plus those using none, out of all",
         "published": float(uses + none), "reproduced": float(n),
         "status": "internal_inconsistency" if uses + none != n else "reproduced", "basis": "derived",
         "rule": "the two shares should cover every cooperative", "aggregate_id": "D01 D05",
         "note": f"{uses} + {none} = {uses + none} of {n}: {n - uses - none} cooperatives in neither group "
                 f"(coded 'unclassified' by the rebuild)"},
        {"claim_id": "C2", "kind": "consistency", "location": "Section 3 and Figure 2", "page": "757",
         "quantity": "sector shares add up to 100", "published": share_sum, "reproduced": exact_sum,
         "status": "rounding" if sums_to_100_rule(shares["value"], 100 * sector_sizes(published) / n)
         else ("reproduced" if share_sum == exact_sum else "discrepancy"),
         "basis": "derived", "rule": "adjusted so the shares sum to 100", "aggregate_id": "S05 S06 S07 S08",
         "note": "plain rounding would print 47 + 27 + 17 + 10 = 101"},
        {"claim_id": "C3", "kind": "consistency", "location": "Tableau 1", "page": "757",
         "quantity": "Table 1 total percentages printed with two decimals", "published": float(padded),
         "reproduced": float(len(table1_totals)), "status": "rounding" if padded else "reproduced", "basis": "derived",
         "rule": "rounded to 1 decimal, printed with 2", "aggregate_id": "T02 T12 T22 T32",
         "note": "73,30 % is 22/30 = 73.33 % rounded to one decimal and padded with a zero"},
        {"claim_id": "C4", "kind": "consistency", "location": "Figures 4 and 5", "page": "760",
         "quantity": "two figures with one caption", "published": np.nan, "reproduced": np.nan,
         "status": "internal_inconsistency", "basis": "derived", "rule": "each figure needs its own caption",
         "aggregate_id": "A01-A05",
         "note": "both captioned knowledge and use of AI; the package's split (knowledge and use / interest and "
                 "barriers) is its own reading"},
        {"claim_id": "C5", "kind": "consistency", "location": "Section 2 (méthodologie) and section 3.2", "page": "756",
         "quantity": "sample described as cooperatives already engaged in digital transformation",
         "published": np.nan, "reproduced": 100 * none_share,
         "status": "internal_inconsistency" if none > 0 else "reproduced", "basis": "derived",
         "rule": "an engaged cooperative uses at least one digital tool", "aggregate_id": "D05",
         "note": f"{none} of {n} ({100 * none_share:.0f} %) use no digital tool at all"},
    ])


def inferential_claims(survey: pd.DataFrame, published: pd.DataFrame, seed: int = 0,
                       alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The paper's readings of its percentages, against the package's tests and verdict rules."""
    rows = []
    tests = sector_tests.sector_tests(survey, seed=seed, alpha=alpha)
    residuals = sector_tests.residuals_long(survey, plan.FAMILIES["table1_practices"])
    readings = read_sector_readings()
    verdicts = sector_reading_verdicts(tests, residuals, readings, alpha)
    for reading, verdict in zip(readings.itertuples(index=False), verdicts.itertuples(index=False)):
        rows.append({"claim_id": f"I-{reading.reading_id}", "kind": "inferential", "location": reading.location,
                     "page": reading.page, "quantity": reading.paraphrase, "published": np.nan,
                     "reproduced": verdict.p_exact_holm,
                     "status": "reproduced" if verdict.verdict == "supported" else "discrepancy",
                     "basis": "inferential", "rule": f"exact test verdict: {verdict.verdict}",
                     "aggregate_id": "Tableau 1", "note": f"Holm-adjusted exact p = {verdict.p_exact_holm:.3g}"})
    checks = hypotheses.hypothesis_checks(survey, alpha)
    agree = {"H1": {"partially_confirmed": ("partially_supported",)}, "H2": {"fully_validated": ("supported",)}}
    for hyp in ("H1", "H2"):
        head = hypotheses.verdict_row(checks, hyp)
        ok = head["package_verdict"] in agree[hyp].get(head["paper_verdict"], ())
        rows.append({"claim_id": f"I-{hyp}", "kind": "inferential", "location": "Section 4 (Synthèse)", "page": "761",
                     "quantity": f"{hyp} {head['paper_verdict']}", "published": np.nan, "reproduced": head["p_value"],
                     "status": "reproduced" if ok else "discrepancy", "basis": "inferential",
                     "rule": f"package verdict: {head['package_verdict']}", "aggregate_id": "A04" if hyp == "H2" else "A02 A03",
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
                     "aggregate_id": "A01",
                     "note": f"exact p ranges from {heard['p_exact_min']:.2g} to {heard['p_exact_max']:.2g} over "
                             f"{int(heard['n_breakdowns'])} possible sector breakdowns"})
    else:
        test = sector_tests.sector_test(survey, "heard_of_ai", seed=seed, alpha=alpha)
        rows.append({"claim_id": "I-R5", "kind": "inferential", "location": "Section 3.2 (texte)", "page": "760",
                     "quantity": "knowledge of AI is said to be scarcer in agricultural and craft cooperatives",
                     "published": np.nan, "reproduced": test["p_exact"],
                     "status": "reproduced" if test["p_exact"] < alpha else "discrepancy", "basis": "inferential",
                     "rule": "exact sector test on observed data", "aggregate_id": "A01",
                     "note": f"exact p = {test['p_exact']:.3g}"})
    return pd.DataFrame(rows)


def claims_ledger(survey: pd.DataFrame, published: pd.DataFrame | None = None, seed: int = 0,
                  alpha: float = plan.ALPHA) -> pd.DataFrame:
    """The whole ledger: printed numbers, repeats in the text, cited figures, consistency, inferences."""
    published = read_published_aggregates() if published is None else published
    printed = printed_claims(survey, published)
    ledger = pd.concat([printed, repeat_claims(survey, published, printed), external_claims(),
                        consistency_claims(survey, published), inferential_claims(survey, published, seed, alpha)],
                       ignore_index=True)
    return ledger[LEDGER_COLUMNS]


def replication_comparison(ledger: pd.DataFrame, survey: pd.DataFrame, published: pd.DataFrame,
                           alpha: float = plan.ALPHA) -> pd.DataFrame:
    """Replication mode: each percentage claim's new estimate against the paper's, with a Newcombe interval.

    Both samples are uncertain (the paper's n is 30), so the difference gets Newcombe's
    hybrid score interval (statsmodels ``confint_proportions_2indep(method="newcomb")``).
    Verdict rule: ``consistent`` when the interval contains 0, else ``different``.
    """
    paper_n = sample_size(published)
    sizes = sector_sizes(published)
    rows = []
    for claim in ledger[(ledger["kind"] == "printed") & ledger["claim_id"].str.startswith("P-")].itertuples():
        row = published.set_index("aggregate_id").loc[claim.aggregate_id]
        if row["unit"] != "percent":
            continue
        base_paper = paper_n if row["sector"] == "Total" else int(sizes[row["sector"]])
        k_paper = int(round(row["value"] * base_paper / 100))
        base_new = len(survey) if row["sector"] == "Total" else int((survey["sector"] == row["sector"]).sum())
        k_new = published_count_of(survey, row["variable"], row["category"], row["sector"])
        if base_new == 0:
            continue
        low, high = stats.wilson_interval(k_new, base_new, alpha)
        d_low, d_high = confint_proportions_2indep(k_new, base_new, k_paper, base_paper, method="newcomb",
                                                   compare="diff", alpha=alpha)
        rows.append({"claim_id": claim.claim_id, "estimate": k_new / base_new, "ci_low": low, "ci_high": high,
                     "paper": k_paper / base_paper, "difference": k_new / base_new - k_paper / base_paper,
                     "diff_ci_low": float(d_low), "diff_ci_high": float(d_high),
                     "replication_verdict": "consistent" if d_low <= 0 <= d_high else "different"})
    return pd.DataFrame(rows)


def status_summary(ledger: pd.DataFrame) -> pd.DataFrame:
    """Claims by status and basis, evidence (not by construction) separated."""
    table = ledger.groupby(["status", "basis"]).size().rename("claims").reset_index()
    table["counts_as_evidence"] = table["basis"] != "by_construction"
    return table


def reproduction_report(ledger: pd.DataFrame, origin: str, replication: pd.DataFrame | None = None) -> str:
    """REPRODUCTION.md: the page a reviewer reads first. Every number in it comes from the ledger."""
    evidence = ledger[ledger["basis"] != "by_construction"]
    by_construction = ledger[ledger["basis"] == "by_construction"]
    lines = ["# Reproduction report", "",
             "Generated by notebooks/05_reproduction_audit.ipynb from `paper/claims.csv`; do not edit.", ""]
    if origin == "rebuilt":
        lines += ["**Data: rebuilt from the published aggregates (not the original answers).** A claim the rebuild "
                  "was made to match (`by_construction`) is listed but not counted as evidence.", ""]
    lines += [f"- Claims in the ledger: **{len(ledger)}** ({len(by_construction)} by construction, "
              f"{len(evidence)} that count as evidence).", ""]
    lines += ["| status | basis | claims |", "|---|---|---|"]
    for row in status_summary(ledger).itertuples():
        lines.append(f"| {row.status} | {row.basis} | {row.claims} |")
    lines += ["", "## Evidence: claims not matched by construction", ""]
    for status in ("reproduced", "rounding", "discrepancy", "internal_inconsistency", "not_reproducible"):
        part = evidence[evidence["status"] == status]
        if len(part):
            lines.append(f"- **{status}**: {len(part)}")
    rounding = ledger[ledger["status"] == "rounding"]
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
    external = ledger[ledger["kind"] == "external"]
    lines += ["", "## Not from the survey", ""]
    lines += [f"- {row.claim_id} ({row.location}): {row.quantity} - {row.note}." for row in external.itertuples()]
    if replication is not None and len(replication):
        counts = replication["replication_verdict"].value_counts()
        lines += ["", "## Replication", "",
                  f"Of {len(replication)} published percentages, {int(counts.get('consistent', 0))} are consistent "
                  f"with this survey (Newcombe 95 % interval of the difference contains 0) and "
                  f"{int(counts.get('different', 0))} differ."]
    return "\n".join(lines) + "\n"
