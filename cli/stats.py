"""`cosell stats`: R13's guidance as numbers, for a stand-up or a weekly mail.

How fast inbound deals were answered this week and this month (the median from received to
accepted or declined, R13.1), how many were accepted of those answered (R13.2), how many
still wait, and the deals that need reporting (R13.3: open past their close date, won or
lost with no value), listed with ``--needs-reporting``. The definitions are
``model.domain.rules.stats``. Exit 0; a database that cannot be opened exits as every
command does (``cli.common``).
"""
from __future__ import annotations

from cli import common, render
from cli.deals import guarded, opened
from model.domain.rules.stats import format_duration, format_rate, reporting_gap
from model.services import stats as stats_svc


def _period_json(p) -> dict:
    return {"period": p.name, "since": p.start, "answered": p.answered, "accepted": p.accepted,
            "declined": p.declined, "expired": p.expired,
            "median_answer_seconds": int(p.median_answer.total_seconds()) if p.median_answer else None,
            "median_answer": format_duration(p.median_answer) if p.median_answer else None,
            "accept_rate": round(p.accept_rate, 4) if p.accept_rate is not None else None}


def _row_json(r, today) -> dict:
    return {"id": r.id, "short_id": render.short(r.id), "name": r.name, "customer": r.customer_name,
            "status": r.substatus.value, "close_date": r.close_date, "value": r.value, "currency": r.currency,
            "why": reporting_gap(r.substatus, r.close_date, r.value, today)}


@guarded
def _stats(args):
    with opened(args) as ctx:
        figures = stats_svc.stats(ctx)
        rows = stats_svc.needs_reporting(ctx) if args.needs_reporting else []
    today = figures.now.date()
    if args.json:
        doc = {"now": figures.now, "waiting_for_answer": figures.waiting,
               "periods": [_period_json(p) for p in figures.periods], "needs_reporting": figures.needs_reporting}
        if args.needs_reporting:
            doc["needs_reporting_deals"] = [_row_json(r, today) for r in rows]
        common.print_json(doc)
        return common.EXIT_OK
    table = [[p.name, str(p.answered), format_duration(p.median_answer), format_rate(p.accept_rate),
              f"{p.accepted}/{p.declined}", str(p.expired)] for p in figures.periods]
    common.print_table(["PERIOD", "ANSWERED", "MEDIAN ANSWER", "ACCEPT RATE", "ACCEPTED/DECLINED", "EXPIRED"], table)
    print(f"{figures.waiting} inbound deal(s) wait for an answer (R13.1); "
          f"{figures.needs_reporting} deal(s) need reporting (R13.3)")
    if args.needs_reporting and rows:
        common.print_table(["ID", "NAME", "CUSTOMER", "STATUS", "CLOSE", "VALUE", "WHY"],
                           [[render.short(r.id), render.clip(r.name, 36), render.clip(r.customer_name, 28),
                             r.substatus.value, r.close_date.isoformat() if r.close_date else "",
                             render.money(r.value, r.currency), reporting_gap(r.substatus, r.close_date, r.value, today)
                             or ""] for r in rows])
    return common.EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("stats", help="answer time, accept rate and deals that need reporting (R13)")
    p.add_argument("--needs-reporting", action="store_true",
                   help="also list the deals that need reporting (open past their close date, won/lost with no value)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_stats, only_reads=True)
