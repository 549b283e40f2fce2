"""The paper's published aggregates, as transcribed, and the counts they imply.

``data/published`` holds the numbers as printed. This module reads them, checks that they
hold together (sector sizes add up to the sample, Table 1 totals to their sectors), finds the
one count each printed percentage stands for, and recomputes every published aggregate from
respondent data (:func:`compare_with_published`).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from . import config
from .codebook import PRACTICES, SECTORS


class PublishedDataError(ValueError):
    """The transcribed published aggregates are incomplete or cannot hold together."""


PUBLISHED_COLUMNS = (
    "aggregate_id", "location", "section", "page", "variable", "category",
    "sector", "unit", "value", "printed", "note",
)


def read_published_aggregates(path=None) -> pd.DataFrame:
    """Read the paper's survey aggregates as transcribed, one printed number a row.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to ``data/published/survey_aggregates.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``aggregate_id, location, section, page, variable, category,
        sector, unit, value, printed, note`` plus ``decimals`` (the printed
        precision of ``value``). ``value`` is a float.

    Examples
    --------
    >>> pub = read_published_aggregates()
    >>> row = pub.set_index("aggregate_id").loc["T11"]
    >>> row["variable"], float(row["value"]), row["printed"]
    ('uses_social_media', 15.0, '15')
    """
    path = config.resolve(path or config.PUBLISHED_AGGREGATES)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in PUBLISHED_COLUMNS if c not in table.columns]
    if missing:
        raise PublishedDataError(f"{path.name}: missing columns {missing}")
    duplicated = table["aggregate_id"][table["aggregate_id"].duplicated()]
    if len(duplicated):
        raise PublishedDataError(f"{path.name}: aggregate_id repeated: {sorted(set(duplicated))}")
    bad_unit = table.loc[~table["unit"].isin(["count", "percent"]), "aggregate_id"]
    if len(bad_unit):
        raise PublishedDataError(f"{path.name}: unit must be count or percent (rows {list(bad_unit)})")
    table["decimals"] = table["value"].map(lambda v: len(v.split(".")[1]) if "." in v else 0)
    try:
        table["value"] = table["value"].astype(float)
    except ValueError as err:
        raise PublishedDataError(f"{path.name}: a value is not a number ({err})") from None
    return table


def _one(published: pd.DataFrame, **where) -> float:
    """The value of the one published row matching ``where`` (numpy masks: called often)."""
    mask = np.ones(len(published), dtype=bool)
    for column, value in where.items():
        mask &= published[column].to_numpy() == value
    rows = np.flatnonzero(mask)
    if len(rows) != 1:
        raise PublishedDataError(f"expected one published row for {where}, found {len(rows)}")
    return float(published["value"].to_numpy()[rows[0]])


def sample_size(published: pd.DataFrame) -> int:
    """Number of cooperatives surveyed (30 in the paper).

    Examples
    --------
    >>> sample_size(read_published_aggregates())
    30
    """
    return int(_one(published, variable="sample_size", unit="count"))


def sector_sizes(published: pd.DataFrame) -> pd.Series:
    """Cooperatives per sector from Table 1's header, in the paper's sector order.

    Raises
    ------
    PublishedDataError
        When the sector sizes do not add up to the sample size.

    Examples
    --------
    >>> sector_sizes(read_published_aggregates()).to_dict()
    {'Agriculture': 14, 'Artisanat': 8, 'Services': 5, 'Autres': 3}
    """
    sizes = pd.Series(
        {s: int(_one(published, variable="sector", sector=s, unit="count")) for s in SECTORS},
        name="n",
    )
    total = sample_size(published)
    if sizes.sum() != total:
        raise PublishedDataError(
            f"sector sizes add up to {sizes.sum()}, but the sample size is {total}"
        )
    return sizes


@functools.lru_cache(maxsize=1)
def paper_sector_sizes() -> tuple[int, ...]:
    """The paper's sector sizes (Table 1's header, ``data/published``), in the paper's sector order.

    Examples
    --------
    >>> paper_sector_sizes()
    (14, 8, 5, 3)
    """
    return tuple(int(n) for n in sector_sizes(read_published_aggregates()))


def table1_counts(published: pd.DataFrame) -> pd.DataFrame:
    """Table 1 counts: one row per practice, one column per sector.

    Raises
    ------
    PublishedDataError
        When a count is negative, exceeds its sector's size, or the printed
        total differs from the sum over sectors.

    Examples
    --------
    >>> table1_counts(read_published_aggregates()).loc["uses_social_media"].tolist()
    [4, 5, 4, 2]
    """
    sizes = sector_sizes(published)
    counts = pd.DataFrame(
        [[int(_one(published, variable=p, sector=s, unit="count")) for s in SECTORS] for p in PRACTICES],
        index=pd.Index(PRACTICES, name="practice"),
        columns=pd.Index(SECTORS, name="sector"),
    )
    for practice in PRACTICES:
        for sector in SECTORS:
            k = counts.loc[practice, sector]
            if not 0 <= k <= sizes[sector]:
                raise PublishedDataError(
                    f"Table 1: {practice} in {sector} is {k}, outside 0..{sizes[sector]}"
                )
        total = int(_one(published, variable=practice, sector="Total", unit="count"))
        if total != counts.loc[practice].sum():
            raise PublishedDataError(
                f"Table 1: total for {practice} is printed as {total} but its sectors add up to "
                f"{counts.loc[practice].sum()}"
            )
    return counts


def implied_count(percent: float, n: int, decimals: int) -> int:
    """The count out of ``n`` that a percentage printed with ``decimals`` decimals stands for.

    A count ``k`` fits when ``100 k / n`` rounds (half up) to the printed value at
    the printed precision. Exactly one count must fit.

    Examples
    --------
    >>> implied_count(36.7, 30, 1)
    11
    >>> implied_count(56.7, 30, 1)
    17
    """
    half = 0.5 * 10.0 ** (-decimals)
    fits = [k for k in range(n + 1) if abs(100.0 * k / n - percent) <= half + 1e-9]
    if len(fits) != 1:
        raise PublishedDataError(
            f"{percent} % of {n} printed with {decimals} decimals fits counts {fits}, not exactly one"
        )
    return fits[0]


def total_only_counts(published: pd.DataFrame) -> pd.DataFrame:
    """Counts implied by the percentages published only for all cooperatives.

    These are the digitalisation (Figure 3) and AI (Figures 4-5) figures, given
    in the text as percentages of the 30 cooperatives.

    Returns
    -------
    pandas.DataFrame
        Columns ``aggregate_id, variable, category, percent, decimals, count, n``.

    Examples
    --------
    >>> c = total_only_counts(read_published_aggregates())
    >>> c.set_index("aggregate_id").loc[["D01", "D05", "A03"], "count"].tolist()
    [18, 6, 17]
    """
    n = sample_size(published)
    rows = published[(published["sector"] == "Total") & (published["unit"] == "percent")
                      & ~published["variable"].isin(PRACTICES + ("sector",))]
    out = rows[["aggregate_id", "variable", "category", "value", "decimals"]].rename(columns={"value": "percent"})
    out = out.assign(
        count=[implied_count(p, n, d) for p, d in zip(out["percent"], out["decimals"])],
        n=n,
    )
    return out.reset_index(drop=True)


def implied_counts(published: pd.DataFrame) -> dict[tuple[str, str], int]:
    """The counts of :func:`total_only_counts` keyed by ``(variable, category)``, computed once.

    Examples
    --------
    >>> implied_counts(read_published_aggregates())[("digital_tool_status", "uses")]
    18
    """
    counts = total_only_counts(published)
    return {(v, c): int(k) for v, c, k in zip(counts["variable"], counts["category"], counts["count"])}


def total_only_count(published: pd.DataFrame, variable: str, category: str = "", counts=None) -> int:
    """One implied count of :func:`total_only_counts`; pass ``counts`` (:func:`implied_counts`) when
    looking up several, so they are computed once.

    Examples
    --------
    >>> total_only_count(read_published_aggregates(), "reports_ai_barriers")
    21
    """
    counts = implied_counts(published) if counts is None else counts
    if (variable, category) not in counts:
        raise PublishedDataError(f"no single published percentage for {variable} {category}".strip())
    return counts[(variable, category)]


class _SurveyCounts:
    """Counts of what published rows describe, from one survey's column arrays and sector masks.

    Each column and sector mask is turned into a numpy array once: a comparison with the
    published aggregates looks up some seventy rows, the rebuild does it for every draw.
    """

    def __init__(self, survey: pd.DataFrame):
        self.survey = survey
        self._masks: dict = {}

    def in_sector(self, sector: str) -> np.ndarray:
        if ("sector", sector) not in self._masks:
            self._masks[("sector", sector)] = (np.ones(len(self.survey), dtype=bool) if sector == "Total"
                                               else (self.survey["sector"] == sector).to_numpy())
        return self._masks[("sector", sector)]

    def hits(self, variable: str, category: str) -> np.ndarray:
        if variable == "sector":
            return self.in_sector(category)
        if (variable, category) not in self._masks:
            values = self.survey[variable]
            self._masks[(variable, category)] = ((values == category).to_numpy() if category
                                                 else values.astype(bool).to_numpy())
        return self._masks[(variable, category)]

    def count(self, variable: str, category: str = "", sector: str = "Total") -> int:
        if variable == "sample_size":
            return int(self.in_sector(sector).sum())
        return int((self.hits(variable, category) & self.in_sector(sector)).sum())


def published_count_of(survey: pd.DataFrame, variable: str, category: str = "", sector: str = "Total") -> int:
    """Count in ``survey`` of what a published row describes.

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> published_count_of(load_survey(), "uses_social_media", sector="Services")
    4
    """
    return _SurveyCounts(survey).count(variable, category, sector)


def compare_with_published(survey: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Recompute every published aggregate from respondent data, side by side.

    Percentages are compared at their printed precision (rounded half up);
    whether another rounding rule fits better is the audit's question.

    Returns
    -------
    pandas.DataFrame
        ``aggregate_id, variable, category, sector, unit, published, recomputed, matches``.

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> cmp = compare_with_published(load_survey(), read_published_aggregates())
    >>> int(cmp.loc[cmp["unit"] == "count", "matches"].all())
    1
    """
    rows = []
    counts = _SurveyCounts(survey)
    for rec in published.itertuples(index=False):
        count = counts.count(rec.variable, rec.category, rec.sector)
        if rec.unit == "count":
            recomputed = float(count)
            matches = recomputed == rec.value
        else:
            base = counts.count("sample_size", sector=rec.sector)
            recomputed = 100.0 * count / base if base else math.nan
            matches = abs(recomputed - rec.value) <= 0.5 * 10.0 ** (-rec.decimals) + 1e-9
        rows.append((rec.aggregate_id, rec.variable, rec.category, rec.sector, rec.unit, rec.value,
                     recomputed, bool(matches)))
    return pd.DataFrame(rows, columns=["aggregate_id", "variable", "category", "sector", "unit",
                                       "published", "recomputed", "matches"])


def read_sector_readings(path=None) -> pd.DataFrame:
    """The sector differences the paper reads into Table 1, paraphrased, with their location.

    Examples
    --------
    >>> read_sector_readings()["practice"].tolist()[:2]
    ['uses_social_media', 'direct_sales']
    """
    path = config.resolve(path or config.SECTOR_READINGS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)
