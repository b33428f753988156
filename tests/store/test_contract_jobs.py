"""The store contract for Glue-style jobs, their runs and bookmarks: memory, SQLite and
PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime

import pytest
from factories import T0, AnyStore, at

from stepline.store.protocol import AlreadyExists, JobRunEnd, NotFound, TooManyRuns
from stepline.store.records import JobRecord, JobRunRecord, WorkItem

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:orders:run-1"


def job(name: str, definition: str = '{"Role": "r"}', when: datetime = T0) -> JobRecord:
    return JobRecord(name, definition, when, when, '{"team": "data"}')


def run(
    run_id: str,
    job_name: str = "clean",
    started: datetime = T0,
    *,
    queuing: bool = False,
    caller_key: str | None = None,
    attempt: int = 0,
) -> JobRunRecord:
    return JobRunRecord(
        id=run_id,
        job_name=job_name,
        state="STARTING",
        definition='{"Role": "r"}',
        started_at=started,
        modified_at=started,
        timeout=2880,
        arguments='{"--day": "1"}',
        attempt=attempt,
        queuing=queuing,
        caller="token-1" if caller_key else None,
        caller_key=caller_key,
    )


def ended(record: JobRunRecord, state: str = "SUCCEEDED") -> JobRunRecord:
    when = at(30)
    return dataclasses.replace(
        record,
        state=state,  # type: ignore[arg-type]
        modified_at=when,
        completed_at=when,
        execution_time=30,
        error_message=None if state == "SUCCEEDED" else "Error Category: UNCLASSIFIED_ERROR",
    )


def states(store: AnyStore, job_name: str = "clean") -> dict[str, str]:
    return {r.id: r.state for r in store.list_job_runs(job_name)}


# ---- jobs -------------------------------------------------------------------------------


def test_jobs_create_get_list_update_delete(store: AnyStore) -> None:
    clean, load = job("clean"), job("load", '{"Role": "x"}')
    store.create_job(load)
    store.create_job(clean)
    assert store.get_job("clean") == clean
    assert store.get_job("nope") is None
    assert store.list_jobs() == [clean, load]  # by name
    assert store.list_jobs(after="clean") == [load]
    assert store.list_jobs(limit=1) == [clean]
    with pytest.raises(AlreadyExists, match="clean"):
        store.create_job(job("clean", '{"Role": "other"}'))

    store.update_job(JobRecord("clean", '{"Role": "new"}', at(99), at(60), "{}"))
    updated = store.get_job("clean")
    assert updated == JobRecord("clean", '{"Role": "new"}', T0, at(60), '{"team": "data"}')
    with pytest.raises(NotFound, match="nope"):
        store.update_job(job("nope"))

    assert store.delete_job("clean") is True
    assert store.delete_job("clean") is False
    assert store.list_jobs() == [load]


def test_deleting_a_job_forgets_its_bookmark_not_its_runs(store: AnyStore) -> None:
    store.create_job(job("clean"))
    first = store.start_job_run(run("jr_1"), 1)
    (claimed,) = store.claim_job_runs("w1", at(1), 5, 30)
    assert store.end_job_run(JobRunEnd(ended(claimed), "w1", bookmark='{"version": 1}'))
    assert store.get_job_bookmark("clean") == '{"version": 1}'
    assert store.delete_job("clean")
    assert store.get_job_bookmark("clean") is None
    assert [r.id for r in store.list_job_runs("clean")] == [first.id]


# ---- starting runs ----------------------------------------------------------------------


def test_runs_start_up_to_the_limit_then_refuse_or_wait(store: AnyStore) -> None:
    one = store.start_job_run(run("jr_1"), 2)
    two = store.start_job_run(run("jr_2", started=at(1)), 2)
    assert (one.state, two.state) == ("STARTING", "STARTING")
    assert (one.lease_owner, one.claims, one.process) == (None, 0, None)
    with pytest.raises(TooManyRuns, match="Concurrent runs exceeded for clean"):
        store.start_job_run(run("jr_3", started=at(2)), 2)
    assert store.get_job_run("jr_3") is None
    waiting = store.start_job_run(run("jr_4", started=at(3), queuing=True), 2)
    assert waiting.state == "WAITING" and waiting.state_detail
    # another job's runs do not count
    assert store.start_job_run(run("jr_5", "load"), 1).state == "STARTING"
    assert states(store) == {"jr_1": "STARTING", "jr_2": "STARTING", "jr_4": "WAITING"}


def test_a_taken_caller_key_returns_the_run_holding_it(store: AnyStore) -> None:
    first = store.start_job_run(run("jr_1", caller_key="exec#Glue#0"), 1)
    assert first.caller == "token-1"
    # the job is full, yet the caller finds its run again instead of an error
    again = store.start_job_run(run("jr_2", started=at(5), caller_key="exec#Glue#0"), 1)
    assert again == first
    assert store.find_job_run("exec#Glue#0") == first
    assert store.find_job_run("other") is None
    assert store.get_job_run("jr_2") is None


def test_runs_are_listed_newest_first_in_pages(store: AnyStore) -> None:
    for n in range(5):
        store.start_job_run(run(f"jr_{n}", started=at(n % 3), queuing=True), 10)
    store.start_job_run(run("jr_other", "load"), 10)
    order = [r.id for r in store.list_job_runs("clean")]
    assert order == ["jr_2", "jr_4", "jr_1", "jr_3", "jr_0"]  # started_at, then insertion
    assert [r.id for r in store.list_job_runs("clean", 2)] == order[:2]
    assert [r.id for r in store.list_job_runs("clean", 2, after_id="jr_4")] == order[2:4]
    assert store.list_job_runs("clean", after_id="jr_other") == []
    assert store.list_job_runs("clean", after_id="jr_missing") == []
    assert store.list_job_runs("nope") == []


def test_concurrent_starts_never_exceed_the_limit(store: AnyStore) -> None:
    results: list[str] = []
    lock = threading.Lock()

    def start(n: int) -> None:
        try:
            state = store.start_job_run(run(f"jr_{n}", started=at(n)), 3).state
        except TooManyRuns:
            state = "REFUSED"
        with lock:
            results.append(state)

    threads = [threading.Thread(target=start, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["REFUSED"] * 9 + ["STARTING"] * 3


# ---- claims and leases ------------------------------------------------------------------


def test_claims_take_startable_runs_oldest_first_once(store: AnyStore) -> None:
    store.start_job_run(run("jr_b", started=at(2)), 5)
    store.start_job_run(run("jr_a", started=at(1)), 5)
    store.start_job_run(run("jr_w", started=at(0), queuing=True), 2)  # WAITING: never claimed
    first = store.claim_job_runs("w1", at(10), 1, 30)
    assert [(r.id, r.lease_owner, r.lease_until, r.claims) for r in first] == [
        ("jr_a", "w1", at(40), 1)
    ]
    second = store.claim_job_runs("w2", at(10), 5, 30)
    assert [r.id for r in second] == ["jr_b"]
    assert store.claim_job_runs("w3", at(10), 5, 30) == []
    assert store.claim_job_runs("w3", at(10), 0, 30) == []


def test_an_expired_lease_frees_the_run_for_another_worker(store: AnyStore) -> None:
    store.start_job_run(run("jr_1"), 1)
    store.claim_job_runs("w1", at(0), 1, 30)
    started = store.job_run_started("jr_1", "w1", at(1), "host:42", "/o.log", "/e.log")
    assert started is not None and started.state == "RUNNING"
    assert (started.process, started.stdout_path, started.stderr_path) == (
        "host:42",
        "/o.log",
        "/e.log",
    )
    assert store.claim_job_runs("w2", at(20), 1, 30) == []  # still w1's
    assert store.renew_job_run("jr_1", "w1", at(50)) is True
    assert store.claim_job_runs("w2", at(45), 1, 30) == []
    (lost,) = store.claim_job_runs("w2", at(51), 1, 30)  # w1 died: RUNNING, lease expired
    assert (lost.state, lost.lease_owner, lost.claims, lost.process) == (
        "RUNNING",
        "w2",
        2,
        "host:42",
    )
    assert store.renew_job_run("jr_1", "w1", at(99)) is False
    assert store.job_run_started("jr_1", "w1", at(52), "h:1", "o", "e") is None
    assert not store.end_job_run(JobRunEnd(ended(lost), "w1"))
    assert store.get_job_run("jr_1") == lost


def test_started_leaves_a_stopping_run_alone(store: AnyStore) -> None:
    store.start_job_run(run("jr_1"), 1)
    store.claim_job_runs("w1", at(0), 1, 30)
    stopping = store.stop_job_run("jr_1", at(1))
    assert stopping is not None and stopping.state == "STOPPING"
    again = store.job_run_started("jr_1", "w1", at(2), "host:1", "o", "e")
    assert again is not None and (again.state, again.process) == ("STOPPING", None)


def test_stop_requests(store: AnyStore) -> None:
    store.start_job_run(run("jr_run"), 1)
    store.start_job_run(run("jr_wait", started=at(1), queuing=True), 1)
    (claimed,) = store.claim_job_runs("w1", at(2), 5, 30)
    store.job_run_started("jr_run", "w1", at(2), "h:1", "o", "e")
    for run_id in ("jr_run", "jr_wait"):
        stopped = store.stop_job_run(run_id, at(3))
        assert stopped is not None and (stopped.state, stopped.modified_at) == ("STOPPING", at(3))
        assert stopped.state_detail is None
    assert store.stop_job_run("jr_missing", at(3)) is None
    # a STOPPING run whose lease is free is claimed, to be ended STOPPED
    (free,) = store.claim_job_runs("w2", at(4), 5, 30)
    assert (free.id, free.state) == ("jr_wait", "STOPPING")
    assert store.end_job_run(JobRunEnd(ended(free, "STOPPED"), "w2"))
    done = store.stop_job_run("jr_wait", at(5))
    assert done is not None and done.state == "STOPPED"  # ended runs stay as they are
    assert claimed.id == "jr_run"


def test_release_hands_a_run_back(store: AnyStore) -> None:
    store.start_job_run(run("jr_1"), 1)
    store.claim_job_runs("w1", at(0), 1, 300)
    store.job_run_started("jr_1", "w1", at(1), "h:1", "o", "e")
    assert store.release_job_run("jr_1", "w2", at(2)) is False
    assert store.release_job_run("jr_1", "w1", at(2)) is True
    back = store.get_job_run("jr_1")
    assert back is not None
    assert (back.state, back.lease_owner, back.lease_until, back.process) == (
        "STARTING",
        None,
        None,
        None,
    )
    (again,) = store.claim_job_runs("w2", at(3), 1, 30)
    assert (again.id, again.claims) == ("jr_1", 2)


# ---- ending runs ------------------------------------------------------------------------


def test_an_end_writes_state_retry_work_bookmark_and_starts_waiting_runs(
    store: AnyStore,
) -> None:
    store.start_job_run(run("jr_1", caller_key="exec#Glue#0"), 1)
    store.start_job_run(run("jr_w1", started=at(1), queuing=True), 1)
    store.start_job_run(run("jr_w2", started=at(2), queuing=True), 1)
    (claimed,) = store.claim_job_runs("w1", at(3), 5, 30)
    store.job_run_started("jr_1", "w1", at(3), "h:1", "/o", "/e")
    failed = ended(claimed, "FAILED")
    retry = dataclasses.replace(
        run("jr_2", started=at(30), attempt=1), previous_run_id="jr_1", caller="token-1"
    )
    note = WorkItem(EXECUTION, "glue:jr_1", "deliver", at(30), '{"token": "t"}')
    end = JobRunEnd(failed, "w1", retry=retry, work=[note], bookmark='{"v": 1}', max_concurrent=2)
    assert store.end_job_run(end) is True

    stored = store.get_job_run("jr_1")
    assert stored is not None
    assert (stored.state, stored.completed_at, stored.execution_time) == ("FAILED", at(30), 30)
    assert stored.error_message == "Error Category: UNCLASSIFIED_ERROR"
    assert (stored.lease_owner, stored.lease_until, stored.process) == (None, None, None)
    assert (stored.stdout_path, stored.caller_key) == ("/o", "exec#Glue#0")
    second = store.get_job_run("jr_2")
    assert second is not None
    assert (second.state, second.attempt, second.previous_run_id) == ("STARTING", 1, "jr_1")
    assert (second.caller, second.caller_key, second.lease_owner) == ("token-1", None, None)
    # the retry holds one of the two slots; the oldest WAITING run takes the other
    assert states(store) == {
        "jr_1": "FAILED",
        "jr_2": "STARTING",
        "jr_w1": "STARTING",
        "jr_w2": "WAITING",
    }
    assert store.get_job_bookmark("clean") == '{"v": 1}'
    (delivered,) = store.claim("w9", at(31), 5, 30)
    assert (delivered.execution_arn, delivered.key, delivered.kind, delivered.payload) == (
        EXECUTION,
        "glue:jr_1",
        "deliver",
        '{"token": "t"}',
    )
    # ended: no second end, no stop
    assert store.end_job_run(end) is False
    assert store.get_job_run("jr_1") == stored


def test_an_end_replaces_the_work_item_of_the_same_key(store: AnyStore) -> None:
    for n in (1, 2):
        store.start_job_run(run(f"jr_{n}", started=at(n)), 5)
    for claimed in store.claim_job_runs("w1", at(3), 5, 30):
        note = WorkItem(EXECUTION, "glue:end", "deliver", at(30), f'{{"run": "{claimed.id}"}}')
        assert store.end_job_run(JobRunEnd(ended(claimed), "w1", work=[note]))
    (delivered,) = store.claim("w9", at(31), 5, 30)
    assert delivered.payload == '{"run": "jr_2"}'


def test_a_lost_lease_changes_nothing(store: AnyStore) -> None:
    store.start_job_run(run("jr_1"), 1)
    store.start_job_run(run("jr_w", started=at(1), queuing=True), 1)
    (claimed,) = store.claim_job_runs("w1", at(2), 5, 30)
    note = WorkItem(EXECUTION, "glue:jr_1", "deliver", at(30))
    retry = run("jr_2", attempt=1)
    end = JobRunEnd(ended(claimed), "w2", retry=retry, work=[note], bookmark="{}")
    assert store.end_job_run(end) is False
    assert states(store) == {"jr_1": "STARTING", "jr_w": "WAITING"}
    assert store.get_job_bookmark("clean") is None
    assert store.claim("w9", at(31), 5, 30) == []


def test_a_stopped_waiting_run_frees_no_slot_twice(store: AnyStore) -> None:
    store.start_job_run(run("jr_1"), 1)
    store.start_job_run(run("jr_w1", started=at(1), queuing=True), 1)
    store.start_job_run(run("jr_w2", started=at(2), queuing=True), 1)
    store.stop_job_run("jr_w1", at(3))
    claimed = store.claim_job_runs("w1", at(4), 5, 30)
    assert {r.id: r.state for r in claimed} == {"jr_1": "STARTING", "jr_w1": "STOPPING"}
    stopping = next(r for r in claimed if r.id == "jr_w1")
    assert store.end_job_run(JobRunEnd(ended(stopping, "STOPPED"), "w1", max_concurrent=1))
    assert states(store)["jr_w2"] == "WAITING"  # jr_1 still holds the only slot
    first = next(r for r in claimed if r.id == "jr_1")
    assert store.end_job_run(JobRunEnd(ended(first), "w1", max_concurrent=1))
    assert states(store)["jr_w2"] == "STARTING"


def test_a_new_start_lets_waiting_runs_go_first(store: AnyStore) -> None:
    store.start_job_run(run("jr_1"), 1)
    store.start_job_run(run("jr_w", started=at(1), queuing=True), 1)
    # the job's limit was raised (UpdateJob): the WAITING run starts before the new one
    newest = store.start_job_run(run("jr_new", started=at(2), queuing=True), 2)
    assert newest.state == "WAITING"
    assert states(store) == {"jr_1": "STARTING", "jr_w": "STARTING", "jr_new": "WAITING"}


# ---- bookmarks --------------------------------------------------------------------------


def test_bookmarks_get_and_reset(store: AnyStore) -> None:
    store.start_job_run(run("jr_1"), 1)
    assert store.get_job_bookmark("clean") is None
    assert store.reset_job_bookmark("clean") is None
    (claimed,) = store.claim_job_runs("w1", at(1), 1, 30)
    assert store.end_job_run(JobRunEnd(ended(claimed), "w1", bookmark='{"run": 1}'))
    assert store.get_job_bookmark("clean") == '{"run": 1}'
    assert store.reset_job_bookmark("clean") == '{"run": 1}'
    assert store.get_job_bookmark("clean") is None
