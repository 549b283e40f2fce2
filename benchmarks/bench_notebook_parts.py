"""Where a rerun of the notebooks spends its time: kernel imports, figures, notebook 03's computations.

Usage: .venv/bin/python benchmarks/bench_notebook_parts.py [--repeat N]
Prints CPU seconds (this process's, best of N, less sensitive than wall time to other jobs on a
shared machine) and wall seconds; no assertion. What it showed is in the README's Run time.
"""
import argparse
import subprocess
import sys
import time

STACK = ("from coopai import audit, figures, hypotheses, literature, literature_figures, mmi, notebook, power, "
         "sector_tests, stats, tables")


def best(fn, repeat):
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return min(cpu), min(wall)


def import_seconds(prelude, repeat):
    """CPU seconds a fresh interpreter spends importing the notebooks' stack (its own clock)."""
    code = (f"import time; t = time.process_time(); {prelude}{STACK}; "
            f"print(time.process_time() - t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(repeat)]
    return min(runs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args(argv).repeat

    print(f"import of the notebooks' stack, fresh process: {import_seconds('', repeat):.2f} s CPU")
    blocked = "import sys; sys.modules['polars'] = sys.modules['pyarrow'] = None; "
    print(f"  the same without polars and pyarrow (optional imports of statsmodels and pandas): "
          f"{import_seconds(blocked, repeat):.2f} s CPU")

    import matplotlib
    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from IPython.core.pylabtools import print_figure

    from coopai import codebook, figures, hypotheses, mmi, power, sector_tests, stats
    from coopai.survey import load_survey

    figures.use_house_style()
    survey = load_survey()
    checks = hypotheses.hypothesis_checks(survey)
    # Figures 2 and 3 draw the tables the notebook computed (issue 13), as notebook 02 passes them.
    cases = {
        "fig2_sectors": (figures.figure2_sectors, (stats.sector_distribution(survey), survey), {}),
        "fig3_digitalisation": (figures.figure3_digitalisation,
                                (stats.proportion_summary(survey, figures.FIGURE3_INDICATORS), survey), {}),
        "hypothesis_forest": (figures.hypothesis_forest_plot, (checks, survey), {}),
        "threshold_sensitivity": (figures.threshold_sensitivity_plot, (hypotheses.h2_sensitivity(21, 30),), {}),
        "sample_size_planner": (figures.sample_size_plot, (power.sample_size_plan(),), {"n_now": 30}),
    }
    print("one figure as figures.show makes it (both languages; build, PNG and SVG; figures.show itself saves "
          "with coopai.style.render: PNG at 300 dpi, whole canvas):")
    for name, (draw, args, kwargs) in cases.items():
        parts = {"build": 0.0, "png": 0.0, "svg": 0.0}
        for lang in ("fr", "en"):
            t = time.process_time()
            fig = draw(*args, lang=lang, **kwargs)
            parts["build"] += time.process_time() - t
            for fmt in ("png", "svg"):
                t = time.process_time()
                print_figure(fig, fmt, bbox_inches="tight")
                parts[fmt] += time.process_time() - t
            plt.close(fig)
        print(f"  {name}: {sum(parts.values()):.2f} s CPU (" + ", ".join(f"{k} {v:.2f}" for k, v in parts.items()) + ")")

    print("notebook 03's computations on the rebuilt data:")
    for label, fn in {
        "MMI test on this dataset and 20 rebuilds": lambda: mmi.mmi_over_rebuilds(survey, codebook.PRACTICES, seed=1),
        "total-only variables (identification ranges)": lambda: sector_tests.total_only_tests(survey, seed=1),
        "power table (simulated exact test)": lambda: power.power_table(seed=1),
    }.items():
        cpu, wall = best(fn, repeat)
        print(f"  {label}: {cpu:.2f} s CPU, {wall:.2f} s wall")

    def crosstab():
        for v in codebook.PRACTICES:
            pd.crosstab(survey["sector"], survey[v]).reindex(index=list(codebook.SECTORS), columns=[False, True],
                                                             fill_value=0)

    def codes():
        for v in codebook.PRACTICES:
            sector_tests.sector_table(survey, v)

    for label, fn in {"sector tables, pd.crosstab + reindex": crosstab, "sector tables, sector_table": codes}.items():
        cpu, _ = best(lambda: [fn() for _ in range(50)], repeat)
        print(f"  {label} (4 practices x 50): {cpu:.3f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
