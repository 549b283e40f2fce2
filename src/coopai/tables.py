"""Writing result tables as CSV (for machines), Markdown (for reading on GitHub) and LaTeX (for papers).

Kept apart from the notebook exporter so that a notebook's kernel does not import nbconvert.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .files import write_atomic
from .codebook import REBUILT_NOTICE_EN


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


def data_notice(survey: pd.DataFrame) -> str:
    """The line every notebook shows first: which file, how many cooperatives, and whether they are rebuilt.

    Examples
    --------
    >>> s = pd.DataFrame({"x": [1, 2]})
    >>> s.attrs = {"source_file": "a.csv", "rebuilt": False}
    >>> data_notice(s)
    '**Data:** `a.csv`, 2 cooperatives, origin: **observed**'
    """
    origin = data_origin(survey)
    notice = (f"**Data:** {markdown_literal(survey.attrs.get('source_file', '?'))}, {len(survey)} cooperatives, "
              f"origin: **{origin}**")
    if origin == "rebuilt":
        notice += " (rebuilt from the published aggregates, not the original answers)"
    return notice


def write_table(table: pd.DataFrame, stem: str, out_dir, origin: str | None = None,
                caption: str = "") -> list[Path]:
    """Write ``table`` as ``stem.csv``, ``stem.md`` and ``stem.tex`` in ``out_dir``.

    Parameters
    ----------
    origin : {"rebuilt", "observed"}, optional
        Added as a ``data_origin`` column, and said in the Markdown and LaTeX
        captions, so that a table from rebuilt data is labelled wherever it goes.

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
    if origin is not None:
        if origin not in ("rebuilt", "observed"):
            raise ValueError(f"origin must be rebuilt or observed, not {origin!r}")
        table = table.assign(data_origin=origin)
        if origin == "rebuilt":
            caption = f"{caption} {REBUILT_NOTICE_EN}.".strip()
    written = []
    csv_text = table.to_csv(index=False, lineterminator="\n", float_format="%.6g")
    md_text = table.to_markdown(index=False, floatfmt=".4g") + "\n"
    if caption:
        md_text = f"{caption}\n\n{md_text}"
    tex_text = table.to_latex(index=False, float_format="%.4g", caption=caption or None,
                              label=f"tab:{stem}", escape=True)
    for suffix, text in ((".csv", csv_text), (".md", md_text), (".tex", tex_text)):
        path = out_dir / f"{stem}{suffix}"
        write_atomic(path, text)
        written.append(path)
    return written
