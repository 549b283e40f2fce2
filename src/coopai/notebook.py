"""The one set-up call every notebook makes after its parameters cell.

It checks the papermill parameters (:func:`coopai.config.validate_parameters`), sets the
figures' style and output formats, loads the run's survey file with
:func:`coopai.survey.load_survey` and shows the data line (:func:`coopai.narrative.data_notice`),
so the five notebooks do not each repeat these steps.
"""
from __future__ import annotations

from . import config, narrative, tables


def setup(data, out, lang="fr", alpha=None, seed=0, *, load=True, figures=True, design=None) -> dict:
    """Check a notebook's parameters, prepare its figures, load and announce its survey.

    Parameters
    ----------
    data : str or Path
        The survey file the run analyses (relative paths from the repository root).
    out : str or Path
        The folder the notebook writes into (created, with its ``tables/``).
    lang, alpha, seed
        The papermill parameters, checked by :func:`coopai.config.validate_parameters`.
    load : bool
        Load the survey (notebook 01, the literature review, does not use it).
    figures : bool
        Set the house style and the PNG + SVG output the exporter extracts (notebook 05 draws none).
    design : coopai.design.Design, optional
        The run's declared survey design: its columns are kept and checked by the loader, and
        the design is named under the data line.

    Returns
    -------
    dict
        The checked parameters (``data, out, tables, lang, alpha, seed``) plus ``survey`` (the
        validated DataFrame, or None when ``load`` is False) and ``origin`` (``"rebuilt"`` or
        ``"observed"``, :func:`coopai.tables.data_origin`; None without a survey).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     run = setup("data/rebuilt/cooperatives.csv", folder, "en", 0.05, 1, figures=False)
    **Data:** `cooperatives.csv`, 30 cooperatives, origin: **rebuilt** (rebuilt from the published aggregates, not the original answers)
    >>> len(run["survey"]), run["origin"], run["lang"]
    (30, 'rebuilt', 'en')
    """
    run = config.validate_parameters(data, out, lang, alpha, seed)
    tables.configure_display()
    if figures:
        from .figures import configure_notebook_output

        configure_notebook_output()
    run["survey"] = run["origin"] = None
    if load:
        from .survey import load_survey

        run["survey"] = load_survey(run["data"], design=design)
        run["origin"] = tables.data_origin(run["survey"])
        # Every table this notebook writes names the design (or, none declared, stays as it was).
        tables.declare_design(design.describe() if design else "")
        _show_markdown(narrative.data_notice(run["survey"], run["lang"]))  # in the run's language
        if design:
            _show_markdown(narrative.setup_design_note(design, run["lang"]))
    return run


def _show_markdown(text: str) -> None:
    """Display ``text`` as Markdown in a notebook; print it elsewhere (a doctest, a script)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is in the environment
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        from IPython.display import Markdown, display

        display(Markdown(text))
    else:
        print(text)
