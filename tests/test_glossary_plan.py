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
