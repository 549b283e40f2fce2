"""The notebooks' set-up call and the logic that left the notebook cells, on surveys of other sizes."""
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_effectsize

from coopai import hypotheses, mmi, notebook, plan, power, sector_tests, synthetic, verdicts
from coopai.survey import load_survey


@pytest.fixture()
def survey_file(tmp_path):
    path = tmp_path / "survey_57.csv"
    synthetic.generate_survey(57, seed=3, assumption_breach_rate=0).to_csv(path, index=False)
    return path


def test_setup_checks_loads_and_announces_the_run_survey(survey_file, tmp_path, capsys):
    run = notebook.setup(survey_file, tmp_path / "out", "en", 0.1, 7, figures=False)
    assert len(run["survey"]) == 57 and run["origin"] == "observed"
    assert run["alpha"] == 0.1 and run["seed"] == 7 and (tmp_path / "out" / "tables").is_dir()
    assert "`survey_57.csv`, 57 cooperatives, origin: **observed**" in capsys.readouterr().out


def test_setup_without_a_survey_and_with_bad_parameters(survey_file, tmp_path):
    run = notebook.setup(survey_file, tmp_path / "a", load=False, figures=False)
    assert run["survey"] is None and run["origin"] is None
    with pytest.raises(ValueError, match="alpha"):
        notebook.setup(survey_file, tmp_path / "b", alpha=2, figures=False)
    assert not (tmp_path / "b").exists()  # refused before anything was created


@pytest.mark.parametrize("h, p0", [(0.5, 0.5), (0.2, 0.3), (0.8, 0.1)])
def test_proportion_for_cohens_h_against_statsmodels(h, p0):
    assert proportion_effectsize(power.proportion_for_cohens_h(h, p0), p0) == pytest.approx(h, abs=1e-12)


def test_h1_power_check_counts_the_run_groups_and_agrees_with_simulation(survey_file):
    survey = load_survey(survey_file).assign(used_ai_tool=np.arange(57) < 25)
    assert verdicts.h1_groups(survey) == (25, 32)
    check = hypotheses.h1_power_check(survey, seed=2).iloc[0]
    assert (check["users"], check["non_users"]) == (25, 32)
    # The normal approximation (statsmodels) and the simulated z-test agree at these group sizes.
    assert check["power_simulated_z_test"] == pytest.approx(check["power_as_is"], abs=0.04)


def test_verdict_row_is_the_primary_test_and_unique(rebuilt):
    from coopai.survey import add_derived_variables
    checks = hypotheses.hypothesis_checks(add_derived_variables(rebuilt[0]))
    assert hypotheses.verdict_row(checks, "H2")["indicator"] == hypotheses.H2_PRIMARY_INDICATOR
    assert hypotheses.verdict_row(checks, "H1")["indicator"] == "effect_of_ai_on_marketing"
    doubled = pd.concat([checks, checks[checks["indicator"] == hypotheses.H2_PRIMARY_INDICATOR]])
    with pytest.raises(ValueError, match="2 rows"):
        hypotheses.verdict_row(doubled, "H2")


def test_rebuilt_and_observed_data_take_their_own_branch(rebuilt, survey_file):
    from coopai.survey import add_derived_variables
    observed = load_survey(survey_file)
    table = mmi.mmi_over_rebuilds(observed, ["direct_sales", "uses_social_media"], permutations=99, seed=1)
    assert table["dataset"].tolist() == ["this dataset"]
    point = sector_tests.total_only_tests(observed, seed=1)
    assert point["stem"] == "total_only_sector_tests" and len(point["table"]) == 9
    assert point["table"]["n"].eq(57).all()
    survey = add_derived_variables(rebuilt[0])
    survey.attrs["rebuilt"] = True
    table = mmi.mmi_over_rebuilds(survey, ["direct_sales", "uses_social_media"], permutations=99, seed=1)
    assert table["dataset"].tolist() == ["this dataset"] + [f"rebuild seed {s}" for s in plan.REBUILD_SEEDS]
    assert sector_tests.total_only_tests(survey)["stem"] == "identification_ranges"
