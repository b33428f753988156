"""The job process, however it was started: what :class:`stepline.jobs.runner.ScriptProcess`
waits for, signals and reaps.

Two kinds: :class:`LaunchedProcess`, the launcher (``launch.py``) started as this process's
child, and :class:`stepline.jobs.zygotes.ZygoteChild`, forked by a zygote (not this
process's child: its exit status comes from the zygote). Both are waited for through a pidfd
where Linux has them (5.3 and later), and both have a "done" pipe, whose read end the caller
gets: the launcher writes ``R`` to it once the run's result file is written.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol


class JobProcess(Protocol):
    """A job process: its pid (also its process group's id) and how it ends."""

    pid: int
    pidfd: int | None  # readable once it has exited; None: look with ``exited``

    def exited(self) -> bool: ...

    def wait_exited(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds (None: no limit) for it to exit; whether it has."""
        ...

    def returncode(self) -> int | None:
        """Once it has exited: its exit code (negative: a signal), None if unknown."""
        ...

    def close(self) -> None: ...


class LaunchedProcess:
    """The launcher, started as this process's child (reaped here)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.pid = process.pid
        self.pidfd: int | None
        try:
            self.pidfd = os.pidfd_open(process.pid)
        except (AttributeError, OSError):
            self.pidfd = None

    def exited(self) -> bool:
        return self.process.poll() is not None

    def wait_exited(self, timeout: float | None) -> bool:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def returncode(self) -> int | None:
        return self.process.wait()

    def close(self) -> None:
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


def start_launcher(
    command: Sequence[str], env: Mapping[str, str], cwd: Path, stdout: int, stderr: int
) -> tuple[LaunchedProcess, int]:
    """Start ``command`` (the launcher) in a session of its own, with ``--done-fd``; the
    process and the read end of its done pipe."""
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen(
            [*command, "--done-fd", str(write_end)],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
            cwd=str(cwd),
            start_new_session=True,
            pass_fds=(write_end,),
        )
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return LaunchedProcess(process), read_end
