"""A kernel's stand-in: have coopai's kernel server fork the kernel, then act for it.

Usage: ``python -I -S kernel_client.py SOCKET PYTHON [OPTIONS] -m ipykernel_launcher ARGS...``
(what :func:`coopai.kernel_server.client_command` builds). Standard library only, so that it
starts in milliseconds. It sends the server its standard streams, the kernel's arguments, its
environment and its folder; then it forwards the signals it gets (an interrupt, a termination)
to the kernel and exits with the kernel's exit status. The server kills the kernel when this
process dies. When the server cannot be reached, it runs the kernel command itself.
"""
import json
import os
import signal
import socket
import sys

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def main() -> None:
    path, command = sys.argv[1], sys.argv[2:]
    try:
        at = command.index("-m")
        if command[at + 1] != "ipykernel_launcher":
            raise ValueError(command[at + 1])
        request = {"args": command[at + 2:], "env": dict(os.environ), "cwd": os.getcwd()}
        server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        server.connect(path)
        socket.send_fds(server, [json.dumps(request).encode()], [0, 1, 2])
        pid = json.loads(server.recv(1 << 16))["pid"]
    except (OSError, ValueError, KeyError, IndexError):
        os.execv(command[0], command)  # the usual start

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in FORWARDED:
        signal.signal(signum, forward)
    reply = server.recv(1 << 16)  # the kernel's exit status, or nothing if the server died
    code = json.loads(reply)["exit"] if reply else 1
    os._exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
