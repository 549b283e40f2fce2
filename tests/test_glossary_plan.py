"""Words the methods work promises: the students' glossary and the plan's statements about itself."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _markdown(notebook):
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_index_glossary_defines_every_term_students_meet():
    text = _markdown("index.ipynb")
    assert "## Glossary for students" in text
    glossary = text.split("## Glossary for students", 1)[1]
    for term in ("Exact test", "Holm", "Wilson interval", "Cramér's V", "MMI", "Identification range",
                 "Bayes factor", "PABAK and AC1", "Observed vs rebuilt"):
        assert f"**{term}" in glossary, term


def test_plan_says_what_is_true_about_when_it_was_written():
    from coopai import plan

    doc = plan.__doc__
    assert "fixed before any result" not in doc
    assert "git log -p --follow src/coopai/plan.py" in doc
    assert "When: the plan is `src/coopai/plan.py`" in plan.describe()


def test_plan_history_claim_holds_when_history_is_there():
    # The docstring says the plan was first committed after Table 1 was in the repository.
    import shutil
    import subprocess

    import pytest

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("no git history in this copy")

    def first_commit_time(path):
        out = subprocess.run(["git", "log", "--follow", "--format=%ct", "--", path], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
        return int(out[-1]) if out else None

    plan_time = first_commit_time("src/coopai/plan.py")
    table_time = first_commit_time("data/published/survey_aggregates.csv")
    if plan_time is None or table_time is None:
        pytest.skip("shallow history")
    assert table_time <= plan_time


def test_plan_sidedness_is_what_the_code_runs():
    from scipy import stats as sps

    from coopai import hypotheses, plan

    assert any("one-sided" in v for k, v in plan.SIDEDNESS.items() if k.startswith("H2"))
    check = hypotheses.proportion_check(21, 30, 0.5)
    assert "one-sided" in check["test"]
    assert check["p_value"] == sps.binomtest(21, 30, 0.5, alternative="greater").pvalue
    assert check["p_two_sided"] == sps.binomtest(21, 30, 0.5).pvalue


def test_residual_threshold_is_bonferroni_over_cells():
    import math

    from coopai import plan

    for alpha, cells in [(0.05, 1), (0.05, 16), (0.01, 12)]:
        t = plan.residual_threshold(alpha, cells)
        assert cells * math.erfc(t / math.sqrt(2)) == __import__("pytest").approx(alpha, rel=1e-9)
    assert plan.cramers_v_confidence(0.05) == 0.9 or abs(plan.cramers_v_confidence(0.05) - 0.9) < 1e-12
