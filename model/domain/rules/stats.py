"""R13 as numbers: how fast inbound deals are answered (R13.1), how selective the answers are
(R13.2) and which deals still need their size, close date or outcome reported (R13.3).

The source only asks partners to respond quickly, to be selective and to report every deal;
it sets no target. These functions turn the deals' own timestamps into the figures a sales
person can act on, with one definition used by every face (the stats screen, the dashboard's
quick filter, ``cosell stats``):

- an inbound deal is *answered* when it is accepted (``accepted_at``) or declined (its
  ``closed_at``); the answer time is from ``received_at`` to then. A deal that expired was
  not answered: it counts against the answer rate, never in the median;
- the *accept rate* is accepted / (accepted + declined) among the answers of the period;
- a period is the calendar week (from Monday 00:00 UTC) or month (from the 1st) of ``now``,
  and an answer belongs to the period it was given in;
- a deal *needs reporting* (R13.3) when it is open and its close date is past, or when it is
  won or lost with no value (a size of 0).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from model.domain.enums import Substatus


@dataclass(frozen=True)
class InboundAnswer:
    """What the store knows of one inbound deal's answer (or its lack)."""

    received_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None
    substatus: Substatus


@dataclass(frozen=True)
class Outcome:
    """One inbound deal classified: ``kind`` is accepted, declined or expired; ``at`` when."""

    kind: str
    at: datetime
    answer_time: timedelta | None  # None for an expired deal: it was never answered


@dataclass(frozen=True)
class PeriodStats:
    """R13.1/R13.2 for one period."""

    name: str
    start: datetime
    answered: int
    accepted: int
    declined: int
    expired: int
    median_answer: timedelta | None

    @property
    def accept_rate(self) -> float | None:
        """accepted / answered, None when nothing was answered (no rate to show, not 0 %)."""
        return self.accepted / self.answered if self.answered else None


@dataclass(frozen=True)
class Stats:
    now: datetime
    waiting: int  # received inbound deals still waiting for an answer
    periods: tuple[PeriodStats, ...]
    needs_reporting: int


def outcome(deal: InboundAnswer) -> Outcome | None:
    """Accepted (later won or lost too), declined or expired; None while waiting or closed as error
    without an answer (a mistake, not a choice)."""
    if deal.accepted_at is not None:
        return Outcome("accepted", deal.accepted_at, max(deal.accepted_at - deal.received_at, timedelta(0)))
    if deal.substatus is Substatus.DECLINED and deal.closed_at is not None:
        return Outcome("declined", deal.closed_at, max(deal.closed_at - deal.received_at, timedelta(0)))
    if deal.substatus is Substatus.EXPIRED and deal.closed_at is not None:
        return Outcome("expired", deal.closed_at, None)
    return None


def week_start(now: datetime) -> datetime:
    day = now.date() - timedelta(days=now.weekday())
    return datetime(day.year, day.month, day.day, tzinfo=now.tzinfo)


def month_start(now: datetime) -> datetime:
    return datetime(now.year, now.month, 1, tzinfo=now.tzinfo)


def period_stats(name: str, start: datetime, now: datetime, deals: list[InboundAnswer]) -> PeriodStats:
    outcomes = [o for o in map(outcome, deals) if o is not None and start <= o.at <= now]
    times = [o.answer_time for o in outcomes if o.answer_time is not None]
    median = timedelta(seconds=statistics.median(t.total_seconds() for t in times)) if times else None
    count = lambda kind: sum(1 for o in outcomes if o.kind == kind)  # noqa: E731
    return PeriodStats(name=name, start=start, answered=len(times), accepted=count("accepted"),
                       declined=count("declined"), expired=count("expired"), median_answer=median)


def answer_stats(deals: list[InboundAnswer], now: datetime) -> tuple[PeriodStats, PeriodStats]:
    """This week's and this month's figures (R13.1, R13.2)."""
    return (period_stats("this week", week_start(now), now, deals),
            period_stats("this month", month_start(now), now, deals))


#: Open deals: accepted (inbound) or created (outbound), not yet won, lost, declined or closed.
OPEN = (Substatus.ACCEPTED,)
#: Closed with an outcome whose size must be reported (R13.3).
REPORTED_OUTCOMES = (Substatus.WON, Substatus.LOST)


def reporting_gap(substatus: Substatus, close_date: date | None, value: Decimal, today: date) -> str | None:
    """Why a deal needs reporting (R13.3), or None: the one predicate the store's query follows."""
    if substatus in OPEN and close_date is not None and close_date < today:
        return f"close date {close_date.isoformat()} is past: report the outcome or a new close date (R13.3)"
    if substatus in REPORTED_OUTCOMES and value == 0:
        return f"{substatus.value.lower()} with no value: report its size (R13.3)"
    return None


def format_duration(span: timedelta | None) -> str:
    """A median answer time as people say it: "45 min", "5 h 20 min", "2 d 3 h"; "–" for none."""
    if span is None:
        return "–"
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def format_rate(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)} %"
