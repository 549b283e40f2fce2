"""Publishing a run into OUT as one transaction: all of it, or nothing changes.

A run never writes into OUT file by file. The orchestrator (:mod:`coopai.pipeline`) builds the
complete new tree in a staging folder beside OUT (same file system), writes the manifest last,
and then swaps the two folders in one step with Linux ``renameat2(RENAME_EXCHANGE)``: a reader,
or a run killed at any moment, sees either the old OUT or the new one, never a mix. The old tree,
now under the staging name, is deleted afterwards. Where the call is missing (another kernel, a
file system without it), two renames are used with a journal beside OUT, and the next run into
that OUT finishes the swap (see :func:`recover`).

Only the module's standard-library imports are loaded: the checks here run before anything
heavy, so that a refused OUT, or a run with nothing to do, answers at once.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import time
from pathlib import Path

MANIFEST = "coopai-manifest.json"
MANIFEST_FORMAT = 1
#: The parts of the build folder a run keeps for itself (see coopai.pipeline).
BUILD_PARTS = ("runs", "cache", "state", "tmp")
#: Folders of the checkout a run must never write into (paper/ has its own rule: the published run only).
PROTECTED = ("data", "src", "notebooks", "tests", "benchmarks", "requirements", "binder", ".git", ".venv")

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


class RunRefused(Exception):
    """A run that cannot start or cannot publish; the message is the one line the user sees."""


# --- where a run may write -------------------------------------------------------------------

def check_out(out, root, *, published_run: bool, data=None, build=None) -> Path:
    """Resolve OUT and refuse, before anything runs, a folder a run must not replace.

    Parameters
    ----------
    out : str or Path
        The folder asked for (relative to ``root`` when not absolute).
    root : Path
        The repository's root.
    published_run : bool
        True for the published study's own run (default data and parameters): the only run
        allowed to write ``paper/``.
    data : Path, optional
        The survey file: it must not lie inside OUT (OUT is replaced as a whole).
    build : Path, optional
        The build folder (private runs, cache, run records): OUT must not hold it or lie in its parts.

    Returns
    -------
    Path
        OUT, absolute, symbolic links resolved.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> check_out("results", root, published_run=False) == (root / "results").resolve()
    True
    >>> check_out("data/x", root, published_run=False)
    Traceback (most recent call last):
    ...
    coopai.transaction.RunRefused: OUT=data/x lies inside data/, which holds the package's data/: choose another folder, e.g. OUT=results/NAME
    """
    root = Path(root).resolve()
    given = str(out)
    if not given.strip():
        raise RunRefused("OUT is empty: give a folder, e.g. OUT=results/NAME")
    out = Path(out)
    out = (out if out.is_absolute() else root / out).resolve()
    if out == root or out in root.parents:
        raise RunRefused(f"OUT={given} is the repository or a folder holding it: a run replaces OUT as a "
                         f"whole; choose a folder of its own, e.g. OUT=results/NAME")
    for name in PROTECTED:
        if out.is_relative_to(root / name):
            raise RunRefused(f"OUT={given} lies inside {name}/, which holds the package's {name}/: "
                             f"choose another folder, e.g. OUT=results/NAME")
    if build is not None:
        build = Path(build).resolve()
        if build.is_relative_to(out) or any(out.is_relative_to(build / part) for part in BUILD_PARTS):
            raise RunRefused(f"OUT={given} holds or lies in the run's own build folder {build}: choose another folder")
    paper = root / "paper"
    if out.is_relative_to(paper) and not (published_run and out == paper):
        raise RunRefused(f"OUT={given} lies inside paper/, which holds the published study's outputs "
                         f"(default data and parameters only): give OUT=folder for another survey or other "
                         f"parameters")
    if out.exists() and not out.is_dir():
        raise RunRefused(f"OUT={given} is a file, not a folder")
    if data is not None and Path(data).resolve().is_relative_to(out):
        raise RunRefused(f"the survey file lies inside OUT={given}, which a run replaces as a whole: "
                         f"move the file or choose another OUT")
    _check_writable(out, given)
    return out


def _check_writable(out: Path, given: str) -> None:
    """Try to write where the run will write (the folder holding OUT, and OUT): permissions alone
    do not tell (root passes every permission check but not a read-only file system)."""
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    for folder in ([parent, out] if out.is_dir() else [parent]):
        probe = folder / f".coopai-probe-{secrets.token_hex(4)}"
        try:
            probe.mkdir()
            probe.rmdir()
        except OSError as err:
            raise RunRefused(f"OUT={given}: cannot write in {folder} ({err.strerror})") from None


# --- one run at a time into one OUT ----------------------------------------------------------

def _sibling(out: Path, kind: str, token: str = "") -> Path:
    return out.parent / f".{out.name}.coopai-{kind}{'-' + token if token else ''}"


@contextlib.contextmanager
def out_lock(out: Path):
    """Hold OUT for this run; a second run into the same OUT is refused at once.

    The lock is ``flock`` on a file beside OUT, removed at the end (a run killed leaves it
    behind unlocked, which the next run takes over). After taking the lock the file is checked
    to be the one still at that name, so two runs never hold two different files.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    path = _sibling(out, "lock")
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise RunRefused(f"another coopai run (process {holder}) is writing to {out}; wait for it to "
                             f"finish, or choose another OUT") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed it between our open and our lock: take the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # unlinked while still held: nobody can lock this file any more
        os.close(fd)


# --- what is in OUT --------------------------------------------------------------------------

def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(out: Path) -> dict | None:
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def listing(folder: Path) -> list[str]:
    """Every file under ``folder``, relative, sorted (folders are implied by their files)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir())


def check_replaceable(out: Path, *, own_folder: bool = False) -> dict | None:
    """Refuse to replace a folder holding files coopai did not write; return its manifest.

    OUT may be missing, empty, or a folder written by an earlier run (its manifest lists every
    file in it). ``own_folder`` is the package's own ``paper/`` (under version control), whose
    outputs the published run replaces even before it carries a manifest.
    """
    if not out.exists():
        return None
    manifest = read_manifest(out)
    present = listing(out)
    if manifest is None:
        if present and not own_folder:
            raise RunRefused(f"OUT={out} holds files and no coopai manifest ({MANIFEST}); a run replaces OUT "
                             f"as a whole and never deletes your own files: choose an empty or new folder")
        return None
    listed = set(manifest.get("files", {})) | {MANIFEST}
    foreign = [name for name in present if name not in listed]
    if foreign and not own_folder:
        raise RunRefused(f"OUT={out} holds files an earlier run did not write ({', '.join(foreign[:3])}"
                         f"{', ...' if len(foreign) > 3 else ''}); a run replaces OUT as a whole: move them "
                         f"or choose another folder")
    return manifest


def intact(out: Path, manifest: dict | None) -> bool:
    """Whether OUT holds exactly the files its manifest lists, with their content."""
    if not manifest or "files" not in manifest:
        return False
    try:
        if listing(out) != sorted(set(manifest["files"]) | {MANIFEST}):
            return False
        return all(file_sha256(out / name) == digest for name, digest in manifest["files"].items())
    except OSError:
        return False


# --- publishing ------------------------------------------------------------------------------

def test_hook(stage: str) -> None:
    """Pause here when a test asks for it (``COOPAI_TEST_PAUSE=stage``), after leaving a marker.

    The marker file (``COOPAI_TEST_MARKER``) names the stage and this process, so that a test
    that kills the run can check the kill happened exactly there. The run goes on when the file
    ``MARKER.resume`` appears (or after ``COOPAI_TEST_PAUSE_SECONDS``, 600 by default).
    """
    if os.environ.get("COOPAI_TEST_PAUSE") != stage:
        return
    marker = Path(os.environ.get("COOPAI_TEST_MARKER") or f"coopai-pause-{os.getpid()}")
    marker.write_text(f"{stage} {os.getpid()}\n")
    resume = marker.with_name(marker.name + ".resume")
    deadline = time.monotonic() + float(os.environ.get("COOPAI_TEST_PAUSE_SECONDS", "600"))
    while time.monotonic() < deadline and not resume.exists():
        time.sleep(0.05)


def _renameat2(source: Path, target: Path, flags: int) -> bool:
    """``renameat2`` through glibc; False when this system has no such call (then the caller falls back)."""
    if os.environ.get("COOPAI_NO_RENAMEAT2"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.renameat2
    except (OSError, AttributeError):
        return False
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if call(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(target))


def _copy_tree(files: dict, folder: Path) -> None:
    """Write ``{relative name: source path or bytes}`` under ``folder``; new files, so the user's umask applies."""
    for name in sorted(files):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = files[name]
        if isinstance(source, bytes):
            target.write_bytes(source)
        else:
            shutil.copyfile(source, target)


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def publish(files: dict, out: Path, manifest: dict) -> dict:
    """Make OUT hold exactly ``files`` plus the manifest, in one step; return the manifest written.

    ``manifest["files"]`` is filled with each file's SHA-256. Call it holding :func:`out_lock`.
    """
    if MANIFEST in files:
        raise ValueError(f"a notebook wrote {MANIFEST}, the run's own file")
    token = secrets.token_hex(6)
    staging = _sibling(out, "new", token)
    os.mkdir(staging)  # not mkdtemp: its 0700 would become OUT's mode after the swap
    try:
        _copy_tree(files, staging)
        manifest = {**manifest, "files": {name: file_sha256(staging / name) for name in sorted(files)}}
        (staging / MANIFEST).write_bytes(manifest_bytes(manifest))
        test_hook("publish")
        if out.exists():
            if _renameat2(staging, out, _RENAME_EXCHANGE):
                test_hook("swapped")
                shutil.rmtree(staging)  # the old tree, now under the staging name
            else:
                _swap_with_journal(staging, out, token)
        elif not _renameat2(staging, out, _RENAME_NOREPLACE):
            os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _swap_with_journal(staging: Path, out: Path, token: str) -> None:
    """Two renames where the atomic exchange is missing; the journal lets the next run finish them."""
    old = _sibling(out, "old", token)
    journal = _sibling(out, "journal")
    journal.write_text(json.dumps({"new": staging.name, "old": old.name}) + "\n")
    os.rename(out, old)
    test_hook("between-renames")
    os.rename(staging, out)
    journal.unlink()
    shutil.rmtree(old, ignore_errors=True)


def recover(out: Path) -> list[str]:
    """Finish or clear what a killed run left beside OUT; call it holding :func:`out_lock`.

    Rule: a journal means a fallback swap was cut between its two renames; the new tree was
    complete before the journal was written, so it becomes OUT (roll forward). Then every
    leftover staging or old tree of this OUT is deleted. Returns what was done, for the log.
    """
    done = []
    journal = _sibling(out, "journal")
    if journal.exists():
        try:
            names = json.loads(journal.read_text())
        except ValueError:
            names = {}
        new = out.parent / names.get("new", "")
        if not out.exists() and names.get("new") and new.is_dir():
            os.rename(new, out)
            done.append(f"finished the swap of an interrupted run into {out}")
        journal.unlink()
    prefix = f".{out.name}.coopai-"
    for leftover in sorted(out.parent.glob(f"{prefix}*")):
        kind = leftover.name[len(prefix):].split("-", 1)[0]
        if kind in ("new", "old") and leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
            done.append(f"removed {leftover.name}, left by an interrupted run")
    return done
