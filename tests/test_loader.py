"""The survey loader: formats it reads, answers it understands, and the errors it gives."""
import warnings

import pytest

from coopai import codebook
from coopai.survey import (AssumptionWarning, DirectIdentifierWarning, SurveyDataError, add_derived_variables,
                           load_survey)
from conftest import file_digest


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
