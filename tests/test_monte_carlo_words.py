"""Words of notebook 03 and of the claims ledger when a sector test's p is a Monte Carlo estimate.

The published study (30 cooperatives) gets every sector test by exact enumeration; a survey whose
two smaller sectors each hold more than sqrt(plan.MAX_EXACT_TABLES) cooperatives leaves its reach,
and every primary p becomes the Monte Carlo estimate (`exact_method` = monte_carlo_20000). Each
test first shows that the survey is in the case whose words used to be wrong (every p Monte Carlo,
no exact p to compare, a p at its floor, no empty cell, an underflowed p), then reads the words, in
French and in English; the published data show the words that stay.
"""
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from coopai import audit, mmi, narrative, plan, sector_tests, synthetic
from coopai.codebook import PRACTICES
from coopai.contingency import monte_carlo_agrees
from coopai.survey import AssumptionWarning, load_survey

#: Cooperatives per sector that take every sector test past exact enumeration: the r x 2 test
#: enumerates the two smaller sectors' (m + 1) ** 2 partial tables (contingency._closing_r_by_2).
PER_SECTOR = math.isqrt(plan.MAX_EXACT_TABLES)
DRAWS = plan.MONTE_CARLO_DRAWS


def load_generated(tmp_path, frame, name):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)  # generated answers break A4 now and then, as real ones do
        return load_survey(path)


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """4 x 1,414 = 5,656 generated cooperatives, answers still depending on the sector."""
    frame = synthetic.generate_survey(15_000, seed=0)
    assert frame["sector"].value_counts().min() >= PER_SECTOR
    frame = frame.groupby("sector", sort=False).head(PER_SECTOR).reset_index(drop=True)
    return load_generated(tmp_path_factory.mktemp("mc"), frame, "large.csv")


@pytest.fixture(scope="module")
def published():
    return load_survey()


@pytest.fixture(scope="module")
def large_tests(large):
    return sector_tests.sector_tests(large)


@pytest.fixture(scope="module")
def published_tests(published):
    return sector_tests.sector_tests(published)


@pytest.fixture(scope="module")
def large_mmi(large):
    return mmi.mmi_over_rebuilds(large, PRACTICES, permutations=199)


@pytest.fixture(scope="module")
def published_mmi(published):
    return mmi.mmi_over_rebuilds(published, PRACTICES, permutations=199)


@pytest.fixture(scope="module")
def large_total_only(large):
    return sector_tests.total_only_tests(large)["table"]


@pytest.fixture(scope="module")
def mixed_total_only(tmp_path_factory):
    """400 cooperatives, some of them unclassified: the 4 x 3 digital-status table leaves exact
    enumeration while every 4 x 2 table stays exact."""
    frame = synthetic.generate_survey(400, seed=0)
    none = frame.index[frame["digital_tool_status"] == "none"]
    frame.loc[none[: len(none) // 2], "digital_tool_status"] = "unclassified"
    survey = load_generated(tmp_path_factory.mktemp("mixed"), frame, "unclassified.csv")
    return sector_tests.total_only_tests(survey)["table"]


def test_the_large_survey_is_the_smallest_of_its_shape_past_exact_enumeration(large, large_tests, published_tests):
    assert len(large) == 4 * PER_SECTOR == 5656
    assert (large_tests["exact_method"] == f"monte_carlo_{DRAWS}").all()
    assert (published_tests["exact_method"] == "exact").all()
    # One cooperative fewer per sector and the two smaller sectors' partial tables fit: exact again.
    assert PER_SECTOR ** 2 <= plan.MAX_EXACT_TABLES < (PER_SECTOR + 1) ** 2


@pytest.mark.parametrize("lang, no_exact, old", [
    ("en", "No practice has an exact p on this survey", "for every practice: **yes**"),
    ("fr", "Aucune pratique n’a de p exact sur cette enquête", "pour chaque pratique\u00a0: **oui**")])
def test_no_monte_carlo_check_is_claimed_where_no_exact_p_exists(large_tests, lang, no_exact, old):
    exact = large_tests[large_tests["exact_method"] == "exact"]
    # The fault: the check ran over the exact p-values only, and all() of none is True ("yes").
    assert exact.empty and all(monte_carlo_agrees(r.p_exact, r.p_monte_carlo, r.p_monte_carlo_se, DRAWS)
                               for r in exact.itertuples())
    text = narrative.sector_test_summary(large_tests, 0.05, lang)
    first = text.splitlines()[0]
    assert no_exact in first and old not in text and "**" not in first


@pytest.mark.parametrize("lang, line", [
    ("en", "- Monte Carlo ((1 + b)/(1 + B), 20,000 draws) and exact p-values agree within 4 standard errors "
           "for every practice: **yes**."),
    ("fr", "- Les p de Monte Carlo ((1 + b)/(1 + B), 20\u202f000 tirages) et exacts concordent à 4 erreurs-types "
           "près pour chaque pratique\u00a0: **oui**.")])
def test_the_published_study_keeps_its_check_line_and_it_can_fail(published_tests, lang, line):
    assert narrative.sector_test_summary(published_tests, 0.05, lang).splitlines()[0] == line
    off = published_tests.assign(p_monte_carlo=published_tests["p_exact"] + 0.2, p_monte_carlo_se=0.003)
    assert narrative.sector_test_summary(off, 0.05, lang).splitlines()[0].endswith(
        "**no**." if lang == "en" else "**non**.")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_when_only_some_p_are_exact_the_check_names_them(published_tests, large_tests, lang):
    mixed = pd.concat([published_tests.iloc[:2], large_tests.iloc[2:]], ignore_index=True)
    assert list(mixed["exact_method"]) == ["exact", "exact", f"monte_carlo_{DRAWS}", f"monte_carlo_{DRAWS}"]
    lines = narrative.sector_test_summary(mixed, 0.05, lang).splitlines()
    checked, others = "(`direct_sales`, `uses_social_media`)", "(`sells_online_platform`, `attends_trade_fairs`)"
    assert checked in lines[0] and others in lines[0]
    agree = all(abs(r.p_monte_carlo - r.p_exact) <= 4 * r.p_monte_carlo_se + 1 / (1 + DRAWS)
                for r in mixed.iloc[:2].itertuples())
    assert ("**yes**" if agree else "**no**") in lines[0] if lang == "en" else ("**oui**" if agree else "**non**") in lines[0]
    # Rejections name each practice's method: Holm ran over exact and Monte Carlo p-values.
    rejected = mixed[mixed["p_exact_holm"] < 0.05]
    assert len(rejected) >= 2 and "exact test rejects" not in lines[-1] and "test exact rejette" not in lines[-1]
    words = {"en": "Monte Carlo (20,000 draws)", "fr": "Monte Carlo (20\u202f000 tirages)"}[lang]
    for r in rejected.itertuples():
        assert f"`{r.practice}` ({'exact' if r.exact_method == 'exact' else words})" in lines[-1]


@pytest.mark.parametrize("lang, methods, rejected", [
    ("en", "Method of the primary p: `direct_sales` Monte Carlo (20,000 draws), `uses_social_media` Monte Carlo "
           "(20,000 draws),", "Practices whose test rejects independence after Holm at alpha = 0.05, each p the "
                              "Monte Carlo estimate (20,000 draws) of the exact test’s: "),
    ("fr", "Méthode du p principal\u00a0: `direct_sales` Monte Carlo (20\u202f000 tirages), `uses_social_media` "
           "Monte Carlo (20\u202f000 tirages),", "Pratiques dont le test rejette l’indépendance après Holm au seuil "
                                                 "0,05, chaque p étant l’estimation de Monte Carlo (20\u202f000 "
                                                 "tirages) du p du test exact\u00a0: ")])
def test_the_lines_name_the_method_each_p_was_computed_by(large_tests, published_tests, lang, methods, rejected):
    text = narrative.sector_test_summary(large_tests, 0.05, lang)
    assert f"- {methods}" in text and "monte_carlo_20000" not in text
    names = ", ".join(f"`{x}`" for x in large_tests.loc[large_tests["p_exact_holm"] < 0.05, "practice"])
    assert names and f"- {rejected}{names}." in text
    assert "exact test rejects" not in text and "test exact rejette" not in text
    # On the published study every p is exact, and the words say so as they always did.
    published = narrative.sector_test_summary(published_tests, 0.05, lang)
    assert {"en": "- Practices whose exact test rejects independence after Holm at alpha = 0.05: `direct_sales`.",
            "fr": "- Pratiques dont le test exact rejette l’indépendance après Holm au seuil 0,05\u00a0: "
                  "`direct_sales`."}[lang] in published
    words = {"en": "Monte Carlo (20,000 draws)", "fr": "Monte Carlo (20\u202f000 tirages)"}[lang]
    assert "`direct_sales` exact, `uses_social_media` exact" in published and words not in published


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_monte_carlo_p_at_its_floor_is_said_to_be_one_with_the_exact_ps_bound(large_tests, large_total_only,
                                                                               published_tests, lang):
    both = pd.concat([large_tests, large_total_only], ignore_index=True)
    floor = both[np.isclose(both["p_exact"] * (1 + DRAWS), 1.0)]
    above = both[~both.index.isin(floor.index)]
    assert len(floor) >= 4 and len(above) >= 3  # the fault's case, and Monte Carlo p's above the floor beside it
    text = narrative.sector_test_summary(both, 0.05, lang)
    line = next(x for x in text.splitlines() if "floor" in x or "plancher" in x)
    assert all(f"`{x}`" in line for x in floor["practice"]) and not any(f"`{x}`" in line for x in above["practice"])
    bound = 1 - 0.05 ** (1 / DRAWS)  # 0 of B draws as extreme: Clopper-Pearson's one-sided bound, closed form
    assert narrative.monte_carlo_upper_bound(0, DRAWS, 0.05) == pytest.approx(bound, rel=1e-9)
    assert f"p = {narrative.format_p(1 / (1 + DRAWS), lang)}" in line
    assert narrative.format_p(bound, lang) in line and ("95%" in line if lang == "en" else "95\u00a0%" in line)
    assert {"en": "not a bound on the exact p", "fr": "pas une borne du p exact"}[lang] in line
    assert "≤" not in text and "p <" not in text
    published = narrative.sector_test_summary(published_tests, 0.05, lang)
    assert "floor" not in published and "plancher" not in published


@pytest.mark.parametrize("lang, one, span", [("en", "0% in every practice", "0% to 75%"),
                                             ("fr", "0\u00a0% dans chaque pratique", "de 0\u00a0% à 75\u00a0%")])
def test_cochran_line_gives_one_value_when_every_practice_has_it(large_tests, published_tests, lang, one, span):
    assert large_tests["pct_cells_expected_lt5"].nunique() == 1  # min == max: "from 0% to 0%" before
    text = narrative.sector_test_summary(large_tests, 0.05, lang)
    assert one in text and "to 0%" not in text and "à 0\u00a0%" not in text
    same = {"en": "75% in every practice", "fr": "75\u00a0% dans chaque pratique"}[lang]
    assert published_tests["pct_cells_expected_lt5"].nunique() == 1 and same in narrative.sector_test_summary(
        published_tests, 0.05, lang)
    mixed = pd.concat([published_tests.iloc[:2], large_tests.iloc[2:]], ignore_index=True)
    assert span in narrative.sector_test_summary(mixed, 0.05, lang)
    close = large_tests.assign(pct_cells_expected_lt5=[12.1, 12.3, 12.3, 12.3])  # both "12%" at 0 decimals
    assert ("12.1% to 12.3%" if lang == "en" else "12,1\u00a0% à 12,3\u00a0%") in narrative.sector_test_summary(
        close, 0.05, lang)


def independent_zero_cells(survey):
    """Empty sector x answer cells of the practices, counted with pandas' crosstab."""
    total = 0
    for practice in PRACTICES:
        table = pd.crosstab(survey["sector"], survey[practice].astype(bool))
        if table.shape[1] == 2:
            total += int((table.to_numpy() == 0).sum())
    return total


@pytest.mark.parametrize("lang, nothing", [
    ("en", "No practice’s table has an empty cell, so MRCV’s default of adding 0.5 to zero cells changes nothing here"),
    ("fr", "Aucun tableau par pratique n’a de cellule vide\u00a0: la règle par défaut de MRCV (ajouter 0,5 aux "
           "cellules vides) ne change donc rien ici")])
def test_mrcvs_constant_changes_nothing_without_an_empty_cell(large, published, large_mmi, published_mmi, lang,
                                                              nothing):
    with_constant = mmi.x2_s_with_constant(large, PRACTICES, 0.5)
    zero = mmi.zero_cells(large, PRACTICES)
    assert zero == independent_zero_cells(large) == 0
    # The fault: the old line compared a number with itself ("would be 2,991.13 instead of 2,991.13").
    assert narrative.number(with_constant, lang, 2) == narrative.number(large_mmi.iloc[0]["x2_s"], lang, 2)
    text = narrative.mmi_summary(large_mmi, "observed", 0.05, lang, with_constant, zero)
    assert nothing in text and "instead of" not in text and "au lieu de" not in text
    # The published tables have empty cells: the constant changes X2_S, and the line says by how much.
    spread = published_mmi
    zero = mmi.zero_cells(published, PRACTICES)
    assert zero == independent_zero_cells(published) > 0
    text = narrative.mmi_summary(spread, "rebuilt", 0.05, lang, mmi.x2_s_with_constant(published, PRACTICES, 0.5), zero)
    assert {"en": "X2_S would be 19.91 instead of 21.34", "fr": "X2_S vaudrait 19,91 au lieu de 21,34"}[lang] in text
    with pytest.raises(ValueError, match="zero_cells"):
        narrative.mmi_summary(spread, "rebuilt", 0.05, lang, 19.91)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_underflowed_p_reads_p_less_than_not_p_equals_less_than(large_mmi, lang):
    row = large_mmi.iloc[0]
    assert row["p_bonferroni_asymptotic"] == 0.0 and narrative.format_p(0.0, lang).startswith("<")  # the fault's case
    text = narrative.mmi_summary(large_mmi, "observed", 0.05, lang)
    assert "p < 10⁻³⁰⁸" in text and "= <" not in text and "=\u00a0<" not in text
    # Every sentence goes through the one fix (narrative.sentence), not through each template.
    assert narrative.state_bounds("p = < 10⁻³⁰⁸; BF10 = > 10³⁰⁸; p = 0.04") == "p < 10⁻³⁰⁸; BF10 > 10³⁰⁸; p = 0.04"


@pytest.mark.parametrize("lang, words", [("en", "199 permutations, none reaching the observed X2_S"),
                                         ("fr", "199 permutations dont aucune n’atteint le X2_S observé")])
def test_a_permutation_p_at_its_floor_is_said_to_be_one(large_mmi, published_mmi, lang, words):
    assert large_mmi.iloc[0]["p_permutation"] == pytest.approx(1 / 200)  # no permutation reached X2_S
    text = narrative.mmi_summary(large_mmi, "observed", 0.05, lang)
    assert words in text and ("standard error 0.005" in text if lang == "en" else "erreur-type 0,005" in text)
    assert {"en": "the smallest practice p is a Monte Carlo estimate of the exact one, 20,000 draws",
            "fr": "le plus petit p par pratique est une estimation de Monte Carlo du p exact, 20\u202f000 tirages"}[lang] \
        in text
    spread = published_mmi
    assert spread.iloc[0]["p_permutation"] > 1 / 200
    text = narrative.mmi_summary(spread, "rebuilt", 0.05, lang)
    assert words.split(", ")[-1].split(" dont ")[-1] not in text and "Monte Carlo" not in text


@pytest.mark.parametrize("lang, every, mixed", [
    ("en", "Each p is the Monte Carlo estimate (20,000 draws) of the exact test’s p",
     "The p of `digital_tool_status` is the Monte Carlo estimate (20,000 draws) of the exact test’s p"),
    ("fr", "Chaque p est l’estimation de Monte Carlo (20\u202f000 tirages) du p du test exact",
     "Le p de `digital_tool_status` est l’estimation de Monte Carlo (20\u202f000 tirages) du p du test exact")])
def test_the_total_only_line_names_the_method(large_total_only, mixed_total_only, lang, every, mixed):
    assert (large_total_only["exact_method"] != "exact").all()
    assert every in narrative.total_only_note("observed", large_total_only, 0.05, lang)
    table = mixed_total_only
    simulated = table.loc[table["exact_method"] != "exact", "practice"].tolist()
    assert simulated == ["digital_tool_status"]
    text = narrative.total_only_note("observed", table, 0.05, lang)
    assert mixed in text and every not in text


def test_the_ledger_names_the_monte_carlo_p_and_its_floor(large, large_tests, published):
    assert (large_tests["exact_method"] == f"monte_carlo_{DRAWS}").all()
    rows = audit.sector_reading_claims(large) + [audit.observed_r5_claim(large)]
    for row in rows:
        assert "p by Monte Carlo (20,000 draws)" in row["rule"] and "exact p" not in row["note"]
        assert ", by Monte Carlo (20,000 draws)" in row["note"]
    first = rows[0]
    assert first["rule"] == f"exact test verdict, p by Monte Carlo (20,000 draws): {'supported'}"
    holm = large_tests.set_index("practice").loc["uses_social_media"]
    assert np.isclose(holm["p_exact"] * (1 + DRAWS), 1.0)
    assert first["note"] == (f"Holm-adjusted p = {narrative.format_p(holm['p_exact_holm'])}, by Monte Carlo (20,000 "
                             "draws); p before Holm 5×10⁻⁵, at its floor 1/(1 + B): no drawn table as extreme")
    assert rows[-1]["rule"].startswith("exact sector test on observed data, p by Monte Carlo (20,000 draws), Holm")
    # REPRODUCTION.md prints rule and note as they are.
    report = audit.reproduction_report(pd.DataFrame(rows), "observed")
    assert (f"- I-R1 (Section 3.1 (texte), p. 758): {first['quantity']} - **{first['status']}** ({first['rule']}). "
            f"{first['note']}.") in report
    assert "Holm-adjusted exact p" not in report and "exact test verdict:" not in report
    # The published study: every p exact, the ledger's words as before.
    published_rows = {r["claim_id"]: r for r in audit.sector_reading_claims(published)}
    assert published_rows["I-R2"]["rule"] == "exact test verdict: supported"
    assert published_rows["I-R2"]["note"] == "Holm-adjusted exact p = 0.00521"


@pytest.mark.parametrize("lang, small", [("en", "below 5"), ("fr", "inférieurs à 5")])
def test_a_differing_asymptotic_form_is_not_blamed_on_small_expected_counts_that_do_not_exist(large_tests, large_mmi,
                                                                                             lang, small):
    assert large_tests["min_expected"].min() > 5  # no expected count below 5 anywhere
    differ = large_mmi.assign(p_bonferroni_asymptotic=0.2)  # the asymptotic form not rejecting where the primary does
    text = narrative.mmi_summary(differ, "observed", 0.05, lang)
    reason = next(x for x in text.splitlines() if "Not every form" in x or "n’aboutissent pas" in x)
    assert {"en": "chi-square approximations", "fr": "approximations du khi-deux"}[lang] in reason
    assert small not in reason
