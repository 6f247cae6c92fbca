"""R13 for the faces: the answer-time and accept-rate figures and the deals that need reporting,
as the user may see them (the definitions are ``model.domain.rules.stats``; the SQL is
``model.store.stats``)."""
from __future__ import annotations

from model.domain.rules.stats import Stats, answer_stats, month_start, week_start
from model.services.context import Ctx
from model.store import stats as sql
from model.store.stats import ReportingRow

__all__ = ["ReportingRow", "Stats", "needs_reporting", "stats"]


def stats(ctx: Ctx) -> Stats:
    """This week's and this month's answers (R13.1, R13.2), deals waiting, deals needing reporting (R13.3)."""
    now = ctx.now()
    since = min(week_start(now), month_start(now))  # a week can start in the month before
    with ctx.store.read() as session:
        answers = sql.inbound_answers(session, ctx.user, since)
        waiting = sql.waiting_count(session, ctx.user)
        reporting = sql.needs_reporting_count(session, ctx.user, now.date())
    return Stats(now=now, waiting=waiting, periods=answer_stats(answers, now), needs_reporting=reporting)


def needs_reporting(ctx: Ctx, limit: int = 500) -> list[ReportingRow]:
    """R13.3: open deals past their close date, won or lost deals with no value."""
    with ctx.store.read() as session:
        return sql.needs_reporting(session, ctx.user, ctx.now().date(), limit)
