"""Run the whole study on one survey as one transaction: what ``make all`` calls.

``python -m coopai.pipeline`` (parameters from ``COOPAI_DATA``, ``COOPAI_OUT``, ``COOPAI_ALPHA``,
the survey design's ``COOPAI_WEIGHT``, ``COOPAI_STRATA``, ``COOPAI_CLUSTER``, ``COOPAI_FPC``,
``COOPAI_SEED``, ``COOPAI_LANG``, set by make from its command line, or from the options below):

1. checks the parameters and OUT (:func:`coopai.transaction.check_out`) and takes OUT's lock;
2. computes the run's identity from *content*: the survey file's bytes, the parameters, and
   every input of each notebook (the package's code, the notebook, the data files it reads:
   :data:`NOTEBOOK_INPUTS`). When OUT already holds that run, intact, it stops: nothing to do;
3. reads and validates the survey once (the loader), and writes a snapshot into the run's
   private folder ``build/runs/PID-TOKEN``; every notebook reads that snapshot;
4. runs every notebook (papermill's parameters cell, nbclient, two kernels at a time, all in
   this one process) whose identity is not in the cache ``build/cache``, each writing into its
   own folder, and exports its HTML and figures;
5. publishes the whole new OUT in one step (:func:`coopai.transaction.publish`), old files
   included, with a manifest. A failure or a kill at any moment leaves OUT as it was.

Every expected failure is one line ``coopai: ...`` on stderr and a non-zero exit.
"""
from __future__ import annotations

import argparse
import contextlib
import fnmatch
import hashlib
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import config, transaction
from .kernel_server import KernelServer
from .transaction import RunRefused

KERNEL_NAME = "coopai"
ROOT = config.PROJECT_ROOT
DEFAULT_DATA = "data/rebuilt/cooperatives.csv"
DEFAULT_OUT = "paper"
DEFAULT_LANG = "fr"
JOBS = 2
#: What every notebook depends on besides its own inputs: the package's code and environment.
COMMON_INPUTS = ("src/coopai/*.py", "pyproject.toml", "requirements/core.lock")
#: The files each notebook reads, besides the survey snapshot (globs, relative to the root). A run
#: checks that a notebook read nothing else under the repository (see :func:`_trace_reads`).
#: The survey loader reads the questionnaire (XLSForm) to recognise KoboToolbox exports of it.
SURVEY_INPUTS = ("data/codebook.csv", "data/category_labels.csv", "data/constraints.csv",
                 "data/instrument/coopai_questionnaire.xlsx")
NOTEBOOK_INPUTS = {
    "01_literature_coding": ("data/literature/*", "data/codebook.csv"),  # the plan's lists come from the codebook
    "02_descriptive_statistics": SURVEY_INPUTS,
    "03_cross_sector_tests": SURVEY_INPUTS + ("data/published/survey_aggregates.csv",
                                              "data/published/sector_readings.csv"),
    "04_hypothesis_checks": SURVEY_INPUTS + ("data/published/survey_aggregates.csv", "data/published/hypotheses.csv"),
    "05_reproduction_audit": SURVEY_INPUTS + ("data/published/*.csv", "data/audit/*"),
}
#: Notebooks that read the survey (the others take the data parameter but do not use it).
SURVEY_READERS = frozenset(NOTEBOOK_INPUTS) - {"01_literature_coding"}
#: Longest first, so that two kernels finish close together: CPU seconds of each notebook's code on the
#: rebuilt data (2026-11-27, libraries loaded): 03 8.2, 01 4.5, 04 3.9, 02 3.4, 05 1.4.
ORDER = ("03_cross_sector_tests", "01_literature_coding", "04_hypothesis_checks", "02_descriptive_statistics",
         "05_reproduction_audit")
CACHE_KEPT = 40


class NotebookFailed(Exception):
    """A notebook stopped with an error, or its kernel could not start; the message is one line."""


def html_name(name: str, lang: str) -> str:
    """The exported HTML's name: French is the default language, English gets a suffix.

    Examples
    --------
    >>> html_name("02_descriptive_statistics", "en")
    '02_descriptive_statistics.en'
    """
    return name if lang == "fr" else f"{name}.{lang}"


def build_dir() -> Path:
    """Where runs, the cache and the run records go: ``COOPAI_BUILD``, else ``build/`` in the repository."""
    return config.BUILD_DIR


def package_version() -> str:
    import tomllib
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


# --- parameters ------------------------------------------------------------------------------

#: The survey design's parameters (make's WEIGHT, STRATA, CLUSTER, FPC), in coopai.design's order.
DESIGN_PARAMETERS = ("weight", "strata", "cluster", "fpc")


def parse_parameters(data=None, out=None, alpha=None, seed=None, lang=None, weight=None, strata=None,
                     cluster=None, fpc=None) -> dict:
    """Typed run parameters from text (make's variables); empty means the default.

    Examples
    --------
    >>> p = parse_parameters(alpha="0.01", seed="7", lang="en")
    >>> p["alpha"], p["seed"], p["lang"], p["data"]
    (0.01, 7, 'en', 'data/rebuilt/cooperatives.csv')
    >>> parse_parameters(alpha="1.5")
    Traceback (most recent call last):
    ...
    coopai.transaction.RunRefused: ALPHA=1.5: alpha must be a number between 0 and 1 (default 0.05)
    """
    params = {"data": data or DEFAULT_DATA, "out": out or DEFAULT_OUT, "lang": lang or DEFAULT_LANG}
    try:
        params["alpha"] = float(alpha) if alpha not in (None, "") else config.ALPHA
    except ValueError:
        params["alpha"] = None
    if params["alpha"] is None or not 0 < params["alpha"] < 1:
        raise RunRefused(f"ALPHA={alpha}: alpha must be a number between 0 and 1 (default {config.ALPHA})")
    try:
        params["seed"] = int(seed) if seed not in (None, "") else config.SEED
    except ValueError:
        params["seed"] = -1
    if params["seed"] < 0:
        raise RunRefused(f"SEED={seed}: the seed must be a whole number, 0 or more (default {config.SEED})")
    if params["lang"] not in ("fr", "en"):
        raise RunRefused(f"LANG={lang}: the language must be fr or en (default {DEFAULT_LANG})")
    # The declared design: only the roles given (an empty one is not declared), checked by coopai.design.
    params["design"] = {role: value for role, value in zip(DESIGN_PARAMETERS, (weight, strata, cluster, fpc)) if value}
    if params["design"]:
        from .design import from_parameters
        try:
            from_parameters(**params["design"])
        except ValueError as err:
            raise RunRefused(f"survey design {params['design']}: {err}") from None
    return params


def shown_parameters(params: dict, data_display: str) -> dict:
    """The parameters a run is known by (identity, exported notebooks, manifest); the design only when declared."""
    return {"data": data_display, "lang": params["lang"], "alpha": params["alpha"], "seed": params["seed"],
            **params.get("design", {})}


def is_published_run(params: dict, data_file: Path) -> bool:
    """The published study's own run: default data and parameters (the only run that may write paper/)."""
    return (data_file == (ROOT / DEFAULT_DATA).resolve() and not params.get("design") and params["alpha"] == config.ALPHA
            and params["seed"] == config.SEED and params["lang"] == DEFAULT_LANG)


def check_data(given: str) -> Path:
    path = Path(given)
    path = (path if path.is_absolute() else ROOT / path).resolve()
    if not path.exists():
        raise RunRefused(f"DATA={given}: no such file")
    if not path.is_file():
        raise RunRefused(f"DATA={given} is not a file")
    if not os.access(path, os.R_OK):
        raise RunRefused(f"DATA={given}: cannot read the file")
    return path


# --- identity by content ---------------------------------------------------------------------

def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def input_digests(patterns) -> dict:
    """``{relative path: sha256}`` of every file the globs match (a new or removed file changes it too)."""
    found = {}
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file():
                found[path.relative_to(ROOT).as_posix()] = transaction.file_sha256(path)
    return found


def notebooks() -> list[str]:
    names = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    undeclared = [n for n in names if n not in NOTEBOOK_INPUTS]
    if undeclared:
        raise RunRefused(f"notebook {undeclared[0]} has no declared inputs: add it to "
                         f"coopai.pipeline.NOTEBOOK_INPUTS")
    return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else -1)


def identities(names, params: dict, data_display: str, data_sha: str) -> dict:
    """Each notebook's identity: a hash of everything its outputs are a function of."""
    common = input_digests(COMMON_INPUTS)
    shown = shown_parameters(params, data_display)
    result = {}
    for name in names:
        result[name] = _digest({
            "common": common, "python": sys.version_info[:3], "kernel": KERNEL_NAME,
            "notebook": input_digests([f"notebooks/{name}.ipynb"]),
            "inputs": input_digests(NOTEBOOK_INPUTS[name]), "parameters": shown,
            "survey": data_sha if name in SURVEY_READERS else None,
        })
    return result


def _record_path(out: Path) -> Path:
    """The record of the last run published into ``out`` (kept in build/, keyed by OUT's path)."""
    return build_dir() / "state" / f"{hashlib.sha256(os.fsencode(out)).hexdigest()[:20]}.json"


def up_to_date(out: Path, run_identity: str) -> bool:
    """Whether OUT holds, intact, the outputs of a run with this identity (then there is nothing to do)."""
    try:
        record = json.loads(_record_path(out).read_text())
    except (OSError, ValueError):
        return False
    manifest = transaction.read_manifest(out)
    return (record.get("run") == run_identity and manifest is not None
            and record.get("manifest") == _digest(manifest) and transaction.intact(out, manifest))


# --- running the notebooks -------------------------------------------------------------------

def _trace_reads(log_path: str, root: str, skip: list[str]) -> None:
    """Run in each kernel before the notebook: log every file it opens under the repository.

    The pipeline compares the log with the notebook's declared inputs, so that a notebook that
    starts reading a new file fails the run until the file is declared (and then reruns when it
    changes). Files of the package's code, environment and private run folder are covered otherwise.
    """
    seen = set()
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def hook(event, args):
        if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
            return
        path = os.path.abspath(os.fsdecode(args[0]))
        if path in seen or not path.startswith(root) or any(path.startswith(s) for s in skip):
            return
        seen.add(path)
        os.write(fd, (path + "\n").encode("utf-8", "surrogateescape"))

    sys.addaudithook(hook)


def _undeclared_reads(name: str, log: Path) -> list[str]:
    declared = NOTEBOOK_INPUTS.get(name, ()) + COMMON_INPUTS + (f"notebooks/{name}.ipynb",)
    undeclared = []
    for line in log.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
        path = Path(line)
        if not path.is_file():
            continue
        relative = path.relative_to(ROOT).as_posix()
        if not any(fnmatch.fnmatchcase(relative, pattern) for pattern in declared):
            undeclared.append(relative)
    return undeclared


def _kernel_env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # without bytecode every kernel re-parses pandas & co.
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # numpy picks its SIMD code at run time by CPU (AVX2, AVX-512): log10 and friends then differ in the
    # last bit, and a figure coordinate written with 6 decimals can flip. Using the baseline code on every
    # x86-64 machine keeps the committed figures byte-identical whichever machine runs the study.
    env["NPY_DISABLE_CPU_FEATURES"] = "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"
    return env


def _files_under(folder: Path) -> dict:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


_FORKED_MANAGER = None


def _kernel_manager_class():
    """jupyter_client's kernel manager, starting the kernel through the run's kernel server when it has one."""
    global _FORKED_MANAGER
    if _FORKED_MANAGER is None:
        from jupyter_client.manager import AsyncKernelManager
        from traitlets import Unicode

        from .kernel_server import client_command

        class ForkedKernelManager(AsyncKernelManager):
            server_socket = Unicode("", config=True, help="the run's coopai.kernel_server socket; empty: the usual start")

            def format_kernel_cmd(self, extra_arguments=None):
                command = super().format_kernel_cmd(extra_arguments)
                return client_command(command, self.server_socket) if self.server_socket else command

        _FORKED_MANAGER = ForkedKernelManager
    return _FORKED_MANAGER


def _kernel_command() -> list[str]:
    from jupyter_client.kernelspec import KernelSpecManager
    return KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv


async def _execute(name: str, folder: Path, sockets: Path, parameters: dict, shown: dict, lang: str,
                   notebook_dir: Path | None = None, server: Path | None = None) -> dict:
    """Run one notebook in its own kernel and export it; return ``{relative name: file}`` of its outputs."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.parameterize import parameterize_notebook
    from papermill.translators import translate_parameters
    from traitlets.config import Config

    source = nbformat.read(Path(notebook_dir or ROOT / "notebooks") / f"{name}.ipynb", as_version=4)
    source.metadata["papermill"] = {}
    for cell in source.cells:  # what papermill's execute_notebook prepares before parameterizing
        cell.metadata.setdefault("tags", [])
    injected = parameterize_notebook(source, parameters, kernel_name=KERNEL_NAME, language="python")
    log = folder / "reads.log"
    skip = [str(ROOT / "src"), str(ROOT / ".venv"), str(build_dir()), str(folder)]
    trace = f"import coopai.pipeline as p; p._trace_reads({str(log)!r}, {str(ROOT) + os.sep!r}, {skip!r})"
    for attempt in (1, 2):
        nb = nbformat.from_dict(json.loads(json.dumps(injected)))
        kernel_config = Config()
        # IPC sockets in a private folder: no TCP port to clash with another run, no
        # "running over TCP without encryption" warning from every kernel.
        kernel_config.KernelManager.transport = "ipc"
        kernel_config.KernelManager.ip = str(sockets / f"{name[:2]}-{attempt}")
        if server is not None and attempt == 1:  # forked from the run's kernel server; a retry starts as usual
            kernel_config.ForkedKernelManager.server_socket = str(server)
        started = []
        client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=None, config=kernel_config,
                                kernel_manager_class=_kernel_manager_class(),
                                resources={"metadata": {"path": str(ROOT)}}, shutdown_kernel="immediate",
                                extra_arguments=[f"--IPKernelApp.exec_lines={json.dumps([trace])}"],
                                on_cell_start=lambda **kw: started.append(1))
        try:
            await client.async_execute(env=_kernel_env())
            break
        except CellExecutionError as err:
            nbformat.write(nb, folder / "executed.ipynb")
            cell = next((c for c in nb.cells if c.cell_type == "code" and any(
                o.get("output_type") == "error" for o in c.get("outputs", []))), None)
            where = f" in cell {cell.execution_count}" if cell is not None else ""
            evalue = " ".join(str(err.evalue).split())
            raise NotebookFailed(f"notebook {name} failed{where}: {err.ename}: {evalue} (the executed notebook "
                                 f"is {config.display(folder / 'executed.ipynb')})") from None
        except Exception as err:  # the kernel did not start or died: retry its start once
            if started or attempt == 2:
                what = "died" if started else "could not start"
                raise NotebookFailed(f"notebook {name}: the kernel {what} ({type(err).__name__}: "
                                     f"{' '.join(str(err).split())[:300]})") from None
    undeclared = _undeclared_reads(name, log)
    if undeclared:
        raise NotebookFailed(f"notebook {name} read {undeclared[0]}, which is not among its declared inputs: "
                             f"add it to coopai.pipeline.NOTEBOOK_INPUTS so that a change of it reruns the notebook")
    for cell in nb.cells:
        # The injected cell shows what the run was asked (the user's file, the parameters), not the
        # private paths of this run, so that the exported notebook depends on neither.
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = translate_parameters(KERNEL_NAME, "python", shown, "Parameters")
    executed = folder / "executed.ipynb"
    nbformat.write(nb, executed)
    from . import export  # nbconvert: imported once the first notebook has run, not before the first kernel starts
    export.export_notebook(executed, folder / "export", lang, html_name(name, lang))
    produced = _files_under(folder / "staged")
    for relative, path in _files_under(folder / "export").items():
        if relative in produced:
            raise NotebookFailed(f"notebook {name} wrote {relative} twice")
        produced[relative] = path
    return produced


def _cache_get(identity: str) -> dict | None:
    if os.environ.get("COOPAI_CACHE") == "off":  # every notebook runs (make check-determinism)
        return None
    entry = build_dir() / "cache" / identity
    if not (entry / "complete").is_file():
        return None
    os.utime(entry)  # most recently used: kept longest
    return _files_under(entry / "files")


def _cache_put(identity: str, produced: dict) -> None:
    cache = build_dir() / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    entry = cache / identity
    if entry.exists():
        return
    partial = cache / f".{identity}.{secrets.token_hex(4)}"
    for relative, path in produced.items():
        target = partial / "files" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (partial / "complete").write_text("")
    try:
        os.rename(partial, entry)
    except OSError:  # another run stored the same notebook first
        shutil.rmtree(partial, ignore_errors=True)


def _prune_cache() -> None:
    cache = build_dir() / "cache"
    entries = sorted((p for p in cache.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime,
                     reverse=True) if cache.is_dir() else []
    for stale in entries[CACHE_KEPT:]:
        if time.time() - stale.stat().st_mtime > 3600:  # not one another run is copying from right now
            shutil.rmtree(stale, ignore_errors=True)


async def _run_all(todo: list[str], run_dir: Path, params: dict, snapshot: Path, shown: dict, ids: dict,
                   jobs: int, sockets: Path, server: Path | None = None) -> dict:
    import asyncio
    limit = asyncio.Semaphore(jobs)
    results = {}

    async def one(name):
        async with limit:
            folder = run_dir / name
            (folder / "staged").mkdir(parents=True)
            print(f"==> {name}", flush=True)
            start = time.perf_counter()
            parameters = {"data": str(snapshot), "out": str(folder / "staged"), "lang": params["lang"],
                          "alpha": params["alpha"], "seed": params["seed"], **params["design"]}
            results[name] = await _execute(name, folder, sockets, parameters, shown, params["lang"], server=server)
            _cache_put(ids[name], results[name])
            print(f"    {name}: {time.perf_counter() - start:.1f} s", flush=True)

    tasks = [asyncio.ensure_future(one(name)) for name in todo]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return results


# --- the run ---------------------------------------------------------------------------------

def _load(data_file: Path, design: dict | None = None):
    """Read and validate the survey once (with its declared design); return it and the loader's warnings."""
    import warnings

    from . import survey as survey_module
    if design:  # coopai.design (and scipy.stats) only for a declared design
        from .design import from_parameters

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey = survey_module.load_survey(data_file, design=from_parameters(**design) if design else None)
    messages = list(dict.fromkeys(" ".join(str(w.message).split()) for w in caught))
    return survey, messages


def _clear_abandoned_runs(runs: Path) -> None:
    """Remove private run folders of runs that were killed (their process is gone, no failure to show)."""
    if not runs.is_dir():
        return
    for folder in runs.iterdir():
        pid = folder.name.split("-", 1)[0]
        if not pid.isdigit() or (folder / "FAILED").exists():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass


def run(params: dict, jobs: int = JOBS) -> int:
    start = time.perf_counter()
    data_file = check_data(params["data"])
    published_run = is_published_run(params, data_file)
    out = transaction.check_out(params["out"], ROOT, published_run=published_run, data=data_file, build=build_dir())
    own_folder = out == (ROOT / "paper").resolve()
    names = notebooks()
    data_display = config.display(data_file)
    data_sha = transaction.file_sha256(data_file)
    shown = shown_parameters(params, data_display)
    ids = identities(names, params, data_display, data_sha)
    run_identity = _digest({"version": package_version(), "notebooks": ids, "survey": data_sha, "parameters": shown})
    with transaction.out_lock(out):
        for line in transaction.recover(out):
            print(f"coopai: {line}", flush=True)
        transaction.check_replaceable(out, own_folder=own_folder)
        if up_to_date(out, run_identity):
            print(f"coopai: {params['out']} is up to date (same survey, parameters and package); nothing to do",
                  flush=True)
            return 0
        runs = build_dir() / "runs"
        _clear_abandoned_runs(runs)
        run_dir = runs / f"{os.getpid()}-{secrets.token_hex(4)}"
        run_dir.mkdir(parents=True)
        sockets = Path(tempfile.mkdtemp(prefix="coopai-ipc-"))  # short paths: sockets have a limit
        kernels = contextlib.ExitStack()
        try:
            server = None
            # COOPAI_KERNEL_SERVER=off: every kernel started the usual way (benchmarks/bench_speed.py compares).
            if os.environ.get("COOPAI_KERNEL_SERVER") != "off" and any(_cache_get(ids[n]) is None for n in names):
                # Started now, so that it imports the libraries while this process reads the survey.
                server = kernels.enter_context(KernelServer(sockets, _kernel_command(), _kernel_env())).path
            # The run reads the survey's bytes once, from its own copy (same name, so that messages
            # name the user's file): a file changed or appended to from now on changes nothing.
            copy = run_dir / "input" / data_file.name
            copy.parent.mkdir()
            shutil.copyfile(data_file, copy)
            if transaction.file_sha256(copy) != data_sha:  # changed since it was hashed: this is what runs
                data_sha = transaction.file_sha256(copy)
                ids = identities(names, params, data_display, data_sha)
                run_identity = _digest({"version": package_version(), "notebooks": ids, "survey": data_sha,
                                        "parameters": shown})
            survey, warnings_seen = _load(copy, params["design"])
            survey.attrs["source_path"] = data_display  # the user's file, not the run's copy (same bytes)
            for message in warnings_seen:
                print(f"coopai: warning: {message}", file=sys.stderr, flush=True)
            n = len(survey)
            print(f"coopai: {data_display}: {n:,} cooperatives; alpha {params['alpha']}, seed {params['seed']}, "
                  f"language {params['lang']}" + (f"; survey design: {survey.attrs['design']}" if params["design"] else ""),
                  flush=True)
            from . import snapshot
            snap = snapshot.write_snapshot(survey, run_dir / f"survey{snapshot.SUFFIX}", warnings_seen)
            del survey
            transaction.test_hook("snapshot")
            produced, todo = {}, []
            for name in names:
                cached = _cache_get(ids[name])
                if cached is None:
                    todo.append(name)
                else:
                    produced[name] = cached
            if len(todo) < len(names):
                print(f"    reused from the cache: {', '.join(n for n in names if n not in todo)}", flush=True)
            import asyncio
            produced.update(asyncio.run(_run_all(todo, run_dir, params, snap, shown, ids, jobs, sockets, server)))
            kernels.close()
            files = {}
            for name in names:
                for relative, path in produced[name].items():
                    if relative in files:
                        raise NotebookFailed(f"two notebooks wrote {relative}")
                    files[relative] = path
            from . import contact_sheet
            contact_sheet.add_to_run(files, run_dir)  # one page of every figure, published with them
            manifest = transaction.publish(files, out, {
                "coopai_manifest": transaction.MANIFEST_FORMAT, "package": "coopai", "version": package_version(),
                "data": {"file": data_display, "sha256": data_sha, "cooperatives": n},
                "parameters": {"alpha": params["alpha"], "seed": params["seed"], "lang": params["lang"],
                               **({"design": params["design"]} if params["design"] else {})},
            })
        except (NotebookFailed, KeyboardInterrupt):
            (run_dir / "FAILED").write_text("kept to show what failed\n")
            raise
        except BaseException:
            shutil.rmtree(run_dir, ignore_errors=True)
            raise
        finally:
            kernels.close()
            shutil.rmtree(sockets, ignore_errors=True)
        record = _record_path(out)
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"out": str(out), "run": run_identity, "manifest": _digest(manifest)}) + "\n")
        shutil.rmtree(run_dir, ignore_errors=True)
        _prune_cache()
    print(f"==> {len(files)} files published to {params['out']} ({len(todo)} notebooks run, "
          f"{len(names) - len(todo)} reused) in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the whole study on one survey and publish it into OUT.")
    env = os.environ.get
    parser.add_argument("--data", default=env("COOPAI_DATA"), help=f"survey file (default {DEFAULT_DATA})")
    parser.add_argument("--out", default=env("COOPAI_OUT"), help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--alpha", default=env("COOPAI_ALPHA"), help=f"significance level (default {config.ALPHA})")
    parser.add_argument("--seed", default=env("COOPAI_SEED"), help=f"random seed (default {config.SEED})")
    parser.add_argument("--lang", default=env("COOPAI_LANG"), help="fr or en (default fr)")
    parser.add_argument("--jobs", type=int, default=int(env("COOPAI_JOBS") or JOBS), help="kernels at a time")
    for role in DESIGN_PARAMETERS:
        parser.add_argument(f"--{role}", default=env(f"COOPAI_{role.upper()}"),
                            help=f"survey design: the {role} column (coopai.design; default none)")
    args = parser.parse_args(argv)
    try:
        params = parse_parameters(args.data, args.out, args.alpha, args.seed, args.lang,
                                  args.weight, args.strata, args.cluster, args.fpc)
        return run(params, max(1, args.jobs))
    except KeyboardInterrupt:
        print("coopai: interrupted; OUT was left as it was", file=sys.stderr)
        return 130
    except Exception as err:
        loader = sys.modules.get("coopai.survey")  # not imported for a refusal that comes before loading
        if isinstance(err, (RunRefused, NotebookFailed)) or (loader and isinstance(err, loader.SurveyDataError)):
            message = str(err)
        elif isinstance(err, OSError):
            message = f"{err.strerror or err}: {err.filename}" if err.filename else str(err)
        else:  # a defect of the package: one line here, the traceback kept for the report
            log = build_dir() / "last-error.txt"
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(traceback.format_exc())
            message = f"internal error {type(err).__name__}: {err} (traceback in {config.display(log)})"
        print(f"coopai: {' '.join(message.split())}", file=sys.stderr)
        print(f"coopai: OUT was left as it was", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
