"""Start stub providers by forking one process that has already imported them.

A stub started as its own Python process spends about 0.25 s of CPU importing grpc, the
plugin library and the planning code before it serves; the plan tests start one per
provider and fake cluster, about 60 per session. This process imports all of it once,
then forks a stub per request, in a few milliseconds.

Protocol, one JSON line per request on stdin:
``{"name", "schema", "argv", "env", "tmpdir", "out"}``. The child serves in dev mode
with ``env`` added to its environment, its socket under ``tmpdir`` and its standard
output in the file ``out`` (where the reattach line appears); the answer is the child's
pid, or ``error <reason>``, one line on stdout. Nothing in the zygote starts grpc, so each child starts it
fresh after the fork.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
import tempfile

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent() -> None:
    """Linux: the stub is killed when the zygote ends (it ends when the harness's end of
    its stdin closes), so no stub outlives a session that was killed."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _serve(request: dict[str, object], zygote: int) -> None:
    """In the child: become the stub of the request and never return."""
    os.setsid()
    _die_with_parent()
    if os.getppid() != zygote:  # the zygote ended before the line above took effect
        os._exit(1)
    out = os.open(str(request["out"]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # the requests are the zygote's
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    os.closerange(3, 256)  # nothing of the zygote's but the three above
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    os.environ.update({str(k): str(v) for k, v in dict(request["env"]).items()})  # type: ignore[call-overload]
    os.environ["TMPDIR"] = str(request["tmpdir"])
    tempfile.tempdir = str(request["tmpdir"])
    sys.argv = [str(a) for a in request["argv"]]  # type: ignore[union-attr]
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    from tfstub.provider_main import main

    try:
        main(str(request["name"]), str(request["schema"]))
    finally:
        os._exit(0)


def run() -> None:
    import tfstub.provider_main  # noqa: F401  (what every child needs, imported once)

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is pytest's; this ends when its stdin closes
    zygote = os.getpid()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            pid = os.fork()
        except (OSError, ValueError) as error:
            answer = f"error {type(error).__name__}: {error}"
        else:
            if pid == 0:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _serve(request, zygote)
            answer = str(pid)
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    run()
