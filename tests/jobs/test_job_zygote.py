"""Job processes forked from a zygote behave as launcher processes do: the same results,
logs, Glue error messages, bookmarks, stop and timeout (the whole process group), files
flushed; a zygote that dies or hangs costs no job; no zombies are left."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from job_runs_support import Jobs
from jobs_support import BOOKMARK_SCRIPT, BRIEF_SCRIPT, ORDERS, log_of, write_orders

from stepline.jobs.bookmarks import read_bookmark
from stepline.jobs.runner import ScriptProcess, ScriptResult, start_script
from stepline.jobs.spec import ScriptSpec
from stepline.jobs.zygotes import Zygotes, pidfd_supported
from stepline.store.open import open_backend

pytestmark = pytest.mark.skipif(not pidfd_supported(), reason="needs pidfd_open (Linux 5.3)")

Start = Callable[..., ScriptProcess]


@pytest.fixture(scope="module")
def shared() -> Iterator[Zygotes]:
    zygotes = Zygotes(wait=True)
    yield zygotes
    zygotes.close()


@pytest.fixture(params=["fresh", "zygote"])
def start(request: pytest.FixtureRequest, shared: Zygotes, tmp_path: Path, job_spec: Any) -> Start:
    """Start a job script (source text) the way the test is parametrized with."""
    zygotes = shared if request.param == "zygote" else None
    return starter(zygotes, tmp_path, job_spec)


def starter(zygotes: Zygotes | None, tmp_path: Path, job_spec: Any) -> Start:
    counter = iter(range(1, 1000))

    def begin(source: str, arguments: dict[str, str] | None = None, **kwargs: Any) -> ScriptProcess:
        options = {key: kwargs.pop(key) for key in ("timeout", "env") if key in kwargs}
        spec = kwargs.pop("spec", None) or job_spec(source, arguments, **kwargs)
        run_dir = tmp_path / "runs" / f"run_{next(counter)}"
        process = start_script(spec, run_dir, zygotes=zygotes, **options)
        assert process.forked == (zygotes is not None)
        return process

    return begin


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def zombies(parents: set[int]) -> list[int]:
    """The zombie processes whose parent is one of ``parents``."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if state == "Z" and int(parent) in parents:
            found.append(int(entry))
    return found


def wait_until(check: Callable[[], object], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        time.sleep(0.02)


def write_atomically(path: Path) -> str:
    """Script lines writing ``text`` to ``path`` at once (a reader never sees it half)."""
    return f"""
def announce(text):
    import os
    with open({str(path) + ".tmp"!r}, "w") as handle:
        handle.write(text)
    os.replace({str(path) + ".tmp"!r}, {str(path)!r})
"""


# ---- the same results either way ---------------------------------------------------------


def test_results_logs_and_errors_are_the_same(start: Start, job_spec: Any) -> None:
    ok = start(
        """
        import os, sys
        print("to stdout", os.environ["STEPLINE_TEST_VALUE"], os.path.realpath(os.getcwd()))
        print("to stderr", sys.stdin.read() == "", file=sys.stderr)
        package = sys.modules.get("stepline")
        print(getattr(package, "__file__", None), "stepline.asl" in sys.modules)
        print(os.environ["STEPLINE_JOB_SPEC"].endswith("spec.json"))
        """,
        engine="python",
        env={"STEPLINE_TEST_VALUE": "given"},
    )
    result = ok.wait()
    assert (result.status, result.exit_code, result.error_message) == ("SUCCEEDED", 0, None)
    run_dir = os.path.realpath(result.stdout_path.parent)
    assert result.stdout_path.read_text().splitlines() == [
        f"to stdout given {run_dir}",
        "None False",  # the stepline package's __init__ is not imported
        "True",
    ]
    assert result.stderr_path.read_text() == "to stderr True\n"
    assert result.script_started_at is not None
    assert result.started_at <= result.script_started_at <= result.finished_at

    failed = start("x = 1\nvalue = int('abc')\n", engine="python").wait()
    assert (failed.status, failed.exit_code) == ("FAILED", 1)
    assert failed.error_message == (
        "Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 2; "
        "ValueError: invalid literal for int() with base 10: 'abc'"
    )
    assert (failed.error_type, failed.failed_line) == ("ValueError", 2)
    assert "Traceback (most recent call last)" in failed.stderr_path.read_text()

    exited = start("import sys\nsys.exit(3)\n", engine="python").wait()
    assert (exited.status, exited.exit_code) == ("FAILED", 1)
    assert exited.error_message == (
        "Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 2; SystemExit: 3"
    )

    spec = job_spec("print('never')\n", engine="python")
    os.remove(spec.script)
    missing = start("", spec=spec).wait()
    assert (missing.status, missing.exit_code) == ("FAILED", 2)
    assert missing.error_message == (
        f"stepline could not start the job: job script {spec.script!r} does not exist"
    )
    assert "Traceback" not in missing.stderr_path.read_text()

    killed = start("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", engine="python")
    gone = killed.wait()
    assert (gone.status, gone.exit_code) == ("FAILED", -9)
    assert gone.error_message == (
        f"The job process was killed by SIGKILL without reporting a result; see {gone.stderr_path}"
    )
    quit_early = start("import os\nos._exit(0)\n", engine="python").wait()
    assert (quit_early.status, quit_early.exit_code) == ("SUCCEEDED", 0)


def test_the_default_engine_runs_the_brief_script(start: Start, lake: Path) -> None:
    write_orders(lake / "raw-bucket" / "orders" / "2024-01-01.csv", ORDERS)
    arguments = {"--input_path": "s3://raw-bucket/orders/", "--output_path": "s3://bronze/o/"}
    result = start(BRIEF_SCRIPT, arguments).wait()
    assert result.status == "SUCCEEDED", log_of(result)
    (part,) = (lake / "bronze" / "o").glob("part-*.snappy.parquet")
    assert sorted(pq.read_table(part).column("order_id").to_pylist()) == ["1", "2", "3", "4"]
    missing = start(BRIEF_SCRIPT, {**arguments, "--input_path": "s3://raw-bucket/none/"}).wait()
    assert missing.error_message == (
        "Error Category: QUERY_ERROR; Failed Line Number: 6; Spark Error Class: PATH_NOT_FOUND; "
        "AnalysisException: [PATH_NOT_FOUND] Path does not exist: s3://raw-bucket/none/."
    )


def test_bookmarks_are_committed(start: Start, lake: Path, tmp_path: Path) -> None:
    bookmark = tmp_path / "bookmarks" / "orders_job.json"
    write_orders(lake / "raw-bucket" / "incoming" / "a.csv", ORDERS)
    script = BOOKMARK_SCRIPT

    def rows_read() -> int:
        result = start(
            script, bookmark_option="job-bookmark-enable", bookmark_path=str(bookmark)
        ).wait()
        assert result.status == "SUCCEEDED", log_of(result)
        return int(result.stdout_path.read_text().split()[-1])

    assert rows_read() == 6
    entry = read_bookmark(bookmark)
    assert entry is not None and (entry.job_name, entry.run) == ("orders_job", 1)
    assert rows_read() == 0


def test_files_left_open_are_flushed_by_the_end(start: Start, tmp_path: Path) -> None:
    text, data, late = tmp_path / "text.txt", tmp_path / "data.bin", tmp_path / "late.txt"
    source = f"""
        import atexit, threading, time
        atexit.register(time.sleep, 1)  # the teardown (closing files too) comes late
        handle = open({str(text)!r}, "w")
        handle.write("x" * 100_000 + "end")
        binary = open({str(data)!r}, "wb", buffering=1 << 20)
        binary.write(b"y" * 1000)

        def later():
            time.sleep(0.3)
            with open({str(late)!r}, "w") as out:
                out.write("from a thread")

        threading.Thread(target=later).start()
    """
    result = start(source, engine="python").wait()
    assert result.status == "SUCCEEDED", log_of(result)
    assert text.read_text() == "x" * 100_000 + "end"
    assert data.read_bytes() == b"y" * 1000
    assert late.read_text() == "from a thread"  # non-daemon threads end before the run

    text.unlink()
    failing = start(
        textwrap.dedent(source) + "raise ValueError('after writing')\n", engine="python"
    )
    assert failing.wait().error_type == "ValueError"
    assert text.read_text() == "x" * 100_000 + "end"


# ---- stop and timeout: the whole process group -------------------------------------------

SPAWNING = """
import subprocess, time
child = subprocess.Popen(["sleep", "600"])
announce(str(child.pid))
time.sleep(600)
"""


@pytest.mark.parametrize("ending", ["stop", "timeout"])
def test_stop_and_timeout_kill_the_script_and_what_it_started(
    start: Start, tmp_path: Path, ending: str
) -> None:
    ready = tmp_path / "child.pid"
    timeout = 4 if ending == "timeout" else None
    process = start(write_atomically(ready) + SPAWNING, engine="python", timeout=timeout)
    wait_until(ready.exists, "the script's child")
    pids = [process.pid, int(ready.read_text())]
    assert all(alive(pid) for pid in pids)
    if ending == "stop":
        process.stop()
    result = process.wait()
    if ending == "stop":
        assert (result.status, result.error_message) == ("STOPPED", None)
    else:
        assert result.status == "TIMEOUT"
        assert result.error_message == "Job run timed out after 4 seconds and was stopped"
    wait_until(lambda: not any(alive(pid) for pid in pids), "the process group to end")
    assert process.poll() == result


# ---- the zygote's own troubles -------------------------------------------------------------


def test_a_killed_zygote_is_started_again(tmp_path: Path, job_spec: Any) -> None:
    zygotes = Zygotes(wait=True)
    try:
        begin = starter(zygotes, tmp_path, job_spec)
        assert begin("print('one')", engine="python").wait().status == "SUCCEEDED"
        first = zygotes.pid("python")
        assert first is not None
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: zygotes.pid("python") is None, "the zygote's death to be seen")
        again = begin("print('two')", engine="python").wait()
        assert again.status == "SUCCEEDED" and again.stdout_path.read_text() == "two\n"
        assert zygotes.pid("python") not in (None, first)
    finally:
        zygotes.close()


def test_a_hung_zygote_is_killed_and_the_job_runs_once(tmp_path: Path, job_spec: Any) -> None:
    zygotes = Zygotes(wait=True, fork_timeout=1.0)
    counter = tmp_path / "runs.txt"
    source = f"with open({str(counter)!r}, 'a') as out:\n    out.write('ran\\n')\n"
    try:
        begin = starter(zygotes, tmp_path, job_spec)
        assert begin(source, engine="python").wait().status == "SUCCEEDED"
        hung = zygotes.pid("python")
        assert hung is not None
        os.kill(hung, signal.SIGSTOP)
        spec = job_spec(source, engine="python")
        process = start_script(spec, tmp_path / "hung-run", zygotes=zygotes)
        assert process.forked  # by the zygote started in the hung one's place
        assert process.pid != hung
        assert process.wait().status == "SUCCEEDED"
        assert counter.read_text() == "ran\nran\n"  # once each: no job ran twice
        wait_until(lambda: not alive(hung), "the hung zygote to be killed")
        assert begin("print('forked')", engine="python").wait().status == "SUCCEEDED"
    finally:
        zygotes.close()


def test_a_job_outlives_its_dead_zygote(tmp_path: Path, job_spec: Any) -> None:
    zygotes = Zygotes(wait=True)
    gate = tmp_path / "gate"
    ready = tmp_path / "ready"
    try:
        begin = starter(zygotes, tmp_path, job_spec)
        source = write_atomically(ready) + textwrap.dedent(f"""
            import os, time
            announce("ready")
            while not os.path.exists({str(gate)!r}):
                time.sleep(0.02)
            print("through the gate")
        """)
        process = begin(source, engine="python")
        wait_until(ready.exists, "the job to start")
        zygote = zygotes.pid("python")
        assert zygote is not None
        os.kill(zygote, signal.SIGKILL)
        gate.touch()
        result = process.wait()
        assert (result.status, result.exit_code) == ("SUCCEEDED", 0)
        assert result.stdout_path.read_text() == "through the gate\n"

        ready.unlink()
        lost = begin(source.replace(str(gate), str(tmp_path / "never")), engine="python")
        wait_until(ready.exists, "the next job to start")
        zygote = zygotes.pid("python")
        assert zygote is not None
        os.kill(zygote, signal.SIGKILL)
        wait_until(lambda: not alive(zygote), "the zygote to die")
        os.kill(lost.pid, signal.SIGKILL)  # nobody is left to tell its exit status
        ended = lost.wait()
        assert (ended.status, ended.exit_code) == ("FAILED", None)
        assert ended.error_message == (
            "The job process ended (its exit status is unknown) without reporting a result;"
            f" see {ended.stderr_path}"
        )
    finally:
        zygotes.close()


def test_no_zombies_are_left(tmp_path: Path, job_spec: Any) -> None:
    zygotes = Zygotes(wait=True)
    try:
        results: list[ScriptResult] = []
        for chosen in (None, zygotes):
            begin = starter(chosen, tmp_path / str(chosen is None), job_spec)
            results.append(begin("print('done')", engine="python").wait())
            results.append(begin("raise ValueError('no')", engine="python").wait())
            sleeper = begin("import time\ntime.sleep(600)\n", engine="python")
            sleeper.stop()
            results.append(sleeper.wait())
        statuses = [result.status for result in results]
        assert statuses == ["SUCCEEDED", "FAILED", "STOPPED"] * 2
        zygote = zygotes.pid("python")
        assert zygote is not None
        parents = {os.getpid(), zygote}
        wait_until(lambda: not zombies(parents), "the job processes to be reaped")
    finally:
        zygotes.close()
    wait_until(lambda: not zombies({os.getpid()}), "the zygote to be reaped")


# ---- the job runner ------------------------------------------------------------------------


def test_the_job_runner_forks_jobs_once_its_zygote_is_ready(tmp_path: Path) -> None:
    store = open_backend(f"sqlite:///{tmp_path}/store.db")
    jobs = Jobs(store, tmp_path)
    try:
        jobs.job("parent", "import os\nprint(os.getppid())\n")
        parents: list[int] = []
        deadline = time.monotonic() + 60
        while os.getpid() in parents[-1:] or not parents:
            assert time.monotonic() < deadline, "no job was forked from the zygote"
            run = jobs.runs.start("parent")
            done = jobs.wait(run.id)
            assert done.state == "SUCCEEDED", done.error_message
            parents.append(int(jobs.runs.logs(run.id).read_text()))
        assert parents[0] == os.getpid()  # the first job does not wait for the zygote
        zygote = parents[-1]
        assert alive(zygote)
        jobs.runner.close()
        wait_until(lambda: not alive(zygote), "the zygote to end with the runner")
    finally:
        jobs.close()
        store.close()


def test_a_lost_workers_forked_process_is_killed(tmp_path: Path) -> None:
    store = open_backend(f"sqlite:///{tmp_path}/store.db")
    jobs = Jobs(store, tmp_path, lease_seconds=0.5)
    zygotes = Zygotes(wait=True)
    try:
        jobs.job("hang", "import time\ntime.sleep(600)\n")
        run = jobs.runs.start("hang")
        # a worker claims the run, forks its script from a zygote, and dies without a word
        now = jobs.runs.clock.now()
        (claimed,) = store.claim_job_runs("dead", now, 1, 0.5)
        script = str(jobs.directory / "scripts" / "hang.py")
        spec = ScriptSpec(script=script, argv=("hang.py",), engine="python")
        process = start_script(spec, jobs.settings.run_dir(run.id), zygotes=zygotes)
        assert process.forked
        where = f"{socket.gethostname()}:{process.pid}"
        store.job_run_started(claimed.id, "dead", now, where, "/o", "/e")
        time.sleep(0.6)  # the lease expires
        lost = jobs.wait(run.id, ("FAILED",))
        assert lost.error_message is not None and "interrupted" in lost.error_message
        result = process.wait()
        assert (result.status, result.exit_code) == ("FAILED", -9)
    finally:
        zygotes.close()
        jobs.close()
        store.close()


def test_spark_jobs_are_not_forked(shared: Zygotes, job_spec: Any, tmp_path: Path) -> None:
    spec = job_spec("print(1)", engine="spark")
    os.remove(spec.script)  # the launcher stops before it would start a JVM
    process = start_script(spec, tmp_path / "spark", zygotes=shared, python=sys.executable)
    assert not process.forked
    assert process.wait().exit_code == 2


def test_other_interpreter_settings_get_a_fresh_process(
    shared: Zygotes, job_spec: Any, tmp_path: Path
) -> None:
    spec = job_spec("import sys\nprint(sys.flags.int_max_str_digits)\n", engine="python")
    usual = start_script(spec, tmp_path / "usual", zygotes=shared)
    assert usual.forked and usual.wait().stdout_path.read_text() == "-1\n"
    env = {"PYTHONINTMAXSTRDIGITS": "5000"}
    process = start_script(spec, tmp_path / "settings", zygotes=shared, env=env)
    assert not process.forked
    assert process.wait().stdout_path.read_text() == "5000\n"


def test_zygotes_end_with_their_parent(tmp_path: Path, job_spec: Any) -> None:
    spec = job_spec("print('forked')", engine="python")
    program = f"""
import sys
from pathlib import Path
from stepline.jobs.runner import run_script
from stepline.jobs.spec import ScriptSpec
from stepline.jobs.zygotes import Zygotes
zygotes = Zygotes(wait=True)
spec = ScriptSpec.from_json(Path({str(tmp_path / "spec.json")!r}).read_text())
result = run_script(spec, Path({str(tmp_path / "run")!r}), zygotes=zygotes)
print(zygotes.pid("python"), result.status, flush=True)
sys.stdin.read()
"""
    (tmp_path / "spec.json").write_text(spec.to_json())
    parent = subprocess.Popen(
        [sys.executable, "-c", program], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert parent.stdout is not None
        zygote, status = parent.stdout.readline().split()
        assert status == b"SUCCEEDED" and alive(int(zygote))
    finally:
        parent.kill()
        parent.wait()
    wait_until(lambda: not alive(int(zygote)), "the zygote to end with its parent")
