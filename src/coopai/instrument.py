"""The survey instrument as an XLSForm (KoboToolbox / ODK) in French, Arabic and English, and its printouts.

``python -m coopai.instrument`` writes, in ``data/instrument/``:

* ``coopai_questionnaire.xlsx``: sheets ``survey``, ``choices`` and ``settings``; labels, hints
  and constraint messages in three languages with KoboToolbox's column convention
  (``label::Français (fr)``, ``label::العربية (ar)``, ``label::English (en)``, likewise
  ``hint::`` and ``constraint_message::``), French the default language; an ``hxl`` column
  (KoboToolbox puts these hashtags in a second header row of its exports); variable names that
  are the codebook's, so that a team can field it as it is and load its export with
  ``make all DATA=export.csv OUT=...``;
* ``coopai_questionnaire.fr.html``, ``.ar.html`` (right to left) and ``.en.html``: a printable
  questionnaire per language, made by reading the XLSForm back, so that paper and tablet
  always ask the same thing.

The paper does not publish its questionnaire: question wording here is the package's, and
the form says so in its first note, together with the warning that the Arabic text is a
translation a native speaker must review before fieldwork.

Where the words live: question labels in ``data/codebook.csv`` (``label_fr``, ``label_ar``,
``label_en``), category labels in ``data/category_labels.csv``, and the text that only the
form needs (notes, group titles, hints, constraint messages, yes/no, the printout's own
words) in ``data/instrument/form_text.csv``.

Hard constraints of data/constraints.csv become XLSForm ``constraint`` expressions, so the
form refuses an impossible answer at the time of the interview; the rebuild's assumptions
are not enforced (they are what a real survey should be free to contradict).
"""
from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pandas as pd

from . import config
from .codebook import allowed_values, read_codebook
from .files import temporary_path, write_atomic
from .formats import NONE_CHOICE, SELECT_MULTIPLE, _fix_zip_times

INSTRUMENT = config.INSTRUMENT
INSTRUMENT_DIR = INSTRUMENT.parent
FORM_TEXT = INSTRUMENT_DIR / "form_text.csv"

#: The form's languages, default first: code -> name as KoboToolbox writes it in column headers.
LANGUAGES = {"fr": "Français", "ar": "العربية", "en": "English"}
DEFAULT_LANGUAGE = "fr"
#: Writing direction of each language, for the printouts.
DIRECTION = {"fr": "ltr", "ar": "rtl", "en": "ltr"}
TRANSLATED = ("label", "hint", "constraint_message")


def column(kind: str, lang: str) -> str:
    """The XLSForm column of a translated text, in KoboToolbox's convention.

    Examples
    --------
    >>> column("label", "ar")
    'label::العربية (ar)'
    """
    return f"{kind}::{LANGUAGES[lang]} ({lang})"


FR, EN = column("label", "fr"), column("label", "en")
LANGUAGE_OF_COLUMN = re.compile(r"^(label|hint|constraint_message)::.*\((\w+)\)$")

#: Values the codebook allows that a respondent is never offered: the rebuild's own declaration.
NOT_OFFERED = {"digital_tool_status": ("unclassified",)}

#: HXL hashtags (hxlstandard.org), which KoboToolbox writes as a second header row of its exports.
HXL = {
    "cooperative_id": "#org+code", "sector": "#sector", "marketing_practices": "#indicator+marketing",
    "digital_tool_status": "#indicator+digital+tools", "has_structured_it_equipment": "#indicator+digital+equipment",
    "has_stable_internet": "#indicator+digital+internet",
    "uses_specific_digital_solutions": "#indicator+digital+solutions", "heard_of_ai": "#indicator+ai+heard",
    "used_ai_tool": "#indicator+ai+used", "interested_in_ai": "#indicator+ai+interest",
    "reports_ai_barriers": "#indicator+ai+barriers",
}

NONE_SELECTED = "${digital_tool_status} = 'none'"
#: Hard constraints of data/constraints.csv as XLSForm expressions on the question they guard.
CONSTRAINTS = {
    "marketing_practices": f"not(selected(., '{NONE_CHOICE['marketing_practices']}') and count-selected(.) > 1)",
    "digital_tool_status": "not(. = 'none' and (selected(${marketing_practices}, 'uses_social_media') or "
                           "selected(${marketing_practices}, 'sells_online_platform')))",
    "uses_specific_digital_solutions": f"not({NONE_SELECTED} and . = 'yes')",
    "used_ai_tool": f"not({NONE_SELECTED} and . = 'yes')",
}
DIGITAL = ("has_structured_it_equipment", "has_stable_internet", "uses_specific_digital_solutions")


def read_form_text(path=None) -> dict:
    """The form's own text: ``(sheet, name, column) -> {lang: text}``.

    Examples
    --------
    >>> read_form_text()[("choices", "yes_no/yes", "label")]["ar"]
    'نعم'
    """
    path = config.resolve(path or FORM_TEXT)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    texts = {}
    for i, row in table.iterrows():
        key = (row["sheet"], row["name"], row["column"])
        missing = [lang for lang in LANGUAGES if not row[lang].strip()]
        if missing or key in texts:
            raise ValueError(f"{path.name}, row {i + 2}: " + (f"no {missing[0]} text" if missing else "repeated entry"))
        texts[key] = {lang: row[lang] for lang in LANGUAGES}
    return texts


def _category_labels() -> dict:
    """``(variable, value) -> {lang: label}`` from data/category_labels.csv."""
    table = pd.read_csv(config.CATEGORY_LABELS, dtype=str, keep_default_na=False)
    return {(r["variable"], r["value"]): {lang: r[f"label_{lang}"] for lang in LANGUAGES} for _, r in table.iterrows()}


def _translated(kind: str, texts: dict) -> dict:
    return {column(kind, lang): texts[lang] for lang in LANGUAGES}


def survey_rows(codebook: pd.DataFrame, texts: dict | None = None) -> list[dict]:
    """The ``survey`` sheet, one dict per row."""
    texts = read_form_text() if texts is None else texts

    def own(name, kind="label"):
        return _translated(kind, texts[("survey", name, kind)])

    def question(kind, name, required="yes"):
        labels = own(name) if ("survey", name, "label") in texts else _translated(
            "label", {lang: codebook.loc[name, f"label_{lang}"] for lang in LANGUAGES})
        row = {"type": kind, "name": name, **labels, "required": required, "hxl": HXL[name]}
        if ("survey", name, "hint") in texts:
            row.update(own(name, "hint"))
        if name in CONSTRAINTS:
            row.update({"constraint": CONSTRAINTS[name], **own(name, "constraint_message")})
        return row

    def group(name, questions):
        return [{"type": "begin_group", "name": name, **own(name)}, *questions, {"type": "end_group", "name": name}]

    yes_no = [n for n in codebook.index if codebook.loc[n, "role"] == "survey" and codebook.loc[n, "type"] == "boolean"
              and n not in SELECT_MULTIPLE["marketing_practices"]]
    digital = [n for n in yes_no if n in DIGITAL]
    ai = [n for n in yes_no if n not in digital]
    return [
        {"type": "note", "name": "rebuilt_notice", **own("rebuilt_notice")},
        *group("identification", [question("text", "cooperative_id"), question("select_one sector", "sector")]),
        *group("marketing", [question("select_multiple practices", "marketing_practices")]),
        *group("digitalisation", [question("select_one digital_status", "digital_tool_status")]
               + [question("select_one yes_no", name) for name in digital]),
        *group("ai", [question("select_one yes_no", name) for name in ai]),
    ]


def choice_rows(codebook: pd.DataFrame, texts: dict | None = None) -> list[dict]:
    """The ``choices`` sheet: sectors, practices (and none of them), digital status and yes/no."""
    texts = read_form_text() if texts is None else texts
    categories = _category_labels()
    rows = []
    for list_name, variable in (("sector", "sector"), ("digital_status", "digital_tool_status")):
        for value in allowed_values(codebook, variable):
            if value not in NOT_OFFERED.get(variable, ()):
                rows.append({"list_name": list_name, "name": value,
                             **_translated("label", categories[(variable, value)])})
    for practice in SELECT_MULTIPLE["marketing_practices"]:
        rows.append({"list_name": "practices", "name": practice,
                     **_translated("label", {lang: codebook.loc[practice, f"label_{lang}"] for lang in LANGUAGES})})
    for (sheet, key, kind), text in texts.items():
        if sheet == "choices":
            list_name, name = key.split("/")
            rows.append({"list_name": list_name, "name": name, **_translated(kind, text)})
    return rows


def build_xlsform(path=None) -> Path:
    """Write the XLSForm, byte-identical from run to run."""
    path = Path(path or INSTRUMENT)
    codebook = read_codebook()
    texts = read_form_text()
    survey = pd.DataFrame(survey_rows(codebook, texts))
    columns = ["type", "name", *[column(kind, lang) for kind in ("label", "hint") for lang in LANGUAGES],
               "required", "constraint", *[column("constraint_message", lang) for lang in LANGUAGES], "hxl"]
    survey = survey.reindex(columns=columns).fillna("")
    choices = pd.DataFrame(choice_rows(codebook, texts))
    settings = pd.DataFrame([{"form_title": "coopai - IA et marketing des coopératives (reconstitué)",
                              "form_id": "coopai_questionnaire", "version": "2",
                              "default_language": f"{LANGUAGES[DEFAULT_LANGUAGE]} ({DEFAULT_LANGUAGE})"}])
    tmp = temporary_path(path)
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        survey.to_excel(writer, sheet_name="survey", index=False)
        choices.to_excel(writer, sheet_name="choices", index=False)
        settings.to_excel(writer, sheet_name="settings", index=False)
        fixed = pd.Timestamp("1970-01-01").to_pydatetime()
        writer.book.properties.created = writer.book.properties.modified = fixed
        writer.book.properties.creator = "coopai"
    _fix_zip_times(tmp)
    tmp.replace(path)
    return path


def read_xlsform(path=None) -> dict:
    """The XLSForm's sheets as DataFrames (text)."""
    sheets = pd.read_excel(path or INSTRUMENT, sheet_name=None, dtype=str, engine="openpyxl")
    return {name: frame.fillna("") for name, frame in sheets.items()}


def form_languages(sheets: dict) -> list[str]:
    """Language codes of an XLSForm's translated columns, in column order.

    Examples
    --------
    >>> form_languages(read_xlsform())
    ['fr', 'ar', 'en']
    """
    codes = []
    for name in sheets["survey"].columns:
        match = LANGUAGE_OF_COLUMN.match(str(name))
        if match and match.group(2) not in codes:
            codes.append(match.group(2))
    return codes


# --------------------------------------------------------------------------
# Printable questionnaires
# --------------------------------------------------------------------------

PRINT_STYLE = """body{font-family:"Noto Sans","Noto Naskh Arabic","DejaVu Sans",Arial,sans-serif;max-width:46em;margin:2em auto;line-height:1.45}
.notice{border:1px solid #999;padding:.6em;background:#f4f4f4}
section{margin-top:1.4em}h2{border-bottom:1px solid #444;font-size:1.15em}
.question{margin:1em 0;break-inside:avoid}.label{font-weight:bold}.name{color:#666;font-family:monospace;font-size:.85em}
.hint,.how,.check{color:#333;font-size:.9em;margin:.2em 0}.check{font-style:italic}
ul.choices{list-style:none;padding-inline-start:1em;margin:.3em 0}.box{display:inline-block;width:.9em;height:.9em;border:1px solid #000;margin-inline-end:.5em;vertical-align:middle}
.line{border-bottom:1px dotted #000;height:1.6em;width:70%}"""


def _cell(row, kind: str, lang: str) -> str:
    return str(row.get(column(kind, lang), "")).strip()


def printout_html(sheets: dict, lang: str, texts: dict | None = None, source: str = "") -> str:
    """A printable questionnaire in one language, from the XLSForm's sheets.

    Every question (label, hint, how to answer, constraint message) and every choice appears,
    in the form's order; all text is HTML-escaped. The page's own words (``One answer only``,
    ...) come from data/instrument/form_text.csv.
    """
    texts = read_form_text() if texts is None else texts
    word = {name: text[lang] for (sheet, name, _), text in texts.items() if sheet == "printout"}
    esc = html.escape
    choices = sheets["choices"]
    out = [f'<!DOCTYPE html>\n<html lang="{lang}" dir="{DIRECTION.get(lang, "ltr")}">\n<head>\n<meta charset="utf-8">',
           f"<title>{esc(word['title'])}</title>\n<style>\n{PRINT_STYLE}\n</style>\n</head>\n<body>",
           f"<h1>{esc(word['title'])}</h1>"]
    if source:
        out.append(f'<p class="how">{esc(word["source"])} <bdi class="name">{esc(source)}</bdi></p>')
    number = 0
    for _, row in sheets["survey"].iterrows():
        kind = str(row["type"]).strip()
        if kind == "note":
            out.append(f'<p class="notice">{esc(_cell(row, "label", lang))}</p>')
        elif kind == "begin_group":
            out.append(f"<section>\n<h2>{esc(_cell(row, 'label', lang))}</h2>")
        elif kind == "end_group":
            out.append("</section>")
        elif kind:
            number += 1
            base = kind.split()[0]
            lines = [f'<div class="question" id="{esc(row["name"])}">',
                     f'<p><span class="label">{number}. {esc(_cell(row, "label", lang))}</span> '
                     f'<bdi class="name">[{esc(row["name"])}]</bdi></p>']
            if _cell(row, "hint", lang):
                lines.append(f'<p class="hint">{esc(_cell(row, "hint", lang))}</p>')
            how = [word[base]] if base in word else []
            if str(row.get("required", "")).strip().lower() in ("yes", "true", "1"):
                how.append(word["required"])
            if how:
                lines.append(f'<p class="how">{esc(" · ".join(how))}</p>')
            if base.startswith("select_"):
                offered = choices[choices["list_name"] == kind.split()[1]]
                lines.append('<ul class="choices">')
                lines += [f'<li><span class="box"></span>{esc(_cell(choice, "label", lang))} '
                          f'<bdi class="name">[{esc(choice["name"])}]</bdi></li>' for _, choice in offered.iterrows()]
                lines.append("</ul>")
            else:
                lines.append('<div class="line"></div>')
            if _cell(row, "constraint_message", lang):
                lines.append(f'<p class="check">{esc(word["constraint"])} {esc(_cell(row, "constraint_message", lang))}</p>')
            out.append("\n".join(lines + ["</div>"]))
    out.append("</body>\n</html>\n")
    return "\n".join(out)


def printout_path(lang: str, xlsform=None) -> Path:
    """Where the printout of ``lang`` goes: beside the XLSForm, ``NAME.LANG.html``."""
    xlsform = Path(xlsform or INSTRUMENT)
    return xlsform.with_name(f"{xlsform.stem}.{lang}.html")


def write_printouts(xlsform=None) -> list[Path]:
    """Write the printable questionnaire in each of the XLSForm's languages, read back from the file."""
    xlsform = Path(xlsform or INSTRUMENT)
    sheets = read_xlsform(xlsform)
    texts = read_form_text()
    return [write_atomic(printout_path(lang, xlsform), printout_html(sheets, lang, texts, source=xlsform.name))
            for lang in form_languages(sheets)]


def main() -> int:
    path = build_xlsform()
    print(f"coopai.instrument: wrote {config.display(path)}")
    for printout in write_printouts(path):
        print(f"coopai.instrument: wrote {config.display(printout)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
