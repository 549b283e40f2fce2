"""Generated surveys for tests and benchmarks: answers varied like real ones, with sector effects.

Not data about any real cooperative: every value is drawn at random from shares loosely
modelled on the paper's, with a fixed seed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .codebook import PRACTICES, SECTORS
from .published import paper_sector_sizes

#: Sector shares as in the paper's sample.
SECTOR_SHARES = tuple(n / sum(paper_sector_sizes()) for n in paper_sector_sizes())
#: Probability of each practice (in Table 1's order) by sector (Agriculture, Artisanat, Services, Autres).
PRACTICE_RATES = dict(zip(PRACTICES, (
    (0.95, 0.6, 0.25, 0.65),
    (0.3, 0.6, 0.8, 0.65),
    (0.15, 0.25, 0.4, 0.3),
    (0.5, 0.5, 0.2, 0.35),
), strict=True))


def generate_survey(n: int, seed: int = 0, assumption_breach_rate: float = 0.01) -> pd.DataFrame:
    """A survey of ``n`` cooperatives in the codebook's columns, answers as ``oui``/``non``.

    It keeps every hard constraint; a share ``assumption_breach_rate`` of AI-tool users
    say they never heard of AI (assumption A4), as real answers sometimes do.

    Examples
    --------
    >>> s = generate_survey(200, seed=1)
    >>> len(s), sorted(s["sector"].unique())[:2]
    (200, ['Agriculture', 'Artisanat'])
    """
    rng = np.random.default_rng(seed)
    sector_index = rng.choice(len(SECTORS), size=n, p=SECTOR_SHARES)
    frame = pd.DataFrame({"cooperative_id": [f"C{i + 1:07d}" for i in range(n)],
                          "sector": np.array(SECTORS, dtype=object)[sector_index]})
    answers = {}
    for practice, rates in PRACTICE_RATES.items():
        answers[practice] = rng.random(n) < np.asarray(rates)[sector_index]
    online = answers["uses_social_media"] | answers["sells_online_platform"]
    uses = online | (rng.random(n) < 0.35)
    none = ~uses & (rng.random(n) < 0.6)
    status = np.where(uses, "uses", np.where(none, "none", "uses"))
    uses = status == "uses"
    answers["has_structured_it_equipment"] = rng.random(n) < np.where(uses, 0.45, 0.1)
    answers["has_stable_internet"] = rng.random(n) < np.where(uses, 0.5, 0.15)
    answers["uses_specific_digital_solutions"] = uses & (rng.random(n) < 0.35)
    heard = rng.random(n) < np.where(uses, 0.3, 0.05)
    used = heard & uses & (rng.random(n) < 0.5)
    breach = uses & ~heard & (rng.random(n) < assumption_breach_rate)
    answers["heard_of_ai"] = heard
    answers["used_ai_tool"] = used | breach
    answers["interested_in_ai"] = rng.random(n) < np.where(heard, 0.8, 0.5)
    answers["reports_ai_barriers"] = rng.random(n) < 0.7
    for name, values in answers.items():
        frame[name] = np.where(values, "oui", "non")
    frame["digital_tool_status"] = status
    columns = ["cooperative_id", "sector", *PRACTICES, "digital_tool_status", "has_structured_it_equipment",
               "has_stable_internet", "uses_specific_digital_solutions", "heard_of_ai", "used_ai_tool",
               "interested_in_ai", "reports_ai_barriers"]
    return frame[columns]
