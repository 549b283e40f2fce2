"""End to end: the Makefile runs every notebook through papermill on the project kernel,
gives byte-identical outputs, and refuses bad data without touching earlier outputs."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from coopai import config, pipeline
from conftest import ROOT, run_make, tree_digest

FIGURES = {"fig2_sectors", "fig3_digitalisation", "fig4_ai_knowledge_use", "fig5_ai_interest_barriers"}


@pytest.fixture(scope="module")
def fresh_run(tmp_path_factory):
    """The whole study run by make into a new folder, in other processes than the committed one."""
    out = tmp_path_factory.mktemp("study")
    result = run_make("all", f"OUT={out}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, result


def test_every_notebook_executes_and_outputs_match_committed_ones(fresh_run):
    out, _ = fresh_run
    fresh = tree_digest(out)
    committed = tree_digest(config.PAPER_DIR)
    assert fresh, "the run published nothing"
    missing = sorted(set(fresh) - set(committed))
    assert not missing, f"outputs not committed under paper/: {missing}"
    differ = sorted(k for k in fresh if fresh[k] != committed[k])
    assert not differ, f"not byte-identical to paper/ (run `make all` and commit): {differ}"


def test_second_run_does_nothing(fresh_run):
    out, _ = fresh_run
    again = run_make("all", f"OUT={out}")
    assert again.returncode == 0 and "==>" not in again.stdout, again.stdout


def test_exported_figures_are_valid_images_in_both_languages():
    for lang in ("fr", "en"):
        folder = config.PAPER_DIR / "figures" / lang
        assert FIGURES <= {p.stem for p in folder.glob("*.png")}
        for name in FIGURES:
            with Image.open(folder / f"{name}.png") as image:
                image.verify()
                assert image.format == "PNG" and image.size[0] > 300
            root = ET.parse(folder / f"{name}.svg").getroot()
            assert root.tag.endswith("svg")


def test_figures_say_the_data_are_rebuilt():
    html = (config.PAPER_DIR / "notebooks/02_descriptive_statistics.html").read_text()
    assert "rebuilt from the published aggregates" in html
    # SVG text is drawn as paths, so the notice is checked on the Figure object the exporter saves.
    from coopai import figures, survey
    fig = figures.figure3_digitalisation(survey.load_survey(), lang="fr")
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Données reconstituées" in texts and "6 coopératives ni" in texts


def test_bad_data_stops_the_run_and_leaves_outputs_alone(tmp_path):
    bad = tmp_path / "bad.csv"
    rebuilt = (config.REBUILT_DATASET).read_text().splitlines()
    rebuilt[8] = rebuilt[8].replace("Agriculture", "Peche")
    bad.write_text("\n".join(rebuilt) + "\n")
    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    (out / "tables/earlier.csv").write_text("kept\n")
    before = tree_digest(out)
    result = run_make("all", f"DATA={bad}", f"OUT={out}")
    assert result.returncode != 0
    assert "file bad.csv, row 9, column 'sector': unknown category 'Peche'" in result.stderr
    assert tree_digest(out) == before


def test_user_data_needs_its_own_out_folder(tmp_path):
    result = run_make("all", f"DATA={tmp_path / 'x.csv'}")
    assert result.returncode != 0 and "needs OUT=folder" in result.stderr


def test_notebooks_run_on_the_project_kernel():
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec(pipeline.KERNEL_NAME)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    assert Path(spec.resource_dir).resolve().is_relative_to((ROOT / ".venv").resolve())


def test_parameter_validation_messages():
    with pytest.raises(ValueError, match="lang must be 'fr' or 'en'"):
        config.validate_parameters(config.REBUILT_DATASET, "build/t", lang="de")
    with pytest.raises(ValueError, match="no such file"):
        config.validate_parameters("data/none.csv", "build/t")
    with pytest.raises(ValueError, match="seed must be"):
        config.validate_parameters(config.REBUILT_DATASET, "build/t", seed=-1)


@pytest.mark.parametrize("kill_after", [3.0, 7.0])
def test_a_killed_run_leaves_no_partial_file(tmp_path, kill_after):
    import os
    import signal
    import subprocess
    import time

    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "coopai.pipeline", "02_descriptive_statistics", "fr",
                                "--out", str(out), "--runs", str(tmp_path / "runs")], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(kill_after)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    committed = tree_digest(config.PAPER_DIR)
    for name, digest in tree_digest(out).items():
        assert not name.split("/")[-1].startswith("."), f"partial file left: {name}"
        assert digest == committed[name], f"{name} is not a complete output"


def test_a_failing_notebook_publishes_nothing(tmp_path):
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "coopai", "display_name": "coopai", "language": "python"}}
    parameters = nbformat.v4.new_code_cell('data = ""\nout = ""\nlang = "fr"\nalpha = 0.05\nseed = 0')
    parameters.metadata["tags"] = ["parameters"]
    writes = nbformat.v4.new_code_cell("from coopai import tables\nimport pandas as pd\n"
                                       "tables.write_table(pd.DataFrame({'x': [1]}), 'half', out + '/tables')")
    nb.cells = [parameters, writes, nbformat.v4.new_code_cell("raise RuntimeError('stop here')")]
    nbformat.write(nb, tmp_path / "99_fails.ipynb")
    out = tmp_path / "out"
    with pytest.raises(PapermillExecutionError, match="stop here"):
        pipeline.run_notebook("99_fails", "fr", config.REBUILT_DATASET, out, tmp_path / "run", notebooks=tmp_path)
    assert not out.exists()  # the table the notebook wrote stayed in its staging folder
    assert (tmp_path / "run" / "staged" / "tables" / "half.csv").is_file()
    assert (tmp_path / "run" / "executed.ipynb").is_file()
