"""The literature review's figures: sources per code, codes given together, sources by year.

Beside :mod:`coopai.literature`, which codes the review; the layout, typography and palette
come from :mod:`coopai.figures` and :mod:`coopai.style`, as for every figure of the study.
"""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from . import figures, style
from .codebook import check_lang
from .style import PALETTE

#: Words of the literature figures, in French (the paper's language) and English.
TEXT = {
    "fr": {
        "code_freq": "Revue de littérature : sources par code",
        "n_sources": "Nombre de sources",
        "cooc": "Codes attribués ensemble (unités citation × section)",
        "timeline": "Sources citées par année de publication",
        "year": "Année",
        "unknown_year": "{k} source(s) sans année",
        "theme": "thème",
        "construct": "construit du modèle",
    },
    "en": {
        "code_freq": "Literature review: sources per code",
        "n_sources": "Number of sources",
        "cooc": "Codes given together (citation × section units)",
        "timeline": "Cited sources by year of publication",
        "year": "Year",
        "unknown_year": "{k} source(s) without a year",
        "theme": "theme",
        "construct": "model construct",
    },
}


def _say(lang: str, key: str, **values) -> str:
    """The text ``key`` in ``lang``, filled and typeset."""
    return style.typeset(TEXT[lang][key].format(**values), lang)


def code_frequency_plot(frequencies: pd.DataFrame, scheme: pd.DataFrame, lang: str = "fr"):
    """Sources per code, themes and model constructs told apart by colour and hatching."""
    from matplotlib.patches import Patch

    check_lang(lang)
    labels = scheme.set_index("code")[f"label_{lang}"]
    table = frequencies.sort_values(["kind", "n_sources"], ascending=[False, False]).reset_index(drop=True)
    fig, ax = figures.new_figure(8.5, 0.42 * len(table) + 1.9)
    looks = {"theme": (PALETTE["bar"], style.HATCHES[0]), "construct": (PALETTE["second"], style.HATCHES[1])}
    for kind, (colour, hatch) in looks.items():
        rows = table.index[table["kind"] == kind]
        ax.barh(rows, table.loc[rows, "n_sources"], color=colour, hatch=hatch, edgecolor="white", height=0.7)
    ax.set_yticks(range(len(table)), [figures.wrap(style.typeset(labels[c], lang), 44) for c in table["code"]])
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    style.use_integer_ticks(ax.xaxis)
    ax.xaxis.set_major_formatter(style.number_formatter(lang, 0))
    ax.set_xlabel(_say(lang, "n_sources"))
    ax.legend(handles=[Patch(facecolor=colour, hatch=hatch, edgecolor="white", label=_say(lang, kind))
                       for kind, (colour, hatch) in looks.items()], loc="lower right", fontsize=figures.NOTE_SIZE)
    figures.put_title(fig, _say(lang, "code_freq"))
    return fig


def cooccurrence_heatmap(matrix: pd.DataFrame, scheme: pd.DataFrame, lang: str = "fr"):
    """Heatmap of how often two codes are given to the same unit.

    Rows carry the codes' full labels, numbered; columns carry the numbers only, so that no
    label is cut or slanted.
    """
    check_lang(lang)
    labels = scheme.set_index("code")[f"label_{lang}"]
    numbers = [str(i + 1) for i in range(len(matrix.index))]
    rows = [figures.wrap(f"{number} · {style.typeset(labels[c], lang)}", 46) for number, c in zip(numbers, matrix.index)]
    fig, ax = figures.new_figure(9.5, 0.5 * len(matrix.index) + 1.6)
    sns.heatmap(matrix.to_numpy(), annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax,
                xticklabels=numbers, yticklabels=rows, linewidths=0.5, annot_kws={"fontsize": 9})
    ax.tick_params(axis="x", rotation=0)
    ax.tick_params(axis="y", rotation=0)
    ax.xaxis.tick_top()
    figures.put_title(fig, _say(lang, "cooc"))
    return fig


def source_timeline(references: pd.DataFrame, lang: str = "fr"):
    """Number of cited sources per publication year; sources without a year are counted in a note."""
    check_lang(lang)
    years = pd.to_numeric(references["year"], errors="coerce")
    counts = years.dropna().astype(int).value_counts().sort_index()
    missing = int(years.isna().sum())
    notes = [_say(lang, "unknown_year", k=missing)] if missing else []
    fig, ax = figures.new_figure(7.5, 3.6, notes)
    ax.bar(counts.index, counts.to_numpy(), color=PALETTE["bar"], width=0.7)
    ax.set_xticks(list(counts.index), [str(y) for y in counts.index])
    ax.grid(axis="x", visible=False)
    style.use_integer_ticks(ax.yaxis)
    ax.yaxis.set_major_formatter(style.number_formatter(lang, 0))
    ax.set_xlabel(_say(lang, "year"))
    ax.set_ylabel(_say(lang, "n_sources"))
    figures.put_title(fig, _say(lang, "timeline"))
    return fig
