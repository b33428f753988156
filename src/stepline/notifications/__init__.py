"""Notifications (Amazon SNS's model): topics, subscriptions (log, file, http/https, slack,
email), published messages and their durable, retried deliveries. The use cases behind the
``sns:publish`` task integration and ``stepline topics`` / ``stepline notifications``."""

from stepline.notifications.errors import NotificationError
from stepline.notifications.notifier import Notifier, RetryPolicy
from stepline.notifications.senders import Senders, SmtpSettings
from stepline.notifications.service import Notifications, Outgoing

__all__ = [
    "NotificationError",
    "Notifications",
    "Notifier",
    "Outgoing",
    "RetryPolicy",
    "Senders",
    "SmtpSettings",
]
