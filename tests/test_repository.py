"""The repository keeps its promises: clean notebooks, pins in step, every output documented."""
import re
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PARAMETERS = {"data", "out", "lang", "alpha", "seed"}


def lock_versions(path):
    return dict(re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", path.read_text(), flags=re.M))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean_and_opens_with_title_and_parameters(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "**Purpose:**" in nb.cells[0].source
    assert "parameters" in code[0].metadata.get("tags", [])
    names = set(re.findall(r"^(\w+)\s*=", code[0].source, flags=re.M))
    assert PARAMETERS <= names
    assert nb.metadata["kernelspec"]["name"] == "coopai"


def test_environment_yml_matches_the_locks():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    pinned = dict(p.split("==") for p in pip)
    lab = {k.lower(): v for k, v in lock_versions(ROOT / "requirements/lab.lock").items()}
    core = {k.lower(): v for k, v in lock_versions(ROOT / "requirements/core.lock").items()}
    for name, version in pinned.items():
        assert lab.get(name.lower()) == version, f"environment.yml {name}=={version}, lab.lock {lab.get(name.lower())}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = dict(d.split("==") for d in project["dependencies"])
    assert direct.keys() <= pinned.keys(), f"missing from environment.yml: {direct.keys() - pinned.keys()}"
    for name, version in direct.items():
        assert core[name.lower()] == version == pinned[name]
    assert "python=3.11" in env["dependencies"]


def test_readme_lists_every_output_and_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make all" in readme and "make test" in readme
    outputs = [p for p in (ROOT / "paper").rglob("*") if p.is_file() and p.suffix in (".csv", ".png", ".html", ".md")]
    for path in outputs:
        stem = path.name.split(".")[0]
        assert stem in readme, f"README does not list {path.relative_to(ROOT)}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci/run").read_text()


def test_no_machine_paths_in_committed_outputs():
    for path in (ROOT / "paper").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".md", ".csv", ".tex", ".svg"):
            text = path.read_text(errors="ignore")
            assert str(ROOT) not in text and str(Path.home()) + "/" not in text, path


def test_index_notebook_links_every_step():
    index = nbformat.read(ROOT / "notebooks/index.ipynb", as_version=4)
    text = "".join(c.source for c in index.cells)
    assert index.cells[0].source.startswith("# ") and "**Purpose:**" in text
    for path in NOTEBOOKS:
        assert f"]({path.name})" in text, path.name


def git(*args):
    import subprocess
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


needs_git = pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout")


@needs_git
def test_nothing_committed_is_ignored_and_no_build_metadata_is_committed():
    assert git("ls-files", "-ci", "--exclude-standard") == ""
    assert not [p for p in git("ls-files").splitlines() if ".egg-info/" in p]
    assert git("check-ignore", "--no-index", "src/coopai.egg-info/PKG-INFO").strip()


@needs_git
@pytest.mark.parametrize("path, generated", [
    ("paper/notebooks/02_descriptive_statistics.html", True), ("paper/figures/fr/fig2_sectors.svg", True),
    ("paper/tables/table1_marketing_practices.csv", True), ("paper/claims.csv", True),
    ("src/coopai/survey.py", False), ("notebooks/02_descriptive_statistics.ipynb", False),
])
def test_generated_outputs_are_marked_in_gitattributes(path, generated):
    value = git("check-attr", "linguist-generated", "--", path).rsplit(":", 1)[1].strip()
    assert (value in ("true", "set")) is generated, (path, value)


def test_make_lab_runs_as_root_and_passes_lab_args():
    import os
    from conftest import run_make
    result = run_make("-n", "lab", "LAB_ARGS=--no-browser --port 8899")
    command = result.stdout.strip().splitlines()[-1]
    assert "jupyter lab" in command and command.endswith("--no-browser --port 8899")
    assert ("--allow-root" in command) is (os.geteuid() == 0)


def test_make_help_names_every_survey_format():
    from conftest import run_make
    text = run_make("help").stdout
    assert all(suffix in text for suffix in (".csv", ".xlsx", ".sav", ".dta"))


def test_readme_says_no_paragraph_twice():
    paragraphs = [p.strip() for p in (ROOT / "README.md").read_text().split("\n\n") if len(p.strip()) > 80]
    repeated = {p[:60] for p in paragraphs if paragraphs.count(p) > 1}
    assert not repeated, repeated


def test_the_whole_study_runs_are_made_by_one_worker():
    """`make test` runs two workers, and a worker makes a session fixture for its own tests: every test
    that reads the whole-study runs (conftest's fresh_run, user_runs, directly or through a fixture of
    its file) must be in one worker unit. Read from the test files' code, so it holds for any selection."""
    import ast
    from types import SimpleNamespace

    from conftest import STUDY_RUN_FILES, STUDY_RUN_FIXTURES, stray_study_run_tests, work_unit

    readers = set()
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        functions = {node.name: {arg.arg for arg in node.args.args}
                     for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)}
        reach = set(STUDY_RUN_FIXTURES)
        while True:  # fixtures of the file that request a run, and those that request them
            more = {name for name, args in functions.items() if args & reach} - reach
            if not more:
                break
            reach |= more
        if any(name.startswith("test_") for name in reach):
            readers.add(path.name)
    assert {"test_pipeline.py", "test_design.py", "test_narrative.py"} <= readers
    assert readers <= set(STUDY_RUN_FILES), readers - set(STUDY_RUN_FILES)
    assert {work_unit(f"tests/{name}::test_x") for name in readers} == {"whole-study runs"}
    assert work_unit("tests/test_stats.py::test_x") == "tests/test_stats.py"
    # The collection-time guard names a test outside those files.
    stray = SimpleNamespace(nodeid="tests/test_stats.py::test_x", path=Path("tests/test_stats.py"),
                            fixturenames=["tmp_path", "user_runs"])
    assert stray_study_run_tests([stray]) == ["tests/test_stats.py::test_x"]
