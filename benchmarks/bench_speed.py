"""The three speed figures of issue 14, each printed beside its target, measured in one run:

1. every notebook run again (environment in place, cache off: ``COOPAI_CACHE=off``) against one
   bare kernel start that imports the study's stack, side by side (target: at most 5 times);
2. a fresh clone's ``make all``, environment included (target: under 40 s);
3. ``make test`` in that clone (target: under 60 s).

Usage:
  .venv/bin/python benchmarks/bench_speed.py                  # all three (about 3 minutes)
  .venv/bin/python benchmarks/bench_speed.py --only rerun     # or clone, or test (test needs clone)
  .venv/bin/python benchmarks/bench_speed.py --only rerun --usual-kernels   # and without the kernel server
The clone is made from this repository's HEAD into a temporary folder beside this checkout, where
``../shared`` is found as in CI, and removed afterwards; its environment uses uv's download cache
as it is (say so when you quote the figure: an empty cache adds the download). Prints the load
average before and after each measure: on a shared machine the figures are upper bounds.
Asserts nothing (targets are in the issue, figures in the README's Run time).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: What a notebook's kernel imports before its first result (the study's stack, through coopai).
STUDY_IMPORTS = "import coopai.figures, coopai.sector_tests, coopai.audit, coopai.hypotheses, coopai.design"


def load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return {**env, **extra}


#: CPU seconds (user + system) of the last command :func:`timed` ran, its processes and theirs.
LAST_CPU = [0.0]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command, cwd, **env) -> float:
    start, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run(command, cwd=cwd, env=clean_env(**env), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    LAST_CPU[0] = children_cpu() - cpu
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{' '.join(map(str, command))}: exit {result.returncode}")
    return seconds


def bare_kernel_start(root: Path = ROOT) -> float:
    """Wall seconds of one kernel started as JupyterLab starts it, importing the study's stack, then shut down."""
    code = ("import asyncio, nbformat\nfrom nbclient import NotebookClient\n"
            "nb = nbformat.v4.new_notebook()\n"
            f"nb.cells = [nbformat.v4.new_code_cell({STUDY_IMPORTS!r})]\n"
            "asyncio.run(NotebookClient(nb, kernel_name='coopai', timeout=None).async_execute())\n")
    return timed([str(root / ".venv/bin/python"), "-c", code], root,
                 JUPYTER_PATH=str(root / ".venv/share/jupyter"))


def rerun_ratio(root: Path = ROOT, repeat: int = 3, usual_kernels: bool = False) -> None:
    """Target 1: a full rerun against a bare kernel start, alternated so both see the same load.

    ``usual_kernels``: each round also reruns with every kernel started the usual way
    (``COOPAI_KERNEL_SERVER=off``), to show what the kernel server saves.
    """
    build = Path(tempfile.mkdtemp(prefix="coopai-bench-speed-"))
    try:
        kernels, reruns, usual = [], [], []
        print(f"rerun vs bare kernel ({load()})", flush=True)
        for i in range(repeat):
            kernels.append(bare_kernel_start(root))
            reruns.append((timed(["make", "--no-print-directory", "all", f"OUT={build / f'out{i}'}"], root,
                                 COOPAI_CACHE="off", COOPAI_BUILD=str(build / "build")), LAST_CPU[0]))
            line = (f"  round {i + 1}: bare kernel start {kernels[-1]:.2f} s, full rerun {reruns[-1][0]:.1f} s "
                    f"({reruns[-1][1]:.1f} s CPU)")
            if usual_kernels:
                usual.append((timed(["make", "--no-print-directory", "all", f"OUT={build / f'usual{i}'}"], root,
                                    COOPAI_CACHE="off", COOPAI_KERNEL_SERVER="off", COOPAI_BUILD=str(build / "build")),
                               LAST_CPU[0]))
                line += f"; with the usual kernel starts {usual[-1][0]:.1f} s ({usual[-1][1]:.1f} s CPU)"
            print(f"{line} ({load()})", flush=True)
        kernel, rerun = statistics.median(kernels), statistics.median(r for r, _ in reruns)
        print(f"1. full rerun of every notebook (COOPAI_CACHE=off, environment in place): {rerun:.1f} s = "
              f"{rerun / kernel:.1f} x one bare kernel start with the study's imports ({kernel:.2f} s); "
              f"target: at most 5 x (medians of {repeat}; CPU of the rerun {statistics.median(c for _, c in reruns):.1f} s)",
              flush=True)
        if usual:
            print(f"   the same with every kernel started the usual way: {statistics.median(r for r, _ in usual):.1f} s, "
                  f"{statistics.median(c for _, c in usual):.1f} s CPU (medians)", flush=True)
    finally:
        shutil.rmtree(build, ignore_errors=True)


def fresh_clone(keep: bool):
    """Target 2 (and 3 inside the clone): clone HEAD beside this checkout, then ``make all`` there."""
    clone = Path(tempfile.mkdtemp(prefix=".bench-speed-clone-", dir=ROOT.parent))
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    print(f"fresh clone of {subprocess.run(['git', '-C', str(clone), 'rev-parse', '--short', 'HEAD'], text=True, capture_output=True).stdout.strip()} "
          f"in {clone} ({load()})", flush=True)
    seconds = timed(["make", "--no-print-directory", "all"], clone)
    status = subprocess.run(["git", "-C", str(clone), "status", "--porcelain"], text=True, capture_output=True).stdout
    print(f"2. fresh clone's make all, environment included: {seconds:.1f} s; target: under 40 s "
          f"({load()}; git status afterwards: {'clean' if not status.strip() else 'CHANGED: ' + status[:200]})",
          flush=True)
    return clone


def make_test(clone: Path) -> None:
    start = time.perf_counter()
    result = subprocess.run(["make", "--no-print-directory", "test"], cwd=clone, env=clean_env(), capture_output=True,
                            text=True)
    seconds = time.perf_counter() - start
    summary = (result.stdout.strip().splitlines() or ["?"])[-1].strip("= ")
    print(f"3. make test (quick benchmark and the whole suite): {seconds:.1f} s ({summary}); target: under 60 s "
          f"({load()})", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("rerun", "clone", "test"), action="append",
                        help="measure only these (test runs in a fresh clone, so it makes one)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of rerun / bare kernel start (median)")
    parser.add_argument("--usual-kernels", action="store_true",
                        help="also rerun with every kernel started the usual way (COOPAI_KERNEL_SERVER=off)")
    args = parser.parse_args(argv)
    only = set(args.only or ("rerun", "clone", "test"))
    if "rerun" in only:
        rerun_ratio(repeat=args.repeat, usual_kernels=args.usual_kernels)
    if only & {"clone", "test"}:
        clone = fresh_clone(keep=False)
        try:
            if "test" in only:
                make_test(clone)
        finally:
            shutil.rmtree(clone, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
