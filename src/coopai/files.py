"""Writing files so that a reader, or a run killed halfway, never leaves half a file behind.

Each file is written in full under a temporary name, then renamed over its target in one
step. The temporary file lives in ``build/tmp`` (``COOPAI_BUILD/tmp`` when that is set) when
that is on the target's file system (the usual case), so no partial file ever appears in an
output folder; otherwise it sits beside the target as a hidden ``.NAME.tmp``. The file gets the
mode a new file gets (``0666`` less the user's umask, ``0644`` by default), not the ``0600`` of a
temporary file.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import config



def new_file_mode() -> int:
    """The mode ``open()`` gives a new file: ``0o666`` less the process's umask.

    Examples
    --------
    >>> old = os.umask(0o022)
    >>> oct(new_file_mode())
    '0o644'
    >>> _ = os.umask(old)
    """
    try:  # Linux shows the umask without changing it (changing it is not thread-safe)
        with open("/proc/self/status") as status:
            umask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def temporary_path(target: Path) -> Path:
    """A fresh temporary path from which ``os.replace`` can move a file onto ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = config.SCRATCH_DIR
    folder.mkdir(parents=True, exist_ok=True)
    if os.stat(folder).st_dev != os.stat(target.parent).st_dev:
        folder = target.parent
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.fchmod(handle, new_file_mode())  # mkstemp makes it 0600, which the published file would keep
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
