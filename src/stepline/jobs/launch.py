"""The job process: set up the engine, run the script as ``__main__``, write the result.

    python -m stepline.jobs.launch --spec SPEC.json --result RESULT.json
    python .../stepline/jobs/launch.py --spec SPEC.json --result RESULT.json   (faster)

The second form (what :mod:`stepline.jobs.runner` uses) skips importing the ``stepline``
package's ``__init__`` (the ASL engine, ~0.2 s) since the job needs only ``stepline.jobs``
and ``stepline.lake``. A fork server (:mod:`stepline.jobs.zygote`) runs the same
:func:`launch` in a forked child instead.

The run has ended once the result file is written: before writing it the launcher waits for
the script's non-daemon threads and flushes stdout, stderr and the files the script left
open in its globals; with ``--done-fd N`` it then writes ``R`` to that file descriptor, so
the parent need not wait for the interpreter's teardown.

The script sees ``sys.argv`` as Glue passes it (s3:// values mapped to the lake when the
spec says so), ``awsglue`` importable (the shim directory first on ``sys.path``), then its
own directory and the spec's ``python_path``. Exit status: 0 when the script succeeded,
1 when it raised (or exited non-zero), 2 when the job could not be started. The result
file (:class:`stepline.jobs.result.LaunchReport`) carries the Glue-style ErrorMessage.
"""

from __future__ import annotations

import os
import sys
import time
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from stepline.jobs.result import LaunchReport
    from stepline.lake.paths import LakePaths

LAUNCHED_AT = time.time()
SPEC_ENVIRONMENT_VARIABLE = "STEPLINE_JOB_SPEC"
SHIM_DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shim")


def _bootstrap() -> None:
    """When run by path: import ``stepline.*`` without running ``stepline/__init__.py``."""
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == here:
        del sys.path[0]  # never let this directory's modules shadow the script's imports
    if "stepline" not in sys.modules:
        package = types.ModuleType("stepline")
        package.__path__ = [os.path.dirname(here)]
        package.__package__ = "stepline"
        sys.modules["stepline"] = package


def _parse(argv: list[str]) -> tuple[str, str, int | None]:
    import argparse

    parser = argparse.ArgumentParser(prog="stepline.jobs.launch")
    parser.add_argument("--spec", required=True, help="the job spec JSON file")
    parser.add_argument("--result", required=True, help="where to write the result JSON")
    parser.add_argument("--done-fd", type=int, help="a pipe to write 'R' to once reported")
    parsed = parser.parse_args(argv)
    return str(parsed.spec), str(parsed.result), parsed.done_fd


def _first_line_clock(script: str) -> tuple[list[float], object]:
    """A trace function noting when ``script``'s first line runs (then tracing stops)."""
    seen: list[float] = []

    def tracer(frame: types.FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code.co_filename == script:
            seen.append(time.time())
            sys.settrace(None)

    return seen, tracer


def main(argv: list[str] | None = None) -> int:
    """Run the job; the exit status (0 succeeded, 1 failed, 2 could not start)."""
    code, _ = launch(sys.argv[1:] if argv is None else argv, LAUNCHED_AT)
    return code


def launch(argv: list[str], launched_at: float) -> tuple[int, dict[str, Any]]:
    """What :func:`main` does, for the launcher and the fork server's children alike: the
    exit status and the script's globals (which the interpreter's teardown finalizes)."""
    from pathlib import Path

    from stepline.jobs.result import LaunchReport

    spec_file, result_file, done_fd = _parse(argv)
    if done_fd is not None:
        try:
            os.set_inheritable(done_fd, False)  # the script's subprocesses do not hold it
        except OSError:
            done_fd = None
    result_path = Path(result_file)
    try:
        script, script_argv = _prepare(Path(spec_file))
    except Exception as error:  # the job could not start: our message, not a traceback
        message = f"stepline could not start the job: {error}"
        print(message, file=sys.stderr, flush=True)
        report = LaunchReport("FAILED", message, launched_at, None, time.time(), "LaunchError")
        _report(result_path, report, done_fd)
        return 2, {}
    report, namespace = _run(script, script_argv, launched_at)
    _report(result_path, report, done_fd)
    return 0 if report.status == "SUCCEEDED" else 1, namespace


def _report(path: Path, report: LaunchReport, done_fd: int | None) -> None:
    """Flush the logs, write the result file, then tell the parent (the run has ended)."""
    from contextlib import suppress

    from stepline.jobs.result import write_report

    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with suppress(OSError, ValueError):  # closed or broken by the script
            if stream is not None:
                stream.flush()
    write_report(path, report)
    if done_fd is not None:
        with suppress(OSError):  # the script closed it: the parent sees the process exit
            os.write(done_fd, b"R")


def _prepare(spec_file: Path) -> tuple[str, list[str]]:
    """Read the spec, set up sys.path and the engine; returns the script and its argv."""
    from pathlib import Path

    from stepline.jobs.spec import ScriptSpec
    from stepline.lake.paths import LakePaths

    try:
        text = spec_file.read_text(encoding="utf-8")
    except OSError as error:
        raise RuntimeError(f"cannot read job spec {str(spec_file)!r}: {error}") from None
    spec = ScriptSpec.from_json(text)
    script = os.path.abspath(spec.script)
    if not os.path.isfile(script):
        raise RuntimeError(f"job script {spec.script!r} does not exist")
    paths = LakePaths(Path(spec.data_root)) if spec.data_root else None
    argv = list(spec.argv)
    if paths is not None and spec.rewrite_s3_arguments:
        argv = list(paths.rewrite_argv(argv))
        _make_parents(paths, spec.argv[1:])
    os.environ[SPEC_ENVIRONMENT_VARIABLE] = str(spec_file.resolve())
    extra = [os.path.abspath(entry) for entry in spec.python_path]
    sys.path[:0] = [SHIM_DIRECTORY, os.path.dirname(script), *extra]
    if spec.engine == "duckdb":
        from stepline.jobs import engine_duckdb

        engine_duckdb.activate(paths)
    elif spec.engine == "spark":
        from stepline.jobs import engine_spark

        engine_spark.activate(paths, spec.spark_master, spec.spark_conf)
    return script, argv


def _make_parents(paths: LakePaths, arguments: Sequence[str]) -> None:
    """Create the parent directory of every s3:// argument: in S3 any key can be written."""
    from stepline.lake.paths import is_s3_url

    for item in arguments:
        value = item.partition("=")[2] if item.startswith("--") else item
        for part in value.split(","):
            if is_s3_url(part.strip()):
                paths.local_path(part.strip()).parent.mkdir(parents=True, exist_ok=True)


def _run(script: str, argv: list[str], launched_at: float) -> tuple[LaunchReport, dict[str, Any]]:
    import runpy
    import traceback

    from stepline.jobs.errors import describe_exception
    from stepline.jobs.result import LaunchReport

    sys.argv = argv
    seen, tracer = _first_line_clock(script)
    traced = sys.gettrace() is None  # leave debuggers and coverage alone
    before = time.time()
    error: BaseException | None = None
    namespace: dict[str, Any] = {}
    try:
        if traced:
            sys.settrace(tracer)  # type: ignore[arg-type]
        namespace = runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_request:
        namespace = _script_globals(exit_request, script)
        if exit_request.code not in (None, 0):
            error = exit_request
    except BaseException as raised:
        namespace = _script_globals(raised, script)
        error = raised
    finally:
        if traced:
            sys.settrace(None)
    finished = time.time()
    started = seen[0] if seen else (None if traced else before)
    report = LaunchReport("SUCCEEDED", None, launched_at, started, finished)
    if error is not None:
        if not isinstance(error, SystemExit):
            traceback.print_exception(error, file=sys.stderr)
        glue = describe_exception(error, script)
        print(glue.message, file=sys.stderr)
        report = LaunchReport(
            "FAILED",
            glue.message,
            launched_at,
            started,
            finished,
            error_type=glue.exception,
            failed_line=glue.failed_line,
        )
        error = None  # its traceback holds the script's frames
    _settle(namespace)
    return report, namespace


def _script_globals(error: BaseException, script: str) -> dict[str, Any]:
    """The script's module globals, from the traceback of what it raised."""
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == script:
            return trace.tb_frame.f_globals
        trace = trace.tb_next
    return {}


def _settle(namespace: dict[str, Any]) -> None:
    """What the interpreter's exit does, before the report (which ends the run): wait for
    the script's non-daemon threads, flush the files it left open in its globals."""
    import io

    threading = sys.modules.get("threading")
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is not None:  # what the interpreter's exit calls first (executors, joins)
        shutdown()
    standard = {id(sys.stdout), id(sys.stderr), id(sys.stdin)}
    for value in list(namespace.values()):
        if isinstance(value, io.IOBase) and id(value) not in standard:
            try:
                if not value.closed:
                    value.flush()
            except Exception:  # a broken stream is the script's; the report says the rest
                pass


if __name__ == "__main__":
    if not __package__:
        _bootstrap()
    sys.exit(main())
