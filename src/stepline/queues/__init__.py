"""Durable queues (Amazon SQS's model): the use cases behind the AmazonSQS API, the
``sqs:sendMessage`` task integration and ``stepline queues``."""

from stepline.queues.errors import QueueError
from stepline.queues.service import Queues

__all__ = ["QueueError", "Queues"]
