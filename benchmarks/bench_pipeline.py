"""Benchmark of the whole study: `make all` on surveys of several sizes, a no-op, a refused file,
a full rerun of every notebook beside one bare kernel start, and the loader and Table 1 tests.

Usage:
  .venv/bin/python benchmarks/bench_pipeline.py              # 30, 1,000 and 100,000 cooperatives
  .venv/bin/python benchmarks/bench_pipeline.py --quick      # a refused file, the loader and tests at 1,000 (CI)
Prints its figures; asserts nothing (targets live in the issues, figures in the README). Runs go to
a temporary build folder and temporary OUT folders, never into the repository.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(tempfile.mkdtemp(prefix="coopai-bench-"))
os.environ["COOPAI_BUILD"] = str(BENCH / "build")  # before coopai is imported: coopai.config reads it
sys.path.insert(0, str(ROOT / "src"))

from coopai import config, sector_tests, synthetic  # noqa: E402
from coopai.survey import load_survey  # noqa: E402


def make(*args, expect_failure=False, **env):
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    environ = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True,
                            env={**environ, **env})
    seconds = time.perf_counter() - start
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    if bool(result.returncode) != expect_failure:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"make {' '.join(args)}: unexpected exit {result.returncode}")
    timed = re.findall(r"^\s+(\S+): ([\d.]+) s$", result.stdout, flags=re.M)
    return seconds, peak_mb, timed


def survey_file(n: int) -> Path:
    if n == 30:
        return config.REBUILT_DATASET
    path = BENCH / f"survey_{n}.csv"
    if not path.exists():
        synthetic.generate_survey(n, seed=n).to_csv(path, index=False)
    return path


def refused_file() -> Path:
    """A 1,000-row survey whose last row names an unknown sector: refused after reading the whole file."""
    path = BENCH / "refused.csv"
    frame = synthetic.generate_survey(1_000, seed=9)
    frame.loc[len(frame) - 1, "sector"] = "Peche"
    frame.to_csv(path, index=False)
    return path


def bare_kernel_start() -> float:
    """One kernel started, with the study's stack imported, and shut down: the unit of the rerun target."""
    code = ("import asyncio, nbformat\nfrom nbclient import NotebookClient\n"
            "nb = nbformat.v4.new_notebook()\n"
            "nb.cells = [nbformat.v4.new_code_cell('import coopai.figures, coopai.sector_tests, coopai.audit')]\n"
            "asyncio.run(NotebookClient(nb, kernel_name='coopai', timeout=None).async_execute())\n")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True,
                   env={**os.environ, "JUPYTER_PATH": str(ROOT / ".venv/share/jupyter")})
    return time.perf_counter() - start


def refused_run():
    seconds, *_ = make("all", f"DATA={refused_file()}", f"OUT={BENCH / 'out_refused'}", expect_failure=True)
    print(f"make all on a refused file of 1,000 rows (error in its last row): {seconds:.2f} s", flush=True)


def full(sizes):
    for n in sizes:
        seconds, peak_mb, timed = make("all", f"DATA={survey_file(n)}", f"OUT={BENCH / f'out_{n}'}",
                                       COOPAI_CACHE="off")
        print(f"make all on {n:,} cooperatives: {seconds:.1f} s wall, peak memory of one process {peak_mb:.0f} MiB",
              flush=True)
        print("  notebook seconds (each in its own kernel, 2 at a time): "
              + ", ".join(f"{name} {float(t):.1f}" for name, t in timed), flush=True)
        seconds, *_ = make("all", f"DATA={survey_file(n)}", f"OUT={BENCH / f'out_{n}'}")
        print(f"  make all again with nothing changed (no-op): {seconds:.2f} s", flush=True)
    kernel = bare_kernel_start()
    seconds, *_ = make("all", f"OUT={BENCH / 'out_rerun'}", COOPAI_CACHE="off")
    print(f"every notebook again on the rebuilt data, environment in place: {seconds:.1f} s; one bare kernel start "
          f"with the study's imports {kernel:.1f} s; ratio {seconds / kernel:.1f} (target: at most 5)", flush=True)
    refused_run()


def quick(sizes):
    refused_run()
    warnings.simplefilter("ignore")
    for n in sizes:
        path = survey_file(n)
        tracemalloc.start()
        start = time.perf_counter()
        survey = load_survey(path)
        load = time.perf_counter() - start
        start = time.perf_counter()
        sector_tests.sector_tests(survey)
        tests = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"benchmark (quick) {n:,} cooperatives: load and validate {load:.2f} s, Table 1 sector tests "
              f"{tests:.2f} s, peak Python memory {peak:.0f} MiB", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*")
    args = parser.parse_args()
    try:
        if args.quick:
            quick(args.sizes or [1_000])  # 10,000 too with --sizes 1000 10000 (about 25 s more)
        else:
            full(args.sizes or [30, 1_000, 100_000])
    finally:
        shutil.rmtree(BENCH, ignore_errors=True)
