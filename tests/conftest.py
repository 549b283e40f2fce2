"""Shared fixtures: the published aggregates, the codebook, and small survey files made by the tests."""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

# Tests write nothing into the repository's build/: runs, cache and temporary files go to a
# folder of this session (set before coopai is imported: coopai.config reads it once).
os.environ["COOPAI_BUILD"] = tempfile.mkdtemp(prefix="coopai-test-build-")
atexit.register(shutil.rmtree, os.environ["COOPAI_BUILD"], True)

from coopai import config, rebuild
from coopai.published import read_published_aggregates

ROOT = config.PROJECT_ROOT


#: Test files in the order the workers start them, longest first (measured with pytest
#: --durations): `make test` hands whole files to two workers (pytest-xdist, --dist loadfile), and a
#: long file begun last would finish alone. The first three run as one unit (STUDY_RUN_FILES).
LONGEST_FIRST = ("test_pipeline.py", "test_design.py", "test_narrative.py", "test_loader.py", "test_figures.py",
                 "test_design_figures.py", "test_kobo.py", "test_kernel_server.py", "test_formats.py",
                 "test_notebook_setup.py", "test_replication.py", "test_audit.py")

#: The files whose tests read the session's whole-study runs (fixtures ``fresh_run`` and
#: ``user_runs`` below). Each run takes 20-45 s; a worker makes a session fixture once for the
#: tests it runs, so these files go to one worker together and the runs are made once.
STUDY_RUN_FILES = ("test_pipeline.py", "test_design.py", "test_narrative.py")
STUDY_RUN_FIXTURES = ("fresh_run", "user_runs")


def work_unit(nodeid: str) -> str:
    """The unit a test goes to a worker in: its file, or one unit for all of :data:`STUDY_RUN_FILES`."""
    path = nodeid.split("::", 1)[0]
    return "whole-study runs" if Path(path).name in STUDY_RUN_FILES else path


def stray_study_run_tests(items) -> list[str]:
    """Tests that read a whole-study run from a file outside :data:`STUDY_RUN_FILES` (their worker
    would make the runs a second time)."""
    return [item.nodeid for item in items if item.path.name not in STUDY_RUN_FILES
            and set(getattr(item, "fixturenames", ())) & set(STUDY_RUN_FIXTURES)]


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file keeps its order
    strays = stray_study_run_tests(items)
    if strays:  # another worker would make the runs again: list the file in STUDY_RUN_FILES
        raise pytest.UsageError(f"{strays[0]} reads a whole-study run but its file is not in STUDY_RUN_FILES")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Whole files to the workers, as ``--dist loadfile`` hands them, except the files of
    :data:`STUDY_RUN_FILES`, which go to one worker as one unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    config.option.loadscopereorder = False  # hand out units in LONGEST_FIRST order, not by their number of tests

    class StudyRunsTogether(LoadFileScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

    return StudyRunsTogether(config, log)


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


def make_env(**extra):
    """The environment a test's make runs in: the test's own, without the make that runs pytest."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env.update(extra)
    return env


def run_make(*args, timeout=900):
    """Run make in the repository with the test's own Python environment."""
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env=make_env(), capture_output=True,
                          text=True, timeout=timeout)


def start_make(*args, **extra):
    """make in the background, in its own process group (so a test can kill the run and its kernels)."""
    return subprocess.Popen(["make", "--no-print-directory", *args], cwd=ROOT, env=make_env(**extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(path: Path, process, seconds=300):
    """Wait until a run held by a test hook writes ``path``; fail if the run ends first."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the run ended ({process.returncode}) before reaching the hook: {out[-2000:]} {err[-2000:]}")
        assert time.monotonic() < deadline, "the run never reached the hook"
        time.sleep(0.05)


def run_notebooks(jobs, workdir, jobs_at_a_time=2, design=None):
    """Run notebooks on survey files as ``make all`` runs them: kernels forked from one kernel server,
    two at a time, every file a notebook reads checked against its declared inputs.

    ``jobs`` is a list of ``(notebook name, survey file, OUT folder)``; ``design`` the survey design
    as make's variables declare it (``{"cluster": "grappe"}``); returns the executed notebooks' paths.
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
                parameters = {"data": str(data), "out": str(out), "lang": "fr", "alpha": 0.05, "seed": 1,
                              **(design or {})}
                await pipeline._execute(name, folder, sockets, parameters, parameters, "fr", server=server)

        await asyncio.gather(*(one(folder, *job) for folder, job in zip(folders, jobs)))

    try:
        with kernel_server.KernelServer(sockets, pipeline._kernel_command(), pipeline._kernel_env()) as server:
            asyncio.run(run_all(server.path))
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return [folder / "executed.ipynb" for folder in folders]


# --- the whole-study runs, made once a session (the files of STUDY_RUN_FILES read them) ---------

#: A survey file name with shell and HTML characters: a run must neither execute nor render them.
HOSTILE_NAME = "my survey `touch pwned-backtick` $(touch pwned-dollar) <b>bold 'q' \"d\" é.csv"
#: The design fixture's columns (tests/fixtures/design, analysed by R's survey package) as make declares them.
DESIGN_VARIABLES = ("WEIGHT=poids", "STRATA=strate", "CLUSTER=grappe", "FPC=fpc")
DESIGN_SURVEY = ROOT / "tests" / "fixtures" / "design" / "survey.csv"


@pytest.fixture(scope="session")
def fresh_run(tmp_path_factory):
    """The published study run by make into a new folder, with an empty cache (the session's build folder)."""
    out = tmp_path_factory.mktemp("study") / "out"
    result = run_make("all", f"OUT={out}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, result


@pytest.fixture(scope="session")
def user_runs(fresh_run, tmp_path_factory):
    """Two users' surveys run by make at the same time into two OUT folders that held the published run.

    Each run proves several things at once, so that the suite makes two whole-study runs, not five:

    - ``"a"``: a generated survey of 500 cooperatives under a hostile file name, with make's
      parameters as a user sets them (``ALPHA=0.01 SEED=7 LANG=en``). It is appended to while its
      run holds at the snapshot (the run must not see the new rows).
    - ``"b"``: the design fixture (240 cooperatives that R's survey package analysed), declared
      with weights, strata, clusters and FPC; its file is older than B's OUT.

    Each run has one kernel at a time (``JOBS=1``), so the two share the machine's two cores.
    Returns ``{"base": folder, "a"/"b": (survey file, OUT, the file's SHA-256 at the start, make's result)}``.
    """
    from coopai import synthetic

    base = tmp_path_factory.mktemp("user runs")
    a_data, b_data = base / HOSTILE_NAME, base / "older design survey.csv"
    synthetic.generate_survey(500, seed=0).to_csv(a_data, index=False)
    shutil.copyfile(DESIGN_SURVEY, b_data)
    a_sha, b_sha = file_digest(a_data), file_digest(b_data)
    os.utime(b_data, (946684800, 946684800))  # year 2000: older than every output
    a_out, b_out = base / "out A é", base / "out B"
    for out in (a_out, b_out):  # both held the published study's run before
        assert run_make("all", f"OUT={out}").returncode == 0
    marker = base / "a.marker"
    a = start_make("all", f"DATA={a_data}", f"OUT={a_out}", "ALPHA=0.01", "SEED=7", "LANG=en", "JOBS=1",
                   COOPAI_TEST_PAUSE="snapshot", COOPAI_TEST_MARKER=str(marker))
    b = start_make("all", f"DATA={b_data}", f"OUT={b_out}", *DESIGN_VARIABLES, "JOBS=1")
    wait_for(marker, a)
    with open(a_data, "a") as handle:  # the file grows while the run goes on: the run must not see it
        handle.write(synthetic.generate_survey(45, seed=3).tail(5).to_csv(index=False, header=False))
    (base / "a.marker.resume").write_text("")
    results = {}
    for key, process in (("a", a), ("b", b)):
        stdout, stderr = process.communicate(timeout=1500)
        results[key] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return {"base": base, "a": (a_data, a_out, a_sha, results["a"]), "b": (b_data, b_out, b_sha, results["b"])}
