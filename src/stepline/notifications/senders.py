"""Delivering one message to one subscriber, by protocol: the I/O edge of notifications.

Each send returns an ``Outcome``; none raises for the subscriber's failures (a refused
connection, a timeout, an HTTP 500, an SMTP error, an unwritable file are outcomes).

- ``log``: the line goes to ``log`` (stderr in ``stepline worker`` and ``stepline serve``);
- ``file``: the SNS envelope as one JSON line appended to the file (parents created);
- ``http``/``https``: the envelope POSTed with SNS's headers; 2xx is delivered. # AWS: a
  4xx other than 429 is a client error SNS does not retry; stepline records it FAILED at
  once. Redirects are not followed (a 3xx is a failure, retried);
- ``slack``: ``{"text": "*<subject>*\\n<message>"}`` POSTed as JSON (an incoming webhook);
- ``email``: one SMTP message to the configured server (``SmtpSettings``).
"""

from __future__ import annotations

import http.client
import json
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from stepline.notifications import envelope as env
from stepline.store.notification_records import DeliveryRecord, NotificationRecord

DEFAULT_SENDER: Final = "stepline@localhost"
DEFAULT_TIMEOUT: Final = 15.0  # AWS: an HTTP/S endpoint has about 15 s to answer


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    status_code: int | None = None  # HTTP status, or an SMTP reply code
    error: str | None = None
    retry: bool = True  # for a failure: worth another attempt


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where email notifications go: ``STEPLINE_SMTP_HOST``, ``_PORT`` (25), ``_FROM``,
    ``_USER``, ``_PASSWORD``, ``_STARTTLS`` (1/true) or the matching command-line flags."""

    host: str | None = None
    port: int = 25
    sender: str = DEFAULT_SENDER
    user: str | None = None
    password: str | None = None
    starttls: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        e = os.environ if environ is None else environ
        port = e.get("STEPLINE_SMTP_PORT", "25")
        if not port.isdigit():
            raise ValueError(f"STEPLINE_SMTP_PORT must be a port number, got {port!r}")
        return cls(
            host=e.get("STEPLINE_SMTP_HOST") or None,
            port=int(port),
            sender=e.get("STEPLINE_SMTP_FROM") or DEFAULT_SENDER,
            user=e.get("STEPLINE_SMTP_USER") or None,
            password=e.get("STEPLINE_SMTP_PASSWORD") or None,
            starttls=e.get("STEPLINE_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        )


class Senders:
    def __init__(
        self,
        smtp: SmtpSettings | None = None,
        log: Callable[[str], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        endpoint: str = "http://localhost:8083",
    ) -> None:
        self.smtp = smtp or SmtpSettings()
        self.log = log or (lambda line: None)
        self.timeout = timeout
        self.endpoint = endpoint  # named in the envelope's UnsubscribeURL

    def send(self, delivery: DeliveryRecord, message: NotificationRecord) -> Outcome:
        try:
            return self._send(delivery, message)
        except (OSError, smtplib.SMTPException, http.client.HTTPException) as error:
            return Outcome(False, error=f"{type(error).__name__}: {error}")

    def _send(self, delivery: DeliveryRecord, message: NotificationRecord) -> Outcome:
        protocol, endpoint = delivery.protocol, delivery.endpoint
        if protocol == "log":
            self.log(env.log_line(message))
            return Outcome(True)
        if protocol == "email":
            return self._email(endpoint, message)
        if protocol == "slack":
            body = json.dumps(env.slack_payload(message)).encode()
            return self._post(endpoint, body, {"Content-Type": "application/json"})
        document = env.envelope(message, delivery.subscription_arn, protocol, self.endpoint)
        if protocol == "file":
            path = Path(endpoint)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(document, ensure_ascii=False) + "\n")
            return Outcome(True)
        if protocol in ("http", "https"):
            headers = env.http_headers(message, delivery.subscription_arn)
            return self._post(endpoint, json.dumps(document).encode(), headers)
        return Outcome(False, error=f"unknown protocol {protocol!r}", retry=False)

    def _post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        parts = urlsplit(url)
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            context = ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                parts.netloc, timeout=self.timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(parts.netloc, timeout=self.timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=body, headers=dict(headers))
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        status = response.status
        if 200 <= status < 300:
            return Outcome(True, status)
        client_error = 400 <= status < 500 and status != 429
        reason = f"HTTP {status} {response.reason}".strip()
        return Outcome(False, status, reason, retry=not client_error)

    def _email(self, address: str, message: NotificationRecord) -> Outcome:
        settings = self.smtp
        if settings.host is None:
            return Outcome(
                False, error="no SMTP server configured (--smtp-host or STEPLINE_SMTP_HOST)"
            )
        mail = EmailMessage()
        mail["From"] = settings.sender
        mail["To"] = address
        mail["Subject"] = env.email_subject(message)
        mail["X-Amz-Sns-Message-Id"] = message.id
        mail.set_content(env.text_for(message, "email"))
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=self.timeout) as smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.user is not None:
                    smtp.login(settings.user, settings.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPResponseException as error:
            text = (
                error.smtp_error.decode(errors="replace")
                if isinstance(error.smtp_error, bytes)
                else str(error.smtp_error)
            )
            permanent = 500 <= error.smtp_code < 600
            return Outcome(False, error.smtp_code, f"SMTP {error.smtp_code} {text}", not permanent)
        except smtplib.SMTPRecipientsRefused as error:
            return Outcome(False, error=f"SMTP recipient refused: {error.recipients}", retry=False)
        return Outcome(True, 250)
