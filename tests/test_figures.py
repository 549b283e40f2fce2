"""Every figure of the study, in both languages, checked as a figure editor would (coopai.figure_checks),
and the checks themselves shown to catch a bad figure."""
import functools
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from coopai import (config, figure_checks, figures, hypotheses, identification, literature, literature_figures,  # noqa: E402
                    plan, power, sector_tests, stats, style)
from coopai.published import read_published_aggregates  # noqa: E402
from coopai.survey import load_survey  # noqa: E402

LANGS = ("fr", "en")


@functools.lru_cache(maxsize=None)
def _slow_tables(alpha):
    """The two tables that take seconds to compute, once per alpha for the whole module."""
    return (identification.identification_ranges(read_published_aggregates()),
            power.power_table(alpha=alpha, seed=1, simulations=400))


def study_figures(survey, alpha, lang):
    """Every figure the notebooks draw, with the notebooks' calls, on ``survey`` at ``alpha``.

    On the rebuilt data, as for the published study (with the identification ranges, which only
    rebuilt data have); on a user's survey, power at the survey's own sector sizes, as notebook 03 does.
    """
    summary = stats.proportion_summary(survey, figures.FIGURE3_INDICATORS + figures.FIGURE4_INDICATORS
                                       + figures.FIGURE5_INDICATORS, alpha=alpha)
    checks = hypotheses.hypothesis_checks(survey, alpha=alpha)
    primary = checks[checks["indicator"] == "reports_ai_barriers"].iloc[0]
    rebuilt = bool(survey.attrs.get("rebuilt"))
    if rebuilt:
        ranges, power_table = _slow_tables(alpha)
        sizes = power.survey_sector_sizes(survey)
        curve = power.power_curve(power.POWER_CURVE_NS, dof=len(sizes) - 1, alpha=alpha)
    else:  # as notebook 03 computes them
        ranges, test_power = None, power.sector_power(survey, seed=1, alpha=alpha)
        sizes, power_table, curve = test_power["sizes"], test_power["power_table"], test_power["curve"]
    references, scheme = literature.read_references(), literature.read_scheme()
    coding = literature.read_coding(references=references, scheme=scheme)
    draws = {
        "fig2_sectors": lambda: figures.figure2_sectors(stats.sector_distribution(survey, alpha), survey, lang, alpha),
        "fig3_digitalisation": lambda: figures.figure3_digitalisation(summary, survey, lang, alpha),
        "fig4_ai_knowledge_use": lambda: figures.figure4_ai_knowledge_use(summary, survey, lang, alpha),
        "fig5_ai_interest_barriers": lambda: figures.figure5_ai_interest_barriers(summary, survey, lang, alpha),
        "fig_cross_sector_residuals": lambda: figures.residual_heatmap(
            sector_tests.residuals_long(survey, plan.FAMILIES["table1_practices"]), survey, lang, alpha),
        "fig_identification_ranges": lambda: figures.identification_range_plot(ranges, lang, alpha),
        "fig_power_curve": lambda: figures.power_curve_plot(curve, power_table, lang, alpha, sizes=sizes),
        "fig_h2_threshold_sensitivity": lambda: figures.threshold_sensitivity_plot(
            hypotheses.h2_sensitivity(int(primary["k"]), int(primary["n"]), alpha=alpha), lang, alpha),
        "fig_hypothesis_forest": lambda: figures.hypothesis_forest_plot(checks, survey, lang, alpha),
        "fig_sample_size_planner": lambda: figures.sample_size_plot(
            power.sample_size_plan(alpha=alpha, n_sectors=len(sizes)), lang, alpha, n_now=len(survey)),
        "fig_literature_codes": lambda: literature_figures.code_frequency_plot(literature.code_frequencies(coding, scheme),
                                                                    scheme, lang),
        "fig_literature_cooccurrence": lambda: literature_figures.cooccurrence_heatmap(
            literature.cooccurrence(coding, scheme["code"]), scheme, lang),
        "fig_literature_timeline": lambda: literature_figures.source_timeline(references, lang),
    }
    if not rebuilt:
        del draws["fig_identification_ranges"]
    return draws


@pytest.fixture(scope="module")
def survey():
    style.use_house_style()
    return load_survey()


def editor_check_failures(draws, lang):
    """``{figure name: [problem, ...]}`` for the figures ``draws`` makes that fail the editor checks."""
    failures = {}
    for name, draw in draws.items():
        fig = draw()
        problems = figure_checks.all_problems(fig, lang)
        plt.close(fig)
        if problems:
            failures[name] = problems
    return failures


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_passes_the_editor_checks(survey, lang):
    failures = editor_check_failures(study_figures(survey, plan.ALPHA, lang), lang)
    assert not failures, failures


def test_every_exported_figure_is_checked_here(survey):
    exported = {p.stem for p in (config.PAPER_DIR / "figures" / "fr").glob("*.png")}
    assert exported == set(study_figures(survey, plan.ALPHA, "fr")), "a figure of paper/ is not checked by this test"


def _words(fig):
    """The figure's text other than tick labels (a tick may well read 0.05)."""
    ticks = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for t in axis.get_ticklabels(which="both")}
    return " ".join(text.get_text() for text, _box in figure_checks.visible_texts(fig) if id(text) not in ticks)


@pytest.mark.parametrize("lang, level", [("fr", "99\u00a0%"), ("en", "99%")])
def test_labels_follow_alpha(survey, lang, level):
    """At alpha = 0.01 every interval is 99 %: no figure says 95 % or 0.05."""
    for name, draw in study_figures(survey, 0.01, lang).items():
        fig = draw()
        text = _words(fig)
        plt.close(fig)
        assert not re.search(r"\b95(\s|\u00a0)?%", text), (name, text)  # a level; a residual may read 2,95
        assert "0,05" not in text and "0.05" not in text and "1,96" not in text and "1.96" not in text, (name, text)
        if name in ("fig2_sectors", "fig3_digitalisation", "fig_hypothesis_forest", "fig_sample_size_planner"):
            assert level in text, (name, text)


def test_figures_2_to_5_draw_the_table_they_are_given(survey):
    """The figure shows the notebook's table, not a recomputation: a changed table changes the bars."""
    summary = stats.proportion_summary(survey, figures.FIGURE3_INDICATORS)
    changed = summary.assign(k=summary["k"] + 1)
    bars = [round(p.get_width()) for p in figures.figure3_digitalisation(changed, survey).axes[0].patches]
    assert bars == (summary["k"] + 1).tolist()
    plt.close("all")


# --- the checks catch what they are meant to catch -------------------------------------------------

def test_checker_finds_overlap_clipping_and_slanted_text():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.1, 0.5, "first label")
    ax.text(0.12, 0.52, "second label")
    fig.text(0.8, 0.5, "a note far too long for the canvas")
    ax.text(0.1, 0.1, "slanted", rotation=30)
    problems = figure_checks.text_problems(fig)
    plt.close(fig)
    assert "'first label' overlaps 'second label'" in problems
    assert "'a note far too long for the canvas' leaves the canvas" in problems
    assert "'slanted' is slanted (30°)" in problems


def test_checker_passes_a_clean_figure():
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.plot([0, 1], [0, 1], label="line")
    ax.axhline(0.5, label="half", linestyle="--")
    ax.xaxis.set_major_formatter(style.number_formatter("fr", 1))
    ax.yaxis.set_major_formatter(style.number_formatter("fr", 1))
    ax.legend()
    ax.set_title(style.typeset("Titre : 50 %", "fr"))
    assert figure_checks.all_problems(fig, "fr") == []
    plt.close(fig)


def test_checker_finds_english_decimals_in_a_french_figure():
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([0, 1], [0, 1])  # default tick labels: 0.0, 0.2, ...
    problems = figure_checks.typography_problems(fig, "fr")
    english = figure_checks.typography_problems(fig, "en")
    plt.close(fig)
    assert "'0.2': decimal point instead of a decimal comma" in problems
    assert english == []


def test_checker_finds_an_unexplained_reference_line():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2], label="data")
    ax.axvline(1.5)
    figures.reference_line(ax, 1.2, "y", "annotated", legend=False, annotation=(1.0, 1.25, {}))
    ax.legend()
    problems = figure_checks.reference_line_problems(fig)
    plt.close(fig)
    assert problems == ["axes 0: reference line at x = 1.5 has no legend entry or annotation"]


def test_identification_bars_cut_at_the_floor_are_marked():
    ranges = pd.DataFrame({"variable": ["heard_of_ai", "used_ai_tool"], "constraint_set": ["hard", "hard"],
                           "p_exact_min": [1e-20, 0.01], "p_exact_max": [1.0, 0.9]})
    fig = figures.identification_range_plot(ranges, "en", floor=1e-12)
    ax = fig.axes[0]
    markers = [line for line in ax.get_lines() if line.get_marker() == "<" and len(line.get_xdata())]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)
    assert len(markers) == 1 and markers[0].get_xdata()[0] == pytest.approx(1e-12)
    assert any("below 10⁻¹²" in t for t in legend)


def test_show_displays_one_figure_and_carries_the_twin(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append((obj, kw)))

    def draw(lang):
        fig, ax = plt.subplots()
        fig.suptitle(lang)
        return fig

    figures.show(draw, lang="en")
    (first, first_kw), (twin, twin_kw) = shown
    assert {"image/png", "image/svg+xml"} <= set(first) and first_kw["metadata"]["coopai"]["lang"] == "en"
    assert set(twin) == {style.TWIN_MIMETYPE}, "the twin carries no type Jupyter would render"
    assert twin[style.TWIN_MIMETYPE]["lang"] == "fr"


def test_png_resolution_is_read_from_the_file():
    fig = plt.figure(figsize=(1, 1))
    blob = style.render(fig)["image/png"]
    plt.close(fig)
    assert [round(v) for v in style.png_dpi(blob)] == [300, 300]
    from io import BytesIO
    low = BytesIO()
    fig.savefig(low, format="png", dpi=72)
    assert [round(v) for v in style.png_dpi(low.getvalue())] == [72, 72]


@pytest.mark.parametrize("lang", LANGS)
def test_exported_pngs_are_300_dpi(lang):
    pngs = sorted((config.PAPER_DIR / "figures" / lang).glob("*.png"))
    assert pngs
    for path in pngs:
        assert [round(v) for v in style.png_dpi(path.read_bytes())] == [style.DPI, style.DPI], path.name


def test_contact_sheet_shows_every_exported_figure_in_both_languages():
    from coopai import contact_sheet

    folder = config.PAPER_DIR / "figures"
    page = (folder / contact_sheet.NAME).read_text()
    assert page == contact_sheet.contact_sheet_html(contact_sheet.figure_names(folder)), "contact sheet is stale"
    for lang in LANGS:
        for svg in (folder / lang).glob("*.svg"):
            assert f'src="{lang}/{svg.name}"' in page
    assert "missing" not in page.split("</style>")[1]


@pytest.mark.parametrize("lang, words, twin_words", [("fr", "Part des coopératives", "Share of cooperatives"),
                                                     ("en", "Share of cooperatives", "Part des coopératives")])
def test_a_figure_cell_run_by_a_kernel_shows_one_image_in_the_notebooks_language(tmp_path, lang, words, twin_words):
    """What JupyterLab receives from a figure cell of notebook 02, run on the project kernel: one
    output it renders (PNG, with its SVG), in the notebook's language, and the twin only under
    :data:`coopai.style.TWIN_MIMETYPE`, for which JupyterLab has no renderer (its OutputArea shows
    an empty widget for an output none of whose types it can render)."""
    import base64

    import nbformat
    from nbclient import NotebookClient

    from coopai import pipeline

    cells = nbformat.read(config.NOTEBOOKS_DIR / "02_descriptive_statistics.ipynb", as_version=4).cells
    parameters = nbformat.v4.new_code_cell(
        f'data = "data/rebuilt/cooperatives.csv"\nout = {str(tmp_path)!r}\nlang = {lang!r}\nalpha = 0.05\n'
        'seed = 1\nweight = strata = cluster = fpc = ""')
    figure = next(i for i, c in enumerate(cells) if "figure:fig2_sectors" in c.metadata.get("tags", []))
    # The notebook's own code cells up to Figure 2's, as a reader runs them (the parameters cell replaced).
    needed = [c for c in cells[:figure + 1]
              if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    nb = nbformat.v4.new_notebook(cells=[parameters, *needed])
    NotebookClient(nb, kernel_name=pipeline.KERNEL_NAME, timeout=600,
                   resources={"metadata": {"path": str(config.PROJECT_ROOT)}}).execute()
    outputs = nb.cells[-1].outputs
    renderable = [o for o in outputs if set(o.get("data", {})) - {style.TWIN_MIMETYPE}]
    assert len(renderable) == 1, [sorted(o.get("data", {})) for o in outputs]
    shown = renderable[0]
    assert "image/png" in shown["data"] and shown["metadata"]["coopai"]["lang"] == lang
    assert style.png_dpi(base64.b64decode(shown["data"]["image/png"]))[0] == pytest.approx(style.DPI, abs=1)
    assert words in shown["data"]["image/svg+xml"] and twin_words not in shown["data"]["image/svg+xml"]
    twins = [o for o in outputs if o is not shown]
    assert len(twins) == 1 and set(twins[0]["data"]) == {style.TWIN_MIMETYPE}
    assert twins[0]["data"][style.TWIN_MIMETYPE]["lang"] != lang


def _visible_ticks(axis):
    low, high = sorted(axis.get_view_interval())
    return [float(t) for t in axis.get_ticklocs() if low - 1e-9 <= t <= high + 1e-9]


@pytest.mark.parametrize("lang", LANGS)
def test_count_axes_tick_whole_numbers(survey, lang):
    """An axis of counts (cooperatives, sources) has ticks at whole numbers only, never 2.5 or 7.5."""
    draws = study_figures(survey, plan.ALPHA, lang)
    checked = 0
    for name in ("fig3_digitalisation", "fig4_ai_knowledge_use", "fig5_ai_interest_barriers",
                 "fig_literature_codes", "fig_literature_timeline"):
        fig = draws[name]()
        fig.canvas.draw()
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if re.search(r"Number of|Nombre de", axis.get_label_text()):
                    ticks = _visible_ticks(axis)
                    assert len(ticks) >= 2 and all(t.is_integer() for t in ticks), (name, ticks)
                    checked += 1
        plt.close(fig)
    assert checked == 5
    # The check sees the fault the issue found (English literature counts ticked at 2.5 and 7.5).
    fig, ax = plt.subplots()
    ax.set_xlim(0, 8)
    ax.set_xticks([0, 2.5, 5, 7.5])
    assert not all(t.is_integer() for t in _visible_ticks(ax.xaxis))
    plt.close(fig)


@pytest.mark.parametrize("lang", LANGS)
def test_negated_indicators_read_as_one_negative(survey, lang):
    """An indicator H2 counts as missing (``lacks:VAR``) is worded as one negative ("N’a pas entendu
    parler de l’IA"), never "Non : A entendu…" (a no to a positive label)."""
    checks = hypotheses.hypothesis_checks(survey)
    negated = [i for i in checks["indicator"] if i.startswith("lacks:")]
    assert negated
    for indicator in negated:
        name = indicator.split(":", 1)[1]
        text = style.variable_text(indicator, lang)
        assert text == style.typeset(style.NEGATED[lang][name], lang), indicator
        positive = style.variable_text(name, lang)
        assert positive not in text and not re.match(r"(Non|No|Réponse|Answered)[^:]{0,12}:", text), text
    fig = figures.hypothesis_forest_plot(checks, survey, lang, plan.ALPHA)
    words = " ".join(text.get_text().replace("\n", " ") for text, _box in figure_checks.visible_texts(fig))
    plt.close(fig)
    assert style.typeset(style.NEGATED[lang]["heard_of_ai"], lang) in words
    assert not re.search(r"\b(Non|No)\s?:", words), words


def test_residual_heatmap_bolds_the_cells_the_table_flags(survey):
    """Bold cells are those past the plan's Bonferroni threshold, as the table's ``beyond_threshold``
    says, not past 1.96: the figure and the table agree."""
    residuals = sector_tests.residuals_long(survey, plan.FAMILIES["table1_practices"])
    between = residuals[(residuals["adjusted_residual"].abs() > plan.critical_z(plan.ALPHA))
                        & ~residuals["beyond_threshold"]]
    assert len(between), "the rebuilt data have residuals between the two thresholds, so the test can fail"
    fig = figures.residual_heatmap(residuals, survey, "en", plan.ALPHA)
    bold = sorted(float(t.get_text().replace("\u2212", "-")) for t in fig.axes[0].texts if t.get_fontweight() == "bold")
    plt.close(fig)
    assert bold == sorted(round(v, 2) for v in residuals.loc[residuals["beyond_threshold"], "adjusted_residual"])


# --- a user's survey far larger than the published one --------------------------------------------

LARGE_N = 100_000


@pytest.fixture(scope="module")
def large_survey(tmp_path_factory):
    """A generated survey of 100,000 cooperatives, loaded as a user's file is (observed data)."""
    from coopai import synthetic

    style.use_house_style()
    path = tmp_path_factory.mktemp("large") / "large survey.csv"
    synthetic.generate_survey(LARGE_N, seed=0).to_csv(path, index=False)
    with pytest.warns(Warning):  # the generator breaks assumption A4 in a few rows, and the loader says so
        return load_survey(path)


@pytest.fixture(scope="module")
def one_sector_survey(tmp_path_factory):
    """A user's survey of one sector only (26 generated agricultural cooperatives): no sector test exists."""
    from coopai import synthetic

    style.use_house_style()
    frame = synthetic.generate_survey(60, seed=2)
    path = tmp_path_factory.mktemp("one sector") / "agriculture only.csv"
    frame[frame["sector"] == "Agriculture"].to_csv(path, index=False)
    return load_survey(path)


@pytest.mark.parametrize("lang", LANGS)
def test_the_residual_grid_of_one_sector_says_why_it_is_empty(one_sector_survey, lang):
    from coopai.narrative import reason_in

    residuals = sector_tests.residuals_long(one_sector_survey, plan.FAMILIES["table1_practices"])
    assert residuals["adjusted_residual"].isna().all()  # the case: nothing to colour
    fig = figures.residual_heatmap(residuals, one_sector_survey, lang)
    words = " ".join(_words(fig).split())
    assert not figure_checks.all_problems(fig, lang)
    plt.close(fig)
    reason = reason_in(sector_tests.comparison_reason(one_sector_survey), lang)
    assert figures.TEXT[lang]["no_residuals"].split(":")[0] in words and reason[:30] in words, words
    assert "Bonferroni" not in words, words  # no rule for bold cells where there is no cell


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_of_a_100000_row_survey_passes_the_editor_checks(large_survey, lang):
    """Counts to 100,000 and log axes over four decades: before, ten count ticks ("10 000", "20 000")
    and 1-2-5 log ticks ("50 000", "100 000") ran into each other on five of these figures."""
    failures = editor_check_failures(study_figures(large_survey, plan.ALPHA, lang), lang)
    assert not failures, failures


@pytest.mark.parametrize("lang", LANGS)
def test_the_sample_note_says_purposive_of_the_published_study_only(survey, large_survey, lang):
    """The paper's sample was purposive; how a user's survey was drawn, its file does not say."""
    for data, purposive in ((survey, True), (large_survey, False)):
        fig = figures.figure3_digitalisation(stats.proportion_summary(data, figures.FIGURE3_INDICATORS), data, lang)
        texts = {line for text, _box in figure_checks.visible_texts(fig) for line in text.get_text().split("\n")}
        plt.close(fig)
        n = style.format_number(len(data), lang, 0)
        assert (figures.say(lang, "purposive", n=n) in texts) is purposive, texts
        assert (figures.say(lang, "sample", n=n) in texts) is not purposive, texts


@pytest.mark.parametrize("lang", LANGS)
def test_power_curve_claims_no_exact_power_it_did_not_compute(large_survey, one_sector_survey, lang):
    """Above plan.POWER_EXACT_MAX_N the table leaves the exact power empty: the figure must not list it."""
    draw = study_figures(large_survey, plan.ALPHA, lang)["fig_power_curve"]
    fig = draw()
    legend = " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    words = _words(fig)
    plt.close(fig)
    exact = figures.TEXT[lang]["simulated"].split(" (")[0]
    assert exact not in legend, legend
    assert figures.say(lang, "exact_power_not_computed", n=style.format_number(LARGE_N, lang, 0),
                       cap=style.format_number(plan.POWER_EXACT_MAX_N, lang, 0)) in words
    # One sector: no sector test, hence no exact power; the note says so, not that n is above the cap.
    fig = study_figures(one_sector_survey, plan.ALPHA, lang)["fig_power_curve"]()
    legend = " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    words = _words(fig)
    plt.close(fig)
    assert exact not in legend and figures.say(lang, "exact_power_one_sector") in words, words
    assert figures.TEXT[lang]["exact_power_not_computed"].split(":")[0] not in words, words
    # On the published study's sizes it is computed, listed, and no note says otherwise.
    fig = study_figures(load_survey(), plan.ALPHA, lang)["fig_power_curve"]()
    legend = " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    plt.close(fig)
    assert exact in legend, legend


@pytest.mark.parametrize("lang", LANGS)
def test_threshold_figure_shows_every_threshold_when_p_leaves_the_float_range(large_survey, lang):
    """At n = 100,000 the one-sided p at 0.5 is about 10^-3576: 0 as a float, and its Bayes factor
    infinite. Every threshold keeps its point (from the table's log10 columns) and each axis reads."""
    checks = hypotheses.hypothesis_checks(large_survey)
    primary = checks[checks["indicator"] == "reports_ai_barriers"].iloc[0]
    table = hypotheses.h2_sensitivity(int(primary["k"]), int(primary["n"]))
    assert (table["p_value"] == 0).any() and np.isinf(table["bf_plus"]).any()  # the case this test is about
    fig = figures.threshold_sensitivity_plot(table, lang)
    fig.canvas.draw()
    for ax, column in zip(fig.axes[:2], ("log10_p_value", "log10_bf_plus")):
        (line,) = [x for x in ax.get_lines() if not (x.get_gid() or "").startswith("reference")]
        assert np.allclose(line.get_ydata(), table[column]), column
        labels = [t.get_text() for t in ax.yaxis.get_ticklabels() if t.get_text()
                  and ax.get_ylim()[0] <= t.get_position()[1] <= ax.get_ylim()[1]]
        assert len(labels) >= 2 and all(label == "1" or label.startswith("10") for label in labels), labels
    plt.close(fig)
