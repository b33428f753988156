"""The AmazonSQS JSON 1.0 API of a real ``stepline serve`` through boto3's sqs client:
queues, send/receive/visibility/delete, batches, long polling, dead-letter queues, errors."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.model import OperationModel
from sfn_client import Server, boto3_client, wait_for_end
from sfn_model import problems


def _check(http_response: Any, model: OperationModel, **_: Any) -> None:
    """Every answer as botocore's SQS model says: output shapes, error shapes."""
    content_type = http_response.headers.get("Content-Type")
    assert content_type == "application/x-amz-json-1.0", content_type
    body = json.loads(http_response.content) if http_response.content else {}
    if http_response.status_code >= 300:
        assert body["__type"].startswith("com.amazonaws.sqs#"), body
        assert isinstance(body.get("message"), str), body
        assert "x-amzn-query-error" in http_response.headers
        return
    if model.output_shape is None:  # DeleteQueue, TagQueue...: an empty answer
        assert body == {}, body
        return
    found = problems(model.output_shape, body)
    assert not found, f"{model.name} answer does not fit the model: {found}\n{body}"


@pytest.fixture
def sqs(server: Server) -> Any:
    return boto3_client("sqs", server.url, _check)


@pytest.fixture
def queue(sqs: Any, unique: Callable[[str], str]) -> Callable[..., str]:
    def make(**attributes: str) -> str:
        url: str = sqs.create_queue(QueueName=unique("q"), Attributes=attributes)["QueueUrl"]
        return url

    return make


def _md5_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    """AWS's algorithm, written out again for the test."""
    data = b""
    for name in sorted(attributes):
        value = attributes[name]
        data += len(name.encode()).to_bytes(4, "big") + name.encode()
        data += len(value["DataType"]).to_bytes(4, "big") + value["DataType"].encode()
        if "BinaryValue" in value:
            raw = value["BinaryValue"]
            data += b"\x02" + len(raw).to_bytes(4, "big") + raw
        else:
            raw = value["StringValue"].encode()
            data += b"\x01" + len(raw).to_bytes(4, "big") + raw
    return hashlib.md5(data).hexdigest()


def test_queue_lifecycle(sqs: Any, server: Server, unique: Callable[[str], str]) -> None:
    name = unique("life")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})["QueueUrl"]
    assert url == f"{server.url}/123456789012/{name}"
    same = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})
    assert same["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueNameExists):
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "41"})
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert sqs.list_queues(QueueNamePrefix=name)["QueueUrls"] == [url]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "40"
    assert attributes["DelaySeconds"] == "0"
    assert attributes["QueueArn"] == f"arn:aws:sqs:us-east-1:123456789012:{name}"
    assert attributes["ApproximateNumberOfMessages"] == "0"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])
    assert got["Attributes"] == {"DelaySeconds": "5"}
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
        sqs.get_queue_url(QueueName=name)
    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_send_receive_delete(sqs: Any, queue: Callable[..., str]) -> None:
    url = queue()
    attributes: dict[str, dict[str, Any]] = {
        "color": {"DataType": "String", "StringValue": "blue"},
        "size": {"DataType": "Number", "StringValue": "3"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes=attributes)
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    assert sent["MD5OfMessageAttributes"] == _md5_attributes(attributes)
    got = sqs.receive_message(
        QueueUrl=url,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
    )["Messages"]
    assert len(got) == 1
    message = got[0]
    assert message["MessageId"] == sent["MessageId"] and message["Body"] == "hello"
    assert message["MessageAttributes"] == attributes
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    assert int(message["Attributes"]["SentTimestamp"]) > 0
    assert "ApproximateFirstReceiveTimestamp" in message["Attributes"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])  # AWS: idempotent
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    assert base64.b64encode(b"\x00\x01")  # binary values travel base64


def test_visibility_timeout_and_change(sqs: Any, queue: Callable[..., str]) -> None:
    url = queue(VisibilityTimeout="1")
    sqs.send_message(QueueUrl=url, MessageBody="m")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    time.sleep(1.1)
    again = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])
    second = again["Messages"][0]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=0
    )
    third = sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)["Messages"][0]
    assert third["MessageId"] == first["MessageId"]


def test_batches(sqs: Any, queue: Callable[..., str]) -> None:
    url = queue()
    entries = [{"Id": f"m{i}", "MessageBody": f"body {i}"} for i in range(3)]
    sent = sqs.send_message_batch(
        QueueUrl=url, Entries=[*entries, {"Id": "bad", "MessageBody": ""}]
    )
    assert sorted(e["Id"] for e in sent["Successful"]) == ["m0", "m1", "m2"]
    assert [e["Id"] for e in sent["Failed"]] == ["bad"] and sent["Failed"][0]["SenderFault"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in got) == ["body 0", "body 1", "body 2"]
    changed = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[{"Id": "c0", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 5}],
    )
    assert [e["Id"] for e in changed["Successful"]] == ["c0"]
    deleted = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
    )
    assert len(deleted["Successful"]) == 3 and not deleted.get("Failed")
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct):
        sqs.send_message_batch(QueueUrl=url, Entries=[entries[0], entries[0]])
    with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest):
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": f"x{i}", "MessageBody": "b"} for i in range(11)]
        )


def test_long_poll_wakes_when_a_message_arrives(sqs: Any, queue: Callable[..., str]) -> None:
    url = queue()
    results: list[dict[str, Any]] = []
    started = time.monotonic()
    waiting = threading.Thread(
        target=lambda: results.append(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10))
    )
    waiting.start()
    time.sleep(0.5)
    sqs.send_message(QueueUrl=url, MessageBody="wake up")
    # other operations are answered while the poll waits
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    waiting.join(10)
    assert results and results[0]["Messages"][0]["Body"] == "wake up"
    assert time.monotonic() - started < 3
    empty_started = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert time.monotonic() - empty_started >= 0.9


def test_dead_letter_queue_after_max_receive_count(sqs: Any, queue: Callable[..., str]) -> None:
    dlq = queue()
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]
    policy = {"deadLetterTargetArn": dlq_arn["QueueArn"], "maxReceiveCount": 2}
    url = queue(RedrivePolicy=json.dumps(policy))
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(2):
        got = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
        assert got["Messages"][0]["Body"] == "poison"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    moved = sqs.receive_message(QueueUrl=dlq)["Messages"]
    assert [m["Body"] for m in moved] == ["poison"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [url]


def test_purge_and_delay(sqs: Any, queue: Callable[..., str]) -> None:
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=30)
    sqs.send_message(QueueUrl=url, MessageBody="now")
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesDelayed"] == "1"
    assert counts["ApproximateNumberOfMessages"] == "1"
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["now"]
    sqs.purge_queue(QueueUrl=url)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesDelayed"] == "0"


def test_errors(sqs: Any, queue: Callable[..., str], server: Server) -> None:
    url = queue()
    missing = f"{server.url}/123456789012/no-such-queue"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=missing, MessageBody="x")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.receive_message(QueueUrl=missing)
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Nope"])
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Nope": "1"})
    with pytest.raises(sqs.exceptions.InvalidAttributeValue):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "99999"})
    with pytest.raises(sqs.exceptions.InvalidMessageContents):
        sqs.send_message(QueueUrl=url, MessageBody="bad \x01")
    with pytest.raises(sqs.exceptions.ClientError) as caught:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(sqs.exceptions.EmptyBatchRequest):
        sqs.delete_message_batch(QueueUrl=url, Entries=[])


def test_a_state_machine_waits_for_a_consumer(
    sqs: Any, sfn: Any, queue: Callable[..., str], make_machine: Callable[..., str]
) -> None:
    url = queue()
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
        "End": True,
    }
    arn = make_machine({"StartAt": "Ask", "States": {"Ask": task}})
    execution = sfn.start_execution(stateMachineArn=arn, input='{"n": 5}')["executionArn"]
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"][0]
    request = json.loads(got["Body"])
    assert request["n"] == 5
    sfn.send_task_success(taskToken=request["token"], output=json.dumps({"doubled": 10}))
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    done = wait_for_end(sfn, execution)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"doubled": 10}


def test_tags(sqs: Any, queue: Callable[..., str]) -> None:
    url = queue()
    sqs.tag_queue(QueueUrl=url, Tags={"team": "data", "env": "dev"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "data"}
