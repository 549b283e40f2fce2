"""Run one notebook of the study and publish its outputs: what ``make all`` calls per notebook.

``python -m coopai.pipeline NAME LANG --data FILE --out DIR``

1. checks the parameters and loads the data once, so that a bad file stops the run
   with the loader's message (file, row, column) before a kernel starts;
2. executes ``notebooks/NAME.ipynb`` with papermill on the project kernel, into
   ``build/runs/...``, the notebook writing its tables into a staging folder there;
3. only then exports the HTML and the tagged figures and moves everything into
   ``DIR``, one atomic rename per file. A failure at any step leaves ``DIR`` as it was.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
import warnings
from pathlib import Path

from . import config, export, survey

KERNEL_NAME = "coopai"


def html_name(name: str, lang: str) -> str:
    """The exported HTML's name: French is the default language, English gets a suffix.

    Examples
    --------
    >>> html_name("02_descriptive_statistics", "en")
    '02_descriptive_statistics.en'
    """
    return name if lang == "fr" else f"{name}.{lang}"


def run_notebook(name: str, lang: str, data_path, out, run_dir, alpha: float = 0.05, seed: int = 20250831,
                 notebooks=None) -> dict:
    """Execute one notebook and publish its outputs; see the module docstring.

    Returns
    -------
    dict
        ``{"seconds": float, "published": [Path, ...]}``
    """
    import papermill  # imported here: loading papermill costs a second the other commands need not pay

    start = time.perf_counter()
    notebook = Path(notebooks or config.NOTEBOOKS_DIR) / f"{name}.ipynb"
    if not notebook.is_file():
        raise FileNotFoundError(f"no notebook {config.display(notebook)}")
    run_dir = config.resolve(run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)
    staged = run_dir / "staged"
    checked = config.validate_parameters(data_path, staged, lang, alpha, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notebook shows the loader's warnings to the reader
        survey.load_survey(checked["data"])
    executed = run_dir / "executed.ipynb"
    papermill.execute_notebook(
        str(notebook), str(executed), kernel_name=KERNEL_NAME, cwd=str(config.PROJECT_ROOT),
        parameters={"data": config.display(checked["data"]), "out": config.display(staged), "lang": lang,
                    "alpha": alpha, "seed": seed},
        progress_bar=False, log_output=False,
        # Saving the whole notebook, images included, after every cell took 1.2 s of a 10 s run
        # (measured alone); the executed notebook is written once, at the end or at a failing cell.
        request_save_on_cell_execute=False,
    )
    result = export.export_notebook(executed, run_dir / "export", lang, html_name(name, lang))
    out = config.resolve(out)
    published = export.publish_staged(staged, out) + export.publish_staged(run_dir / "export", out)
    return {"seconds": time.perf_counter() - start, "published": published, "figures": result["figures"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run one notebook of the study and publish its outputs.")
    parser.add_argument("name", help="notebook name without .ipynb, e.g. 02_descriptive_statistics")
    parser.add_argument("lang", choices=("fr", "en"))
    parser.add_argument("--data", default=config.display(config.REBUILT_DATASET))
    parser.add_argument("--out", default="paper")
    parser.add_argument("--runs", default="build/runs/paper")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=20250831)
    args = parser.parse_args(argv)
    run_dir = Path(args.runs) / f"{args.name}.{args.lang}"
    print(f"==> {args.name} ({args.lang})", flush=True)
    try:
        result = run_notebook(args.name, args.lang, args.data, args.out, run_dir, args.alpha, args.seed)
    except (survey.SurveyDataError, ValueError, FileNotFoundError) as err:
        print(f"coopai: {err}", file=sys.stderr)
        print(f"coopai: nothing was written to {args.out}", file=sys.stderr)
        return 2
    except Exception as err:  # papermill's execution error carries the failing cell
        if type(err).__name__ != "PapermillExecutionError":
            raise
        print(f"coopai: notebook {args.name} ({args.lang}) failed in cell {err.exec_count}: "
              f"{err.ename}: {err.evalue}", file=sys.stderr)
        print(f"coopai: the executed notebook is {config.display(run_dir / 'executed.ipynb')}; "
              f"nothing was written to {args.out}", file=sys.stderr)
        return 1
    print(f"    {args.name}: {len(result['published'])} files published to {args.out} in {result['seconds']:.1f} s",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
