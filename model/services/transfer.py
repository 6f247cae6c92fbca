"""Partner Center referral files in and out (``cosell import`` / ``cosell export``).

Partner Center is the system of record and cosell the team's working copy, so its own files
import as they are, and nothing else gets past the rules. The trust model:

1. Catalogue facts are looked up, never believed (``model.partner_center.facts``): a
   customer's tab, federal, MACC and DUNS are the account catalogue's, a solution's flags the
   solution catalogue's; the file's ``cosell.customer`` / ``cosell.solutions`` flags are
   ignored. A file introduces an unknown solution (or an Other account by DUNS, or a location
   by ``mpnId``) from Partner Center's own fields only; it is catalogued in the same
   transaction and recorded on the deal's history as learned from the file.
2. A record whose id is stored is reconciled: the operations a user would run, each under its
   own rules (``model.services.import_plan``); a new record passes the creation rules; a
   record without an id is a create request (a new outbound deal, spec §4).
3. Every deal written passes the invariants. Any problem, named by record, field and rule,
   refuses the whole file and nothing is written (one write transaction).

Importing a file twice is harmless (an unchanged record changes nothing).

Export streams: the store is read a chunk of deals at a time, so 100,000 deals
never sit in memory at once, and it shows only what the acting user may see
(R1.3, R1.4).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

from model.domain.enums import Tab
from model.domain.errors import AccessDenied, ImportRejected
from model.partner_center.facts import LookupCatalogue
from model.partner_center.parse import MAX_PROBLEMS, parse_referrals, raw_records, rejection
from model.services.context import Ctx
from model.services.import_plan import Plan, plan_existing, plan_new
from model.services.import_records import duplicates, map_records
from model.services.import_write import write_learned, write_learned_events, write_new, write_updates
from model.store import bulk


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    registrations: int = 0  # closed deals whose registration progressed (R10.4)
    notified: int = 0       # messages queued: new inbound (R12.1), decline or expiry to the sender (R12.2)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.registrations


def refuse(problems: list[str]) -> ImportRejected:
    extra = len(problems) - MAX_PROBLEMS
    return ImportRejected(rejection(problems[:MAX_PROBLEMS] + ([f"… and {extra} more"] if extra > 0 else [])))


def import_referrals(ctx: Ctx, data: bytes | str, *, location: str | None = None,
                     source: str = "file", on_written=None) -> ImportReport:
    """Import a referral file (bytes or text); R1.1: referral admins only. All or nothing.

    ``location`` (``--location``) overrides the location of records that carry one by
    ``mpnId``; a record's own ``cosell.location`` (an export of ours) still wins. A big file in
    ``cosell export``'s one-referral-a-line layout is parsed by worker processes
    (``model.services.transfer_parallel``); the outcome is the same.
    """
    if not ctx.user.is_admin:
        raise AccessDenied("only a referral admin can import referrals (R1.1)")
    if isinstance(data, str):
        data = data.encode("utf-8")
    from model.services.transfer_parallel import import_in_parallel

    # ``on_written(session)`` runs inside the import's transaction after its writes (a sync pull
    # records what Partner Center confirmed in the same transaction); it needs the one-core path.
    report = None if on_written else import_in_parallel(ctx, data, location=location, source=source)
    if report is not None:
        return report
    now, actor, reason = ctx.now(), ctx.user.login, f"imported from {source}"
    with bulk.bulk_mode():
        refs = parse_referrals(data)
        raws = raw_records(data)
        plan = Plan()
        plan.problems += duplicates([(i, r.id, r.name) for i, r in enumerate(refs)], {})
        with ctx.store.write() as session, bulk.big_cache(session):
            mapped = map_records(session, refs, raws, 0, location=location, actor=actor, now=now, user=ctx.user)
            plan.problems += mapped.problems
            if not plan.problems:
                plan_new(plan, mapped.new, LookupCatalogue(mapped.lookups, mapped.learned))
                plan_existing(session, plan, mapped.incoming, now=now, user=ctx.user, source=source)
            if plan.problems:
                raise refuse(plan.problems)
            write_learned(session, mapped.learned, now, actor, source)
            queued = write_new(session, plan.new, now, actor, reason)
            queued += write_updates(session, plan, now, actor)
            write_learned_events(session, mapped.learned, now, source)
            notified = bulk.queue_messages(session, queued)
            if on_written is not None:
                on_written(session)
    return report_of(plan, len(plan.new), notified)


def report_of(plan: Plan, created: int, notified: int) -> ImportReport:
    return ImportReport(created=created, updated=len(plan.updates) - plan.registrations, unchanged=plan.unchanged,
                        registrations=plan.registrations, notified=notified)


def import_file(ctx: Ctx, path: str | Path, *, location: str | None = None) -> ImportReport:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ImportRejected(f"cannot read {p}: {exc.strerror or exc}") from None
    return import_referrals(ctx, data, location=location, source=p.name)


# -- export --------------------------------------------------------------------------------------

def export_referrals(ctx: Ctx, out: IO[str], *, tab: Tab | None = None, fmt: str = "json") -> int:
    """Write the deals the user may see (optionally one tab's) as referral JSON or CSV; returns how many."""
    from model.services.transfer_export import export_referrals as export

    return export(ctx, out, tab=tab, fmt=fmt)
