"""R13 as numbers: the answer time's median, the accept rate and what needs reporting, as pure
functions of the deals' timestamps (``model.domain.rules.stats``)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from model.domain.enums import Substatus
from model.domain.rules.stats import (
    InboundAnswer, answer_stats, format_duration, format_rate, month_start, outcome, reporting_gap, week_start,
)

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)  # a Thursday


def answered(received_hours_ago: float, after_hours: float, substatus=Substatus.ACCEPTED) -> InboundAnswer:
    received = NOW - timedelta(hours=received_hours_ago)
    at = received + timedelta(hours=after_hours)
    if substatus is Substatus.DECLINED:
        return InboundAnswer(received, None, at, substatus)
    return InboundAnswer(received, at, None, substatus)


def test_periods_start_on_monday_and_the_first():  # R13.1
    assert week_start(NOW) == datetime(2026, 11, 30, tzinfo=timezone.utc)
    assert month_start(NOW) == datetime(2026, 12, 1, tzinfo=timezone.utc)


def test_median_answer_time_and_accept_rate_per_period():  # R13.1, R13.2
    deals = [
        answered(10, 2),                          # this week: 2 h, accepted
        answered(30, 4, Substatus.DECLINED),      # this week: 4 h, declined
        answered(60, 9),                          # Monday: 9 h, accepted
        answered(24 * 20, 30),                    # November: not this month
        InboundAnswer(NOW - timedelta(days=20), None, NOW - timedelta(days=1), Substatus.EXPIRED),
        InboundAnswer(NOW - timedelta(hours=3), None, None, Substatus.RECEIVED),  # still waiting
    ]
    week, month = answer_stats(deals, NOW)
    assert (week.answered, week.accepted, week.declined, week.expired) == (3, 2, 1, 1)
    assert week.median_answer == timedelta(hours=4)
    assert week.accept_rate == 2 / 3
    assert (month.answered, month.expired) == (3, 1)  # the November answer is last month's


def test_an_expired_deal_is_not_an_answer_and_a_won_one_was_accepted():  # R13.1, R8.2
    expired = InboundAnswer(NOW - timedelta(days=15), None, NOW, Substatus.EXPIRED)
    assert outcome(expired).kind == "expired" and outcome(expired).answer_time is None
    won = InboundAnswer(NOW - timedelta(days=5), NOW - timedelta(days=4), NOW, Substatus.WON)
    assert outcome(won).kind == "accepted" and outcome(won).answer_time == timedelta(days=1)
    error = InboundAnswer(NOW - timedelta(days=5), None, NOW, Substatus.ERROR)
    assert outcome(error) is None


def test_no_answers_means_no_rate_not_zero():  # R13.2
    week, _month = answer_stats([], NOW)
    assert week.accept_rate is None and week.median_answer is None
    assert format_rate(None) == "–" and format_duration(None) == "–"


def test_needs_reporting():  # R13.3
    today = NOW.date()
    assert "close date 2026-12-01 is past" in reporting_gap(Substatus.ACCEPTED, date(2026, 12, 1), Decimal(5), today)
    assert reporting_gap(Substatus.ACCEPTED, today, Decimal(5), today) is None
    assert "won with no value" in reporting_gap(Substatus.WON, date(2026, 1, 1), Decimal(0), today)
    assert reporting_gap(Substatus.LOST, None, Decimal(0), today).startswith("lost")
    assert reporting_gap(Substatus.WON, date(2026, 1, 1), Decimal(10), today) is None
    assert reporting_gap(Substatus.RECEIVED, date(2026, 1, 1), Decimal(0), today) is None  # not answered yet


def test_durations_read_as_people_say_them():
    assert [format_duration(timedelta(minutes=m)) for m in (45, 60, 320, 24 * 60 + 180, 48 * 60)] == \
        ["45 min", "1 h", "5 h 20 min", "1 d 3 h", "2 d"]
    assert format_rate(2 / 3) == "67 %"
