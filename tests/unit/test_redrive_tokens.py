"""RedriveExecution's client tokens: the last 10 per execution, for 15 minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stepline.api.idempotency import RedriveTokens

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_a_token_answers_its_first_redrive_date_for_fifteen_minutes() -> None:
    tokens = RedriveTokens()
    date = T0 + timedelta(seconds=1)
    tokens.remember("arn:e", "t", T0, date)
    assert tokens.answered("arn:e", "t", T0 + timedelta(minutes=15)) == date
    assert tokens.answered("arn:e", "t", T0 + timedelta(minutes=15, seconds=1)) is None
    assert tokens.answered("arn:other", "t", T0) is None
    assert tokens.answered("arn:e", "u", T0) is None


def test_only_the_last_ten_tokens_are_kept() -> None:
    tokens = RedriveTokens()
    for i in range(11):
        tokens.remember("arn:e", f"t{i}", T0, T0 + timedelta(seconds=i))
    assert tokens.answered("arn:e", "t0", T0) is None
    assert tokens.answered("arn:e", "t1", T0) == T0 + timedelta(seconds=1)
    assert tokens.answered("arn:e", "t10", T0) == T0 + timedelta(seconds=10)


def test_expired_tokens_are_forgotten() -> None:
    tokens = RedriveTokens()
    tokens.remember("arn:old", "t", T0, T0)
    later = T0 + timedelta(minutes=20)
    tokens.remember("arn:new", "t", later, later)
    assert tokens.answered("arn:old", "t", T0) is None  # dropped, not merely expired
