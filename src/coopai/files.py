"""Writing files so that a reader, or a run killed halfway, never leaves half a file behind.

Each file is written in full under a temporary name, then renamed over its target in one
step. The temporary file lives in ``build/tmp`` when that is on the target's file system
(the usual case), so no partial file ever appears in an output folder; otherwise it sits
beside the target as a hidden ``.NAME.tmp``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from . import config

SCRATCH = config.SCRATCH_DIR


def temporary_path(target: Path) -> Path:
    """A fresh temporary path from which ``os.replace`` can move a file onto ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    folder = SCRATCH if os.stat(SCRATCH).st_dev == os.stat(target.parent).st_dev else target.parent
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    return Path(name)


def write_atomic(path, content) -> Path:
    """Write text (UTF-8, line ends as given) or bytes to ``path`` in one step.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> write_atomic(target, "done\\n").read_text()
    'done\\n'
    """
    path = Path(path)
    tmp = temporary_path(path)
    try:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                handle.write(content)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def copy_atomic(source, target) -> Path:
    """Copy ``source`` onto ``target`` in one step."""
    target = Path(target)
    tmp = temporary_path(target)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
