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
