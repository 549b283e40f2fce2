"""Replication mode on generated surveys of another size: shares with their own n, Newcombe intervals
against R, verdicts with direction, and a report that says what it was generated from."""
import numpy as np
import pandas as pd
import pytest

from coopai import audit, codebook, plan, synthetic
from coopai.survey import AssumptionWarning, load_survey
from conftest import ROOT

R = pd.read_csv(ROOT / "tests" / "fixtures" / "r_numerics.csv", comment="#")


def load_generated(tmp_path, n, seed=0):
    path = tmp_path / f"generated_{n}.csv"
    synthetic.generate_survey(n, seed=seed).to_csv(path, index=False)
    with pytest.warns(AssumptionWarning):
        return load_survey(path), path


@pytest.fixture(scope="module")
def survey500(tmp_path_factory):
    return load_generated(tmp_path_factory.mktemp("s500"), 500)


@pytest.fixture(scope="module")
def ledger500(survey500, published):
    return audit.claims_ledger(survey500[0], published)


@pytest.mark.parametrize("quantity", ["newcombe_low", "newcombe_high"])
def test_newcombe_interval_matches_r(quantity):
    import re
    for row in R[R["quantity"] == quantity].itertuples():
        k1, n1, k2, n2, level = re.fullmatch(r"k1=(\d+) n1=(\d+) k2=(\d+) n2=(\d+) level=([\d.]+)", row.case).groups()
        got = audit.share_comparison(int(k1), int(n1), int(k2), int(n2), alpha=1 - float(level))
        assert got["diff_ci_low" if quantity == "newcombe_low" else "diff_ci_high"] == pytest.approx(row.value, abs=1e-9)


def test_replication_never_compares_counts_across_sizes(survey500, ledger500, published):
    survey, _ = survey500
    printed = ledger500[ledger500["kind"] == "printed"].set_index("claim_id")
    # Before: a count of 500 against a count of 30 was a 'discrepancy' for every printed count.
    assert set(printed["status"]) <= {"consistent", "different", "not_compared"}
    assert not {"rounding", "discrepancy", "reproduced"} & set(ledger500.loc[ledger500["kind"].isin(
        ["printed", "repeated_in_text"]), "status"])
    # A sector count (Agriculture 14 of 30) is compared as a share against this survey's share.
    agriculture = published[(published["variable"] == "sector") & (published["category"] == "Agriculture")
                            & (published["unit"] == "count")].iloc[0]
    row = printed.loc[f"P-{agriculture.aggregate_id}"]
    k_new = int((survey["sector"] == "Agriculture").sum())
    assert row["published"] == pytest.approx(100 * 14 / 30)
    assert row["reproduced"] == pytest.approx(100 * k_new / 500)
    assert f"paper 14/30, this survey {k_new}/500" in row["rule"]


def test_replication_comparison_has_interval_and_verdict_for_every_share(survey500, ledger500, published):
    survey, _ = survey500
    comparison = audit.replication_comparison(ledger500, survey, published)
    printed = ledger500[(ledger500["kind"] == "printed") & (ledger500["status"] != "not_compared")]
    assert set(comparison["claim_id"]) == set(printed["claim_id"])
    assert (comparison["diff_ci_low"] <= comparison["difference"]).all()
    assert (comparison["difference"] <= comparison["diff_ci_high"]).all()
    verdict = np.where((comparison["diff_ci_low"] <= 0) & (comparison["diff_ci_high"] >= 0), "consistent", "different")
    assert (comparison["replication_verdict"] == verdict).all()
    # The ledger's status is the comparison's verdict.
    by_id = printed.set_index("claim_id")["status"]
    assert (comparison.set_index("claim_id")["replication_verdict"] == by_id.loc[comparison["claim_id"]].values).all()


def test_replication_interval_follows_alpha(survey500, published):
    survey, _ = survey500
    wide = audit.claims_ledger(survey, published, alpha=0.01)
    assert wide["rule"].str.contains("Newcombe 99% interval").any()
    assert not wide["rule"].str.contains("95%").any()


def test_report_opens_with_its_provenance(survey500, ledger500, published):
    survey, path = survey500
    provenance = audit.run_provenance(path, survey, 0.01, 7)
    ledger = audit.claims_ledger(survey, published, seed=7, alpha=0.01)
    comparison = audit.replication_comparison(ledger, survey, published, alpha=0.01)
    report = audit.reproduction_report(ledger, "observed", comparison, provenance)
    head = report.split("## ")[0]
    import hashlib
    assert hashlib.sha256(path.read_bytes()).hexdigest() in head
    assert "generated_500.csv" in head and "Cooperatives: 500" in head and "**observed**" in head
    assert "alpha = 0.01, seed = 7" in head
    assert "from `paper/claims.csv`" not in report
    assert "Newcombe 99% interval" in report and "95%" not in report and "95 %" not in report


def test_rebuilt_report_names_the_rebuilt_file(published):
    survey = load_survey()
    provenance = audit.run_provenance(ROOT / "data/rebuilt/cooperatives.csv", survey, plan.ALPHA, 1)
    assert provenance["data_file"] == "data/rebuilt/cooperatives.csv" and provenance["origin"] == "rebuilt"
    assert provenance["n"] == 30


def _flip_heard(survey, rates):
    """heard_of_ai drawn per sector at the given rates (a constructed direction)."""
    rng = np.random.default_rng(3)
    out = survey.copy()
    p = out["sector"].map(dict(zip(codebook.SECTORS, rates))).astype(float).to_numpy()
    out["heard_of_ai"] = rng.random(len(out)) < p
    out.attrs = dict(survey.attrs)
    return out


def test_r5_verdict_checks_direction_on_observed_data(survey500):
    survey, _ = survey500
    # Scarcer in agriculture and crafts, as the paper reads: supported.
    scarcer = _flip_heard(survey, (0.1, 0.1, 0.6, 0.6))
    claim = audit.observed_r5_claim(scarcer)
    assert claim["status"] == "reproduced" and "supported" in claim["rule"]
    # The same significance with the direction flipped (crafts know AI more): contradicted, not reproduced.
    flipped = _flip_heard(survey, (0.1, 0.9, 0.1, 0.1))
    claim = audit.observed_r5_claim(flipped)
    assert claim["reproduced"] < 0.05  # significant: the old rule (p < alpha) called this reproduced
    assert claim["status"] == "discrepancy" and "contradicted" in claim["rule"]
    assert "Artisanat +" in claim["note"]


def test_total_only_family_is_declared_and_matches_the_identified_variables():
    from coopai import identification
    assert plan.FAMILIES["total_only_observed"] == tuple(identification.VARIABLES)
    assert "observed data only" in plan.describe()
