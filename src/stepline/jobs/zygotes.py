"""Fork servers ("zygotes") for job processes: the parent side of :mod:`stepline.jobs.zygote`.

    zygotes = Zygotes()                       # one per JobRunner; nothing starts yet
    child = zygotes.start("duckdb", spec_path=..., result_path=..., stdout=fd, stderr=fd,
                          cwd=run_dir, env=environment)
    if child is None: ...                     # start the launcher the ordinary way
    zygotes.close()

A job process forked from a zygote skips the interpreter's start and the engine's imports
(DuckDB, sqlframe and sqlglot's dialects: ~0.4 s). There is one zygote per engine kind that
benefits ("duckdb", "python"); Spark jobs always get a fresh process (the JVM is their cost,
and a forked JVM gateway is unsafe). A zygote starts in the background on first use (jobs
meanwhile start the ordinary way, unless ``wait``), is started again if it has died, and
ends with :meth:`Zygotes.close` or when this process dies: it exits once its socket closes.
(Not PR_SET_PDEATHSIG: that fires when the *thread* that started the zygote ends.)

:meth:`Zygotes.start` returns None, and the caller starts the job the ordinary way, whenever
the zygote cannot run it: pidfd_open missing (Linux < 5.3), the zygote not starting, dying
or stuck before the job process existed, or an environment the zygote was not started with
(variables read at interpreter start: PYTHON*, LD_*, locale, HOME...). A job is never run
twice: the fork is known to have happened when the job process writes its pid to its done
pipe, and known not to have happened when that pipe closes without it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

ZYGOTE: Final = Path(__file__).resolve().with_name("zygote.py")
ENGINES: Final = ("duckdb", "python")
MAX_MESSAGE: Final = 1 << 20
_STARTUP_PREFIXES: Final = ("PYTHON", "LD_", "LC_", "MALLOC", "JE_", "SQLGLOT", "SQLFRAME")
_STARTUP_NAMES: Final = frozenset({"HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP"})
_LOG: Final = logging.getLogger("stepline.jobs")


class ZygoteError(RuntimeError):
    """A zygote that did not start."""


def pidfd_supported() -> bool:
    """Whether ``os.pidfd_open`` works here (Linux 5.3 or later)."""
    try:
        descriptor = os.pidfd_open(os.getpid())
    except (AttributeError, OSError):
        return False
    os.close(descriptor)
    return True


def startup_environment(env: Mapping[str, str]) -> frozenset[tuple[str, str]]:
    """The variables a Python process (and its engine's libraries) read when it starts."""
    return frozenset(
        (key, value)
        for key, value in env.items()
        if key.startswith(_STARTUP_PREFIXES) or key in _STARTUP_NAMES
    )


class ZygoteChild:
    """A job process forked by a zygote. It is not this process's child: it is waited for
    with a pidfd, and its exit status comes from the zygote that reaps it."""

    def __init__(self, server: _Server, request: int, pid: int, done_fd: int) -> None:
        self._server = server
        self._request = request
        self.pid = pid
        self.done_fd = done_fd  # the read end of its done pipe; the caller owns it
        self.pidfd: int | None
        try:
            self.pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # it has ended and been reaped already
            self.pidfd = None
        poller = select.poll()
        poller.register(done_fd, select.POLLIN)
        if self.pidfd is not None and any(e & select.POLLHUP for _, e in poller.poll(0)):
            os.close(self.pidfd)  # it had exited already: the pid may be another's by now
            self.pidfd = None
        self._code: int | None = None
        self._coded = False

    def exited(self) -> bool:
        return self.wait_exited(0)

    def wait_exited(self, timeout: float | None) -> bool:
        if self.pidfd is None:
            return True
        return bool(select.select([self.pidfd], [], [], timeout)[0])

    def returncode(self) -> int | None:
        """Once it has exited: its exit code (negative: the signal that killed it), or None
        when its zygote died before reporting it."""
        if not self._coded:
            status = self._server.status(self._request, timeout=10.0)
            self._code = None if status is None else os.waitstatus_to_exitcode(status)
            self._coded = True
        return self._code

    def close(self) -> None:
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


class _Server:
    """One zygote process and the thread reading what it says."""

    def __init__(self, python: str, engine: str, env: Mapping[str, str]) -> None:
        """Start the zygote; :meth:`boot` waits until it is ready."""
        self.engine = engine
        self.startup = startup_environment(env)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [python, str(ZYGOTE), engine, str(theirs.fileno())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=dict(env),
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._channel = ours
        self._ids = itertools.count(1)
        self._sending = threading.Lock()
        self._changed = threading.Condition()
        self._statuses: dict[int, int] = {}
        self._dead = False
        self.pid = self.process.pid
        self._pidfd = os.pidfd_open(self.pid)  # readable once the zygote has exited
        self._reader = threading.Thread(
            target=self._read, name=f"stepline-zygote-{engine}", daemon=True
        )

    def boot(self, timeout: float) -> None:
        """Wait for the zygote's imports, then read what it says; ZygoteError if it fails."""
        try:
            if not select.select([self._channel], [], [], timeout)[0]:
                raise ZygoteError(f"the {self.engine} zygote did not start within {timeout:g} s")
            message = self._channel.recv(MAX_MESSAGE)
            answer: dict[str, Any] = json.loads(message) if message else {}
            if "ready" not in answer:
                why = answer.get("error") or "it exited"
                raise ZygoteError(f"the {self.engine} zygote did not start: {why}")
        except BaseException:
            self.kill()
            self._stop()
            raise
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                message = self._channel.recv(MAX_MESSAGE)
            except OSError:
                message = b""
            if not message:
                break
            answer = json.loads(message)
            if "status" in answer:
                with self._changed:
                    self._statuses[int(answer["id"])] = int(answer["status"])
                    self._changed.notify_all()
            elif "error" in answer:
                _LOG.warning("%s zygote: %s", self.engine, answer["error"])
        with self._changed:
            self._dead = True
            self._changed.notify_all()
        self._reap()

    def _reap(self) -> None:
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def alive(self) -> bool:
        with self._changed:
            if self._dead:
                return False
        # Not Popen.poll: it answers None while the reader thread waits for the process.
        return not select.select([self._pidfd], [], [], 0)[0]

    def send(self, request: Mapping[str, Any], fds: list[int], timeout: float) -> int | None:
        """Send a request with its file descriptors; its id, None if the zygote is gone (or
        takes no request for ``timeout`` seconds: then it is killed)."""
        number = next(self._ids)
        payload = json.dumps({**request, "id": number}).encode()
        with self._sending:
            if not select.select([], [self._channel], [], timeout)[1]:
                self.kill()
                return None
            try:
                socket.send_fds(self._channel, [payload], fds)
            except OSError:
                return None
        return number

    def status(self, request: int, timeout: float) -> int | None:
        """The wait status of the request's process once reported; None if the zygote died."""
        with self._changed:
            self._changed.wait_for(lambda: request in self._statuses or self._dead, timeout)
            return self._statuses.pop(request, None)

    def kill(self) -> None:
        """End the zygote (not the job processes: they have sessions of their own)."""
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)

    def _stop(self) -> None:
        with contextlib.suppress(OSError):
            self._channel.shutdown(socket.SHUT_RDWR)
        self._channel.close()
        os.close(self._pidfd)
        self._reap()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._channel.shutdown(socket.SHUT_RDWR)  # the zygote and the reader see EOF
        if self._reader.is_alive():
            self._reader.join()
        self._channel.close()
        os.close(self._pidfd)


class Zygotes:
    """The zygotes of one job runner, one per engine kind, started on first use.

    A zygote takes a moment to start (its imports): jobs asking for it meanwhile start the
    ordinary way, unless ``wait`` (then they wait for it).
    """

    def __init__(
        self,
        python: str | None = None,
        *,
        wait: bool = False,
        ready_timeout: float = 60.0,
        fork_timeout: float = 30.0,
    ) -> None:
        self.python = python or sys.executable
        self.wait = wait
        self.ready_timeout = ready_timeout
        self.fork_timeout = fork_timeout  # a zygote silent this long is killed
        self.supported = pidfd_supported()
        self._lock = threading.Lock()
        self._servers: dict[str, _Server] = {}  # the ready ones
        self._starting: dict[str, threading.Thread] = {}
        self._booting: dict[str, _Server] = {}
        self._broken: set[str] = set()  # engines whose zygote did not start
        self._closed = False

    def start(
        self,
        engine: str,
        *,
        spec_path: Path,
        result_path: Path,
        stdout: int,
        stderr: int,
        cwd: Path,
        env: Mapping[str, str],
    ) -> ZygoteChild | None:
        """Fork the job process from the engine's zygote; None when it must be started the
        ordinary way (it has not been, and will not be, started by a zygote).

        A zygote found dead on the way (killed since its last job, before this process
        noticed) is started again once, and the job forked from the new one."""
        request = {"spec": str(spec_path), "result": str(result_path), "cwd": str(cwd)}
        for _ in range(2):
            server = self._server(engine, env)
            if server is None:
                return None
            read_end, write_end = os.pipe()
            try:
                fds = [stdout, stderr, write_end]
                number = server.send({**request, "env": dict(env)}, fds, self.fork_timeout)
            finally:
                os.close(write_end)
            pid = None if number is None else self._forked(server, read_end)
            if number is not None and pid is not None:
                return ZygoteChild(server, number, pid, read_end)
            os.close(read_end)
            if server.alive():
                return None  # it could not fork this job: no second try
        return None

    def _forked(self, server: _Server, done: int) -> int | None:
        """The job process's pid, read from its done pipe; None when the pipe closed first:
        the zygote did not fork it (or died first), so no job process exists."""
        line = b""
        deadline: float | None = time.monotonic() + self.fork_timeout
        while not line.endswith(b"\n"):
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([done], [], [], wait)[0]:
                _LOG.warning("%s zygote silent for %g s: killed", server.engine, self.fork_timeout)
                server.kill()  # a forked job process still says its pid; else EOF comes
                deadline = None
                continue
            byte = os.read(done, 1)  # byte by byte: the launcher's "R" stays in the pipe
            if not byte:
                return None
            line += byte
        return int(line[1:-1])

    def _server(self, engine: str, env: Mapping[str, str]) -> _Server | None:
        """The engine's zygote if it is ready and fits ``env``; else None, having started
        it (in the background) if it is not running."""
        dead = None
        with self._lock:
            if self._closed or not self.supported or engine not in ENGINES:
                return None
            if engine in self._broken:
                return None
            server = self._servers.get(engine)
            if server is not None and not server.alive():
                dead, server = self._servers.pop(engine), None
            starting = self._starting.get(engine)
            if server is None and starting is None:
                starting = threading.Thread(
                    target=self._boot,
                    args=(engine, dict(env)),
                    name=f"stepline-zygote-{engine}-start",
                    daemon=True,
                )
                self._starting[engine] = starting
                starting.start()
        if dead is not None:
            dead.close()
        if server is None and starting is not None and self.wait:
            starting.join()
            with self._lock:
                server = self._servers.get(engine)
        if server is None or server.startup != startup_environment(env):
            return None  # not ready, or started with other interpreter settings
        return server

    def _boot(self, engine: str, env: dict[str, str]) -> None:
        server: _Server | None = None
        try:
            server = _Server(self.python, engine, env)
            with self._lock:
                if self._closed:
                    server.kill()
                self._booting[engine] = server
            server.boot(self.ready_timeout)
        except (OSError, ValueError, ZygoteError) as error:
            server = None
            with self._lock:
                closed = self._closed
            if not closed:
                _LOG.warning("%s jobs start without a zygote: %s", engine, error)
        with self._lock:
            del self._starting[engine]
            self._booting.pop(engine, None)
            if server is None:
                self._broken.add(engine)
            elif not self._closed:
                self._servers[engine] = server
                return
        if server is not None:
            server.close()

    def warm(self, engine: str, env: Mapping[str, str]) -> None:
        """Start the engine's zygote now (in the background), so that the first job is
        forked too."""
        self._server(engine, env)

    def pid(self, engine: str) -> int | None:
        """The engine's zygote's pid, if it runs."""
        with self._lock:
            server = self._servers.get(engine)
            return server.pid if server is not None and server.alive() else None

    def close(self) -> None:
        """End the zygotes (job processes they forked run on to their own end)."""
        with self._lock:
            self._closed = True
            servers = list(self._servers.values())
            starting = list(self._starting.values())
            self._servers.clear()
            for booting in self._booting.values():
                booting.kill()  # no waiting for its imports
        for thread in starting:
            thread.join()
        for server in servers:
            server.close()
