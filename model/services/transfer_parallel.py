"""A big import on every core: worker processes read, check and convert parts of the file; the
importing process only writes.

Checking a referral (pydantic), turning it into rows and encoding them for the database costs
several times what the database itself needs. With one referral a line (the layout
``cosell export`` writes) the file splits into parts without parsing it; each worker validates
its part, maps it (``import_records.map_records``, the same code as the one-process path, with
the catalogue facts and "is this id stored?" read from the database), checks new deals with the
creation rules (``import_plan.plan_new``), and hands back rows encoded for ``executemany`` with
what the part introduced to the catalogue. Stored ids are reconciled by the writer. The importing process holds the one write transaction
throughout, inserts each part as it arrives, and rolls everything back if any part had a
problem: all or nothing, exactly as on one core. Problems name records by their number in
the whole file. Anything unusual (another layout, bad JSON, a small file) goes the
one-process way, which also words bad-JSON messages with line and column.
"""
from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from model.partner_center.facts import Learned, LookupCatalogue
from model.partner_center.parse import REFERRALS, describe, is_bad_json, raw_lines, split_lines
from model.services import transfer
from model.services.context import Ctx
from model.services.import_plan import Plan, plan_existing, plan_new
from model.services.import_records import duplicates, map_records
from model.services.import_write import import_events, merge_learned, messages, write_learned, write_learned_events, write_updates
from model.store import bulk

PARALLEL_MIN = 20_000  # referrals; below this, starting workers costs more than they save
PART = 2_500


class _OnOneCore(Exception):
    """This file is better read whole, in the importing process (it rolls back what was begun)."""


_W: dict = {}


def _init(url: str, location: str | None, actor: str, now: datetime, reason: str, user) -> None:
    import gc

    from model.store import open_store

    gc.disable()  # see bulk.bulk_mode
    store = open_store(url, create=False)
    _W.update(store=store, location=location, actor=actor, now=now, reason=reason, user=user,
              tables=bulk.tables_for_dialect(store.engine.dialect))


def _part(task: tuple[int, list[bytes]]) -> dict:
    offset, lines = task
    data = b"[" + b",".join(lines) + b"]"
    try:
        refs = REFERRALS.validate_json(data)
    except ValidationError as exc:
        if is_bad_json(exc):
            return {"bad_json": True}
        return {"problems": describe(exc, data, offset)}
    with _W["store"].read() as session:
        mapped = map_records(session, refs, raw_lines(lines), offset, location=_W["location"], actor=_W["actor"],
                             now=_W["now"], user=_W["user"])
    if mapped.problems:
        return {"problems": mapped.problems}
    plan = Plan()
    plan_new(plan, mapped.new, LookupCatalogue(mapped.lookups, mapped.learned))  # the creation rules, here
    if plan.problems:
        return {"problems": plan.problems}
    t = _W["tables"]
    new = sorted(plan.new, key=lambda r: r.deal["id"])
    return {
        "ids": [(offset + i, r.id, r.name) for i, r in enumerate(refs)],
        "deals": t["deals"].encode(r.deal for r in new),
        "team": t["team"].encode(x for r in new for x in r.team),
        "notes": t["notes"].encode(x for r in new for x in r.notes),
        "events": t["events"].encode(import_events((r.deal["id"] for r in new), _W["now"], _W["actor"],
                                                   _W["reason"])),
        "messages": messages(new, _W["now"]),
        "incoming": mapped.incoming,
        "learned": mapped.learned,
    }


def import_in_parallel(ctx: Ctx, data: bytes, *, location: str | None, source: str) -> transfer.ImportReport | None:
    """The import done by workers, or None when this file is better read in one process."""
    if bulk.worker_count() < 2 or ":memory:" in ctx.store.url or len(data) < PARALLEL_MIN * 200:
        return None
    lines = split_lines(data)
    if lines is None or len(lines) < PARALLEL_MIN:
        return None
    now, actor, reason = ctx.now(), ctx.user.login, f"imported from {source}"
    total = len(lines)
    tasks = [(i, lines[i:i + PART]) for i in range(0, len(lines), PART)]
    del lines
    plan, seen, queued, created, learned = Plan(), {}, [], 0, Learned()
    dropped = None  # the indexes a big fill builds afterwards (decided on the first part's share of new deals)
    try:
        with bulk.bulk_mode(), ctx.store.write() as session, bulk.big_cache(session):
            t = bulk.tables_for(session)
            with bulk.process_pool(initializer=_init,
                                   initargs=(ctx.store.url, location, actor, now, reason, ctx.user)) as pool:
                for result in pool.imap(_part, tasks):
                    if result.get("bad_json"):
                        raise _OnOneCore
                    plan.problems += result.get("problems", [])
                    plan.problems += duplicates(result.get("ids", []), seen)
                    if plan.problems:
                        continue  # keep reading: every problem is reported, then all is rolled back
                    if dropped is None:
                        share = len(result["deals"]) / max(1, len(result["ids"]))
                        dropped = bulk.drop_secondary_indexes(session, int(total * share))
                    for name in ("deals", "team", "notes", "events"):
                        t[name].insert_encoded(session, result[name])
                    created += len(result["deals"])
                    queued += result["messages"]
                    merge_learned(learned, result["learned"])
                    plan_existing(session, plan, result["incoming"], now=now, user=ctx.user, source=source)
            if plan.problems:
                raise transfer.refuse(plan.problems)
            session.info["wrote"] = True
            write_learned(session, learned, now, actor, source)
            queued += write_updates(session, plan, now, actor)
            write_learned_events(session, learned, now, source)
            notified = bulk.queue_messages(session, queued)
            bulk.restore_indexes(session, dropped or [])
    except _OnOneCore:
        return None
    return transfer.report_of(plan, created, notified)
