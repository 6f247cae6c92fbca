"""Injectable time, so 14-day expiry and the 72-hour rule are tested without sleeping."""
from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; tests and snapshots use it."""

    def __init__(self, at: datetime | str):
        self._at = parse_instant(at) if isinstance(at, str) else to_utc(at)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self._at += timedelta(**delta)

    def set(self, at: datetime | str) -> None:
        self._at = parse_instant(at) if isinstance(at, str) else to_utc(at)


def to_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """ISO 8601 with or without zone (a bare time is UTC); 'Z' accepted."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    return to_utc(datetime.fromisoformat(value))


#: The instants a pinned clock may show. Deadlines are computed by adding days and weeks to
#: "now" (14-day expiry, the 72-hour rule, ``--within``), which would overflow at the very ends
#: of what ``datetime`` holds; no sales deal lives outside these years.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class BadClock(ValueError):
    """COSELL_NOW is malformed or out of range: the message names the variable."""


def clock_from_env() -> Clock:
    """COSELL_NOW (ISO 8601) pins the clock, so the whole CLI can be tested at any moment."""
    pinned = os.environ.get("COSELL_NOW")
    return FixedClock(pinned_instant(pinned)) if pinned else SystemClock()


def pinned_instant(text: str) -> datetime:
    """COSELL_NOW's value as an instant, or ``BadClock`` naming the variable and what is wrong."""
    try:
        at = parse_instant(text)
    except (ValueError, OverflowError):
        raise BadClock(f"COSELL_NOW={text!r} is not a date-time: use ISO 8601, e.g. 2026-12-01T09:00Z") from None
    if not EARLIEST <= at < LATEST:
        raise BadClock(f"COSELL_NOW={text!r} is outside the years {EARLIEST.year}–{LATEST.year - 1} "
                       "that deadlines can be computed in")
    return at
