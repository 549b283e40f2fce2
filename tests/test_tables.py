"""Tables for readers (Markdown, LaTeX, notebook displays) against the raw CSV."""
import re

import pandas as pd
import pytest

from coopai import style, tables


@pytest.fixture()
def raw():
    """Rows as the notebooks produce them: names, float counts (a NaN elsewhere), uneven floats, noise at zero."""
    return pd.DataFrame({
        "indicator": ["reports_ai_barriers", "lacks:has_stable_internet", "digital_tool_status=none"],
        "k": [21.0, 19.0, float("nan")],
        "n": [30.0, 30.0, 30.0],
        "chi2": [3.622, 30.57, 12.0],
        "p_value": [0.021, 1.8e-08, 0.5],
        "kappa_ci_low": [-1.27676e-15, -0.0747664, 0.75],
        "exceeds": [True, False, True],
    })


def test_markdown_shows_labels_integers_and_one_precision_per_column(raw, tmp_path):
    tables.write_table(raw, "t", tmp_path, caption="Demo.")
    md = (tmp_path / "t.md").read_text()
    assert "reports_ai_barriers" not in md and "Reports barriers or resistance to AI adoption" in md
    assert "No stable internet access" in md and "No digital practice" in md
    body = [line.split("|")[1:-1] for line in md.splitlines()[4:]]
    cells = pd.DataFrame([[c.strip() for c in row] for row in body])
    assert cells[1].tolist() == ["21", "19", ""] and cells[2].tolist() == ["30", "30", "30"]
    assert cells[3].tolist() == ["3.62", "30.57", "12.00"]
    assert cells[4].tolist() == ["2.10×10⁻²", "1.80×10⁻⁸", "5.00×10⁻¹"]  # one form for the column
    assert cells[5].tolist() == ["0.0000", "−0.0748", "0.7500"]
    assert not re.search(r"[-−]0\.0+\b(?!\d)", md), "negative zero"
    assert cells[6].tolist() == ["yes", "no", "yes"]


def test_french_tables_use_french_labels_and_decimals(raw):
    shown = tables.readable(raw, "fr")
    assert shown.columns[0] == "Indicateur"
    assert shown.iloc[1, 0] == "Pas d’accès Internet stable"
    assert shown["chi2"].tolist() == ["3,62", "30,57", "12,00"]
    assert shown["exceeds"].tolist() == ["oui", "non", "oui"]


def test_csv_stays_raw_and_machine_readable(raw, tmp_path):
    tables.write_table(raw, "t", tmp_path)
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["indicator"].tolist() == raw["indicator"].tolist()
    assert back["p_value"].tolist() == pytest.approx(raw["p_value"].tolist())


def test_latex_is_pdflatex_text(raw, tmp_path):
    tables.write_table(raw, "t", tmp_path, caption="Demo.")
    tex = (tmp_path / "t.tex").read_text()
    assert "−" not in tex and "\u00a0" not in tex and "\u202f" not in tex and "⁻" not in tex
    assert "$\\times10^{-8}$" in tex and "$-$0.0748" in tex


def test_notebook_display_shows_whole_strings():
    tables.configure_display()
    long = pd.DataFrame({"note": ["x" * 300]})
    assert "..." not in long.to_string() and "…" not in repr(long)


def test_a_missing_tests_reason_is_shown_in_the_readers_language():
    """The sector tests' `reason` column is English data (the CSV); a displayed table words it in
    the run's language, and leaves a reason it does not know, or none, as it is."""
    from coopai import narrative, sector_tests

    counts = pd.DataFrame([[3, 2], [0, 0]], index=["Agriculture", "Artisanat"], columns=[False, True])
    english = sector_tests.not_computable_reason(counts)
    table = pd.DataFrame({"practice": ["direct_sales", "uses_social_media", "x"], "reason": [english, "", "other"]})
    shown = {lang: tables.readable(table, lang, headers=False)["reason"].tolist() for lang in ("fr", "en")}
    assert shown["en"] == [english, "", "other"]
    assert shown["fr"][0] == style.typeset(narrative.reason_text("reason_one_sector", "fr",
                                                                           sector="Agriculture"), "fr")
    assert shown["fr"][0].startswith("un seul secteur (Agriculture)") and shown["fr"][1:] == ["", "other"]
