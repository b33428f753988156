"""``stepline serve`` runs a notifier beside its worker: an execution started through boto3
publishes with ``sns:publish`` and the message reaches a real HTTP endpoint and the log."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from sfn_client import client, start_server, stop_server, wait_for_end

from stepline.arns import Account
from stepline.notifications import Notifications
from stepline.runtime.clock import RealClock
from stepline.store.open import open_store

# the real HTTP endpoint of the runtime tests
sys.path.insert(0, str(Path(__file__).parents[1] / "runtime"))
from sns_endpoints import http_endpoint

TOPIC = "arn:aws:sns:us-east-1:123456789012:pipeline-alerts"
DEFINITION = {
    "StartAt": "Alert",
    "States": {
        "Alert": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {
                "TopicArn": TOPIC,
                "Message.$": "States.Format('Pipeline failed: {}', $.error)",
            },
            "End": True,
        }
    },
}


def test_serve_delivers_what_its_executions_publish(tmp_path: Path) -> None:
    directory = tmp_path / "serve"
    directory.mkdir()
    store = open_store(f"sqlite:///{directory}/s.db")
    with http_endpoint() as endpoint:
        try:
            notifications = Notifications(store, RealClock(), Account())
            notifications.create_topic("pipeline-alerts")
            notifications.subscribe("pipeline-alerts", "http", endpoint.url)
            notifications.subscribe("pipeline-alerts", "log", None)
        finally:
            store.close()
        server = start_server(directory)
        try:
            sfn = client(server.url)
            arn = sfn.create_state_machine(
                name="alert",
                definition=json.dumps(DEFINITION),
                roleArn="arn:aws:iam::123456789012:role/r",
            )["stateMachineArn"]
            started = sfn.start_execution(stateMachineArn=arn, input='{"error": "disk full"}')
            done = wait_for_end(sfn, started["executionArn"])
            assert done["status"] == "SUCCEEDED"
            message_id = json.loads(done["output"])["MessageId"]
            deadline = time.monotonic() + 30
            while not endpoint.received:
                assert time.monotonic() < deadline, "no delivery within 30 s"
                time.sleep(0.05)
            (got,) = endpoint.received
            body = json.loads(got.body)
            assert (body["MessageId"], body["Message"]) == (
                message_id,
                "Pipeline failed: disk full",
            )
            assert body["UnsubscribeURL"].startswith(server.url + "/?Action=Unsubscribe")
            while "notification " + message_id not in server.log.read_text():
                assert time.monotonic() < deadline, "no log line within 30 s"
                time.sleep(0.05)
        finally:
            assert stop_server(server) == 0, server.log.read_text()
        assert "Traceback" not in server.log.read_text()
