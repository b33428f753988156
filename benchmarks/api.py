"""The HTTP API under load: StartExecution requests per second, and end-to-end latency
(StartExecution -> the terminal status seen by the client polling DescribeExecution), for a
5-Pass machine, with 1 and 8 concurrent boto3 clients (threads of this process), against a
``stepline serve`` subprocess on SQLite (SigV4 on, the development keys).

    python benchmarks/api.py [--seconds 3] [--clients 1 8] [--poll 0.001]

Targets (issue 5): >= 500 StartExecution/s, p50 end-to-end under 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROLE = "arn:aws:iam::123456789012:role/bench"
TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def five_pass() -> dict[str, Any]:
    states: dict[str, Any] = {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(4)}
    states["P4"] = {"Type": "Pass", "End": True}
    return {"StartAt": "P0", "States": states}


def start_server(directory: Path, extra: list[str]) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "stepline.cli", "serve", "--port", "0"]
    command += ["--db", f"sqlite:///{directory}/bench.db", *extra]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=directory
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"listening on (http://\S+)", line)
    if found is None:
        process.kill()
        raise SystemExit(f"stepline serve did not start: {line!r}")
    url = found.group(1)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, url


def client(url: str) -> Any:
    return boto3.client(
        "stepfunctions",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="stepline",
        aws_secret_access_key="stepline-secret",
        config=Config(retries={"total_max_attempts": 1}, max_pool_connections=4),
    )


def run_threads(count: int, work: Any) -> None:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Throughput:
    rate: float  # StartExecution calls per second
    server_ms: float  # server CPU per call
    client_ms: float  # this process's CPU per call (boto3: signing, HTTP, parsing)


def starts_per_second(url: str, arn: str, clients: int, seconds: float, pid: int) -> Throughput:
    """Every client starts executions back to back for ``seconds``."""
    sfns = [client(url) for _ in range(clients)]
    for sfn in sfns:  # warm the connections
        sfn.list_state_machines(maxResults=1)
    counts = [0] * clients
    deadline = time.perf_counter() + seconds

    def work(index: int) -> None:
        sfn = sfns[index]
        while time.perf_counter() < deadline:
            sfn.start_execution(stateMachineArn=arn, input="{}")
            counts[index] += 1

    began, server, client_cpu = time.perf_counter(), cpu_seconds(pid), time.process_time()
    run_threads(clients, work)
    calls = sum(counts)
    return Throughput(
        calls / (time.perf_counter() - began),
        1000 * (cpu_seconds(pid) - server) / calls,
        1000 * (time.process_time() - client_cpu) / calls,
    )


def end_to_end(url: str, arn: str, clients: int, seconds: float, poll: float) -> list[float]:
    """Every client: start one execution, poll DescribeExecution until it has ended, again."""
    sfns = [client(url) for _ in range(clients)]
    for sfn in sfns:
        sfn.list_state_machines(maxResults=1)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    deadline = time.perf_counter() + seconds

    def work(index: int) -> None:
        sfn = sfns[index]
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            arn_ = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
            while sfn.describe_execution(executionArn=arn_)["status"] not in TERMINAL:
                time.sleep(poll)
            latencies[index].append(time.perf_counter() - began)

    run_threads(clients, work)
    return [value for values in latencies for value in values]


def wait_idle(url: str, arn: str) -> None:
    """Let the worker finish the executions started by the throughput run."""
    sfn = client(url)
    while sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING", maxResults=1)[
        "executions"
    ]:
        time.sleep(0.1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--poll", type=float, default=0.001, help="pause between polls (s)")
    parser.add_argument("--serve-arg", action="append", default=[], help="extra serve option")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        process, url = start_server(Path(directory), args.serve_arg)
        try:
            sfn = client(url)
            arn = sfn.create_state_machine(
                name="five-pass", definition=json.dumps(five_pass()), roleArn=ROLE
            )["stateMachineArn"]
            rows = []
            for clients in args.clients:
                rate = starts_per_second(url, arn, clients, args.seconds, process.pid)
                wait_idle(url, arn)
                latencies = end_to_end(url, arn, clients, args.seconds, args.poll)
                rows.append((clients, rate, latencies))
        finally:
            process.terminate()
            process.wait(30)
    print(f"stepline serve, SQLite, SigV4, 5-Pass machine, {args.seconds:g} s per measurement")
    print(f"{os.cpu_count()} CPUs shared by the server and the clients (one process, threads)")
    heads = ("StartExecution/s", "server CPU", "client CPU", "e2e runs", "p50", "p95", "p99")
    print(
        f"{'clients':>7} {heads[0]:>17} {heads[1]:>11} {heads[2]:>11}"
        f" {heads[3]:>9} {heads[4]:>7} {heads[5]:>7} {heads[6]:>7}"
    )
    for clients, rate, latencies in rows:
        p50, p95, p99 = (1000 * percentile(latencies, q) for q in (0.5, 0.95, 0.99))
        print(
            f"{clients:>7} {rate.rate:>17.0f} {rate.server_ms:>8.2f} ms {rate.client_ms:>8.2f} ms"
            f" {len(latencies):>9} {p50:>4.1f} ms {p95:>4.1f} ms {p99:>4.1f} ms"
        )
    print("server/client CPU: per StartExecution call; e2e: start -> terminal status seen")


if __name__ == "__main__":
    main()
