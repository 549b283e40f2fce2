"""Literature coding: agreement statistics against hand computation, data integrity, no copied text."""
import numpy as np
import pandas as pd
import pytest

from coopai import config, hypotheses, literature as L
from coopai.published import read_sector_readings


def test_agreement_statistics_by_hand():
    # 10 units: both yes 2, first only 1, second only 1, both no 6.
    first = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    second = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    po = 8 / 10
    pe_kappa = 0.3 * 0.3 + 0.7 * 0.7            # each coder says yes 3 times in 10
    pi = 0.3
    pe_ac1 = 2 * pi * (1 - pi)
    got = L.agreement_statistics(first, second)
    assert got["agreement"] == pytest.approx(po)
    assert got["kappa"] == pytest.approx((po - pe_kappa) / (1 - pe_kappa))   # 0.5238
    assert got["pabak"] == pytest.approx(2 * po - 1)                         # 0.6
    assert got["ac1"] == pytest.approx((po - pe_ac1) / (1 - pe_ac1))         # 0.6552


def test_skewed_code_kappa_paradox():
    # 19 of 20 units agree on "no", one disagreement: kappa 0 but high agreement, PABAK and AC1 high.
    first = [0] * 20
    second = [0] * 19 + [1]
    got = L.agreement_statistics(first, second)
    assert got["agreement"] == pytest.approx(0.95) and got["pabak"] == pytest.approx(0.9)
    assert got["kappa"] == pytest.approx(0.0)  # Pe = 0.95 = Po
    assert pd.isna(L.agreement_statistics([0] * 5, [0] * 5)["kappa"])  # 0/0
    assert got["ac1"] == pytest.approx((0.95 - 2 * 0.025 * 0.975) / (1 - 2 * 0.025 * 0.975))


def test_coding_integrity():
    references, scheme = L.read_references(), L.read_scheme()
    coding = L.read_coding(references=references, scheme=scheme)
    assert set(coding["code"]) <= set(scheme["code"])
    assert set(coding["ref_id"]) <= set(references["ref_id"])
    assert set(references["ref_id"]) <= set(coding["ref_id"]), "every cited source is coded"
    assert references["ref_id"].is_unique
    assert (references["year"].str.fullmatch(r"\d{4}|unknown")).all()
    assert 18 <= coding["unit_id"].nunique() <= 30


def test_coding_refuses_an_unknown_code(tmp_path):
    bad = pd.read_csv(L.LITERATURE_DIR / "coding.csv", dtype=str)
    bad.loc[3, "code"] = "NOT_A_CODE"
    bad.to_csv(tmp_path / "coding.csv", index=False)
    with pytest.raises(ValueError, match=r"coding.csv, row 5, column 'code': 'NOT_A_CODE'"):
        L.read_coding(tmp_path / "coding.csv")


def test_human_second_coder_fixture(tmp_path):
    coding = L.read_coding()
    units = L.units(coding)
    human = coding[["unit_id", "code"]].copy()
    human = human[human["unit_id"] != "U01"]  # the second coder gave U01 no code
    human.to_csv(tmp_path / "second_coder.csv", index=False)
    loaded = L.read_second_coder(tmp_path / "second_coder.csv")
    table = L.agreement_table(coding, loaded, L.read_scheme()["code"], units["unit_id"], resamples=200)
    overall = table.set_index("code").loc["overall"]
    n_decisions = len(units) * len(L.read_scheme())
    disagreements = int((coding["unit_id"] == "U01").sum())
    assert overall["agreement"] == pytest.approx(1 - disagreements / n_decisions)
    assert L.read_second_coder(tmp_path / "absent.csv") is None


def test_bibtex_carries_only_what_is_known():
    references = L.read_references()
    bib = L.to_bibtex(references)
    assert bib.count("@") == len(references)
    assert "title" not in bib
    kotler = bib[bib.index("@misc{kotler,"):].split("}\n", 1)[0]
    assert "year" not in kotler
    assert "@techreport{unesco2024," in bib


def test_bibtex_preview_shows_whole_entries_and_counts_the_rest():
    bib = L.to_bibtex(L.read_references())
    preview = L.bibtex_preview(bib)
    shown, rest = preview.rsplit("\n\n% ", 1)
    entries = shown.split("\n\n")
    assert len(entries) == 4 and rest == f"{bib.count('@') - 4} more entries in references.bib"
    for entry in entries:  # each one exactly as the file has it, braces closed: nothing cut mid-word
        assert entry + "\n" in bib and entry.endswith("\n}") and entry.count("{") == entry.count("}")
    assert L.bibtex_preview(bib, entries=100) == bib.strip()  # all shown: no "more entries" line


def test_model_coverage_flags_parts_without_sources():
    coding = pd.DataFrame({"unit_id": ["U1"], "ref_id": ["a"], "code": ["AI_INTEGRATION"]})
    references = pd.DataFrame({"ref_id": ["a"], "authors_as_cited": ["A"]})
    coverage = L.model_coverage(coding, references).set_index("model_part")
    assert coverage.loc["AI integration (explanatory)", "n_sources"] == 1
    assert coverage.loc["H1: AI adoption improves marketing effectiveness", "sources"] == "none"


def test_longest_shared_run():
    assert L.longest_shared_run("one two three", "four five") == 0
    assert L.longest_shared_run("l'IA est un levier", "dit que l'IA est un outil") == 3


def package_texts():
    """Every sentence the package wrote about the paper's content."""
    texts = list(L.read_coding()["summary"].unique())
    texts += list(read_sector_readings()["paraphrase"])
    texts += list(hypotheses.read_hypotheses()["statement_en"])
    texts += list(pd.read_csv(config.DATA_DIR / "published/external_figures.csv")["quantity"])
    return texts


@pytest.mark.skipif(not config.SHARED_PAPER_TEXT.is_file(), reason="../shared/paper not present")
def test_no_sentence_of_the_paper_is_copied():
    paper = config.SHARED_PAPER_TEXT.read_text(encoding="utf-8")
    for text in package_texts():
        assert L.longest_shared_run(text, paper) < 12, text


def test_vectorized_bootstrap_statistics_match_the_single_computation():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=(50, 23))
    y = np.where(rng.random((50, 23)) < 0.8, x, 1 - x)
    many = L._agreement_arrays(x, y)
    for i in range(50):
        one = L.agreement_statistics(x[i], y[i])
        assert many["ac1"][i] == pytest.approx(one["ac1"])
        if not np.isnan(one["kappa"]):
            assert many["kappa"][i] == pytest.approx(one["kappa"])
