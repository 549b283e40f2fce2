"""The audit's statuses and bases on constructed cases, the ledger's coverage, and Newcombe's interval."""
import math

import pandas as pd
import pytest

from coopai import audit, config, stats
from coopai.survey import load_survey


@pytest.fixture(scope="module")
def loaded():
    return load_survey()


@pytest.fixture(scope="module")
def ledger(loaded):
    return audit.claims_ledger(loaded)


@pytest.mark.parametrize("printed, decimals, exact, status, rule", [
    (50.0, 2, 50.0, "reproduced", "exact"),
    (66.7, 1, 200 / 3, "rounding", "rounded (half up) to 1 decimal"),
    (73.30, 2, 220 / 3, "rounding", "rounded to 1 decimal, printed with 2"),
    (46.0, 0, 140 / 3, "rounding", "truncated"),
    (62.5, 1, 62.5, "reproduced", "exact"),
    (63.0, 0, 62.5, "rounding", "rounded (half up) to 0 decimals"),
    (41.0, 0, 140 / 3, "discrepancy", "no rounding rule fits"),
])
def test_rounding_status_rules(printed, decimals, exact, status, rule):
    assert audit.rounding_status(printed, decimals, exact) == (status, rule)


def test_sum_forced_to_100_is_recognised():
    assert audit.sums_to_100_rule([46, 27, 17, 10], [140 / 3, 80 / 3, 50 / 3, 10])
    assert not audit.sums_to_100_rule([47, 27, 17, 10], [140 / 3, 80 / 3, 50 / 3, 10])  # plain rounding, 101
    assert not audit.sums_to_100_rule([50, 25, 15, 10], [140 / 3, 80 / 3, 50 / 3, 10])  # not floor/ceil


def test_every_published_number_is_in_the_ledger(ledger, published):
    covered = set(ledger["aggregate_id"])
    assert set(published["aggregate_id"]) <= covered
    externals = pd.read_csv(config.EXTERNAL_FIGURES)
    assert set(externals["external_id"]) <= covered
    assert ledger["claim_id"].is_unique
    assert set(ledger["status"]) <= {"reproduced", "rounding", "discrepancy", "internal_inconsistency", "not_reproducible"}
    assert set(ledger["basis"]) <= {"by_construction", "derived", "rounding", "inferential", "observed", "external"}


def test_repeats_point_to_published_rows_without_copying(ledger, published):
    repeats = ledger[ledger["kind"] == "repeated_in_text"]
    source = published.set_index("aggregate_id")
    for row in repeats.itertuples():
        assert row.aggregate_id in source.index
    x01 = repeats.set_index("claim_id").loc["X01"]
    assert x01["published"] == pytest.approx(73.3) and x01["status"] == "rounding"  # "73,30" in the table


def test_bases_on_rebuilt_data(ledger):
    by_id = ledger.set_index("claim_id")
    assert by_id.loc["P-T04", "basis"] == "by_construction"   # a sector count the rebuild used
    assert by_id.loc["P-T01", "basis"] == "derived"           # total = sum of the sectors
    assert by_id.loc["P-T03", "basis"] == "derived"           # 100 % = 14 / 14
    assert by_id.loc["P-S05", "basis"] == "rounding"
    assert by_id.loc["E-E01", "basis"] == "external" and by_id.loc["E-E01", "status"] == "not_reproducible"


def test_discrepancy_on_a_changed_published_figure(loaded, published):
    edited = published.copy()
    edited.loc[edited["aggregate_id"] == "T17", "value"] = 60.0  # services' social media share misprinted
    claims = audit.printed_claims(loaded, edited).set_index("claim_id")
    assert claims.loc["P-T17", "status"] == "discrepancy"


def test_inconsistent_pair_and_its_repair(loaded, published):
    assert audit.consistency_claims(loaded, published).set_index("claim_id").loc["C1", "status"] == "internal_inconsistency"
    repaired = published.copy()
    repaired.loc[repaired["aggregate_id"] == "D05", "value"] = 40.0  # 18 + 12 = 30
    assert audit.consistency_claims(loaded, repaired).set_index("claim_id").loc["C1", "status"] == "reproduced"


def test_observed_data_are_never_by_construction(loaded, published):
    observed = loaded.copy()
    observed.attrs = {"rebuilt": False, "source_file": "x.csv"}
    claims = audit.printed_claims(observed, published)
    assert set(claims["basis"]) == {"observed"}


def test_newcombe_interval_textbook_and_formula():
    from statsmodels.stats.proportion import confint_proportions_2indep
    # Newcombe (1998b), example (a): 56/70 against 48/80, hybrid score (method 10): 0.0524 to 0.3339.
    low, high = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", compare="diff")
    assert (low, high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    l1, u1 = stats.wilson_interval(56, 70)
    l2, u2 = stats.wilson_interval(48, 80)
    d = 56 / 70 - 48 / 80
    assert low == pytest.approx(d - math.sqrt((56 / 70 - l1) ** 2 + (u2 - 48 / 80) ** 2))
    assert high == pytest.approx(d + math.sqrt((u1 - 56 / 70) ** 2 + (48 / 80 - l2) ** 2))


def test_replication_mode_verdicts(loaded, published):
    same = loaded.copy()
    same.attrs = {"rebuilt": False, "source_file": "same.csv"}
    ledger = audit.claims_ledger(same, published)
    comparison = audit.replication_comparison(ledger, same, published)
    assert len(comparison) > 20 and (comparison["replication_verdict"] == "consistent").all()
    # A survey of 3,000 where every cooperative uses social media differs from the paper's 50 %.
    big = pd.concat([loaded] * 100, ignore_index=True).assign(uses_social_media=True)
    big.attrs = {"rebuilt": False, "source_file": "big.csv"}
    comparison = audit.replication_comparison(audit.claims_ledger(big, published), big, published).set_index("claim_id")
    assert comparison.loc["P-T12", "replication_verdict"] == "different"
    assert comparison.loc["P-T02", "replication_verdict"] == "consistent"  # direct sales unchanged


def test_report_counts_come_from_the_ledger(ledger):
    report = audit.reproduction_report(ledger, "rebuilt")
    n_construction = int((ledger["basis"] == "by_construction").sum())
    assert f"**{len(ledger)}** ({n_construction} by construction" in report
    assert "rebuilt from the published aggregates" in report
