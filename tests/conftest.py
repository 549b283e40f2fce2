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
