"""Start each notebook's kernel by forking a process that has already imported the study's libraries.

Every notebook runs in a kernel of its own (nothing one notebook does reaches another), but a
kernel used to spend about 2.5 s of CPU importing numpy, pandas, scipy, statsmodels, matplotlib,
seaborn and ipykernel before the notebook's first line, once per notebook. During a run the
pipeline starts one server (:func:`serve`) that imports those *third-party* libraries once
(:data:`PRELOAD`) and forks one kernel from it per notebook: each kernel is a new process, with
those modules loaded and nothing else done (no figure, no kernel, no file of the study read).
coopai's own modules are imported by each kernel itself, as before, because some read data files
when imported and the pipeline traces every file a notebook reads (``pipeline._trace_reads``).

jupyter_client starts a kernel as a command. The command used here (:func:`client_command`) is
:file:`kernel_client.py` (standard library only, a few milliseconds) followed by the usual kernel
command: the client hands its standard streams, arguments, environment and folder to the server,
which forks the kernel; the client then stands for the kernel: it forwards signals (interrupts)
and exits with the kernel's exit status, and when the client is killed (jupyter_client's
immediate shutdown) the server kills the kernel. When the server cannot be reached the client
runs the usual command itself, so a kernel always starts.

Run as ``python -m coopai.kernel_server SOCKET`` (by :class:`KernelServer`). This module imports
only the standard library at the top: importing it must not import coopai's data modules.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

#: What the server imports before forking kernels: the libraries the notebooks use (through coopai)
#: and the kernel itself. Never coopai (see the module's docstring) and never
#: matplotlib_inline.backend_inline, which hooks itself into the kernel's shell when first imported.
PRELOAD = (
    "numpy", "pandas", "scipy.stats", "scipy.optimize", "scipy.special", "scipy.ndimage",
    "statsmodels.stats.contingency_tables", "statsmodels.stats.proportion", "statsmodels.stats.power",
    "statsmodels.stats.multitest", "statsmodels.stats.inter_rater",
    "matplotlib", "matplotlib.pyplot", "matplotlib.ticker", "matplotlib.patches", "matplotlib.text", "seaborn",
    "PIL.Image", "IPython", "IPython.display", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
)
#: The usual kernel command runs this module; the server runs it in the forked process instead.
LAUNCHER = "ipykernel_launcher"
CLIENT = Path(__file__).with_name("kernel_client.py")
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (a killed run leaves no server or kernel)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def preload(modules=PRELOAD) -> list[str]:
    """Import ``modules``; return those that failed (the kernel then imports them itself, as usual)."""
    import importlib
    import warnings

    failed = []
    with warnings.catch_warnings():  # a warning raised while importing is the kernel's to show, if any
        warnings.simplefilter("ignore")
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:
                failed.append(name)
    # Warnings' "once" registries filled while importing would hide a warning from a notebook.
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
    return failed


def _kernel(request: dict, fds: list[int], keep_closed, server: int) -> None:
    """In the forked process: become the kernel the request describes; never returns."""
    code = 1
    try:
        for fd in keep_closed:
            try:
                os.close(fd)
            except OSError:
                pass
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        os.setpgid(0, 0)  # its own group, as a kernel jupyter_client starts is
        _die_with_parent(server)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # What python -m ipykernel_launcher ARGS does: argv, and the folder out of sys.path until
        # the shell puts it back.
        import ipykernel_launcher
        sys.argv = [ipykernel_launcher.__file__, *request["args"]]
        # The kernel application read JPY_PARENT_PID when the server imported it (as a class default):
        # given here, the kernel watches its parent as usual and prints no "connect to me" banner.
        if request["env"].get("JPY_PARENT_PID", "").isdigit():
            sys.argv.append(f"--IPKernelApp.parent_handle={request['env']['JPY_PARENT_PID']}")
        if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
            del sys.path[0]
        from ipykernel import kernelapp
        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(path: str, parent: int) -> None:
    """Listen on the Unix socket ``path``, import :data:`PRELOAD`, fork a kernel per request.

    ``parent`` is the run's process id: the server ends with it.
    """
    import selectors

    _die_with_parent(parent)
    server = os.getpid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(16)  # clients that connect while the libraries load wait in the backlog
    preload()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, None)
    kernels = {}  # pid -> [client connection or None, pidfd]
    while True:
        for key, _ in selector.select():
            if key.data is None:
                conn, _ = listener.accept()
                try:
                    message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
                    request = json.loads(message)
                    if len(fds) != 3:
                        raise ValueError("three standard streams expected")
                except (OSError, ValueError):
                    conn.close()
                    continue
                others = [listener.fileno(), conn.fileno(), selector.fileno()]
                others += [fd for c, p in kernels.values() for fd in ((c.fileno(),) if c else ()) + (p,)]
                pid = os.fork()
                if pid == 0:
                    _kernel(request, fds, others, server)
                for fd in fds:
                    os.close(fd)
                pidfd = os.pidfd_open(pid)
                kernels[pid] = [conn, pidfd]
                try:
                    conn.send(json.dumps({"pid": pid}).encode())
                except OSError:
                    pass
                selector.register(conn, selectors.EVENT_READ, ("client", pid))
                selector.register(pidfd, selectors.EVENT_READ, ("kernel", pid))
            elif key.data[0] == "client":  # the client stopped or was killed: so does its kernel
                pid = key.data[1]
                selector.unregister(key.fileobj)
                key.fileobj.close()
                kernels[pid][0] = None
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            else:  # the kernel exited: tell its client the status
                pid = key.data[1]
                conn, pidfd = kernels.pop(pid)
                selector.unregister(pidfd)
                os.close(pidfd)
                _, status = os.waitpid(pid, 0)
                if conn is not None:
                    selector.unregister(conn)
                    try:
                        conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
                    except OSError:
                        pass
                    conn.close()


def client_command(kernel_cmd: list[str], socket_path: str | os.PathLike) -> list[str]:
    """The command that starts ``kernel_cmd`` through the server at ``socket_path``.

    Examples
    --------
    >>> client_command(["/x/python", "-m", "ipykernel_launcher", "-f", "k.json"], "/tmp/s")[4:]
    ['/tmp/s', '/x/python', '-m', 'ipykernel_launcher', '-f', 'k.json']
    """
    # -I -S: the client needs nothing but the standard library, and starts in milliseconds.
    return [kernel_cmd[0], "-I", "-S", str(CLIENT), str(socket_path), *kernel_cmd]


class KernelServer:
    """The server process for one run: ``with KernelServer(folder, env) as server: server.path``.

    ``kernel_cmd`` is the kernelspec's command (its interpreter options are the server's too);
    ``env`` the kernels' environment (numpy reads some of it when imported, so the server gets it).
    """

    def __init__(self, folder: Path, kernel_cmd: list[str], env: dict):
        self.path = Path(folder) / "kernels.sock"
        self.kernel_cmd = kernel_cmd
        self.env = env
        self.process = None

    def __enter__(self):
        options = self.kernel_cmd[1:self.kernel_cmd.index("-m")] if "-m" in self.kernel_cmd else []
        self.process = subprocess.Popen([self.kernel_cmd[0], *options, "-m", "coopai.kernel_server", str(self.path),
                                         str(os.getpid())],
                                        env=self.env, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while not self.path.exists() and self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # bound before it imports anything: a few milliseconds
        return self

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        return False


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
