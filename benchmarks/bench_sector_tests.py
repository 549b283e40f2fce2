"""Benchmark of the cross-sector tests: time per exact test, the notebook's computations at n = 30,
and the same tests on a generated survey of 100,000 cooperatives (Monte Carlo past exact reach).

Usage: .venv/bin/python benchmarks/bench_sector_tests.py [--quick]
Prints one line per measurement; no assertion (targets are in the issue, figures in the README).
"""
import argparse
import time

import numpy as np
import pandas as pd

from coopai import codebook, contingency, identification, plan, power, sector_tests, synthetic
from coopai.mmi import mmi_test
from coopai.survey import load_survey


def timed(label, fn, repeat=1):
    start = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    seconds = (time.perf_counter() - start) / repeat
    print(f"{label}: {seconds * 1e3:.3f} ms" if seconds < 1 else f"{label}: {seconds:.2f} s", flush=True)
    return result


def generated_survey(n, seed=0):
    rng = np.random.default_rng(seed)
    sectors = rng.choice(list(codebook.SECTORS), n, p=synthetic.SECTOR_SHARES)
    frame = pd.DataFrame({"sector": pd.Categorical(sectors, categories=list(codebook.SECTORS))})
    base = {"direct_sales": 0.73, "uses_social_media": 0.5, "sells_online_platform": 0.23, "attends_trade_fairs": 0.43}
    shift = {"Agriculture": -0.1, "Artisanat": 0.05, "Services": 0.1, "Autres": 0.0}
    for practice, p in base.items():
        frame[practice] = rng.random(n) < p + frame["sector"].map(shift).astype(float).to_numpy() * (1 if practice != "direct_sales" else -1)
    return frame


def main(quick=False):
    survey = load_survey()
    table = sector_tests.sector_table(survey, "uses_social_media").to_numpy()
    contingency.fisher_freeman_halton(table)
    timed("exact test, one 4 x 2 table at n = 30 (null distribution cached)",
          lambda: contingency.fisher_freeman_halton(table), repeat=2000)
    contingency._r_by_2_null.cache_clear()
    timed("exact test, one 4 x 2 table at n = 30 (first call, uncached)", lambda: contingency.fisher_freeman_halton(table))
    for n in (300, 3000):
        big = (table * (n // 30)).astype(int)
        timed(f"exact test, one 4 x 2 table at n = {n}", lambda big=big: contingency.fisher_freeman_halton(big))
    timed("notebook 03 computations at n = 30: Table 1 family", lambda: sector_tests.sector_tests(survey))
    timed("notebook 03 computations at n = 30: MMI test", lambda: mmi_test(survey, codebook.PRACTICES))
    timed("notebook 03 computations at n = 30: identification ranges", identification.identification_ranges)
    timed("notebook 03 computations at n = 30: power table", lambda: power.power_table())
    n = 10_000 if quick else 100_000
    large = generated_survey(n)
    result = timed(f"Table 1 family on {n:,} generated cooperatives", lambda: sector_tests.sector_tests(large))
    print(f"  methods: {sorted(set(result['exact_method']))}; Monte Carlo standard error <= "
          f"{result['p_monte_carlo_se'].max():.4f} ({plan.MONTE_CARLO_DRAWS:,} tables)")
    mmi = timed(f"MMI test on {n:,} generated cooperatives", lambda: mmi_test(large, codebook.PRACTICES))
    print(f"  permutations used: {mmi['permutations']:,}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 instead of 100,000 generated cooperatives")
    main(parser.parse_args().quick)
