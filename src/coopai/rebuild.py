"""Rebuild a respondent-level dataset (one row per cooperative) from the published aggregates.

The paper publishes counts, not answers. Many datasets reproduce those counts;
this module builds one of them by explicit rules, so that every downstream step
can run on respondent rows, and says which results the rules decide.

Rules of the canonical rebuild (``seed=None``)
----------------------------------------------
1. Cooperatives are numbered COOP01..COOP30 in the paper's sector order.
2. Table 1 (counts by sector) is placed within each sector: the digital and
   event practices (social media, online platform, trade fairs) go to the
   first cooperatives of the sector, traditional direct sales to the last.
   So online sellers are among social-media users wherever the counts allow.
3. Cooperatives are then ranked by their number of digital marketing
   practices (social media + online platform), ties by number. Figures
   published only for all 30 go down that ranking: the most digital
   cooperatives are the ones with digital tools, equipment, internet, specific
   solutions, knowledge and use of AI; the least digital report barriers.
   This is an assumption (one latent "digital maturity" order), chosen because
   it is simple to state and keeps every logical constraint.
4. The published shares of cooperatives with and without a digital tool
   (60 % and 20 %) leave 6 of 30 in neither group: they are coded
   ``unclassified``, a value the codebook declares.
5. The overlap of "heard of AI" and "interested in AI" is not published but is
   fixed by three published shares (20 %, 56.7 % and 30 % with neither):
   6 + 17 - (30 - 9) = 2.

With a ``seed``, steps 2 and 3 draw at random among the arrangements that keep
the same counts and constraints: another valid rebuild, for sensitivity
analyses that depend on which answers go together.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from . import config
from .codebook import (PRACTICES, REBUILT_NOTICE_EN, SECTORS, constraint_breaches, read_codebook,
                       read_constraints)
from .files import write_atomic
from .published import (PublishedDataError, compare_with_published, implied_counts, published_count_of,
                        read_published_aggregates, sector_sizes, table1_counts, total_only_count, total_only_counts)
from .survey import add_derived_variables, load_survey

#: Practices placed first within a sector (step 2); the others are placed last.
FIRST_PLACED_PRACTICES = ("uses_social_media", "sells_online_platform", "attends_trade_fairs")

#: Draws a seeded rebuild may take before giving up.
MAX_RANDOM_ATTEMPTS = 1000

#: Boolean variables published only for all cooperatives, placed down the ranking (step 3).
RANKED_TOTAL_ONLY = ("has_structured_it_equipment", "has_stable_internet")


class _Picker:
    """Chooses k members of a group: the first k in order (canonical) or k at random."""

    def __init__(self, rng):
        self.rng = rng

    def order(self, members):
        members = np.asarray(members)
        return members if self.rng is None else self.rng.permutation(members)

    def first(self, members, k):
        return self.order(members)[:k]

    def last(self, members, k):
        ordered = self.order(members)
        return ordered[len(ordered) - k:]


def _require(condition, message):
    if not condition:
        raise PublishedDataError(message)


def rebuild_cooperatives(published: pd.DataFrame | None = None, seed: int | None = None):
    """Build one respondent-level dataset that reproduces every published count.

    Parameters
    ----------
    published : DataFrame, optional
        From :func:`coopai.published.read_published_aggregates`.
    seed : int, optional
        ``None`` gives the canonical rebuild (rules in the module docstring);
        an integer gives another valid rebuild drawn at random.

    Returns
    -------
    survey : pandas.DataFrame
        One row per cooperative, columns as in the codebook's survey variables,
        ``record_origin == "rebuilt"``.
    notes : list of str
        What the rebuild had to decide or declare, for the report.

    Raises
    ------
    coopai.published.PublishedDataError
        When the published counts cannot hold together under the rules, with
        the counts that clash.

    Examples
    --------
    >>> survey, notes = rebuild_cooperatives()
    >>> survey.groupby("sector", sort=False)["uses_social_media"].sum().tolist()
    [4, 5, 4, 2]
    >>> int((survey["digital_tool_status"] == "unclassified").sum())
    6
    """
    published = read_published_aggregates() if published is None else published
    if seed is None:
        return _rebuild_once(published, _Picker(None))
    # A random placement of Table 1 can put more cooperatives online than use digital
    # tools (about a third of draws): draw again, from the same seeded stream.
    rng = np.random.default_rng(seed)
    for attempt in range(1, MAX_RANDOM_ATTEMPTS + 1):
        try:
            survey, notes = _rebuild_once(published, _Picker(rng))
        except PublishedDataError as err:
            last_error = err
            continue
        notes.append(f"Random valid rebuild drawn with seed {seed} (draw {attempt}).")
        return survey, notes
    raise PublishedDataError(f"no valid random rebuild in {MAX_RANDOM_ATTEMPTS} draws: {last_error}")


def _rebuild_once(published, pick):
    notes = []

    sizes = sector_sizes(published)
    n = int(sizes.sum())
    width = max(2, len(str(n)))
    sector = np.repeat(np.array(SECTORS, dtype=object), sizes.to_numpy())
    survey = pd.DataFrame({
        "cooperative_id": [f"COOP{i + 1:0{width}d}" for i in range(n)],
        "record_origin": "rebuilt",
        "sector": sector,
    })

    # Step 2: Table 1 within sectors.
    table1 = table1_counts(published)
    for practice in PRACTICES:
        chosen = np.zeros(n, dtype=bool)
        for s in SECTORS:
            members = np.flatnonzero(sector == s)
            k = int(table1.loc[practice, s])
            idx = pick.first(members, k) if practice in FIRST_PLACED_PRACTICES else pick.last(members, k)
            chosen[idx] = True
        survey[practice] = chosen

    # Step 3: the digital-maturity ranking (ties by number, or at random with a seed).
    score = survey["uses_social_media"].astype(int) + survey["sells_online_platform"].astype(int)
    tiebreak = np.arange(n) if pick.rng is None else pick.rng.permutation(n)
    ranking = np.lexsort((tiebreak, -score.to_numpy()))  # most digital first

    def top(k, among=None, exclude=()):
        exclude = set(exclude)
        pool = [i for i in ranking if (among is None or i in among) and i not in exclude]
        _require(k <= len(pool), f"cannot place {k} cooperatives among {len(pool)} eligible ones")
        return np.array(pool[:k] if pick.rng is None else pick.rng.choice(pool, size=k, replace=False), dtype=int)

    implied = implied_counts(published)

    def count(variable, category=""):
        return total_only_count(published, variable, category, counts=implied)

    # Digital tools: users must include every social-media or online-platform user (A1, A2).
    n_uses, n_none = count("digital_tool_status", "uses"), count("digital_tool_status", "none")
    digital_marketers = set(np.flatnonzero(score.to_numpy() > 0))
    _require(len(digital_marketers) <= n_uses,
             f"{len(digital_marketers)} cooperatives use social media or an online platform (Table 1), "
             f"but only {n_uses} are published as using a digital tool (Figure 3): assumptions A1-A2 fail")
    _require(n_uses + n_none <= n, f"{n_uses} use a digital tool and {n_none} use none: more than {n}")
    uses = set(digital_marketers) | set(top(n_uses - len(digital_marketers), exclude=digital_marketers))
    others = [i for i in ranking if i not in uses]
    none = set(others[len(others) - n_none:]) if pick.rng is None else set(pick.rng.choice(others, n_none, replace=False))
    status = np.array(["unclassified"] * n, dtype=object)
    status[sorted(uses)] = "uses"
    status[sorted(none)] = "none"
    survey["digital_tool_status"] = status
    n_unclassified = n - n_uses - n_none
    if n_unclassified:
        notes.append(
            f"Contradiction kept as printed: {n_uses} of {n} cooperatives use a digital tool (D01) and "
            f"{n_none} use none (D05), which leaves {n_unclassified} in neither group. They are coded "
            f"digital_tool_status = 'unclassified' so that both published counts hold."
        )

    def flag(indices):
        column = np.zeros(n, dtype=bool)
        column[np.asarray(sorted(indices), dtype=int)] = True
        return column

    for variable in RANKED_TOTAL_ONLY:
        survey[variable] = flag(top(count(variable)))
    survey["uses_specific_digital_solutions"] = flag(top(count("uses_specific_digital_solutions"), among=uses))  # A3

    # AI: users of an AI tool have heard of AI (A4) and use digital tools (H4).
    n_heard, n_used = count("heard_of_ai"), count("used_ai_tool")
    n_interested, n_neither = count("interested_in_ai"), count("neither_knows_nor_interested_ai")
    _require(n_used <= n_heard, f"{n_used} used an AI tool but only {n_heard} heard of AI: assumption A4 fails")
    used = set(top(n_used, exclude=none))
    heard = used | set(top(n_heard - n_used, exclude=used))
    both = n_heard + n_interested - (n - n_neither)
    _require(0 <= both <= min(n_heard, n_interested) and n_interested - both <= n - n_heard,
             f"heard of AI ({n_heard}), interested ({n_interested}) and neither ({n_neither}) out of {n} "
             f"cannot all hold: they imply {both} cooperatives both heard of AI and are interested")
    interested = set(top(both, among=heard)) | set(top(n_interested - both, exclude=heard))
    notes.append(
        f"Not published but implied: {both} cooperatives both heard of AI and are interested in it "
        f"({n_heard} + {n_interested} - ({n} - {n_neither}), from A01, A03 and A05)."
    )
    survey["heard_of_ai"] = flag(heard)
    survey["used_ai_tool"] = flag(used)
    survey["interested_in_ai"] = flag(interested)
    n_barriers = count("reports_ai_barriers")
    barriers = ranking[n - n_barriers:] if pick.rng is None else pick.rng.choice(n, n_barriers, replace=False)
    survey["reports_ai_barriers"] = flag(barriers)

    notes.append("Which answers go together within a cooperative is the rebuild's choice (rules in "
                 "coopai.rebuild); results that depend on it are reported as ranges or flagged.")
    _check_rebuild(survey, published)
    return survey, notes


def _check_rebuild(survey, published):
    """Fail loudly if the rebuild misses a published count or breaks a constraint."""
    loaded = add_derived_variables(survey)
    comparison = compare_with_published(loaded, published)
    wrong = comparison[(comparison["unit"] == "count") & ~comparison["matches"]]
    _require(wrong.empty, f"rebuild misses published counts: {wrong.to_dict('records')}")
    implied = total_only_counts(published)
    for rec in implied.itertuples(index=False):
        got = published_count_of(loaded, rec.variable, rec.category)
        _require(got == rec.count, f"rebuild has {got} for {rec.aggregate_id}, published implies {rec.count}")
    breaches = constraint_breaches(loaded, read_constraints())
    _require(breaches.empty, f"rebuild breaks constraints: {breaches.to_dict('records')}")


def to_csv_text(survey: pd.DataFrame) -> str:
    """The rebuilt dataset as CSV text: booleans as 1/0, LF line ends, UTF-8.

    Examples
    --------
    >>> to_csv_text(rebuild_cooperatives()[0]).splitlines()[1][:30]
    'COOP01,rebuilt,Agriculture,1,1'
    """
    out = survey.copy()
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].astype(int)
    return out.to_csv(index=False, lineterminator="\n")


def report_markdown(survey, notes, published) -> str:
    """The rebuild report: what was decided, and how the rebuilt data match the paper."""
    comparison = compare_with_published(add_derived_variables(survey), published)
    counts = comparison[comparison["unit"] == "count"]
    percents = comparison[comparison["unit"] == "percent"]
    off = percents[~percents["matches"]]
    lines = [
        "# Rebuild report (generated by `python -m coopai.rebuild`; do not edit)",
        "",
        f"**{REBUILT_NOTICE_EN}.** {len(survey)} cooperatives, one row each, in `cooperatives.csv`.",
        "",
        "## What the rebuild decided or declared",
        "",
        *[f"- {note}" for note in notes],
        "",
        "## Published figures reproduced",
        "",
        f"- Counts: {int(counts['matches'].sum())} of {len(counts)} printed counts reproduced exactly.",
        "- Percentages published without a count were turned into the one count out of 30 that rounds "
        "to them (coopai.published.implied_count) and reproduced exactly.",
        f"- Printed percentages matching their recomputed value at the printed precision (rounded half up): "
        f"{int(percents['matches'].sum())} of {len(percents)}.",
    ]
    if len(off):
        lines += ["", "Printed percentages that do not round from their count (the audit classifies them):", "",
                  "| aggregate | variable | sector | printed | recomputed |", "|---|---|---|---|---|"]
        lines += [f"| {r.aggregate_id} | {r.variable} {r.category} | {r.sector} | {r.published:g} | {r.recomputed:.3f} |"
                  for r in off.itertuples()]
    lines += ["", "Constraints (data/constraints.csv): the rebuild keeps every hard constraint and every assumption.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    """Command line: ``python -m coopai.rebuild [--published F] [--out DIR] [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--published", default=str(config.PUBLISHED_AGGREGATES))
    parser.add_argument("--out", default=str(config.REBUILT_DIR))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    published = read_published_aggregates(args.published)
    try:
        survey, notes = rebuild_cooperatives(published, seed=args.seed)
    except PublishedDataError as err:
        print(f"coopai.rebuild: {err}", file=sys.stderr)
        return 2
    out = config.resolve(args.out)
    # Both files are built in memory first, then each replaced atomically.
    csv_text, report = to_csv_text(survey), report_markdown(survey, notes, published)
    write_atomic(out / "cooperatives.csv", csv_text)
    write_atomic(out / "rebuild_report.md", report)
    # The same data for colleagues in SPSS, Stata and Excel, with variable and value labels.
    from .formats import write_labelled_exports

    typed = load_survey(out / "cooperatives.csv")
    typed = typed[[c for c in survey.columns]]
    write_labelled_exports(typed, read_codebook(), out, "cooperatives", notice=REBUILT_NOTICE_EN)
    print(f"coopai.rebuild: wrote {len(survey)} rebuilt cooperatives to {config.display(out)} "
          f"(.csv, .sav, .dta, .xlsx)")
    for note in notes:
        print(f"  note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
