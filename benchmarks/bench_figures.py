"""Benchmark of figure rendering: what drawing and saving each figure costs, the files as they were
written before issue 13 (PNG at 100 dpi and SVG, each on a "tight" box, which draws twice) against
what style.render writes now (PNG at 300 dpi and SVG on the whole canvas), in one process.

Usage:
  .venv/bin/python benchmarks/bench_figures.py [--repeat 3]
Prints its figures; asserts nothing. The figures are those tests/test_figures.py checks.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from coopai import plan, style  # noqa: E402
from coopai.survey import load_survey  # noqa: E402
from test_figures import study_figures  # noqa: E402


def best_of(repeat, action):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    style.use_house_style()
    survey = load_survey()
    draws = study_figures(survey, plan.ALPHA, "fr")
    print(f"{'figure':32s} {'draw':>7s} {'before':>7s} {'now':>7s}  (seconds, best of {args.repeat}; "
          "before = png 100 dpi + svg, tight box; now = style.render: png 300 dpi + svg)")
    totals = [0.0, 0.0, 0.0]

    def before(fig):
        for fmt, dpi in (("png", 100), ("svg", 100)):
            fig.savefig(io.BytesIO(), format=fmt, dpi=dpi, bbox_inches="tight")

    for name, draw in draws.items():
        draw_time = best_of(args.repeat, lambda: plt.close(draw()))
        fig = draw()
        row = [draw_time, best_of(args.repeat, lambda: before(fig)), best_of(args.repeat, lambda: style.render(fig))]
        plt.close(fig)
        totals = [t + r for t, r in zip(totals, row)]
        print(f"{name:32s} " + " ".join(f"{v:7.3f}" for v in row))
    print(f"{'total (one language)':32s} " + " ".join(f"{v:7.3f}" for v in totals))
    print(f"saving now costs {totals[2] - totals[1]:+.2f} s per language against before "
          f"({2 * (totals[2] - totals[1]):+.2f} s per study run, both languages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
