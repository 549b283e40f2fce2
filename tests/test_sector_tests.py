"""The sector table counts with category codes; pandas' crosstab is the independent count."""
import warnings

import numpy as np
import pandas as pd
import pytest

from coopai import codebook, synthetic
from coopai.published import compare_with_published, published_count_of, read_published_aggregates
from coopai.sector_tests import sector_table
from coopai.survey import load_survey


def crosstab_table(survey, variable, group="sector"):
    column = survey[variable]
    categories = [False, True] if column.dtype == bool else list(column.cat.categories)
    rows = list(codebook.SECTORS) if group == "sector" else sorted(survey[group].unique())
    return pd.crosstab(survey[group], column).reindex(index=rows, columns=categories, fill_value=0)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "survey.csv"
    synthetic.generate_survey(400, seed=5).to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_survey(path)


@pytest.mark.parametrize("variable", ["uses_social_media", "digital_tool_status", "heard_of_ai", "direct_sales"])
@pytest.mark.parametrize("drop", [None, "Autres"])
def test_sector_table_equals_crosstab(generated, variable, drop):
    survey = generated if drop is None else generated[generated["sector"] != drop]
    got = sector_table(survey, variable)
    expected = crosstab_table(survey, variable)
    assert got.to_numpy().tolist() == expected.to_numpy().tolist()
    assert list(got.index) == list(codebook.SECTORS) and got.index.name == "sector"
    assert got.columns.name == variable and int(got.to_numpy().sum()) == len(survey)
    if drop:
        assert got.loc[drop].sum() == 0


def test_sector_table_by_another_group(generated):
    got = sector_table(generated, "uses_social_media", group="digital_tool_status")
    assert got.to_numpy().tolist() == crosstab_table(generated, "uses_social_media", "digital_tool_status").to_numpy().tolist()


def test_compare_with_published_counts_as_row_filtering_does(generated):
    published = read_published_aggregates()
    table = compare_with_published(generated, published)
    for rec in table.itertuples(index=False):
        rows = generated if rec.sector == "Total" else generated[generated["sector"] == rec.sector]
        if rec.variable == "sample_size":
            expected = len(rows)
        elif rec.variable == "sector":
            expected = int((rows["sector"] == rec.category).sum())
        elif rec.category:
            expected = int((rows[rec.variable] == rec.category).sum())
        else:
            expected = int(rows[rec.variable].sum())
        assert published_count_of(generated, rec.variable, rec.category, rec.sector) == expected
        got = rec.recomputed if rec.unit == "count" else rec.recomputed * len(rows) / 100
        assert got == pytest.approx(expected), rec.aggregate_id
