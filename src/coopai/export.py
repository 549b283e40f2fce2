"""Exporting executed notebooks to HTML and named figure files (nbconvert).

Figures are not saved by the notebooks: nbconvert extracts them from the executed
notebook, named by the cell tag ``figure:NAME`` so that adding a cell never renames a
figure. Tables are written by the notebooks themselves (:mod:`coopai.tables`). Every
file is written through a temporary file and a rename: a reader never sees half a file. The run
publishes every notebook's files into OUT at once (:mod:`coopai.transaction`).
"""
from __future__ import annotations

import functools
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExtractOutputPreprocessor, Preprocessor

from .files import write_atomic
from .style import TWIN_MIMETYPE

FIGURE_TAG_PREFIX = "figure:"
NOTEBOOK_METADATA_KEPT = ("kernelspec", "language_info")


def output_lang(output, default: str) -> str:
    """Language of a figure output: ``metadata.coopai.lang`` (set by ``figures.show``), else the run's."""
    return output.get("metadata", {}).get("coopai", {}).get("lang", default)


def is_hidden(output) -> bool:
    """Whether an output is a twin kept for export only (``figures.show``), not for the HTML."""
    return TWIN_MIMETYPE in output.get("data", {}) or bool(output.get("metadata", {}).get("coopai", {}).get("hidden"))


def unpack_twin(output) -> None:
    """Give a twin output (``figures.show``) its PNG and SVG as ordinary image data, for extraction.

    The twin travels in the notebook under :data:`coopai.style.TWIN_MIMETYPE` only, a type
    Jupyter has no renderer for, so that JupyterLab shows one figure per cell; here, in the
    exporter's own copy of the notebook, it becomes an image output like the other.
    """
    payload = output.get("data", {}).get(TWIN_MIMETYPE)
    if payload is not None:
        output.data["image/png"] = payload["image/png"]
        output.data["image/svg+xml"] = payload["image/svg+xml"]
        output.setdefault("metadata", {}).setdefault("coopai", {})["lang"] = payload["lang"]


class FigureTagPreprocessor(Preprocessor):
    """Name each figure output after its cell's ``figure:NAME`` tag and its language.

    nbconvert's ExtractOutputPreprocessor takes a file name from ``metadata.filename``;
    this sets it to ``NAME.LANG`` so that the French and English twins do not collide.
    """

    lang = "fr"

    def preprocess_cell(self, cell, resources, index):
        names = [t[len(FIGURE_TAG_PREFIX):] for t in cell.metadata.get("tags", []) if t.startswith(FIGURE_TAG_PREFIX)]
        if not names:
            return cell, resources
        for output in cell.get("outputs", []):
            unpack_twin(output)
        images = [o for o in cell.get("outputs", []) if o.output_type in ("display_data", "execute_result")
                  and ("image/png" in o.data or "image/svg+xml" in o.data)]
        langs = [output_lang(o, self.lang) for o in images]
        # No figure at all is allowed (a figure the data do not call for, e.g. ranges on real data).
        if len(names) != 1 or len(set(langs)) != len(langs):
            raise ValueError(f"cell {index} tagged {names} must have one figure tag and one figure output "
                             f"per language, has {len(images)} figure outputs ({langs})")
        for output, lang in zip(images, langs):
            output.metadata["filename"] = f"{names[0]}.{lang}"
            resources.setdefault("tagged_figures", []).append((names[0], lang))
        return cell, resources


def normalize_notebook(nb):
    """Drop run-specific metadata (times, durations, random cell ids) so exports are byte-identical."""
    nb.metadata = nbformat.NotebookNode({k: nb.metadata[k] for k in NOTEBOOK_METADATA_KEPT if k in nb.metadata})
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"
        for key in ("papermill", "execution", "ExecuteTime"):
            cell.metadata.pop(key, None)
    return nb


@functools.lru_cache(maxsize=1)
def _html_exporter() -> HTMLExporter:
    """One HTML exporter for every notebook a process exports: it compiles its templates once (about 0.25 s)."""
    return HTMLExporter(embed_images=True)


def export_notebook(executed, out_dir, lang: str, html_name: str) -> dict:
    """Export an executed notebook: HTML to ``out_dir/notebooks``, tagged figures to ``out_dir/figures/LANG``.

    Returns
    -------
    dict
        ``{"html": Path, "figures": [Path, ...]}``
    """
    out_dir = Path(out_dir)
    nb = normalize_notebook(nbformat.read(executed, as_version=4))
    resources = {"outputs": {}, "unique_key": "untagged"}
    tagger = FigureTagPreprocessor()
    tagger.lang = lang
    nb, resources = tagger.preprocess(nb, resources)
    nb, resources = ExtractOutputPreprocessor().preprocess(nb, resources)
    figures = []
    for name, figure_lang in resources.get("tagged_figures", []):
        for suffix in (".png", ".svg"):
            blob = resources["outputs"].get(f"{name}.{figure_lang}{suffix}")
            if blob is None:
                raise ValueError(f"{Path(executed).name}: figure {name} ({figure_lang}) has no {suffix} output")
            path = out_dir / "figures" / figure_lang / (name + suffix)
            write_atomic(path, blob)
            figures.append(path)
    # The HTML embeds images itself: export from a fresh read, without the twins kept for export.
    clean = normalize_notebook(nbformat.read(executed, as_version=4))
    for cell in clean.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not is_hidden(o)]
    html, _ = _html_exporter().from_notebook_node(clean, resources={"metadata": {"name": html_name}})
    html_path = out_dir / "notebooks" / f"{html_name}.html"
    write_atomic(html_path, html)
    return {"html": html_path, "figures": figures}
