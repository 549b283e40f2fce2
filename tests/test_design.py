"""coopai.design against R's survey package (fixture in tests/fixtures/design, made by make_reference.R)."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coopai import design, power
from coopai.codebook import SECTORS
from coopai.survey import SurveyDataError
from conftest import DESIGN_VARIABLES, run_make, run_notebooks

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "design"
TOLERANCE = 1e-6

#: The designs of make_reference.R, declared the coopai way.
DESIGNS = {
    "full": design.Design(weight="poids", strata="strate", cluster="grappe", fpc="fpc"),
    "nofpc": design.Design(weight="poids", strata="strate", cluster="grappe"),
    "weights": design.Design(weight="poids"),
}
BOOLEANS = ("direct_sales", "uses_social_media", "sells_online_platform", "attends_trade_fairs",
            "has_structured_it_equipment", "has_stable_internet", "uses_specific_digital_solutions",
            "heard_of_ai", "used_ai_tool", "interested_in_ai", "reports_ai_barriers")
VARIABLES = list(BOOLEANS) + ["digital_tool_status=uses", "digital_tool_status=none"]


@pytest.fixture(scope="module")
def survey():
    frame = pd.read_csv(FIXTURES / "survey.csv", keep_default_na=False)
    for column in BOOLEANS:
        frame[column] = frame[column] == "oui"
    return frame


@pytest.fixture(scope="module")
def reference_proportions():
    return pd.read_csv(FIXTURES / "proportions.csv", keep_default_na=False, na_values=["NA"],
                       dtype={"category": str})


@pytest.fixture(scope="module")
def reference_tests():
    return pd.read_csv(FIXTURES / "tests.csv")


def close(a, b, tol=TOLERANCE):
    return abs(a - b) <= tol or (math.isnan(a) and math.isnan(b))


def test_fixture_survey_is_what_the_generator_writes(tmp_path):
    """The committed survey.csv (which R read) is still the generator's output, byte for byte."""
    sys.path.insert(0, str(FIXTURES))
    try:
        import make_survey
    finally:
        sys.path.remove(str(FIXTURES))
    target = tmp_path / "survey.csv"
    make_survey.fixture_survey().to_csv(target, index=False, lineterminator="\n")
    assert target.read_bytes() == (FIXTURES / "survey.csv").read_bytes()


def test_fixture_exercises_lonely_psu_fpc_and_sectors(survey):
    """The reference covers what the module must get right: a lonely PSU, an FPC that matters, clusters nested in strata."""
    prepared = design.prepare(survey, DESIGNS["full"])
    assert prepared.lonely_strata == ("Draa-Tafilalet",)
    assert prepared.sampling_fraction.max() > 0.2
    assert survey.groupby("grappe")["strate"].nunique().max() > 1  # the same label in several regions
    assert set(survey["sector"]) == set(SECTORS)
    assert (FIXTURES / "versions.txt").read_text().splitlines()[1] == "survey 4.1.1"


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_proportions_equal_r(survey, reference_proportions, name):
    prepared = design.prepare(survey, DESIGNS[name])
    ours = design.design_proportions(survey, prepared, VARIABLES)
    reference = reference_proportions[reference_proportions["design"] == name]
    assert len(reference) == len(VARIABLES) * 5
    compared = 0
    for row in reference.itertuples():
        mine = ours[(ours["variable"] == row.variable) & (ours["category"] == row.category)
                    & (ours["sector"] == row.sector)].set_index("ci_method")
        assert len(mine) == 2, (row.variable, row.category, row.sector)
        logit, kg = mine.loc[design.CI_LOGIT], mine.loc[design.CI_KORN_GRAUBARD]
        where = (name, row.variable, row.category, row.sector)
        assert close(logit["estimate"], row.estimate), where
        assert close(logit["se"], row.se), where
        assert close(logit["deff"], row.deff), where
        assert close(logit["ci_low"], row.logit_low) and close(logit["ci_high"], row.logit_high), where
        assert close(kg["ci_low"], row.beta_low) and close(kg["ci_high"], row.beta_high), where
        assert logit["n_unweighted"] == row.n, where
        compared += 1
    assert compared == len(reference)


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_rao_scott_equals_r(survey, reference_tests, name):
    prepared = design.prepare(survey, DESIGNS[name])
    reference = reference_tests[reference_tests["design"] == name]
    ours = design.design_sector_tests(survey, prepared, list(reference["variable"])).set_index("variable")
    assert len(reference) == len(BOOLEANS) + 1
    for row in reference.itertuples():
        mine = ours.loc[row.variable]
        for column in ("f", "df1", "df2", "chisq_first_order"):
            assert close(mine[column], getattr(row, column)), (name, row.variable, column)
        # p-values: relative as well, several are far below 1e-6
        for column in ("p", "p_first_order"):
            assert mine[column] == pytest.approx(getattr(row, column), rel=1e-6, abs=1e-12), (name, row.variable, column)
        assert mine["statistic"] == design.RAO_SCOTT_F
        extra = design.rao_scott(survey, prepared, row.variable)
        assert close(extra["pearson"], row.pearson) and extra["df_first_order"] == row.df_first_order


# --------------------------------------------------------------------------
# Design checks: each fault is raised, named by file, row and column
# --------------------------------------------------------------------------

FULL = DESIGNS["full"]


def check_refused(frame, declared, match):
    with pytest.raises(SurveyDataError, match=match) as caught:
        design.prepare(frame, declared, file="survey.csv")
    return caught.value


@pytest.mark.parametrize("bad", [0.0, -1.0, float("inf"), float("nan"), "abc"])
def test_weight_must_be_positive_finite_number(survey, bad):
    frame = survey.astype({"poids": object}).copy()
    frame.loc[6, "poids"] = bad
    error = check_refused(frame, FULL, "weight|finite number")
    assert (error.row, error.column, error.file) == (8, "poids", "survey.csv")


def test_fpc_must_be_constant_within_stratum(survey):
    frame = survey.copy()
    frame.loc[10, "fpc"] = frame.loc[10, "fpc"] + 1
    assert frame.loc[9, "strate"] == frame.loc[10, "strate"]  # the change breaks a stratum's constancy
    error = check_refused(frame, FULL, "same within a stratum")
    assert (error.row, error.column) == (12, "fpc")


def test_fpc_below_the_stratum_sample_is_refused_with_the_fraction_hint(survey):
    frame = survey.copy()
    region = "Tanger-Tetouan-Al Hoceima"
    frame.loc[frame["strate"] == region, "fpc"] = 5  # 6 communes sampled there
    error = check_refused(frame, FULL, "smaller than the 6 clusters sampled.*not a fraction")
    assert error.column == "fpc" and error.row == int(np.flatnonzero(frame["strate"] == region)[0]) + 2


def test_fpc_as_a_sampling_fraction_is_refused(survey):
    frame = survey.assign(fpc=0.2)
    check_refused(frame, FULL, "not a fraction")


def test_empty_stratum_or_cluster_cell_is_refused(survey):
    for column in ("strate", "grappe"):
        frame = survey.copy()
        frame.loc[3, column] = ""
        error = check_refused(frame, FULL, "empty cell")
        assert (error.row, error.column) == (5, column)


def test_missing_declared_column_is_named(survey):
    error = check_refused(survey, design.Design(weight="pondération"), "not found")
    assert error.column == "pondération"


def test_lonely_psu_refused_under_fail_and_adjusted_otherwise(survey):
    refused = design.Design(weight="poids", strata="strate", cluster="grappe", fpc="fpc", lonely_psu="fail")
    error = check_refused(survey, refused, "Draa-Tafilalet.*single cluster")
    assert error.row == int(np.flatnonzero(survey["strate"] == "Draa-Tafilalet")[0]) + 2
    # Under "adjust" the lonely region adds variance (R's rule): dropping it would lower the SE.
    with_rule = design.prepare(survey, FULL)
    assert with_rule.lonely_strata == ("Draa-Tafilalet",)
    kept = design.design_proportions(survey, with_rule, ["direct_sales"])
    assert kept.loc[0, "se"] > 0


def test_unknown_lonely_rule_and_one_column_in_two_roles_are_refused():
    with pytest.raises(ValueError, match="lonely_psu"):
        design.Design(weight="w", lonely_psu="average")
    with pytest.raises(ValueError, match="two design roles"):
        design.Design(weight="w", strata="w")


def test_without_weights_fpc_gives_population_over_sample_weights(survey):
    """svydesign's rule: no weights + FPC -> weight N_h / n_h; no FPC either -> 1."""
    prepared = design.prepare(survey, design.Design(strata="strate", cluster="grappe", fpc="fpc"))
    tanger = survey["strate"].to_numpy() == "Tanger-Tetouan-Al Hoceima"
    assert np.allclose(prepared.weights[tanger], 40 / 6)
    assert np.allclose(design.prepare(survey, design.Design(strata="strate")).weights, 1.0)


def test_empty_design_is_a_simple_random_sample(survey):
    """With no design the estimate is the plain share and the SE is sqrt(p (1 - p) / (n - 1)) (R's svymean)."""
    prepared = design.prepare(survey, design.Design())
    table = design.design_proportions(survey, prepared, ["direct_sales"])
    total = table[(table["sector"] == "Total")].iloc[0]
    p, n = survey["direct_sales"].mean(), len(survey)
    assert total["estimate"] == pytest.approx(p, abs=1e-12)
    assert total["se"] == pytest.approx(math.sqrt(p * (1 - p) / (n - 1)), rel=1e-9)


def test_domain_without_the_answer_has_zero_estimate_and_no_interval(survey):
    frame = survey.copy()
    frame.loc[frame["sector"] == "Autres", "direct_sales"] = False
    table = design.design_proportions(frame, design.prepare(frame, FULL), ["direct_sales"])
    autres = table[table["sector"] == "Autres"]
    assert (autres["estimate"] == 0).all() and autres["ci_low"].isna().all() and autres["ci_high"].isna().all()


def test_constant_variable_has_no_test(survey):
    frame = survey.assign(direct_sales=True)
    result = design.design_sector_tests(frame, design.prepare(frame, FULL), ["direct_sales"]).iloc[0]
    assert math.isnan(result["f"]) and math.isnan(result["p"])


# --------------------------------------------------------------------------
# The planner takes an expected design effect
# --------------------------------------------------------------------------

@pytest.mark.parametrize("deff", [1.0, 1.7, 2.5])
def test_n_for_power_is_the_srs_n_times_deff(deff):
    n = power.n_for_power(0.3, 3, deff=deff)
    # The survey then carries n / deff cooperatives' information: enough power there, not one fewer.
    assert power.power_chi2_approx(0.3, n / deff, 3) >= 0.8 > power.power_chi2_approx(0.3, (n - 1) / deff, 3)


def test_margin_of_error_n_is_the_srs_n_times_deff():
    n = power.margin_of_error_n(0.05, deff=2.0)
    assert power.margin_of_error(n / 2.0) <= 0.05 < power.margin_of_error((n - 1) / 2.0)
    with pytest.raises(ValueError, match="design effect"):
        power.margin_of_error_n(0.05, deff=0)


def test_sample_size_plan_with_a_design_effect():
    srs, designed = power.sample_size_plan(), power.sample_size_plan(deff=1.8)
    assert (designed["n"] > srs["n"]).all()
    assert designed["goal"].str.contains("design effect 1.8").all()
    assert not srs["goal"].str.contains("design effect").any()  # the published plan unchanged


# --------------------------------------------------------------------------
# The loader keeps declared design columns and still refuses undeclared ones
# --------------------------------------------------------------------------

def test_loader_keeps_declared_design_and_checks_it(tmp_path):
    from coopai.survey import load_survey
    loaded = load_survey(FIXTURES / "survey.csv", design=FULL)
    assert {"poids", "strate", "grappe", "fpc"} <= set(loaded.columns)
    assert loaded.attrs["design"] == FULL.describe()
    ours = design.design_proportions(loaded, design.prepare(loaded, FULL), ["direct_sales"])
    assert ours.loc[0, "estimate"] == pytest.approx(0.68972909764178525, abs=1e-12)  # R's, proportions.csv
    # A declared design with one design column left undeclared is refused, naming that column.
    with pytest.raises(SurveyDataError, match="refused unless declared") as caught:
        load_survey(FIXTURES / "survey.csv", design=design.Design(weight="poids", strata="strate", cluster="grappe"))
    assert (caught.value.row, caught.value.column) == (1, "fpc")
    # A bad weight is reported at its row as a spreadsheet shows it.
    text = (FIXTURES / "survey.csv").read_text().splitlines()
    cells = text[5].split(",")
    cells[3] = "-2"
    text[5] = ",".join(cells)
    (tmp_path / "bad.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(SurveyDataError, match="weight must be positive") as caught:
        load_survey(tmp_path / "bad.csv", design=FULL)
    assert (Path(caught.value.file).name, caught.value.row, caught.value.column) == ("bad.csv", 6, "poids")


def test_declared_column_missing_from_the_file_is_named():
    from coopai.survey import load_survey
    with pytest.raises(SurveyDataError, match="no such column") as caught:
        load_survey(FIXTURES / "survey.csv", design=design.Design(weight="pondération", strata="strate",
                                                                  cluster="grappe", fpc="fpc"))
    assert caught.value.column == "pondération"


def test_proportion_variables_cover_every_answer_and_sector_shares_only_overall():
    from coopai.survey import load_survey
    loaded = load_survey(FIXTURES / "survey.csv", design=FULL)
    variables = design.proportion_variables(loaded)
    assert "direct_sales" in variables and "digital_tool_status=none" in variables and "sector=Autres" in variables
    table = design.design_proportions(loaded, design.prepare(loaded, FULL), variables)
    shares = table[(table["variable"] == "sector") & (table["ci_method"] == design.CI_LOGIT)]
    assert list(shares["sector"].unique()) == ["Total"]
    assert shares["estimate"].sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------
# make all with a declared design (end to end)
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def design_run(user_runs):
    """The design fixture run by ``make all`` with its four design columns declared (user run B of
    the session, tests/conftest.py): the OUT folder and make's result."""
    _, out, _, result = user_runs["b"]
    return out, result


def test_make_all_with_a_design_writes_the_design_tables(design_run, reference_proportions, reference_tests):
    out, result = design_run
    assert result.returncode == 0, result.stderr[-2000:]
    proportions = pd.read_csv(out / "tables" / "design_proportions.csv", keep_default_na=False, na_values=[""],
                              dtype={"category": str})
    assert list(proportions.columns) == list(design.PROPORTION_COLUMNS)
    tests = pd.read_csv(out / "tables" / "design_sector_tests.csv")
    assert list(tests.columns) == list(design.TEST_COLUMNS)
    for suffix in ("md", "tex"):
        assert FULL.describe().replace("'", "") in (out / "tables" / f"design_sector_tests.{suffix}").read_text().replace("'", "").replace("\\_", "_")
    # The published tables hold 6 significant digits: R's values agree to that.
    r = reference_proportions[(reference_proportions.design == "full") & (reference_proportions.variable == "direct_sales")]
    for row in r.itertuples():
        mine = proportions[(proportions.variable == "direct_sales") & (proportions.sector == row.sector)
                           & (proportions.ci_method == design.CI_KORN_GRAUBARD)].iloc[0]
        assert mine["estimate"] == pytest.approx(row.estimate, rel=1e-5)
        assert mine["ci_low"] == pytest.approx(row.beta_low, rel=1e-5)
    practices = reference_tests[(reference_tests.design == "full")].set_index("variable")
    for row in tests.itertuples():
        assert row.f == pytest.approx(practices.loc[row.variable, "f"], rel=1e-5)
        assert row.df2 == pytest.approx(practices.loc[row.variable, "df2"], rel=1e-5)
    assert (out / "tables" / "sample_size_plan_design.csv").exists()
    # The forest plot's table (notebook 04): the same estimates as design_proportions where both hold one.
    indicators = pd.read_csv(out / "tables" / "design_hypothesis_indicators.csv", keep_default_na=False,
                             na_values=[""], dtype={"category": str})
    assert list(indicators.columns) == list(design.PROPORTION_COLUMNS)
    assert "lacks:has_stable_internet" in set(indicators["variable"])
    for table in (indicators, proportions):
        row = design.interval_rows(table, ["reports_ai_barriers"]).iloc[0]
        assert row["ci_low"] == pytest.approx(design.interval_rows(proportions, ["reports_ai_barriers"]).iloc[0]["ci_low"])


def test_every_output_names_the_design(design_run):
    out, result = design_run
    manifest = json.loads((out / "coopai-manifest.json").read_text())
    assert manifest["parameters"]["design"] == {"weight": "poids", "strata": "strate", "cluster": "grappe", "fpc": "fpc"}
    for name in ("02_descriptive_statistics", "03_cross_sector_tests", "04_hypothesis_checks", "05_reproduction_audit"):
        html = (out / "notebooks" / f"{name}.html").read_text()
        assert "Plan de sondage" in html and "grappe" in html  # French run: "**Plan de sondage :** ..."
    for stem in ("design_proportions", "design_sector_tests", "design_hypothesis_indicators", "sample_size_plan_design"):
        assert "grappe" in (out / "tables" / f"{stem}.md").read_text(), stem
    # Every other table of the run says it ignores the declared design (the published run's captions do not).
    # (notebook 01 codes the literature: it reads no survey)
    elsewhere = {"coding_reliability", "literature_codes", "literature_model_coverage"}
    written = sorted(p.stem for p in (out / "tables").glob("*.md") if not p.stem.startswith("design_")
                     and p.stem not in elsewhere | {"sample_size_plan_design"})
    assert {"table1_marketing_practices", "cross_sector_tests", "hypothesis_checks", "claims_summary"} <= set(written)
    for stem in written:
        text = (out / "tables" / f"{stem}.md").read_text()
        assert "Survey design declared (weights 'poids', strata 'strate', clusters 'grappe'" in text, stem
        assert "this table ignores it" in text, stem
    assert "survey design:" in result.stdout
    report = (out / "REPRODUCTION.md").read_text()
    assert f"- Survey design: {FULL.describe()}; the shares compared with the paper's are unweighted" in report


def test_make_all_refuses_an_undeclared_design_column_before_running(tmp_path):
    out = tmp_path / "out"
    result = run_make("all", f"DATA={FIXTURES / 'survey.csv'}", f"OUT={out}", "WEIGHT=poids")
    assert result.returncode != 0 and not out.exists()
    line = [l for l in result.stderr.splitlines() if "unless declared" in l]
    assert line and line[0].startswith("coopai: file survey.csv, row 1, column 'strate'")


def test_make_all_refuses_a_bad_fpc_with_its_row(tmp_path):
    frame = pd.read_csv(FIXTURES / "survey.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["strate"] == "Oriental", "fpc"] = "2"  # 3 communes sampled there
    frame.to_csv(tmp_path / "bad.csv", index=False)
    result = run_make("all", f"DATA={tmp_path / 'bad.csv'}", f"OUT={tmp_path / 'out'}", *DESIGN_VARIABLES)
    assert result.returncode != 0 and not (tmp_path / "out").exists()
    row = int(np.flatnonzero(frame["strate"] == "Oriental")[0]) + 2
    assert f"coopai: file bad.csv, row {row}, column 'fpc': FPC 2 is smaller than the 3 clusters" in result.stderr


def test_clusters_only_runs_and_says_no_design_effect_is_estimable(tmp_path):
    """Clusters without weights or FPC: the weights do not count the population and no design effect exists.

    Notebook 04's planner used to pass the NaN design effect to power.sample_size_plan, which
    refuses it, and stop the run. Notebooks 02 (which writes the design effects) and 04 (the only
    one that uses them) run as make runs them and must finish, and 04 must say why it plans with none.
    """
    frame = pd.read_csv(FIXTURES / "survey.csv", dtype=str, keep_default_na=False).drop(columns=["poids", "fpc", "strate"])
    frame.to_csv(tmp_path / "clusters.csv", index=False)
    with pytest.raises(ValueError, match="design effect must be positive"):
        power.sample_size_plan(deff=math.nan)
    out = tmp_path / "out"
    executed = run_notebooks([(name, tmp_path / "clusters.csv", out) for name in ("04_hypothesis_checks",
                                                                                   "02_descriptive_statistics")],
                             tmp_path / "runs", design={"cluster": "grappe"})
    proportions = pd.read_csv(out / "tables" / "design_proportions.csv")
    assert proportions["deff"].isna().all() and proportions["estimate"].notna().all()
    assert not (out / "tables" / "sample_size_plan_design.csv").exists()
    assert "Aucun effet de plan ne peut être estimé sur cette enquête" in executed[0].read_text()  # a French run
