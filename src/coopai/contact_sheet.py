"""A contact sheet: one HTML page showing every exported figure, French beside English, for a reviewer.

``make all`` adds it to the files a run publishes (:func:`add_to_run`, called by
:mod:`coopai.pipeline`), so it is published with the figures, in the same transaction;
``python -m coopai.contact_sheet OUT`` writes it for an existing output folder. The page
links the SVG files next to it rather than embedding them, so it stays small, and it holds no
date or run-specific text: the same figures give the same bytes.
"""
from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from .files import write_atomic

LANGS = (("fr", "Français"), ("en", "English"))
NAME = "contact_sheet.html"
#: Where the page sits in an output folder.
RELATIVE = f"figures/{NAME}"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>coopai: every figure, French and English</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-top: 1px solid #ccc; padding: 0.6em; vertical-align: top; text-align: left; }}
td img {{ width: 100%; max-width: 46vw; height: auto; background: white; }}
h2 {{ font-size: 1em; margin: 0 0 0.3em 0; font-family: monospace; }}
.missing {{ color: #b22222; }}
</style>
</head>
<body>
<h1>coopai: every figure, French and English</h1>
<p>{count} figures. Each is shown from its SVG file; the PNG (300 dpi) sits beside it under the same name.</p>
<table>
<tr><th>{head_fr}</th><th>{head_en}</th></tr>
{rows}
</table>
</body>
</html>
"""


def figure_names(figures_dir) -> list[str]:
    """Relative paths (``fr/NAME.svg``) of the SVG figures exported under ``figures_dir``, sorted."""
    figures_dir = Path(figures_dir)
    return sorted(f"{lang}/{p.name}" for lang, _ in LANGS for p in (figures_dir / lang).glob("*.svg"))


def contact_sheet_html(svgs) -> str:
    """The page for SVG figures given by their paths relative to the page (``fr/NAME.svg``, ``en/NAME.svg``).

    A figure present in one language only is shown with its twin marked missing.

    Examples
    --------
    >>> page = contact_sheet_html(["fr/fig2_sectors.svg", "en/fig2_sectors.svg"])
    >>> 'src="fr/fig2_sectors.svg"' in page and 'src="en/fig2_sectors.svg"' in page
    True
    >>> "missing" in contact_sheet_html(["fr/fig2_sectors.svg"]).split("</style>")[1]
    True
    """
    present = set(svgs)
    names = sorted({Path(p).stem for p in present})
    rows = []
    for name in names:
        cells = []
        for lang, _ in LANGS:
            path = f"{lang}/{name}.svg"
            if path in present:
                cells.append(f'<td><h2>{html.escape(name)} ({lang})</h2><a href="{path}">'
                             f'<img src="{path}" alt="{html.escape(name)}, {lang}" loading="lazy"></a></td>')
            else:
                cells.append(f'<td><h2>{html.escape(name)} ({lang})</h2><p class="missing">missing</p></td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return PAGE.format(count=len(rows), head_fr=LANGS[0][1], head_en=LANGS[1][1], rows="\n".join(rows))


def add_to_run(files: dict, run_dir) -> None:
    """Write the page for the figures among a run's ``files`` (``{relative path: file}``) into
    ``run_dir`` and add it to ``files``, to be published with them."""
    svgs = [relative[len("figures/"):] for relative in files
            if relative.startswith("figures/") and relative.endswith(".svg")]
    if not svgs:
        return
    path = Path(run_dir) / "contact_sheet" / NAME
    write_atomic(path, contact_sheet_html(svgs))
    files[RELATIVE] = path


def write_contact_sheet(out_dir) -> Path:
    """Write ``out_dir/figures/contact_sheet.html`` (atomically) and return its path."""
    figures_dir = Path(out_dir) / "figures"
    path = figures_dir / NAME
    write_atomic(path, contact_sheet_html(figure_names(figures_dir)))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write OUT/figures/contact_sheet.html: every figure, fr beside en.")
    parser.add_argument("out", help="the output folder of a run (paper by default in make)")
    args = parser.parse_args(argv)
    write_contact_sheet(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
