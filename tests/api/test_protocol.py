"""The AWS JSON 1.0 protocol at the HTTP level (raw, signed requests): bad requests get
AWS's error shapes with a 4xx status, never a 500; health checks; keep-alive; SigV4."""

from __future__ import annotations

import http.client
import json
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError
from sfn_client import Server, client, raw_post

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:nothing"


def error(answer: Any) -> tuple[int, str, str]:
    assert set(answer.body) >= {"__type", "message"}, answer.body
    return answer.status, answer.body["__type"], answer.body["message"]


def test_malformed_bodies_are_serialization_exceptions(server: Server) -> None:
    for body in (b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe{}", b"[" * 100_000):
        status, code, _ = error(raw_post(server.url, body))
        assert (status, code) == (400, "SerializationException"), body[:10]


def test_unknown_operations(server: Server) -> None:
    status, code, message = error(raw_post(server.url, b"{}", "AWSStepFunctions.FlyToTheMoon"))
    assert (status, code) == (400, "UnknownOperationException")
    assert "FlyToTheMoon" in message
    assert error(raw_post(server.url, b"{}", None))[:2] == (400, "UnknownOperationException")
    other_service = raw_post(server.url, b"{}", "DynamoDB_20120810.ListTables")
    assert error(other_service)[:2] == (400, "UnknownOperationException")


def test_members_are_checked_against_the_model(server: Server) -> None:
    def check(target: str, body: dict[str, Any]) -> tuple[int, str, str]:
        return error(raw_post(server.url, json.dumps(body).encode(), f"AWSStepFunctions.{target}"))

    status, code, message = check("DescribeExecution", {})
    assert (status, code) == (400, "ValidationException")
    assert message == (
        "1 validation error detected: Value null at 'executionArn' failed to satisfy"
        " constraint: Member must not be null"
    )
    _, code, message = check("DescribeStateMachine", {"stateMachineArn": 5})
    assert code == "ValidationException"
    assert "Value '5' at 'stateMachineArn' failed to satisfy constraint" in message
    _, _, message = check("CreateStateMachine", {"publish": "yes"})
    assert message.startswith("4 validation errors detected:")
    assert "at 'publish' failed to satisfy constraint: Member must be of type boolean" in message
    _, _, message = check("ListExecutions", {"stateMachineArn": ARN, "maxResults": 5000})
    assert "Member must have value less than or equal to 1000" in message
    _, _, message = check("ListExecutions", {"stateMachineArn": ARN, "statusFilter": "NOPE"})
    assert "Member must satisfy enum value set: [RUNNING, SUCCEEDED" in message
    _, _, message = check("StartExecution", {"stateMachineArn": ARN, "input": "x" * 262_145})
    assert message == (
        "1 validation error detected: Value at 'input' failed to satisfy constraint:"
        " Member must have length less than or equal to 262144"
    )
    _, _, message = check(
        "CreateStateMachineAlias",
        {"name": "a", "routingConfiguration": [{"stateMachineVersionArn": 1}]},
    )
    assert "at 'routingConfiguration.1.member.stateMachineVersionArn'" in message
    assert "Value null at 'routingConfiguration.1.member.weight'" in message
    _, _, message = check("GetExecutionHistory", {"executionArn": ARN, "reverseOrder": 1})
    assert (
        "at 'reverseOrder' failed to satisfy constraint: Member must be of type boolean" in message
    )


def _connection(server: Server) -> http.client.HTTPConnection:
    parts = urlsplit(server.url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)


def test_oversized_and_chunked_bodies_are_refused_before_reading(server: Server) -> None:
    conn = _connection(server)
    conn.putrequest("POST", "/")
    conn.putheader("Content-Length", str(64 * 1024 * 1024))
    conn.putheader("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
    conn.endheaders()
    answer = conn.getresponse()
    assert answer.status == 413
    assert json.loads(answer.read())["__type"] == "RequestEntityTooLargeException"
    conn.close()
    conn = _connection(server)
    conn.request("POST", "/", body=iter([b"{}"]), headers={"Transfer-Encoding": "chunked"})
    answer = conn.getresponse()
    assert answer.status == 411 and json.loads(answer.read())["__type"] == "LengthRequired"
    conn.close()


def test_health_and_readiness(server: Server) -> None:
    with urllib.request.urlopen(f"{server.url}/healthz") as answer:
        assert (answer.status, json.load(answer)) == (200, {"status": "ok"})
    with urllib.request.urlopen(f"{server.url}/readyz") as answer:
        assert (answer.status, json.load(answer)) == (200, {"status": "ready"})
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{server.url}/nothing-here")
    assert missing.value.code == 404


def test_keep_alive_connections_serve_many_requests(server: Server) -> None:
    conn = _connection(server)
    for _ in range(3):  # unsigned: each is answered (with an auth error) on the same socket
        conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "AWSStepFunctions.X"})
        answer = conn.getresponse()
        assert answer.getheader("Content-Length") == str(len(answer.read()))
        assert answer.getheader("Content-Type") == "application/x-amz-json-1.0"
        assert answer.getheader("x-amzn-RequestId")
    assert conn.sock is not None  # never closed by the server
    conn.close()


def test_signatures_are_verified(server: Server) -> None:
    status, code, _ = error(raw_post(server.url, b"{}", sign=False))
    assert (status, code) == (400, "MissingAuthenticationTokenException")
    status, code, _ = error(raw_post(server.url, b"{}", secret="wrong-secret"))
    assert (status, code) == (400, "InvalidSignatureException")
    assert raw_post(server.url, b"{}").status == 200
    with pytest.raises(ClientError) as unknown:
        client(server.url, access_key="AKIAUNKNOWN").list_state_machines()
    assert unknown.value.response["Error"]["Code"] == "UnrecognizedClientException"
    with pytest.raises(ClientError) as forged:
        client(server.url, secret_key="not-the-secret").list_state_machines()
    assert forged.value.response["Error"]["Code"] == "InvalidSignatureException"
    with pytest.raises(ClientError) as elsewhere:
        client(server.url, region="eu-west-1").list_state_machines()
    assert elsewhere.value.response["Error"]["Code"] == "InvalidSignatureException"
