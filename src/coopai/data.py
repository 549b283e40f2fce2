"""Published aggregates, codebook, constraints, and the survey loader.

Data flow one way: ``data/published`` (numbers as printed) -> ``coopai.rebuild``
(a respondent-level dataset) -> this module's :func:`load_survey` (validated
DataFrame) -> notebooks. A user's own survey file enters at :func:`load_survey`.

Nothing here writes into ``data/``: every function reads.
"""
from __future__ import annotations

import csv
import functools
import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths

#: Sector order as in the paper's Table 1 (and its Figure 2).
SECTORS = ("Agriculture", "Artisanat", "Services", "Autres")

#: The four marketing practices of Table 1, in the paper's row order.
PRACTICES = ("direct_sales", "uses_social_media", "sells_online_platform", "attends_trade_fairs")

#: Answers read as yes / no in boolean columns (compared case-insensitively).
TRUE_WORDS = frozenset({"1", "1.0", "true", "vrai", "yes", "y", "oui", "o"})
FALSE_WORDS = frozenset({"0", "0.0", "false", "faux", "no", "n", "non"})

#: Cells longer than this are refused: no survey answer is that long, and a
#: huge cell is more likely a broken export than data.
MAX_CELL_CHARS = 10_000

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@")


class PublishedDataError(ValueError):
    """The transcribed published aggregates are incomplete or cannot hold together."""


class SurveyDataError(ValueError):
    """A survey file cannot be used. The message names the file, row and column.

    Rows are numbered as a spreadsheet shows them: the header is row 1, the first
    cooperative row 2.
    """

    def __init__(self, file, message, row=None, column=None):
        self.file = str(file)
        self.row = row
        self.column = column
        where = [f"file {Path(self.file).name}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


class DirectIdentifierWarning(UserWarning):
    """A column that identifies a respondent was dropped."""


class AssumptionWarning(UserWarning):
    """Rows of real data break one of the rebuild's assumptions (not an error)."""


# --------------------------------------------------------------------------
# Published aggregates
# --------------------------------------------------------------------------

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
    path = paths.resolve(path or paths.PUBLISHED_AGGREGATES)
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


# --------------------------------------------------------------------------
# Codebook, labels and constraints
# --------------------------------------------------------------------------

CODEBOOK_ROLES = ("id", "survey", "derived", "provenance", "identifier", "metadata")


@functools.lru_cache(maxsize=16)
def _read_codebook_cached(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("name")


def read_codebook(path=None) -> pd.DataFrame:
    """Read the codebook: one row per variable with role, type, labels and source.

    Examples
    --------
    >>> cb = read_codebook()
    >>> cb.loc["uses_social_media", ["role", "type", "label_en"]].tolist()
    ['survey', 'boolean', 'Uses social media']
    """
    path = paths.resolve(path or paths.CODEBOOK)
    codebook = _read_codebook_cached(path).copy()  # a copy: callers may change theirs
    bad = codebook.index[~codebook["role"].isin(CODEBOOK_ROLES)]
    if len(bad):
        raise ValueError(f"{path.name}: unknown role for {list(bad)}; roles are {CODEBOOK_ROLES}")
    return codebook


def allowed_values(codebook: pd.DataFrame, variable: str) -> list[str]:
    """Allowed values of a categorical variable, in the codebook's order.

    Examples
    --------
    >>> allowed_values(read_codebook(), "sector")
    ['Agriculture', 'Artisanat', 'Services', 'Autres']
    """
    text = codebook.loc[variable, "allowed_values"]
    return [v for v in text.split("|") if v]


def variable_label(codebook: pd.DataFrame, variable: str, lang: str = "fr") -> str:
    """The French (default) or English label of a variable.

    Examples
    --------
    >>> variable_label(read_codebook(), "has_stable_internet", "en")
    'Stable internet access'
    """
    check_lang(lang)
    return codebook.loc[variable, f"label_{lang}"]


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is ``"fr"`` or ``"en"``, else raise ``ValueError``."""
    if lang not in ("fr", "en"):
        raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
    return lang


def category_labels(lang: str = "fr", path=None) -> dict[tuple[str, str], str]:
    """Labels of categories, keyed by ``(variable, value)``.

    Examples
    --------
    >>> category_labels("en")[("sector", "Artisanat")]
    'Crafts'
    """
    check_lang(lang)
    table = pd.read_csv(paths.resolve(path or paths.CATEGORY_LABELS), dtype=str, keep_default_na=False)
    return {(v, k): label for v, k, label in zip(table["variable"], table["value"], table[f"label_{lang}"])}


@dataclass(frozen=True)
class Constraint:
    """``if_variable == if_value`` implies ``then_variable == then_value``.

    ``kind`` is ``"hard"`` (an impossible answer: an error) or ``"assumption"``
    (one of the rebuild's assumptions: a warning on real data).
    """

    constraint_id: str
    kind: str
    if_variable: str
    if_value: object
    then_variable: str
    then_value: object
    label_fr: str
    label_en: str

    def breaches(self, survey: pd.DataFrame) -> pd.Series:
        """Boolean mask of the rows that break the constraint."""
        return (survey[self.if_variable] == self.if_value) & (survey[self.then_variable] != self.then_value)


def _constraint_value(codebook, variable, text):
    if codebook.loc[variable, "type"] == "boolean":
        return _parse_boolean_word(text)
    return text


def read_constraints(path=None, codebook=None) -> list[Constraint]:
    """Read the logical constraints between survey answers (data/constraints.csv).

    The file is parsed as structured implications; nothing in it is evaluated.

    Examples
    --------
    >>> [c.constraint_id for c in read_constraints() if c.kind == "hard"]
    ['H1', 'H2', 'H3', 'H4']
    """
    path = paths.resolve(path or paths.CONSTRAINTS)
    codebook = read_codebook() if codebook is None else codebook
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    constraints = []
    for i, row in table.iterrows():
        if row["class"] not in ("hard", "assumption"):
            raise ValueError(f"{path.name}, row {i + 2}: class must be hard or assumption")
        for var in (row["if_variable"], row["then_variable"]):
            if var not in codebook.index:
                raise ValueError(f"{path.name}, row {i + 2}: {var} is not in the codebook")
        constraints.append(Constraint(
            row["constraint_id"], row["class"],
            row["if_variable"], _constraint_value(codebook, row["if_variable"], row["if_value"]),
            row["then_variable"], _constraint_value(codebook, row["then_variable"], row["then_value"]),
            row["label_fr"], row["label_en"],
        ))
    return constraints


def constraint_breaches(survey: pd.DataFrame, constraints) -> pd.DataFrame:
    """Every row that breaks a constraint, one line per (constraint, row).

    Returns
    -------
    pandas.DataFrame
        Columns ``constraint_id, kind, row, cooperative_id, if_variable, then_variable``;
        ``row`` is the spreadsheet row (header = 1).

    Examples
    --------
    >>> survey = pd.DataFrame({"cooperative_id": ["a", "b"], "used_ai_tool": [True, True],
    ...                        "heard_of_ai": [True, False]})
    >>> c = Constraint("A4", "assumption", "used_ai_tool", True, "heard_of_ai", True, "", "")
    >>> constraint_breaches(survey, [c])[["constraint_id", "row", "cooperative_id"]].values.tolist()
    [['A4', 3, 'b']]
    """
    frames = []
    for c in constraints:
        mask = c.breaches(survey).to_numpy()
        if mask.any():
            positions = np.flatnonzero(mask)
            frames.append(pd.DataFrame({
                "constraint_id": c.constraint_id, "kind": c.kind, "row": positions + 2,
                "cooperative_id": survey["cooperative_id"].to_numpy()[positions],
                "if_variable": c.if_variable, "then_variable": c.then_variable,
            }))
    columns = ["constraint_id", "kind", "row", "cooperative_id", "if_variable", "then_variable"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


# --------------------------------------------------------------------------
# Loading a survey file
# --------------------------------------------------------------------------


def _parse_boolean_word(text):
    word = str(text).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _read_csv_text(path: Path) -> str:
    raw = path.read_bytes()
    if not raw.strip():
        raise SurveyDataError(path, "the file is empty")
    if b"\x00" in raw[:4096]:
        raise SurveyDataError(path, "this is not a text (CSV) file; save it as CSV (UTF-8) or XLSX")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # French Excel writes cp1252
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SurveyDataError(path, "cannot decode the file as UTF-8 or Latin-1")  # pragma: no cover


def read_table(path) -> pd.DataFrame:
    """Read a CSV (comma or semicolon; UTF-8, with or without BOM, or Latin-1), XLSX, SPSS or Stata file as text.

    Every cell comes back as a string (empty for a blank cell): typing is the
    codebook's job, in :func:`load_survey`.

    Raises
    ------
    SurveyDataError
        When the file is missing, empty, of an unsupported kind, or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyDataError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        text = _read_csv_text(path)
        header = text.splitlines()[0]
        delimiter = ";" if header.count(";") > header.count(",") else ","
        try:
            table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                                quoting=csv.QUOTE_MINIMAL, engine="c")
        except (pd.errors.ParserError, ValueError) as err:
            raise SurveyDataError(path, f"cannot parse as CSV: {err}") from None
    elif suffix in (".sav", ".dta"):
        from .formats import read_labelled

        try:
            table = read_labelled(path)
        except Exception as err:  # pyreadstat raises its own error kinds for a broken file
            raise SurveyDataError(path, f"cannot read as an SPSS or Stata file: {err}") from None
    elif suffix in (".xlsx", ".xlsm"):
        try:
            table = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        except Exception as err:  # openpyxl raises several kinds for a broken file
            raise SurveyDataError(path, f"cannot read as an Excel workbook: {err}") from None
    else:
        raise SurveyDataError(path, f"unsupported file type '{suffix}'; use .csv, .xlsx, .sav or .dta")
    table.columns = [str(c).strip().lstrip("\ufeff") for c in table.columns]
    if table.empty:
        raise SurveyDataError(path, "the file has a header but no cooperative rows", row=2)
    return table


def _first_row(mask) -> int:
    return int(np.flatnonzero(np.asarray(mask))[0]) + 2


def _check_cells(path, table):
    """Refuse huge cells and spreadsheet formulas before anything is typed."""
    for column in table.columns:
        values = table[column].astype(str)
        lengths = values.str.len()
        if (lengths > MAX_CELL_CHARS).any():
            raise SurveyDataError(path, f"a cell has {lengths.max():,} characters (limit {MAX_CELL_CHARS:,})",
                                  row=_first_row(lengths > MAX_CELL_CHARS), column=column)
        # "=", "+", "@" or "-" before a letter or bracket: what spreadsheets run as a formula
        formula = values.str.match(r"^(=|\+|@|-[A-Za-z(])")
        if formula.any():
            raise SurveyDataError(path, "a cell holds a spreadsheet formula; export values, not formulas",
                                  row=_first_row(formula), column=column)


def load_survey(path=None, codebook=None, constraints=None) -> pd.DataFrame:
    """Load and validate a survey file: one row per cooperative, typed by the codebook.

    Parameters
    ----------
    path : str or Path, optional
        A CSV or XLSX file. Defaults to the rebuilt dataset.
    codebook : DataFrame, optional
        From :func:`read_codebook`.
    constraints : list of Constraint, optional
        From :func:`read_constraints`.

    Returns
    -------
    pandas.DataFrame
        Booleans as ``bool``, ``sector`` and other categoricals as ordered
        ``Categorical``, derived variables added. ``attrs`` holds ``source_file``
        and ``rebuilt`` (True when every row was rebuilt from published aggregates).

    Raises
    ------
    SurveyDataError
        Unreadable file, missing survey column, unknown category, missing value
        where none is allowed, duplicate id, or a broken hard constraint. The
        message names the file, row and column. The file is only read.

    Warns
    -----
    DirectIdentifierWarning
        A direct identifier column (name, phone, e-mail) was dropped.
    AssumptionWarning
        Observed rows break one of the rebuild's assumptions.

    Examples
    --------
    >>> survey = load_survey()
    >>> len(survey), survey.attrs["rebuilt"]
    (30, True)
    >>> int(survey["uses_social_media"].sum())
    15
    """
    path = paths.resolve(path or paths.REBUILT_DATASET)
    codebook = read_codebook() if codebook is None else codebook
    constraints = read_constraints(codebook=codebook) if constraints is None else constraints
    table = read_table(path)
    from .formats import TOOL_IDENTIFIERS, design_columns, looks_like_identifier, normalise_columns

    design = design_columns(table.columns)
    if design:
        raise SurveyDataError(path, "survey weights, strata or clusters are not supported: every row is analysed as "
                                    "one cooperative of a simple random sample. Remove the column to analyse the "
                                    "file unweighted (and report it), or use survey software", row=1, column=design[0])
    try:
        table, _ = normalise_columns(table, set(codebook.index))
    except ValueError as err:
        raise SurveyDataError(path, str(err), row=1) from None

    roles = codebook["role"]
    for column in table.columns:
        role = roles.get(column)
        if role == "identifier" or (role is None and (column.lower() in TOOL_IDENTIFIERS
                                                      or looks_like_identifier(table[column]))):
            warnings.warn(f"{path.name}: column '{column}' identifies respondents; it was dropped",
                          DirectIdentifierWarning, stacklevel=2)
        elif role is None:
            warnings.warn(f"{path.name}: column '{column}' is not in the codebook; it was ignored",
                          UserWarning, stacklevel=2)
    keep = [c for c in table.columns if roles.get(c) in ("id", "survey", "provenance")]
    table = table[keep].copy()
    if "cooperative_id" in table.columns and looks_like_identifier(table["cooperative_id"]):
        # Ids made of e-mail addresses or phone numbers would carry them into every output.
        warnings.warn(f"{path.name}: cooperative ids look like e-mail addresses or phone numbers; they were "
                      f"replaced by row numbers", DirectIdentifierWarning, stacklevel=2)
        table["cooperative_id"] = [f"ROW{i + 2:06d}" for i in range(len(table))]

    required = list(codebook.index[roles.isin(["id", "survey"])])
    for column in required:
        if column not in table.columns:
            raise SurveyDataError(path, "a survey column the codebook requires is missing", row=1, column=column)
    _check_cells(path, table)

    survey = pd.DataFrame(index=table.index)
    for column in table.columns:
        survey[column] = _typed_column(path, table[column], column, codebook)
    if "record_origin" not in survey.columns or survey["record_origin"].isna().all():
        survey["record_origin"] = pd.Categorical(["observed"] * len(survey),
                                                 categories=allowed_values(codebook, "record_origin"))
    survey = survey[["cooperative_id", "record_origin"] + [c for c in required if c != "cooperative_id"]]

    duplicated = survey["cooperative_id"].duplicated(keep=False)
    if duplicated.any():
        rows = np.flatnonzero(duplicated.to_numpy()) + 2
        raise SurveyDataError(path, f"cooperative id '{survey['cooperative_id'].iloc[rows[0] - 2]}' "
                                    f"appears more than once (rows {', '.join(map(str, rows[:5]))})",
                              row=int(rows[1]), column="cooperative_id")

    breaches = constraint_breaches(survey, constraints)
    hard = breaches[breaches["kind"] == "hard"]
    if len(hard):
        first = hard.iloc[0]
        c = next(c for c in constraints if c.constraint_id == first["constraint_id"])
        raise SurveyDataError(path, f"impossible answer ({c.constraint_id}: {c.label_en}); "
                                    f"{len(hard)} row(s) break hard constraints",
                              row=int(first["row"]), column=c.then_variable)
    observed = breaches[(breaches["kind"] == "assumption")
                        & (survey["record_origin"].to_numpy()[breaches["row"].to_numpy(dtype=int) - 2] != "rebuilt")]
    for cid, group in observed.groupby("constraint_id", sort=True):
        c = next(c for c in constraints if c.constraint_id == cid)
        warnings.warn(f"{path.name}: {len(group)} row(s) break assumption {cid} ({c.label_en}): rows "
                      f"{', '.join(map(str, group['row'].head(10)))}{' ...' if len(group) > 10 else ''}",
                      AssumptionWarning, stacklevel=2)

    survey = add_derived_variables(survey)
    survey = survey.reset_index(drop=True)
    survey.attrs["source_file"] = path.name
    survey.attrs["rebuilt"] = bool((survey["record_origin"] == "rebuilt").all())
    return survey


def _typed_column(path, raw: pd.Series, column: str, codebook: pd.DataFrame) -> pd.Series:
    spec = codebook.loc[column]
    text = raw.astype(str).str.strip()
    missing = text == ""
    if missing.any() and spec["missing_allowed"] != "yes":
        raise SurveyDataError(path, "missing value, and the codebook allows none", row=_first_row(missing),
                              column=column)
    kind = spec["type"]
    if kind == "boolean":
        parsed = text.map(_parse_boolean_word)
        unknown = parsed.isna() & ~missing
        if unknown.any():
            bad = text[unknown].iloc[0]
            raise SurveyDataError(path, f"'{bad}' is not a yes/no answer (use 1/0, oui/non, yes/no, true/false)",
                                  row=_first_row(unknown), column=column)
        return parsed.astype("boolean") if missing.any() else parsed.astype(bool)
    if kind == "categorical":
        allowed = allowed_values(codebook, column)
        unknown = ~text.isin(allowed) & ~missing
        if unknown.any():
            bad = text[unknown].iloc[0]
            raise SurveyDataError(path, f"unknown category '{bad[:60]}'; the codebook allows {allowed}",
                                  row=_first_row(unknown), column=column)
        return pd.Series(pd.Categorical(text.where(~missing), categories=allowed, ordered=True), index=raw.index)
    return text


def add_derived_variables(survey: pd.DataFrame) -> pd.DataFrame:
    """Add the variables the paper reports but a questionnaire would not ask directly.

    ``neither_knows_nor_interested_ai`` is (not heard_of_ai) and (not interested_in_ai).

    Examples
    --------
    >>> s = pd.DataFrame({"heard_of_ai": [True, False], "interested_in_ai": [False, False]})
    >>> add_derived_variables(s)["neither_knows_nor_interested_ai"].tolist()
    [False, True]
    """
    return survey.assign(
        neither_knows_nor_interested_ai=~survey["heard_of_ai"].astype(bool) & ~survey["interested_in_ai"].astype(bool)
    )


def published_count_of(survey: pd.DataFrame, variable: str, category: str = "", sector: str = "Total") -> int:
    """Count in ``survey`` of what a published row describes.

    Examples
    --------
    >>> published_count_of(load_survey(), "uses_social_media", sector="Services")
    4
    """
    # Column arrays and masks, not row filtering: the audit and the rebuild call this often.
    in_sector = np.ones(len(survey), dtype=bool) if sector == "Total" else (survey["sector"] == sector).to_numpy()
    if variable == "sample_size":
        return int(in_sector.sum())
    if variable == "sector":
        return int(((survey["sector"] == category).to_numpy() & in_sector).sum())
    values = survey[variable]
    hits = (values == category).to_numpy() if category else values.astype(bool).to_numpy()
    return int((hits & in_sector).sum())


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
    >>> cmp = compare_with_published(load_survey(), read_published_aggregates())
    >>> int(cmp.loc[cmp["unit"] == "count", "matches"].all())
    1
    """
    rows = []
    for rec in published.itertuples(index=False):
        count = published_count_of(survey, rec.variable, rec.category, rec.sector)
        if rec.unit == "count":
            recomputed = float(count)
            matches = recomputed == rec.value
        else:
            base = len(survey) if rec.sector == "Total" else int((survey["sector"] == rec.sector).sum())
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
    path = paths.resolve(path or paths.DATA_DIR / "published" / "sector_readings.csv")
    return pd.read_csv(path, dtype=str, keep_default_na=False)
