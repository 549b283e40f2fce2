"""Shared fixtures: the published aggregates, the codebook, and small survey files made by the tests."""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# Tests write nothing into the repository's build/: runs, cache and temporary files go to a
# folder of this session (set before coopai is imported: coopai.config reads it once).
os.environ["COOPAI_BUILD"] = tempfile.mkdtemp(prefix="coopai-test-build-")
atexit.register(shutil.rmtree, os.environ["COOPAI_BUILD"], True)

from coopai import config, rebuild
from coopai.published import read_published_aggregates

ROOT = config.PROJECT_ROOT


#: Test files that run the whole study or many figures, started first: `make test` hands whole files
#: to two workers (pytest-xdist, --dist loadfile), and a long file begun last would finish alone.
LONGEST_FIRST = ("test_pipeline.py", "test_design_figures.py", "test_design.py", "test_narrative.py",
                 "test_figures.py", "test_loader.py", "test_kobo.py", "test_kernel_server.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file keeps its order


@pytest.fixture(scope="session")
def published():
    return read_published_aggregates()


@pytest.fixture(scope="session")
def rebuilt():
    survey, notes = rebuild.rebuild_cooperatives()
    return survey, notes


@pytest.fixture()
def survey_frame(rebuilt):
    """The rebuilt survey as a user's file would hold it (text answers, no provenance column)."""
    frame = rebuilt[0].drop(columns=["record_origin"]).copy()
    for column in frame.columns:
        if frame[column].dtype == bool:
            frame[column] = frame[column].map({True: "oui", False: "non"})
    return frame


def file_digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tree_digest(folder) -> dict:
    folder = Path(folder)
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): file_digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def run_make(*args, timeout=900):
    """Run make in the repository with the test's own Python environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def run_notebooks(jobs, workdir, jobs_at_a_time=2):
    """Run notebooks on survey files as ``make all`` runs them: kernels forked from one kernel server,
    two at a time, every file a notebook reads checked against its declared inputs.

    ``jobs`` is a list of ``(notebook name, survey file, OUT folder)``; returns the executed notebooks' paths.
    """
    import asyncio

    from coopai import kernel_server, pipeline

    sockets = Path(tempfile.mkdtemp(prefix="coopai-ipc-"))  # short paths: sockets have a limit
    folders = [Path(workdir) / f"{i}-{name}" for i, (name, _, _) in enumerate(jobs)]

    async def run_all(server):
        limit = asyncio.Semaphore(jobs_at_a_time)

        async def one(folder, name, data, out):
            async with limit:
                (folder / "staged").mkdir(parents=True)
                parameters = {"data": str(data), "out": str(out), "lang": "fr", "alpha": 0.05, "seed": 1}
                await pipeline._execute(name, folder, sockets, parameters, parameters, "fr", server=server)

        await asyncio.gather(*(one(folder, *job) for folder, job in zip(folders, jobs)))

    try:
        with kernel_server.KernelServer(sockets, pipeline._kernel_command(), pipeline._kernel_env()) as server:
            asyncio.run(run_all(server.path))
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return [folder / "executed.ipynb" for folder in folders]
