"""Sector tests that the published totals do not identify: every consistent breakdown, and the range.

The digitalisation and AI figures are published for all 30 cooperatives, not by
sector. A sector test on them is therefore not one number: every split of the
published total across the four sectors that respects the sector sizes and the
logical constraints is possible, each with its own p-value. This module
enumerates those splits and reports the smallest and largest exact p-value and
Cramer's V, with the splits that reach them.

Constraints used, by sector s (``n_s`` its size, ``SM_s`` and ``OP_s`` its Table 1
counts of social-media and online-platform users; ids as in data/constraints.csv):

* hard H1, H2: cooperatives with no digital tool use neither social media nor an
  online platform, so ``none_s <= n_s - max(SM_s, OP_s)``.
* hard H3, H4: specific digital solutions and AI tools only where some digital tool
  is used: ``solutions_s <= n_s - none_s``, ``ai_used_s <= n_s - none_s``.
* hard (definition): neither-knowledge-nor-interest is ``n_s - heard_s - interested_s + both_s``
  with ``0 <= both_s <= min(heard_s, interested_s)`` and the published totals fixing sum(both) = 2.
* assumption A1, A2: ``uses_s >= max(SM_s, OP_s)``; A3: ``solutions_s <= uses_s``;
  A4: ``ai_used_s <= heard_s``.

Each range is computed twice: with the hard constraints only, and with the
rebuild's assumptions added.

What the share of breakdowns below alpha does not mean (for a student)
----------------------------------------------------------------------
Counting the breakdowns whose p-value is below alpha and dividing by their number
(0.51 for knowledge of AI) reads as "a 51 % chance that sectors differ". It is not:
the breakdowns are not equally likely. If sector had nothing to do with the answer,
a breakdown's probability is the multivariate hypergeometric probability of its
table given the margins, and the extreme splits that give small p-values are rare.
Weighted that way (``null_share_p_below_alpha``), the share is the chance that the
unseen breakdown would make the exact test reject *when sectors do not differ*: at
most about alpha for every variable (0.040, 0.049 and 0.049 for knowledge of,
barriers to and interest in AI), because that is how the exact test is built. It is
reported to show that a range straddling alpha carries no evidence either way, not
as a probability that sectors differ; no such probability exists without the
sector breakdown.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import contingency, plan
from .published import (PublishedDataError, implied_counts, read_published_aggregates, sector_sizes, table1_counts,
                        total_only_count)

CONSTRAINT_SETS = {"hard": ("H1", "H2", "H3", "H4", "definition"),
                   "hard+assumptions": ("H1", "H2", "H3", "H4", "definition", "A1", "A2", "A3", "A4")}

#: Total-only variables and the constraint ids that bear on them.
VARIABLES = {
    "digital_tool_status": ("H1", "H2", "A1", "A2"),
    "has_structured_it_equipment": (),
    "has_stable_internet": (),
    "uses_specific_digital_solutions": ("H1", "H2", "H3", "A1", "A2", "A3"),
    "heard_of_ai": ("H1", "H2", "H4", "A4"),
    "used_ai_tool": ("H1", "H2", "H4", "A4"),
    "interested_in_ai": ("definition", "H1", "H2", "H4", "A4"),
    "reports_ai_barriers": (),
    "neither_knows_nor_interested_ai": ("definition", "H1", "H2", "H4", "A4"),
}


#: Lowest p-value drawn on the range figure's log axis: smaller minima are clipped there
#: (``p_exact_min_below_axis`` says which, so the figure can mark them).
RANGE_AXIS_FLOOR = 1e-6


def compositions(total: int, caps) -> np.ndarray:
    """Every split of ``total`` into parts bounded by ``caps`` (one row per split).

    Examples
    --------
    >>> compositions(2, [1, 2]).tolist()
    [[0, 2], [1, 1]]
    """
    return contingency.tables_r_by_2(np.asarray(caps), int(total))


def _fits_under(small: np.ndarray, large: np.ndarray) -> np.ndarray:
    """Matrix (len(small), len(large)): whether each ``small`` split fits under each ``large`` split.

    Read by row (``.any(axis=1)``): which small splits fit under some large one; by column
    (``.any(axis=0)``): which large splits have some small one under them.
    """
    return (small[:, None, :] <= large[None, :, :]).all(axis=2)


def feasible_breakdowns(published: pd.DataFrame, constraint_set: str = "hard+assumptions") -> dict:
    """Every sector breakdown of each total-only variable that the constraints allow.

    Returns
    -------
    dict
        variable -> ndarray of sector tables: shape (K, 4) for yes/no variables
        (the "yes" counts), (K, 4, 3) for ``digital_tool_status`` (uses, none, unclassified).
    """
    if constraint_set not in CONSTRAINT_SETS:
        raise ValueError(f"constraint_set must be one of {list(CONSTRAINT_SETS)}")
    assume = constraint_set == "hard+assumptions"
    n = sector_sizes(published).to_numpy()
    table1 = table1_counts(published)
    online = np.maximum(table1.loc["uses_social_media"].to_numpy(), table1.loc["sells_online_platform"].to_numpy())

    implied = implied_counts(published)

    def total(variable, category=""):
        return total_only_count(published, variable, category, counts=implied)

    none = compositions(total("digital_tool_status", "none"), n - online)                      # H1, H2
    uses_all = compositions(total("digital_tool_status", "uses"), n)
    u3, z3 = uses_all[:, None, :], none[None, :, :]
    ok = (u3 + z3 <= n).all(axis=2)
    if assume:
        ok &= (online <= np.minimum(u3, n - z3)).all(axis=2)                                    # A1, A2
    ui, zi = np.nonzero(ok)
    status = np.stack([uses_all[ui], none[zi], n - uses_all[ui] - none[zi]], axis=2)
    uses = np.unique(uses_all[ui], axis=0)
    room = n - none                                                                               # H3, H4

    solutions = compositions(total("uses_specific_digital_solutions"), n)
    solutions = solutions[_fits_under(solutions, uses if assume else room).any(axis=1)]           # A3 / H3

    used = compositions(total("used_ai_tool"), n)
    used = used[_fits_under(used, room).any(axis=1)]                                             # H4
    heard = compositions(total("heard_of_ai"), n)
    if assume:                                                                                   # A4
        heard = heard[_fits_under(used, heard).any(axis=0)]
        used = used[_fits_under(used, heard).any(axis=1)]

    n_interested, n_neither = total("interested_in_ai"), total("neither_knows_nor_interested_ai")
    n_both = total("heard_of_ai") + n_interested - (int(n.sum()) - n_neither)
    interested_all = compositions(n_interested, n)
    both_all = compositions(n_both, n)
    interested, neither = set(), set()
    for h in heard:
        for b in both_all[(both_all <= h).all(axis=1)]:
            ok = (b <= interested_all).all(axis=1) & ((h[None, :] + interested_all - b) <= n).all(axis=1)
            for i in interested_all[ok]:
                interested.add(tuple(i))
                neither.add(tuple(n - h - i + b))
    return {
        "digital_tool_status": status,
        "has_structured_it_equipment": compositions(total("has_structured_it_equipment"), n),
        "has_stable_internet": compositions(total("has_stable_internet"), n),
        "uses_specific_digital_solutions": solutions,
        "heard_of_ai": heard,
        "used_ai_tool": used,
        "interested_in_ai": np.array(sorted(interested)),
        "reports_ai_barriers": compositions(total("reports_ai_barriers"), n),
        "neither_knows_nor_interested_ai": np.array(sorted(neither)),
    }



def _as_full_table(breakdown, n):
    breakdown = np.asarray(breakdown)
    return breakdown if breakdown.ndim == 2 else np.column_stack([n - breakdown, breakdown])


def null_weights(tables) -> np.ndarray:
    """Probability of each sector table under independence, given its margins (multivariate hypergeometric).

    All the breakdowns of one variable share their margins (sector sizes, published total),
    so these are the chances of each breakdown if sector had nothing to do with the answer.

    Examples
    --------
    >>> null_weights([[[1, 1], [1, 1]], [[2, 0], [0, 2]]]).round(4).tolist()  # 2 x 2, margins 2/2
    [0.6667, 0.1667]
    """
    return np.exp([contingency.log_table_probability(t) for t in np.asarray(tables)])


def null_share_below(p_values, weights, alpha: float = plan.ALPHA) -> float:
    """Share of the breakdowns' null probability on those whose exact p is below ``alpha``.

    Normalised over the feasible breakdowns: the chance, if sectors did not differ and the
    constraints hold, that the unseen breakdown makes the test reject.

    Examples
    --------
    >>> null_share_below([0.01, 0.5], [0.1, 0.3])
    0.25
    """
    p_values, weights = np.asarray(p_values, dtype=float), np.asarray(weights, dtype=float)
    return float(weights[p_values < alpha].sum() / weights.sum())


def identification_ranges(published: pd.DataFrame | None = None,
                          constraint_sets=("hard", "hard+assumptions"), alpha: float = plan.ALPHA) -> pd.DataFrame:
    """Range of the exact p-value and Cramer's V over every feasible sector breakdown.

    Returns
    -------
    pandas.DataFrame
        One row per total-only variable and constraint set: ``variable, constraint_set,
        constraints, n_breakdowns, p_exact_min, p_exact_max, p_exact_min_below_axis,
        cramers_v_min, cramers_v_max, breakdown_p_min, breakdown_p_max,
        null_share_p_below_alpha`` (breakdowns as "yes" counts per sector in the order
        Agriculture, Artisanat, Services, Autres; ``p_exact_min_below_axis``: the minimum
        lies below :data:`RANGE_AXIS_FLOOR`, where the range figure clips it;
        ``null_share_p_below_alpha``: :func:`null_share_below`).
    """
    published = read_published_aggregates() if published is None else published
    n = sector_sizes(published).to_numpy()
    rows = []
    for constraint_set in constraint_sets:
        breakdowns = feasible_breakdowns(published, constraint_set)
        allowed = set(CONSTRAINT_SETS[constraint_set])
        for variable, splits in breakdowns.items():
            if len(splits) == 0:
                raise PublishedDataError(f"no sector breakdown of {variable} satisfies the constraints")
            full = np.array([_as_full_table(s, n) for s in splits])
            p_values = np.array([contingency.fisher_freeman_halton(t) for t in full])
            v = contingency.cramers_v_many(full)
            lo, hi = int(np.argmin(p_values)), int(np.argmax(p_values))
            rows.append({
                "variable": variable, "constraint_set": constraint_set,
                "constraints": " ".join(c for c in VARIABLES[variable] if c in allowed) or "none",
                "n_breakdowns": len(splits),
                "p_exact_min": float(p_values.min()), "p_exact_max": float(p_values.max()),
                "p_exact_min_below_axis": bool(p_values.min() < RANGE_AXIS_FLOOR),
                "cramers_v_min": float(v.min()), "cramers_v_max": float(v.max()),
                "breakdown_p_min": _describe(splits[lo]), "breakdown_p_max": _describe(splits[hi]),
                "null_share_p_below_alpha": null_share_below(p_values, null_weights(full), alpha),
            })
    return pd.DataFrame(rows)


def _describe(split) -> str:
    split = np.asarray(split)
    if split.ndim == 1:
        return "-".join(str(int(x)) for x in split)
    return " ".join("/".join(str(int(x)) for x in row) for row in split)
