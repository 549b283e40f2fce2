"""Where the study's files live, relative to the repository root.

Paths are resolved from this file's location so that notebooks, tests and the
command line agree, whatever the working directory.
"""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
PUBLISHED_AGGREGATES = DATA_DIR / "published" / "survey_aggregates.csv"
CODEBOOK = DATA_DIR / "codebook.csv"
CATEGORY_LABELS = DATA_DIR / "category_labels.csv"
CONSTRAINTS = DATA_DIR / "constraints.csv"
REBUILT_DIR = DATA_DIR / "rebuilt"
REBUILT_DATASET = REBUILT_DIR / "cooperatives.csv"
PAPER_DIR = PROJECT_ROOT / "paper"
SHARED_PAPER_TEXT = PROJECT_ROOT.parent / "shared" / "paper" / "paper_text_fr.txt"


def resolve(path: str | Path) -> Path:
    """Return ``path`` as given when absolute, else relative to the project root.

    Examples
    --------
    >>> resolve("data/codebook.csv") == CODEBOOK
    True
    """
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def display(path: str | Path) -> str:
    """``path`` relative to the project root when inside it, for messages and outputs.

    Keeps machine-specific absolute paths out of committed files.

    Examples
    --------
    >>> display(CODEBOOK)
    'data/codebook.csv'
    """
    path = Path(path).resolve()
    try:
        return path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.as_posix()
