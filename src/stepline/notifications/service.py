"""The notification use cases (Amazon SNS's semantics) over the store: what the
``sns:publish`` integration and ``stepline topics`` call.

Publishing checks the message, stores it with one PENDING delivery per subscription whose
filter policy it passes, in one store transaction, and returns its MessageId; a
``Notifier`` delivers later. ``wakeup`` is set by each publish so a notifier in the same
process starts at once (others poll).
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from stepline.arns import Account
from stepline.notifications import checks, filters
from stepline.notifications.errors import NotificationError, invalid, no_topic
from stepline.runtime.clock import Clock
from stepline.store.notification_records import (
    DeliveryRecord,
    NotificationRecord,
    SubscriptionRecord,
    TopicRecord,
)
from stepline.store.protocol import AlreadyExists, NotFound, Store

DEFAULT_ENDPOINT: Final = "http://localhost:8083"
_GROUP_ID: Final = re.compile(r"^[A-Za-z0-9!-/:-@\[-`{-~]{1,128}$")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Publish: its members as SNS names them."""

    target: Any  # TopicArn or TargetArn (a topic's name too, for the command line)
    message: Any
    subject: Any = None
    attributes: Any = None  # MessageAttributes
    structure: Any = None  # MessageStructure
    group_id: Any = None  # MessageGroupId
    deduplication_id: Any = None  # MessageDeduplicationId


class Notifications:
    def __init__(
        self, store: Store, clock: Clock, account: Account, endpoint: str = DEFAULT_ENDPOINT
    ) -> None:
        self.store = store
        self.clock = clock
        self.account = account
        self.endpoint = endpoint  # the stepline server named in UnsubscribeURLs
        self.wakeup = threading.Event()

    # ---- topics ---------------------------------------------------------------------------
    def topic_arn(self, name: str) -> str:
        return f"arn:aws:sns:{self.account.region}:{self.account.account}:{name}"

    def create_topic(self, name: str, attributes: Mapping[str, str] | None = None) -> TopicRecord:
        """The topic; the same again for its name (# AWS: CreateTopic is idempotent)."""
        checks.topic_name(name)
        record = TopicRecord(
            name, self.topic_arn(name), self.clock.now(), json.dumps(dict(attributes or {}))
        )
        try:
            self.store.create_topic(record)
            return record
        except AlreadyExists:
            return self.topic(name)

    def topic(self, name_or_arn: str) -> TopicRecord:
        name = self.name_of(name_or_arn)
        topic = self.store.get_topic(name)
        if topic is None:
            raise no_topic(name_or_arn)
        return topic

    def list_topics(self) -> list[TopicRecord]:
        return self.store.list_topics()

    def delete_topic(self, name_or_arn: str) -> bool:
        """Delete the topic and its subscriptions; False when there was none."""
        return self.store.delete_topic(self.name_of(name_or_arn))

    def name_of(self, name_or_arn: str) -> str:
        """The topic a TopicArn (of this region and account) or a bare name names."""
        if not name_or_arn.startswith("arn:"):
            return name_or_arn
        parts = name_or_arn.split(":")
        if (
            len(parts) != 6
            or parts[1:3] != ["aws", "sns"]
            or parts[3] != self.account.region
            or parts[4] != self.account.account
            or not parts[5]
        ):
            raise NotificationError(
                "NotFoundException",
                f"Topic does not exist: {name_or_arn} is not a topic ARN of region"
                f" {self.account.region} and account {self.account.account}",
            )
        return parts[5]

    # ---- subscriptions --------------------------------------------------------------------
    def subscribe(
        self, topic: str, protocol: str, endpoint: str | None, filter_policy: Any = None
    ) -> SubscriptionRecord:
        """A new subscription, or the one with that protocol and endpoint (# AWS: Subscribe
        again returns the same ARN; with other attributes it is an InvalidParameter)."""
        record = self.topic(topic)
        kept = checks.endpoint(protocol, endpoint)
        policy = filters.checked_policy(filter_policy)
        for existing in self.store.list_subscriptions(record.name):
            if (existing.protocol, existing.endpoint) == (protocol, kept):
                if existing.filter_policy != policy:
                    raise invalid("Subscription already exists with different attributes")
                return existing
        subscription = SubscriptionRecord(
            f"{record.arn}:{uuid.uuid4()}", record.name, protocol, kept, self.clock.now(), policy
        )
        try:
            self.store.create_subscription(subscription)
        except NotFound:
            raise no_topic(topic) from None
        return subscription

    def unsubscribe(self, arn: str) -> bool:
        return self.store.delete_subscription(arn)

    def subscriptions(self, topic: str | None = None) -> list[SubscriptionRecord]:
        if topic is None:
            return self.store.list_subscriptions()
        return self.store.list_subscriptions(self.topic(topic).name)

    # ---- publishing -----------------------------------------------------------------------
    def publish(self, outgoing: Outgoing) -> NotificationRecord:
        """Store the message and its deliveries (one transaction); returns the message."""
        if not isinstance(outgoing.target, str) or not outgoing.target:
            raise invalid("TopicArn or TargetArn Reason: no value for required parameter")
        topic = self.topic(outgoing.target)
        text = checks.message(outgoing.message, outgoing.structure)
        subject = checks.subject(outgoing.subject)
        attributes = checks.message_attributes(outgoing.attributes)
        for name, value in (
            ("MessageGroupId", outgoing.group_id),
            ("MessageDeduplicationId", outgoing.deduplication_id),
        ):
            # AWS: standard topics accept a MessageGroupId (forwarded to SQS subscribers
            # only) under FIFO's rules; stepline checks both ids and keeps neither.
            if value is not None and (not isinstance(value, str) or not _GROUP_ID.match(value)):
                raise invalid(f"{name}: up to 128 letters, digits and punctuation")
        now = self.clock.now()
        message = NotificationRecord(
            str(uuid.uuid4()),
            topic.name,
            topic.arn,
            text,
            now,
            subject,
            json.dumps(attributes),
            outgoing.structure,
        )
        deliveries = [
            DeliveryRecord(
                str(uuid.uuid4()), message.id, s.arn, s.protocol, s.endpoint, "PENDING", now
            )
            for s in self.store.list_subscriptions(topic.name)
            if filters.matches(s.filter_policy, attributes)
        ]
        try:
            self.store.publish_notification(message, deliveries)
        except NotFound:
            raise no_topic(outgoing.target) from None
        self.wakeup.set()
        return dataclasses.replace(message, deliveries=len(deliveries))
