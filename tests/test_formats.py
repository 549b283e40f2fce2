"""Real survey files: SPSS, Stata, KoboToolbox and ODK exports, the XLSForm, scale and safety."""
import socket
import warnings

import pandas as pd
import pytest

from coopai import config, formats, sector_tests, stats, synthetic
from coopai.codebook import read_codebook
from coopai.survey import AssumptionWarning, DirectIdentifierWarning, SurveyDataError, load_survey
from conftest import file_digest


def quiet_load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_survey(path)


@pytest.fixture(scope="module")
def typed():
    survey = quiet_load(config.REBUILT_DATASET)
    return survey.drop(columns="neither_knows_nor_interested_ai")


@pytest.mark.parametrize("suffix", ["sav", "dta", "xlsx"])
def test_labelled_exports_round_trip(typed, tmp_path, suffix):
    formats.write_labelled_exports(typed, read_codebook(), tmp_path, "s", notice="test")
    back = quiet_load(tmp_path / f"s.{suffix}")
    for column in typed.columns:
        assert back[column].astype(str).tolist() == typed[column].astype(str).tolist(), column


def test_spss_and_stata_keep_labels(typed, tmp_path):
    import pyreadstat
    formats.write_labelled_exports(typed, read_codebook(), tmp_path, "s")
    _, meta = pyreadstat.read_sav(str(tmp_path / "s.sav"))
    assert meta.column_names_to_labels["uses_social_media"] == "Utilisation des réseaux sociaux"
    assert meta.variable_value_labels["uses_social_media"] == {0.0: "Non", 1.0: "Oui"}
    _, meta = pyreadstat.read_dta(str(tmp_path / "s.dta"))
    assert meta.variable_value_labels["sector"][2] == "Artisanat"


def test_labelled_exports_are_byte_identical(typed, tmp_path, monkeypatch):
    import time
    formats.write_labelled_exports(typed, read_codebook(), tmp_path / "a", "s")
    time.sleep(1.1)  # the files' own clocks move on
    formats.write_labelled_exports(typed, read_codebook(), tmp_path / "b", "s")
    for suffix in ("sav", "dta", "xlsx"):
        assert file_digest(tmp_path / "a" / f"s.{suffix}") == file_digest(tmp_path / "b" / f"s.{suffix}"), suffix


def kobo_export(frame: pd.DataFrame, separator="/", as_list=True) -> pd.DataFrame:
    """The survey as KoboToolbox exports it: grouped names, select-multiple, tool metadata."""
    out = pd.DataFrame({"start": "2025-05-01T09:00:00", "end": "2025-05-01T09:20:00",
                        f"identification{separator}cooperative_id": frame["cooperative_id"],
                        f"identification{separator}sector": frame["sector"].astype(str)})
    practices = formats.SELECT_MULTIPLE["marketing_practices"]
    ticked = frame[list(practices)].apply(lambda r: " ".join(p for p in practices if r[p] == "oui"), axis=1)
    out[f"marketing{separator}marketing_practices"] = ticked
    if not as_list:
        for p in practices:
            out[f"marketing{separator}marketing_practices{separator}{p}"] = (frame[p] == "oui").astype(int).astype(str)
    for column in frame.columns:
        if column not in ("cooperative_id", "sector", *practices):
            group = "ai" if "ai" in column.split("_") else "digitalisation"
            out[f"{group}{separator}{column}"] = frame[column].astype(str).replace({"oui": "yes", "non": "no"})
    out["meta/instanceID"] = [f"uuid:{i}" for i in range(len(frame))]
    out["_id"] = range(len(frame))
    out["_uuid"] = [f"u{i}" for i in range(len(frame))]
    out["_submission_time"] = "2025-05-02T10:00:00"
    out["__version__"] = "v1"
    return out


@pytest.mark.parametrize("separator, as_list", [("/", True), ("/", False), ("-", False)])
def test_kobo_and_odk_exports(survey_frame, tmp_path, separator, as_list):
    export = kobo_export(survey_frame, separator, as_list)
    export.to_csv(tmp_path / "kobo.csv", index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey = load_survey(tmp_path / "kobo.csv")
    assert not [w for w in caught if "not in the codebook" in str(w.message)], "tool columns must be metadata"
    assert len(survey) == 30
    assert survey.groupby("sector", observed=True)["uses_social_media"].sum().tolist() == [4, 5, 4, 2]
    assert int(survey["direct_sales"].sum()) == 22 and int(survey["reports_ai_barriers"].sum()) == 21


def test_weights_are_refused_with_a_clear_error(survey_frame, tmp_path):
    survey_frame.assign(poids=1.5).to_csv(tmp_path / "w.csv", index=False)
    with pytest.raises(SurveyDataError, match=r"column 'poids': .*survey weights, strata or clusters are refused unless declared"):
        quiet_load(tmp_path / "w.csv")


def test_identifiers_recognised_by_their_values(survey_frame, tmp_path):
    frame = survey_frame.assign(contact=[f"coop{i}@example.ma" for i in range(30)])
    frame["cooperative_id"] = [f"+212 6{i:02d} 00 00 00" for i in range(30)]
    frame.to_csv(tmp_path / "p.csv", index=False)
    with pytest.warns(DirectIdentifierWarning) as caught:
        survey = load_survey(tmp_path / "p.csv")
    messages = " ".join(str(w.message) for w in caught)
    assert "'contact'" in messages and "replaced by row numbers" in messages
    assert "contact" not in survey.columns and not survey["cooperative_id"].str.contains("212").any()


@pytest.mark.parametrize("cell", ["+cmd|' /C calc'!A0", "@SUM(1+1)", "-A1*2", "=1+1"])
def test_spreadsheet_formulas_refused(survey_frame, tmp_path, cell):
    frame = survey_frame.copy()
    frame.loc[5, "cooperative_id"] = cell
    frame.to_csv(tmp_path / "f.csv", index=False)
    with pytest.raises(SurveyDataError, match=r"row 7, column 'cooperative_id': a cell holds a spreadsheet formula"):
        quiet_load(tmp_path / "f.csv")


def test_hard_constraint_in_row_9871_of_100000(tmp_path):
    frame = synthetic.generate_survey(100_000, seed=3)
    frame.loc[9869, ["digital_tool_status", "uses_social_media"]] = ["none", "oui"]  # spreadsheet row 9,871
    none_rows = frame.index[(frame["digital_tool_status"] == "none") & (frame["uses_social_media"] == "oui")]
    assert list(none_rows) == [9869]
    frame.to_csv(tmp_path / "big.csv", index=False)
    before = file_digest(tmp_path / "big.csv")
    with pytest.raises(SurveyDataError, match=r"file big.csv, row 9871, column 'uses_social_media': impossible answer \(H1"):
        quiet_load(tmp_path / "big.csv")
    assert file_digest(tmp_path / "big.csv") == before


def test_generated_survey_loads_with_assumption_warnings_only(tmp_path):
    synthetic.generate_survey(2_000, seed=4).to_csv(tmp_path / "g.csv", index=False)
    with pytest.warns(AssumptionWarning, match="A4"):
        survey = load_survey(tmp_path / "g.csv")
    assert len(survey) == 2_000 and survey.attrs["rebuilt"] is False


def test_a_run_makes_no_network_access(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    survey = quiet_load(config.REBUILT_DATASET)
    stats.table1_marketing_practices(survey)
    sector_tests.sector_tests(survey)


BAD_INPUTS = {
    "empty.csv": lambda frame: "",
    "wrong_kind.csv": lambda frame: b"\x89PNG\r\n\x1a\n\x00\x00",
    "huge_cell.csv": lambda frame: frame.assign(cooperative_id=["x" * 20_000] + list(frame["cooperative_id"][1:])),
    "formula.csv": lambda frame: frame.assign(cooperative_id=["=cmd()"] + list(frame["cooperative_id"][1:])),
    "unknown_sector.csv": lambda frame: frame.assign(sector=["Pêche"] + list(frame["sector"].astype(str)[1:])),
    "weights.csv": lambda frame: frame.assign(weight=1.0),
    "hard_constraint.csv": lambda frame: frame.assign(
        digital_tool_status=["none"] + list(frame["digital_tool_status"].astype(str)[1:]),
        uses_social_media=["oui"] + list(frame["uses_social_media"][1:])),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_stops_the_run_before_any_output(survey_frame, tmp_path, capsys, name):
    from coopai import pipeline

    content = BAD_INPUTS[name](survey_frame)
    path = tmp_path / name
    if isinstance(content, pd.DataFrame):
        content.to_csv(path, index=False)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    out = tmp_path / "out"  # the outputs of an earlier run (its manifest lists them)
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "earlier.csv").write_text("kept\n")
    (out / "coopai-manifest.json").write_text('{"files": {"tables/earlier.csv": ""}}')
    status = pipeline.main(["--data", str(path), "--out", str(out)])
    message = capsys.readouterr().err
    assert status == 2 and f"file {name}" in message and "OUT was left as it was" in message
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["coopai-manifest.json", "earlier.csv"]
