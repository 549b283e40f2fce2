"""Design-based analysis of a stratified, clustered, weighted survey (the reference is R's survey package).

A replication that samples cooperatives from a registry (strata such as regions, clusters
such as communes, unequal weights) cannot be analysed as if every cooperative had been
drawn with equal chance: weights change the estimates, clusters and strata change their
variance. This module computes, for a declared :class:`Design`,

* design-based proportions with Taylor-linearisation standard errors, the design effect,
  the logit interval (what R's ``svyciprop`` computes by default) and the Korn-Graubard
  interval (``svyciprop(method = "beta")``) beside it, overall and by sector;
* the Rao-Scott second-order corrected test of association with the sector
  (``svychisq(statistic = "F")``: F, its two degrees of freedom, p), with the first-order
  corrected chi-square (``svychisq(statistic = "Chisq")``) beside it.

Which library computes what
---------------------------
Two candidates on PyPI were run against R's survey package 4.1.1 on the generated survey of
``tests/fixtures/design`` (three designs; figures in ``tests/fixtures/design/COMPARISON.md``):

* **svy** (0.35.0, maintained; MIT) matches R to 1e-9 or better for every proportion, standard
  error, design effect and logit interval (domain degrees of freedom included), and for the
  Rao-Scott second-order F, its two degrees of freedom and p. It computes those here.
* Its Korn-Graubard interval differs from R's ``svyciprop(method = "beta")`` by up to 0.066,
  and the p-value it prints beside Pearson's X^2 is not R's first-order correction (up to 1e-3
  apart, relative). Both are therefore written here, from R's formulas: the Korn-Graubard
  interval from svy's estimate and standard error (:func:`korn_graubard_interval`), the
  first-order statistic as F (r - 1)(c - 1) = X^2 / mean(diag(Delta)).
* **samplics** (0.6.1, archived by its authors in favour of svy) has no "adjust" lonely-PSU
  rule, no design effect for proportions, uses the whole sample's degrees of freedom for a
  domain's interval, and its cross-tabulation fails on this survey: not used.
* The design checks (with the file, row and column of the fault) are written here too: svy's
  messages do not name a spreadsheet row.

Conventions (R's, stated once)
------------------------------
* Clusters are nested in strata (``svydesign(..., nest = TRUE)``): the same cluster label
  in two strata names two clusters.
* FPC is the **population number of primary sampling units in the stratum** (of
  cooperatives when no cluster is declared), not a sampling fraction; it must be constant
  within a stratum and at least the number sampled there.
* Without a weight column, weights are the population size over the sample size of each
  stratum when an FPC is given, else 1 (what ``svydesign`` assumes).
* A stratum with a single sampled cluster (a *lonely PSU*) is handled by the rule in
  :data:`coopai.plan.LONELY_PSU` (R's ``options(survey.lonely.psu = "adjust")``), or refused
  with ``lonely_psu="fail"`` (R's default).
* Degrees of freedom are the number of clusters minus the number of strata, counted in the
  domain for an interval (``degf`` of the subset design) and in the whole design for the
  Rao-Scott test (as ``svychisq`` does).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway contingency tables
with cell proportions estimated from survey data. *Annals of Statistics* 12, 46-60.
Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small
expected number of positive counts estimated from survey data. *Survey Methodology* 24, 193-201.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import plan
from .codebook import SECTORS
from .survey import SurveyDataError

#: Lonely-PSU rules understood (R's ``survey.lonely.psu`` names).
LONELY_PSU_RULES = ("adjust", "fail")

#: Column names of the tidy outputs (fixed: users' scripts read them).
PROPORTION_COLUMNS = ("variable", "category", "sector", "estimate", "se", "ci_low", "ci_high",
                      "ci_method", "deff", "n_unweighted")
TEST_COLUMNS = ("variable", "statistic", "f", "df1", "df2", "p", "chisq_first_order", "p_first_order")

#: Interval methods, as written in the ``ci_method`` column.
CI_LOGIT = "logit"
CI_KORN_GRAUBARD = "korn-graubard"
#: The test, as written in the ``statistic`` column.
RAO_SCOTT_F = "Rao-Scott F (second order)"

#: Below this, a stratum's sampling fraction is 1: every PSU was taken, it adds no variance (R's rule).
CERTAINTY_TOLERANCE = 1e-7


@dataclass(frozen=True)
class Design:
    """A declared survey design: which columns hold the weight, stratum, cluster and FPC.

    Every field is optional; an empty design (``Design()``) means the survey is analysed
    as a simple random sample, as the published study is.

    Examples
    --------
    >>> Design(weight="poids", strata="strate").describe()
    "weights 'poids', strata 'strate', lonely PSU rule: adjust"
    >>> bool(Design())
    False
    """

    weight: str | None = None
    strata: str | None = None
    cluster: str | None = None
    fpc: str | None = None
    lonely_psu: str = plan.LONELY_PSU

    def __post_init__(self):
        if self.lonely_psu not in LONELY_PSU_RULES:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU_RULES}, not {self.lonely_psu!r}")
        names = [name for name in self.columns if name is not None]
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"a design column name must be a non-empty text, not {name!r}")
        if len(set(names)) != len(names):
            raise ValueError(f"one column declared for two design roles: {names}")

    @property
    def columns(self) -> tuple:
        """The declared column names in the order weight, strata, cluster, fpc (None when absent)."""
        return (self.weight, self.strata, self.cluster, self.fpc)

    @property
    def declared(self) -> tuple[str, ...]:
        """The column names actually declared."""
        return tuple(name for name in self.columns if name)

    def __bool__(self) -> bool:
        return bool(self.declared)

    def describe(self) -> str:
        """One line naming the design, written into every design-based output."""
        if not self:
            return "no design declared: simple random sample"
        parts = []
        for role, name in zip(("weights", "strata", "clusters", "FPC"), self.columns):
            if name:
                parts.append(f"{role} '{name}'")
        if self.fpc:
            parts[-1] += " (population PSUs per stratum)"
        return ", ".join(parts) + f", lonely PSU rule: {self.lonely_psu}"


def from_parameters(weight: str = "", strata: str = "", cluster: str = "", fpc: str = "") -> Design:
    """The design a run declares (make's ``WEIGHT``, ``STRATA``, ``CLUSTER``, ``FPC``; empty: not declared).

    Examples
    --------
    >>> from_parameters(weight="poids").weight, bool(from_parameters())
    ('poids', False)
    """
    return Design(weight=weight or None, strata=strata or None, cluster=cluster or None, fpc=fpc or None)


@dataclass(frozen=True)
class PreparedDesign:
    """A design checked against a survey, as arrays (built by :func:`prepare`)."""

    design: Design
    weights: np.ndarray           # (n,) positive, finite
    stratum: np.ndarray           # (n,) stratum index
    psu: np.ndarray               # (n,) PSU index, PSUs nested in strata
    psu_stratum: np.ndarray       # (n_psu,) stratum of each PSU
    psus_per_stratum: np.ndarray  # (n_strata,)
    sampling_fraction: np.ndarray  # (n_strata,) n_h / N_h, 0 without FPC
    stratum_names: tuple
    lonely_strata: tuple

    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R's ``degf``)."""
        return int(len(self.psu_stratum) - len(self.psus_per_stratum))

    def domain_degf(self, mask: np.ndarray) -> int:
        """Degrees of freedom of a domain: its PSUs minus its strata (``degf`` of the subset design)."""
        return int(len(np.unique(self.psu[mask])) - len(np.unique(self.stratum[mask])))


def _numeric(survey, column, file, row_of):
    values = pd.to_numeric(survey[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise SurveyDataError(file, f"design column needs a finite number, found {survey[column].iloc[position]!r}",
                                   row=row_of(position), column=column)
    return values


def _labels(survey, column, file, row_of):
    values = survey[column]
    missing = values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()
    if missing.any():
        raise SurveyDataError(file, "design column has an empty cell", row=row_of(np.flatnonzero(missing)[0]),
                                   column=column)
    return values.astype(str).to_numpy()


def prepare(survey: pd.DataFrame, design: Design, file="survey", rows=None) -> PreparedDesign:
    """Check a declared design against a survey and return it as arrays.

    Checks, each failing with a :class:`coopai.survey.SurveyDataError` naming the file, the
    spreadsheet row (header = row 1) and the column: declared columns exist; weights are
    finite and positive; strata and clusters have no empty cell; the FPC is a finite number,
    constant within a stratum and not smaller than the stratum's sampled PSUs (it is the
    population number of PSUs, not a fraction); a stratum with a single PSU is refused under
    ``lonely_psu="fail"``.

    Examples
    --------
    >>> s = pd.DataFrame({"w": [2.0, 2.0, 4.0, 4.0], "h": ["a", "a", "b", "b"]})
    >>> p = prepare(s, Design(weight="w", strata="h"))
    >>> p.degf, p.stratum_names
    (2, ('a', 'b'))
    >>> prepare(s.assign(w=[2.0, 0.0, 4.0, 4.0]), Design(weight="w"), file="s.csv")
    Traceback (most recent call last):
    ...
    coopai.survey.SurveyDataError: file s.csv, row 3, column 'w': a weight must be positive, found 0
    """
    # Rows as a spreadsheet shows them: the loader's, else the header in row 1 and no gap.
    def row_of(position):
        return int(rows[position]) if rows is not None else int(position) + 2

    missing = [name for name in design.declared if name not in survey.columns]
    if missing:
        raise SurveyDataError(file, f"declared design column not found (columns: {', '.join(map(str, survey.columns))})",
                                   column=missing[0])
    n = len(survey)
    if n == 0:
        raise SurveyDataError(file, "no cooperative to analyse")

    if design.strata:
        stratum_labels = _labels(survey, design.strata, file, row_of)
    else:
        stratum_labels = np.full(n, "(one stratum)", dtype=object)
    stratum_names, stratum = np.unique(stratum_labels, return_inverse=True)
    if design.cluster:
        cluster_labels = _labels(survey, design.cluster, file, row_of)
        pairs = pd.MultiIndex.from_arrays([stratum, cluster_labels])
        psu_codes, psu_index = pd.factorize(pairs, sort=True)
        psu = np.asarray(psu_codes)
        psu_stratum = np.asarray(psu_index.get_level_values(0), dtype=np.int64)
    else:
        psu = np.arange(n)
        psu_stratum = stratum.copy()
    psus_per_stratum = np.bincount(psu_stratum, minlength=len(stratum_names))

    sampling_fraction = np.zeros(len(stratum_names))
    if design.fpc:
        fpc = _numeric(survey, design.fpc, file, row_of)
        first = pd.Series(fpc).groupby(stratum).transform("first").to_numpy()
        differs = fpc != first
        if differs.any():
            position = int(np.flatnonzero(differs)[0])
            raise SurveyDataError(
                file, f"FPC must be the same within a stratum: {fpc[position]:g} here, {first[position]:g} earlier in "
                      f"stratum '{stratum_names[stratum[position]]}'", row=row_of(position), column=design.fpc)
        population = pd.Series(fpc).groupby(stratum).first().to_numpy()
        small = population < psus_per_stratum
        if small.any():
            h = int(np.flatnonzero(small)[0])
            position = int(np.flatnonzero(stratum == h)[0])
            unit = "clusters" if design.cluster else "cooperatives"
            raise SurveyDataError(
                file, f"FPC {population[h]:g} is smaller than the {psus_per_stratum[h]} {unit} sampled in stratum "
                      f"'{stratum_names[h]}' (FPC is the population number of {unit} in the stratum, not a fraction)",
                row=row_of(position), column=design.fpc)
        sampling_fraction = psus_per_stratum / population

    if design.weight:
        weights = _numeric(survey, design.weight, file, row_of)
        bad = weights <= 0
        if bad.any():
            position = int(np.flatnonzero(bad)[0])
            raise SurveyDataError(file, f"a weight must be positive, found {weights[position]:g}",
                                       row=row_of(position), column=design.weight)
    elif design.fpc:
        weights = 1.0 / sampling_fraction[stratum]
    else:
        weights = np.ones(n)

    lonely = tuple(str(stratum_names[h]) for h in np.flatnonzero(psus_per_stratum == 1)
                   if sampling_fraction[h] < 1 - CERTAINTY_TOLERANCE)
    if lonely and design.lonely_psu == "fail":
        position = int(np.flatnonzero(stratum_labels == lonely[0])[0])
        raise SurveyDataError(
            file, f"stratum '{lonely[0]}' has a single cluster: its variance cannot be estimated (declare the "
                  "'adjust' lonely-PSU rule, or merge it with a similar stratum)", row=row_of(position),
            column=design.strata or design.cluster)

    return PreparedDesign(design=design, weights=weights, stratum=stratum, psu=psu, psu_stratum=psu_stratum,
                          psus_per_stratum=psus_per_stratum, sampling_fraction=sampling_fraction,
                          stratum_names=tuple(str(s) for s in stratum_names), lonely_strata=lonely)


# --------------------------------------------------------------------------
# Proportions and tests (svy computes; see the module docstring)
# --------------------------------------------------------------------------

def _split(variable: str) -> tuple[str, str]:
    return tuple(variable.split("=", 1)) if "=" in variable else (variable, "")


def sector_domains(survey: pd.DataFrame, by: str = "sector") -> list[str]:
    """``Total`` then each sector present, in the paper's order (other labels after, sorted).

    Examples
    --------
    >>> sector_domains(pd.DataFrame({"sector": ["Autres", "Agriculture", "Autres"]}))
    ['Total', 'Agriculture', 'Autres']
    """
    present = set(survey[by].astype(str))
    return ["Total"] + [s for s in SECTORS if s in present] + sorted(present - set(SECTORS))


def _sample(prepared: PreparedDesign, columns: dict):
    """An ``svy.Sample`` of the design's arrays and the given analysis columns (numpy arrays).

    The design enters as arrays already checked by :func:`prepare`: weights (computed from the
    FPC when none is declared), stratum and PSU indices (PSUs nested in strata), and the FPC
    as the population number of PSUs of the row's stratum.
    """
    import polars as pl
    import svy  # imported only when a design is analysed: the published study never needs it

    frame = {"_w": prepared.weights}
    design = prepared.design
    if design.strata:
        frame["_stratum"] = prepared.stratum
    if design.cluster:
        frame["_psu"] = prepared.psu
    if design.fpc:
        frame["_fpc"] = (prepared.psus_per_stratum / prepared.sampling_fraction)[prepared.stratum]
    frame.update(columns)
    # svy's "center" is R's survey.lonely.psu = "adjust" (checked against R in the tests).
    singleton = svy.Singleton(svy.SingletonMethod.CENTER) if design.strata else None
    return svy.Sample(pl.DataFrame(frame), svy.Design(
        stratum="_stratum" if design.strata else None, psu="_psu" if design.cluster else None, wgt="_w",
        pop_size="_fpc" if design.fpc else None, singleton=singleton))


def proportion_variables(survey: pd.DataFrame, by: str = "sector") -> list[str]:
    """The shares a design-based table reports: every yes/no column, then every answer of each category column.

    Categories of ``by`` itself (the sectors' shares) come last; :func:`design_proportions`
    reports them for the whole survey only.

    Examples
    --------
    >>> s = pd.DataFrame({"sector": pd.Categorical(["A", "B"]), "x": [True, False],
    ...                   "c": pd.Categorical(["u", "u"], categories=["u", "v"])})
    >>> proportion_variables(s)
    ['x', 'c=u', 'c=v', 'sector=A', 'sector=B']
    """
    booleans = [c for c in survey.columns if survey[c].dtype == bool]
    categorical = [c for c in survey.columns if isinstance(survey[c].dtype, pd.CategoricalDtype)
                   and c not in (by, "record_origin")]
    answers = [f"{c}={k}" for c in categorical for k in survey[c].cat.categories]
    sectors = [f"{by}={k}" for k in survey[by].cat.categories] if isinstance(survey[by].dtype, pd.CategoricalDtype) else []
    return booleans + answers + sectors


def korn_graubard_interval(p: float, se: float, n: int, df: int, alpha: float = plan.ALPHA) -> tuple[float, float]:
    """Korn and Graubard's (1998) interval: Clopper-Pearson at the effective sample size.

    n_eff = p (1 - p) / se^2, times (t(n - 1) / t(df))^2 to carry the design's degrees of
    freedom, as R's ``svyciprop(method = "beta")`` computes it (written here: svy's
    Korn-Graubard interval is not R's). Not defined at p = 0 or 1, at se = 0 or with df < 1 (NaN).

    Examples
    --------
    With se^2 = p(1 - p)/n and df = n - 1 it is the Clopper-Pearson interval of k = np:

    >>> from coopai.hypotheses import clopper_pearson
    >>> kg = korn_graubard_interval(0.3, math.sqrt(0.3 * 0.7 / 50), 50, 49)
    >>> bool(np.allclose(kg, clopper_pearson(15, 50)))
    True
    """
    if not (0 < p < 1) or df < 1 or n < 2 or not se > 0:
        return (math.nan, math.nan)
    n_eff = p * (1 - p) / se**2 * (sps.t.ppf(alpha / 2, n - 1) / sps.t.ppf(alpha / 2, df)) ** 2
    low = sps.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
    high = sps.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
    return (float(low), float(high))


#: Prefix of a negated indicator (the cooperatives *without* an answer), as
#: :func:`coopai.hypotheses.indicator_name` writes it for H2's indicators.
NEGATED_PREFIX = "lacks:"


def _hits(survey: pd.DataFrame, variable: str) -> np.ndarray:
    """Which cooperatives count for ``variable``: a yes/no column, ``column=category``, or ``lacks:...``."""
    from .stats import indicator_hits  # the one reader of yes/no and category indicators

    if variable.startswith(NEGATED_PREFIX):
        return ~indicator_hits(survey, variable[len(NEGATED_PREFIX):])
    return indicator_hits(survey, variable)


def interval_rows(table: pd.DataFrame, variables, sector: str = "Total", ci_method: str = CI_LOGIT) -> pd.DataFrame:
    """The rows of a :func:`design_proportions` table that a figure draws, one per ``variables`` entry, in order.

    ``variables`` are written as :func:`design_proportions` takes them (``x``,
    ``column=category``, ``lacks:x``); the result is indexed by them and holds ``estimate``,
    ``ci_low``, ``ci_high`` (of ``ci_method``) and ``n_unweighted``. A variable the table does not
    hold is an error (the figure would otherwise show a share nobody estimated).

    Examples
    --------
    >>> t = pd.DataFrame({"variable": ["x", "x", "c"], "category": ["", "", "u"], "sector": "Total",
    ...                   "estimate": [0.5, 0.5, 0.2], "ci_low": [0.4, 0.39, 0.1], "ci_high": [0.6, 0.61, 0.3],
    ...                   "ci_method": ["logit", "korn-graubard", "logit"], "n_unweighted": 10})
    >>> interval_rows(t, ["c=u", "x"])[["estimate", "ci_low"]].values.tolist()
    [[0.2, 0.1], [0.5, 0.4]]
    """
    chosen = table[(table["sector"] == sector) & (table["ci_method"] == ci_method)]
    category = chosen["category"].fillna("").astype(str)
    keys = np.where(category == "", chosen["variable"], chosen["variable"] + "=" + category)
    chosen = chosen.set_index(pd.Index(keys, name="key"))
    missing = [v for v in variables if v not in chosen.index]
    if missing:
        raise KeyError(f"the design-based table has no {ci_method} estimate of {missing} in {sector!r}")
    return chosen.loc[list(variables), ["estimate", "ci_low", "ci_high", "n_unweighted"]]


def design_proportions(survey: pd.DataFrame, prepared: PreparedDesign, variables, by: str = "sector",
                       alpha: float = plan.ALPHA) -> pd.DataFrame:
    """Design-based proportions overall and by sector, with standard error, design effect and intervals.

    svy computes the estimate, its Taylor-linearised standard error, the design effect (against
    simple random sampling without replacement, R's ``svymean(deff = TRUE)``) and the logit
    interval with the domain's degrees of freedom (R's ``svyciprop``); the Korn-Graubard
    interval is :func:`korn_graubard_interval`. A domain is estimated as R does after
    ``subset()`` (Lumley 2010, sec. 2.3.1). At an estimate of 0 or 1 no interval is defined
    (NaN), as R's ``svyciprop`` gives none either. When the weights do not add up to more than
    the sample (they do not count the population) the design effect is NaN, as R's is.

    Parameters
    ----------
    survey : DataFrame
        The survey (its rows in the order :func:`prepare` saw them).
    prepared : PreparedDesign
    variables : list of str
        Yes/no columns, ``"column=category"`` for one answer of a categorical column, or
        ``"lacks:column"`` for the cooperatives without a yes/no answer (H2's indicators).
    by : str
        The domain column (sector).

    Returns
    -------
    pandas.DataFrame
        :data:`PROPORTION_COLUMNS`: two rows per estimate, one per ``ci_method`` (``logit``,
        then ``korn-graubard``); ``sector`` is ``Total`` for the whole survey; ``category``
        is empty for a yes/no variable; ``n_unweighted`` counts the domain's cooperatives.

    Examples
    --------
    >>> survey = generate_design_survey(400, seed=3)
    >>> p = prepare(survey, Design(weight="poids", strata="strate", cluster="grappe", fpc="fpc"))
    >>> t = design_proportions(survey, p, ["direct_sales"])
    >>> t.loc[0, "sector"], t.loc[0, "ci_method"], int(t.loc[0, "n_unweighted"])
    ('Total', 'logit', 400)
    """
    names = [f"_v{j}" for j in range(len(variables))]
    columns = {name: _hits(survey, v).astype(np.int64) for name, v in zip(names, variables)}
    sectors = survey[by].astype(str).to_numpy()
    columns["_by"] = sectors
    sample = _sample(prepared, columns)
    found = {}
    for domain in (None, "_by"):
        try:
            estimates = sample.estimation.prop(names, by=domain, ci_method="logit", deff="wor", alpha=alpha)
        except Exception as err:  # svy refuses a design effect when weights do not count the population
            if "DEFF_NOT_COMPUTABLE" not in str(err):
                raise
            estimates = sample.estimation.prop(names, by=domain, ci_method="logit", alpha=alpha)
        for name, estimate in zip(names, estimates):
            table = estimate.to_polars()
            for row in table.filter(table[name] == 1).iter_rows(named=True):
                found[(name, row["_by"] if domain else "Total")] = row
    rows = []
    for sector in sector_domains(survey, by):
        mask = np.ones(prepared.n, dtype=bool) if sector == "Total" else sectors == sector
        n, df = int(mask.sum()), prepared.domain_degf(mask)
        for name, variable in zip(names, variables):
            if sector != "Total" and _split(variable)[0] == by:
                continue  # a sector's share within a sector is 1 by definition
            row = found.get((name, sector))
            if row is None:  # no cooperative of the domain has the answer: the estimate is 0, exactly
                p, se, deff, logit = 0.0, 0.0, math.nan, (math.nan, math.nan)
            else:
                p, se, deff = float(row["est"]), float(row["se"]), float(row.get("deff", math.nan))
                logit = (float(row["lci"]), float(row["uci"])) if 0 < p < 1 else (math.nan, math.nan)
                deff = deff if 0 < p < 1 else math.nan
            kg = korn_graubard_interval(p, se, n, df, alpha)
            variable_name, category = _split(variable)
            for method, (low, high) in ((CI_LOGIT, logit), (CI_KORN_GRAUBARD, kg)):
                rows.append((variable_name, category, sector, p, se, low, high, method, deff, n))
    return pd.DataFrame(rows, columns=list(PROPORTION_COLUMNS))


def expected_design_effect(table: pd.DataFrame) -> float:
    """The design effect a replication planner takes from a run: the mean over a table's overall estimates.

    Estimates without a design effect (a share of 0 or 1) are left out. NaN when none has one,
    which happens when the weights do not count the population (no weight and no FPC declared:
    the variance of a simple random sample *without replacement* of the whole population is 0,
    R's ``deff`` is then undefined too); the planner then has no design effect to use.

    Examples
    --------
    >>> t = pd.DataFrame({"sector": ["Total", "Total", "Total", "A"], "deff": [1.5, 2.5, float("nan"), 9.0]})
    >>> expected_design_effect(t)
    2.0
    >>> math.isnan(expected_design_effect(t.assign(deff=float("nan"))))
    True
    """
    effects = table.loc[table["sector"] == "Total", "deff"].dropna()
    return float(effects.mean()) if len(effects) else math.nan


def rao_scott(survey: pd.DataFrame, prepared: PreparedDesign, variable: str, by: str = "sector") -> dict:
    """Rao-Scott tests of association between ``by`` and ``variable`` (R's ``svychisq``).

    Pearson's X^2 is computed on the weighted table scaled to the sample size; its design
    effect matrix Delta (Rao and Scott 1984) compares the design covariance of the cell
    proportions with the multinomial one in the space of the interaction contrasts.

    * **Second order** (``statistic = "F"``, computed by svy): F = X^2 / tr(Delta) on
      d = tr(Delta)^2 / tr(Delta^2) and d nu degrees of freedom, nu = PSUs - strata.
    * **First order** (``statistic = "Chisq"``): X^2 / mean(diag(Delta)) = F (r - 1)(c - 1)
      on (r - 1)(c - 1) degrees of freedom (written here: svy reports X^2 with another p).

    Returns
    -------
    dict
        ``f, df1, df2, p, chisq_first_order, df_first_order, p_first_order, pearson``; NaN
        when fewer than two sectors or two answers are observed (no association to test).

    Examples
    --------
    Under a simple random sample (equal weights, no strata, clusters or FPC) Delta has the
    eigenvalues n/(n - 1), so the first-order statistic is Pearson's X^2 times (n - 1)/n:

    >>> from scipy.stats import chi2_contingency
    >>> s = pd.DataFrame({"sector": ["A"] * 6 + ["B"] * 6, "x": [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1]}).astype({"x": bool})
    >>> r = rao_scott(s, prepare(s, Design()), "x")
    >>> x2 = chi2_contingency(pd.crosstab(s.sector, s.x), correction=False)[0]
    >>> bool(np.isclose(r["chisq_first_order"], x2 * 11 / 12))
    True
    """
    return _rao_scott_tests(survey, prepared, [variable], by)[0]


def _test_values(column: pd.Series) -> np.ndarray:
    return column.astype(np.int64).to_numpy() if column.dtype == bool else column.astype(str).to_numpy()


def _rao_scott_tests(survey: pd.DataFrame, prepared: PreparedDesign, variables, by: str) -> list[dict]:
    """:func:`rao_scott` for several variables on one svy sample (built once: it is the slow step)."""
    sectors = survey[by].astype(str).to_numpy()
    columns = {"_by": sectors, **{f"_y{j}": _test_values(survey[v]) for j, v in enumerate(variables)}}
    sample = None
    results = []
    for j in range(len(variables)):
        nr, nc = len(np.unique(sectors)), len(np.unique(columns[f"_y{j}"]))
        if nr < 2 or nc < 2:
            results.append(dict.fromkeys(("f", "df1", "df2", "p", "chisq_first_order", "df_first_order",
                                          "p_first_order", "pearson"), math.nan))
            continue
        sample = sample or _sample(prepared, columns)
        results.append(_one_test(sample.categorical.tabulate("_by", f"_y{j}").stats, nr, nc))
    return results


def _one_test(stats, nr: int, nc: int) -> dict:
    df_first = (nr - 1) * (nc - 1)
    first_order = float(stats.f.value) * df_first
    return {"f": float(stats.f.value), "df1": float(stats.f.df_num), "df2": float(stats.f.df_den),
            "p": float(stats.f.p_value), "chisq_first_order": first_order, "df_first_order": df_first,
            "p_first_order": float(sps.chi2.sf(first_order, df_first)), "pearson": float(stats.chisq.value)}


def design_sector_tests(survey: pd.DataFrame, prepared: PreparedDesign, variables, by: str = "sector") -> pd.DataFrame:
    """The Rao-Scott sector test of each variable, tidy (:data:`TEST_COLUMNS`).

    ``f, df1, df2, p`` are the second-order test (the one to read); ``chisq_first_order``
    and ``p_first_order`` the first-order correction beside it.

    Examples
    --------
    >>> survey = generate_design_survey(400, seed=3)
    >>> p = prepare(survey, Design(weight="poids", strata="strate", cluster="grappe", fpc="fpc"))
    >>> list(design_sector_tests(survey, p, ["direct_sales"]).columns) == list(TEST_COLUMNS)
    True
    """
    rows = []
    for variable, r in zip(variables, _rao_scott_tests(survey, prepared, list(variables), by)):
        rows.append((variable, RAO_SCOTT_F, r["f"], r["df1"], r["df2"], r["p"], r["chisq_first_order"], r["p_first_order"]))
    return pd.DataFrame(rows, columns=list(TEST_COLUMNS))

# --------------------------------------------------------------------------
# A generated design survey (tests, fixture for R, benchmark)
# --------------------------------------------------------------------------

#: Strata of the generated survey: (region, communes in the population, communes sampled).
#: The last region has one sampled commune: a lonely PSU.
GENERATED_STRATA = (("Tanger-Tetouan-Al Hoceima", 40, 6), ("Rabat-Sale-Kenitra", 30, 5), ("Fes-Meknes", 24, 4),
                    ("Souss-Massa", 15, 4), ("Oriental", 8, 3), ("Draa-Tafilalet", 5, 1))


def generate_design_survey(n: int, seed: int = 0, strata=GENERATED_STRATA) -> pd.DataFrame:
    """A generated stratified two-stage survey: regions (``strate``), communes (``grappe``), weights (``poids``).

    Answers come from :func:`coopai.synthetic.generate_survey`; rows are then sorted by a
    noisy sector key before being cut into communes, so communes are alike in sector and
    answers cluster (design effects above 1). Each region samples ``n_h`` of its ``N_h``
    communes (``fpc`` = N_h) and a share of each commune's cooperatives; the weight is the
    inverse of the two selection probabilities. Not data about any real cooperative.

    Examples
    --------
    >>> s = generate_design_survey(300, seed=1)
    >>> len(s), len(s.groupby(["strate", "grappe"])), bool((s["poids"] > 0).all())
    (300, 23, True)
    """
    from . import synthetic  # it reads the published sector sizes: not a file an analysis should depend on

    rng = np.random.default_rng(seed)
    survey = synthetic.generate_survey(n, seed=seed)
    sector_rank = survey["sector"].map({s: i for i, s in enumerate(SECTORS)}).to_numpy()
    survey = survey.iloc[np.argsort(sector_rank + rng.normal(0.0, 1.5, n), kind="stable")].reset_index(drop=True)
    communes = sum(k for _, _, k in strata)
    if n < communes:
        raise ValueError(f"need at least one cooperative per sampled commune ({communes}), not {n}")
    # Consecutive blocks of the sorted rows are the communes, each of at least one cooperative.
    sizes = rng.multinomial(n - communes, np.full(communes, 1 / communes)) + 1
    starts = np.concatenate([[0], np.cumsum(sizes)])
    commune_of_slot = rng.permutation(communes)  # which block each (region, commune) slot receives
    blocks, columns = [], {"strate": [], "grappe": [], "poids": [], "fpc": []}
    slot = 0
    for region, population, k in strata:
        for j in range(k):
            block = commune_of_slot[slot]
            slot += 1
            m = int(sizes[block])
            commune_population = m * int(rng.integers(2, 9))
            blocks.append(np.arange(starts[block], starts[block + 1]))
            columns["strate"] += [region] * m
            columns["grappe"] += [f"C{j + 1:02d}"] * m  # labels repeat across regions: clusters nested in strata
            columns["poids"] += [(population / k) * (commune_population / m)] * m
            columns["fpc"] += [population] * m
    survey = survey.iloc[np.concatenate(blocks)].reset_index(drop=True)
    for position, (name, values) in enumerate(columns.items(), start=1):
        survey.insert(position, name, values)
    return survey
