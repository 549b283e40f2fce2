"""The rebuild reproduces every published count, keeps its constraints, and follows its inputs."""
import pandas as pd
import pytest

from coopai import config, rebuild
from coopai.codebook import SECTORS, allowed_values, constraint_breaches, read_codebook, read_constraints
from coopai.published import PublishedDataError, compare_with_published, total_only_counts
from coopai.survey import add_derived_variables


def test_canonical_rebuild_reproduces_every_published_count(rebuilt, published):
    survey, _ = rebuilt
    comparison = compare_with_published(add_derived_variables(survey), published)
    counts = comparison[comparison["unit"] == "count"]
    assert len(counts) == 25 and counts["matches"].all()
    # Independent recount with pandas crosstab, not the package's own counter.
    crosstab = pd.crosstab(survey["sector"], survey["uses_social_media"])
    assert crosstab[True].reindex(list(SECTORS)).tolist() == [4, 5, 4, 2]
    for rec in total_only_counts(published).itertuples():
        column = add_derived_variables(survey)[rec.variable]
        got = int((column == rec.category).sum()) if rec.category else int(column.sum())
        assert got == rec.count, rec.aggregate_id


def test_contradiction_is_kept_and_declared(rebuilt):
    survey, notes = rebuilt
    status = survey["digital_tool_status"].value_counts().to_dict()
    assert status == {"uses": 18, "none": 6, "unclassified": 6}
    assert any("Contradiction kept as printed" in note and "6 in neither group" in note for note in notes)
    codebook = read_codebook()
    assert "unclassified" in allowed_values(codebook, "digital_tool_status")
    assert "unclassified" in codebook.loc["digital_tool_status", "note"]


def test_rebuild_keeps_every_constraint(rebuilt):
    breaches = constraint_breaches(add_derived_variables(rebuilt[0]), read_constraints())
    assert breaches.empty


def test_rebuild_is_deterministic_and_committed_file_is_current(rebuilt):
    again, _ = rebuild.rebuild_cooperatives()
    assert again.equals(rebuilt[0])
    committed = config.REBUILT_DATASET.read_text(encoding="utf-8")
    assert committed == rebuild.to_csv_text(rebuilt[0]), "run `make all` (or python -m coopai.rebuild)"


def test_seeded_rebuilds_are_valid_reproducible_and_different(published):
    draws = [rebuild.rebuild_cooperatives(published, seed=s)[0] for s in range(5)]
    assert draws[0].equals(rebuild.rebuild_cooperatives(published, seed=0)[0])
    assert len({d.drop(columns="cooperative_id").to_csv() for d in draws}) == 5
    constraints = read_constraints()
    for draw in draws:
        assert constraint_breaches(add_derived_variables(draw), constraints).empty
        cmp = compare_with_published(add_derived_variables(draw), published)
        assert cmp.loc[cmp["unit"] == "count", "matches"].all()


def _edit(published, **values):
    edited = published.copy()
    for aggregate_id, value in values.items():
        edited.loc[edited["aggregate_id"] == aggregate_id, "value"] = float(value)
    return edited


def test_rebuild_follows_a_changed_published_count(published):
    # Services: 3 social-media users instead of 4 (and the total 14 instead of 15).
    edited = _edit(published, T18=3, T11=14)
    survey, _ = rebuild.rebuild_cooperatives(edited)
    assert int(survey.loc[survey["sector"] == "Services", "uses_social_media"].sum()) == 3
    assert int(survey["uses_social_media"].sum()) == 14
    # A total-only percentage: 40 % stable internet gives 12 cooperatives.
    survey, _ = rebuild.rebuild_cooperatives(_edit(published, D03=40))
    assert int(survey["has_stable_internet"].sum()) == 12


def test_rebuild_fails_clearly_when_counts_cannot_hold(published):
    # 40 % digital-tool users (12) cannot contain the 15 social-media users of Table 1.
    with pytest.raises(PublishedDataError, match="only 12 are published as using a digital tool"):
        rebuild.rebuild_cooperatives(_edit(published, D01=40))
    # Heard of AI 20 %, interested 56.7 %, neither 10 %: the overlap would be -4.
    with pytest.raises(PublishedDataError, match="cannot all hold"):
        rebuild.rebuild_cooperatives(_edit(published, A05=10))
    with pytest.raises(PublishedDataError, match="sector sizes add up to 31"):
        rebuild.rebuild_cooperatives(_edit(published, S04=4))


def test_cli_writes_to_its_out_folder_only(tmp_path):
    assert rebuild.main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cooperatives.csv", "cooperatives.dta", "cooperatives.sav",
                                                          "cooperatives.xlsx", "rebuild_report.md"]
    assert "rebuilt from the published aggregates" in (tmp_path / "rebuild_report.md").read_text()
    # The committed files are the current ones, byte for byte (the exports' creation times are fixed).
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (config.REBUILT_DIR / path.name).read_bytes(), path.name
