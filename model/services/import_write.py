"""The write half of an import: everything in the one transaction, with the bulk path.

New deals, their ``import`` events and new-inbound messages (R12.1); reconciled deals with
every event their operations recorded and an outbox row per notice (R12.2); and what the file
introduced to the catalogue (solutions, Other accounts, locations), each recorded on the
deal's history as learned from the file (actor ``"Partner Center"``).
"""
from __future__ import annotations

from datetime import datetime

from model.domain.enums import Direction
from model.domain.schemas import Event
from model.partner_center.facts import Learned
from model.services.import_plan import Plan, notice_rows
from model.services.outbox import new_inbound_message, team_key, team_recipients
from model.store import bulk
from model.store import outbox as outbox_table
from model.store.locations import insert_locations, names_by_mpn
from model.store.referral_lookups import insert_accounts, insert_solutions, lookups

LEARNED_BY = "Partner Center"


def merge_learned(into: Learned, other: Learned) -> None:
    """Parts of a big file learn side by side; the earliest record's definition wins."""
    for name in ("solutions", "accounts", "locations"):
        mine = getattr(into, name)
        for k, v in getattr(other, name).items():
            mine.setdefault(k, v)
    for deal_id, what in other.by_deal.items():
        into.by_deal.setdefault(deal_id, []).extend(what)


def write_learned(session, learned: Learned, now: datetime, actor: str, source: str) -> None:
    """Add what the file introduced (and is still unknown: another part may have added it)."""
    if learned.locations:
        known = names_by_mpn(session, learned.locations)
        insert_locations(session, [{"mpn_id": m, "name": n, "created_at": now, "created_by": actor}
                                   for m, n in sorted(learned.locations.items()) if m not in known])
    if learned.solutions or learned.accounts:
        found = lookups(session, solution_ids=learned.solutions, account_ids=learned.accounts)
        insert_solutions(session, [v for k, v in sorted(learned.solutions.items()) if k not in found.solutions])
        insert_accounts(session, [v for k, v in sorted(learned.accounts.items()) if k not in found.accounts_by_id])



def write_learned_events(session, learned: Learned, now: datetime, source: str) -> None:
    """On each deal's history: what its record added to the catalogue (after the deals are written)."""
    if learned.by_deal:
        bulk.insert_events(session, [
            bulk.event_row(deal_id, Event(at=now, actor=LEARNED_BY, action="catalogue",
                                          changes={"learned": what}, reason=f"learned from {source}"))
            for deal_id, what in sorted(learned.by_deal.items())])


def import_events(deal_ids, now: datetime, actor: str, reason: str) -> list[dict]:
    return [{"deal_id": i, "at": now, "actor": actor, "action": "import", "changes": {}, "reason": reason}
            for i in deal_ids]


def messages(new: list[bulk.DealRows], now: datetime) -> list[dict]:
    """R12.1: a new received inbound deal is announced to its team, as ``receive_inbound`` does: the
    same wording, recipients and keys (``model.services.outbox``), rows for one bulk INSERT."""
    out = []
    for rows in new:
        r = rows.deal
        if r["direction"] != Direction.INBOUND.value or r["substatus"] not in ("Received", "Pending"):
            continue
        subject, body = new_inbound_message(r["name"], r["customer_name"], r["sender_name"], r["expires_at"], now)
        for email in team_recipients(t["email_lc"] for t in rows.team):
            out.append(outbox_table.row(kind="new_inbound", deal_id=r["id"], recipient=email, subject=subject,
                                        body=body, now=now, dedupe_key=team_key("new_inbound", r["id"], email)))
    return out


def write_new(session, new: list[bulk.DealRows], now: datetime, actor: str, reason: str) -> list[dict]:
    """Insert new deals with their import events; returns the new-inbound messages to queue."""
    for i in range(0, len(new), bulk.CHUNK * 5):
        part = new[i:i + bulk.CHUNK * 5]
        bulk.insert_deals(session, part)
        bulk.insert_events(session, import_events((r.deal["id"] for r in part), now, actor, reason))
    return messages(new, now)


def write_updates(session, plan: Plan, now: datetime, actor: str) -> list[dict]:
    """Reconciled deals, their events; returns the outbox rows their notices cause."""
    if not plan.updates:
        return []
    appended = [{"deal_id": u.deal.id, "at": n.at, "author": n.author, "text": n.text}
                for u in plan.updates for n in u.deal.notes[len(u.stored.notes):]]
    rows = []
    for u in plan.updates:
        r = bulk.deal_rows(u.deal, actor=actor)
        r.deal.update(u.extra)
        rows.append(r)
    bulk.update_deals(session, rows, appended)
    bulk.insert_events(session, [bulk.event_row(u.deal.id, e) for u in plan.updates for e in u.events])
    return [m for u in plan.updates for m in notice_rows(u.deal, u.notices, now)]
