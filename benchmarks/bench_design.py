"""Benchmark: a stratified, clustered, weighted survey of 100,000 cooperatives end to end, with and
without its design (issue #15: the design-based run within 1.5 times the run without a design).

Usage:
  .venv/bin/python benchmarks/bench_design.py               # 100,000 cooperatives
  .venv/bin/python benchmarks/bench_design.py --rows 5000   # a quicker look
Prints its figures; asserts nothing.

The same generated survey is run twice with `make all` (notebook cache off): once with its design
declared (WEIGHT, STRATA, CLUSTER, FPC), once with the design columns removed (the loader refuses
undeclared design columns), so the two runs differ only by the design-based analysis. It also times
the design-based computations alone, in this process.

Each run prints its wall-clock time and its CPU time (user + system of make and every process
it waited for, the notebook kernels included). On a shared machine the wall-clock ratio moves
with other users' load (from 1.0 to 1.6 between runs of the same code on a loaded 2-core machine);
the CPU ratio much less.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from coopai import design  # noqa: E402
from coopai.codebook import PRACTICES  # noqa: E402

BENCH = ROOT / "build" / "bench_design"
#: 12 regions, 40 communes sampled in each of 200: 480 clusters.
STRATA = tuple((f"Region {h + 1:02d}", 200, 40) for h in range(12))
DECLARED = {"WEIGHT": "poids", "STRATA": "strate", "CLUSTER": "grappe", "FPC": "fpc"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_all(data: Path, out: Path, **variables) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `make all` (cache off)."""
    env = dict(os.environ, COOPAI_CACHE="off")
    args = ["make", "--no-print-directory", "all", f"DATA={data}", f"OUT={out}"]
    args += [f"{name}={value}" for name, value in variables.items()]
    start, cpu_start = time.perf_counter(), _children_cpu()
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env)
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu_start
    if result.returncode:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"{' '.join(args)} failed")
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    shutil.rmtree(BENCH, ignore_errors=True)
    BENCH.mkdir(parents=True)
    survey = design.generate_design_survey(rows, seed=1, strata=STRATA)
    with_design, without_design = BENCH / "survey_design.csv", BENCH / "survey_plain.csv"
    survey.to_csv(with_design, index=False)
    survey.drop(columns=list(DECLARED.values())).to_csv(without_design, index=False)

    frame = survey.copy()
    for column in PRACTICES:
        frame[column] = frame[column] == "oui"
    start = time.perf_counter()
    prepared = design.prepare(frame, design.Design(*DECLARED.values()))
    design.design_proportions(frame, prepared, list(PRACTICES))
    design.design_sector_tests(frame, prepared, list(PRACTICES))
    print(f"design-based proportions and tests of the {len(PRACTICES)} practices on {rows:,} cooperatives "
          f"({len(prepared.psu_stratum)} clusters in {len(prepared.stratum_names)} strata), in process: "
          f"{time.perf_counter() - start:.1f} s", flush=True)

    plain, plain_cpu = make_all(without_design, BENCH / "out_plain")
    print(f"make all without a design: {plain:.1f} s ({plain_cpu:.1f} s CPU)", flush=True)
    designed, designed_cpu = make_all(with_design, BENCH / "out_design", **DECLARED)
    print(f"make all with WEIGHT, STRATA, CLUSTER and FPC declared: {designed:.1f} s ({designed_cpu:.1f} s CPU)",
          flush=True)
    print(f"ratio with / without a design: {designed / plain:.2f} wall clock, {designed_cpu / plain_cpu:.2f} CPU "
          f"(target: at most 1.5); load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
