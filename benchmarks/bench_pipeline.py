"""Benchmark of the whole study: wall time and peak memory of `make all` on surveys of several sizes,
the time of each notebook, a full rerun on the rebuilt data, and a no-op `make all`.

Usage:
  .venv/bin/python benchmarks/bench_pipeline.py              # 30, 1,000, 10,000 and 100,000 cooperatives
  .venv/bin/python benchmarks/bench_pipeline.py --quick      # loader and tests only, 1,000 and 10,000 (CI)
Prints its figures; asserts nothing (targets live in the issues, figures in the README).
"""
from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from coopai import config, sector_tests, synthetic  # noqa: E402
from coopai.survey import load_survey

BENCH = ROOT / "build" / "bench"


def make(*args):
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    if result.returncode:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"make {' '.join(args)} failed")
    timed = re.findall(r"^\s+(\S+): \d+ files published to .* in ([\d.]+) s", result.stdout, flags=re.M)
    return seconds, peak_kb / 1024, [name for name, _ in timed], [float(t) for _, t in timed]


def full(sizes):
    shutil.rmtree(BENCH, ignore_errors=True)
    BENCH.mkdir(parents=True)
    for n in sizes:
        if n == 30:
            source = config.display(config.REBUILT_DATASET)
        else:
            source = BENCH / f"survey_{n}.csv"
            synthetic.generate_survey(n, seed=n).to_csv(source, index=False)
        seconds, peak_mb, names, times = make("all", f"DATA={source}", f"OUT={BENCH / f'out_{n}'}")
        print(f"make all on {n:,} cooperatives: {seconds:.1f} s wall, peak memory of one process {peak_mb:.0f} MiB", flush=True)
        print("  notebook seconds (each in its own kernel, 2 at a time): "
              + ", ".join(f"{name} {t:.1f}" for name, t in zip(names, times)), flush=True)
    seconds, *_ = make("all", f"OUT={BENCH / 'out_30'}")
    print(f"make all again with nothing changed: {seconds:.2f} s", flush=True)
    shutil.rmtree(ROOT / "build" / "stamps" / str(BENCH / "out_30").replace("/", "_"), ignore_errors=True)
    seconds, *_ = make("all", f"OUT={BENCH / 'out_30'}")
    print(f"every notebook again on the rebuilt data, environment in place: {seconds:.1f} s", flush=True)


def quick(sizes):
    warnings.simplefilter("ignore")
    for n in sizes:
        path = BENCH / f"quick_{n}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.generate_survey(n, seed=n).to_csv(path, index=False)
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
    if args.quick:
        quick(args.sizes or [1_000, 10_000])
    else:
        full(args.sizes or [30, 1_000, 10_000, 100_000])
