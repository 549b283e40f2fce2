"""The questionnaire: the XLSForm in French, Arabic and English, its conversion, and its printouts."""
import html
import re
import time

import pytest

from coopai import formats, instrument
from coopai.codebook import allowed_values, read_codebook
from conftest import file_digest

LANGS = ("fr", "ar", "en")


@pytest.fixture(scope="module")
def sheets():
    return instrument.read_xlsform()


@pytest.fixture(scope="module")
def conversion():
    # pyxform is the XLSForm converter behind ODK and KoboToolbox (its Java validator is not run here).
    from pyxform.xls2xform import convert

    return convert(xlsform=str(instrument.INSTRUMENT), validate=False)


def test_instrument_and_codebook_agree(sheets):
    codebook = read_codebook()
    survey, choices = sheets["survey"], sheets["choices"]
    questions = survey[~survey["type"].isin(["begin_group", "end_group", "note"])]
    names = set(questions["name"])
    multiple = {c for q in names & set(formats.SELECT_MULTIPLE) for c in formats.SELECT_MULTIPLE[q]}
    survey_vars = set(codebook.index[codebook["role"].isin(["id", "survey"])])
    assert names - set(formats.SELECT_MULTIPLE) | multiple == survey_vars
    for _, q in questions.iterrows():
        if q["name"] in codebook.index:
            for lang in LANGS:
                assert q[instrument.column("label", lang)] == codebook.loc[q["name"], f"label_{lang}"], (q["name"], lang)
        if q["type"].startswith("select_one") and q["name"] in codebook.index and codebook.loc[q["name"], "type"] == "categorical":
            offered = set(choices.loc[choices["list_name"] == q["type"].split()[1], "name"])
            allowed = set(allowed_values(codebook, q["name"])) - set(instrument.NOT_OFFERED.get(q["name"], ()))
            assert offered == allowed, q["name"]
    practices = set(choices.loc[choices["list_name"] == "practices", "name"])
    assert practices == set(formats.SELECT_MULTIPLE["marketing_practices"]) | {formats.NONE_CHOICE["marketing_practices"]}


def test_three_languages_in_kobotoolbox_columns_french_default(sheets):
    for kind in ("label", "hint", "constraint_message"):
        assert [c for c in sheets["survey"].columns if c.startswith(f"{kind}::")] == [
            f"{kind}::Français (fr)", f"{kind}::العربية (ar)", f"{kind}::English (en)"]
    assert [c for c in sheets["choices"].columns if c.startswith("label")] == [
        "label::Français (fr)", "label::العربية (ar)", "label::English (en)"]
    assert sheets["settings"]["default_language"].item() == "Français (fr)"
    assert instrument.form_languages(sheets) == list(LANGS)


def test_every_text_exists_in_every_language(sheets):
    survey, choices = sheets["survey"], sheets["choices"]
    arabic = re.compile(r"[\u0600-\u06FF]")
    shown = survey[survey["type"] != "end_group"]
    for kind in ("label", "hint", "constraint_message"):
        for _, row in shown.iterrows():
            texts = {lang: row[instrument.column(kind, lang)] for lang in LANGS}
            if kind == "label":
                assert all(texts.values()), row["name"]
            # a hint or message given in one language is given in all three
            assert all(texts.values()) or not any(texts.values()), (row["name"], kind)
            if texts["ar"]:
                assert arabic.search(texts["ar"]) and not arabic.search(texts["fr"] + texts["en"]), (row["name"], kind)
    for _, row in choices.iterrows():
        assert all(row[instrument.column("label", lang)] for lang in LANGS), row["name"]
        assert arabic.search(row[instrument.column("label", "ar")]), row["name"]
    questions = survey[~survey["type"].isin(["begin_group", "end_group", "note"])]
    assert (questions[instrument.column("hint", "fr")] != "").all(), "every question has a hint"
    assert (survey.loc[survey["constraint"] != "", instrument.column("constraint_message", "ar")] != "").all()


def test_first_note_says_rebuilt_and_asks_for_a_native_speaker_review(sheets):
    first = sheets["survey"].iloc[0]
    assert first["type"] == "note"
    fr, ar, en = (first[instrument.column("label", lang)] for lang in LANGS)
    assert "reconstitué" in fr and "arabe" in fr and "locuteur natif" in fr
    assert "rebuilt" in en and "Arabic" in en and "native speaker" in en
    assert "متحدث أصلي" in ar and "العربي" in ar


def test_instrument_converts_to_an_xform_without_warnings(conversion):
    assert conversion.warnings == []
    xform = conversion.xform
    assert re.findall(r'<translation lang="([^"]*)"', xform) == ["Français (fr)", "العربية (ar)", "English (en)"]
    assert '<translation lang="Français (fr)" default="true()">' in xform
    codebook = read_codebook()
    for name in codebook.index[codebook["role"].isin(["id", "survey"])]:
        if name not in formats.SELECT_MULTIPLE["marketing_practices"]:
            assert f"/{name}\"" in xform, name
    assert "selected( /data/marketing/marketing_practices , 'uses_social_media')" in xform.replace("coopai_questionnaire", "data")
    assert "not(selected(., 'no_practice') and count-selected(.) &gt; 1)" in xform


def test_every_translated_text_reaches_the_xform(conversion, sheets):
    xform = html.unescape(conversion.xform)
    for sheet in ("survey", "choices"):
        for _, row in sheets[sheet].iterrows():
            for kind in ("label", "hint", "constraint_message"):
                for lang in LANGS:
                    text = row.get(instrument.column(kind, lang), "")
                    assert text in xform, (row["name"], kind, lang)


def test_committed_instrument_and_printouts_are_current(tmp_path):
    target = tmp_path / instrument.INSTRUMENT.name
    instrument.build_xlsform(target)
    written = instrument.write_printouts(target)
    assert [p.name for p in written] == [f"coopai_questionnaire.{lang}.html" for lang in LANGS]
    assert file_digest(target) == file_digest(instrument.INSTRUMENT)
    for path in written:
        assert file_digest(path) == file_digest(instrument.INSTRUMENT_DIR / path.name), path.name


def test_instrument_is_byte_identical_from_run_to_run(tmp_path):
    first = instrument.build_xlsform(tmp_path / "a" / "form.xlsx")
    pages = [file_digest(p) for p in instrument.write_printouts(first)]
    time.sleep(1.1)  # the zip and workbook clocks move on
    second = instrument.build_xlsform(tmp_path / "b" / "form.xlsx")
    assert file_digest(first) == file_digest(second)
    assert pages == [file_digest(p) for p in instrument.write_printouts(second)]


@pytest.mark.parametrize("lang", LANGS)
def test_printout_holds_every_question_hint_choice_and_message(sheets, lang):
    page = (instrument.INSTRUMENT_DIR / f"coopai_questionnaire.{lang}.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page
    survey, choices = sheets["survey"], sheets["choices"]
    used_lists = set()
    for _, row in survey[survey["type"] != "end_group"].iterrows():
        for kind in ("label", "hint", "constraint_message"):
            text = row[instrument.column(kind, lang)]
            assert html.escape(text) in page, (row["name"], kind)
        if row["type"] not in ("note", "begin_group"):
            assert f"[{row['name']}]" in page
        if row["type"].startswith("select_"):
            used_lists.add(row["type"].split()[1])
    assert used_lists == set(choices["list_name"])
    for _, choice in choices.iterrows():
        assert html.escape(choice[instrument.column("label", lang)]) + " " in page, choice["name"]
    # the other languages' labels are absent: one language per page
    other = next(code for code in LANGS if code != lang)
    assert html.escape(survey.loc[survey["name"] == "used_ai_tool", instrument.column("hint", other)].item()) not in page


def test_printout_escapes_text(sheets):
    sheets = {name: frame.copy() for name, frame in sheets.items()}
    hostile = '<script>alert("x")</script> & <b>'
    sheets["survey"].loc[sheets["survey"]["name"] == "sector", instrument.column("label", "en")] = hostile
    sheets["choices"].loc[sheets["choices"]["name"] == "Services", instrument.column("label", "en")] = "R&D <i>"
    page = instrument.printout_html(sheets, "en")
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert "R&amp;D &lt;i&gt;" in page


def test_form_text_file_refuses_a_missing_translation(tmp_path):
    import pandas as pd

    table = pd.read_csv(instrument.FORM_TEXT, dtype=str, keep_default_na=False)
    table.loc[1, "ar"] = " "
    table.to_csv(tmp_path / "form_text.csv", index=False)
    with pytest.raises(ValueError, match=r"form_text.csv, row 3: no ar text"):
        instrument.read_form_text(tmp_path / "form_text.csv")
