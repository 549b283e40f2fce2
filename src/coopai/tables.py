"""Writing result tables as CSV (for machines), Markdown (for reading on GitHub) and LaTeX (for papers).

Kept apart from the notebook exporter so that a notebook's kernel does not import nbconvert.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import style
from .codebook import REBUILT_NOTICE_EN, category_labels
from .files import write_atomic

#: Columns whose values are variable names (``name``, ``name=category``, ``lacks:name``), shown by their label.
VARIABLE_COLUMNS = ("variable", "practice", "indicator")
#: Columns whose values are sectors, shown by their label.
SECTOR_COLUMNS = ("sector",)
#: Headers shown instead of the column names, where a plainer word exists.
HEADERS = {
    "fr": {"variable": "Variable", "practice": "Pratique", "indicator": "Indicateur", "sector": "Secteur",
           "count": "Effectif", "percent": "%", "proportion": "Proportion", "ci_low": "IC bas", "ci_high": "IC haut",
           "hypothesis": "Hypothèse", "threshold": "Seuil", "p_value": "p", "code": "Code",
           "n_sources": "Sources", "share": "Part", "goal": "Objectif", "data_origin": "Origine des données"},
    "en": {"variable": "Variable", "practice": "Practice", "indicator": "Indicator", "sector": "Sector",
           "count": "Count", "percent": "%", "proportion": "Proportion", "ci_low": "CI low", "ci_high": "CI high",
           "hypothesis": "Hypothesis", "threshold": "Threshold", "p_value": "p", "code": "Code",
           "n_sources": "Sources", "share": "Share", "goal": "Goal", "data_origin": "Data origin"},
}
#: Below this in absolute value a number is floating-point noise around zero (a kappa bound of
#: -1.3e-15 is 0): it prints as 0 and does not set its column's precision.
NOISE = 1e-9
#: Significant digits the smallest non-zero value of a column keeps; at most this many decimals.
SIGNIFICANT, MAX_DECIMALS = 3, 4


def data_origin(survey: pd.DataFrame) -> str:
    """``"rebuilt"`` when every row was rebuilt from published aggregates, else ``"observed"``."""
    return "rebuilt" if survey.attrs.get("rebuilt") else "observed"


def markdown_literal(text: str) -> str:
    """``text`` as a Markdown code span that shows it literally: no HTML, link or emphasis in it is live.

    Text from a user's file (its name, its values) can hold anything. A code span's content is
    escaped by every Markdown renderer; its fence is one backtick longer than any run of
    backticks inside, and control characters (a line break in a file name) are shown as ``\\xNN``.

    Examples
    --------
    >>> markdown_literal("survey.csv")
    '`survey.csv`'
    >>> markdown_literal("a`<b>`.csv")
    '``a`<b>`.csv``'
    >>> markdown_literal("`x`")
    '`` `x` ``'
    """
    text = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", str(text))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def column_decimals(values) -> int | None:
    """Decimals for a whole column: the smallest non-zero value keeps :data:`SIGNIFICANT` digits.

    ``None`` when even :data:`MAX_DECIMALS` decimals would print a non-zero value as zero:
    the column is then written in scientific notation (every value, so the column stays one form).

    Examples
    --------
    >>> column_decimals([3.622, 30.57]), column_decimals([0.0214, 0.94]), column_decimals([1.8e-8, 1.0])
    (2, 4, None)
    >>> column_decimals([46.67, 26.67, 10.0]), column_decimals([0.0, 0.0])
    (1, 0)
    """
    finite = np.abs(np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float))
    nonzero = finite[finite > NOISE]
    if not len(nonzero):
        return 0
    decimals = max(0, SIGNIFICANT - 1 - math.floor(math.log10(nonzero.min())))
    if decimals > MAX_DECIMALS:
        return None if nonzero.min() < 0.5 * 10 ** -MAX_DECIMALS else MAX_DECIMALS
    return decimals


def _from_log10(value: float, log10_value: float, lang: str) -> str:
    """A positive quantity with three significant digits, taken from its base-10 logarithm where the
    float value underflowed to 0 or overflowed to infinity.

    Examples
    --------
    >>> _from_log10(0.0, -850.894, "en"), _from_log10(0.0428, -1.3685, "fr"), _from_log10(float("nan"), float("nan"), "en")
    ('1.28×10⁻⁸⁵¹', '0,0428', '')
    """
    if pd.notna(value) and 0 < value < math.inf:
        if value < 10 ** -MAX_DECIMALS:
            return style.format_scientific(value, lang, SIGNIFICANT)
        return style.format_number(value, lang, max(0, SIGNIFICANT - 1 - math.floor(math.log10(value))),
                                   thousands=False)
    if pd.isna(log10_value) or not math.isfinite(log10_value):
        return ""
    # The value is lost (0 or inf): from the logarithm alone, a mantissa rounding to 10 carried (1.00×10⁻⁸⁵⁰).
    return style.format_scientific(math.nan, lang, SIGNIFICANT, log10_value)


def is_p_column(column: str) -> bool:
    """A p-value column by its name (``p``, ``p_value``, ``p_*``), not its standard error or logarithm.

    Examples
    --------
    >>> [is_p_column(c) for c in ("p", "p_chi2", "p_value", "p_monte_carlo_se", "p_exact_log10", "power")]
    [True, True, True, False, False, False]
    """
    return (column == "p" or column.startswith("p_")) and not column.endswith(("_se", "_log10"))


def _beyond_plain_print(values: pd.Series, logs: pd.Series, p_column: bool) -> pd.Series:
    """The cells a column's shared precision cannot print truly: infinities, values past 10^15, a 0 whose
    logarithm (``log10_<column>``) is finite (it underflowed), and in a p-value column a 0 or a p below
    :data:`NOISE` (a p-value is positive: printed as 0 it would claim certainty)."""
    finite = np.isfinite(values)
    extreme = values.notna() & (~finite | (values.abs() >= 1e15) | ((values == 0) & np.isfinite(logs)))
    if p_column:
        extreme |= values.notna() & (values.abs() < NOISE)
    return extreme


def _extreme_text(value: float, log10_value: float, lang: str) -> str:
    """A cell :func:`_beyond_plain_print` singles out: from its logarithm when known, else in
    scientific notation, a bound for a p that underflowed without one, or ∞.

    Examples
    --------
    >>> _extreme_text(0.0, -3575.82, "en"), _extreme_text(0.0, float("nan"), "fr"), _extreme_text(1.89e238, float("nan"), "en")
    ('1.51×10⁻³⁵⁷⁶', '< 10⁻³⁰⁸', '1.89×10²³⁸')
    """
    if math.isfinite(log10_value) and not 0 < abs(value) < math.inf:
        return _from_log10(value, log10_value, lang)
    if value == 0:
        return f"< {style.power_of_ten(-308)}"  # below the smallest normal double: scipy's sf underflowed
    if not math.isfinite(value):
        return f"{'' if value > 0 else style.MINUS}∞"
    return style.format_scientific(value, lang, SIGNIFICANT)


def readable(table: pd.DataFrame, lang: str = "en", headers: bool = True) -> pd.DataFrame:
    """The table as a reader sees it: labels from the codebook in ``lang``, one precision per column,
    counts as integers, no negative zero, yes/no for booleans. Every cell becomes text.

    The CSV keeps the raw table (names and full precision, for machines); this is for the
    Markdown, LaTeX and notebook displays.

    Examples
    --------
    >>> t = pd.DataFrame({"practice": ["direct_sales"], "k": [21.0], "chi2": [3.622], "p": [1.8e-08]})
    >>> readable(t, "fr").iloc[0].tolist()
    ['Vente directe traditionnelle', '21', '3,62', '1,80×10⁻⁸']
    >>> readable(pd.DataFrame({"kappa_ci_low": [-1.3e-15, -0.0748, 0.75]}), "en")["kappa_ci_low"].tolist()
    ['0.0000', '−0.0748', '0.7500']

    A Bayes factor past the float range (100,000 cooperatives) prints from its ``log10_`` column:

    >>> readable(pd.DataFrame({"bf10": [float("inf"), 2.5], "log10_bf10": [400.2, 0.39794]}), "en")["bf10"].tolist()
    ['1.58×10⁴⁰⁰', '2.50']
    """
    style.check_lang(lang)
    out = pd.DataFrame(index=table.index)
    # Read only when a column needs them: the literature notebook declares no survey inputs.
    sectors = category_labels(lang) if any(c in SECTOR_COLUMNS for c in table.columns) else {}
    yes_no = {"fr": ("oui", "non"), "en": ("yes", "no")}[lang]
    for column in table.columns:
        values = table[column]
        if column in VARIABLE_COLUMNS:
            text = values.map(lambda v: style.variable_text(v, lang) if isinstance(v, str) else "")
        elif column in SECTOR_COLUMNS:
            text = values.map(lambda v: style.typeset(sectors.get(("sector", v), str(v)), lang))
        elif pd.api.types.is_bool_dtype(values):
            text = values.map(lambda v: yes_no[0] if v else yes_no[1])
        elif column == "reason" and not pd.api.types.is_numeric_dtype(values):
            # Why a sector test is missing: English in the CSV (data), in the reader's language here;
            # any other reason (the verdicts') is shown as it is.
            from .narrative import reason_in  # narrative imports this module

            def worded(v):
                said = reason_in(v, lang) if isinstance(v, str) else ""
                return style.typeset(said, lang) if said != v else said

            text = values.map(worded)
        elif f"{column}_log10" in table.columns and pd.api.types.is_numeric_dtype(values):
            # A p-value (or Bayes factor) that left the float range prints from its logarithm, never as 0.
            text = pd.Series([_from_log10(v, lg, lang) for v, lg in zip(values, table[f"{column}_log10"])],
                             index=table.index)
        elif pd.api.types.is_numeric_dtype(values):
            raw = values.astype(float)
            logs = table[f"log10_{column}"] if f"log10_{column}" in table.columns else pd.Series(math.nan, table.index)
            extreme = _beyond_plain_print(raw, logs, is_p_column(column))
            numbers = raw.where(~extreme).mask(lambda v: v.abs() < NOISE, 0.0)
            whole = numbers.dropna()
            if len(whole) and (whole == whole.round()).all() and (whole.abs() < 1e15).all():
                text = numbers.map(lambda v: "" if pd.isna(v) else style.format_number(v, lang, 0))
            else:
                decimals = column_decimals(numbers.dropna())
                text = numbers.map(lambda v: "" if pd.isna(v) else (
                    style.format_number(v, lang, decimals, thousands=False) if decimals is not None
                    else style.format_scientific(v, lang, SIGNIFICANT)))
            if extreme.any():
                text = text.where(~extreme, pd.Series(
                    [_extreme_text(v, lg, lang) for v, lg in zip(raw, logs)], index=table.index))
        else:
            text = values.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        out[column] = text
    if headers:
        out.columns = [HEADERS[lang].get(c, c) for c in table.columns]
    return out


def configure_display() -> None:
    """Show whole tables in the notebooks: no column, row or string cut with "…"."""
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_columns", None)
    pd.set_option("display.max_rows", 500)
    pd.set_option("display.width", 250)


def _latex_text(text: str) -> str:
    """Unicode typography as LaTeX (pdflatex) reads it: minus sign, no-break spaces, powers of ten.

    Examples
    --------
    >>> print(_latex_text("\u22121,80×10⁻⁸ et 1\u202f091\u00a0%"))
    $-$1,80$\\times10^{-8}$ et 1\\,091~%
    """
    superscripts = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
    text = re.sub("×10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", lambda m: f"$\\times10^{{{m.group(1).translate(superscripts)}}}$", text)
    for old, new in (("\u2212", "$-$"), ("\u202f", "\\,"), ("\u00a0", "~"), ("\u2019", "'")):
        text = text.replace(old, new)
    return text


#: The survey design the running notebook declared (set by :func:`declare_design`, from
#: ``coopai.notebook.setup``); empty when none is. Every table written meanwhile names it.
_RUN_DESIGN = {"description": ""}


def declare_design(description: str) -> None:
    """Name the run's declared survey design in the caption of every table :func:`write_table` writes next.

    A table whose caption already gives its design (``Design: ...``) is design-based; any
    other is computed as if the cooperatives were a simple random sample, and its caption says
    so. An empty ``description`` (no design declared) leaves captions as they are.

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> declare_design("weights 'poids'")
    >>> _ = write_table(pd.DataFrame({"x": [1]}), "demo", out, caption="A table.")
    >>> declare_design("")
    >>> open(f"{out}/demo.md").read().splitlines()[0]
    "A table. Survey design declared (weights 'poids'): this table ignores it (every cooperative counted once)."
    """
    _RUN_DESIGN["description"] = description


def write_table(table: pd.DataFrame, stem: str, out_dir, origin: str | None = None,
                caption: str = "", lang: str = "en") -> list[Path]:
    """Write ``table`` as ``stem.csv``, ``stem.md`` and ``stem.tex`` in ``out_dir``.

    The CSV is the raw table (variable names, full precision); the Markdown and LaTeX tables
    are :func:`readable` in ``lang``, the language of their caption.

    Parameters
    ----------
    origin : {"rebuilt", "observed"}, optional
        Added as a ``data_origin`` column, and said in the Markdown and LaTeX
        captions, so that a table from rebuilt data is labelled wherever it goes.
    lang : {"en", "fr"}
        Language of the labels and numbers of the Markdown and LaTeX tables.

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> [p.name for p in write_table(pd.DataFrame({"x": [1.5]}), "demo", out, origin="rebuilt")]
    ['demo.csv', 'demo.md', 'demo.tex']
    """
    out_dir = Path(out_dir)
    table = table.reset_index(drop=True)
    if _RUN_DESIGN["description"] and "Design:" not in caption:
        caption = (f"{caption} Survey design declared ({_RUN_DESIGN['description']}): this table ignores it "
                   "(every cooperative counted once).").strip()
    if origin is not None:
        if origin not in ("rebuilt", "observed"):
            raise ValueError(f"origin must be rebuilt or observed, not {origin!r}")
        table = table.assign(data_origin=origin)
        if origin == "rebuilt":
            caption = f"{caption} {REBUILT_NOTICE_EN}.".strip()
    written = []
    csv_text = table.to_csv(index=False, lineterminator="\n", float_format="%.6g")
    shown = readable(table, lang)
    numeric = [pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
               for c in table.columns]
    md_text = shown.to_markdown(index=False, disable_numparse=True,
                                colalign=["right" if n else "left" for n in numeric]) + "\n"
    if caption:
        md_text = f"{caption}\n\n{md_text}"
    tex_text = shown.to_latex(index=False, caption=caption or None, label=f"tab:{stem}", escape=True,
                              column_format="".join("r" if n else "l" for n in numeric))
    tex_text = _latex_text(tex_text)
    for suffix, text in ((".csv", csv_text), (".md", md_text), (".tex", tex_text)):
        path = out_dir / f"{stem}{suffix}"
        write_atomic(path, text)
        written.append(path)
    return written
