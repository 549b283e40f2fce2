"""The paper's figures and the study's own, one function per figure, in French or English.

French labels by default (as in the paper), English with ``lang="en"``. Numbers, words and
colours come from :mod:`coopai.style` (French typography, the confidence level that follows
``alpha``, a colour-blind-safe palette with line styles and markers beside the colours).
Figures 2 to 5 are drawn from the tables the notebook has just computed, so that both
languages show the same numbers. Every figure drawn from the rebuilt dataset says so in its
footer. When a run declares a survey design, the figures of shares (Figures 2 to 5, the
hypothesis forest plot) are drawn from its design-based table instead
(:func:`coopai.design.design_proportions`: weighted estimates with the logit interval R's
``svyciprop`` computes by default) and their footer names the design and the interval; without a
design they are drawn exactly as before. :mod:`coopai.figure_checks` checks every figure (overlaps, canvas, typography,
reference lines) in the tests.
"""
from __future__ import annotations

import base64
import textwrap

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from . import plan, style
from .codebook import REBUILT_NOTICE_EN, REBUILT_NOTICE_FR, SECTORS, category_labels, check_lang, read_codebook, variable_label
from .style import PALETTE, SERIES

#: Words the figures need beyond the codebook's labels. French text is written with its
#: typography (’, no-break spaces); :func:`coopai.style.typeset` also applies it to whatever
#: else a figure shows (codebook labels, numbers).
TEXT = {
    "fr": {
        "n_cooperatives": "Nombre de coopératives",
        "share": "Part des coopératives (%)",
        "fig2": "Figure 2 : Répartition sectorielle des coopératives enquêtées",
        "fig3": "Figure 3 : Niveau de digitalisation des coopératives",
        "fig4": "Figure 4 : Connaissance et usage de l’IA",
        "fig5": "Figure 5 : Intérêt pour l’IA et freins à son adoption",
        "residuals": "Résidus standardisés ajustés des réponses « oui », par secteur",
        "residual_bar": "Résidu ajusté",
        "residual_note": "En gras : |r| > {z} (valeur critique normale à α = {alpha}, bilatéral)",
        "no_residuals": "Aucun résidu : aucun test par secteur n’est calculable sur ces données{reason}",
        "residual_note_bonferroni": "En gras : |r| > {z} (seuil de Bonferroni sur les {cells} cellules à α = {alpha}, "
                                    "bilatéral)",
        "ranges": "Tests par secteur non identifiés : p exact sur toutes les répartitions possibles",
        "p_exact": "p exact (Fisher-Freeman-Halton, échelle log)",
        "hard": "contraintes dures",
        "hard+assumptions": "contraintes dures + hypothèses de la reconstitution",
        "clipped": "borne inférieure sous {floor} (barre coupée)",
        "alpha_line": "α = {alpha}",
        "power": "Puissance du test par secteur (α = {alpha})",
        "n": "Nombre de coopératives",
        "power_axis": "Puissance",
        "approx": "Approximation χ² non centrale",
        "effect": "w = {w} ({size})",
        "effect_sizes": {0.1: "petit effet", 0.3: "effet moyen", 0.5: "grand effet"},
        "simulated": "test exact, puissance exacte (n = {n}, secteurs {sizes})",
        "simulated_ci": "test exact, puissance simulée (n = {n}, secteurs {sizes}), {ci} de la simulation",
        "target_power": "puissance visée ({power})",
        "survey_n": "n de l’enquête ({n})",
        "w_note": "w : taille d’effet de Cohen (1988), l’écart entre secteurs (0,1 petit, 0,3 moyen, 0,5 grand)",
        "forest": "Indicateurs de H1 et H2 : proportion et {interval}",
        "proportion": "Proportion des coopératives",
        "threshold_line": "seuil testé ({threshold})",
        "sensitivity": "H2 : la part déclarant des freins dépasse-t-elle le seuil ?",
        "threshold": "Seuil testé",
        "p_one_sided": "p unilatéral (binomial exact)",
        "bf_plus": "BF₊₀",
        "bf_line": "BF₊₀ = 1 (aucune préférence)",
        "bf_note": "BF₊₀ : facteur de Bayes directionnel, proportion au-dessus du seuil (a priori uniforme) contre égale au seuil",
        "planner": "Taille d’échantillon d’une réplication",
        "margin": "Marge d’erreur",
        "margin_note": "Marge d’erreur : demi-largeur de l’{ci} d’une proportion, au pire cas p = 0,5 (approximation normale)",
        "plan_sector": "test par secteur, w = {w} : n = {n}",
        "plan_h1": "H1, h = {h} : n = {n} par groupe",
        "interval": "Barres : {interval}",
        "unclassified": "{k} coopératives ni « utilisent » ni « aucune » : chiffres publiés contradictoires",
        "rebuilt": REBUILT_NOTICE_FR,
        "observed": "Données : {file}",
        "purposive": "Échantillon raisonné de {n} coopératives : les intervalles supposent un tirage aléatoire simple",
        "sample": "{n} coopératives : les intervalles supposent un tirage aléatoire simple",
        "exact_power_not_computed": "Puissance exacte non calculée : n = {n} dépasse le plafond du plan ({cap}) ; "
                                    "courbes : approximation",
        "exact_power_one_sector": "Puissance exacte non calculable : un seul secteur, donc aucun test par secteur ; "
                                  "courbes : approximation",
        "design": "Plan de sondage ({n} coopératives) : {design}",
        "design_interval": "Barres : intervalle logit à {level} de l’estimation pondérée (par défaut de svyciprop, "
                           "paquet survey de R)",
        "design_forest": "Indicateurs de H1 et H2 : estimation pondérée et intervalle logit à {level}",
        "share_design": "Part estimée des coopératives (%, pondérée)",
        "proportion_design": "Proportion estimée des coopératives (pondérée)",
        "design_roles": {"weight": "poids « {name} »", "strata": "strates « {name} »",
                         "cluster": "grappes « {name} »", "fpc": "FPC « {name} » (unités primaires de la strate "
                                                                 "dans la population)"},
        "lonely_psu": "strate à une seule grappe : règle « {rule} » de R",
        "surveyed": "{share} ({k} enquêtées)",
        "design_ignored": "Plan de sondage déclaré ({design}) : cette figure n’en tient pas compte (chaque coopérative "
                          "comptée une fois)",
    },
    "en": {
        "n_cooperatives": "Number of cooperatives",
        "share": "Share of cooperatives (%)",
        "fig2": "Figure 2: Cooperatives surveyed, by sector",
        "fig3": "Figure 3: Digitalisation of the cooperatives",
        "fig4": "Figure 4: Knowledge and use of AI",
        "fig5": "Figure 5: Interest in AI and barriers to adoption",
        "residuals": "Adjusted standardized residuals of the “yes” answers, by sector",
        "residual_bar": "Adjusted residual",
        "residual_note": "Bold: |r| > {z} (two-sided normal critical value at α = {alpha})",
        "no_residuals": "No residual: no sector test is computable on these data{reason}",
        "residual_note_bonferroni": "Bold: |r| > {z} (Bonferroni threshold over the {cells} cells at α = {alpha}, "
                                    "two-sided)",
        "ranges": "Sector tests not identified: exact p over every possible breakdown",
        "p_exact": "exact p (Fisher-Freeman-Halton, log scale)",
        "hard": "hard constraints",
        "hard+assumptions": "hard constraints + rebuild assumptions",
        "clipped": "lower end below {floor} (bar cut)",
        "alpha_line": "α = {alpha}",
        "power": "Power of the sector test (α = {alpha})",
        "n": "Number of cooperatives",
        "power_axis": "Power",
        "approx": "Noncentral chi-square approximation",
        "effect": "w = {w} ({size})",
        "effect_sizes": {0.1: "small effect", 0.3: "medium effect", 0.5: "large effect"},
        "simulated": "exact test, exact power (n = {n}, sectors {sizes})",
        "simulated_ci": "exact test, simulated power (n = {n}, sectors {sizes}), {ci} of the simulation",
        "target_power": "target power ({power})",
        "survey_n": "survey’s n ({n})",
        "w_note": "w: Cohen’s (1988) effect size, how far the sectors differ (0.1 small, 0.3 medium, 0.5 large)",
        "forest": "Indicators of H1 and H2: proportion and {interval}",
        "proportion": "Proportion of cooperatives",
        "threshold_line": "threshold tested ({threshold})",
        "sensitivity": "H2: does the share reporting barriers exceed the threshold?",
        "threshold": "Threshold tested",
        "p_one_sided": "one-sided p (exact binomial)",
        "bf_plus": "BF₊₀",
        "bf_line": "BF₊₀ = 1 (no preference)",
        "bf_note": "BF₊₀: directional Bayes factor, share above the threshold (uniform prior) against equal to it",
        "planner": "Sample size for a replication",
        "margin": "Margin of error",
        "margin_note": "Margin of error: half-width of the {ci} of a proportion, worst case p = 0.5 (normal approximation)",
        "plan_sector": "sector test, w = {w}: n = {n}",
        "plan_h1": "H1, h = {h}: n = {n} per group",
        "interval": "Bars: {interval}",
        "unclassified": "{k} cooperatives neither “use” nor “none”: published figures contradict",
        "rebuilt": REBUILT_NOTICE_EN,
        "observed": "Data: {file}",
        "purposive": "Purposive sample of {n} cooperatives: intervals assume simple random sampling",
        "sample": "{n} cooperatives: intervals assume simple random sampling",
        "exact_power_not_computed": "Exact power not computed: n = {n} is above the plan's cap ({cap}); "
                                    "curves: approximation",
        "exact_power_one_sector": "Exact power not computable: one sector, so no sector test; curves: approximation",
        "design": "Survey design ({n} cooperatives): {design}",
        "design_interval": "Bars: {level} logit interval of the weighted estimate (the default of svyciprop, R’s survey "
                           "package)",
        "design_forest": "Indicators of H1 and H2: weighted estimate and {level} logit interval",
        "share_design": "Estimated share of cooperatives (%, weighted)",
        "proportion_design": "Estimated proportion of cooperatives (weighted)",
        "design_roles": {"weight": "weights “{name}”", "strata": "strata “{name}”", "cluster": "clusters “{name}”",
                         "fpc": "FPC “{name}” (population number of primary units in the stratum)"},
        "lonely_psu": "single-cluster stratum: R’s “{rule}” rule",
        "surveyed": "{share} ({k} surveyed)",
        "design_ignored": "Survey design declared ({design}): this figure ignores it (every cooperative counted once)",
    },
}

#: Indicators of each total-only figure, in the paper's order.
FIGURE3_INDICATORS = ("digital_tool_status=uses", "has_structured_it_equipment", "has_stable_internet",
                      "uses_specific_digital_solutions", "digital_tool_status=none")
FIGURE4_INDICATORS = ("heard_of_ai", "used_ai_tool")
FIGURE5_INDICATORS = ("interested_in_ai", "reports_ai_barriers", "neither_knows_nor_interested_ai")

#: Font sizes (points): title, body, notes.
TITLE_SIZE, NOTE_SIZE = 11, 8
#: Characters per inch of figure width at the note's and the title's size (DejaVu Sans, measured
#: on French text), to wrap long lines before they leave the canvas.
NOTE_CHARS_PER_INCH, TITLE_CHARS_PER_INCH = 15.5, 11.0
#: Longest tick label, in characters, before it is wrapped onto a second line.
LABEL_WIDTH = 34


def use_house_style() -> None:
    """The house style (:func:`coopai.style.use_house_style`), kept here for the notebooks' calls."""
    style.use_house_style()


def configure_notebook_output() -> None:
    """Set the house style and show whole tables; :func:`show` displays each figure itself (PNG 300 dpi, SVG)."""
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    from .tables import configure_display

    style.use_house_style()
    configure_display()
    # A figure displayed without show() still gets both formats, at the exported resolution.
    set_matplotlib_formats("png", "svg", bbox_inches="tight", dpi=style.DPI)


def _image_bundle(figure) -> tuple[dict, dict]:
    """A figure's display data (PNG base64, SVG) and the metadata that shows the PNG at its size in inches."""
    files = style.render(figure)
    width, height = figure.get_size_inches()
    bundle = {"image/png": base64.b64encode(files["image/png"]).decode("ascii"), "image/svg+xml": files["image/svg+xml"]}
    return bundle, {"image/png": {"width": int(round(width * 100)), "height": int(round(height * 100))}}


def show(draw, *args, lang: str = "fr", **kwargs) -> None:
    """Display a figure in the notebook's language, and carry its twin in the other language.

    The figure is displayed as PNG (300 dpi) and SVG. The twin is displayed under
    :data:`coopai.style.TWIN_MIMETYPE` only, a type Jupyter has no renderer for, so a reader
    of the notebook (JupyterLab or HTML) sees one figure per cell, in the run's language;
    the exporter (:mod:`coopai.export`) writes the twin to ``figures/<other language>/``.
    """
    from IPython.display import display

    check_lang(lang)
    other = "en" if lang == "fr" else "fr"
    figure = draw(*args, lang=lang, **kwargs)
    bundle, metadata = _image_bundle(figure)
    title = figure._suptitle.get_text() if figure._suptitle is not None else "figure"
    display({**bundle, "text/plain": f"<{title}>"}, raw=True, metadata={**metadata, "coopai": {"lang": lang}})
    plt.close(figure)
    twin = draw(*args, lang=other, **kwargs)
    bundle, _ = _image_bundle(twin)
    display({style.TWIN_MIMETYPE: {"lang": other, **bundle}}, raw=True,
            metadata={"coopai": {"lang": other, "hidden": True}})
    plt.close(twin)


def say(lang: str, key: str, **values) -> str:
    """The figure text ``key`` in ``lang``, filled and typeset (numbers are formatted by the caller)."""
    return style.typeset(TEXT[lang][key].format(**values), lang)


def wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """A label on as many lines as it needs to stay within ``width`` characters a line."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def new_figure(width: float, height: float, notes=(), ncols: int = 1, **subplot_kw):
    """A figure laid out by matplotlib's constrained layout, with room kept at the bottom for notes.

    Returns the figure and its axes; the notes are wrapped to the figure's width.
    """
    lines = [line for note in notes for line in textwrap.wrap(note, int(width * NOTE_CHARS_PER_INCH))]
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), layout="constrained", **subplot_kw)
    if lines:
        # Line height 1.3 x the font size, plus a margin; the axes keep the rest.
        reserved = (len(lines) * NOTE_SIZE * 1.3 / 72 + 0.12) / height
        fig.get_layout_engine().set(rect=(0, reserved, 1, 1 - reserved))
        fig.text(0.01, 0.02 / height, "\n".join(lines), ha="left", va="bottom", fontsize=NOTE_SIZE,
                 color=PALETTE["note"], linespacing=1.3)
    return fig, axes


def put_title(fig, text: str) -> None:
    """The figure's title, top left, wrapped to the figure's width."""
    width = fig.get_size_inches()[0]
    fig.suptitle("\n".join(textwrap.wrap(text, int(width * TITLE_CHARS_PER_INCH))), x=0.01, ha="left",
                 fontsize=TITLE_SIZE)


def _data_notes(survey: pd.DataFrame, lang: str) -> list[str]:
    """Where the data come from (rebuilt or a file) and what the sample is.

    The published study's sample was purposive (the paper says so); how a user's survey was drawn
    the file does not say, so its note states only the size and what the intervals assume.
    """
    # A "$" in a file name would start matplotlib's mathtext (and a stray "\frac{" stops the figure).
    rebuilt = bool(survey.attrs.get("rebuilt"))
    source = say(lang, "rebuilt") if rebuilt else say(
        lang, "observed", file=str(survey.attrs.get("source_file", "?")).replace("$", r"\$"))
    return [source, say(lang, "purposive" if rebuilt else "sample", n=style.format_number(len(survey), lang, 0))]


def design_text(survey_design, lang: str) -> str:
    """The declared design in words: each role with its column, and the lonely-PSU rule.

    Examples
    --------
    >>> from coopai.design import Design
    >>> design_text(Design(weight="poids", cluster="grappe"), "en")
    'weights “poids”, clusters “grappe”, single-cluster stratum: R’s “adjust” rule'
    """
    roles = TEXT[lang]["design_roles"]
    parts = [roles[role].format(name=str(name).replace("$", r"\$"))
             for role, name in zip(("weight", "strata", "cluster", "fpc"), survey_design.columns) if name]
    return ", ".join(parts + [TEXT[lang]["lonely_psu"].format(rule=survey_design.lonely_psu)])


def _design_notes(survey: pd.DataFrame, survey_design, lang: str, alpha: float) -> list[str]:
    """Footer of a figure drawn from design-based estimates: data origin, the design, the interval."""
    source = _data_notes(survey, lang)[0]
    return [source, say(lang, "design", n=style.format_number(len(survey), lang, 0),
                        design=design_text(survey_design, lang)),
            say(lang, "design_interval", level=style.confidence_level(alpha, lang))]


def design_ignored_notes(survey_design, lang: str) -> list[str]:
    """The footer line of a figure that does not use the run's declared design (none without a design).

    Examples
    --------
    >>> from coopai.design import Design
    >>> design_ignored_notes(Design(), "en"), len(design_ignored_notes(Design(strata="h"), "fr"))
    ([], 1)
    """
    return [say(lang, "design_ignored", design=design_text(survey_design, lang))] if survey_design else []


def _design_table(survey_design, estimates):
    """Whether a figure is drawn from design-based estimates (a design declared), checked to come with its table."""
    if not survey_design:
        if estimates is not None:
            raise ValueError("design-based estimates were given without the design they come from")
        return False
    if estimates is None:
        raise ValueError(f"a survey design is declared ({survey_design.describe()}): "
                         "the figure needs its design-based estimates (coopai.design.design_proportions)")
    return True


def _design_rows(estimates: pd.DataFrame, variables) -> pd.DataFrame:
    """The logit rows a figure draws (:func:`coopai.design.interval_rows`, imported only when a design is drawn)."""
    from .design import interval_rows

    return interval_rows(estimates, variables)


def _design_bars(ax, rows, labels, lang, counts=None):
    """Weighted shares in percent with their design-based interval (a share of 0 or 1 has none: no bar drawn).

    ``counts``, when given, are the cooperatives surveyed behind each bar (unweighted), printed beside the share.
    """
    values = 100 * rows["estimate"].to_numpy(dtype=float)
    low = np.where(np.isnan(rows["ci_low"]), values, 100 * rows["ci_low"].to_numpy(dtype=float))
    high = np.where(np.isnan(rows["ci_high"]), values, 100 * rows["ci_high"].to_numpy(dtype=float))
    annotations = [style.format_percent(v, lang) for v in values]
    if counts is not None:
        annotations = [say(lang, "surveyed", share=a, k=style.format_number(k, lang, 0)) for a, k in zip(annotations, counts)]
    _interval_bars(ax, values, low, high, annotations, labels, scale_max=100)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(style.number_formatter(lang))
    ax.set_xlabel(say(lang, "share_design"))


def reference_line(ax, value: float, axis: str, label: str, colour=PALETTE["reference"], linestyle="--",
                   linewidth=1.0, legend: bool = True, annotation=None):
    """A reference line across the axes (``axis="x"``: vertical at x = value), always explained.

    The line gets ``label`` as its legend entry (``legend=True``) or, with ``annotation``
    (``(x, y, kwargs)`` in data coordinates), a text beside it sharing the line's ``gid``:
    :func:`coopai.figure_checks.reference_line_problems` checks that one of the two exists.
    """
    draw = ax.axvline if axis == "x" else ax.axhline
    gid = f"reference:{axis}={value:g}"
    line = draw(value, color=colour, linestyle=linestyle, linewidth=linewidth, label=label if legend else "_" + label,
                gid=gid)
    if annotation is not None:
        x, y, kwargs = annotation
        ax.text(x, y, label, gid=gid, **{"fontsize": NOTE_SIZE, "color": colour, **kwargs})
    return line


def _interval_bars(ax, values, low, high, annotations, ticklabels, scale_max):
    """Horizontal bars with their interval and a label past the interval's end (Figures 2 to 5).

    A label that would run past the axes is put inside, left of the interval's lower end, on a
    white ground.
    """
    values, low, high = (np.asarray(v, dtype=float) for v in (values, low, high))
    y = np.arange(len(values))
    ax.barh(y, values, color=PALETTE["bar"], edgecolor=PALETTE["edge"], height=0.6)
    ax.errorbar(values, y, xerr=[values - low, high - values], fmt="none", ecolor=PALETTE["interval"], capsize=4,
                linewidth=1)
    offset = 0.012 * scale_max
    for yi, (text, start, end) in enumerate(zip(annotations, low, high)):
        if end + offset < 0.84 * scale_max:
            ax.text(end + offset, yi, text, va="center", ha="left", fontsize=9)
        else:
            ax.text(start - offset, yi, text, va="center", ha="right", fontsize=9,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
    ax.set_yticks(list(y), [wrap(t) for t in ticklabels])
    ax.set_ylim(len(values) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)


def _counts_label(k, share_percent, lang) -> str:
    return f"{style.format_number(k, lang, 0)} ({style.format_percent(share_percent, lang)})"


def figure2_sectors(table: pd.DataFrame, survey: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA, *,
                    design=None, estimates: pd.DataFrame | None = None):
    """Figure 2: cooperatives per sector, with counts, shares and Wilson intervals.

    Parameters
    ----------
    table : DataFrame
        :func:`coopai.stats.sector_distribution` as the notebook computed it (with ``alpha``).
    survey : DataFrame
        The survey, for the footer (origin of the data, n).
    design : coopai.design.Design, optional
        The run's declared design. When it declares columns, the bars are the weighted sector
        shares of ``estimates`` with their logit interval, and the footer names the design.
    estimates : DataFrame, optional
        :func:`coopai.design.design_proportions` as the notebook computed it (with ``alpha``),
        holding ``sector=<each sector>`` overall; required with a declared design.

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> from coopai.stats import sector_distribution
    >>> survey = load_survey()
    >>> fig = figure2_sectors(sector_distribution(survey), survey, lang="en")
    >>> fig.get_suptitle()
    'Figure 2: Cooperatives surveyed, by sector'
    """
    check_lang(lang)
    labels = category_labels(lang)
    if _design_table(design, estimates):
        fig, ax = new_figure(7.5, 3.9, _design_notes(survey, design, lang, alpha))
        rows = _design_rows(estimates, [f"sector={s}" for s in table["sector"]])
        _design_bars(ax, rows, [style.typeset(labels[("sector", s)], lang) for s in table["sector"]], lang,
                     counts=table["count"])
        put_title(fig, say(lang, "fig2"))
        return fig
    notes = _data_notes(survey, lang) + [say(lang, "interval", interval=style.interval_name(alpha, lang))]
    fig, ax = new_figure(7.5, 3.9, notes)
    _interval_bars(ax, table["percent"], table["ci_low"], table["ci_high"],
                   [_counts_label(k, p, lang) for k, p in zip(table["count"], table["percent"])],
                   [style.typeset(labels[("sector", s)], lang) for s in table["sector"]], scale_max=100)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(style.number_formatter(lang))
    ax.set_xlabel(say(lang, "share"))
    put_title(fig, say(lang, "fig2"))
    return fig


def _indicator_bars(summary: pd.DataFrame, survey, indicators, title, lang, alpha, extra_notes=(), design=None,
                    estimates=None):
    """Counts of cooperatives with each indicator, with their Wilson interval (Figures 3 to 5).

    With a declared design: the weighted share of each indicator with its logit interval, from ``estimates``.
    """
    check_lang(lang)
    if _design_table(design, estimates):
        fig, ax = new_figure(7.5, 0.62 * len(indicators) + 2.3, _design_notes(survey, design, lang, alpha) + list(extra_notes))
        _design_bars(ax, _design_rows(estimates, indicators), [style.variable_text(v, lang) for v in indicators], lang)
        put_title(fig, title)
        return fig
    rows = summary.set_index("variable").loc[list(indicators)].reset_index()
    n = int(rows["n"].iloc[0])
    notes = _data_notes(survey, lang) + [say(lang, "interval", interval=style.interval_name(alpha, lang)),
                                         *extra_notes]
    fig, ax = new_figure(7.5, 0.62 * len(rows) + 2.3, notes)
    _interval_bars(ax, rows["k"], rows["ci_low"] * n, rows["ci_high"] * n,
                   [_counts_label(k, 100 * p, lang) for k, p in zip(rows["k"], rows["proportion"])],
                   [style.variable_text(v, lang) for v in rows["variable"]], scale_max=n)
    ax.set_xlim(0, n)
    style.use_integer_ticks(ax.xaxis)
    ax.xaxis.set_major_formatter(style.number_formatter(lang, 0))
    ax.set_xlabel(say(lang, "n_cooperatives"))
    put_title(fig, title)
    return fig


def figure3_digitalisation(summary: pd.DataFrame, survey: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA, *,
                           design=None, estimates: pd.DataFrame | None = None):
    """Figure 3: digitalisation indicators, counts out of all cooperatives.

    Parameters
    ----------
    summary : DataFrame
        :func:`coopai.stats.proportion_summary` of at least :data:`FIGURE3_INDICATORS`.
    design, estimates
        A declared design and its :func:`coopai.design.design_proportions` table: the bars are
        then weighted shares with their logit interval (see :func:`figure2_sectors`).

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> from coopai.stats import proportion_summary
    >>> survey = load_survey()
    >>> fig = figure3_digitalisation(proportion_summary(survey, FIGURE3_INDICATORS), survey)
    >>> [round(p.get_width()) for p in fig.axes[0].patches]
    [18, 9, 11, 7, 6]
    """
    unclassified = int((survey["digital_tool_status"] == "unclassified").sum())
    notes = [say(lang, "unclassified", k=unclassified)] if unclassified else []
    return _indicator_bars(summary, survey, FIGURE3_INDICATORS, say(lang, "fig3"), lang, alpha, notes, design, estimates)


def figure4_ai_knowledge_use(summary: pd.DataFrame, survey: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA,
                             *, design=None, estimates: pd.DataFrame | None = None):
    """Figure 4: cooperatives that have heard of AI and that have used an AI tool.

    The paper gives Figures 4 and 5 the same caption; this split (knowledge and
    use here, interest and barriers in Figure 5) is the package's reading. ``design`` and
    ``estimates`` as in :func:`figure3_digitalisation`.
    """
    return _indicator_bars(summary, survey, FIGURE4_INDICATORS, say(lang, "fig4"), lang, alpha, (), design, estimates)


def figure5_ai_interest_barriers(summary: pd.DataFrame, survey: pd.DataFrame, lang: str = "fr",
                                 alpha: float = plan.ALPHA, *, design=None, estimates: pd.DataFrame | None = None):
    """Figure 5: interest in AI, barriers to its adoption, neither knowledge nor interest.

    See :func:`figure4_ai_knowledge_use` on the shared caption and the design.
    """
    return _indicator_bars(summary, survey, FIGURE5_INDICATORS, say(lang, "fig5"), lang, alpha, (), design, estimates)


def residual_heatmap(residuals: pd.DataFrame, survey: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA, *,
                     design=None):
    """Heatmap of adjusted standardized residuals, practices by sector (from contingency.residuals_long).

    Each cell prints its residual; those beyond the plan's threshold are in bold, so the colour is
    not the only mark of a departure. The threshold is the table's ``threshold`` column when it has
    one (:func:`coopai.sector_tests.residuals_long`: Bonferroni over the cells, the rule the
    table's ``beyond_threshold`` and notebook 03 apply), else the two-sided normal critical value.
    A declared ``design`` (not used by the residuals) is named in the footer.
    """
    check_lang(lang)
    codebook = read_codebook()
    sectors = category_labels(lang)
    wide = residuals.pivot(index="practice", columns="sector", values="adjusted_residual")
    wide = wide.reindex(index=list(dict.fromkeys(residuals["practice"])), columns=list(SECTORS))
    wide.index = [wrap(style.typeset(variable_label(codebook, v, lang), lang), 30) for v in wide.index]
    wide.columns = [style.typeset(sectors[("sector", c)], lang) for c in wide.columns]
    if "threshold" in residuals and residuals["threshold"].notna().any():
        z = float(residuals["threshold"].dropna().iloc[0])
        note = say(lang, "residual_note_bonferroni", z=style.format_number(z, lang, 2),
                   cells=int(residuals["adjusted_residual"].notna().sum()), alpha=style.format_number(alpha, lang, None))
    else:
        z = plan.critical_z(alpha)
        note = say(lang, "residual_note", z=style.format_number(z, lang, 2), alpha=style.format_number(alpha, lang, None))
    if not wide.notna().any().any():  # an empty grid says why (one sector, or one answer everywhere), no bold rule
        from .narrative import reason_in
        from .sector_tests import comparison_reason

        reason = comparison_reason(survey)
        note = say(lang, "no_residuals", reason=f" ({wrap(reason_in(reason, lang), 90)})" if reason else "")
    notes = _data_notes(survey, lang) + [note] + design_ignored_notes(design, lang)
    fig, ax = new_figure(7.5, 4.4, notes)
    limit = max(4.0, float(np.ceil(np.nanmax(np.abs(wide.to_numpy())))) if wide.notna().any().any() else 4.0)
    # Two decimals: a residual printed "−3,0" must not read as past a threshold of 2,96 it does not reach.
    annotations = wide.map(lambda v: "" if pd.isna(v) else style.format_number(v, lang, 2))
    sns.heatmap(wide, annot=annotations.to_numpy(), fmt="", cmap=style.DIVERGING_CMAP, center=0, vmin=-limit,
                vmax=limit, ax=ax, cbar_kws={"label": say(lang, "residual_bar")}, linewidths=0.5)
    for text, value in zip(ax.texts, wide.to_numpy().ravel()):
        if not pd.isna(value) and abs(value) > z:
            text.set_fontweight("bold")
    colourbar = ax.collections[0].colorbar
    colourbar.ax.yaxis.set_major_formatter(style.number_formatter(lang, 0))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    ax.tick_params(axis="x", rotation=0)
    put_title(fig, say(lang, "residuals"))
    return fig


def identification_range_plot(ranges: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA, floor: float | None = None):
    """For each total-only variable, the span of exact p-values over its feasible sector breakdowns.

    The axis starts at the decade below the smallest p, but never below ``floor``
    (:data:`coopai.identification.RANGE_AXIS_FLOOR` by default, the floor the table's
    ``p_exact_min_below_axis`` refers to); a span that reaches below it is cut there and marked
    with a left-pointing triangle, explained in the legend.
    """
    check_lang(lang)
    if floor is None:
        from .identification import RANGE_AXIS_FLOOR
        floor = RANGE_AXIS_FLOOR
    codebook = read_codebook()
    variables = list(dict.fromkeys(ranges["variable"]))
    smallest = float(ranges["p_exact_min"].min())
    left = max(floor, 10 ** np.floor(np.log10(max(smallest, 1e-300))))
    fig, ax = new_figure(8.5, 0.55 * len(variables) + 2.6)
    kinds = list(dict.fromkeys(ranges["constraint_set"]))
    step = 0.32 / max(len(kinds) - 1, 1)
    clipped_any = False
    for i, (constraint_set, group) in enumerate(ranges.groupby("constraint_set", sort=False)):
        colour, linestyle, _ = SERIES[i]
        y = np.array([variables.index(v) for v in group["variable"]]) + (i - (len(kinds) - 1) / 2) * step
        low = group["p_exact_min"].clip(lower=left).to_numpy()
        ax.hlines(y, low, group["p_exact_max"], color=colour, linewidth=4, linestyle=linestyle,
                  label=say(lang, constraint_set))
        cut = group["p_exact_min"].to_numpy() < left
        if cut.any():
            clipped_any = True
            ax.plot(low[cut], y[cut], marker="<", linestyle="none", color="black", markersize=7, clip_on=False,
                    zorder=5)
    if clipped_any:
        ax.plot([], [], marker="<", linestyle="none", color="black",
                label=say(lang, "clipped", floor=style.format_power_of_ten(left)))
    reference_line(ax, alpha, "x", say(lang, "alpha_line", alpha=style.format_number(alpha, lang, None)))
    ax.set_xscale("log")
    ax.set_xlim(left, 1.5)
    ax.xaxis.set_major_locator(LogLocator(numticks=20))
    ax.xaxis.set_major_formatter(style.log_formatter(lang, plain_from=1e-2))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(range(len(variables)),
                  [wrap(style.typeset(variable_label(codebook, v, lang), lang)) for v in variables])
    ax.set_ylim(len(variables) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(say(lang, "p_exact"))
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), fontsize=NOTE_SIZE, frameon=False)
    put_title(fig, say(lang, "ranges"))
    return fig


def power_curve_plot(curve: pd.DataFrame, simulated: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA,
                     sizes=None, target_power: float = plan.TARGET_POWER, *, design=None):
    """Power against n for each effect size (approximation), with the simulated exact test at the survey's n.

    Each effect size has its own colour, line style and marker; the simulated points carry the
    ``1 - alpha`` interval of the simulation (normal, from its standard error). A declared
    ``design`` (power is for a simple random sample) is named in the footer.
    """
    check_lang(lang)
    n_survey = int(simulated["n"].iloc[0])
    if sizes is None:
        from .published import paper_sector_sizes
        sizes = paper_sector_sizes()
    # No exact power (no point, and a note says why): one sector has no sector test; above the
    # plan's cap (plan.POWER_EXACT_MAX_N) it is not computed.
    computed = simulated["power_exact"].notna().to_numpy()
    not_computed = []
    if not computed.any():
        not_computed = [say(lang, "exact_power_one_sector") if len(sizes) < 2 else
                        say(lang, "exact_power_not_computed", n=style.format_number(n_survey, lang, 0),
                            cap=style.format_number(plan.POWER_EXACT_MAX_N, lang, 0))]
    fig, ax = new_figure(8.5, 5.6, [say(lang, "w_note")] + not_computed + design_ignored_notes(design, lang))
    effect_words = TEXT[lang]["effect_sizes"]
    for (w, group), (colour, linestyle, marker) in zip(curve.groupby("w"), SERIES):
        ax.plot(group["n"], group["power"], color=colour, linestyle=linestyle, marker=marker, markevery=8,
                markersize=5, label=say(lang, "effect", w=style.format_number(w, lang, None),
                                        size=effect_words.get(round(float(w), 3), "")).replace(" ()", ""))
    ci = style.ci_abbreviation(alpha, lang)
    # Enumerated power is exact (standard error 0): a point; simulated power gets its interval.
    if computed.any():
        shown = simulated[computed]
        se = shown["power_exact_se"].fillna(0.0)
        label = say(lang, "simulated_ci" if (se > 0).any() else "simulated", n=style.format_number(n_survey, lang, 0),
                    ci=ci, sizes="/".join(style.format_number(s, lang, 0) for s in sizes))
        ax.errorbar(shown["n"], shown["power_exact"], yerr=plan.critical_z(alpha) * se if (se > 0).any() else None,
                    fmt="o", color="black", markerfacecolor="white", capsize=3, label=label)
    reference_line(ax, target_power, "y", say(lang, "target_power", power=style.format_number(target_power, lang, None)),
                   colour=PALETTE["reference"])
    reference_line(ax, n_survey, "x", say(lang, "survey_n", n=style.format_number(n_survey, lang, 0)),
                   colour=PALETTE["neutral"], linestyle=":")
    ax.set_xscale("log")
    style.use_log_ticks(ax.xaxis)
    ax.xaxis.set_major_formatter(style.log_formatter(lang))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(style.number_formatter(lang, 1))
    ax.set_ylim(0, 1)
    ax.set_xlabel(say(lang, "n"))
    ax.set_ylabel(say(lang, "power_axis"))
    # Below the axes, where it covers no curve whatever the language's label lengths.
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=2, fontsize=NOTE_SIZE, title=say(lang, "approx"),
              title_fontsize=NOTE_SIZE, alignment="left", frameon=False)
    put_title(fig, say(lang, "power", alpha=style.format_number(alpha, lang, None)))
    return fig


def hypothesis_forest_plot(checks: pd.DataFrame, survey: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA,
                           *, design=None, estimates: pd.DataFrame | None = None):
    """Forest plot of the hypothesis indicators with their Wilson intervals and the threshold line.

    H1 and H2 differ in colour and marker; the labels name the hypothesis as well. With a
    declared ``design``, each indicator is its weighted estimate with the logit interval, from
    ``estimates`` (:func:`coopai.design.design_proportions` of the indicators, ``lacks:x`` for a
    negated one), and the footer names the design.
    """
    check_lang(lang)
    rows = checks.dropna(subset=["proportion"]).reset_index(drop=True)
    designed = _design_table(design, estimates)
    if designed:
        chosen = _design_rows(estimates, rows["indicator"])
        rows = rows.assign(proportion=chosen["estimate"].to_numpy(),
                           ci_low=chosen["ci_low"].fillna(chosen["estimate"]).to_numpy(),
                           ci_high=chosen["ci_high"].fillna(chosen["estimate"]).to_numpy())
    notes = _design_notes(survey, design, lang, alpha) if designed else _data_notes(survey, lang)
    fig, ax = new_figure(8.5, 0.45 * len(rows) + 2.6, notes)
    styles = {h: SERIES[i] for i, h in enumerate(sorted(rows["hypothesis"].unique(), key=str))}
    for yi, row in enumerate(rows.itertuples()):
        colour, _, marker = styles[row.hypothesis]
        ax.errorbar(row.proportion, yi, xerr=[[row.proportion - row.ci_low], [row.ci_high - row.proportion]],
                    fmt=marker, color=colour, capsize=3, markersize=6)
    for threshold in sorted(rows["threshold"].dropna().unique()) if "threshold" in rows else [0.5]:
        reference_line(ax, threshold, "x", say(lang, "threshold_line",
                                               threshold=style.format_number(threshold, lang, None)))
    ax.set_yticks(range(len(rows)), [wrap(f"{h} · {style.variable_text(i, lang)}", 44)
                                     for h, i in zip(rows["hypothesis"], rows["indicator"])])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(style.number_formatter(lang, 1))
    ax.set_xlabel(say(lang, "proportion_design" if designed else "proportion"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=NOTE_SIZE, frameon=False)
    put_title(fig, say(lang, "design_forest", level=style.confidence_level(alpha, lang)) if designed
              else say(lang, "forest", interval=style.interval_name(alpha, lang)))
    return fig


def threshold_sensitivity_plot(sensitivity: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA, *, design=None):
    """One-sided p-value and directional Bayes factor of H2's primary share against each threshold.

    Both count cooperatives as equally likely draws: a declared ``design`` is named in the footer as ignored.

    When a p-value or a Bayes factor leaves the float range (a large survey: p = 10⁻³⁵⁷⁶ prints
    as 0, its Bayes factor as infinity), both panels plot the decimal exponents, from the table's
    ``log10_`` columns, on a linear scale labelled as powers of ten: the same picture as a log
    scale, for values a log scale cannot hold.
    """
    check_lang(lang)
    fig, (left, right) = new_figure(9.0, 4.2 + 0.2 * bool(design), [say(lang, "bf_note")] + design_ignored_notes(design, lang),
                                    ncols=2)
    thresholds = sensitivity["threshold"].to_numpy(dtype=float)
    values = sensitivity[["p_value", "bf_plus"]].to_numpy(dtype=float)
    exponents = not (np.isfinite(values) & (values > 0)).all()
    if exponents:
        p_values, bayes_factors = sensitivity["log10_p_value"], sensitivity["log10_bf_plus"]
        alpha_at, one_at = float(np.log10(alpha)), 0.0
    else:
        p_values, bayes_factors, alpha_at, one_at = sensitivity["p_value"], sensitivity["bf_plus"], alpha, 1.0
    colour, linestyle, marker = SERIES[0]
    left.plot(thresholds, p_values, marker=marker, color=colour, linestyle=linestyle)
    reference_line(left, alpha_at, "y", say(lang, "alpha_line", alpha=style.format_number(alpha, lang, None)))
    left.set_ylabel(say(lang, "p_one_sided"))
    colour, linestyle, marker = SERIES[1]
    right.plot(thresholds, bayes_factors, marker=marker, color=colour, linestyle=linestyle)
    reference_line(right, one_at, "y", say(lang, "bf_line"), colour=PALETTE["neutral"], linestyle=":")
    right.set_ylabel(say(lang, "bf_plus"))
    for ax in (left, right):
        if exponents:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: style.power_of_ten(int(round(value)))))
        else:
            ax.set_yscale("log")
            style.use_log_ticks(ax.yaxis)
            ax.yaxis.set_major_formatter(style.log_formatter(lang, plain_to=1e4))
            ax.yaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_locator(FixedLocator(thresholds))
        ax.xaxis.set_major_formatter(style.number_formatter(lang, 2))
        ax.set_xlabel(say(lang, "threshold"))
        ax.legend(loc="best", fontsize=NOTE_SIZE)
    put_title(fig, say(lang, "sensitivity"))
    return fig


def sample_size_plot(plan_table: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA, *, n_now: int, design=None):
    """Margin of error against n, with the n each goal of the sample-size plan needs.

    Each power goal is a vertical line in its own style, named in the legend with its n. A
    declared ``design`` (this plan is for a simple random sample) is named in the footer.
    """
    from .power import margin_of_error

    check_lang(lang)
    fig, ax = new_figure(8.5, 4.4, [say(lang, "margin_note", ci=style.ci_abbreviation(alpha, lang))]
                         + design_ignored_notes(design, lang))
    ns = np.unique(np.geomspace(10, 2000, 80).astype(int))
    ax.plot(ns, margin_of_error(ns, alpha), color=PALETTE["bar"], linewidth=2)
    reference_line(ax, n_now, "x", say(lang, "survey_n", n=style.format_number(n_now, lang, 0)),
                   colour=PALETTE["neutral"], linestyle=":")
    goals = plan_table[plan_table["kind"] == "power"]
    for row, (colour, linestyle, _) in zip(goals.itertuples(), SERIES[1:]):
        n_text = style.format_number(row.n, lang, 0)
        parameter = style.format_number(row.parameter, lang, None)
        label = (say(lang, "plan_h1", h=parameter, n=n_text) if str(row.goal).startswith("H1")
                 else say(lang, "plan_sector", w=parameter, n=n_text))
        reference_line(ax, row.n, "x", label, colour=colour, linestyle=linestyle)
    ax.set_xscale("log")
    style.use_log_ticks(ax.xaxis)
    ax.xaxis.set_major_formatter(style.log_formatter(lang))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(0, 0.3)
    ax.yaxis.set_major_formatter(style.number_formatter(lang, 2))
    ax.set_xlabel(say(lang, "n"))
    ax.set_ylabel(say(lang, "margin"))
    ax.legend(loc="upper right", fontsize=NOTE_SIZE)
    put_title(fig, say(lang, "planner"))
    return fig
