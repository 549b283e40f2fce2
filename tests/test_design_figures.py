"""Figures of shares under a declared survey design (issue 15): Figures 2 to 5 and the hypothesis forest
plot draw the design-based estimates and logit intervals of the notebook's design_proportions table,
name the design and the interval, pass the editor's checks in both languages, and are unchanged when
no design is declared."""
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

from coopai import design, figure_checks, figures, hypotheses, stats, style, tables  # noqa: E402
from coopai.survey import load_survey  # noqa: E402

LANGS = ("fr", "en")
#: The generated stratified, clustered, weighted survey that R's survey package analysed (tests/test_design.py).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "design"
DESIGN = design.Design(weight="poids", strata="strate", cluster="grappe", fpc="fpc")
INDICATORS = figures.FIGURE3_INDICATORS + figures.FIGURE4_INDICATORS + figures.FIGURE5_INDICATORS


def drawn(fig) -> str:
    """What a figure draws, as its SVG: every mark and text with its coordinates. Two figures with the same
    SVG rasterize to the same PNG (Agg is deterministic), so the comparisons below skip the 300 dpi PNG;
    the run-to-run test compares both files."""
    return style.render(fig, formats=("image/svg+xml",))["image/svg+xml"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The survey of tests/fixtures/design (R's reference), loaded and analysed as notebooks 02 and 04 do.

    The design-based tables are written with ``tables.write_table`` and read back from their CSV: the
    figures are compared with ``design_proportions.csv`` as a run writes it.
    """
    style.use_house_style()
    folder = tmp_path_factory.mktemp("design_figures")
    with warnings.catch_warnings():  # the generator does not tie "used AI" to "heard of AI" (assumption A4)
        warnings.simplefilter("ignore")
        survey = load_survey(FIXTURES / "survey.csv", design=DESIGN)
    prepared = design.prepare(survey, DESIGN)
    alpha = 0.05
    checks = hypotheses.hypothesis_checks(survey, alpha=alpha)
    computed = {
        "design_proportions": design.design_proportions(survey, prepared, design.proportion_variables(survey), alpha=alpha),
        "design_hypothesis_indicators": design.design_proportions(
            survey, prepared, list(checks.dropna(subset=["proportion"])["indicator"]), alpha=alpha),
    }
    written = {}
    for stem, table in computed.items():
        tables.write_table(table, stem, folder, caption=f"Design: {DESIGN.describe()}.")
        written[stem] = pd.read_csv(folder / f"{stem}.csv", keep_default_na=False, na_values=[""], dtype={"category": str})
    return {"survey": survey, "prepared": prepared, "checks": checks, "computed": computed, "written": written,
            "sectors": stats.sector_distribution(survey, alpha), "summary": stats.proportion_summary(survey, INDICATORS, alpha)}


def draws(run, lang, alpha=0.05, designed=True):
    """The notebooks' calls, with or without the design (figure name -> (draw, table key, variables, scale))."""
    estimates = run["computed"]["design_proportions"] if designed else None
    forest = run["computed"]["design_hypothesis_indicators"] if designed else None
    survey_design = DESIGN if designed else design.Design()
    kw = {"design": survey_design, "estimates": estimates}
    sectors = [f"sector={s}" for s in run["sectors"]["sector"]]
    indicators = list(run["checks"].dropna(subset=["proportion"])["indicator"])
    return {
        "fig2_sectors": (lambda: figures.figure2_sectors(run["sectors"], run["survey"], lang, alpha, **kw),
                         "design_proportions", sectors, 100),
        "fig3_digitalisation": (lambda: figures.figure3_digitalisation(run["summary"], run["survey"], lang, alpha, **kw),
                                "design_proportions", list(figures.FIGURE3_INDICATORS), 100),
        "fig4_ai_knowledge_use": (lambda: figures.figure4_ai_knowledge_use(run["summary"], run["survey"], lang, alpha, **kw),
                                  "design_proportions", list(figures.FIGURE4_INDICATORS), 100),
        "fig5_ai_interest_barriers": (lambda: figures.figure5_ai_interest_barriers(run["summary"], run["survey"], lang,
                                                                                   alpha, **kw),
                                      "design_proportions", list(figures.FIGURE5_INDICATORS), 100),
        "fig_hypothesis_forest": (lambda: figures.hypothesis_forest_plot(run["checks"], run["survey"], lang, alpha,
                                                                         design=survey_design, estimates=forest),
                                  "design_hypothesis_indicators", indicators, 1),
    }


def drawn_intervals(fig) -> np.ndarray:
    """(centre, low, high) of every error bar of the figure's first axes, read from the matplotlib artists."""
    ax = fig.axes[0]
    centres, ends = [], []
    for container in ax.containers:
        if isinstance(container, ErrorbarContainer):
            data_line, _caps, (bars,) = container.lines
            ends += [(segment[0][0], segment[1][0]) for segment in bars.get_segments()]
            if data_line is not None:  # a marker at the estimate (forest plot)
                centres += list(data_line.get_xdata())
    if not centres:  # Figures 2 to 5: the estimate is the bar's length
        centres = [patch.get_width() for patch in ax.patches]
    return np.column_stack([centres, np.array(ends)])


def footer(fig) -> str:
    """The figure's notes, lines joined (the notes are wrapped to the figure's width)."""
    return " ".join(t.get_text() for t in fig.texts).replace("\n", " ")


@pytest.mark.parametrize("lang", LANGS)
def test_design_figures_draw_the_logit_intervals_of_design_proportions_csv(run, lang):
    """Every bar and error bar equals the estimate and logit interval of the written table (6 significant digits)."""
    checked = 0
    for name, (draw, stem, variables, scale) in draws(run, lang).items():
        fig = draw()
        got = drawn_intervals(fig)
        plt.close(fig)
        expected = design.interval_rows(run["written"][stem], variables)
        assert len(got) == len(variables), name
        # A share of exactly 0 or 1 has no interval (NaN in the table): its bar has none either.
        want = np.column_stack([expected["estimate"], expected["ci_low"].fillna(expected["estimate"]),
                                expected["ci_high"].fillna(expected["estimate"])]) * scale
        np.testing.assert_allclose(got, want, rtol=1e-5, err_msg=name)
        # The intervals drawn are the logit ones, not Korn-Graubard's (which differ on this survey).
        kg = design.interval_rows(run["written"][stem], variables, ci_method=design.CI_KORN_GRAUBARD)
        assert not np.allclose(got[:, 1], kg["ci_low"].to_numpy() * scale, rtol=1e-5), name
        checked += len(variables)
    assert checked == 4 + len(INDICATORS) + 8


@pytest.mark.parametrize("lang", LANGS)
def test_design_figures_show_the_table_the_notebook_computed(run, lang):
    """The bars are the in-memory table the notebook passes, to the float (not a recomputation)."""
    table = run["computed"]["design_proportions"]
    shifted = table.assign(estimate=table["estimate"] * 0.5, ci_low=table["ci_low"] * 0.5, ci_high=table["ci_high"] * 0.5)
    fig = figures.figure3_digitalisation(run["summary"], run["survey"], lang, design=DESIGN, estimates=shifted)
    widths = [p.get_width() for p in fig.axes[0].patches]
    plt.close(fig)
    expected = design.interval_rows(table, figures.FIGURE3_INDICATORS)["estimate"].to_numpy() * 50
    assert widths == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("lang", LANGS)
def test_design_figures_pass_the_editor_checks_and_name_the_design_and_interval(run, lang):
    failures = {}
    for name, (draw, *_rest) in draws(run, lang).items():
        fig = draw()
        problems = figure_checks.all_problems(fig, lang)
        text = footer(fig) + " " + fig.get_suptitle() + " " + fig.axes[0].get_xlabel()
        plt.close(fig)
        if problems:
            failures[name] = problems
        for column in DESIGN.declared:
            assert f"{column}" in text, (name, column, text)
        assert "logit" in text and ("pondérée" if lang == "fr" else "weighted") in text, (name, text)
        # The simple-random-sample caveat would be wrong here.
        assert figures.say(lang, "purposive", n=style.format_number(len(run["survey"]), lang, 0)) not in text, name
    assert not failures, failures


@pytest.mark.parametrize("lang, level", [("fr", "99\u00a0%"), ("en", "99%")])
def test_design_figures_follow_alpha(run, lang, level):
    for name, (draw, *_rest) in draws(run, lang, alpha=0.01).items():
        fig = draw()
        text = footer(fig) + " " + fig.get_suptitle()
        plt.close(fig)
        assert level in text and "95" not in text, (name, text)


@pytest.mark.parametrize("lang", LANGS)
def test_without_a_design_the_figures_are_byte_identical(run, lang):
    """An empty design (what a run without WEIGHT/STRATA/CLUSTER/FPC passes) draws exactly the figure of before."""
    alpha = 0.05
    before = {
        "fig2_sectors": lambda: figures.figure2_sectors(run["sectors"], run["survey"], lang, alpha),
        "fig3_digitalisation": lambda: figures.figure3_digitalisation(run["summary"], run["survey"], lang, alpha),
        "fig4_ai_knowledge_use": lambda: figures.figure4_ai_knowledge_use(run["summary"], run["survey"], lang, alpha),
        "fig5_ai_interest_barriers": lambda: figures.figure5_ai_interest_barriers(run["summary"], run["survey"], lang,
                                                                                 alpha),
        "fig_hypothesis_forest": lambda: figures.hypothesis_forest_plot(run["checks"], run["survey"], lang, alpha),
    }
    for name, (draw, *_rest) in draws(run, lang, designed=False).items():
        old, new = before[name](), draw()
        assert drawn(old) == drawn(new), name
        designed = draws(run, lang)[name][0]()
        assert drawn(designed) != drawn(new), name
        plt.close("all")


def test_a_design_without_its_table_or_a_table_without_its_design_is_refused(run):
    with pytest.raises(ValueError, match="needs its design-based estimates"):
        figures.figure3_digitalisation(run["summary"], run["survey"], design=DESIGN)
    with pytest.raises(ValueError, match="without the design"):
        figures.figure3_digitalisation(run["summary"], run["survey"], estimates=run["computed"]["design_proportions"])
    with pytest.raises(KeyError, match="used_ai_tool"):
        partial = run["computed"]["design_proportions"].query("variable != 'used_ai_tool'")
        figures.figure4_ai_knowledge_use(run["summary"], run["survey"], design=DESIGN, estimates=partial)
    plt.close("all")


def test_negated_indicator_is_the_complement_with_the_mirrored_logit_interval(run):
    """``lacks:x`` (H2's indicators) is 1 - estimate of x, with the same SE and the interval mirrored."""
    survey, prepared = run["survey"], run["prepared"]
    table = design.design_proportions(survey, prepared, ["has_stable_internet", "lacks:has_stable_internet"])
    rows = design.interval_rows(table, ["has_stable_internet", "lacks:has_stable_internet"])
    yes, no = rows.iloc[0], rows.iloc[1]
    assert no["estimate"] == pytest.approx(1 - yes["estimate"], abs=1e-12)
    assert (no["ci_low"], no["ci_high"]) == pytest.approx((1 - yes["ci_high"], 1 - yes["ci_low"]), abs=1e-9)
    se = table.set_index(["variable", "sector", "ci_method"])["se"]
    assert se[("lacks:has_stable_internet", "Total", "logit")] == pytest.approx(se[("has_stable_internet", "Total", "logit")])


@pytest.mark.parametrize("lang", LANGS)
def test_figures_3_and_4_draw_the_logit_intervals_r_computes(run, lang):
    """Tied to the reference itself: the bars of Figures 3 and 4 equal R's svyciprop (logit) on this survey to 1e-6."""
    r = pd.read_csv(FIXTURES / "proportions.csv", keep_default_na=False, na_values=["NA"], dtype={"category": str})
    r = r[(r["design"] == "full") & (r["sector"] == "Total")]
    keys = np.where(r["category"] == "", r["variable"], r["variable"] + "=" + r["category"])
    r = r.set_index(pd.Index(keys))
    for draw, variables in ((figures.figure3_digitalisation, figures.FIGURE3_INDICATORS),
                            (figures.figure4_ai_knowledge_use, figures.FIGURE4_INDICATORS)):
        fig = draw(run["summary"], run["survey"], lang, design=DESIGN, estimates=run["computed"]["design_proportions"])
        got = drawn_intervals(fig) / 100
        plt.close(fig)
        want = r.loc[list(variables), ["estimate", "logit_low", "logit_high"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def ignoring_draws(run, lang, survey_design):
    """The figures that do not use the design (they count cooperatives), with the notebooks' calls."""
    from coopai import plan, power, sector_tests

    primary = run["checks"][run["checks"]["indicator"] == "reports_ai_barriers"].iloc[0]
    curve = power.power_curve(power.POWER_CURVE_NS)
    power_table = _power_table()
    return {
        "fig_cross_sector_residuals": lambda **kw: figures.residual_heatmap(
            sector_tests.residuals_long(run["survey"], plan.FAMILIES["table1_practices"]), run["survey"], lang, **kw),
        "fig_power_curve": lambda **kw: figures.power_curve_plot(curve, power_table, lang, **kw),
        "fig_h2_threshold_sensitivity": lambda **kw: figures.threshold_sensitivity_plot(
            hypotheses.h2_sensitivity(int(primary["k"]), int(primary["n"])), lang, **kw),
        "fig_sample_size_planner": lambda **kw: figures.sample_size_plot(power.sample_size_plan(), lang,
                                                                         n_now=len(run["survey"]), **kw),
    }


_POWER = {}


def _power_table():
    from coopai import power

    if "table" not in _POWER:  # seconds to compute: once for the module
        _POWER["table"] = power.power_table(seed=1, simulations=400)
    return _POWER["table"]


@pytest.mark.parametrize("lang", LANGS)
def test_figures_that_count_cooperatives_say_they_ignore_the_declared_design(run, lang):
    """Under a design, the residuals, power, H2 sensitivity and planner figures name it as ignored; without one
    they are byte-identical to the figures drawn without the argument."""
    failures = {}
    for name, draw in ignoring_draws(run, lang, DESIGN).items():
        fig = draw(design=DESIGN)
        problems = figure_checks.all_problems(fig, lang)
        text = footer(fig)
        if problems:
            failures[name] = problems
        assert all(column in text for column in DESIGN.declared), (name, text)
        assert ("n’en tient pas compte" if lang == "fr" else "ignores it") in text, (name, text)
        plain, none = draw(), draw(design=design.Design())
        assert drawn(plain) == drawn(none), name
        assert drawn(plain) != drawn(fig), name
        plt.close("all")
    assert not failures, failures


def test_design_tables_and_figures_are_byte_identical_run_to_run(run, tmp_path):
    """The design-based table computed again, written again and drawn again gives the same bytes."""
    again = design.design_proportions(run["survey"], design.prepare(run["survey"], DESIGN),
                                      design.proportion_variables(run["survey"]), alpha=0.05)
    for folder, table in ((tmp_path / "a", run["computed"]["design_proportions"]), (tmp_path / "b", again)):
        folder.mkdir()
        tables.write_table(table, "design_proportions", folder, caption="Design.")
    for suffix in ("csv", "md", "tex"):
        assert (tmp_path / "a" / f"design_proportions.{suffix}").read_bytes() == \
            (tmp_path / "b" / f"design_proportions.{suffix}").read_bytes()
    for lang in LANGS:
        first = figures.figure2_sectors(run["sectors"], run["survey"], lang, design=DESIGN,
                                        estimates=run["computed"]["design_proportions"])
        second = figures.figure2_sectors(run["sectors"], run["survey"], lang, design=DESIGN, estimates=again)
        assert style.render(first) == style.render(second), lang
        plt.close("all")
