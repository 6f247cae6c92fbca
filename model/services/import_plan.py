"""What an import does to each record, decided by the same rules as a user's actions.

An import is a list of the operations a user runs (the trust model, README "Imports"):

- a record whose id is stored is ``reconcile``d against the stored deal
  (``model.domain.operations``): the stored deal taken through the operations that lead to the
  record's state, each under its own rules, giving the new deal, its history events and the
  notifications it causes (a decline or expiry tells the sender, R12.2);
- a new record must pass ``creation_violations`` (the creation rules R4–R7 for an outbound
  deal, the invariants for an inbound one);
- every deal written passes the invariants (``change_violations``: none broken that was not already).

Every violation becomes a problem ``record N (id …, 'name'): <field>: <message> (<rule>)``; a
single problem refuses the whole file. Warnings (R6.7's MACC reminder, R8.12's 72 hours) do not
refuse a file: Partner Center already decided those deals.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from model.domain.errors import Violation, refusals
from model.domain.schemas import Deal, Event, Note
from model.services.import_records import Incoming
from model.services.outbox import SENDER_NOTICES, sender_message
from model.store import bulk
from model.store import outbox as outbox_table


@dataclass
class Update:
    stored: Deal
    deal: Deal
    events: list[Event]
    notices: list
    extra: dict           # the Partner Center-only columns of the file's record (mpn_id, pc_extra)


@dataclass
class Plan:
    new: list[bulk.DealRows] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    registrations: int = 0
    problems: list[str] = field(default_factory=list)


def problem(label: str, v: Violation) -> str:
    return f"{label}: {v.field + ': ' if v.field else ''}{v.message} ({v.rule})"


def plan_new(plan: Plan, new: list[tuple[str, bulk.DealRows]], catalogue) -> None:
    """R4–R7 for new deals: each must pass ``creation_violations`` to be stored."""
    from model.domain.creation import creation_violations

    for label, rows in new:
        bad = refusals(creation_violations(bulk.deal_from_rows(rows), catalogue))
        if bad:
            plan.problems += [problem(label, v) for v in bad]
        else:
            plan.new.append(rows)


def _merged_notes(stored: Deal, incoming: Deal, raw: bool) -> list[Note]:
    """Notes are a log (R5): what is stored stays; notes the file adds are appended. A plain
    Partner Center record carries only its latest notes text, so text already logged is not new."""
    have = {(n.at, n.author, n.text) for n in stored.notes}
    texts = {n.text for n in stored.notes} | {"\n".join(n.text for n in stored.notes)}
    extra = [n for n in incoming.notes if (n.at, n.author, n.text) not in have and not (raw and n.text in texts)]
    return list(stored.notes) + extra


def plan_existing(session, plan: Plan, items: list[Incoming], *, now: datetime, user, source: str) -> None:
    """Each stored deal reconciled with its record: the operations, their events and notices."""
    from model.domain.operations import reconcile
    from model.domain.rules.invariants import change_violations

    if not items:
        return
    stored_rows = bulk.load(session, [i.rows.deal["id"] for i in items])
    for item in items:
        rows = stored_rows[item.rows.deal["id"]]
        stored = bulk.deal_from_rows(rows)
        if item.file_version is not None and item.file_version != stored.version and not stored.is_terminal:
            plan.problems.append(f"{item.label}: cosell.version: the deal changed since this file was exported "
                                 f"(file: version {item.file_version}, now: version {stored.version}); export it "
                                 "again and re-apply your change")
            continue
        incoming = bulk.deal_from_rows(item.rows)
        update = {"version": stored.version, "notes": _merged_notes(stored, incoming, item.raw)}
        if item.raw and incoming.expires_at is None and stored.expires_at is not None:
            update["expires_at"] = stored.expires_at  # Partner Center leaves out a deadline it no longer shows
        mpn = item.rows.deal.get("mpn_id")
        if mpn and mpn == rows.deal.get("mpn_id"):
            update["location"] = stored.location  # R1.2: the same location, whatever its name is now
        incoming = incoming.model_copy(update=update)
        result = reconcile(stored, incoming, now=now, user=user, source=source, partner_center=item.raw)
        bad = refusals(result.violations)
        if not bad and result.changed:
            bad = refusals(change_violations(result.deal, stored))
        if bad:
            plan.problems += [problem(item.label, v) for v in bad]
            continue
        extra = {k: item.rows.deal.get(k) for k in bulk.OPTIONAL_DEAL_COLUMNS}
        if not result.changed:
            plan.unchanged += 1  # (its Partner Center-only keys are refreshed with its next change)
            continue
        deal = result.deal.model_copy(update={"version": stored.version + 1})
        if stored.is_terminal:
            plan.registrations += 1  # R10.4: only a won deal's registration may still progress
        plan.updates.append(Update(stored, deal, list(result.events), list(result.notices), extra))


def notice_rows(deal: Deal, notices, now: datetime) -> list[dict]:
    """Outbox rows for a reconcile's notices, worded by ``outbox.sender_message`` like every other
    message to a sender (R8.2, R8.4, R12.2: a decline or an expiry tells whoever sent the deal), and
    shaped by ``model.store.outbox.row`` like every message ``queue`` stores."""
    out = []
    for notice in notices:
        if notice.kind not in SENDER_NOTICES:
            continue
        m = sender_message(deal, notice.kind, now, notice.detail)
        out.append(outbox_table.row(deal_id=m.pop("deal").id, **m))
    return out
