"""Notebooks 02, 04 and 05 (and REPRODUCTION.md) read true of surveys of other sizes and shapes:
one cooperative in a sector, nobody using AI, one non-user, nobody interested, two sectors only,
100,000 rows. Each test first shows that its survey has the shape that made a sentence wrong
(the fault's condition), then checks the sentence, in both languages; every function is called
in-process, as the notebooks call it, on small generated surveys."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportions_ztest

from coopai import audit, figures, hypotheses, narrative, plan, power, sector_tests, stats, style, synthetic
from coopai.published import read_published_aggregates, read_sector_readings
from coopai.survey import load_survey
from coopai.verdicts import sector_reading_verdicts

LANGS = ("fr", "en")


def plain(text: str) -> str:
    """A typeset sentence with its no-break spaces as spaces: what the assertions below quote."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def load(frame: pd.DataFrame, tmp_path, name: str) -> pd.DataFrame:
    """A generated survey as a user's file is read (the loader types it and derives its columns)."""
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # assumption A4 breaches of the generator: not what these tests are about
        return load_survey(path)


def edge_frames() -> dict:
    """Generated surveys, each with one shape that a sentence written for the published study gets wrong."""
    frames = {"small": synthetic.generate_survey(12, seed=5)}  # a sector of one cooperative
    s = synthetic.generate_survey(60, seed=3)
    s["used_ai_tool"] = "non"
    frames["no_ai_user"] = s
    s = synthetic.generate_survey(60, seed=7)
    s = s[s["digital_tool_status"] == "uses"].copy()
    s[["used_ai_tool", "heard_of_ai"]] = "oui"
    s.iloc[0, s.columns.get_loc("used_ai_tool")] = "non"
    frames["one_non_user"] = s
    s = synthetic.generate_survey(60, seed=6)
    s[["heard_of_ai", "used_ai_tool", "interested_in_ai"]] = "non"
    frames["nobody_interested"] = s
    s = synthetic.generate_survey(80, seed=2)
    frames["two_sectors"] = s[s["sector"].isin(["Agriculture", "Services"])].copy()
    s = synthetic.generate_survey(60, seed=9)
    s["reports_ai_barriers"] = np.where(np.arange(len(s)) == 0, "oui", "non")
    frames["one_barrier"] = s
    return frames


@pytest.fixture(scope="module")
def edges(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edges")
    return {name: load(frame, folder, name) for name, frame in edge_frames().items()}


def sentences(survey: pd.DataFrame, lang: str, alpha: float = plan.ALPHA) -> dict:
    """Notebook 02's and 04's computed sentences, called as the notebooks call them."""
    table1 = stats.table1_marketing_practices(survey, alpha)
    summaries = [stats.proportion_summary(survey, figures.FIGURE3_INDICATORS, alpha),
                 stats.proportion_summary(survey, figures.FIGURE4_INDICATORS + figures.FIGURE5_INDICATORS, alpha)]
    checks = hypotheses.hypothesis_checks(survey, alpha)
    return {
        "sample_note": narrative.sample_note(survey, alpha, lang),
        "sector_cell_example": narrative.sector_cell_example(table1, alpha, lang),
        "digital_status_note": narrative.digital_status_note(survey, lang),
        "knowledge_interest_note": narrative.knowledge_interest_note(survey, lang),
        "descriptive_takeaways": narrative.descriptive_takeaways(survey, summaries, alpha, lang),
        "estimate_note": narrative.estimate_note(checks, alpha, lang),
        "h2_verdict_note": narrative.h2_verdict_note(checks, alpha, lang),
        "h1_data_note": narrative.h1_data_note(survey, checks, lang),
        "h1_indicator_notes": narrative.h1_indicator_notes(survey, checks, alpha, lang),
        "h1_power_note": narrative.h1_power_note(hypotheses.h1_power_check(survey, alpha), lang),
        "hypothesis_takeaways": narrative.hypothesis_takeaways(survey, checks, lang),
    }


#: A count of 0 or 1 with a plural word, a verb in the plural after a count of one, or (French) a
#: count below 2 with a plural noun: what the templates printed before they followed the count.
WRONG_FORMS = {
    "fr": re.compile(r"(?<![\d,\u202f])[01] (coopératives|utilisatrices|non-utilisatrices|intéressées|points)\b"
                     r"|(?<![\d,\u202f])[01] (n['’]en utilisent|ne sont|signalent|connaissent)"
                     r"|(?<![\d\u202f])[01] (coopératives )?sur [\d\u202f]+ (ont|signalent)"
                     r"|±[01],\d points"),
    "en": re.compile(r"(?<![\d,.])1 (cooperatives|users|non-users)\b|(?<![\d,.])1 (use none|are in neither|have heard)"
                     r"|(?<![\d,.])1 of [\d,]+ report\b"),
}


def test_the_wrong_forms_are_found_in_what_the_templates_printed():
    # What the sentences printed on the 12-row survey, the survey without AI users and one non-user.
    before = {"fr": ["dans le plus petit secteur (Autres, 1 coopératives)", "et 1 n’en utilisent aucun (8,3 %)",
                     "compte 0 coopératives ayant utilisé", "(0 coopératives sur 12 ont utilisé",
                     "0 coopératives connaissent l’IA", "1 sur 60 signalent des obstacles", "±0,3 points"],
              "en": ["(Other, 1 cooperatives)", "and 1 use none (8.3%)", "49 users against 1 non-users",
                     "1 of 60 report barriers"]}
    for lang, texts in before.items():
        for text in texts:
            assert WRONG_FORMS[lang].search(text), text
    assert not WRONG_FORMS["fr"].search("21 coopératives, 11 n’en utilisent aucun, 100 points, 1 coopérative sur 1")
    assert not WRONG_FORMS["en"].search("21 cooperatives, 11 use none, 0 cooperatives, 1,001 of 2,000 report")


@pytest.mark.parametrize("lang", LANGS)
def test_counted_words_follow_their_count_on_every_edge_survey(edges, lang):
    assert edges["small"]["sector"].value_counts().min() == 1  # the fault's condition: a sector of one
    assert edges["no_ai_user"]["used_ai_tool"].sum() == 0
    assert (~edges["one_non_user"]["used_ai_tool"]).sum() == 1
    assert edges["one_barrier"]["reports_ai_barriers"].sum() == 1
    for name, survey in edges.items():
        for function, text in sentences(survey, lang).items():
            found = WRONG_FORMS[lang].search(text)
            assert not found, (name, function, found.group(0), text)
    small = sentences(edges["small"], lang)
    assert ("(Autres, 1 coopérative)" if lang == "fr" else "(Other, 1 cooperative)") in small["sample_note"]
    assert ("1 n’en utilise aucun" if lang == "fr" else "and 1 uses none") in small["digital_status_note"]
    one = sentences(edges["one_barrier"], lang)["estimate_note"]
    assert ("1 sur 60 signale des obstacles" if lang == "fr" else "1 of 60 reports barriers") in one


def test_the_word_counted_takes_each_languages_rule():
    """French puts a count below 2 in the singular (0 coopérative, 1,5 point), English only 1."""
    assert [narrative.counted_form("cooperative", c, "fr") for c in (0, 1, 1.5, 2)] == [
        "coopérative", "coopérative", "coopérative", "coopératives"]
    assert [narrative.counted_form("cooperative", c, "en") for c in (0, 1, 1.5, 2)] == [
        "cooperatives", "cooperative", "cooperatives", "cooperatives"]
    assert set(narrative.TEXT["fr"]["forms"]) == set(narrative.TEXT["en"]["forms"])


def test_a_survey_where_only_a_few_did_not_use_ai_names_that_group(edges):
    """H1's small group is the non-users here: "only 49 used an AI tool against 1 that did not" named the
    wrong group as small."""
    survey = edges["one_non_user"]
    users, non_users = int(survey["used_ai_tool"].sum()), int((~survey["used_ai_tool"]).sum())
    assert non_users < plan.H1_MIN_GROUP <= users  # the fault's condition
    notes = {lang: narrative.h1_indicator_notes(survey, hypotheses.hypothesis_checks(survey), lang=lang) for lang in LANGS}
    assert f"only 1 cooperative did not use an AI tool, against {users} that did" in notes["en"]
    assert f"seulement 1 coopérative n’a pas utilisé d’outil d’IA, contre {users} qui l’ont fait" in notes["fr"]
    assert f"only {users} cooperatives used" not in notes["en"]
    assert f"seulement {users} coopératives ont utilisé" not in notes["fr"]


def test_the_published_study_keeps_its_small_group_sentence():
    rebuilt = load_survey()
    notes = narrative.h1_indicator_notes(rebuilt, hypotheses.hypothesis_checks(rebuilt), lang="en")
    assert "only 3 cooperatives used an AI tool against 27 that did not" in notes


def test_an_empty_group_has_no_comparison_and_no_power(edges):
    """With nobody using AI (or everybody), no comparison exists: the sentence said one "would detect a
    medium effect with power 0.00", and statsmodels' one-sample reading of ratio = 0 gave everyone using
    AI a power of 0.78; the simulated check simulated a group of one the survey does not have."""
    assert NormalIndPower().power(plan.H1_EFFECT_SIZE_H, nobs1=30, ratio=0.0, alpha=0.05) > 0.7  # the fault
    assert power.h1_planning(30, 0)["power_as_is"] == 0 == power.h1_planning(0, 30)["power_as_is"]
    # With two groups, unchanged: the closed form of the normal approximation with Cohen's h (both tails).
    shift, z = plan.H1_EFFECT_SIZE_H * np.sqrt(3 * 27 / 30), norm.ppf(0.975)
    assert power.h1_planning(3, 27)["power_as_is"] == pytest.approx(norm.cdf(shift - z) + norm.cdf(-shift - z), rel=1e-9)
    survey = edges["no_ai_user"]
    assert survey["used_ai_tool"].sum() == 0
    check = hypotheses.h1_power_check(survey).iloc[0]
    assert check["power_as_is"] == check["power_exact_z_test"] == check["power_simulated_z_test"] == 0
    checks = hypotheses.hypothesis_checks(survey)
    expected = {"en": ("no cooperative used an AI tool. With 0 against 60, no comparison is possible; 80% power "
                       "needs 63 per group", "without one of the two groups there is no z-test"),
                "fr": ("aucune coopérative n’a utilisé d’outil d’IA. Avec 0 contre 60, aucune comparaison n’est "
                       "possible ; une puissance de 80 % demande 63", "il n’existe aucun test z")}
    for lang, (reason, power_line) in expected.items():
        notes = plain(narrative.h1_indicator_notes(survey, checks, lang=lang))
        assert reason in notes and "0,00" not in notes and "0.00" not in notes
        said = narrative.h1_power_note(hypotheses.h1_power_check(survey), lang)
        assert power_line in said and "0,000" not in said and "0.000" not in said


def test_english_reasons_print_percent_as_english_does(edges):
    """The verdict table's English reason (and the ledger, REPRODUCTION.md) said "80 % power" beside
    "shown to exceed 65%": one style, English's, in English."""
    survey = edges["one_non_user"]
    checks = hypotheses.hypothesis_checks(survey)
    reasons = " ".join(checks["reason"])
    assert "80% power needs 63 per group" in reasons and not re.search(r"\d %", reasons)
    assert "une puissance de 80 % demande" in plain(narrative.h1_indicator_notes(survey, checks, lang="fr"))


def test_nobody_interested_is_no_sign_of_interest(edges):
    survey = edges["nobody_interested"]
    assert survey["interested_in_ai"].sum() == 0  # the fault's condition
    checks = hypotheses.hypothesis_checks(survey)
    for lang, absent, present in (("en", "a sign of interest", "no sign of interest"),
                                  ("fr", "un signe d’intérêt", "aucun signe d’intérêt")):
        notes = narrative.h1_indicator_notes(survey, checks, lang=lang)
        assert present in notes and absent not in notes.replace(present, "")
    interested = hypotheses.hypothesis_checks(edges["small"])
    assert "a sign of interest" in narrative.h1_indicator_notes(edges["small"], interested, lang="en")


def test_an_approximation_equal_to_the_exact_power_is_not_called_a_multiple_of_it(tmp_path):
    """At 1,000 rows the line said "(the approximation is 1.0 times the exact value)": nothing."""
    survey = load(synthetic.generate_survey(1000, seed=1), tmp_path, "s1000")
    check = hypotheses.h1_power_check(survey)
    here = check.iloc[0]
    assert round(here["power_as_is"] / here["power_exact_z_test"], 1) == 1.0  # the fault's condition
    for lang in LANGS:
        assert "1,0 fois" not in narrative.h1_power_note(check, lang) and "1.0 times" not in narrative.h1_power_note(check, lang)
    rebuilt = load_survey()
    assert "(the approximation is 2.5 times the exact value)" in narrative.h1_power_note(
        hypotheses.h1_power_check(rebuilt), "en")


def test_100000_cooperatives_print_as_numbers_and_below_2_points_are_one_point_in_french():
    """sample_note printed "Ces 100000 coopératives" (the raw int) and "±0,3 points"."""
    n = 100_000
    survey = pd.DataFrame({"sector": np.where(np.arange(n) % 10 == 0, "Autres", "Agriculture")})
    survey.attrs = {"source_file": "big.csv", "rebuilt": False}
    fr, en = narrative.sample_note(survey, 0.05, "fr"), narrative.sample_note(survey, 0.05, "en")
    assert "Ces 100\u202f000 coopératives" in fr and "These 100,000 cooperatives" in en
    assert "environ ±0,3 point ;" in plain(fr) and "±0.3 points wide" in en
    summary = pd.DataFrame({"proportion": [0.5, 0.4], "ci_low": [0.497, 0.398], "ci_high": [0.503, 0.402]})
    fr = plain(narrative.descriptive_takeaways(survey, [summary], 0.05, "fr"))
    assert "est de 0,3 point (de 0,2 à 0,3)" in fr
    assert "is 0.3 points (from 0.2 to 0.3)" in narrative.descriptive_takeaways(survey, [summary], 0.05, "en")


# Notebook 05 and REPRODUCTION.md --------------------------------------------------------------------

def test_two_sectors_have_residuals_and_a_reading_of_an_absent_sector_is_not_a_discrepancy(edges):
    """A survey without Artisanat and Autres: one absent sector left every adjusted residual NaN, so
    every sector reading was "not supported" and the ledger counted it as a discrepancy."""
    survey = edges["two_sectors"]
    counts = sector_tests.sector_table(survey, "direct_sales")
    assert (counts.sum(axis=1) == 0).sum() == 2  # the fault's condition: two codebook sectors without cooperatives
    residuals = sector_tests.residuals_long(survey, ["direct_sales"]).set_index("sector")["adjusted_residual"]
    # Second method: in a 2 x 2 table the adjusted residual of a cell is the pooled two-proportion z statistic.
    yes = counts.loc[["Agriculture", "Services"]].iloc[:, -1].to_numpy()
    sizes = counts.loc[["Agriculture", "Services"]].sum(axis=1).to_numpy()
    z, _ = proportions_ztest(yes, sizes)
    assert residuals["Agriculture"] == pytest.approx(z, rel=1e-9)
    assert residuals["Services"] == pytest.approx(-z, rel=1e-9)
    assert residuals[["Artisanat", "Autres"]].isna().all()

    tests = sector_tests.sector_tests(survey, "table1_practices")
    verdicts = sector_reading_verdicts(tests, sector_tests.residuals_long(survey, plan.FAMILIES["table1_practices"]),
                                       read_sector_readings()).set_index("reading_id")
    assert verdicts.loc["R1", "verdict"] == "not_computable"  # names Artisanat, absent
    assert verdicts.loc["R2", "verdict"] != "not_computable"  # Agriculture only: a real verdict
    ledger = audit.inferential_claims(survey, read_published_aggregates()).set_index("claim_id")
    assert ledger.loc["I-R1", "status"] == "not_reproducible"


def test_the_replication_sentence_counts_the_shares_a_missing_sector_leaves_out(edges):
    """It said "Of 42 published shares, ... 7 differ" where the paper printed 58 and 16 had no sector here,
    and "1 differ" for one."""
    survey, published = edges["two_sectors"], read_published_aggregates()
    ledger = audit.printed_claims(survey, published)
    replication = audit.replication_comparison(ledger, survey, published)
    missing = int(ledger["rule"].str.startswith(audit.NO_SECTOR).sum())
    assert missing > 0  # the fault's condition
    text = audit.replication_sentence(ledger, replication)
    assert text.startswith(f"Of {len(replication) + missing} published shares, {missing} were not compared "
                           f"(no cooperative of their sector in this survey); of the {len(replication)} compared")
    one = audit.replication_sentence(ledger.iloc[:0], pd.DataFrame({"replication_verdict": ["consistent", "different"]}))
    assert one.endswith("1 is consistent with this survey (Newcombe 95% interval of the difference contains 0) "
                        "and 1 differs.") and one.startswith("Of 2 published shares (each compared as k")


def test_the_ledgers_english_notes_print_counts_and_percentages_as_english_does(tmp_path):
    """W1 said "476 of 1000 (47.6 %)", W6 "31.9 %", C3 "73.33 %", C5 "(20 %)", REPRODUCTION.md
    "Cooperatives: 100000": English groups thousands and puts no space before %."""
    survey = load(synthetic.generate_survey(2500, seed=4), tmp_path, "s2500")
    published = read_published_aggregates()
    ledger = pd.concat([audit.consistency_claims(survey, published), audit.wording_claims(survey, published)])
    notes = ledger.set_index("claim_id")["note"]
    agriculture = int((survey["sector"] == "Agriculture").sum())
    assert agriculture >= 1000  # the fault's condition: a count with a thousands separator
    share = style.format_percent(100 * agriculture / len(survey), "en")
    assert notes["W1"].startswith(f"Agriculture: {agriculture:,} of 2,500 ({share})")
    assert "= 73.33% rounded" in notes["C3"] and "(20%)" in notes["C5"]
    for claim, note in notes.items():
        quoted = re.sub(r"\d+,\d+ %", "", note)  # the paper's numbers as printed (French) are quotes
        assert not re.search(r"\d %", quoted), (claim, note)
    provenance = {"data_file": "x.csv", "sha256": "0", "n": 100_000, "origin": "observed", "alpha": 0.05, "seed": 1}
    report = audit.reproduction_report(ledger.assign(basis="observed"), "observed", None, provenance)
    assert "- Cooperatives: 100,000; origin" in report


def test_more_dynamic_sectors_cannot_be_checked_without_them(edges):
    """W6 ("craft and service cooperatives are more dynamic in promotion") on a survey without craft
    cooperatives compared Services alone; without Services and Artisanat both, all() of nothing read
    "reproduced"."""
    published = read_published_aggregates()
    survey = edges["two_sectors"]
    assert "Artisanat" not in set(survey["sector"])  # the fault's condition
    w6 = audit.wording_claims(survey, published).set_index("claim_id").loc["W6"]
    assert w6["status"] == "not_reproducible" and w6["note"].endswith("no cooperative of Artisanat in this survey")
    neither = survey.assign(sector=survey["sector"].astype(str).replace({"Services": "Autres"}))
    assert audit.wording_claims(neither, published).set_index("claim_id").loc["W6", "status"] == "not_reproducible"
    whole = audit.wording_claims(edges["small"], published).set_index("claim_id").loc["W6"]
    assert whole["status"] in ("reproduced", "discrepancy")  # every sector present: the rule decides


def test_a_design_of_one_stratum_says_one_stratum():
    """Notebook 02's design line said "1 strata" ("1 strates") for a design with weights only."""
    from coopai import design

    survey = synthetic.generate_survey(40, seed=1).assign(poids=2.0)
    declared = design.from_parameters("poids", "", "", "")
    prepared = design.prepare(survey, declared, file="weights.csv")
    assert len(prepared.stratum_names) == 1  # the fault's condition
    assert "; 1 stratum, 40 clusters, 39 degrees of freedom." in narrative.descriptive_design_note(declared, prepared, "en")
    assert " ; 1 strate, 40 grappes, 39 degrés de liberté." in plain(narrative.descriptive_design_note(declared, prepared, "fr"))



def test_a_one_sector_survey_has_its_only_sector_not_a_smallest_and_no_reading_is_a_discrepancy(tmp_path):
    """sample_note said "in the smallest sector (Agriculture, 50 cooperatives)" of a survey with one sector,
    and the ledger's I-R5 counted its test, which does not exist there, as a discrepancy."""
    frame = synthetic.generate_survey(50, seed=11).assign(sector="Agriculture")
    survey = load(frame, tmp_path, "one_sector")
    assert survey["sector"].value_counts().gt(0).sum() == 1  # the fault's condition
    assert "in its only sector (Agriculture, 50 cooperatives)" in narrative.sample_note(survey, 0.05, "en")
    assert "dans son seul secteur (Agriculture, 50 coopératives)" in plain(narrative.sample_note(survey, 0.05, "fr"))
    ledger = audit.inferential_claims(survey, read_published_aggregates()).set_index("claim_id")
    assert (ledger.loc[["I-R1", "I-R2", "I-R3", "I-R4", "I-R5"], "status"] == "not_reproducible").all()
    two = load(synthetic.generate_survey(50, seed=11), tmp_path, "four_sectors")
    assert "in the smallest sector (" in narrative.sample_note(two, 0.05, "en")


def test_the_ledger_notes_say_why_a_sector_reading_has_no_p(edges, tmp_path):
    """The notes of I-R1 to I-R5 printed "Holm-adjusted exact p = not computable" on a one-sector survey,
    and I-R5's "adjusted residuals of 'heard of AI': Agriculture -1.20, Artisanat +nan" without Artisanat."""
    two = edges["two_sectors"]
    assert not two["sector"].eq("Artisanat").any()  # the fault's condition: a sector the readings name is absent
    notes = {row["claim_id"]: row["note"] for row in audit.sector_reading_claims(two)}
    notes["I-R5"] = audit.observed_r5_claim(two)["note"]
    readings = read_sector_readings().set_index("reading_id")
    for reading_id in ("R1", "R4"):  # they name Artisanat
        assert "Artisanat" in readings.loc[reading_id, "sectors_higher"]
        assert "Artisanat has no cooperative in this survey" in notes[f"I-{reading_id}"], notes
    assert "Artisanat" not in notes["I-R2"] + notes["I-R3"]  # Agriculture only: a p and nothing else
    assert "nan" not in notes["I-R5"] and "Agriculture " in notes["I-R5"], notes["I-R5"]
    assert "Artisanat has no cooperative in this survey" in notes["I-R5"]
    one = load(synthetic.generate_survey(50, seed=11).assign(sector="Agriculture"), tmp_path, "one_sector_notes")
    notes = [row["note"] for row in audit.sector_reading_claims(one)] + [audit.observed_r5_claim(one)["note"]]
    for note in notes:
        assert note.startswith("no sector test: one sector only (Agriculture)"), note
        assert "not computable" not in note and "nan" not in note, note
