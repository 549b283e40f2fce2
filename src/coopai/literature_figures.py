"""The literature review's figures: sources per code, codes given together, sources by year.

Beside :mod:`coopai.literature`, which codes the review; the house style and palette come from
:mod:`coopai.figures`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .codebook import check_lang
from .figures import PALETTE

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
        "cooc": "Codes given together (citation x section units)",
        "timeline": "Cited sources by year of publication",
        "year": "Year",
        "unknown_year": "{k} source(s) without a year",
        "theme": "theme",
        "construct": "model construct",
    },
}


def code_frequency_plot(frequencies: pd.DataFrame, scheme: pd.DataFrame, lang: str = "fr"):
    """Sources per code, themes and model constructs told apart."""
    check_lang(lang)
    labels = scheme.set_index("code")[f"label_{lang}"]
    table = frequencies.sort_values(["kind", "n_sources"], ascending=[False, False]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(table) + 1.6))
    colours = [PALETTE["bar"] if k == "theme" else "#c77c02" for k in table["kind"]]
    ax.barh(range(len(table)), table["n_sources"], color=colours)
    ax.set_yticks(range(len(table)), [labels[c] for c in table["code"]])
    ax.invert_yaxis()
    ax.set_xlabel(TEXT[lang]["n_sources"])
    ax.set_title(TEXT[lang]["code_freq"], loc="left", fontsize=11)
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color=PALETTE["bar"], label=TEXT[lang]["theme"]),
                       Patch(color="#c77c02", label=TEXT[lang]["construct"])], loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def cooccurrence_heatmap(matrix: pd.DataFrame, scheme: pd.DataFrame, lang: str = "fr"):
    """Heatmap of how often two codes are given to the same unit."""
    check_lang(lang)
    labels = scheme.set_index("code")[f"label_{lang}"]
    short = [labels[c] if len(labels[c]) <= 38 else labels[c][:36] + "…" for c in matrix.index]
    fig, ax = plt.subplots(figsize=(9.5, 7.5))
    sns.heatmap(matrix.to_numpy(), annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax,
                xticklabels=short, yticklabels=short, linewidths=0.5)
    ax.tick_params(axis="x", rotation=60)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    ax.set_title(TEXT[lang]["cooc"], loc="left", fontsize=11)
    fig.tight_layout()
    return fig


def source_timeline(references: pd.DataFrame, lang: str = "fr"):
    """Number of cited sources per publication year; sources without a year are counted in a note."""
    check_lang(lang)
    years = pd.to_numeric(references["year"], errors="coerce")
    counts = years.dropna().astype(int).value_counts().sort_index()
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    ax.bar(counts.index, counts.to_numpy(), color=PALETTE["bar"])
    ax.set_xticks(list(counts.index))
    ax.tick_params(axis="x", rotation=45)
    ax.set_xlabel(TEXT[lang]["year"])
    ax.set_ylabel(TEXT[lang]["n_sources"])
    ax.set_title(TEXT[lang]["timeline"], loc="left", fontsize=11)
    missing = int(years.isna().sum())
    if missing:
        fig.text(0.01, -0.02, TEXT[lang]["unknown_year"].format(k=missing), fontsize=8, color=PALETTE["note"])
    fig.tight_layout()
    return fig
