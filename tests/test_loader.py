"""The survey loader: formats it reads, answers it understands, and the errors it gives."""
import csv
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest

from coopai import codebook, sector_tests
from coopai import survey as loader
from coopai.survey import (AssumptionWarning, DirectIdentifierWarning, SurveyDataError, add_derived_variables,
                           load_survey)
from conftest import ROOT, file_digest, run_notebooks


def write_csv(frame, path, sep=",", encoding="utf-8"):
    frame.to_csv(path, sep=sep, index=False, encoding=encoding)
    return path


def load_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_survey(path)


@pytest.mark.parametrize("sep, encoding", [(",", "utf-8"), (";", "utf-8-sig"), (";", "cp1252"), (",", "latin-1")])
def test_reads_csv_as_french_excel_writes_it(survey_frame, tmp_path, sep, encoding):
    survey_frame = survey_frame.assign(sector=survey_frame["sector"].astype(str))
    path = write_csv(survey_frame, tmp_path / "survey.csv", sep, encoding)
    survey = load_quietly(path)
    assert len(survey) == 30 and int(survey["uses_social_media"].sum()) == 15
    assert survey.attrs["rebuilt"] is False  # no provenance column: read as observed
    assert list(survey["sector"].cat.categories) == list(codebook.SECTORS)


def test_reads_xlsx(survey_frame, tmp_path):
    path = tmp_path / "survey.xlsx"
    survey_frame.to_excel(path, index=False)
    assert int(load_quietly(path)["heard_of_ai"].sum()) == 6


@pytest.mark.parametrize("yes, no", [("1", "0"), ("TRUE", "False"), ("Oui", "NON"), ("yes", "No"), ("vrai", "faux")])
def test_yes_no_answers_in_any_case(survey_frame, tmp_path, yes, no):
    frame = survey_frame.replace({"oui": yes, "non": no})
    survey = load_quietly(write_csv(frame, tmp_path / "s.csv"))
    assert survey["direct_sales"].dtype == bool and int(survey["direct_sales"].sum()) == 22


def test_identifiers_dropped_with_warning_and_metadata_ignored(survey_frame, tmp_path):
    frame = survey_frame.assign(respondent_name="Fatima Z.", phone="+212 600 000 000",
                                submission_time="2025-05-01T10:00")
    path = write_csv(frame, tmp_path / "s.csv")
    with pytest.warns(DirectIdentifierWarning, match="respondent_name"):
        survey = load_survey(path)
    assert not {"respondent_name", "phone", "submission_time"} & set(survey.columns)


def test_assumption_breach_is_a_warning_with_rows(survey_frame, tmp_path):
    frame = survey_frame.copy()
    used = frame.index[frame["used_ai_tool"] == "oui"][0]
    frame.loc[used, "heard_of_ai"] = "non"
    with pytest.warns(AssumptionWarning, match=rf"A4 .*rows {used + 2}"):
        load_survey(write_csv(frame, tmp_path / "s.csv"))


def test_input_file_is_never_modified(survey_frame, tmp_path):
    path = write_csv(survey_frame, tmp_path / "s.csv")
    before = file_digest(path)
    load_quietly(path)
    assert file_digest(path) == before


def _error(path):
    with pytest.raises(SurveyDataError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_survey(path)
    return info.value


def test_missing_file_and_unsupported_kind(tmp_path):
    assert "no such file" in str(_error(tmp_path / "absent.csv"))
    (tmp_path / "survey.json").write_text("{}")
    assert "unsupported file type '.json'" in str(_error(tmp_path / "survey.json"))
    (tmp_path / "binary.csv").write_bytes(b"\x89PNG\x00\x00")
    assert "not a text (CSV) file" in str(_error(tmp_path / "binary.csv"))
    (tmp_path / "empty.csv").write_text("")
    assert "empty" in str(_error(tmp_path / "empty.csv"))


def test_missing_survey_column(survey_frame, tmp_path):
    err = _error(write_csv(survey_frame.drop(columns="has_stable_internet"), tmp_path / "s.csv"))
    assert (err.row, err.column) == (1, "has_stable_internet")
    assert str(err).startswith("file s.csv, row 1, column 'has_stable_internet'")


def test_unknown_category(survey_frame, tmp_path):
    frame = survey_frame.assign(sector=survey_frame["sector"].astype(str))
    frame.loc[7, "sector"] = "Pêche"
    err = _error(write_csv(frame, tmp_path / "s.csv"))
    assert (err.row, err.column) == (9, "sector") and "unknown category 'Pêche'" in str(err)


def test_missing_value_where_none_allowed(survey_frame, tmp_path):
    frame = survey_frame.copy()
    frame.loc[4, "interested_in_ai"] = ""
    err = _error(write_csv(frame, tmp_path / "s.csv"))
    assert (err.row, err.column) == (6, "interested_in_ai") and "missing value" in str(err)


def test_not_a_yes_no_answer(survey_frame, tmp_path):
    frame = survey_frame.copy()
    frame.loc[2, "direct_sales"] = "peut-être"
    err = _error(write_csv(frame, tmp_path / "s.csv"))
    assert (err.row, err.column) == (4, "direct_sales")


def test_duplicate_id(survey_frame, tmp_path):
    frame = survey_frame.copy()
    frame.loc[12, "cooperative_id"] = frame.loc[3, "cooperative_id"]
    err = _error(write_csv(frame, tmp_path / "s.csv"))
    assert err.column == "cooperative_id" and err.row == 14 and "rows 5, 14" in str(err)


def test_hard_constraint_broken(survey_frame, tmp_path):
    frame = survey_frame.assign(digital_tool_status=survey_frame["digital_tool_status"].astype(str))
    row = frame.index[frame["digital_tool_status"] == "none"][0]
    frame.loc[row, "uses_social_media"] = "oui"
    err = _error(write_csv(frame, tmp_path / "s.csv"))
    assert err.row == row + 2 and err.column == "uses_social_media" and "H1" in str(err)


def test_formula_and_huge_cell_refused(survey_frame, tmp_path):
    frame = survey_frame.copy()
    frame.loc[0, "cooperative_id"] = "=HYPERLINK(\"http://x\")"
    assert "formula" in str(_error(write_csv(frame, tmp_path / "f.csv")))
    frame = survey_frame.copy()
    frame.loc[1, "cooperative_id"] = "x" * 20_000
    err = _error(write_csv(frame, tmp_path / "h.csv"))
    assert (err.row, err.column) == (3, "cooperative_id") and "20,000 characters" in str(err)


def test_derived_variable_follows_its_definition(rebuilt):
    survey = add_derived_variables(rebuilt[0])
    expected = ~survey["heard_of_ai"] & ~survey["interested_in_ai"]
    assert survey["neither_knows_nor_interested_ai"].equals(expected)
    assert int(expected.sum()) == 9


# --------------------------------------------------------------------------
# Files as users really save them (issue #10)
# --------------------------------------------------------------------------


def as_text_frame(frame):
    """The survey with every answer as text, as a spreadsheet holds it."""
    return frame.assign(sector=frame["sector"].astype(str),
                        digital_tool_status=frame["digital_tool_status"].astype(str))


def csv_text(frame, sep=",", quoting=csv.QUOTE_MINIMAL):
    return as_text_frame(frame).to_csv(sep=sep, index=False, lineterminator="\n", quoting=quoting)


def loaded_counts(survey):
    return (len(survey), survey.groupby("sector", observed=True)["uses_social_media"].sum().tolist())


EXPECTED = (30, [4, 5, 4, 2])


def one_line(err):
    text = str(err)
    assert "\n" not in text and text.startswith("file ")
    return text


@pytest.mark.parametrize("suffix", ["txt", "tsv", "csv"])
def test_tab_separated_text(survey_frame, tmp_path, suffix):
    path = tmp_path / f"s.{suffix}"
    path.write_text(csv_text(survey_frame, "\t"), encoding="utf-8")
    assert loaded_counts(load_quietly(path)) == EXPECTED


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_excel_sep_hint_line(survey_frame, tmp_path, sep):
    frame = as_text_frame(survey_frame)
    frame.loc[6, "sector"] = "Pêche"
    path = tmp_path / "s.csv"
    # The sector names hold no separator, so the hint alone decides how "a;b" or "a,b" splits.
    path.write_text(f"sep={sep}\n" + csv_text(frame, sep), encoding="utf-8")
    # Excel reads the hint and does not show it: the header is the sheet's row 1, frame row 6 is row 8.
    err = _error(path)
    assert (err.row, err.column) == (8, "sector") and "Pêche" in one_line(err)
    path.write_text(f"sep={sep}\n" + csv_text(survey_frame, sep), encoding="utf-8")
    assert loaded_counts(load_quietly(path)) == EXPECTED


def test_utf16_unicode_text_as_excel_saves_it(survey_frame, tmp_path):
    frame = as_text_frame(survey_frame)
    frame.loc[0, "cooperative_id"] = "Coopérative Ennour"
    path = tmp_path / "unicode.txt"
    path.write_bytes(csv_text(frame, "\t").replace("\n", "\r\n").encode("utf-16"))
    assert path.read_bytes()[:2] == b"\xff\xfe"  # the BOM Excel writes
    survey = load_quietly(path)
    assert loaded_counts(survey) == EXPECTED and survey["cooperative_id"].iloc[0] == "Coopérative Ennour"


def test_title_and_empty_rows_above_the_header_csv(survey_frame, tmp_path):
    frame = as_text_frame(survey_frame)
    frame.loc[7, "sector"] = "Pêche"
    path = tmp_path / "s.csv"
    text = "Enquête coopératives Tanger 2025,,,\n,,,\n\n" + csv_text(frame)
    path.write_text(text, encoding="utf-8")
    # Title row 1, empty rows 2 and 3, header row 4: frame row 7 is the sheet's row 4 + 1 + 7 = 12.
    err = _error(path)
    assert (err.row, err.column) == (12, "sector")
    path.write_text(text.replace("Pêche", "Autres"), encoding="utf-8")
    assert len(load_quietly(path)) == 30


def test_title_row_above_the_header_xlsx(survey_frame, tmp_path):
    frame = as_text_frame(survey_frame)
    frame.loc[3, "direct_sales"] = "peut-être"
    path = tmp_path / "s.xlsx"
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name="data", index=False, startrow=2)
        writer.sheets["data"]["A1"] = "Enquête coopératives Tanger 2025"
    err = _error(path)  # title in row 1, row 2 empty, header in row 3: frame row 3 is the sheet's row 7
    assert (err.row, err.column) == (7, "direct_sales")


def test_first_empty_row_is_counted(survey_frame, tmp_path):
    frame = as_text_frame(survey_frame)
    frame.loc[0, "sector"] = "Pêche"
    path = tmp_path / "s.xlsx"
    frame.to_excel(path, index=False, startrow=1)  # the sheet's row 1 is empty
    err = _error(path)
    assert (err.row, err.column) == (3, "sector")
    csv = tmp_path / "s.csv"
    csv.write_text("\n" + csv_text(frame), encoding="utf-8")
    assert pd.read_csv(csv).columns[0] == "cooperative_id"  # pandas skips the empty line: rows off by one
    assert _error(csv).row == 3


def test_notes_sheet_before_the_data_sheet(survey_frame, tmp_path):
    path = tmp_path / "s.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Notes": ["Enquête de mai 2025", "30 coopératives"]}).to_excel(writer, sheet_name="Notes",
                                                                                   index=False)
        as_text_frame(survey_frame).to_excel(writer, sheet_name="Réponses", index=False)
    assert loaded_counts(load_quietly(path)) == EXPECTED


def test_trailing_empty_rows_ignored(survey_frame, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(csv_text(survey_frame) + ",,,,,,,,,,,,,\n" * 3 + ",,\n\n", encoding="utf-8")
    assert loaded_counts(load_quietly(path)) == EXPECTED


def test_quote_opened_in_row_17_is_reported_at_row_17(survey_frame, tmp_path):
    lines = csv_text(survey_frame).splitlines(keepends=True)
    lines[16] = '"' + lines[16]  # the sheet's row 17 opens a quote that nothing closes
    path = tmp_path / "s.csv"
    path.write_text("".join(lines), encoding="utf-8")
    err = _error(path)
    assert err.row == 17 and "quote" in one_line(err)


def test_row_with_more_cells_than_the_header(survey_frame, tmp_path):
    lines = csv_text(survey_frame).splitlines(keepends=True)
    lines[9] = lines[9].rstrip("\n") + ",extra\n"
    path = tmp_path / "s.csv"
    path.write_text("".join(lines), encoding="utf-8")
    err = _error(path)
    assert err.row == 10 and "15 cells" in one_line(err) and "14" in str(err)


def test_categories_ignore_case_and_spaces_with_a_warning(survey_frame, tmp_path):
    frame = as_text_frame(survey_frame)
    original = frame["sector"].copy()
    frame["sector"] = frame["sector"].replace({"Agriculture": "agriculture", "Artisanat": "ARTISANAT",
                                               "Services": "\u00a0Services "})
    path = tmp_path / "s.csv"
    path.write_text(csv_text(frame), encoding="utf-8")
    with pytest.warns(loader.RewrittenValueWarning) as caught:
        survey = loader.load_survey(path)
    message = " ".join(str(w.message) for w in caught if issubclass(w.category, loader.RewrittenValueWarning))
    assert "'sector'" in message and "'agriculture'" in message and "'ARTISANAT'" in message
    assert survey["sector"].astype(str).tolist() == original.tolist()


def test_ids_compared_after_unicode_normalisation(survey_frame, tmp_path):
    frame = as_text_frame(survey_frame)
    composed = unicodedata.normalize("NFC", "Coopérative Féz")
    decomposed = unicodedata.normalize("NFD", "Coopérative Féz")
    assert composed != decomposed  # two spellings a byte comparison sees as different ids
    frame.loc[3, "cooperative_id"] = composed
    frame.loc[12, "cooperative_id"] = decomposed
    path = tmp_path / "s.csv"
    path.write_text(csv_text(frame), encoding="utf-8")
    err = _error(path)
    assert err.column == "cooperative_id" and err.row == 14 and "rows 5, 14" in one_line(err)


@pytest.mark.parametrize("name", ["sector", "notes"])
def test_duplicate_column_names_refused(survey_frame, tmp_path, name):
    frame = as_text_frame(survey_frame).assign(notes="")
    text = csv_text(frame)
    header, rest = text.split("\n", 1)
    path = tmp_path / "s.csv"
    path.write_text(header + f",{name}\n" + rest.replace("\n", ",x\n"), encoding="utf-8")
    assert f"{name}.1" in pd.read_csv(path).columns  # pandas renames the second one silently
    err = _error(path)
    assert (err.row, err.column) == (1, name) and "twice" in one_line(err)


def _xlsx_with_cached_formula(frame, path, row, column):
    """An xlsx whose cell holds a formula AND its cached result, as Excel saves it."""
    import re
    import zipfile

    import openpyxl

    frame.to_excel(path, index=False)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    col = list(frame.columns).index(column) + 1
    value = sheet.cell(row=row, column=col).value
    sheet.cell(row=row, column=col).value = f'="{value}"'
    book.save(path)
    ref = sheet.cell(row=row, column=col).coordinate
    with zipfile.ZipFile(path) as zin:
        items = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    xml = items["xl/worksheets/sheet1.xml"].decode()
    xml, n = re.subn(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?',
                     rf'<c r="{ref}" t="str"><f>\2</f><v>{value}</v>', xml)
    if n == 0:
        xml, n = re.subn(rf'<c r="{ref}"([^>]*)><f>(.*?)</f></c>',
                         rf'<c r="{ref}" t="str"><f>\2</f><v>{value}</v></c>', xml)
    assert n == 1
    items["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as zout:
        for name, content in items.items():
            zout.writestr(name, content)
    return value


def test_xlsx_formula_with_a_cached_value_refused(survey_frame, tmp_path):
    frame = as_text_frame(survey_frame)
    path = tmp_path / "f.xlsx"
    value = _xlsx_with_cached_formula(frame, path, row=6, column="sector")
    assert pd.read_excel(path)["sector"].iloc[4] == value  # read by value, the formula is invisible
    err = _error(path)
    assert (err.row, err.column) == (6, "sector") and "formula" in one_line(err)


@pytest.mark.parametrize("cell", ["-2+3+cmd|' /C calc'!A0", ' =HYPERLINK("http://x","clic")', "\t=1+1",
                                  "\r=1+1", "+3", "@x", "\u00a0=1"])
def test_csv_injection_refused(survey_frame, tmp_path, cell):
    frame = as_text_frame(survey_frame)
    frame.loc[5, "cooperative_id"] = cell
    path = tmp_path / "f.csv"
    # Every cell quoted, so that a tab or carriage return stays inside its cell (unquoted, a
    # carriage return starts a new row, as a spreadsheet would show it).
    path.write_text(csv_text(frame, quoting=csv.QUOTE_ALL), encoding="utf-8")
    err = _error(path)
    assert (err.row, err.column) == (7, "cooperative_id") and "formula" in one_line(err)


@pytest.mark.parametrize("cell", ["-3", "-3.5", "-3,5", "12"])
def test_plain_numbers_are_not_formulas(survey_frame, tmp_path, cell):
    frame = as_text_frame(survey_frame)
    frame.loc[5, "cooperative_id"] = cell
    path = tmp_path / "n.csv"
    path.write_text(csv_text(frame), encoding="utf-8")
    assert load_quietly(path)["cooperative_id"].iloc[5] == cell


@pytest.mark.parametrize("name", ["poids_final", "Pondération", "PONDERATION_2", "weight_adj", "strate", "STRATUM_ID",
                                  "cluster_id", "grappe", "psu", "wt", "fpc"])
def test_design_columns_refused_unless_declared(survey_frame, tmp_path, name):
    path = tmp_path / "w.csv"
    as_text_frame(survey_frame).assign(**{name: "1.5"}).to_csv(path, index=False)
    err = _error(path)
    assert (err.row, err.column) == (1, name) and "design" in one_line(err)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = loader.load_survey(path, design_columns=(name,))
    assert survey[name].tolist() == ["1.5"] * 30 and survey.attrs["design_columns"] == (name,)


def test_declared_design_column_must_exist(survey_frame, tmp_path):
    path = tmp_path / "w.csv"
    as_text_frame(survey_frame).to_csv(path, index=False)
    with pytest.raises(loader.SurveyDataError, match=r"row 1, column 'poids': .*declared"):
        loader.load_survey(path, design_columns=("poids",))


def test_unknown_kobo_choice_refused(survey_frame, tmp_path):
    frame = as_text_frame(survey_frame)
    practices = list(codebook.PRACTICES)
    ticked = frame[practices].apply(lambda r: " ".join(p for p in practices if r[p] == "oui"), axis=1)
    export = frame.drop(columns=practices).assign(**{"marketing/marketing_practices": ticked})
    export.loc[4, "marketing/marketing_practices"] = "direct_sale uses_social_media"  # misspelt choice
    path = tmp_path / "kobo.csv"
    export.to_csv(path, index=False)
    err = _error(path)
    assert (err.row, err.column) == (6, "marketing/marketing_practices") and "'direct_sale'" in one_line(err)
    export.loc[4, "marketing/marketing_practices"] = "no_practice uses_social_media"  # "none" beside a practice
    export.to_csv(path, index=False)
    err = _error(path)
    assert (err.row, err.column) == (6, "marketing/marketing_practices") and "none of these" in one_line(err)
    export.loc[4, "marketing/marketing_practices"] = "direct_sales uses_social_media"
    export.loc[9, "marketing/marketing_practices"] = "no_practice"  # the form's "none of these"
    export.to_csv(path, index=False)
    survey = load_quietly(path)
    assert len(survey) == 30 and not survey.loc[9, list(codebook.PRACTICES)].to_numpy().any()
    assert survey.loc[4, ["direct_sales", "uses_social_media", "attends_trade_fairs"]].tolist() == [True, True, False]


@pytest.mark.parametrize("contact", ["fatima.z@example.ma", "+212 661 23 45 67", "+212661234567", "0661234567"])
def test_one_id_that_looks_like_a_contact_is_replaced(survey_frame, tmp_path, contact):
    frame = as_text_frame(survey_frame)
    frame.loc[16, "cooperative_id"] = contact
    path = tmp_path / "s.csv"
    path.write_text(csv_text(frame), encoding="utf-8")
    with pytest.warns(loader.DirectIdentifierWarning, match=r"row 18"):
        survey = loader.load_survey(path)
    assert contact not in survey["cooperative_id"].tolist() and survey["cooperative_id"].is_unique
    assert survey["cooperative_id"].iloc[0] == frame["cooperative_id"].iloc[0]  # the others are kept


def test_one_cooperative_is_refused_with_the_minimum(survey_frame, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text(csv_text(survey_frame.head(1)), encoding="utf-8")
    err = _error(path)
    assert f"at least {loader.MIN_COOPERATIVES}" in one_line(err) and loader.MIN_COOPERATIVES >= 2
    path.write_text(csv_text(survey_frame.head(loader.MIN_COOPERATIVES)), encoding="utf-8")
    assert len(load_quietly(path)) == loader.MIN_COOPERATIVES


def test_damaged_xlsx_sheet_is_one_line_error(survey_frame, tmp_path):
    import zipfile

    import openpyxl

    path = tmp_path / "ok.xlsx"
    as_text_frame(survey_frame).to_excel(path, index=False)
    with zipfile.ZipFile(path) as zin:
        items = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    sheet = items["xl/worksheets/sheet1.xml"]
    items["xl/worksheets/sheet1.xml"] = sheet[:len(sheet) // 2]  # cut in the middle of the rows
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as zout:
        for name, content in items.items():
            zout.writestr(name, content)
    openpyxl.load_workbook(broken, read_only=True).close()  # opening works: the damage shows when rows are read
    assert "cannot read as an Excel workbook" in one_line(_error(broken))


# --------------------------------------------------------------------------
# Edge surveys: one sector, a constant answer (issue #10)
# --------------------------------------------------------------------------


def edge_file(survey_frame, tmp_path, name, **columns):
    path = tmp_path / f"{name}.csv"
    path.write_text(csv_text(survey_frame.assign(**columns)), encoding="utf-8")
    return path


def test_one_sector_survey_sector_tests_say_why(survey_frame, tmp_path):
    survey = load_quietly(edge_file(survey_frame, tmp_path, "one_sector", sector="Agriculture"))
    counts = sector_tests.sector_table(survey, "uses_social_media")
    assert (counts.sum(axis=1) > 0).sum() == 1  # one sector holds every cooperative: nothing to compare
    tests = sector_tests.sector_tests(survey)
    assert len(tests) == 4 and not tests["computable"].any()
    assert tests["reason"].str.startswith("one sector only (Agriculture)").all()
    assert tests[["p_exact", "p_exact_holm", "p_exact_bh", "p_chi2", "cramers_v"]].isna().all().all()
    assert sector_tests.comparison_reason(survey).startswith("one sector only (Agriculture)")


def test_constant_variable_is_not_computable_with_its_reason(survey_frame, tmp_path):
    survey = load_quietly(edge_file(survey_frame, tmp_path, "constant", has_stable_internet="non"))
    counts = sector_tests.sector_table(survey, "has_stable_internet")
    assert (counts.sum(axis=0) > 0).sum() == 1  # one answer only
    row = sector_tests.sector_test(survey, "has_stable_internet")
    assert row["computable"] is False and np.isnan(row["p_exact"])
    assert row["reason"].startswith("every cooperative gave the same answer ('no')")
    assert sector_tests.sector_test(survey, "heard_of_ai")["computable"] is True


def test_adjustment_runs_over_the_computable_tests_only(survey_frame, tmp_path):
    survey = load_quietly(edge_file(survey_frame, tmp_path, "constant", direct_sales="oui"))
    tests = sector_tests.sector_tests(survey).set_index("practice")
    assert not tests.loc["direct_sales", "computable"] and np.isnan(tests.loc["direct_sales", "p_exact_holm"])
    p = tests.loc[tests["computable"], "p_exact"].sort_values()
    m = len(p)
    holm = np.minimum(1.0, np.maximum.accumulate([(m - i) * value for i, value in enumerate(p)]))  # Holm by hand
    assert m == 3 and np.allclose(tests.loc[p.index, "p_exact_holm"], holm)


def test_notebooks_02_to_05_run_on_edge_surveys(survey_frame, tmp_path):
    one_sector = edge_file(survey_frame, tmp_path, "one_sector", sector="Agriculture")
    constant = edge_file(survey_frame, tmp_path, "constant", has_stable_internet="non")
    # Five notebook runs at once, as make all runs them (two kernels at a time).
    executed = run_notebooks([(name, one_sector, tmp_path / "out_one") for name in (
        "02_descriptive_statistics", "03_cross_sector_tests", "04_hypothesis_checks", "05_reproduction_audit")]
        + [("03_cross_sector_tests", constant, tmp_path / "out_constant")], tmp_path / "runs")
    tests = pd.read_csv(tmp_path / "out_one" / "tables" / "cross_sector_tests.csv")
    assert not tests["computable"].any() and tests["reason"].str.startswith("one sector only").all()
    assert "Test MMI\u00a0: non calculable, un seul secteur (Agriculture)\u00a0: comparer" in executed[1].read_text()  # a French run
    verdicts = pd.read_csv(tmp_path / "out_one" / "tables" / "sector_reading_verdicts.csv")
    assert (verdicts["verdict"] == "not_computable").all()

    point = pd.read_csv(tmp_path / "out_constant" / "tables" / "total_only_sector_tests.csv").set_index("practice")
    assert not point.loc["has_stable_internet", "computable"]
    assert point.loc["has_stable_internet", "reason"].startswith("every cooperative gave the same answer ('no')")
    assert point["computable"].sum() == len(point) - 1
