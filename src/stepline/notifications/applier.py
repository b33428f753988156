"""A project's ``[topics.<name>]`` deployed into the store's topics (the ``TopicsApplier``
of :mod:`stepline.project.appliers`): the topic exists and has exactly the declared
subscriptions."""

from __future__ import annotations

from stepline.notifications.errors import NotificationError
from stepline.notifications.service import Notifications
from stepline.project.specs import Subscription, TopicSpec


class StoreTopics:
    def __init__(self, notifications: Notifications) -> None:
        self.notifications = notifications

    def current_topic(self, name: str) -> TopicSpec | None:
        try:
            self.notifications.topic(name)
        except NotificationError:
            return None
        kept = {
            Subscription(s.protocol, s.endpoint) for s in self.notifications.subscriptions(name)
        }
        return TopicSpec(name, tuple(sorted(kept, key=lambda s: (s.protocol, s.endpoint))))

    def apply_topic(self, spec: TopicSpec) -> None:
        self.notifications.create_topic(spec.name)
        wanted = set(spec.subscriptions)
        for existing in self.notifications.subscriptions(spec.name):
            if Subscription(existing.protocol, existing.endpoint) not in wanted:
                self.notifications.unsubscribe(existing.arn)
        for subscription in spec.subscriptions:
            self.notifications.subscribe(spec.name, subscription.protocol, subscription.endpoint)
