"""Sentences are results: each one the notebooks print is computed from the run's data, so on a
generated survey of another size none carries the paper's counts, and on the rebuilt data they
still say what the published study says. Once, the whole study runs on a generated survey."""
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from coopai import figure_checks, hypotheses, mmi, narrative, plan, power, sector_tests, stats, style, synthetic, tables
from coopai.codebook import PRACTICES, SECTORS
from coopai.published import paper_sector_sizes, read_published_aggregates
from coopai.survey import AssumptionWarning, load_survey
from conftest import HOSTILE_NAME, ROOT

#: The paper's counts as sentences state them: true of the published study only.
PAPER_COUNTS = [
    r"\b\d+ (of|sur|out of|against|contre) (30|27)\b",
    r"\b(21|17|18|6|3) (of|sur|out of) 30\b",
    r"\b3 (against|contre) 27\b",
    r"\b30 (cooperatives|coopératives)\b",
    r"\bn = 30\b",
    r"\b14, 8, 5,? (and |et )?3\b",
    r"\b(4 cooperatives out of 5|4 coopératives sur 5)\b",
    r"the same in every rebuild|identiques dans toutes les reconstructions",
]
#: A reference to the published study that says so is allowed.
LABELLED_REFERENCE = re.compile(r"(published study['’]s|l['’]étude publiée)[^.;]{0,40}?14, 8, 5,? (and |et )?3"
                                r"|\bin the paper: [^.|]*")


#: The paper's numbers as printed (the ledger's ``printed`` column quotes them, e.g. "30 coopératives").
PRINTED = sorted(set(read_published_aggregates()["printed"]), key=len, reverse=True)


def paper_counts_in(text: str) -> list[str]:
    text = LABELLED_REFERENCE.sub("", text)
    for quote in PRINTED:
        text = text.replace(quote, "")
    return [m.group(0) for pattern in PAPER_COUNTS for m in re.finditer(pattern, text)]


def generated(tmp_path, n, seed=0):
    path = tmp_path / f"generated_{n}.csv"
    synthetic.generate_survey(n, seed=seed).to_csv(path, index=False)
    with pytest.warns(AssumptionWarning):
        return load_survey(path)


def all_sentences(survey, lang, alpha=plan.ALPHA):
    """Every sentence function, called as the notebooks call it."""
    origin = "rebuilt" if survey.attrs.get("rebuilt") else "observed"
    table1 = stats.table1_marketing_practices(survey, alpha)
    summaries = [stats.proportion_summary(survey, ["has_stable_internet", "heard_of_ai"], alpha)]
    tests = sector_tests.sector_tests(survey, "table1_practices", alpha=alpha)
    mmi_table = mmi.mmi_over_rebuilds(survey, PRACTICES, permutations=199)
    sizes = [k for k in (int(survey["sector"].eq(s).sum()) for s in SECTORS) if k > 0]
    run_power = power.power_table(sizes, alpha=alpha)
    paper_power = power.power_table(paper_sector_sizes(), alpha=alpha)
    checks = hypotheses.hypothesis_checks(survey, alpha)
    out = {
        "sample_note": narrative.sample_note(survey, alpha, lang),
        "sector_cell_example": narrative.sector_cell_example(table1, alpha, lang),
        "digital_status_note": narrative.digital_status_note(survey, lang),
        "knowledge_interest_note": narrative.knowledge_interest_note(survey, lang),
        "descriptive_takeaways": narrative.descriptive_takeaways(survey, summaries, alpha, lang),
        "multiplicity_note": narrative.multiplicity_note(len(plan.FAMILIES["table1_practices"]), alpha, lang),
        "sector_test_summary": narrative.sector_test_summary(tests, alpha, lang),
        "naive_pooled_note": narrative.naive_pooled_note(mmi.naive_pooled_chi2(survey, PRACTICES), None, lang),
        "mmi_summary": narrative.mmi_summary(mmi_table, origin, alpha, lang, mmi.x2_s_with_constant(survey, PRACTICES, 0.5),
                                             mmi.zero_cells(survey, PRACTICES)),
        "power_note": narrative.power_note(run_power, sizes, paper_power, paper_sector_sizes(), lang),
        "estimate_note": narrative.estimate_note(checks, alpha, lang),
        "h1_data_note": narrative.h1_data_note(survey, checks, lang),
        "h1_power_note": narrative.h1_power_note(hypotheses.h1_power_check(survey, alpha), lang),
        "hypothesis_takeaways": narrative.hypothesis_takeaways(survey, checks, lang),
        "h2_verdict_note": narrative.h2_verdict_note(checks, alpha, lang),
        "h1_indicator_notes": narrative.h1_indicator_notes(survey, checks, alpha, lang),
        "planner_design_note": narrative.planner_design_note(None, lang),
        **design_sentences(survey, lang),
        "replication_note": narrative.replication_note(lang),
        "data_notice": narrative.data_notice(survey, lang),
        "mmi_not_computable_note": narrative.mmi_not_computable_note(
            sector_tests.comparison_reason(survey.assign(sector=survey["sector"].iloc[0])), lang),
    }
    if origin == "observed":
        family = sector_tests.sector_tests(survey, "total_only_observed", alpha=alpha)
        out["total_only_note"] = narrative.total_only_note(origin, family, alpha, lang)
    assert set(out) | {"total_only_note"} == set(narrative.SENTENCES)
    return out


def design_sentences(survey, lang):
    """Notebooks 02, 03 and 05's lines on a declared design: the survey weighted, in strata of its sectors
    and clusters of ten rows (so the counts follow its size)."""
    from coopai import design

    declared = design.from_parameters("poids", "sector", "grappe", "")
    weighted = survey.assign(poids=1.0 + (survey.index % 3), grappe=survey.index // 10)
    prepared = design.prepare(weighted, declared, file="generated.csv")
    return {"descriptive_design_note": narrative.descriptive_design_note(declared, prepared, lang),
            "sector_design_note": narrative.sector_design_note(declared, lang),
            "audit_design_note": narrative.audit_design_note(declared, lang),
            "setup_design_note": narrative.setup_design_note(declared, lang)}


@pytest.fixture(scope="module")
def survey500(tmp_path_factory):
    return generated(tmp_path_factory.mktemp("s500"), 500)


@pytest.fixture(scope="module")
def rebuilt():
    return load_survey()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_sentence_carries_the_papers_counts_on_another_survey(survey500, lang):
    for name, text in all_sentences(survey500, lang).items():
        assert not paper_counts_in(text), f"{name}: {paper_counts_in(text)} in {text!r}"


def test_no_sentence_carries_the_papers_counts_at_100000_rows(tmp_path):
    big = generated(tmp_path, 100_000)
    sentences = all_sentences(big, "en")
    for name, text in sentences.items():
        assert not paper_counts_in(text), f"{name}: {paper_counts_in(text)} in {text!r}"
    assert "70,000 of 100,000 report barriers" in sentences["estimate_note"]
    assert "here 69.72% to 70.28%" in sentences["estimate_note"]  # Wilson 0.69715-0.70283: decimals keep a narrow interval's ends apart


def test_the_check_finds_the_papers_counts_on_the_published_study(rebuilt):
    # The same sentences on the rebuilt data state the published study's numbers, so the check above can fail.
    sentences = all_sentences(rebuilt, "en")
    assert "21 of 30 report barriers" in sentences["estimate_note"]
    assert paper_counts_in(sentences["estimate_note"]) and paper_counts_in(sentences["h1_data_note"])
    assert "3 cooperatives that used an AI tool against 27" in sentences["h1_data_note"]
    assert "exactly 2 cooperatives must both have heard of AI" in sentences["knowledge_interest_note"]
    assert "chosen on purpose in Tangier" in sentences["sample_note"]
    assert "sectors of 14, 8, 5, 3 (the published study’s)" in sentences["power_note"]


def test_the_check_finds_the_papers_counts_in_french_sentences(rebuilt):
    """French sentences print numbers by style.format_number (narrow no-break space between thousands):
    the check still reads the published study's counts in them, and a grouped number stays one number."""
    sentences = all_sentences(rebuilt, "fr")
    assert "21 sur 30 signalent des obstacles" in sentences["estimate_note"]
    assert paper_counts_in(sentences["estimate_note"]) and paper_counts_in(sentences["h1_data_note"])
    assert "3 coopératives ayant utilisé un outil d’IA contre 27" in sentences["h1_data_note"]
    grouped = f"{narrative.number(30_000, 'fr')} coopératives, {narrative.number(1_030, 'fr')} coopératives"
    assert grouped == "30\u202f000 coopératives, 1\u202f030 coopératives" and not paper_counts_in(grouped)


def test_sentences_state_this_surveys_numbers(survey500):
    s = all_sentences(survey500, "en")
    barriers = int(survey500["reports_ai_barriers"].sum())
    assert f"{barriers} of 500 report barriers" in s["estimate_note"]
    users = int(survey500["used_ai_tool"].sum())
    assert f"has {users} cooperatives that used an AI tool against {500 - users}" in s["h1_data_note"]
    both = int((survey500["heard_of_ai"] & survey500["interested_in_ai"]).sum())
    assert s["knowledge_interest_note"].startswith(f"{both} cooperatives have heard of AI and are interested")
    assert "come from `generated_500.csv`" in s["sample_note"] and "Tangier" not in s["sample_note"]
    # Observed data: the MMI line reports one dataset, never a spread over rebuilds.
    assert "rebuild" not in s["mmi_summary"]
    # Power at this survey's sector sizes, the paper's as the labelled reference.
    sizes = ", ".join(str(int(survey500["sector"].eq(x).sum())) for x in SECTORS)
    assert f"With 500 cooperatives in sectors of {sizes}" in s["power_note"]
    assert "published study’s sectors (14, 8, 5, 3)" in s["power_note"]
    # Section 6 on observed data: point tests with Holm in the declared family, not ranges.
    assert "a point, not a range" in s["total_only_note"] and "total_only_observed" in s["total_only_note"]


def test_half_width_sentence_matches_wilson_by_hand(survey500):
    import math
    text = narrative.sample_note(survey500, 0.05, "en")
    z = 1.959963984540054
    half = 100 * z * math.sqrt(0.25 * 500 + z**2 / 4) / (500 + z**2)  # Wilson half-width at p = 1/2
    assert f"about ±{half:.0f} points wide" in text


@pytest.mark.parametrize("data", ["survey500", "rebuilt"])
@pytest.mark.parametrize("alpha, level, other", [(0.01, "99%", "95%"), (0.1, "90%", "95%")])
def test_levels_in_sentences_follow_alpha(request, data, alpha, level, other):
    sentences = all_sentences(request.getfixturevalue(data), "en", alpha)
    joined = " ".join(sentences.values())
    assert level in joined and other not in joined
    assert not ALPHA_DEFAULTS.search(joined), ALPHA_DEFAULTS.search(joined)
    assert f"at {100 * alpha:g}%" in sentences["multiplicity_note"]


#: A confidence level, critical value or significance level typed in: true at alpha = 0.05 only.
ALPHA_DEFAULTS = re.compile(r"\b95(\s|\u00a0)?%|\b1[.,]96\b|(?<![\d.,])0[.,]05\b")
#: The same in notebook text, with the 1 - 2 alpha level of Cramér's V interval at alpha = 0.05.
TYPED_IN_LEVELS = re.compile(ALPHA_DEFAULTS.pattern + r"|\b90(\s|\u00a0)?%")


def test_the_notebooks_text_follows_alpha():
    """Markdown and code (but the parameters cell, which holds the plan's default) type in no level,
    critical value or alpha: a run at ALPHA=0.01 then says 99 % everywhere."""
    import json

    # The check finds what the notebooks said before they followed alpha.
    assert TYPED_IN_LEVELS.search("a Wilson interval at 1 − alpha (95 % at the default alpha = 0.05)")
    assert TYPED_IN_LEVELS.search("±1.96 would flag about one cell in twenty")
    assert TYPED_IN_LEVELS.search("1 - 2 alpha (90 % at alpha = ...)")
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                continue
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and "Glossary" in text:
                text = text.replace("p ± 1.96 standard errors", "")  # the textbook's 95 % formula, named as such
            found += [f"{path.name} cell {i}: {m.group(0)!r}" for m in TYPED_IN_LEVELS.finditer(text)]
    assert not found, found


def test_mmi_lines_show_the_permutation_p_with_its_standard_error(survey500, rebuilt):
    import math

    table = mmi.mmi_over_rebuilds(survey500, PRACTICES, permutations=199)
    row = table.iloc[0]
    p, draws = row["p_permutation"], int(row["permutations"])
    exceed = p * (1 + draws) - 1  # p = (1 + b) / (1 + B), b a whole number of permutations
    assert exceed == pytest.approx(round(exceed)) and round(exceed) >= 0
    se = math.sqrt(p * (1 - p) / draws)
    assert row["p_permutation_se"] == pytest.approx(se) and se > 0
    for lang, words in (("en", "standard error"), ("fr", "erreur-type")):
        text = narrative.mmi_summary(table, "observed", 0.05, lang)
        assert f"{words} {narrative.format_p(se, lang)}" in text
        assert "rebuild" not in text and "reconstruction" not in text
    spread = mmi.mmi_over_rebuilds(rebuilt, PRACTICES, permutations=199)
    assert len(spread) > 1 and (spread["p_permutation_se"] > 0).all()
    text = narrative.mmi_summary(spread, "rebuilt", 0.05, "en")
    assert f"(standard error at most {narrative.format_p(spread['p_permutation_se'].max(), 'en')})" in text
    assert f"Over {len(spread)} datasets" in text


def test_the_mmi_permutation_p_is_never_zero():
    # Two sectors all but separated by the practice: no permutation of 99 reaches X2_S (chance about 6e-9 each).
    survey = pd.DataFrame({"sector": ["A"] * 20 + ["B"] * 20, "x": [True] * 19 + [False] * 20 + [True]})
    result = mmi.mmi_test(survey, ["x"], permutations=99, seed=1)
    assert result["p_permutation"] == pytest.approx(1 / 100) and result["p_permutation_se"] == pytest.approx(0.01)


def test_french_numbers_use_the_french_format(survey500):
    s = all_sentences(survey500, "fr")
    assert re.search(r"\d,\d\u00a0%", s["estimate_note"])  # French: decimal comma, no-break space before %
    assert not any(re.search(r"\d\.\d", re.sub(r"`[^`]*`", "", text)) for text in s.values())
    # French thousands: a narrow no-break space (style.NNBSP), as figures and tables print them; the minus sign.
    assert narrative.number(100_000, "fr") == "100\u202f000" and narrative.number(100_000, "en") == "100,000"
    assert narrative.number(-1091.5, "fr", 1) == "\u22121\u202f091,5" == style.format_number(-1091.5, "fr", 1)


@pytest.mark.parametrize("p, log10_p, text", [(0.0, -850.894, "1.28×10⁻⁸⁵¹"), (0.0, None, "< 10⁻³⁰⁸"),
                                              (3.84e-37, None, "3.84×10⁻³⁷"), (0.0214, None, "0.0214")])
def test_no_p_value_is_printed_as_zero(p, log10_p, text):
    assert narrative.format_p(p, "en", log10_p) == text


def test_sentences_print_a_small_p_as_the_tables_do():
    """A p below 10⁻⁴ in a sentence has the tables' typographic form (3,84×10⁻³⁷), not the computer's 3,84e-37;
    only trailing zeros differ (a sentence says 1×10⁻⁸⁵⁰ where a table column keeps 1.00×10⁻⁸⁵⁰)."""
    table = pd.DataFrame({"p_exact": [3.84e-37, 0.0, 0.0], "p_exact_log10": [-36.4157, -850.894, -850.0001]})
    for lang in ("fr", "en"):
        said = [narrative.format_p(p, lang, lg) for p, lg in zip(table["p_exact"], table["p_exact_log10"])]
        shown = tables.readable(table, lang, headers=False)["p_exact"].tolist()
        assert said[:2] == shown[:2] and shown[2] == ("1,00×10⁻⁸⁵⁰" if lang == "fr" else "1.00×10⁻⁸⁵⁰")
        assert said[2] == "1×10⁻⁸⁵⁰" and not any("e-" in text for text in said)
    assert narrative.format_p(float("nan"), "en", float("nan")) == "not computable"  # was the bound "< 1e-308"
    assert narrative.format_bf(float("nan")) == "not computable" and narrative.format_bf(math.inf) == "> 10³⁰⁸"


#: Superscript digits of a printed power of ten, as plain ones.
PLAIN_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def scientific_in(text: str) -> tuple[float, int]:
    """Mantissa and exponent of a number printed as ``1.28e-851`` or ``1,28×10⁻⁸⁵¹`` (either form, either language)."""
    found = re.fullmatch(r"(\d+(?:[.,]\d+)?)(?:e([+-]?\d+)|×10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+))", text)
    assert found, f"not a number in scientific form: {text!r}"
    return float(found.group(1).replace(",", ".")), int(found.group(2) or found.group(3).translate(PLAIN_DIGITS))


@pytest.mark.parametrize("log10_value", [-850.0001, -36.00002, -5.0000001, 3571.9999, 2.99999])
def test_a_mantissa_that_rounds_to_10_carries_into_the_exponent(log10_value):
    """A logarithm just below a whole number: 10 ** (its fraction) is 9.99..., which rounds to 10.
    Every printer of a logarithm writes 1 times the next power, never a mantissa of 10 ("10e-851")."""
    exponent = math.floor(log10_value)
    fraction = 10 ** (log10_value - exponent)
    # The fault happens here: what format_p (3 digits) and format_bf (2) rounded the mantissa to.
    assert f"{fraction:.3g}" == "10" and f"{fraction:.2g}" == "10"
    printed = {"format_bf": narrative.format_bf(math.inf if log10_value > 0 else 0.0, log10_value)}
    if log10_value < 0:  # a p-value is at most 1
        printed |= {f"format_p {lang}": narrative.format_p(0.0, lang, log10_value) for lang in ("en", "fr")}
    printed |= {f"tables {lang}": tables._from_log10(0.0, log10_value, lang) for lang in ("en", "fr")}
    wrong = {name: text for name, text in printed.items() if scientific_in(text) != (1.0, exponent + 1)}
    assert not wrong, wrong


def test_a_displayed_table_never_shows_a_small_p_as_zero():
    table = pd.DataFrame({"practice": ["direct_sales", "social_media"], "p_exact": [3.8e-37, 0.0],
                          "p_exact_log10": [-36.42, -850.9], "p_monte_carlo_se": [1e-5, 1e-5]})
    assert table["p_exact"].round(4).tolist() == [0.0, 0.0]  # what a rounded display showed before
    shown = tables.readable(table, "en")
    assert shown["p_exact"].tolist() == ["3.80×10⁻³⁷", "1.26×10⁻⁸⁵¹"]
    assert tables.readable(table, "fr")["p_exact"].tolist() == ["3,80×10⁻³⁷", "1,26×10⁻⁸⁵¹"]


def test_a_hypothesis_table_at_100000_rows_shows_no_p_as_zero():
    """notebook 04's columns name their logarithm log10_<column>: at 100,000 cooperatives p underflowed to 0
    (what hypothesis_checks.md printed) and BF+0 overflowed to inf."""
    table = pd.DataFrame({"p_value": [0.0, 0.0214], "log10_p_value": [-3575.82, -1.6696],
                          "bf_plus": [math.inf, 4.77], "log10_bf_plus": [3571.36, 0.6785]})
    shown = tables.readable(table, "en", headers=False)
    assert shown["p_value"].tolist() == ["1.51×10⁻³⁵⁷⁶", "0.0214"]
    assert shown["bf_plus"].tolist() == ["2.29×10³⁵⁷¹", "4.77"]
    assert f"{table['p_value'][0]:.4f}" == "0.0000"  # what the table printed before (hypothesis_checks.md)
    # Without its logarithm an underflowed p prints as a bound, never 0; a zero that is no p-value stays 0.
    assert tables.readable(table[["p_value"]], "en", headers=False)["p_value"].tolist() == ["< 10⁻³⁰⁸", "0.0214"]
    assert tables.readable(pd.DataFrame({"p_chi2": [0.0, 1e-20, 0.5], "share": [0.0, 0.2, 0.5]}), "en",
                           headers=False).to_numpy().tolist() == [["< 10⁻³⁰⁸", "0.000"], ["1.00×10⁻²⁰", "0.200"],
                                                                  ["0.500", "0.500"]]
    # Finite but past 10^15 (BF10 at 100,000 rows): scientific, not 239 digits.
    assert tables.readable(pd.DataFrame({"bf10": [1.89e238, 4.0]}), "en", headers=False)["bf10"].tolist() == [
        "1.89×10²³⁸", "4"]



#: What a Markdown renderer does not show as prose: code spans and URLs (link targets, bare links).
#: Blanked to a word before the typography rules read a sentence, so only its prose is judged.
MARKDOWN_CODE = re.compile(r"`[^`]*`|https?://[^\s)>]+")


def prose_typography_problems(text: str, lang: str) -> list[str]:
    """The figures' typography rules (:mod:`coopai.figure_checks`) on a sentence's prose; in English the
    language-neutral rules and the typographic apostrophe, which :func:`coopai.style.typeset` gives both languages."""
    prose = MARKDOWN_CODE.sub("code", text)
    rules = figure_checks.BOTH_RULES + (figure_checks.FRENCH_RULES if lang == "fr" else
                                        ((re.compile(r"(?<=\w)'(?=\w)"), "straight apostrophe"),))
    return [f"{message}: {prose[max(m.start() - 25, 0):m.end() + 25]!r}" for pattern, message in rules
            for m in pattern.finditer(prose)]


def test_the_typography_check_finds_what_sentences_printed_before():
    # The fault: notebook 04's French estimate line as it was printed ("21 sur 30 signalent ... : ici").
    before = "- **Un pourcentage descriptif** dit ce qui s'est passé : 21 sur 30 signalent des obstacles, 70,0\u00a0%."
    found = prose_typography_problems(before, "fr")
    assert any(p.startswith("colon without a no-break space") for p in found)
    assert any(p.startswith("straight apostrophe") for p in found)
    assert not prose_typography_problems("`p_exact`\u00a0: voir https://example.org/a:b, l’IA", "fr")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("data", ["rebuilt", "survey500"])
def test_every_sentence_is_typeset_like_the_figures(request, data, lang):
    """Every sentence of narrative.SENTENCES, as the notebooks call them, on the published study's rebuilt
    data and on a 500-row survey (observed: the one that says total_only_note): French prose has its
    no-break spaces, typographic apostrophes and decimal commas, no language a hyphen for a minus sign."""
    sentences = all_sentences(request.getfixturevalue(data), lang)
    sentences["literature_counts"] = narrative.literature_counts(12, 3, 4, 5, lang)
    problems = {name: prose_typography_problems(text, lang) for name, text in sentences.items()}
    problems = {name: found for name, found in problems.items() if found}
    assert not problems, problems



def test_the_audit_prints_the_identification_range_with_the_sentences_p_format(rebuilt):
    """claims.csv's note on I-R5 (and REPRODUCTION.md, which quotes it) prints its exact p range by
    narrative.format_p, the one p format of sentences and tables (it printed its own "5.1e-06")."""
    from coopai import audit, identification

    published = read_published_aggregates()
    heard = identification.identification_ranges(published, constraint_sets=("hard+assumptions",)) \
        .set_index("variable").loc["heard_of_ai"]
    assert 0 < heard["p_exact_min"] < 1e-4 and f"{heard['p_exact_min']:.2g}" == "5.1e-06"  # where a format shows
    note = audit.inferential_claims(rebuilt, published).set_index("claim_id").loc["I-R5", "note"]
    low, high = narrative.format_p(heard["p_exact_min"]), narrative.format_p(heard["p_exact_max"])
    assert low == "5.05×10⁻⁶" and note.startswith(f"exact p ranges from {low} to {high} over ")
    assert "e-0" not in note



def verdict_surveys(survey500):
    """Surveys that reach every branch of the H1 and H2 reasons: the 500-row survey (H2 partially
    supported), the same with few barriers (H2 not supported), and with an outcome (H1 testable)."""
    few = survey500.copy()
    few["reports_ai_barriers"] = [i % 3 == 0 for i in range(len(few))]
    outcome = survey500.copy()
    outcome["marketing_effectiveness"] = range(len(outcome))
    return {"survey500": survey500, "few_barriers": few, "with_outcome": outcome}


#: Words only the reason of each verdict has: English in the table's `reason` column, French on notebook 04.
VERDICT_WORDS = {"not_supported": ("not shown to be a majority", "majorité non démontrée"),
                 "partially_supported": ("report barriers: shown to exceed", "part supérieure à"),
                 "not_testable": ("H1 is causal", "H1 est causale"),
                 "testable": ("an outcome and two groups large enough", "un résultat et deux groupes assez grands")}


@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_the_verdict_table_and_both_languages_give_the_same_reason_on_every_branch(rebuilt, survey500, alpha):
    """The table's English `reason` and notebook 04's lines come from the same templates (narrative.h2_reason,
    h1_reason, h1_interest_reason); what can still go wrong is the wiring: the display must word the verdict
    the table holds, from the table's numbers at the run's alpha. On every branch (H2 partially / not
    supported, H1 testable / not testable): the English line is the column (typeset), and the French line
    gives that verdict's reason and no other verdict's."""
    seen = set()
    for name, survey in {"rebuilt": rebuilt, **verdict_surveys(survey500)}.items():
        checks = hypotheses.hypothesis_checks(survey, alpha)
        h2, h1 = hypotheses.verdict_row(checks, "H2"), hypotheses.verdict_row(checks, "H1")
        h1_rows = checks[checks["hypothesis"] == "H1"]
        said = {lang: (narrative.h2_verdict_note(checks, alpha, lang), narrative.h1_indicator_notes(survey, checks, alpha, lang))
                for lang in ("en", "fr")}
        assert said["en"][0].split("  \n")[1].split(".\n\n")[0] == style.typeset_markdown(h2["reason"], "en"), name
        assert said["en"][1].split("\n") == [style.typeset_markdown(
            f"- `{r.indicator}` - package: `{r.package_verdict}` (paper: `{r.paper_verdict}`): {r.reason}.", "en")
            for r in h1_rows.itertuples()], name
        h1_line_fr = next(line for line in said["fr"][1].split("\n") if line.startswith(f"- `{h1['indicator']}`"))
        for text_fr, row in ((said["fr"][0], h2), (h1_line_fr, h1)):
            seen.add(row["package_verdict"])
            for verdict, (english, french) in VERDICT_WORDS.items():
                mine = verdict == row["package_verdict"]
                assert (english in row["reason"]) == mine and (french in text_fr) == mine, (name, verdict)
    assert seen == set(VERDICT_WORDS)


def test_no_reason_wording_is_written_again_in_the_verdict_rules():
    """The reasons' English is narrative's templates only: no string literal of coopai.verdicts or
    coopai.hypotheses (f-strings included, docstrings aside) holds a piece of a reason template, and
    none of their literals is a piece of one (before, h2_verdict, h1_verdict and hypothesis_checks wrote
    the same sentences as f-strings, kept in step with the templates by a word-for-word test)."""
    import ast

    en = narrative.TEXT["en"]
    keys = ("h2_not_supported", "h2_partial", "h2_failed", "h2_all_held", "h2_evidence", "bf_evidence", "bf_none",
            "other_than_half", "h1_not_testable", "h1_no_outcome", "h1_small_groups", "h1_testable", "h1_interest",
            "no_majority", "h1_comparison", "h1_no_comparison", "h1_no_users", "h1_small_non_users", "h1_no_non_users",
            "h1_interest_none")
    pieces = [p.strip() for k in keys for p in re.split(r"\{\w*\}", en[k]) if len(p.strip()) >= 12]
    assert len(pieces) > 20
    for module in ("verdicts", "hypotheses"):
        tree = ast.parse((ROOT / "src" / "coopai" / f"{module}.py").read_text())
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        literals = [node.value.strip() for node in ast.walk(tree) if isinstance(node, ast.Constant)
                    and isinstance(node.value, str) and id(node) not in docstrings]
        found = [(lit, piece) for lit in literals for piece in pieces
                 if piece in lit or len(lit) >= 12 and " " in lit and lit in piece]  # words, not a verdict code
        assert not found, (module, found)


def test_the_verdict_lines_of_a_french_run_are_french(rebuilt, survey500):
    """What a French run of notebook 04 displays about H1 and H2: French words around the same numbers and
    the verdict codes of the table (data, shown as code)."""
    english = re.compile(r"\b(report barriers|package|paper|evidence|shown|interested|against|survey|the|"
                         r"declared|planner|design used)\b", re.IGNORECASE)
    for name, survey in {"rebuilt": rebuilt, **verdict_surveys(survey500)}.items():
        checks = hypotheses.hypothesis_checks(survey, 0.05)
        h2 = hypotheses.verdict_row(checks, "H2")
        text = narrative.h2_verdict_note(checks, 0.05, "fr")
        assert f"{int(h2['k'])} sur {int(h2['n'])} signalent des obstacles" in text
        assert f"`{h2['package_verdict']}`" in text and narrative.format_p(h2["p_value"], "fr") in text
        lines = narrative.h1_indicator_notes(survey, checks, 0.05, "fr")
        for row in checks[checks["hypothesis"] == "H1"].itertuples():
            assert f"- `{row.indicator}` - paquet\u00a0: `{row.package_verdict}`" in lines
        for said in (text, lines):
            prose = MARKDOWN_CODE.sub("code", said)
            assert not english.search(prose), (name, english.search(prose))
    assert "3 coopératives ont utilisé un outil d’IA contre 27" in narrative.h1_indicator_notes(
        rebuilt, hypotheses.hypothesis_checks(rebuilt, 0.05), 0.05, "fr")


def test_the_planner_line_names_the_design_and_says_it_in_the_runs_language():
    from coopai import design

    declared = design.from_parameters("w", "", "", "")
    for lang, words in (("fr", "Aucun effet de plan ne peut être estimé"), ("en", "No design effect can be estimated")):
        text = narrative.planner_design_note(declared, lang)
        assert words in text and tables.markdown_literal(declared.describe()) in text
        assert "`svymean(deff = TRUE)`" in text and "`coopai.power.sample_size_plan(deff=...)`" in text
    assert narrative.planner_design_note(None, "fr").startswith("Aucun plan de sondage n’a été déclaré\u00a0:")
    assert narrative.planner_design_note(None, "en").startswith("No survey design was declared: the planner")


@pytest.fixture(scope="module")
def study500(user_runs):
    """The whole study run by make on a generated survey of 500 cooperatives, with make's parameters
    (alpha 0.01, seed 7, English) as a user sets them (user run A of the session, tests/conftest.py):
    its OUT folder."""
    data, out, _, result = user_runs["a"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def visible_text(page, code: bool = True) -> str:
    """The text a reader of an exported notebook sees (no script or style), without the code cells'
    input when ``code`` is False."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip, self.code_divs = [], 0, 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")
            if tag == "div" and (self.code_divs or "jp-InputArea" in (dict(attrs).get("class") or "").split()):
                self.code_divs += 1

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")
            if tag == "div" and self.code_divs:
                self.code_divs -= 1

        def handle_data(self, data):
            if not self.skip and (code or not self.code_divs):
                self.parts.append(data)

    parser = Text()
    parser.feed(Path(page).read_text())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def test_the_study_on_500_cooperatives_reads_true_of_them(study500):
    for page in sorted((study500 / "notebooks").glob("0[2-5]_*.html")):
        text = visible_text(page)
        assert not paper_counts_in(text), f"{page.name}: {paper_counts_in(text)}"
    report = (study500 / "REPRODUCTION.md").read_text()
    assert "Cooperatives: 500; origin: **observed**" in report and HOSTILE_NAME in report
    assert "## Replication" in report and "discrepancy**: 5" not in report
    claims = pd.read_csv(study500 / "claims.csv")
    printed = claims[claims["kind"] == "printed"]
    assert set(printed["status"]) <= {"consistent", "different", "not_compared"}
    assert (study500 / "tables" / "total_only_sector_tests.csv").exists()
    total_only = pd.read_csv(study500 / "tables" / "total_only_sector_tests.csv")
    assert set(total_only["family"]) == {"total_only_observed"} and "p_exact_holm" in total_only
    power_rows = pd.read_csv(study500 / "tables" / "sector_test_power.csv")
    assert set(power_rows["role"]) == {"this run", "published study (reference)"}
    assert power_rows.loc[power_rows["role"] == "this run", "n"].eq(500).all()


def test_make_alpha_001_and_lang_en_say_99_percent_everywhere(study500):
    """`make all ALPHA=0.01 SEED=7 LANG=en`: English HTML notebooks and figures, and every label,
    caption, footnote and sentence at 99 % (code cells aside: the parameters cell shows the default)."""
    pages = sorted((study500 / "notebooks").glob("*.html"))
    assert [p.name for p in pages] == [f"{name}.en.html" for name in
                                       ("01_literature_coding", "02_descriptive_statistics", "03_cross_sector_tests",
                                        "04_hypothesis_checks", "05_reproduction_audit")]
    said = {}
    for page in pages:
        text = visible_text(page, code=False)
        said[page.name] = text
        assert not ALPHA_DEFAULTS.search(text), f"{page.name}: {ALPHA_DEFAULTS.search(text).group(0)!r}"
    # The code cells are there (the check above did not miss the page), and they hold the default.
    assert "0.05" in visible_text(pages[1]) and "0.05" not in said[pages[1].name]
    assert "99%" in said["02_descriptive_statistics.en.html"] and "99%" in said["04_hypothesis_checks.en.html"]
    assert "Wilson, 99%" in said["04_hypothesis_checks.en.html"]  # the computed sentence, in English
    assert "coopératives" not in said["02_descriptive_statistics.en.html"]
    for table in (study500 / "tables").glob("*.md"):
        caption = table.read_text().split("\n", 1)[0]
        assert not ALPHA_DEFAULTS.search(caption), (table.name, caption)
    assert "99%" in (study500 / "tables" / "table1_marketing_practices.md").read_text().split("\n", 1)[0]
    assert "bootstrap percentile intervals at 99%" in (study500 / "tables" / "coding_reliability.md").read_text()
    for svg in (study500 / "figures" / "en").glob("*.svg"):
        words = " ".join(re.findall(r"<!-- (.*?) -->", svg.read_text()))  # matplotlib writes each text as a comment
        assert not re.search(r"\b95(\s|\u00a0)?%|\b1[.,]96\b", words), (svg.name, words)
    assert "Bars: 99% Wilson interval" in (study500 / "figures" / "en" / "fig4_ai_knowledge_use.svg").read_text()


def test_mmi_on_sectors_that_each_answer_alike_says_rao_scott_is_not_computable():
    """Every cooperative of a sector gives the same answer: no within-sector covariance, so the
    Rao-Scott adjustment does not exist (it divided by zero); the lines say so, the rest stands."""
    survey = pd.DataFrame({"sector": ["A"] * 6 + ["B"] * 6, "x": [True] * 6 + [False] * 6,
                           "y": [False] * 6 + [True] * 6})
    result = mmi.mmi_test(survey, ["x", "y"], permutations=99, seed=1)
    assert pd.isna(result["p_rao_scott"]) and result["x2_s"] == pytest.approx(24.0)
    table = pd.DataFrame([{k: v for k, v in result.items() if not isinstance(v, dict)}])
    for lang, words in (("en", "Rao-Scott second order: not computable (no covariance within the sectors)"),
                        ("fr", "Rao-Scott du second ordre\u00a0: non calculable (aucune covariance dans les secteurs)")):
        text = narrative.mmi_summary(table, "observed", 0.05, lang)
        assert words in text and "10⁻³⁰⁸" not in text and "e-308" not in text


def test_naive_table_and_h1_power_lines_state_this_surveys_numbers(survey500, rebuilt):
    """The two lines notebooks 03 and 04 wrote as English f-strings, now templates: the published
    study's English text as before, and a 500-row survey's own counts in both languages."""
    power_check = hypotheses.h1_power_check(rebuilt, 0.05)
    assert narrative.h1_power_note(power_check, "en").startswith(
        "- 3 users against 27 non-users: approximation 0.130, exact power of the same z-test 0.052 "
        "(the approximation is 2.5 times the exact value).\n- 100 against 100: approximation")
    naive = mmi.naive_pooled_chi2(rebuilt, PRACTICES)
    assert narrative.naive_pooled_note(naive, None, "en") == (
        f"Naive pooled table: 57 ticks from 30 cooperatives (chi2 = {naive['chi2']:.2f}, df = 9) - **not a valid test**.")
    users = int(survey500["used_ai_tool"].sum())
    for lang, words in (("en", f"{users} users against {500 - users} non-users"),
                        ("fr", f"{users} utilisatrices contre {500 - users} non-utilisatrices")):
        assert narrative.h1_power_note(hypotheses.h1_power_check(survey500, 0.05), lang).startswith(f"- {words}")
    ticks = int(survey500[list(PRACTICES)].sum().sum())
    assert f"{ticks} cases cochées par 500 coopératives" in narrative.naive_pooled_note(
        mmi.naive_pooled_chi2(survey500, PRACTICES), None, "fr")
    assert narrative.naive_pooled_note(None, "one sector only", "en") == "Naive pooled table: not computable, one sector only."


#: English words none of the design, replication and plan lines of a French run may show outside code.
ENGLISH_WORDS = re.compile(r"\b(data|origin|design|declared|survey|cooperatives?|strata|clusters|degrees|freedom|tests? do|"
                           r"applies|rebuilt|replication|primary|shown|beside|family|families|tables|every|when|"
                           r"under|rule|the|this|not computable)\b", re.IGNORECASE)


@pytest.mark.parametrize("n", [500, 1200])
def test_the_design_lines_follow_the_survey_and_a_french_run_shows_them_in_french(tmp_path, n):
    """Notebooks 02, 03 and 05's lines on the design (declared or not), the replication line, the MMI line
    without sectors to compare, and the plan of notebook 03: French words in a French run (the design's
    description and the reason stay as written: data, shown as code or quoted), English in an English
    one, with this survey's strata, clusters and degrees of freedom in either."""
    from coopai import design

    survey = generated(tmp_path, n)
    declared = design.from_parameters("poids", "sector", "grappe", "")
    prepared = design.prepare(survey.assign(poids=1.0 + (survey.index % 3), grappe=survey.index // 10), declared)
    degf = len(prepared.psu_stratum) - len(prepared.stratum_names)
    assert prepared.degf == degf and degf > 0
    said = {}
    for lang in ("fr", "en"):
        said[lang] = {**design_sentences(survey, lang),
                      "no_design_counts": narrative.descriptive_design_note(None, None, lang),
                      "no_design_tests": narrative.sector_design_note(None, lang),
                      "replication_note": narrative.replication_note(lang),
                      "data_notice": narrative.data_notice(survey, lang),
                      "plan": plan.describe(0.01, lang)}
    counts = [narrative.number(x, "fr") for x in (len(prepared.stratum_names), len(prepared.psu_stratum), degf)]
    assert "{} strates, {} grappes, {} degrés de liberté.".format(*counts) in said["fr"]["descriptive_design_note"]
    assert (f"; {len(prepared.stratum_names)} strata, {len(prepared.psu_stratum):,} clusters, {degf:,} degrees of "
            f"freedom.") in said["en"]["descriptive_design_note"]
    for name, text in said["fr"].items():
        prose = MARKDOWN_CODE.sub("code", text)
        assert not ENGLISH_WORDS.search(prose), (name, ENGLISH_WORDS.search(prose))
        assert not prose_typography_problems(text, "fr"), (name, prose_typography_problems(text, "fr"))
    for name, text in said["en"].items():
        assert ENGLISH_WORDS.search(MARKDOWN_CODE.sub("code", text)), name
    assert "- alpha = 0,01." in said["fr"]["plan"] and "V de Cramer à 98\u00a0%" in said["fr"]["plan"]
    assert "- alpha = 0.01." in said["en"]["plan"] and "9,999" in said["en"]["plan"] and "9\u202f999" in said["fr"]["plan"]
    assert f"`{survey.attrs['source_file']}`, {narrative.number(n, 'fr')} coopératives, origine\u00a0: **observées**" \
        in said["fr"]["data_notice"]
    assert said["en"]["data_notice"].endswith(f", {n:,} cooperatives, origin: **observed**")
    mmi = narrative.mmi_not_computable_note("one sector only (Services): comparing sectors needs two", "fr")
    assert mmi.startswith("Test MMI\u00a0: non calculable, one sector only (Services)")


def test_no_notebook_prints_a_confidence_level_with_a_percent_format():
    """A level 1 - alpha printed with ':.0%' reads 98% at alpha 0.025; every level goes through
    style.confidence_level (notebook 04's design caption did not)."""
    import json

    rounded = re.compile(r"alpha[^{}]*:\.\d%")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        code = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        assert not [m.group(0) for text in code for m in rounded.finditer(text)], path.name


@pytest.mark.parametrize("edit, english, french", [
    ({"sector": "Agriculture"}, "one sector only (Agriculture)", "un seul secteur (Agriculture)"),
    ({"has_stable_internet": False}, "every cooperative gave the same answer ('no')",
     "toutes les coopératives ont donné la même réponse (« non »)"),
])
def test_why_a_sector_test_is_missing_is_said_in_the_runs_language(survey500, edit, english, french):
    """The tests' `reason` column stays English (data, as the CSV holds it); the sentences that show
    it (notebook 03's check lines, the MMI and naive-table lines) word it in the run's language."""
    survey = survey500.assign(**edit)
    variable = next(iter(edit)) if "sector" not in edit else "direct_sales"
    tests = sector_tests.sector_tests(survey, "total_only_observed" if "sector" not in edit else "table1_practices")
    row = tests.set_index("practice").loc[variable]
    assert not row["computable"] and row["reason"].startswith(english)  # the column: English
    shown = {lang: narrative.sector_test_summary(tests, lang=lang) for lang in ("fr", "en")}
    assert english in shown["en"] and english not in shown["fr"]
    assert style.typeset(french, "fr") in shown["fr"]
    if "sector" in edit:
        reason = sector_tests.comparison_reason(survey)
        for note in (narrative.mmi_not_computable_note(reason, "fr"), narrative.naive_pooled_note(None, reason, "fr")):
            assert "one sector only" not in note and style.typeset(french, "fr") in note, note
        assert narrative.mmi_not_computable_note(reason, "en") == f"MMI test: not computable, {reason}."


def test_every_reason_reads_back_from_its_english_wording():
    """reason_in inverts the English templates: each reason, worded in English as the column holds it,
    comes back as the French template's and unchanged in English; other text passes through."""
    for key, values in (("reason_no_answer", {}), ("reason_one_sector", {"sector": "Autres"}),
                        ("reason_same_answer", {"answer": "yes"}), ("reason_same_answer", {"answer": "uses"})):
        english = narrative.reason_text(key, "en", **values)
        assert narrative.reason_in(english, "en") == english
        assert narrative.reason_in(english, "fr") == narrative.reason_text(key, "fr", **values)
    assert narrative.reason_in("one sector only", "fr") == "one sector only"
    with pytest.raises(ValueError, match="unknown reason"):
        narrative.reason_text("reason_none")
