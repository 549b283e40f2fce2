"""Survey files from other tools: SPSS and Stata files, KoboToolbox / ODK exports; labelled exports.

Reading: :func:`read_labelled` (SPSS ``.sav``, Stata ``.dta``, through pyreadstat, value
labels applied) and :func:`normalise_columns` (group prefixes, select-multiple answers,
tool metadata; KoboToolbox exports of the package's questionnaire in every header and value
format the tool writes, through :class:`KoboForm`) feed :func:`coopai.survey.load_survey`.

Writing: :func:`write_labelled_exports` writes a survey as ``.sav``, ``.dta`` and ``.xlsx``
with variable and value labels, byte-identical from run to run (the creation times that
ReadStat and openpyxl stamp into the files are fixed).
"""
from __future__ import annotations

import functools
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
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
#: France), then 8 to 14 more digits, a space, dot, dash or bracket allowed between two of them.
PHONE = re.compile(r"(?:\+|00|0)(?:[\s().\-]?\d){8,14}")

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
    >>> looks_like_contact(pd.Series(["a@b.ma", "+212 661 23 45 67", "0661234567", "C-0042", "+3", "+1 2 3 4 5"])).tolist()
    [True, True, True, False, False, False]
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


def normalise_columns(table: pd.DataFrame, known: set, form: KoboForm | None = None) -> tuple[pd.DataFrame, dict]:
    """Map a KoboToolbox / ODK export onto the codebook's names.

    * headers written by KoboToolbox for the package's questionnaire are recognised in every
      form the tool writes them (see :class:`KoboForm`): XML names or labels in any of the
      form's languages, with or without the group path (any group separator of up to
      five characters);
    * otherwise group prefixes are dropped (``grp_marketing/uses_social_media`` ->
      ``uses_social_media``; ``/``, ``-``, ``.`` and ``:`` are all used by the tools as separators);
    * the HXL hashtag row that KoboToolbox writes under the header is set aside;
    * answers given as choice labels (``Artisanat``, ``Crafts``, ``الصناعة التقليدية``, ``نعم``)
      become choice names;
    * a select-multiple answer given as one column per choice (``marketing_practices/direct_sales``,
      1/0, blank when unanswered) maps onto the choice's yes/no variable; given as one column of
      space-separated choice names or labels, it is split into those columns (a blank answer
      stays blank: not answered); the "none of these" choice has no column of its own;
    * the tools' own columns (``_uuid``, ``start``, ``_submission_time``, ``meta/instanceID``, ...)
      and the form's notes are set aside as metadata.

    Returns
    -------
    table : DataFrame
        With codebook names where a column could be matched; other columns keep their names.
        Without the HXL row, if there was one (its index labels are kept).
    report : dict
        ``renamed`` (original -> new), ``metadata`` (list), ``expanded`` (list of select-multiple
        columns), ``header_rows`` (1, or 2 with an HXL row) and ``language`` (of the headers:
        ``"xml"`` for names, a form language code, or ``""`` when no header is a label).
    """
    form = kobo_form() if form is None else form
    rows = len(table)
    table = drop_hxl_row(table)
    header_rows = 1 + rows - len(table)
    renamed, metadata, expanded, languages = {}, [], [], set()
    columns = {}
    none_columns = {}  # the "none of these" choice column: choice -> its column
    for column in table.columns:
        base = _base_name(column)
        lowered = base.lower().lstrip("_")
        match = form.match_header(column)
        if match is not None:
            kind, name, choice, lang = match
            languages.add(lang)
            if kind == "note":
                metadata.append(column)
                continue
            if kind == "choice" and choice == NONE_CHOICE.get(name):
                none_columns[choice] = column
                continue
            target = choice if kind == "choice" else name
        elif column in known:
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
    for name in out.columns:
        names = form.value_names.get(form.list_of.get(name, ""))
        if names:
            out[name] = _choice_names(out[name], names)
    for question, choices in SELECT_MULTIPLE.items():
        none = NONE_CHOICE.get(question)
        names = form.value_names.get(form.list_of.get(question, "")) or {
            c: c for c in (*choices, *([none] if none else []))}
        ticked_none = None
        if question in out.columns:
            try:
                split = split_select_multiple(out[question], names)
            except ExportValueError as err:
                raise ExportValueError(str(err), row=err.row, column=columns[question]) from None
            for choice in choices:
                if choice not in out.columns:
                    out[choice] = split[choice]
            if none in split.columns:
                ticked_none = (split[none] == "1"), columns[question]
            expanded.append(question)
            out = out.drop(columns=question)
        elif none in none_columns:
            ticked_none = (table[none_columns[none]].astype(str).str.strip() == "1"), none_columns[none]
        if ticked_none is not None and all(c in out.columns for c in choices):
            mask, column = ticked_none
            beside = mask & (out[list(choices)].astype(str).apply(lambda s: s.str.strip()) == "1").any(axis=1)
            if beside.any():
                raise ExportValueError(f"'{none}' (none of these) ticked beside another choice",
                                       row=beside.index[beside.to_numpy()][0], column=column)
    metadata += list(none_columns.values())
    language = "xml" if languages == {"xml"} else next((lang for lang in form.languages if lang in languages), "")
    return out, {"renamed": renamed, "metadata": metadata, "expanded": expanded, "header_rows": header_rows,
                 "language": language}


def _choice_names(values: pd.Series, names: dict) -> pd.Series:
    """Answers with choice labels replaced by choice names (looked up once per distinct answer)."""
    change = {}
    for value in values.unique():
        name = names.get(unicodedata.normalize("NFC", str(value)).strip())
        if name is not None and name != value:
            change[value] = name
    return values.replace(change) if change else values


def split_select_multiple(answers: pd.Series, names: dict) -> pd.DataFrame:
    """One 1/0 column per choice from a column of space-separated choice names or labels.

    Labels may hold spaces (KoboToolbox joins the labels of a label export with single spaces),
    so an answer is read as the one way of cutting it into known names or labels. A blank
    answer gives blank cells (the question was not answered).

    Raises
    ------
    ExportValueError
        An answer holding an unknown choice, or that can be read as two different sets of
        choices; ``row`` is the answer's index label.

    Examples
    --------
    >>> names = {"a": "a", "b": "b", "Vente directe": "a", "Salons": "b"}
    >>> split_select_multiple(pd.Series(["Vente directe Salons", "b", ""]), names).to_dict("list")
    {'a': ['1', '0', ''], 'b': ['1', '1', '']}
    >>> split_select_multiple(pd.Series(["a", "Vente directe tiktok"]), names)
    Traceback (most recent call last):
    ...
    coopai.formats.ExportValueError: unknown choice 'tiktok' in a select-multiple answer; the choices are ['a', 'b']
    """
    choices = list(dict.fromkeys(names.values()))
    text = answers.astype(str).str.strip()
    rows = {}
    for answer in text.unique():
        if not answer:
            rows[answer] = [""] * len(choices)
            continue
        words = unicodedata.normalize("NFC", answer).split()
        readings = {frozenset(cut) for cut in _cuts(words, names)}
        if len(readings) != 1:
            where = text.index[(text == answer).to_numpy()][0]
            if readings:
                raise ExportValueError(f"the select-multiple answer '{answer[:60]}' can be read as two different "
                                       f"sets of choices", row=where)
            raise ExportValueError(f"unknown choice '{_first_unknown(words, names)[:60]}' in a select-multiple "
                                   f"answer; the choices are {choices}", row=where)
        rows[answer] = ["1" if choice in next(iter(readings)) else "0" for choice in choices]
    cells = np.array([rows[a] for a in text], dtype=object).reshape(len(text), len(choices))
    return pd.DataFrame(cells, columns=choices, index=answers.index)


def _first_unknown(words: list, names: dict) -> str:
    """The first word that no known name or label starting there covers."""
    i = 0
    while i < len(words):
        ends = [end for end in range(len(words), i, -1) if " ".join(words[i:end]) in names]
        if not ends:
            return words[i]
        i = ends[0]
    return " ".join(words)


def _cuts(words: list, names: dict, limit: int = 4) -> list[set]:
    """The ways (up to ``limit``) of reading ``words`` as a sequence of known names or labels."""
    if not words:
        return [set()]
    found = []
    for end in range(len(words), 0, -1):
        name = names.get(" ".join(words[:end]))
        if name is None:
            continue
        for rest in _cuts(words[end:], names, limit):
            found.append({name} | rest)
            if len(found) >= limit:
                return found
    return found


def drop_hxl_row(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without its first row when that row holds HXL hashtags only (index labels kept).

    KoboToolbox writes the form's ``hxl`` column as a second header row of its exports.

    Examples
    --------
    >>> table = pd.DataFrame({"sector": ["#sector", "Services"], "note": ["", ""]}, index=[2, 3])
    >>> drop_hxl_row(table).index.tolist(), drop_hxl_row(table.iloc[1:]).index.tolist()
    ([3], [3])
    """
    if len(table) and is_hxl_row(table.iloc[0]):
        out = table.iloc[1:]
        out.attrs = dict(table.attrs)
        return out
    return table


HXL_TAG = re.compile(r"^#[A-Za-z][A-Za-z0-9_]*(\s*\+[A-Za-z][A-Za-z0-9_]*)*$")


def is_hxl_row(row: pd.Series) -> bool:
    """Whether a row holds HXL hashtags only (blank cells allowed), as KoboToolbox writes under the header.

    Examples
    --------
    >>> is_hxl_row(pd.Series(["#org+code", "", "#sector"])), is_hxl_row(pd.Series(["#1", "Agriculture"]))
    (True, False)
    """
    text = row.astype(str).str.strip()
    text = text[text != ""]
    return bool(len(text)) and bool(text.str.match(HXL_TAG.pattern).all())


# --------------------------------------------------------------------------
# The package's questionnaire as KoboToolbox exports it
# --------------------------------------------------------------------------

#: Longest group separator recognised in headers (KoboToolbox lets the user type one; "/" by default).
MAX_GROUP_SEPARATOR = 5


@dataclass(frozen=True)
class KoboForm:
    """What is needed to read KoboToolbox exports of an XLSForm: every header and answer it can write.

    KoboToolbox's exporter (formpack, ``src/formpack/reporting/export.py`` and
    ``schema/fields.py``, with the options of kpi's ``ExportTask``) writes:

    * a header of question names ("XML values and headers") or of labels in one of the form's
      languages; with "include groups in headers", each header is the path of group names
      (or labels) and the question's, joined by the group separator (``/`` by default);
    * for a select-multiple question, by default ("both") a summary column (choice names, or
      labels, joined by spaces) and one column per choice, headed ``question/choice`` (names) or
      ``Question label/Choice label``, the question part following the rules above and the
      group separator before the choice; 1/0 in each, all blank when the question was not
      answered; or the summary alone, or the choice columns alone;
    * select-one answers as choice names, or labels in a label export;
    * a second header row of HXL hashtags when the form has an ``hxl`` column;
    * notes as (empty) columns, and its own columns (``_id``, ``_uuid``, ``_submission_time``,
      ``_validation_status``, ``_notes``, ``_status``, ``_submitted_by``, ``__version__``,
      ``_tags``, ``_index``).

    Attributes
    ----------
    languages : tuple
        The form's language codes.
    headers : tuple
        ``(segments, (kind, name, choice, lang))``: every header the form can produce, as the
        texts that the group separator joins; ``kind`` is ``question``, ``choice`` or ``note``.
    value_names : dict
        ``list_name -> {name or label in any language: name}``.
    list_of : dict
        ``question name -> list_name`` for select questions.
    """

    languages: tuple
    headers: tuple
    value_names: dict
    list_of: dict

    def match_header(self, header: str):
        """``(kind, name, choice, lang)`` of the form element a header names, or None.

        Raises ``ValueError`` when the header could name two different elements.
        """
        header = unicodedata.normalize("NFC", str(header)).strip()
        # a header ends with its element's last text: only those candidates are tried
        found = {target[:3]: target for last, candidates in self._by_last().items() if header.endswith(last)
                 for segments, target in candidates if _joins(header, segments)}
        if len(found) > 1:
            raise ValueError(f"column '{header}' could be any of {sorted(k[1] + ('/' + k[2] if k[2] else '') for k in found)}")
        return next(iter(found.values()), None)

    def knows(self, header: str) -> bool:
        """Whether a header names an element of the form (one or several)."""
        try:
            return self.match_header(header) is not None
        except ValueError:
            return True

    def _by_last(self) -> dict:
        if "_last_cache" not in self.__dict__:
            grouped = {}
            for segments, target in self.headers:
                grouped.setdefault(segments[-1], []).append((segments, target))
            object.__setattr__(self, "_last_cache", grouped)  # a cache on a frozen instance
        return self.__dict__["_last_cache"]


def _joins(header: str, segments: tuple) -> bool:
    """Whether ``header`` is ``segments`` joined by one separator of 1 to MAX_GROUP_SEPARATOR characters."""
    if len(segments) == 1:
        return header == segments[0]
    if not header.startswith(segments[0]) or not header.endswith(segments[-1]):
        return False
    rest = header[len(segments[0]):]
    return any(rest[:n].join(segments) == header for n in range(1, MAX_GROUP_SEPARATOR + 1))


def kobo_form_from_sheets(sheets: dict) -> KoboForm:
    """Build a :class:`KoboForm` from an XLSForm's ``survey`` and ``choices`` sheets (text)."""
    survey, choices = sheets["survey"], sheets["choices"]
    label_columns = {}
    for column in survey.columns:
        match = re.match(r"^label::.*\((\w+)\)$", str(column))
        if match:
            label_columns[match.group(1)] = column
    languages = tuple(label_columns)

    def texts(row):
        """The element's texts by language: 'xml' -> its name, then its label in each language."""
        out = {"xml": unicodedata.normalize("NFC", str(row["name"])).strip()}
        for lang, column in label_columns.items():
            label = unicodedata.normalize("NFC", str(row.get(column, ""))).strip()
            out[lang] = label or out["xml"]  # formpack writes the name when a label is missing
        return out

    value_names, options = {}, {}
    for _, row in choices.iterrows():
        list_name, name = str(row["list_name"]).strip(), str(row["name"]).strip()
        if not list_name:
            continue
        options.setdefault(list_name, []).append(texts(row))
        names = value_names.setdefault(list_name, {})
        for text in texts(row).values():
            if names.setdefault(text, name) != name:
                raise ValueError(f"choices '{names[text]}' and '{name}' of list '{list_name}' share the text '{text}'")
    headers, groups, list_of = [], [], {}
    for _, row in survey.iterrows():
        kind = str(row["type"]).strip().split()
        if not kind:
            continue
        if kind[0] == "begin_group":
            groups.append(texts(row))
            continue
        if kind[0] == "end_group":
            groups.pop()
            continue
        element = texts(row)
        target_kind = "note" if kind[0] == "note" else "question"
        if kind[0] in ("select_one", "select_multiple"):
            list_of[element["xml"]] = kind[1]
        for lang in ("xml", *languages):
            path = tuple(g[lang] for g in groups) + (element[lang],)
            for segments in {path, path[-1:]}:
                headers.append((segments, (target_kind, element["xml"], "", lang)))
                if kind[0] == "select_multiple":
                    for option in options.get(kind[1], ()):
                        headers.append((segments + (option[lang],), ("choice", element["xml"], option["xml"], lang)))
    return KoboForm(languages, tuple(headers), value_names, list_of)


def kobo_form(path=None) -> KoboForm:
    """The package's questionnaire (data/instrument/coopai_questionnaire.xlsx) as a :class:`KoboForm`.

    Examples
    --------
    >>> form = kobo_form()
    >>> form.match_header("Identification/Secteur d'activité")
    ('question', 'sector', '', 'fr')
    >>> form.match_header("marketing_practices/direct_sales")
    ('choice', 'marketing_practices', 'direct_sales', 'xml')
    >>> form.value_names["sector"]["الصناعة التقليدية"]
    'Artisanat'
    """
    from . import instrument  # the instrument module writes the form; this one only reads it

    path = Path(path or instrument.INSTRUMENT)
    if not path.is_file():  # without the form, exports are read by their column names alone
        return KoboForm((), (), {}, {})
    stat = path.stat()
    return _kobo_form_cached(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _kobo_form_cached(path: Path, mtime_ns: int, size: int) -> KoboForm:
    from . import instrument

    return kobo_form_from_sheets(instrument.read_xlsform(path))


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
