"""The run's snapshot of the survey: read and validated once, then read by every notebook.

``make all`` (:mod:`coopai.pipeline`) loads the user's file once with the loader, and writes the
validated table, with the loader's warnings, into the run's private folder. Every notebook of the
run reads that snapshot, so a file changed or appended to during a run changes nothing, and all
notebooks see the same cooperatives. The table keeps ``attrs["source_file"]``: the notebooks
still name the user's file.

The loader's ``load_survey`` hands a path whose name ends in :data:`SUFFIX` to
:func:`read_snapshot`, so notebooks read a snapshot as they would read a file. A snapshot is a
pickle written by this package into its own run folder: never pass one you did not make
(unpickling runs code).
"""
from __future__ import annotations

import pickle
import sys
from pathlib import Path

SUFFIX = ".coopai-snapshot.pkl"
FORMAT = 1


def write_snapshot(survey, path, warnings=()) -> Path:
    """Write the validated survey and the loader's warning messages to ``path`` (a new file).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> table = pd.DataFrame({"x": [1, 2]})
    >>> table.attrs = {"source_file": "a.csv"}
    >>> path = write_snapshot(table, Path(tempfile.mkdtemp()) / ("run" + SUFFIX), ["a.csv: a note"])
    >>> back = read_snapshot(path)  # prints the stored warning on stderr
    >>> back.attrs["source_file"], len(back)
    ('a.csv', 2)
    """
    path = Path(path)
    if not path.name.endswith(SUFFIX):
        raise ValueError(f"a snapshot's name ends in {SUFFIX}: {path.name}")
    with open(path, "xb") as handle:
        pickle.dump({"format": FORMAT, "survey": survey, "warnings": [str(w) for w in warnings]}, handle,
                    protocol=pickle.HIGHEST_PROTOCOL)
    return path


def is_snapshot(path) -> bool:
    return str(path).endswith(SUFFIX)


def read_snapshot(path):
    """The validated survey stored in a snapshot; the loader's warnings it holds are printed again
    (on stderr: a notebook shows them under its cell), as the loader showed them."""
    with open(path, "rb") as handle:
        stored = pickle.load(handle)
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
        raise ValueError(f"{Path(path).name}: not a coopai snapshot of format {FORMAT}")
    for message in stored["warnings"]:
        print(message, file=sys.stderr)
    return stored["survey"]
