"""End to end: `make all` runs the study as one transaction (coopai.pipeline, coopai.transaction).

Byte-identical outputs, run identity by content, one snapshot of the survey, OUT replaced as a
whole or not at all (tested by killing runs exactly where a test hook holds them), one run per
OUT, OUT and DATA checked before anything runs, and names passed without a shell.
"""
import json
import os
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from coopai import config, pipeline, synthetic, transaction
from conftest import ROOT, file_digest, make_env, run_make, start_make, tree_digest, wait_for

FIGURES = {"fig2_sectors", "fig3_digitalisation", "fig4_ai_knowledge_use", "fig5_ai_interest_barriers"}
MANIFEST = transaction.MANIFEST


def leftovers(folder):
    """Trees an interrupted run left beside OUT (its unlocked lock file does no harm)."""
    return [p for p in Path(folder).glob(".out.coopai-*") if not p.name.endswith("-lock")]


def kill_group(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_every_notebook_executes_and_outputs_match_committed_ones(fresh_run):
    out, result = fresh_run
    assert "5 notebooks run, 0 reused" in result.stdout  # a real run, not the cache
    fresh = tree_digest(out)
    committed = tree_digest(config.PAPER_DIR)
    assert MANIFEST in fresh
    assert sorted(fresh) == sorted(committed), "run `make all` and commit paper/"
    differ = sorted(k for k in fresh if fresh[k] != committed[k])
    assert not differ, f"not byte-identical to paper/ (run `make all` and commit): {differ}"


def test_manifest_names_the_data_parameters_and_every_file(fresh_run):
    out, _ = fresh_run
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["data"] == {"file": "data/rebuilt/cooperatives.csv", "cooperatives": 30,
                                "sha256": file_digest(config.REBUILT_DATASET)}
    assert manifest["parameters"] == {"alpha": 0.05, "seed": 20250831, "lang": "fr"}
    assert manifest["version"] == pipeline.package_version()
    assert manifest["files"] == {k: v for k, v in tree_digest(out).items() if k != MANIFEST}
    assert str(out) not in (out / MANIFEST).read_text()


def test_published_files_get_the_users_umask_and_kernels_no_tcp_warning(fresh_run):
    out, result = fresh_run
    modes = {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()}
    umask = os.umask(0)
    os.umask(umask)
    assert modes == {0o666 & ~umask}
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask
    assert "without encryption" not in result.stderr and "Traceback" not in result.stderr


def test_second_run_does_nothing_and_another_out_reuses_the_cache(fresh_run, tmp_path):
    out, _ = fresh_run
    before = tree_digest(out)
    again = run_make("all", f"OUT={out}")
    assert again.returncode == 0 and "nothing to do" in again.stdout and "==>" not in again.stdout, again.stdout
    assert tree_digest(out) == before
    other = run_make("all", f"OUT={tmp_path / 'b'}")
    assert other.returncode == 0 and "0 notebooks run, 5 reused" in other.stdout, other.stdout
    assert tree_digest(tmp_path / "b") == before


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
    assert "reconstituées</strong> (à partir des agrégats publiés" in html  # the data line, French run
    # SVG text is drawn as paths, so the notice is checked on the Figure object the exporter saves.
    from coopai import figures, stats, survey
    rebuilt = survey.load_survey()
    fig = figures.figure3_digitalisation(stats.proportion_summary(rebuilt, figures.FIGURE3_INDICATORS), rebuilt, lang="fr")
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Données reconstituées" in texts and "6 coopératives ni" in texts


# --- a user's surveys, with hostile names, run at the same time into two folders ------------------
# (fixture user_runs in conftest.py: run A also serves test_narrative, run B test_design)

def test_concurrent_runs_into_two_outs_each_publish_their_own_survey(user_runs):
    import pandas as pd

    for key, n in (("a", 500), ("b", 240)):
        data, out, sha, result = user_runs[key]
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        manifest = json.loads((out / MANIFEST).read_text())
        assert manifest["data"]["sha256"] == sha and manifest["data"]["cooperatives"] == n
        sectors = pd.read_csv(out / "tables" / "fig2_sectors.csv")
        assert sectors["n"].max() == n  # every table from this survey, none from the other
        assert set(tree_digest(out)) == set(manifest["files"]) | {MANIFEST}


def test_a_new_survey_replaces_every_file_of_the_earlier_one(user_runs):
    _, out, _, _ = user_runs["b"]
    names = set(tree_digest(out))
    assert "tables/identification_ranges.csv" not in names  # written for the rebuilt data only
    assert "tables/total_only_sector_tests.csv" in names


def test_an_older_survey_file_still_reruns(user_runs):
    _, _, _, result = user_runs["b"]
    assert "nothing to do" not in result.stdout and "notebooks run" in result.stdout


def test_a_file_appended_to_during_the_run_changes_nothing(user_runs):
    data, out, sha, result = user_runs["a"]
    assert file_digest(data) != sha  # the test did append to it
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["data"]["sha256"] == sha and manifest["data"]["cooperatives"] == 500
    for html in (out / "notebooks").glob("0[2-5]_*.html"):
        assert "500 cooperatives" in html.read_text(), html.name


def test_names_with_shell_and_html_characters_are_neither_executed_nor_live(user_runs):
    data, out, _, result = user_runs["a"]
    for folder in (ROOT, user_runs["base"], out):
        assert not list(Path(folder).glob("pwned*")), "a file name was executed by a shell"
    html = (out / "notebooks" / "02_descriptive_statistics.en.html").read_text()
    assert "<b>bold" not in html
    assert "&lt;b&gt;bold" in html and "$(touch pwned-dollar)" in html


def test_make_variables_set_the_parameters_and_lang_en_gives_english_notebooks(user_runs):
    _, out, _, _ = user_runs["a"]
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["parameters"] == {"alpha": 0.01, "seed": 7, "lang": "en"}
    html = sorted(p.name for p in (out / "notebooks").glob("*.html"))
    assert html == [f"{n}.en.html" for n in sorted(pipeline.NOTEBOOK_INPUTS)]
    text = (out / "notebooks" / "04_hypothesis_checks.en.html").read_text()
    assert "alpha</span> <span class=\"o\">=</span> <span class=\"mf\">0.01</span>" in text
    assert "seed</span> <span class=\"o\">=</span> <span class=\"mi\">7</span>" in text


# --- killed runs: the hook holds the run exactly where the test kills it --------------------------

@pytest.fixture()
def edited_out(fresh_run, tmp_path):
    """An OUT holding an earlier run whose files a user edited: a new run must replace it."""
    out = tmp_path / "out"
    assert run_make("all", f"OUT={out}").returncode == 0
    with open(out / "tables" / "fig2_sectors.md", "a") as handle:
        handle.write("edited by hand\n")
    return out


def test_a_run_killed_while_publishing_leaves_out_as_it_was(edited_out, tmp_path):
    before = tree_digest(edited_out)
    marker = tmp_path / "marker"
    run = start_make("all", f"OUT={edited_out}", COOPAI_TEST_PAUSE="publish", COOPAI_TEST_MARKER=str(marker))
    wait_for(marker, run)
    stage, pid = marker.read_text().split()
    staged = list(tmp_path.glob(".out.coopai-new-*"))
    assert stage == "publish" and len(staged) == 1 and (staged[0] / MANIFEST).is_file()  # the new tree, complete
    refused = run_make("all", f"OUT={edited_out}")  # meanwhile, a second run into the same OUT
    assert refused.returncode != 0 and f"another coopai run (process {pid}) is writing to" in refused.stderr
    kill_group(run)
    assert run.returncode == -signal.SIGKILL  # killed there, not ended by itself
    assert tree_digest(edited_out) == before
    again = run_make("all", f"OUT={edited_out}")
    assert again.returncode == 0 and "removed .out.coopai-new-" in again.stdout
    assert not list(tmp_path.glob(".out.coopai-*")) and "edited by hand" not in (
        edited_out / "tables" / "fig2_sectors.md").read_text()


def test_a_run_killed_right_after_the_swap_leaves_the_new_out_whole(edited_out, tmp_path, fresh_run):
    marker = tmp_path / "marker"
    run = start_make("all", f"OUT={edited_out}", COOPAI_TEST_PAUSE="swapped", COOPAI_TEST_MARKER=str(marker))
    wait_for(marker, run)
    kill_group(run)
    assert marker.read_text().startswith("swapped") and run.returncode == -signal.SIGKILL
    assert tree_digest(edited_out) == tree_digest(fresh_run[0])  # the new tree, whole
    assert len(list(tmp_path.glob(".out.coopai-new-*"))) == 1  # the old one, not yet deleted
    assert run_make("all", f"OUT={edited_out}").returncode == 0
    assert not list(tmp_path.glob(".out.coopai-*"))


def test_without_renameat2_a_run_killed_between_renames_is_finished_by_the_next(edited_out, tmp_path, fresh_run):
    marker = tmp_path / "marker"
    run = start_make("all", f"OUT={edited_out}", COOPAI_NO_RENAMEAT2="1", COOPAI_TEST_PAUSE="between-renames",
                     COOPAI_TEST_MARKER=str(marker))
    wait_for(marker, run)
    kill_group(run)
    assert marker.read_text().startswith("between-renames") and not edited_out.exists()
    again = run_make("all", f"OUT={edited_out}")
    assert again.returncode == 0 and "finished the swap of an interrupted run" in again.stdout
    assert tree_digest(edited_out) == tree_digest(fresh_run[0])
    assert not list(tmp_path.glob(".out.coopai-*"))


def test_a_run_killed_before_publishing_leaves_out_alone(edited_out, tmp_path):
    before = tree_digest(edited_out)
    marker = tmp_path / "marker"
    run = start_make("all", f"OUT={edited_out}", COOPAI_TEST_PAUSE="snapshot", COOPAI_TEST_MARKER=str(marker))
    wait_for(marker, run)
    kill_group(run)
    assert marker.read_text().startswith("snapshot") and run.returncode == -signal.SIGKILL
    assert tree_digest(edited_out) == before and not leftovers(tmp_path)


# --- refused before anything runs ------------------------------------------------------------------

def refused(*args):
    result = run_make("all", *args)
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("make: ***")]
    assert lines and all(line.startswith("coopai: ") for line in lines), result.stderr  # no traceback
    assert "==>" not in result.stdout
    return result.stderr


@pytest.mark.parametrize("out", ["paper/", "./paper", "paper/x", "data", "data/rebuilt", "src", "notebooks",
                                 "tests", ".", "..", "/"])
def test_out_inside_the_package_or_holding_it_is_refused(out, tmp_path):
    before = tree_digest(ROOT / "data")
    data = tmp_path / "s.csv"
    synthetic.generate_survey(30, seed=5).to_csv(data, index=False)
    message = refused(f"DATA={data}", f"OUT={out}")
    assert f"OUT={out}" in message
    assert tree_digest(ROOT / "data") == before and not list(ROOT.glob(".*.coopai-*"))


def test_out_holding_or_inside_the_runs_own_build_folder_is_refused():
    build = Path(os.environ["COOPAI_BUILD"])
    for out in (build, build / "runs" / "x", build.parent):
        assert "the run's own build folder" in refused(f"OUT={out}")


def test_paper_takes_the_published_run_only(tmp_path):
    assert "lies inside paper/" in refused("ALPHA=0.01")
    assert "lies inside paper/" in refused("LANG=en")


def test_out_that_is_a_file_or_not_writable_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    assert "is a file" in refused(f"OUT={tmp_path / 'file'}")
    if os.geteuid() == 0:  # root writes through permissions: take a folder no one can write in
        locked = Path("/sys/coopai-test-out")
    else:
        locked = tmp_path / "locked" / "out"
        locked.parent.mkdir()
        locked.parent.chmod(0o555)
    assert "cannot write in" in refused(f"OUT={locked}")


def test_out_holding_a_users_files_is_refused_and_kept(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("mine")
    assert "holds files and no coopai manifest" in refused(f"OUT={out}")
    assert (out / "thesis.docx").read_text() == "mine"


def test_survey_inside_out_is_refused(tmp_path):
    data = tmp_path / "s.csv"
    synthetic.generate_survey(30, seed=5).to_csv(data, index=False)
    assert "lies inside OUT" in refused(f"DATA={data}", f"OUT={tmp_path}")


def test_missing_data_is_a_clear_error():
    assert "coopai: DATA=nowhere/survey.csv: no such file" in refused("DATA=nowhere/survey.csv", "OUT=build/x")


def test_user_data_needs_its_own_out_folder(tmp_path):
    data = tmp_path / "s.csv"
    synthetic.generate_survey(30, seed=5).to_csv(data, index=False)
    assert "give OUT=folder" in refused(f"DATA={data}")


def test_bad_parameters_are_refused():
    assert "ALPHA=2: alpha must be a number between 0 and 1" in refused("ALPHA=2", "OUT=build/x")
    assert "SEED=x" in refused("SEED=x", "OUT=build/x")
    assert "LANG=de" in refused("LANG=de", "OUT=build/x")


def test_locale_lang_from_the_environment_is_not_a_parameter(tmp_path, fresh_run):
    result = subprocess.run(["make", "--no-print-directory", "all", f"OUT={tmp_path / 'o'}"],
                            cwd=ROOT, env=make_env(LANG="de_DE.UTF-8"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "o" / MANIFEST).read_text())["parameters"]["lang"] == "fr"


def test_a_survey_too_small_for_any_analysis_is_refused_before_anything_runs(tmp_path):
    from coopai.survey import MIN_COOPERATIVES

    one = tmp_path / "one.csv"
    one.write_text("\n".join(config.REBUILT_DATASET.read_text().splitlines()[:2]) + "\n")
    start = time.perf_counter()
    message = refused(f"DATA={one}", f"OUT={tmp_path / 'out'}")
    assert f"needs at least {MIN_COOPERATIVES} cooperatives" in message and "file one.csv" in message
    assert not (tmp_path / "out").exists()
    print(f"refused in {time.perf_counter() - start:.1f} s")  # seconds, not a notebook's time (benchmark)


def test_bad_data_stops_the_run_and_leaves_outputs_alone(tmp_path, fresh_run):
    bad = tmp_path / "bad.csv"
    rebuilt = config.REBUILT_DATASET.read_text().splitlines()
    rebuilt[8] = rebuilt[8].replace("Agriculture", "Peche")
    bad.write_text("\n".join(rebuilt) + "\n")
    out = tmp_path / "out"
    assert run_make("all", f"OUT={out}").returncode == 0
    before = tree_digest(out)
    message = refused(f"DATA={bad}", f"OUT={out}")
    assert "file bad.csv, row 9, column 'sector': unknown category 'Peche'" in message
    assert tree_digest(out) == before


# --- what a notebook depends on --------------------------------------------------------------------

#: Which notebooks read each data file, written out by hand from reading the notebooks and the
#: functions they call, independently of pipeline.NOTEBOOK_INPUTS. Data files not listed here are
#: read by no notebook (the rebuilt dataset reaches the notebooks only as the run's survey).
EXPECTED_READERS = {
    "data/literature/references.csv": {"01"}, "data/literature/coding.csv": {"01"},
    "data/literature/coding_scheme.csv": {"01"},
    "data/published/sector_readings.csv": {"03", "05"}, "data/published/hypotheses.csv": {"04", "05"},
    "data/published/external_figures.csv": {"05"}, "data/audit/text_repeats.csv": {"05"},
    "data/audit/wording_claims.csv": {"05"}, "data/audit/barrier_lists.csv": {"05"},  # audit.wording_claims
    "data/published/survey_aggregates.csv": {"03", "04", "05"},
    "data/codebook.csv": {"01", "02", "03", "04", "05"},  # 01 too: the plan's lists come from it
    "data/constraints.csv": {"02", "03", "04", "05"},
    "data/category_labels.csv": {"02", "03", "04", "05"},
    "data/instrument/coopai_questionnaire.xlsx": {"02", "03", "04", "05"},  # the loader reads the form
}
ALL_NOTEBOOKS = {name[:2] for name in pipeline.NOTEBOOK_INPUTS}


def expected_readers(relative):
    if relative.startswith("src/coopai/") or relative in ("requirements/core.lock", "pyproject.toml"):
        return ALL_NOTEBOOKS
    if relative.startswith("notebooks/"):
        return {Path(relative).name[:2]} & ALL_NOTEBOOKS
    return EXPECTED_READERS.get(relative, set())


INPUT_FILES = sorted(
    [p.relative_to(ROOT).as_posix() for p in (ROOT / "data").rglob("*") if p.is_file()]
    + [p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb")]
    + ["src/coopai/stats.py", "src/coopai/pipeline.py", "requirements/core.lock", "pyproject.toml"])


@pytest.fixture()
def copy_of_inputs(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    for relative in INPUT_FILES + [p.relative_to(ROOT).as_posix() for p in ROOT.glob("src/coopai/*.py")]:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / relative).read_bytes())
    monkeypatch.setattr(pipeline, "ROOT", root)
    return root


def changed_notebooks(root, change, **params):
    names = sorted(pipeline.NOTEBOOK_INPUTS)
    shown = dict(params=dict(lang="fr", alpha=0.05, seed=1), data_display="s.csv", data_sha="0")
    before = pipeline.identities(names, shown["params"], shown["data_display"], shown["data_sha"])
    change(shown)
    after = pipeline.identities(names, shown["params"], shown["data_display"], shown["data_sha"])
    return {name[:2] for name in names if before[name] != after[name]}


@pytest.mark.parametrize("relative", INPUT_FILES)
def test_changing_an_input_reruns_exactly_the_notebooks_that_read_it(copy_of_inputs, relative):
    def change(_):
        with open(copy_of_inputs / relative, "ab") as handle:
            handle.write(b"\n")
    assert changed_notebooks(copy_of_inputs, change) == expected_readers(relative)


def test_a_new_data_file_beside_declared_ones_reruns_its_readers(copy_of_inputs):
    def change(_):
        (copy_of_inputs / "data/literature/second_coder.csv").write_text("unit_id,code\n")
    assert changed_notebooks(copy_of_inputs, change) == {"01"}


def test_survey_content_and_parameters_rerun_their_readers(copy_of_inputs):
    def survey(shown):
        shown["data_sha"] = "1"
    def alpha(shown):
        shown["params"] = {**shown["params"], "alpha": 0.01}
    assert changed_notebooks(copy_of_inputs, survey) == {"02", "03", "04", "05"}
    assert changed_notebooks(copy_of_inputs, alpha) == {"01", "02", "03", "04", "05"}


def toy_notebook(folder, name, *sources):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "coopai", "display_name": "coopai", "language": "python"}}
    parameters = nbformat.v4.new_code_cell('data = ""\nout = ""\nlang = "fr"\nalpha = 0.05\nseed = 0')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_code_cell(source) for source in sources)]
    nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "run" / "staged").mkdir(parents=True)
    (folder / "sockets").mkdir()


def run_toy(folder, name):
    import asyncio

    return asyncio.run(pipeline._execute(name, folder / "run", folder / "sockets",
                                         {"out": str(folder / "run/staged")}, {}, "fr", notebook_dir=folder))


def test_a_notebook_reading_an_undeclared_file_fails_the_run(tmp_path):
    toy_notebook(tmp_path, "02_descriptive_statistics",
                 f"open({str(ROOT / 'data/codebook.csv')!r}).read()",  # declared for 02
                 f"open({str(ROOT / 'data/audit/text_repeats.csv')!r}).read()")  # not declared for 02
    with pytest.raises(pipeline.NotebookFailed, match="read data/audit/text_repeats.csv, which is not among"):
        run_toy(tmp_path, "02_descriptive_statistics")


def test_every_file_a_notebook_reads_is_declared():
    """The fresh run passed this check for real; here the check itself is shown to catch a read."""
    log = Path(os.environ["COOPAI_BUILD"]) / "reads-test.log"
    code = (f"import coopai.pipeline as p; p._trace_reads({str(log)!r}, {str(ROOT) + os.sep!r}, []);"
            f"open({str(ROOT / 'data/audit/text_repeats.csv')!r}).read();"
            f"open({str(ROOT / 'data/codebook.csv')!r}).read()")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert set(pipeline._undeclared_reads("02_descriptive_statistics", log)) == {"data/audit/text_repeats.csv"}
    assert pipeline._undeclared_reads("05_reproduction_audit", log) == []


def test_the_run_command_imports_nothing_heavy_and_reads_no_data():
    """A run with nothing to do answers at once, and the read check in each kernel sees every read
    (the check imports coopai.pipeline before the notebook: it must read no data file itself)."""
    code = ("import sys, coopai.pipeline; print(sorted(m for m in ('pandas', 'numpy', 'nbformat', 'papermill', "
            "'coopai.plan', 'coopai.codebook') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_notebook_parameter_checks(tmp_path):
    with pytest.raises(ValueError, match="lang must be 'fr' or 'en'"):
        config.validate_parameters(config.REBUILT_DATASET, tmp_path, lang="de")
    with pytest.raises(ValueError, match="no such file"):
        config.validate_parameters(tmp_path / "none.csv", tmp_path)
    with pytest.raises(ValueError, match="seed must be"):
        config.validate_parameters(config.REBUILT_DATASET, tmp_path, seed=-1)


def test_each_notebooks_parameters_cell_holds_the_one_set_of_defaults():
    """A reader running a notebook in Jupyter gets what `make all` runs by default."""
    import nbformat

    from coopai import plan

    expected = {"data": pipeline.DEFAULT_DATA, "lang": pipeline.DEFAULT_LANG, "alpha": plan.ALPHA, "seed": plan.SEED}
    for name in pipeline.NOTEBOOK_INPUTS:
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        values = {}
        exec(cell.source, {}, values)
        assert {k: values[k] for k in expected} == expected, name


def test_notebooks_run_on_the_project_kernel():
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec(pipeline.KERNEL_NAME)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    assert Path(spec.resource_dir).resolve().is_relative_to((ROOT / ".venv").resolve())


def test_a_kernel_that_fails_to_start_is_started_once_more(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    real = NotebookClient.async_execute
    calls = []

    async def flaky(self, **kwargs):  # the first start fails before any cell, as a port clash did
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return await real(self, **kwargs)

    monkeypatch.setattr(NotebookClient, "async_execute", flaky)
    toy_notebook(tmp_path, "99_ok", "x = 1")
    assert set(run_toy(tmp_path, "99_ok")) == {"notebooks/99_ok.html"}  # ran, on the second start
    assert len(calls) == 2


def test_a_kernel_that_never_starts_is_one_line(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    async def broken(self, **kwargs):
        raise RuntimeError("Kernel died before\nreplying to kernel_info")

    monkeypatch.setattr(NotebookClient, "async_execute", broken)
    toy_notebook(tmp_path, "99_never", "x = 1")
    with pytest.raises(pipeline.NotebookFailed, match="^notebook 99_never: the kernel could not start "
                                                       r"\(RuntimeError: Kernel died before replying to kernel_info\)$"):
        run_toy(tmp_path, "99_never")


def test_a_failing_notebook_is_one_line_naming_its_cell(tmp_path):
    toy_notebook(tmp_path, "99_fails", "x = 1", "raise RuntimeError('stop\\nhere')")
    with pytest.raises(pipeline.NotebookFailed) as failed:
        run_toy(tmp_path, "99_fails")
    message = str(failed.value)
    assert message.startswith("notebook 99_fails failed in cell 4: RuntimeError: stop here") and "\n" not in message
    assert (tmp_path / "run" / "executed.ipynb").is_file()
