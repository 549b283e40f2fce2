"""The survey instrument as an XLSForm (KoboToolbox / ODK), rebuilt from what the paper reports it asked.

``python -m coopai.instrument`` writes ``data/instrument/coopai_questionnaire.xlsx``: sheets
``survey``, ``choices`` and ``settings``, French labels with English beside them, and variable
names that are the codebook's, so that a team can field it as it is and load its export with
``make all DATA=export.csv OUT=...``. The paper does not publish its questionnaire: question
wording here is the package's, and the form says so in its first note.

Hard constraints of data/constraints.csv become XLSForm ``constraint`` expressions, so the
form refuses an impossible answer at the time of the interview; the rebuild's assumptions
are not enforced (they are what a real survey should be free to contradict).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from . import config
from .codebook import allowed_values, category_labels, read_codebook
from .files import temporary_path
from .formats import SELECT_MULTIPLE, _fix_zip_times

INSTRUMENT = config.INSTRUMENT
FR, EN = "label::Français (fr)", "label::English (en)"

#: Choice lists: list name -> (values, or None to take the codebook's allowed values minus exclusions).
YES_NO = (("yes", "Oui", "Yes"), ("no", "Non", "No"))
#: Values the codebook allows that a respondent is never offered: the rebuild's own declaration.
NOT_OFFERED = {"digital_tool_status": ("unclassified",)}

NONE_SELECTED = "${digital_tool_status} = 'none'"


def constraint_message(constraint_id: str, fr: str, en: str) -> dict:
    """Per-language constraint messages, naming the constraint of data/constraints.csv they enforce."""
    return {f"constraint_message::{FR[len('label::'):]}": f"{fr} ({constraint_id})",
            f"constraint_message::{EN[len('label::'):]}": f"{en} ({constraint_id})"}


def survey_rows(codebook: pd.DataFrame) -> list[dict]:
    """The ``survey`` sheet, one dict per row."""
    def question(kind, name, **extra):
        return {"type": kind, "name": name, FR: codebook.loc[name, "label_fr"] if name in codebook.index else extra.pop("fr"),
                EN: codebook.loc[name, "label_en"] if name in codebook.index else extra.pop("en"),
                "required": "yes", **extra}

    yes_no = [n for n in codebook.index if codebook.loc[n, "role"] == "survey" and codebook.loc[n, "type"] == "boolean"
              and n not in SELECT_MULTIPLE["marketing_practices"]]
    digital = [n for n in yes_no if n in ("has_structured_it_equipment", "has_stable_internet",
                                          "uses_specific_digital_solutions")]
    ai = [n for n in yes_no if n not in digital]
    rows = [
        {"type": "note", "name": "rebuilt_notice",
         FR: "Questionnaire reconstitué par coopai à partir de l'article (le questionnaire original n'est pas publié).",
         EN: "Questionnaire rebuilt by coopai from the article (the original questionnaire is not published)."},
        {"type": "begin_group", "name": "identification", FR: "Identification", EN: "Identification"},
        question("text", "cooperative_id"),
        question("select_one sector", "sector"),
        {"type": "end_group", "name": "identification"},
        {"type": "begin_group", "name": "marketing", FR: "Pratiques marketing", EN: "Marketing practices"},
        question("select_multiple practices", "marketing_practices", fr="Pratiques marketing utilisées",
                 en="Marketing practices used", required="no"),
        {"type": "end_group", "name": "marketing"},
        {"type": "begin_group", "name": "digitalisation", FR: "Digitalisation", EN: "Digitalisation"},
        question("select_one digital_status", "digital_tool_status",
                 constraint="not(. = 'none' and (selected(${marketing_practices}, 'uses_social_media') or "
                            "selected(${marketing_practices}, 'sells_online_platform')))",
                 **constraint_message("H1-H2", "Sans outil numérique, pas de réseaux sociaux ni de vente en ligne",
                                      "No digital tool: no social media and no online sales platform")),
    ]
    for name in digital:
        extra = {"constraint": f"not({NONE_SELECTED} and . = 'yes')",
                 **constraint_message("H3", "Sans outil numérique, pas de solution numérique spécifique",
                                      "No digital tool: no specific digital solution")} \
            if name == "uses_specific_digital_solutions" else {}
        rows.append(question("select_one yes_no", name, **extra))
    rows += [{"type": "end_group", "name": "digitalisation"},
             {"type": "begin_group", "name": "ai", FR: "Intelligence artificielle", EN: "Artificial intelligence"}]
    for name in ai:
        extra = {"constraint": f"not({NONE_SELECTED} and . = 'yes')",
                 **constraint_message("H4", "Sans outil numérique, pas d'outil d'IA utilisé",
                                      "No digital tool: no AI tool used")} \
            if name == "used_ai_tool" else {}
        rows.append(question("select_one yes_no", name, **extra))
    rows.append({"type": "end_group", "name": "ai"})
    return rows


def choice_rows(codebook: pd.DataFrame) -> list[dict]:
    """The ``choices`` sheet: sectors, practices, digital status and yes/no."""
    labels_fr, labels_en = category_labels("fr"), category_labels("en")
    rows = []
    for list_name, variable in (("sector", "sector"), ("digital_status", "digital_tool_status")):
        for value in allowed_values(codebook, variable):
            if value in NOT_OFFERED.get(variable, ()):
                continue
            rows.append({"list_name": list_name, "name": value, FR: labels_fr[(variable, value)],
                         EN: labels_en[(variable, value)]})
    for practice in SELECT_MULTIPLE["marketing_practices"]:
        rows.append({"list_name": "practices", "name": practice, FR: codebook.loc[practice, "label_fr"],
                     EN: codebook.loc[practice, "label_en"]})
    rows += [{"list_name": "yes_no", "name": n, FR: fr, EN: en} for n, fr, en in YES_NO]
    return rows


def build_xlsform(path=None) -> Path:
    """Write the XLSForm, byte-identical from run to run."""
    path = Path(path or INSTRUMENT)
    path.parent.mkdir(parents=True, exist_ok=True)
    codebook = read_codebook()
    survey = pd.DataFrame(survey_rows(codebook)).fillna("")
    columns = ["type", "name", FR, EN, "required", "constraint", "constraint_message::Français (fr)",
               "constraint_message::English (en)"]
    survey = survey.reindex(columns=columns, fill_value="")
    choices = pd.DataFrame(choice_rows(codebook))
    settings = pd.DataFrame([{"form_title": "coopai - IA et marketing des coopératives (reconstitué)",
                              "form_id": "coopai_questionnaire", "version": "1",
                              "default_language": "Français (fr)"}])
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


def main() -> int:
    path = build_xlsform()
    print(f"coopai.instrument: wrote {config.display(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
