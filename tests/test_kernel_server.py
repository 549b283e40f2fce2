"""Kernels forked from the run's kernel server (coopai.kernel_server): fresh processes with the
libraries loaded and nothing of the study, interrupted and stopped as jupyter_client expects,
and started the usual way when the server is missing. The fresh run in test_pipeline.py shows
that the notebooks' outputs are byte-identical to the committed ones when run this way."""
import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from coopai import kernel_server, pipeline


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kernels")
    with kernel_server.KernelServer(folder, pipeline._kernel_command(), pipeline._kernel_env()) as running:
        yield running


def manager(tmp_path, socket_path):
    from traitlets.config import Config

    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(tmp_path / "k")
    config.ForkedKernelManager.server_socket = str(socket_path)
    return pipeline._kernel_manager_class()(kernel_name=pipeline.KERNEL_NAME, config=config)


async def run_cells(km, *sources, interrupt_after=None):
    """Start the kernel, run each source, return the text each printed (or the error's name)."""
    await km.start_kernel(env=pipeline._kernel_env())
    client = km.client()
    client.start_channels()
    await client.wait_for_ready(timeout=120)
    results = []
    try:
        for source in sources:
            msg_id = client.execute(source)
            if interrupt_after is not None and "sleep" in source:
                await asyncio.sleep(interrupt_after)
                await km.interrupt_kernel()
            text = []
            while True:
                msg = await client.get_iopub_msg(timeout=120)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    text.append(content["text"])
                elif kind == "error":
                    text.append(content["ename"])
                elif kind == "status" and content["execution_state"] == "idle":
                    break
            results.append("".join(text).strip())
    finally:
        client.stop_channels()
    return results


def gone(pid, seconds=30):
    """Whether the process ended within ``seconds`` (a zombie waiting for its parent to reap it has ended)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_a_forked_kernel_has_the_libraries_and_nothing_of_the_study(server, tmp_path):
    km = manager(tmp_path, server.path)

    async def go():
        try:
            return await run_cells(km, "import os, sys; print(os.getpid(), os.getppid())",
                                   "print(sorted(m for m in ('numpy', 'pandas', 'scipy.stats', 'seaborn', 'coopai.codebook',"
                                   " 'coopai.figures') if m in sys.modules))")
        finally:
            await km.shutdown_kernel(now=True)

    (pids, loaded) = asyncio.run(go())
    kernel, parent = map(int, pids.split())
    assert parent == server.process.pid and kernel != km.provisioner.pid  # forked by the server, not the client
    assert loaded == str(sorted(["numpy", "pandas", "scipy.stats", "seaborn"]))  # coopai: the notebook imports it
    assert gone(kernel)


def test_killing_the_client_kills_its_kernel_and_interrupts_reach_it(server, tmp_path):
    km = manager(tmp_path, server.path)

    async def go():
        out = await run_cells(km, "import os; print(os.getpid())", "import time; time.sleep(60)", interrupt_after=1.0)
        client = km.provisioner.process
        client.kill()  # what jupyter_client's immediate shutdown does (SIGKILL to the client's group)
        client.wait()
        return out, client.returncode

    (pid, interrupted), code = asyncio.run(go())
    assert interrupted == "KeyboardInterrupt"  # the interrupt went through the client to the kernel
    assert code == -signal.SIGKILL  # the client was killed, not ended by itself
    assert gone(int(pid)), "the kernel outlived its killed client"


def test_without_a_server_the_kernel_starts_the_usual_way(tmp_path):
    km = manager(tmp_path, tmp_path / "no-server.sock")

    async def go():
        try:
            return await run_cells(km, "import os, sys; print(os.getpid(), 'numpy' in sys.modules)"), km.provisioner.pid
        finally:
            await km.shutdown_kernel(now=True)

    (printed,), client_pid = asyncio.run(go())
    pid, numpy_loaded = printed.split()
    assert int(pid) == client_pid and numpy_loaded == "False"  # the client became the kernel itself


def test_the_server_loads_no_module_of_the_study_nor_the_inline_backend():
    """coopai's modules read data files when imported: each kernel must import them itself, under the
    pipeline's read trace; matplotlib_inline's backend hooks into the shell that imports it first."""
    import subprocess
    import sys

    code = ("import sys; from coopai import kernel_server as k; failed = k.preload(); "
            "print(failed, sorted(m for m in sys.modules if m.startswith(('coopai', 'matplotlib_inline'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env=pipeline._kernel_env())
    assert result.stdout.split() == ["[]", "['coopai',", "'coopai.kernel_server']"]


def test_a_killed_run_takes_its_server_and_kernels_with_it(tmp_path):
    """A run killed outright (SIGKILL, as the kill tests of test_pipeline do) leaves no server or kernel behind."""
    import subprocess
    import sys

    runner = ("import sys, time; from pathlib import Path; from coopai import kernel_server, pipeline\n"
              "folder = Path(sys.argv[1])\n"
              "server = kernel_server.KernelServer(folder, pipeline._kernel_command(), pipeline._kernel_env()).__enter__()\n"
              "command = kernel_server.client_command(pipeline._kernel_command()[:1] + ['-m', 'ipykernel_launcher', '-f',"
              " str(folder / 'connection.json')], server.path)\n"
              "subprocess = __import__('subprocess')\n"
              "client = subprocess.Popen(command, env=pipeline._kernel_env())\n"
              "print(server.process.pid, client.pid, flush=True)\n"
              "time.sleep(600)\n")
    run = subprocess.Popen([sys.executable, "-c", runner, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    server, client = map(int, run.stdout.readline().split())
    children = Path(f"/proc/{server}/task/{server}/children")
    deadline = time.monotonic() + 120
    while not children.read_text().split():  # the server forks the kernel once it has loaded the libraries
        assert time.monotonic() < deadline, "no kernel was forked"
        time.sleep(0.1)
    kernel = int(children.read_text().split()[0])
    run.kill()
    run.wait()
    assert run.returncode == -signal.SIGKILL  # the run was killed, it did not end by itself
    assert gone(server) and gone(kernel), "a server or kernel outlived the killed run"
    assert gone(client)  # its kernel gone, the stand-in exits too
