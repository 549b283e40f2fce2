"""Where the study's files live, and the checks of a run's parameters.

Every path the package reads or writes by default is here, resolved from this file's
location so that notebooks, tests and the command line agree, whatever the working
directory. The statistical plan (alpha, tests, thresholds) is :mod:`coopai.plan`.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
PUBLISHED_DIR = DATA_DIR / "published"
PUBLISHED_AGGREGATES = PUBLISHED_DIR / "survey_aggregates.csv"
SECTOR_READINGS = PUBLISHED_DIR / "sector_readings.csv"
HYPOTHESES = PUBLISHED_DIR / "hypotheses.csv"
EXTERNAL_FIGURES = PUBLISHED_DIR / "external_figures.csv"
TEXT_REPEATS = DATA_DIR / "audit" / "text_repeats.csv"
CODEBOOK = DATA_DIR / "codebook.csv"
CATEGORY_LABELS = DATA_DIR / "category_labels.csv"
CONSTRAINTS = DATA_DIR / "constraints.csv"
LITERATURE_DIR = DATA_DIR / "literature"
INSTRUMENT = DATA_DIR / "instrument" / "coopai_questionnaire.xlsx"
REBUILT_DIR = DATA_DIR / "rebuilt"
REBUILT_DATASET = REBUILT_DIR / "cooperatives.csv"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
PAPER_DIR = PROJECT_ROOT / "paper"
#: Private run folders, the notebook cache, run records, temporary files: ``COOPAI_BUILD`` when set
#: (tests point it at a temporary folder, so that they never write into the repository).
BUILD_DIR = Path(os.environ.get("COOPAI_BUILD") or PROJECT_ROOT / "build").resolve()
#: Temporary files are made here, on the same file system as the outputs, so a rename publishes them.
SCRATCH_DIR = BUILD_DIR / "tmp"
#: The statistical plan's significance level (two-sided, by convention) and the seed of every random
#: draw: the defaults of the ALPHA and SEED parameters (coopai.plan re-exports them).
ALPHA = 0.05
SEED = 20250831
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


def validate_parameters(data_path, out, lang="fr", alpha=None, seed=0) -> dict:
    """Check a notebook's parameters and return them typed; raise ``ValueError`` with a clear message.

    ``out`` is the folder the notebook writes its tables into (the Makefile points it at a
    staging folder and publishes it only when the whole notebook succeeded); it is created.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     p = validate_parameters("data/rebuilt/cooperatives.csv", folder, "en", 0.05, 1)
    ...     p["lang"], p["alpha"], p["data"].name, p["tables"].is_dir()
    ('en', 0.05, 'cooperatives.csv', True)
    >>> validate_parameters("data/rebuilt/cooperatives.csv", "never/created", alpha=1.5)
    Traceback (most recent call last):
    ...
    ValueError: parameter alpha must be a number in (0, 1), not 1.5
    """
    from .codebook import check_lang  # codebook reads its files from here: imported when called
    from .plan import ALPHA  # the plan's one default (plan imports the codebook, which imports this module)

    check_lang(lang)
    alpha = ALPHA if alpha is None else alpha
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"parameter alpha must be a number in (0, 1), not {alpha!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"parameter seed must be a non-negative integer, not {seed!r}")
    if not isinstance(data_path, (str, Path)) or not str(data_path):
        raise ValueError(f"parameter data must be a file path, not {data_path!r}")
    data_file = resolve(data_path)
    if not data_file.is_file():
        raise ValueError(f"parameter data: no such file {data_path}")
    if not isinstance(out, (str, Path)) or not str(out):
        raise ValueError(f"parameter out must be a folder path, not {out!r}")
    out_dir = resolve(out)
    (out_dir / "tables").mkdir(parents=True, exist_ok=True)
    return {"data": data_file, "out": out_dir, "tables": out_dir / "tables", "lang": lang,
            "alpha": float(alpha), "seed": seed}
