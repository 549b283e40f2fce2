"""The transcribed aggregates: complete, consistent with one another, and read correctly."""
import pytest

from coopai import codebook
from coopai.published import (PublishedDataError, implied_count, sample_size, sector_sizes, table1_counts,
                              total_only_counts)


def test_every_printed_number_has_a_location(published):
    assert published["aggregate_id"].is_unique
    assert (published["location"] != "").all()
    assert published["page"].str.fullmatch(r"7[45]\d|76\d").all()


def test_sector_sizes_and_sample_size(published):
    assert sample_size(published) == 30
    assert sector_sizes(published).tolist() == [14, 8, 5, 3]


def test_table1_totals_are_the_sum_of_sectors(published):
    counts = table1_counts(published)
    assert counts.sum(axis=1).to_dict() == {"direct_sales": 22, "uses_social_media": 15,
                                            "sells_online_platform": 7, "attends_trade_fairs": 13}


def test_table1_printed_sector_percentages_round_from_counts(published):
    sizes = sector_sizes(published)
    counts = table1_counts(published)
    rows = published[(published["unit"] == "percent") & published["variable"].isin(codebook.PRACTICES)
                      & (published["sector"] != "Total")]
    for row in rows.itertuples():
        exact = 100 * counts.loc[row.variable, row.sector] / sizes[row.sector]
        assert abs(exact - row.value) <= 0.05 + 1e-9, row.aggregate_id


@pytest.mark.parametrize("percent, decimals, expected", [(60, 0, 18), (36.7, 1, 11), (23.3, 1, 7), (56.7, 1, 17),
                                                         (70, 0, 21), (10, 0, 3), (30, 0, 9)])
def test_implied_count_inverts_rounding(percent, decimals, expected):
    assert implied_count(percent, 30, decimals) == expected
    # Independent check: the count, turned back into a percentage, prints as published.
    assert round(100 * expected / 30, decimals) == pytest.approx(percent)


def test_implied_count_refuses_an_ambiguous_or_impossible_percentage():
    with pytest.raises(PublishedDataError, match="not exactly one"):
        implied_count(50, 300, 0)  # 149, 150 and 151 all print as 50 %
    with pytest.raises(PublishedDataError):
        implied_count(51.5, 30, 1)


def test_table1_refuses_inconsistent_totals(published):
    broken = published.copy()
    broken.loc[broken["aggregate_id"] == "T11", "value"] = 16.0
    with pytest.raises(PublishedDataError, match="uses_social_media"):
        table1_counts(broken)


def test_total_only_counts(published):
    counts = total_only_counts(published).set_index("aggregate_id")["count"].to_dict()
    assert counts == {"D01": 18, "D02": 9, "D03": 11, "D04": 7, "D05": 6,
                      "A01": 6, "A02": 3, "A03": 17, "A04": 21, "A05": 9}
