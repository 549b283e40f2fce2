"""The paper's figures, recomputed from respondent data: one function per figure.

French labels by default (as in the paper), English with ``lang="en"``. Every
figure drawn from the rebuilt dataset says so in its footer.
"""
from __future__ import annotations

import os

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from scipy.stats import norm

from . import plan, stats
from .codebook import (REBUILT_NOTICE_EN, REBUILT_NOTICE_FR, SECTORS, category_labels, check_lang, read_codebook,
                       variable_label)

#: Words the figures need beyond the codebook's labels.
TEXT = {
    "fr": {
        "n_cooperatives": "Nombre de coopératives",
        "share": "Part des coopératives (%)",
        "fig2": "Figure 2 : Répartition sectorielle des coopératives enquêtées",
        "fig3": "Figure 3 : Niveau de digitalisation des coopératives",
        "fig4": "Figure 4 : Connaissance et usage de l'IA",
        "fig5": "Figure 5 : Intérêt pour l'IA et freins à son adoption",
        "residuals": "Résidus standardisés ajustés (« oui » par secteur)",
        "residual_bar": "Résidu ajusté (|r| > 2 : écart marqué)",
        "ranges": "Tests par secteur non identifiés : p exact sur toutes les répartitions possibles",
        "p_exact": "p exact (Fisher-Freeman-Halton, échelle log)",
        "hard": "contraintes dures",
        "hard+assumptions": "contraintes dures + hypothèses de la reconstitution",
        "power": "Puissance du test par secteur (α = {alpha})",
        "n": "Nombre de coopératives",
        "power_axis": "Puissance",
        "approx": "approximation χ² non centrale",
        "simulated": "test exact, puissance exacte (n = {n}, secteurs {sizes})",
        "forest": "Indicateurs de H1 et H2 : proportion et intervalle de Wilson à 95 %",
        "proportion": "Proportion des coopératives",
        "threshold_line": "seuil de la majorité (0,5)",
        "sensitivity": "H2 : la part déclarant des freins dépasse-t-elle le seuil ?",
        "threshold": "Seuil testé",
        "p_one_sided": "p unilatéral (binomial exact)",
        "bf_plus": "BF+0 (a priori uniforme au-dessus du seuil)",
        "planner": "Taille d'échantillon d'une réplication",
        "margin": "Marge d'erreur d'une proportion (IC 95 %, p = 0,5)",
        "lacks": "Non : {label}",
        "interval": "Barres : intervalle de Wilson à 95 %",
        "unclassified": "{k} coopératives ni « utilisent » ni « aucune » : chiffres publiés contradictoires",
        "rebuilt": REBUILT_NOTICE_FR,
        "observed": "Données : {file}",
        "purposive": "Échantillon raisonné de {n} coopératives : les intervalles supposent un tirage aléatoire simple",
    },
    "en": {
        "n_cooperatives": "Number of cooperatives",
        "share": "Share of cooperatives (%)",
        "fig2": "Figure 2: Cooperatives surveyed, by sector",
        "fig3": "Figure 3: Digitalisation of the cooperatives",
        "fig4": "Figure 4: Knowledge and use of AI",
        "fig5": "Figure 5: Interest in AI and barriers to adoption",
        "residuals": "Adjusted standardized residuals ('yes' by sector)",
        "residual_bar": "Adjusted residual (|r| > 2: marked departure)",
        "ranges": "Sector tests not identified: exact p over every possible breakdown",
        "p_exact": "exact p (Fisher-Freeman-Halton, log scale)",
        "hard": "hard constraints",
        "hard+assumptions": "hard constraints + rebuild assumptions",
        "power": "Power of the sector test (alpha = {alpha})",
        "n": "Number of cooperatives",
        "power_axis": "Power",
        "approx": "noncentral chi-square approximation",
        "simulated": "exact test, exact power (n = {n}, sectors {sizes})",
        "forest": "Indicators of H1 and H2: proportion and 95% Wilson interval",
        "proportion": "Proportion of cooperatives",
        "threshold_line": "majority threshold (0.5)",
        "sensitivity": "H2: does the share reporting barriers exceed the threshold?",
        "threshold": "Threshold tested",
        "p_one_sided": "one-sided p (exact binomial)",
        "bf_plus": "BF+0 (uniform prior above the threshold)",
        "planner": "Sample size for a replication",
        "margin": "Margin of error of a proportion (95% CI, p = 0.5)",
        "lacks": "No: {label}",
        "interval": "Bars: 95% Wilson interval",
        "unclassified": "{k} cooperatives neither 'use' nor 'none': published figures contradict",
        "rebuilt": REBUILT_NOTICE_EN,
        "observed": "Data: {file}",
        "purposive": "Purposive sample of {n} cooperatives: intervals assume simple random sampling",
    },
}

#: Indicators of each total-only figure, in the paper's order.
FIGURE3_INDICATORS = ("digital_tool_status=uses", "has_structured_it_equipment", "has_stable_internet",
                      "uses_specific_digital_solutions", "digital_tool_status=none")
FIGURE4_INDICATORS = ("heard_of_ai", "used_ai_tool")
FIGURE5_INDICATORS = ("interested_in_ai", "reports_ai_barriers", "neither_knows_nor_interested_ai")

PALETTE = {"bar": "#2a6f97", "edge": "#1b4965", "interval": "#222222", "note": "#555555"}


def use_house_style() -> None:
    """Fix the style and make figure files byte-identical from run to run.

    SVG output carries random ids and a date unless ``svg.hashsalt`` and
    ``SOURCE_DATE_EPOCH`` are fixed (matplotlib documents both).
    """
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update({
        "svg.hashsalt": "coopai",
        "svg.fonttype": "path",
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "font.family": "DejaVu Sans",
    })


def configure_notebook_output() -> None:
    """Show each figure as PNG and SVG in the notebook, for the exporter to extract."""
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    use_house_style()
    set_matplotlib_formats("png", "svg", bbox_inches="tight")


def show(draw, *args, lang: str = "fr", **kwargs) -> None:
    """Display a figure in the notebook's language, and its twin in the other language.

    The twin is displayed with ``metadata={"coopai": {"lang": ..., "hidden": True}}``: the
    exporter writes it to ``figures/<other language>/`` and leaves it out of the HTML, so
    one run of a notebook yields the figures in French and in English.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    check_lang(lang)
    other = "en" if lang == "fr" else "fr"
    figure = draw(*args, lang=lang, **kwargs)
    display(figure)
    plt.close(figure)
    twin = draw(*args, lang=other, **kwargs)
    display(twin, metadata={"coopai": {"lang": other, "hidden": True}})
    plt.close(twin)


def indicator_label(variable: str, lang: str) -> str:
    """Label of a proportion_summary variable (``name`` or ``name=category``)."""
    codebook = read_codebook()
    if "=" in variable:
        column, category = variable.split("=", 1)
        return category_labels(lang)[(column, category)]
    return variable_label(codebook, variable, lang)


def _footer(fig, survey: pd.DataFrame, lang: str, extra=()) -> None:
    text = TEXT[lang]
    # A "$" in a file name would start matplotlib's mathtext (and a stray "\frac{" stops the figure).
    source = text["rebuilt"] if survey.attrs.get("rebuilt") else text["observed"].format(
        file=str(survey.attrs.get("source_file", "?")).replace("$", r"\$"))
    lines = [source, text["purposive"].format(n=len(survey)), *extra]
    fig.text(0.01, -0.02, "\n".join(lines), ha="left", va="top", fontsize=8, color=PALETTE["note"])


def _interval_bars(ax, values, low, high, annotations, ticklabels, offset):
    """Horizontal bars with their interval and a label past the interval's end (Figures 2 to 5)."""
    y = range(len(values))
    ax.barh(y, values, color=PALETTE["bar"], edgecolor=PALETTE["edge"])
    ax.errorbar(values, y, xerr=[values - low, high - values], fmt="none", ecolor=PALETTE["interval"], capsize=4,
                linewidth=1)
    for yi, (text, end) in enumerate(zip(annotations, high)):
        ax.text(end + offset, yi, text, va="center", ha="left", fontsize=9)
    ax.set_yticks(list(y), ticklabels)
    ax.invert_yaxis()


def _indicator_bars(survey, indicators, title, lang, alpha, extra_notes=()):
    check_lang(lang)
    summary = stats.proportion_summary(survey, indicators, alpha=alpha)
    n = len(survey)
    labels = [indicator_label(v, lang) for v in summary["variable"]]
    fig, ax = plt.subplots(figsize=(7.5, 0.75 * len(indicators) + 1.6))
    _interval_bars(ax, summary["k"], summary["ci_low"] * n, summary["ci_high"] * n,
                   [f"{k} ({stats.format_percent(100 * p, lang)})" for k, p in zip(summary["k"], summary["proportion"])],
                   labels, offset=0.3)
    ax.set_xlim(0, n)
    ax.set_xlabel(TEXT[lang]["n_cooperatives"])
    ax.set_title(title, loc="left", fontsize=11)
    _footer(fig, survey, lang, [TEXT[lang]["interval"], *extra_notes])
    fig.tight_layout()
    return fig


def figure2_sectors(survey: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA):
    """Figure 2: cooperatives per sector, with counts, shares and Wilson intervals.

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> fig = figure2_sectors(load_survey(), lang="en")
    >>> fig.axes[0].get_title(loc="left")
    'Figure 2: Cooperatives surveyed, by sector'
    """
    check_lang(lang)
    table = stats.sector_distribution(survey, alpha=alpha)
    labels = category_labels(lang)
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    _interval_bars(ax, table["percent"], table["ci_low"], table["ci_high"],
                   [f"{k} ({stats.format_percent(p, lang)})" for k, p in zip(table["count"], table["percent"])],
                   [labels[("sector", s)] for s in table["sector"]], offset=1)
    ax.set_xlim(0, 100)
    ax.set_xlabel(TEXT[lang]["share"])
    ax.set_title(TEXT[lang]["fig2"], loc="left", fontsize=11)
    _footer(fig, survey, lang, [TEXT[lang]["interval"]])
    fig.tight_layout()
    return fig


def figure3_digitalisation(survey: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA):
    """Figure 3: digitalisation indicators, counts out of all cooperatives.

    Examples
    --------
    >>> from coopai.survey import load_survey
    >>> fig = figure3_digitalisation(load_survey())
    >>> [round(p.get_width()) for p in fig.axes[0].patches]
    [18, 9, 11, 7, 6]
    """
    unclassified = int((survey["digital_tool_status"] == "unclassified").sum())
    notes = [TEXT[lang]["unclassified"].format(k=unclassified)] if unclassified else []
    return _indicator_bars(survey, FIGURE3_INDICATORS, TEXT[lang]["fig3"], lang, alpha, notes)


def figure4_ai_knowledge_use(survey: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA):
    """Figure 4: cooperatives that have heard of AI and that have used an AI tool.

    The paper gives Figures 4 and 5 the same caption; this split (knowledge and
    use here, interest and barriers in Figure 5) is the package's reading.
    """
    return _indicator_bars(survey, FIGURE4_INDICATORS, TEXT[lang]["fig4"], lang, alpha)


def figure5_ai_interest_barriers(survey: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA):
    """Figure 5: interest in AI, barriers to its adoption, neither knowledge nor interest.

    See :func:`figure4_ai_knowledge_use` on the shared caption.
    """
    return _indicator_bars(survey, FIGURE5_INDICATORS, TEXT[lang]["fig5"], lang, alpha)


def residual_heatmap(residuals: pd.DataFrame, survey: pd.DataFrame, lang: str = "fr"):
    """Heatmap of adjusted standardized residuals, practices by sector (from contingency.residuals_long)."""
    check_lang(lang)
    codebook = read_codebook()
    sectors = category_labels(lang)
    wide = residuals.pivot(index="practice", columns="sector", values="adjusted_residual")
    wide = wide.reindex(index=list(dict.fromkeys(residuals["practice"])), columns=list(SECTORS))
    wide.index = [variable_label(codebook, v, lang) for v in wide.index]
    wide.columns = [sectors[("sector", c)] for c in wide.columns]
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    sns.heatmap(wide, annot=True, fmt=".1f", cmap="RdBu_r", center=0, vmin=-4, vmax=4, ax=ax,
                cbar_kws={"label": TEXT[lang]["residual_bar"]}, linewidths=0.5)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(TEXT[lang]["residuals"], loc="left", fontsize=11)
    _footer(fig, survey, lang)
    fig.tight_layout()
    return fig


def identification_range_plot(ranges: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA):
    """For each total-only variable, the span of exact p-values over its feasible sector breakdowns."""
    check_lang(lang)
    codebook = read_codebook()
    variables = list(dict.fromkeys(ranges["variable"]))
    fig, ax = plt.subplots(figsize=(9.5, 0.55 * len(variables) + 2.2))
    offsets = {"hard": -0.15, "hard+assumptions": 0.15}
    colours = {"hard": "#a9a9a9", "hard+assumptions": PALETTE["bar"]}
    for constraint_set, group in ranges.groupby("constraint_set", sort=False):
        y = [variables.index(v) + offsets[constraint_set] for v in group["variable"]]
        low = group["p_exact_min"].clip(lower=1e-6)
        ax.hlines(y, low, group["p_exact_max"], color=colours[constraint_set], linewidth=4,
                  label=TEXT[lang][constraint_set])
    ax.axvline(alpha, color="#b22222", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlim(1e-6, 1.5)
    ax.set_yticks(range(len(variables)), [variable_label(codebook, v, lang) for v in variables])
    ax.invert_yaxis()
    ax.set_xlabel(TEXT[lang]["p_exact"])
    ax.set_title(TEXT[lang]["ranges"], loc="left", fontsize=11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def power_curve_plot(curve: pd.DataFrame, simulated: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA,
                     sizes=None):
    """Power against n for each effect size (approximation), with the simulated exact test at the study's n.

    ``sizes`` are the sector sizes the simulation used (default: the paper's, from ``data/published``).
    """
    check_lang(lang)
    if sizes is None:
        from .published import paper_sector_sizes
        sizes = paper_sector_sizes()
    n_simulated = int(simulated["n"].iloc[0])
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for w, group in curve.groupby("w"):
        ax.plot(group["n"], group["power"], label=f"w = {w:g}")
    ax.errorbar(simulated["n"], simulated["power_exact"], yerr=norm.ppf(1 - alpha / 2) * simulated["power_exact_se"],
                fmt="o", color="black",
                label=TEXT[lang]["simulated"].format(n=n_simulated, sizes="/".join(map(str, sizes))))
    ax.axhline(0.8, color="#b22222", linestyle="--", linewidth=1)
    ax.axvline(n_simulated, color="#777777", linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel(TEXT[lang]["n"])
    ax.set_ylabel(TEXT[lang]["power_axis"])
    ax.set_title(TEXT[lang]["power"].format(alpha=alpha), loc="left", fontsize=11)
    ax.legend(fontsize=8, title=TEXT[lang]["approx"], title_fontsize=8)
    fig.tight_layout()
    return fig


def hypothesis_indicator_label(indicator: str, lang: str) -> str:
    """Label of a hypothesis_checks indicator (``lacks:VAR``, ``VAR=category`` or ``VAR``)."""
    if indicator.startswith("lacks:"):
        return TEXT[lang]["lacks"].format(label=indicator_label(indicator[len("lacks:"):], lang))
    return indicator_label(indicator, lang)


def hypothesis_forest_plot(checks: pd.DataFrame, survey: pd.DataFrame, lang: str = "fr"):
    """Forest plot of the hypothesis indicators with their Wilson intervals and the majority line."""
    check_lang(lang)
    rows = checks.dropna(subset=["proportion"]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(rows) + 2.0))
    y = range(len(rows))
    colours = [PALETTE["bar"] if h == "H2" else "#c77c02" for h in rows["hypothesis"]]
    for yi, row, colour in zip(y, rows.itertuples(), colours):
        ax.errorbar(row.proportion, yi, xerr=[[row.proportion - row.ci_low], [row.ci_high - row.proportion]],
                    fmt="o", color=colour, capsize=3)
    ax.axvline(0.5, color="#b22222", linestyle="--", linewidth=1, label=TEXT[lang]["threshold_line"])
    ax.set_yticks(list(y), [f"{h} · {hypothesis_indicator_label(i, lang)}" for h, i in zip(rows["hypothesis"], rows["indicator"])])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(TEXT[lang]["proportion"])
    ax.set_title(TEXT[lang]["forest"], loc="left", fontsize=11)
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, -0.1), fontsize=8, frameon=False)
    _footer(fig, survey, lang)
    fig.tight_layout()
    return fig


def threshold_sensitivity_plot(sensitivity: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA):
    """One-sided p-value and directional Bayes factor of H2's primary share against each threshold."""
    check_lang(lang)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.plot(sensitivity["threshold"], sensitivity["p_value"], marker="o", color=PALETTE["bar"])
    left.axhline(alpha, color="#b22222", linestyle="--", linewidth=1)
    left.set_yscale("log")
    left.set_xlabel(TEXT[lang]["threshold"])
    left.set_ylabel(TEXT[lang]["p_one_sided"])
    right.plot(sensitivity["threshold"], sensitivity["bf_plus"], marker="o", color="#c77c02")
    right.axhline(1, color="#777777", linestyle=":", linewidth=1)
    right.set_yscale("log")
    right.set_xlabel(TEXT[lang]["threshold"])
    right.set_ylabel(TEXT[lang]["bf_plus"])
    fig.suptitle(TEXT[lang]["sensitivity"], x=0.01, ha="left", fontsize=11)
    fig.tight_layout()
    return fig


def sample_size_plot(plan_table: pd.DataFrame, lang: str = "fr", alpha: float = plan.ALPHA, *, n_now: int):
    """Margin of error against n, with the n each goal of the sample-size plan needs."""
    from .power import margin_of_error

    check_lang(lang)
    ns = np.unique(np.geomspace(10, 2000, 80).astype(int))
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(ns, margin_of_error(ns, alpha), color=PALETTE["bar"])
    ax.axvline(n_now, color="#777777", linestyle=":", linewidth=1)
    ax.text(n_now * 1.05, 0.02, f"n = {n_now}", fontsize=8, color="#555555")
    for row in plan_table[plan_table["kind"] == "power"].itertuples():
        ax.axvline(row.n, color="#c77c02", linestyle="--", linewidth=0.8)
        ax.text(row.n * 1.03, 0.27, f"n = {row.n}", rotation=90, fontsize=7, color="#c77c02", va="top")
    ax.set_xscale("log")
    ax.set_ylim(0, 0.3)
    ax.set_xlabel(TEXT[lang]["n"])
    ax.set_ylabel(TEXT[lang]["margin"])
    ax.set_title(TEXT[lang]["planner"], loc="left", fontsize=11)
    fig.tight_layout()
    return fig
