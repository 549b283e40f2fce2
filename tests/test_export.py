"""Table writers and the notebook exporter."""
import base64
import os
import stat

import nbformat
import pandas as pd
import pytest

from coopai import export, tables
from coopai.style import TWIN_MIMETYPE

PNG_1PX = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


def test_write_table_labels_rebuilt_data(tmp_path):
    table = pd.DataFrame({"practice": ["direct_sales"], "percent": [73.33333333]})
    tables.write_table(table, "t", tmp_path, origin="rebuilt", caption="Table 1.")
    csv = pd.read_csv(tmp_path / "t.csv")
    assert csv["data_origin"].tolist() == ["rebuilt"]
    assert "rebuilt from the published aggregates" in (tmp_path / "t.md").read_text()
    assert "\\caption{Table 1. Data rebuilt" in (tmp_path / "t.tex").read_text()
    with pytest.raises(ValueError):
        tables.write_table(table, "t", tmp_path, origin="guessed")


def _notebook(tags, twin=False):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("plot()")
    cell.metadata["tags"] = tags
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG_1PX, "image/svg+xml": "<svg/>",
                                                                  "text/plain": "<Figure>"})]
    if twin:
        cell.outputs.append(nbformat.v4.new_output(
            "display_data", data={TWIN_MIMETYPE: {"lang": "en", "image/png": PNG_1PX, "image/svg+xml": "<svg id='twin'/>"}},
            metadata={"coopai": {"lang": "en", "hidden": True}}))
    cell.metadata["papermill"] = {"duration": 1.23}
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), cell]
    nb.metadata["papermill"] = {"start_time": "2026-01-01"}
    return nb


def test_export_names_figures_by_tag_and_strips_run_metadata(tmp_path):
    path = tmp_path / "executed.ipynb"
    nbformat.write(_notebook(["figure:fig9_demo"]), path)
    result = export.export_notebook(path, tmp_path / "out", "en", "demo")
    names = sorted(p.name for p in result["figures"])
    assert names == ["fig9_demo.png", "fig9_demo.svg"]
    assert (tmp_path / "out/figures/en/fig9_demo.png").read_bytes() == base64.b64decode(PNG_1PX)
    html = result["html"].read_text()
    assert "2026-01-01" not in html and "duration" not in html


def test_export_writes_the_language_twin_and_keeps_it_out_of_the_html(tmp_path):
    path = tmp_path / "executed.ipynb"
    nbformat.write(_notebook(["figure:fig9_demo"], twin=True), path)
    result = export.export_notebook(path, tmp_path / "out", "fr", "demo")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in result["figures"]) == [
        "figures/en/fig9_demo.png", "figures/en/fig9_demo.svg", "figures/fr/fig9_demo.png", "figures/fr/fig9_demo.svg"]
    assert (tmp_path / "out/figures/en/fig9_demo.svg").read_text() == "<svg id='twin'/>"
    assert "twin" not in result["html"].read_text()


def test_export_refuses_a_tagged_cell_without_one_figure(tmp_path):
    nb = _notebook(["figure:a", "figure:b"])
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="one figure tag"):
        export.export_notebook(path, tmp_path / "out", "fr", "demo")


def test_normalize_notebook_gives_stable_ids():
    a, b = export.normalize_notebook(_notebook([])), export.normalize_notebook(_notebook([]))
    assert [c.id for c in a.cells] == [c.id for c in b.cells] == ["cell-000", "cell-001"]
    assert "papermill" not in a.metadata and "papermill" not in a.cells[1].metadata


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_files_written_in_one_step_get_the_users_umask(tmp_path, umask):
    from coopai.files import write_atomic

    old = os.umask(umask)
    try:
        path = write_atomic(tmp_path / "t" / "x.csv", "a\n1\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    assert not list(tmp_path.rglob(".*.tmp"))
