"""Checking the papermill parameters every notebook takes: data, out, lang, alpha, seed."""
from __future__ import annotations

from pathlib import Path

from . import data, paths


def validate_parameters(data_path, out, lang="fr", alpha=0.05, seed=0) -> dict:
    """Check a notebook's parameters and return them typed; raise ``ValueError`` with a clear message.

    ``out`` is the folder the notebook writes its tables into (the Makefile points it at a
    staging folder and publishes it only when the whole notebook succeeded); it is created.

    Examples
    --------
    >>> p = validate_parameters("data/rebuilt/cooperatives.csv", "build/doctest", "en", 0.05, 1)
    >>> p["lang"], p["alpha"], p["data"].name
    ('en', 0.05, 'cooperatives.csv')
    >>> validate_parameters("data/rebuilt/cooperatives.csv", "build/doctest", alpha=1.5)
    Traceback (most recent call last):
    ...
    ValueError: parameter alpha must be a number in (0, 1), not 1.5
    """
    data.check_lang(lang)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"parameter alpha must be a number in (0, 1), not {alpha!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"parameter seed must be a non-negative integer, not {seed!r}")
    if not isinstance(data_path, (str, Path)) or not str(data_path):
        raise ValueError(f"parameter data must be a file path, not {data_path!r}")
    data_file = paths.resolve(data_path)
    if not data_file.is_file():
        raise ValueError(f"parameter data: no such file {data_path}")
    if not isinstance(out, (str, Path)) or not str(out):
        raise ValueError(f"parameter out must be a folder path, not {out!r}")
    out_dir = paths.resolve(out)
    (out_dir / "tables").mkdir(parents=True, exist_ok=True)
    return {"data": data_file, "out": out_dir, "tables": out_dir / "tables", "lang": lang,
            "alpha": float(alpha), "seed": seed}
