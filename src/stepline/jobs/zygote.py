"""The fork server ("zygote"): a process that has imported an engine's libraries once and
forks a ready job process for each request (see :mod:`stepline.jobs.zygotes`, its client).

    python .../stepline/jobs/zygote.py ENGINE SOCKET_FD     (run by path, like launch.py)

It imports what ``PRELOAD`` lists for ``ENGINE`` (imports only: no engine is activated, no
thread started, no DuckDB connection opened), checks it is still single-threaded, says
``{"ready": pid}`` and serves requests on the Unix SOCK_SEQPACKET socket ``SOCKET_FD``: a
JSON object (``id``, ``spec``, ``result``, ``cwd``, ``env``) with three file descriptors
(the run's stdout log, stderr log, and the write end of its "done" pipe). For each request it
forks a child that

* starts a session of its own (``os.setsid``: stop and timeout kill its whole group),
* writes ``P<pid>\\n`` to the done pipe (how the parent learns the job started),
* points fds 1 and 2 at the logs, changes to ``cwd``, sets the environment to ``env``,
* runs :func:`stepline.jobs.launch.launch` as the launcher process would (engine set up,
  script run, report written, then ``R`` on the done pipe),
* tears down as the interpreter would (atexit handlers, the script's files closed, garbage
  collected, stdio flushed) and leaves with ``os._exit``.

The server reaps its children (SIGCHLD) and sends ``{"id", "pid", "status"}`` (the wait
status) for each. It exits when the socket closes (its parent has closed it or died); the
job processes it forked live on, and end as they would.
"""

from __future__ import annotations

import os
import sys
import time
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import socket

# What every job of an engine imports. Not numpy (OpenBLAS), pyarrow (jemalloc) or polars
# (its thread pool): they start threads as they load, so the job processes import them.
COMMON = (
    *("argparse", "pickle", "runpy", "stepline.jobs.launch", "stepline.jobs.errors"),
    *("stepline.jobs.result", "stepline.jobs.spec", "stepline.lake.paths"),
)
PRELOAD = types.MappingProxyType(
    {
        "duckdb": (*COMMON, "duckdb", "fractions", "sqlframe", "sqlframe.testing")
        + ("sqlframe.duckdb", "stepline.jobs.engine_duckdb", "stepline.jobs.bookmarks"),
        "python": (*COMMON, "duckdb"),
    }
)
MAX_MESSAGE = 1 << 20


def _bootstrap() -> None:
    """Run by path: import ``stepline.*`` without running ``stepline/__init__.py``."""
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == here:
        del sys.path[0]
    if "stepline" not in sys.modules:
        package = types.ModuleType("stepline")
        package.__path__ = [os.path.dirname(here)]
        package.__package__ = "stepline"
        sys.modules["stepline"] = package


def preload(engine: str) -> None:
    """Import what the engine's jobs import; nothing is activated. For DuckDB also every
    module of sqlframe's DuckDB engine (``sqlframe.activate`` imports them) and every sqlglot
    dialect (sqlframe's dialect lookup loads them all on a session's first query)."""
    import importlib
    import pkgutil

    for name in PRELOAD[engine]:
        module = importlib.import_module(name)
        if name == "sqlframe.duckdb":
            for info in pkgutil.iter_modules(module.__path__, f"{name}."):
                importlib.import_module(info.name)
    if engine == "duckdb":
        from sqlglot.dialects.dialect import Dialect

        Dialect.classes  # noqa: B018  (a property that imports the dialects)


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def _send(channel: socket.socket, message: dict[str, Any]) -> None:
    import json
    from contextlib import suppress

    with suppress(OSError):  # the parent is gone: the next receive sees the socket closed
        channel.send(json.dumps(message).encode())


def serve(channel: socket.socket, engine: str) -> int:
    import gc
    import select
    import signal
    import socket

    try:
        preload(engine)
        if threads() != 1:
            raise RuntimeError(f"{threads()} threads after the imports; forking is unsafe")
    except Exception as error:
        _send(channel, {"error": f"{type(error).__name__}: {error}"})
        return 1
    gc.collect()
    gc.freeze()  # the children's collections skip (and do not copy) what is shared
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    children: dict[int, int] = {}  # pid -> request id
    _send(channel, {"ready": os.getpid()})
    while True:
        readable, _, _ = select.select([channel.fileno(), wake_read], [], [])
        if wake_read in readable:
            while True:
                try:
                    if not os.read(wake_read, 512):
                        break
                except BlockingIOError:
                    break
        _reap(channel, children)
        if channel.fileno() in readable:
            message, fds, _, _ = socket.recv_fds(channel, MAX_MESSAGE, 3)
            if not message:  # the parent closed the socket, or died
                gc.unfreeze()  # the interpreter's exit finalizes it all (duckdb checks)
                return 0
            _spawn(channel, message, fds, children, (wake_read, wake_write))


def _reap(channel: socket.socket, children: dict[int, int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        request = children.pop(pid, None)
        _send(channel, {"id": request, "pid": pid, "status": status})


def _spawn(
    channel: socket.socket,
    message: bytes,
    fds: list[int],
    children: dict[int, int],
    wake: tuple[int, int],
) -> None:
    import json

    request: dict[str, Any] = {}
    try:
        request = json.loads(message)
        if len(fds) != 3:
            raise ValueError(f"a request carries 3 file descriptors, not {len(fds)}")
        pid = os.fork()
    except (OSError, ValueError) as error:
        for fd in fds:
            os.close(fd)
        _send(channel, {"id": request.get("id"), "error": f"{type(error).__name__}: {error}"})
        return
    if pid == 0:
        launched_at = time.time()
        code = 70
        try:
            code = _child(channel, request, fds, wake, launched_at)
        except SystemExit as request_exit:  # as the interpreter turns it into a status
            exit_code = request_exit.code
            code = exit_code if isinstance(exit_code, int) else int(exit_code is not None)
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    for fd in fds:
        os.close(fd)
    children[pid] = int(request.get("id", 0))


def _child(
    channel: socket.socket,
    request: dict[str, Any],
    fds: list[int],
    wake: tuple[int, int],
    launched_at: float,
) -> int:
    """The forked job process: the launcher's work, then the interpreter's teardown."""
    import signal

    os.setsid()
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    channel.close()
    for fd in wake:
        os.close(fd)
    stdout, stderr, done = fds
    os.write(done, f"P{os.getpid()}\n".encode())
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    os.close(stdout)
    os.close(stderr)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    from stepline.jobs.launch import launch

    argv = ["--spec", request["spec"], "--result", request["result"], "--done-fd", str(done)]
    code, namespace = launch(argv, launched_at)
    teardown(namespace)
    return code


def teardown(namespace: dict[str, Any]) -> None:
    """What the interpreter's exit does after ``main`` returns, that ``os._exit`` skips:
    atexit handlers, then the script's globals finalized (open files closed)."""
    import atexit
    import gc
    import io
    from contextlib import suppress

    atexit._run_exitfuncs()
    for value in list(namespace.values()):
        if isinstance(value, io.IOBase) and value not in (sys.stdout, sys.stderr, sys.stdin):
            with suppress(Exception):
                value.close()
    namespace.clear()
    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()


def main(argv: list[str]) -> int:
    import socket

    engine, fd = argv
    channel = socket.socket(fileno=int(fd))
    return serve(channel, engine)


if __name__ == "__main__":
    if not __package__:
        _bootstrap()
    sys.exit(main(sys.argv[1:]))
