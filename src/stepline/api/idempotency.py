"""RedriveExecution's client tokens: a retried call answers as the first one did.

# AWS: "The API will return idempotent responses for the last 10 client tokens used to
# successfully redrive the execution. These client tokens are valid for up to 15 minutes
# after they are first used." (botocore fills ``clientToken`` in when the caller gives none,
# so an SDK's automatic retry of a redrive that succeeded is answered, not refused.)

Kept in the server's memory: a retry that reaches another server process, or this one after
a restart, is answered ExecutionNotRedrivable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Final

TOKENS_PER_EXECUTION: Final = 10
VALID_FOR: Final = timedelta(minutes=15)


class RedriveTokens:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # execution ARN -> client token -> (first used, the redrive date answered)
        self._seen: dict[str, OrderedDict[str, tuple[datetime, datetime]]] = {}

    def answered(self, execution_arn: str, token: str, now: datetime) -> datetime | None:
        """The redrive date a successful redrive with ``token`` answered, if still valid."""
        with self._lock:
            found = self._seen.get(execution_arn, OrderedDict()).get(token)
        if found is None or now - found[0] > VALID_FOR:
            return None
        return found[1]

    def remember(self, execution_arn: str, token: str, now: datetime, date: datetime) -> None:
        with self._lock:
            self._drop_expired(now)
            tokens = self._seen.setdefault(execution_arn, OrderedDict())
            tokens[token] = (now, date)
            while len(tokens) > TOKENS_PER_EXECUTION:
                tokens.popitem(last=False)

    def _drop_expired(self, now: datetime) -> None:
        for arn in list(self._seen):
            tokens = self._seen[arn]
            while tokens and now - next(iter(tokens.values()))[0] > VALID_FOR:
                tokens.popitem(last=False)
            if not tokens:
                del self._seen[arn]
