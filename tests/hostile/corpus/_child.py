"""Child process of the hostile corpus: run the cdinterop command line with the network cut.

Run as a script (``python _child.py ARGS...``): every socket connection and name lookup is
refused and recorded, one line each, in the file named by ``CDI_HOSTILE_NETLOG``, so that a
case can tell that cdinterop tried to reach another host. Then ``cdinterop ARGS...`` runs
exactly as the console script would.
"""

from __future__ import annotations

import atexit
import os
import socket
import sys
from typing import Any, NoReturn


def _guard() -> None:
    log = os.environ.get("CDI_HOSTILE_NETLOG", "")

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        if log:
            with open(log, "a", encoding="utf-8") as handle:  # noqa: PTH123
                handle.write(f"{args[1:] if args else ''!r}\n")
        raise OSError("network access refused by the hostile corpus")

    for owner, name in (
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
        (socket, "gethostbyname"),
    ):
        setattr(owner, name, refuse)


def _report_peak() -> None:
    """At exit, write this process's peak resident memory (``VmHWM``, bytes) to the file
    named by ``CDI_HOSTILE_PEAK``."""
    target = os.environ.get("CDI_HOSTILE_PEAK", "")
    if not target:
        return
    try:
        with open("/proc/self/status", encoding="ascii") as handle:  # noqa: PTH123
            for line in handle:
                if line.startswith("VmHWM:"):
                    with open(target, "w", encoding="ascii") as out:  # noqa: PTH123
                        out.write(str(int(line.split()[1]) * 1024))
    except (OSError, ValueError):
        pass


def main() -> None:
    """Cut the network, then run ``cdinterop`` with this process's arguments."""
    _guard()
    atexit.register(_report_peak)
    from cdinterop._cli import main as cli_main

    sys.argv = ["cdinterop", *sys.argv[1:]]
    cli_main()


if __name__ == "__main__":
    main()
