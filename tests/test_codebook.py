"""The study's fixed lists are read once, from data/, and every module uses that one reading."""
import re

import pandas as pd
import pytest

from coopai import codebook, formats, plan, power, synthetic
from coopai.published import paper_sector_sizes, read_published_aggregates, sample_size, sector_sizes
from conftest import ROOT


def test_sectors_and_practices_come_from_the_codebook_file():
    book = pd.read_csv(ROOT / "data/codebook.csv", dtype=str, keep_default_na=False).set_index("name")
    assert codebook.SECTORS == tuple(book.loc["sector", "allowed_values"].split("|"))
    in_table1 = [name for name, row in book.iterrows()
                 if row["type"] == "boolean" and row["role"] == "survey" and "Tableau 1" in row["published_in"]]
    assert codebook.PRACTICES == tuple(in_table1) and len(in_table1) == 4


@pytest.mark.parametrize("extra", [0, 2])
def test_table1_practices_follow_a_codebook_of_another_size(extra):
    book = codebook.read_codebook()
    added = pd.DataFrame([{**book.loc["direct_sales"].to_dict(), "published_in": f"X{i}; Tableau 1"}
                          for i in range(extra)], index=[f"practice_{i}" for i in range(extra)])
    dropped = book.drop(index="sells_online_platform")
    grown = pd.concat([dropped, added]) if extra else dropped
    got = codebook.table1_practices(grown)
    assert len(got) == 3 + extra and "sells_online_platform" not in got
    assert got[:3] == ("direct_sales", "uses_social_media", "attends_trade_fairs")


def test_every_module_uses_the_one_reading():
    assert plan.FAMILIES["table1_practices"] is codebook.PRACTICES
    assert formats.SELECT_MULTIPLE["marketing_practices"] is codebook.PRACTICES
    assert tuple(synthetic.PRACTICE_RATES) == codebook.PRACTICES
    published = read_published_aggregates()
    assert power.SECTOR_SIZES == paper_sector_sizes() == tuple(sector_sizes(published))
    assert sum(paper_sector_sizes()) == sample_size(published)
    assert synthetic.SECTOR_SHARES == pytest.approx([n / sample_size(published) for n in paper_sector_sizes()])


def test_no_second_copy_of_the_fixed_lists_in_the_code():
    """Code (not doctest output) never spells the practices or the sector sizes out again."""
    practices = re.compile(r'"direct_sales",\s*"uses_social_media",\s*"sells_online_platform"')
    sizes = re.compile(r"\(14,\s*8,\s*5,\s*3\)|14\s*/\s*30|axvline\(30")
    for path in sorted((ROOT / "src/coopai").glob("*.py")):
        code = "\n".join(line for line in path.read_text().splitlines()
                         if not line.lstrip().startswith((">>>", "...", "(", "'", "{")))
        assert not practices.search(code), path.name
        assert not sizes.search(code), path.name


def test_power_figure_says_the_sizes_it_was_given():
    from coopai import figures
    sizes = (140, 80, 50, 30)
    simulated = pd.DataFrame({"w": [0.3], "n": [sum(sizes)], "power_exact": [0.9], "power_exact_se": [0.01]})
    curve = pd.DataFrame({"n": [100, 1000], "w": [0.3, 0.3], "power": [0.5, 1.0]})
    fig = figures.power_curve_plot(curve, simulated, lang="en", sizes=sizes)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("n = 300, sectors 140/80/50/30" in label for label in labels), labels
    assert [line.get_xdata()[0] for line in fig.axes[0].get_lines() if line.get_linestyle() == ":"] == [300]
