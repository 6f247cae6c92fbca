"""`cosell expiring` and `cosell sweep`: the commands cron and on-call paging run.

`expiring` answers "does anything need a human before it expires?" in its exit
code (0 nothing, 3 something: R8.2's 14-day window), and says who is on each
deal's team so the page reaches the right people. `sweep` does the expiring
itself: overdue received inbound deals become Expired and their senders are
notified (R8.2, R12.2), idempotently, so two cron jobs never notify twice.
"""
from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from cli import common, render
from cli.argtypes import duration
from cli.deals import guarded, opened
from model import services as svc
from model.domain.rules.lifecycle import expiry_band, format_left, format_span, time_left

if TYPE_CHECKING:
    from model.services.queries import ExpiringDeal


def _team(deal: ExpiringDeal) -> str:
    return ", ".join(f"{render.line(p.name)} <{render.line(p.email)}>" for p in deal.team) or "(no team)"


def _expiring_json(deal: ExpiringDeal, now) -> dict:
    left = time_left(deal, now)
    return {
        "id": deal.id, "short_id": render.short(deal.id), "name": deal.name, "customer": deal.customer.name,
        "expires_at": deal.expires_at, "time_left": format_left(left),
        "seconds_left": int(left.total_seconds()) if left is not None else None, "band": expiry_band(left),
        "sender": deal.sender_name, "sender_email": deal.sender_email,
        "team": [p.model_dump() for p in deal.team],
    }


@guarded
def _expiring(args):
    within: timedelta = args.within
    with opened(args) as ctx:
        deals, now = svc.expiring_deals(ctx, within), ctx.now()
    if args.json:
        common.print_json({"now": now, "within_seconds": int(within.total_seconds()), "count": len(deals),
                           "deals": [_expiring_json(d, now) for d in deals]})
    elif not deals:
        print(f"no received inbound deal expires within {format_span(within)}")
    else:
        rows = [[render.short(d.id), render.clip(d.name, 36), render.clip(d.customer.name, 28),
                 format_left(time_left(d, now)), render.when(d.expires_at), render.clip(d.sender_name or "", 24),
                 _team(d)] for d in deals]
        common.print_table(["ID", "NAME", "CUSTOMER", "LEFT", "EXPIRES", "SENT BY", "TEAM"], rows)
        print(f"{len(deals)} received inbound deal(s) expire within {format_span(within)}: accept or decline them (R8.2)")
    return common.EXIT_ATTENTION if deals else common.EXIT_OK


@guarded
def _sweep(args):
    from model.services import delivery  # the outbox and SMTP side: not for `cosell expiring`

    with opened(args) as ctx:
        # No service reports how many a sweep queued (the Microsoft-window reminders are
        # queued there too), so count the outbox before and after.
        before = delivery.outbox_size(ctx)
        expired = svc.sweep(ctx)
        queued = delivery.outbox_size(ctx) - before
        now = ctx.now()
    if args.json:
        common.print_json({"now": now, "expired": [
            {"id": d.id, "short_id": render.short(d.id), "name": d.name, "customer": d.customer.name,
             "sender": d.sender_name, "sender_email": d.sender_email, "expires_at": d.expires_at}
            for d in expired], "count": len(expired), "notifications_queued": queued})
        return
    # A sweep may print 20,000 lines whose customers, senders and due times repeat: each distinct
    # value is cleaned and formatted once, and the lines go out in one write.
    line, when = lru_cache(maxsize=None)(render.line), lru_cache(maxsize=None)(render.when)  # this call only
    lines = [f"expired {render.short(d.id)} \"{line(d.name)}\" ({line(d.customer.name)}); "
             f"due {when(d.expires_at)}; {line(d.sender_name or d.sender_email or 'the sender')} will be notified"
             for d in expired]
    if lines:
        print("\n".join(lines))
    print(f"{len(expired)} deal(s) expired; {queued} notification(s) queued")


def register(sub) -> None:
    p = sub.add_parser("expiring", help="received inbound deals about to expire (exit 3 if any, for cron/paging)")
    p.add_argument("--within", type=duration, default=duration("48h"), metavar="DURATION",
                   help="e.g. 48h, 3d, 90m (default 48h); overdue deals not yet swept are included")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_expiring, only_reads=True)

    p = sub.add_parser("sweep", help="expire received inbound deals whose 14 days are over and notify senders (R8.2)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_sweep)
