"""Loading a survey file: read, check and type one row per cooperative by the codebook.

Data flow one way: ``data/published`` (numbers as printed) -> ``coopai.rebuild``
(a respondent-level dataset) -> this module's :func:`load_survey` (validated
DataFrame) -> notebooks. A user's own survey file enters at :func:`load_survey`.

Nothing here writes into ``data/``: every function reads.
"""
from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .codebook import allowed_values, constraint_breaches, parse_boolean_word, read_codebook, read_constraints


#: Cells longer than this are refused: no survey answer is that long, and a
#: huge cell is more likely a broken export than data.
MAX_CELL_CHARS = 10_000


#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@")


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
    path = config.resolve(path or config.REBUILT_DATASET)
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
        parsed = text.map(parse_boolean_word)
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
