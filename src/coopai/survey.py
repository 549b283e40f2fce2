"""Loading a survey file: read, check and type one row per cooperative by the codebook.

Data flow one way: ``data/published`` (numbers as printed) -> ``coopai.rebuild``
(a respondent-level dataset) -> this module's :func:`load_survey` (validated
DataFrame) -> notebooks. A user's own survey file enters at :func:`load_survey`.

Files are read as users save them: comma, semicolon or tab separated text (Excel's
``sep=`` first line honoured) in UTF-8, UTF-16 (Excel's "Unicode text") or Windows-1252;
XLSX with notes sheets and title rows; SPSS and Stata files. Rows are numbered as a
spreadsheet shows them, whatever stands above the header.

Nothing here writes into ``data/``: every function reads.
"""
from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .codebook import allowed_values, constraint_breaches, parse_boolean_word, read_codebook, read_constraints


#: Cells longer than this are refused: no survey answer is that long, and a
#: huge cell is more likely a broken export than data.
MAX_CELL_CHARS = 10_000

#: The fewest cooperatives any analysis of the study needs. With one cooperative there is
#: nothing to compare: every share is 0 % or 100 %, no sample variance exists (n - 1 = 0)
#: and no table of two answers or two sectors has two rows. Two is the smallest survey on
#: which a statistic of the plan is defined; most tests will still report "not computable"
#: on so few rows, each with its reason.
MIN_COOPERATIVES = 2

#: What a spreadsheet may run as a formula (the usual CSV-injection rule): a cell that starts
#: with a tab or a carriage return, or whose first character after spaces is "=", "+", "-" or "@".
FORMULA_START = re.compile(r"[\t\r]|\s*[=+\-@]")

#: A cell starting with "-" that is only a number is not a formula: an optional minus sign,
#: digits, and an optional decimal part after "." or ",". A leading "+" never makes a plain
#: number (spreadsheets do not write one; phone numbers and formulas start that way).
PLAIN_NUMBER = re.compile(r"\s*-?\d+(?:[.,]\d+)?\s*")

#: Separators of a text file, in the order preferred when the header does not decide.
SEPARATORS = (",", ";", "\t")

#: Excel's first-line separator hint (``sep=;``), which Excel reads and does not show as a row.
SEP_HINT = re.compile(r'"?sep=([,;\t|])"?[,;\t]*\s*', re.IGNORECASE)

#: Rows searched for the header: title rows, notes or empty rows may stand above it.
HEADER_SEARCH_ROWS = 50

TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
LABELLED_SUFFIXES = (".sav", ".dta")


class SurveyDataError(ValueError):
    """A survey file cannot be used. The message names the file, row and column.

    Rows are numbered as a spreadsheet shows them: the header is the row it stands
    in (row 1 unless title or empty rows stand above it), each cooperative the row
    it stands in.
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
        # One line, whatever the cell held: a newline or tab in a quoted value is shown escaped.
        text = f"{', '.join(where)}: {message}"
        super().__init__(text.replace("\r", "\\r").replace("\n", "\\n"))


class DirectIdentifierWarning(UserWarning):
    """A column that identifies a respondent was dropped, or an id that does was replaced."""


class AssumptionWarning(UserWarning):
    """Rows of real data break one of the rebuild's assumptions (not an error)."""


class RewrittenValueWarning(UserWarning):
    """Answers written differently from the codebook (case, spaces) were read as its categories."""


# --------------------------------------------------------------------------
# Reading a file into text cells, rows numbered as a spreadsheet shows them
# --------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """Spreadsheet letter of the 0-based column ``index``.

    Examples
    --------
    >>> column_letter(0), column_letter(25), column_letter(27)
    ('A', 'Z', 'AB')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_name(cell) -> str:
    return unicodedata.normalize("NFC", str(cell)).strip().lstrip("\ufeff").strip()


def _header_score(cells, known) -> int:
    """How many of ``cells`` are codebook names (also after a KoboToolbox group prefix) or headers
    KoboToolbox writes for the package's questionnaire (labels, any group separator)."""
    from .formats import _base_name, kobo_form

    form = kobo_form()
    names = {_header_name(c) for c in cells}
    return sum(1 for name in names if name and (name in known or _base_name(name) in known or form.knows(name)))


def _find_header(rows, known):
    """Index in ``rows`` (lists of cells) of the header: the row holding most codebook names.

    Without any codebook name in the first rows, the first non-empty row is the header
    (the missing-column message then names what the codebook expects).
    """
    scores = [_header_score(cells, known) for cells in rows[:HEADER_SEARCH_ROWS]]
    if scores and max(scores) > 0:
        return int(np.argmax(scores))  # the first row on a tie
    for i, cells in enumerate(rows):
        if any(str(c).strip() for c in cells):
            return i
    return None


def _decode_text(path: Path, raw: bytes) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its BOM: Excel's "Unicode text"
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise SurveyDataError(path, "the file starts as UTF-16 text but is not valid UTF-16") from None
    if b"\x00" in raw[:4096]:
        raise SurveyDataError(path, "this is not a text (CSV) file; save it as CSV (UTF-8) or XLSX")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # French Excel writes cp1252
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SurveyDataError(path, "cannot decode the file as UTF-8 or Latin-1")  # pragma: no cover


def _csv_error_message(err: csv.Error) -> str:
    text = str(err)
    if "unexpected end of data" in text:
        return 'a quote (") opened in this row is never closed'
    if "expected after" in text:
        return 'a quote (") closes in the middle of a cell; a quote inside a quoted cell is written twice ("")'
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters (limit {MAX_CELL_CHARS:,})"
    return f"cannot parse as delimited text: {text}"  # pragma: no cover - other csv errors need a NUL byte


def _text_rows(path: Path, text: str, separator: str, strict: bool = True, limit=None) -> list:
    """The records of a delimited text, one list of cells per spreadsheet row (the first is row 1).

    A record may span several lines (a quoted cell with a line break): it is still one row,
    as a spreadsheet shows it.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"', doublequote=True,
                        strict=strict)
    rows = []
    try:
        for cells in itertools.islice(reader, limit):
            rows.append(cells)
    except csv.Error as err:
        if not strict:
            return rows
        raise SurveyDataError(path, _csv_error_message(err), row=len(rows) + 1) from None
    return rows


def _read_text(path: Path, known) -> list:
    """The rows of a delimited text file (see :func:`_text_rows`), its separator found from the header."""
    text = _decode_text(path, path.read_bytes())
    if not text.strip():
        raise SurveyDataError(path, "the file is empty")
    first_line, _, rest = text.partition("\n")
    hint = SEP_HINT.fullmatch(first_line.strip("\r").lstrip("\ufeff"))
    if hint:  # Excel obeys it and hides the line: the row after it is the sheet's row 1
        return _text_rows(path, rest, hint.group(1))

    def score(separator):
        head = _text_rows(path, text, separator, strict=False, limit=HEADER_SEARCH_ROWS)
        header = _find_header(head, known)
        if header is None:
            return (0, 0)
        return (_header_score(head[header], known), len(head[header]))

    scores = {separator: score(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: (scores[s][0], scores[s][1] > 1, -SEPARATORS.index(s)))
    if scores[best][0] == 0:  # no codebook name anywhere: the separator the first line uses most
        line = next((line for line in text.splitlines() if line.strip()), "")
        best = max(SEPARATORS, key=lambda s: (line.count(s), -SEPARATORS.index(s)))
    return _text_rows(path, text, best)


def _cell_text(value) -> str:
    """An Excel cell's value as the text a survey answer is read from."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, known) -> tuple[list, list]:
    """Rows of the sheet that holds the codebook's columns (the first sheet when none does), and
    the ``(row index, column index)`` of every formula cell in it.

    Cells are read by type (``data_only=False``): a formula is seen as a formula even when the
    workbook also stores its last result.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises several kinds for a broken file
        raise SurveyDataError(path, f"cannot read as an Excel workbook: {err}") from None
    try:
        sheets = list(book.worksheets)
        if not sheets:
            raise SurveyDataError(path, "the workbook has no worksheet")
        return _xlsx_rows(sheets, known)
    except SurveyDataError:
        raise
    except Exception as err:  # a sheet's XML is parsed only now: a damaged one fails here, not at opening
        raise SurveyDataError(path, f"cannot read as an Excel workbook: {type(err).__name__}: {err}") from None
    finally:
        book.close()


def _xlsx_rows(sheets, known) -> tuple[list, list]:
    """Rows and formula positions of the sheet among ``sheets`` that holds the codebook's columns."""
    scores = []
    for sheet in sheets:
        head = [[_cell_text(c.value) for c in row]
                for row in sheet.iter_rows(min_row=1, min_col=1, max_row=HEADER_SEARCH_ROWS)]
        header = _find_header(head, known)
        scores.append(_header_score(head[header], known) if header is not None else 0)
    sheet = sheets[int(np.argmax(scores))]  # the first sheet on a tie
    rows, formulas = [], []
    for i, row in enumerate(sheet.iter_rows(min_row=1, min_col=1)):
        rows.append([_cell_text(cell.value) for cell in row])
        formulas.extend((i, j) for j, cell in enumerate(row) if cell.data_type == "f")
    return rows, formulas


def _table_from_rows(path: Path, rows: list, known, formulas=()) -> pd.DataFrame:
    """The rows below the header as a table of text, indexed by spreadsheet row number
    (``rows[0]`` is row 1).

    Empty rows (no cell filled, such as the bare commas some exports end with) are skipped;
    a row with more filled cells than the header has names is refused, and so is a formula
    (``formulas``: positions in ``rows``) in the header or below it.
    """
    header = _find_header(rows, known)
    if header is None:
        raise SurveyDataError(path, "the file is empty")
    header_row = header + 1
    names = [_header_name(c) for c in rows[header]]
    below = sorted((i, j) for i, j in formulas if i >= header)
    if below:
        i, j = below[0]
        raise SurveyDataError(path, "a cell holds a spreadsheet formula; save or export values, not formulas",
                              row=i + 1, column=names[j] if j < len(names) and names[j] else column_letter(j))
    while names and not names[-1]:
        names.pop()
    seen = {}
    for j, name in enumerate(names):
        if name in seen:
            raise SurveyDataError(path, f"the header names this column twice (spreadsheet columns "
                                        f"{column_letter(seen[name])} and {column_letter(j)}); each column needs "
                                        f"its own name", row=header_row, column=name)
        if name:
            seen[name] = j
    width = len(names)
    numbers, cells_by_row = [], []
    for offset, cells in enumerate(rows[header + 1:], start=1):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width:
            if any(c.strip() for c in cells[width:]):
                filled = max(j for j, c in enumerate(cells) if c.strip()) + 1
                raise SurveyDataError(path, f"this row has {filled} cells but the header (row {header_row}) names "
                                            f"{width} columns", row=header_row + offset)
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        numbers.append(header_row + offset)
        cells_by_row.append(cells)
    table = pd.DataFrame(cells_by_row, columns=range(width), index=pd.Index(numbers, name="row"), dtype=object)
    unnamed = [j for j, name in enumerate(names) if not name]
    for j in unnamed:
        filled = table[j].str.strip() != ""
        if filled.any():
            raise SurveyDataError(path, f"spreadsheet column {column_letter(j)} holds answers but has no name in "
                                        f"the header (row {header_row})", row=int(filled.index[filled][0]))
    table = table.drop(columns=unnamed)
    table.columns = [names[j] for j in table.columns]
    table.attrs["header_row"] = header_row
    return table


def read_table(path, known=()) -> pd.DataFrame:
    """Read a survey file as text, every row indexed by its spreadsheet row number.

    Text files may be comma, semicolon or tab separated (the separator under which a row
    holds most of ``known`` names, or Excel's ``sep=`` first line), in UTF-8 (with or
    without BOM), UTF-16 with BOM (Excel's "Unicode text") or Windows-1252. In a text file
    or an XLSX sheet the header is the row, among the first 50, that holds most of the
    ``known`` column names (the codebook's): title or empty rows may stand above it. In
    an XLSX workbook the sheet read is the one whose header holds most of them. SPSS and
    Stata files have their variable names as row 1.

    Every cell comes back as a string (empty for a blank cell): typing is the codebook's
    job, in :func:`load_survey`.

    Raises
    ------
    SurveyDataError
        When the file is missing, empty, of an unsupported kind or unreadable, when a
        quote is never closed, a row is wider than the header, two columns share a name,
        or an XLSX cell holds a formula.

    Examples
    --------
    >>> table = read_table(config.REBUILT_DATASET, ["cooperative_id", "sector"])
    >>> int(table.index[0]), table.attrs["header_row"], table.loc[2, "sector"]
    (2, 1, 'Agriculture')
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyDataError(path, "no such file")
    known = frozenset(known)
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        table = _table_from_rows(path, _read_text(path, known), known)
    elif suffix in EXCEL_SUFFIXES:
        rows, formulas = _read_xlsx(path, known)
        table = _table_from_rows(path, rows, known, formulas)
    elif suffix in LABELLED_SUFFIXES:
        from .formats import read_labelled

        try:
            table = read_labelled(path)
        except Exception as err:  # pyreadstat raises its own error kinds for a broken file
            raise SurveyDataError(path, f"cannot read as an SPSS or Stata file: {err}") from None
        table.columns = [_header_name(c) for c in table.columns]
        table.index = pd.Index(range(2, len(table) + 2), name="row")
        table.attrs["header_row"] = 1
    else:
        raise SurveyDataError(path, f"unsupported file type '{suffix}'; use .csv, .txt, .tsv, .xlsx, .sav or .dta")
    if table.empty:
        raise SurveyDataError(path, "the file has a header but no cooperative rows",
                              row=table.attrs["header_row"] + 1)
    return table


# --------------------------------------------------------------------------
# Checks and typing
# --------------------------------------------------------------------------


def _first_row(mask: pd.Series) -> int:
    """Spreadsheet row of the first True in ``mask`` (indexed by row number)."""
    return int(mask.index[np.flatnonzero(mask.to_numpy())[0]])


def looks_like_formula(values: pd.Series) -> pd.Series:
    """Which cells a spreadsheet could run as a formula (see :data:`FORMULA_START`, :data:`PLAIN_NUMBER`).

    Examples
    --------
    >>> cells = pd.Series(["-3", "-3,5", "+3", " =1+1", "-2+3+cmd|' /C calc'!A0", "\\tx", "C-01"])
    >>> looks_like_formula(cells).tolist()
    [False, False, True, True, True, True, False]
    """
    text = values.astype(str)
    return text.str.match(FORMULA_START.pattern) & ~text.str.fullmatch(PLAIN_NUMBER.pattern)


def _check_cells(path, table):
    """Refuse huge cells and spreadsheet formulas before anything is typed."""
    for column in table.columns:
        values = table[column].astype(str)
        # Each distinct cell checked once: a yes/no column of 100,000 rows holds a few.
        distinct = pd.Series(pd.unique(values.to_numpy()))
        if not ((distinct.str.len() > MAX_CELL_CHARS) | looks_like_formula(distinct)).any():
            continue
        lengths = values.str.len()
        if (lengths > MAX_CELL_CHARS).any():
            raise SurveyDataError(path, f"a cell has {lengths.max():,} characters (limit {MAX_CELL_CHARS:,})",
                                  row=_first_row(lengths > MAX_CELL_CHARS), column=column)
        formula = looks_like_formula(values)
        if formula.any():
            raise SurveyDataError(path, "a cell holds a spreadsheet formula (it starts with =, +, -, @, a tab or "
                                        "a carriage return and is not a plain number); export values, not formulas",
                                  row=_first_row(formula), column=column)


def _category_key(text: str) -> str:
    """A category compared ignoring case and surrounding (also non-breaking) spaces."""
    return unicodedata.normalize("NFC", text).strip().casefold()


def _listed(values, limit=10) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def check_enough_cooperatives(survey: pd.DataFrame, file=None) -> None:
    """Refuse a survey with fewer than :data:`MIN_COOPERATIVES` cooperatives, stating the minimum.

    The loader calls it; a run calls it (through the loader) before any notebook starts.

    Examples
    --------
    >>> try:
    ...     check_enough_cooperatives(pd.DataFrame({"cooperative_id": ["a"]}), "one.csv")
    ... except SurveyDataError as err:
    ...     print(str(err).split(" cooperatives (")[0])
    file one.csv: 1 cooperative; every analysis of the study needs at least 2
    """
    n = len(survey)
    if n < MIN_COOPERATIVES:
        raise SurveyDataError(file or survey.attrs.get("source_file", "survey"),
                              f"{n} cooperative{'s' if n != 1 else ''}; every analysis of the study needs at least "
                              f"{MIN_COOPERATIVES} cooperatives (with one there is nothing to compare: every share "
                              f"is 0 % or 100 % and no variance or association can be estimated)")


def _replace_contact_ids(path, ids: pd.Series) -> pd.Series:
    """Ids that look like an e-mail address or phone number, replaced by ``ROW`` and their row number.

    Done before the formula check: ``+212 661 23 45 67`` is a phone number to hide, not a formula.
    """
    from .formats import looks_like_contact

    contact = looks_like_contact(ids.map(lambda v: unicodedata.normalize("NFC", v)))
    if not contact.any():
        return ids
    rows = [str(r) for r in ids.index[contact.to_numpy()]]
    # An id made of an e-mail or phone number would carry it into every output.
    warnings.warn(f"{path.name}: {int(contact.sum())} cooperative id(s) look like e-mail addresses or phone numbers "
                  f"(row {_listed(rows)}); they were replaced by row numbers (ROW000017 for row 17)",
                  DirectIdentifierWarning, stacklevel=3)
    return ids.where(~contact, [f"ROW{r:06d}" for r in ids.index])


def load_survey(path=None, codebook=None, constraints=None, design_columns=(), design=None) -> pd.DataFrame:
    """Load and validate a survey file: one row per cooperative, typed by the codebook.

    Parameters
    ----------
    path : str or Path, optional
        A CSV, TXT/TSV, XLSX, SPSS or Stata file (see :func:`read_table`). Defaults to the
        rebuilt dataset.
    codebook : DataFrame, optional
        From :func:`coopai.codebook.read_codebook`.
    constraints : list of Constraint, optional
        From :func:`coopai.codebook.read_constraints`.
    design_columns : sequence of str, optional
        Columns declared as the survey's design (weights, strata, clusters, finite
        population correction). They are kept as text for the design-based analysis; any
        other column named like one (weight, poids, pondération, strat, cluster, grappe,
        psu, ...) is refused.
    design : coopai.design.Design, optional
        A declared design: its columns are the design columns, and its weights, strata,
        clusters and FPC are checked (:func:`coopai.design.prepare`, rows as the spreadsheet shows them).

    Returns
    -------
    pandas.DataFrame
        Booleans as ``bool``, ``sector`` and other categoricals as ordered
        ``Categorical``, derived variables added, declared design columns as text.
        ``attrs`` holds ``source_file``, ``rebuilt`` (True when every row was rebuilt from
        published aggregates) and ``design_columns``.

    Raises
    ------
    SurveyDataError
        Unreadable file, design column not declared, missing survey column, unknown
        category or select-multiple choice, missing value where none is allowed, duplicate
        id (compared after Unicode NFC normalisation), spreadsheet formula, broken hard
        constraint, or fewer than :data:`MIN_COOPERATIVES` cooperatives. The message
        names the file, row and column, rows numbered as the spreadsheet shows them. The
        file is only read.

    Warns
    -----
    DirectIdentifierWarning
        A direct identifier column (name, phone, e-mail) was dropped, or ids that look
        like e-mail addresses or phone numbers were replaced.
    RewrittenValueWarning
        Categories written in another case or with extra spaces were read as the codebook's.
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
    from . import snapshot
    if path is not None and snapshot.is_snapshot(path):  # a run's survey, validated once (coopai.pipeline)
        return snapshot.read_snapshot(path)
    from .formats import (SELECT_MULTIPLE, TOOL_IDENTIFIERS, ExportValueError, design_columns as named_like_design,
                          drop_hxl_row, looks_like_identifier, normalise_columns)

    path = config.resolve(path or config.REBUILT_DATASET)
    codebook = read_codebook() if codebook is None else codebook
    constraints = read_constraints(codebook=codebook) if constraints is None else constraints
    table = drop_hxl_row(read_table(path, set(codebook.index) | set(SELECT_MULTIPLE)))  # KoboToolbox's hashtag row
    header_row = table.attrs["header_row"]
    check_enough_cooperatives(table, path)

    survey_design = design  # the name `design` is taken below by the undeclared design-like columns
    declared = tuple(_header_name(c) for c in (survey_design.declared if survey_design else design_columns))
    for column in declared:
        if column not in table.columns:
            raise SurveyDataError(path, "declared as a design column, but the file has no such column",
                                  row=header_row, column=column)
    design = [c for c in named_like_design(table.columns) if c not in declared and c not in codebook.index]
    if design:
        raise SurveyDataError(path, "the name marks a survey design column: survey weights, strata or clusters are "
                                    "refused unless declared as design columns. To analyse the file as a simple "
                                    "random sample, remove or rename the column (and report it)",
                              row=header_row, column=design[0])
    design_table = table[list(declared)]
    try:
        table, _ = normalise_columns(table.drop(columns=list(declared)), set(codebook.index))
    except ExportValueError as err:
        raise SurveyDataError(path, str(err), row=err.row, column=err.column) from None
    except ValueError as err:
        raise SurveyDataError(path, str(err), row=header_row) from None

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
    table = pd.concat([table[keep], design_table], axis=1)

    required = list(codebook.index[roles.isin(["id", "survey"])])
    for column in required:
        if column not in table.columns:
            raise SurveyDataError(path, "a survey column the codebook requires is missing", row=header_row,
                                  column=column)
    table["cooperative_id"] = _replace_contact_ids(path, table["cooperative_id"])
    _check_cells(path, table)
    # Ids compared and kept in one Unicode form: "é" typed as one character or as "e" and an accent
    # are the same id.
    table["cooperative_id"] = table["cooperative_id"].map(lambda v: unicodedata.normalize("NFC", v))

    survey = pd.DataFrame(index=table.index)
    for column in table.columns:
        if column in declared:
            survey[column] = table[column].str.strip()
        else:
            survey[column] = _typed_column(path, table[column], column, codebook)
    if "record_origin" not in survey.columns or survey["record_origin"].isna().all():
        survey["record_origin"] = pd.Categorical(["observed"] * len(survey),
                                                 categories=allowed_values(codebook, "record_origin"))
    survey = survey[["cooperative_id", "record_origin"] + [c for c in required if c != "cooperative_id"]
                    + list(declared)]

    duplicated = survey["cooperative_id"].duplicated(keep=False)
    if duplicated.any():
        rows = [int(r) for r in survey.index[duplicated.to_numpy()]]
        raise SurveyDataError(path, f"cooperative id '{survey['cooperative_id'].loc[rows[0]]}' "
                                    f"appears more than once (rows {', '.join(map(str, rows[:5]))})",
                              row=rows[1], column="cooperative_id")

    row_numbers = survey.index.to_numpy()
    breaches = constraint_breaches(survey.reset_index(drop=True), constraints)
    breaches["row"] = row_numbers[breaches["row"].to_numpy(dtype=int) - 2]  # positions -> spreadsheet rows
    hard = breaches[breaches["kind"] == "hard"]
    if len(hard):
        first = hard.iloc[0]
        c = next(c for c in constraints if c.constraint_id == first["constraint_id"])
        raise SurveyDataError(path, f"impossible answer ({c.constraint_id}: {c.label_en}); "
                                    f"{len(hard)} row(s) break hard constraints",
                              row=int(first["row"]), column=c.then_variable)
    observed = breaches[(breaches["kind"] == "assumption")
                        & (survey.loc[breaches["row"].to_numpy(dtype=int), "record_origin"].to_numpy() != "rebuilt")]
    for cid, group in observed.groupby("constraint_id", sort=True):
        c = next(c for c in constraints if c.constraint_id == cid)
        warnings.warn(f"{path.name}: {len(group)} row(s) break assumption {cid} ({c.label_en}): rows "
                      f"{_listed([str(r) for r in group['row']])}", AssumptionWarning, stacklevel=2)

    survey = add_derived_variables(survey)
    if survey_design:
        from .design import prepare
        prepare(survey, survey_design, file=path, rows=survey.index.to_numpy())
    survey = survey.reset_index(drop=True)
    if survey_design:
        survey.attrs["design"] = survey_design.describe()
    survey.attrs["source_file"] = path.name
    # What the reproduction report says it was generated from (a run's snapshot keeps these).
    survey.attrs["source_path"] = config.display(path)
    survey.attrs["source_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    survey.attrs["rebuilt"] = bool((survey["record_origin"] == "rebuilt").all())
    survey.attrs["design_columns"] = declared
    return survey


def _typed_column(path, raw: pd.Series, column: str, codebook: pd.DataFrame) -> pd.Series:
    spec = codebook.loc[column]
    raw = raw.astype(str)
    # Work on each distinct answer once (a column of 100,000 answers holds a handful); str.strip
    # also removes non-breaking spaces.
    distinct = pd.unique(raw.to_numpy())
    text = raw.map({t: t.strip() for t in distinct})
    missing = text == ""
    if missing.any() and spec["missing_allowed"] != "yes":
        raise SurveyDataError(path, "missing value, and the codebook allows none", row=_first_row(missing),
                              column=column)
    kind = spec["type"]
    if kind == "boolean":
        parsed = text.map({t: parse_boolean_word(t) for t in pd.unique(text.to_numpy())})
        unknown = parsed.isna() & ~missing
        if unknown.any():
            bad = text[unknown].iloc[0]
            raise SurveyDataError(path, f"'{bad[:60]}' is not a yes/no answer (use 1/0, oui/non, yes/no, true/false)",
                                  row=_first_row(unknown), column=column)
        return parsed.astype("boolean") if missing.any() else parsed.astype(bool)
    if kind == "categorical":
        allowed = allowed_values(codebook, column)
        by_key = {_category_key(a): a for a in allowed}
        # Each distinct answer looked up once (a survey of 100,000 rows has a handful).
        parsed = text.map({t: by_key.get(_category_key(t)) for t in text.unique()})
        unknown = parsed.isna() & ~missing
        if unknown.any():
            bad = text[unknown].iloc[0]
            raise SurveyDataError(path, f"unknown category '{bad[:60]}'; the codebook allows {allowed}",
                                  row=_first_row(unknown), column=column)
        rewritten = ~missing & (raw != parsed)
        if rewritten.any():
            pairs = (pd.DataFrame({"was": raw[rewritten], "now": parsed[rewritten]})
                     .groupby(["was", "now"], sort=False).size())
            shown = [f"{was!r} -> {now!r} ({n} row{'s' if n > 1 else ''})" for (was, now), n in pairs.items()]
            warnings.warn(f"{Path(path).name}, column '{column}': answers written differently from the codebook "
                          f"were read as its categories: {_listed(shown)}", RewrittenValueWarning, stacklevel=3)
        return pd.Series(pd.Categorical(parsed.where(~missing), categories=allowed, ordered=True), index=raw.index)
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
