"""Survey files from other tools: SPSS and Stata files, KoboToolbox / ODK exports; labelled exports.

Reading: :func:`read_labelled` (SPSS ``.sav``, Stata ``.dta``, through pyreadstat, value
labels applied) and :func:`normalise_columns` (group prefixes, select-multiple answers,
tool metadata) feed :func:`coopai.survey.load_survey`.

Writing: :func:`write_labelled_exports` writes a survey as ``.sav``, ``.dta`` and ``.xlsx``
with variable and value labels, byte-identical from run to run (the creation times that
ReadStat and openpyxl stamp into the files are fixed).
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import PRACTICES
from .files import temporary_path

#: Select-multiple questions of the package's questionnaire: question name -> choice names
#: (each choice is a yes/no variable of the codebook).
SELECT_MULTIPLE = {
    "marketing_practices": PRACTICES,
}
#: The choice of a select-multiple question that says "none of these" (no codebook variable of its own;
#: the form forbids it beside another choice, so that a blank answer only ever means "not answered").
NONE_CHOICE = {"marketing_practices": "no_practice"}

#: Columns KoboToolbox and ODK add on their own (compared case-insensitively, after the group prefix).
TOOL_METADATA = frozenset({
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "username", "audit", "instanceid",
    "instancename", "uuid", "submissiondate", "key", "submitterid", "submittername", "attachmentspresent",
    "attachmentsexpected", "status", "reviewstate", "formversion", "edits", "version",
})

#: Tool columns that identify a person: dropped as direct identifiers, not as metadata.
TOOL_IDENTIFIERS = frozenset({"phonenumber", "submitted_by", "_submitted_by", "email"})

#: Words that mark a survey-design column (weights, strata, clusters, primary sampling units)
#: wherever they stand in its name, compared without case or accents. The loader refuses such a
#: column unless it is declared as a design column.
DESIGN_WORDS = ("weight", "poids", "ponderation", "strat", "cluster", "grappe", "psu")

#: Short design names, marked only as whole names (inside a longer name they mean nothing).
DESIGN_NAMES = frozenset({"wt", "pw", "fpc"})

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")

#: A phone number: international (a leading + or 00) or national (a leading 0, as in Morocco and
#: France), then digits with the usual spaces, dots, dashes or brackets; at least 9 digits.
PHONE = re.compile(r"(?:\+|00)\d[\d\s().\-]{6,}\d|0\d(?:[\s.\-]?\d){7,13}")

GROUP_SEPARATORS = re.compile(r"[/:.\-]")


def read_labelled(path) -> pd.DataFrame:
    """Read an SPSS (.sav) or Stata (.dta) file with its value labels applied, every cell as text."""
    import pyreadstat

    path = Path(path)
    reader = pyreadstat.read_sav if path.suffix.lower() == ".sav" else pyreadstat.read_dta
    frame, _ = reader(str(path), apply_value_formats=True, formats_as_category=False)
    return frame.apply(lambda col: col.map(_as_text)).astype(str)


def _as_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class ExportValueError(ValueError):
    """A cell of an export that cannot be mapped onto the codebook; ``row`` is the table's index label."""

    def __init__(self, message, row=None, column=None):
        super().__init__(message)
        self.row = row
        self.column = column


def looks_like_contact(values: pd.Series) -> pd.Series:
    """Which values look like an e-mail address or a phone number (see :data:`EMAIL`, :data:`PHONE`).

    Examples
    --------
    >>> looks_like_contact(pd.Series(["a@b.ma", "+212 661 23 45 67", "0661234567", "C-0042", "+3"])).tolist()
    [True, True, True, False, False]
    """
    text = values.astype(str).str.strip()
    return text.str.fullmatch(EMAIL.pattern) | text.str.fullmatch(PHONE.pattern)


def looks_like_identifier(values: pd.Series) -> bool:
    """Whether most non-empty values look like e-mail addresses or phone numbers.

    Examples
    --------
    >>> looks_like_identifier(pd.Series(["a@b.ma", "c@d.org"])), looks_like_identifier(pd.Series(["COOP01"]))
    (True, False)
    """
    text = values.astype(str).str.strip()
    text = text[text != ""]
    if text.empty:
        return False
    return bool(looks_like_contact(text).mean() > 0.5)


def _base_name(column: str) -> str:
    return GROUP_SEPARATORS.split(column)[-1]


def normalise_columns(table: pd.DataFrame, known: set) -> tuple[pd.DataFrame, dict]:
    """Map a KoboToolbox / ODK export onto the codebook's names.

    * group prefixes are dropped (``grp_marketing/uses_social_media`` -> ``uses_social_media``;
      ``/``, ``-``, ``.`` and ``:`` are all used by the tools as separators);
    * a select-multiple answer given as one column per choice (``marketing_practices/direct_sales``)
      maps by the same rule; given as a space-separated list (``marketing_practices``), it is
      split into one yes/no column per choice;
    * a choice not in the question's list (a misspelt or relabelled choice) is refused
      (:class:`ExportValueError` naming its row and the column), never dropped;
    * the tools' own columns (``_uuid``, ``start``, ``_submission_time``, ``meta/instanceID``, ...)
      are set aside as metadata.

    Returns
    -------
    table : DataFrame
        With codebook names where a column could be matched; other columns keep their names.
    report : dict
        ``renamed`` (original -> new), ``metadata`` (list), ``expanded`` (list of select-multiple columns).
    """
    renamed, metadata, expanded = {}, [], []
    columns = {}
    for column in table.columns:
        base = _base_name(column)
        lowered = base.lower().lstrip("_")
        if column in known:
            target = column
        elif base in known or base in SELECT_MULTIPLE:
            target = base
        elif column.startswith("_") or lowered in TOOL_METADATA or column.lower().startswith(("meta", "formhub")):
            if lowered in TOOL_IDENTIFIERS or column.lower() in TOOL_IDENTIFIERS:
                target = column  # kept under its own name so that the loader drops it as an identifier
            else:
                metadata.append(column)
                continue
        else:
            target = column
        if target in columns:
            raise ValueError(f"columns '{columns[target]}' and '{column}' both map to '{target}'")
        columns[target] = column
        if target != column:
            renamed[column] = target
    out = pd.DataFrame({target: table[source] for target, source in columns.items()}, index=table.index)
    for question, choices in SELECT_MULTIPLE.items():
        if question not in out.columns:
            continue
        answers = out[question].astype(str).str.split()
        offered = (*choices, NONE_CHOICE[question]) if question in NONE_CHOICE else choices
        unknown = answers.map(lambda ticked: next((t for t in ticked if t not in offered), None))
        if unknown.notna().any():
            row = unknown.index[unknown.notna().to_numpy()][0]
            raise ExportValueError(f"unknown choice '{unknown.loc[row][:60]}' in a select-multiple answer; the "
                                   f"choices are {list(offered)}", row=row, column=columns[question])
        if question in NONE_CHOICE:
            both = answers.map(lambda ticked: NONE_CHOICE[question] in ticked and len(ticked) > 1)
            if both.any():
                raise ExportValueError(f"'{NONE_CHOICE[question]}' (none of these) ticked beside another choice",
                                       row=both.index[both.to_numpy()][0], column=columns[question])
        if not all(choice in out.columns for choice in choices):
            for choice in choices:
                if choice not in out.columns:
                    out[choice] = answers.map(lambda ticked, c=choice: "1" if c in ticked else "0")
            expanded.append(question)
        out = out.drop(columns=question)
    return out, {"renamed": renamed, "metadata": metadata, "expanded": expanded}


def _plain(text: str) -> str:
    """``text`` without accents, case-folded (``Pondération`` -> ``ponderation``)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def design_columns(columns) -> list[str]:
    """Columns whose names mark a survey design: any of :data:`DESIGN_WORDS` in the name (after a
    group prefix), or one of :data:`DESIGN_NAMES` as the whole name.

    Examples
    --------
    >>> design_columns(["sector", "poids_final", "Strata", "Pondération", "grp/cluster_id", "wt", "weekday"])
    ['poids_final', 'Strata', 'Pondération', 'grp/cluster_id', 'wt']
    """
    marked = []
    for column in columns:
        name = _plain(_base_name(str(column)))
        if name in DESIGN_NAMES or any(word in name for word in DESIGN_WORDS):
            marked.append(column)
    return marked


# --------------------------------------------------------------------------
# Labelled exports
# --------------------------------------------------------------------------

FIXED_SAV_STAMP = b"01 Jan 7000:00:00"        # creation date (9 bytes) and time (8 bytes) of the header
FIXED_DTA_STAMP = b"01 Jan 1970 00:00"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _labelled_frame(survey: pd.DataFrame, codebook: pd.DataFrame, lang: str):
    """Survey as numbers with value labels (booleans 0/1; categories 1..k in codebook order)."""
    frame = pd.DataFrame(index=survey.index)
    value_labels, column_labels = {}, {}
    yes, no = ("Oui", "Non") if lang == "fr" else ("Yes", "No")
    for column in survey.columns:
        label = codebook.loc[column, f"label_{lang}"] if column in codebook.index else column
        column_labels[column] = label[:80]
        values = survey[column]
        if values.dtype == bool:
            frame[column] = values.astype(int)
            value_labels[column] = {0: no, 1: yes}
        elif hasattr(values, "cat"):
            categories = list(values.cat.categories)
            frame[column] = values.cat.codes.astype(int) + 1
            value_labels[column] = {i + 1: str(c) for i, c in enumerate(categories)}
        else:
            frame[column] = values.astype(str)
    return frame, column_labels, value_labels


def _fix_sav_stamp(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    # SPSS system-file header: 4 + 60 bytes of magic and product, four int32 and a float64,
    # then the creation date (9 bytes, offset 92) and time (8 bytes, offset 101).
    if blob[92:101].decode("ascii", "replace")[2] != " ":
        raise ValueError(f"{path.name}: unexpected SPSS header layout")
    blob[92:109] = FIXED_SAV_STAMP
    path.write_bytes(bytes(blob))


def _fix_dta_stamp(path: Path) -> None:
    blob = path.read_bytes()
    start = blob.index(b"<timestamp>") + len(b"<timestamp>")
    length = blob[start]
    if length:
        blob = blob[:start + 1] + FIXED_DTA_STAMP[:length].ljust(length) + blob[start + 1 + length:]
    path.write_bytes(blob)


def _fix_zip_times(path: Path) -> None:
    source = io.BytesIO(path.read_bytes())
    target = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in sorted(zin.infolist(), key=lambda i: i.filename):
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            content = zin.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>1970-01-01T00:00:00Z", content)
            zout.writestr(info, content)
    path.write_bytes(target.getvalue())


def write_labelled_exports(survey: pd.DataFrame, codebook: pd.DataFrame, out_dir, stem: str,
                           notice: str = "", lang: str = "fr") -> list[Path]:
    """Write ``stem.sav``, ``stem.dta`` and ``stem.xlsx`` with variable and value labels.

    Each file is written under a temporary name and renamed, after its creation time is fixed
    so that the same survey always gives the same bytes.
    """
    import openpyxl
    import pyreadstat

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame, column_labels, value_labels = _labelled_frame(survey, codebook, lang)
    written = []

    tmp = temporary_path(out_dir / f"{stem}.sav")
    pyreadstat.write_sav(frame, str(tmp), file_label=notice[:64], column_labels=column_labels,
                         variable_value_labels=value_labels, note=notice or None)
    _fix_sav_stamp(tmp)
    tmp.replace(out_dir / f"{stem}.sav")
    written.append(out_dir / f"{stem}.sav")

    tmp = temporary_path(out_dir / f"{stem}.dta")
    stata = frame.rename(columns=lambda c: c[:32])
    pyreadstat.write_dta(stata, str(tmp), file_label=notice[:80],
                         column_labels={c[:32]: v for c, v in column_labels.items()},
                         variable_value_labels={c[:32]: v for c, v in value_labels.items()})
    _fix_dta_stamp(tmp)
    tmp.replace(out_dir / f"{stem}.dta")
    written.append(out_dir / f"{stem}.dta")

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "data"
    sheet.append(list(survey.columns))
    for row in survey.itertuples(index=False):
        sheet.append([bool(v) if isinstance(v, (bool, np.bool_)) else str(v) for v in row])
    labels = workbook.create_sheet("labels")
    labels.append(["variable", "label", "values"])
    for column in survey.columns:
        values = "; ".join(f"{k} = {v}" for k, v in value_labels.get(column, {}).items())
        labels.append([column, column_labels[column], values])
    if notice:
        workbook.create_sheet("notice").append([notice])
    fixed = pd.Timestamp("1970-01-01").to_pydatetime()
    workbook.properties.created = workbook.properties.modified = fixed
    workbook.properties.creator = "coopai"
    tmp = temporary_path(out_dir / f"{stem}.xlsx")
    workbook.save(tmp)
    _fix_zip_times(tmp)
    tmp.replace(out_dir / f"{stem}.xlsx")
    written.append(out_dir / f"{stem}.xlsx")
    return written
