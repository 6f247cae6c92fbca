"""R8–R10 actions: accept, decline, stages, won, lost, close as error, register, expire.

Each is one operation of ``model.domain.operations`` carried out by ``mutate``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from weakref import WeakKeyDictionary

from model.domain.enums import Direction, RegistrationStatus
from model.domain.operations import (
    Accept, CloseAsError, Decline, Expire, Lost, MarkStage, Register, ReviewRegistration, Won, apply, violations_of,
)
from model.domain.errors import ConflictError, RuleViolation
from model.domain.rules.invariants import change_violations
from model.domain.rules.lifecycle import MICROSOFT_WINDOW, microsoft_window
from model.domain.schemas import RECEIVED_SUBSTATUSES, Deal, Person
from model.domain.stages import Stage
from model.services._tx import mutate, store_outcome
from model.services.context import Ctx
from model.services.outbox import SENDER_NOTICES, deliver, notify_team, team_key, team_recipients
from model.store import bulk, repo
from model.store import outbox as outbox_table
from model.store import sweep as sweep_store


def accept(ctx: Ctx, deal_id: str, *, version: int | None = None, name: str | None = None,
           value: Decimal | None = None, currency: str | None = None, close_date: date | None = None,
           notes: str | None = None, crm_id: str | None = None, campaign_id: str | None = None,
           team: list[Person] | None = None) -> Deal:
    """R8.3: accepting sets name, value, timeframe, notes (optionally CRM/campaign ids, people)."""
    return mutate(ctx, deal_id, Accept(name, value, currency, close_date, notes, crm_id, campaign_id,
                                       tuple(team or ())), version=version)


def decline(ctx: Ctx, deal_id: str, reason: str, *, notes: str | None = None, version: int | None = None) -> Deal:
    """R8.4: a reason from the list, optional notes; archived as declined; the sender is told."""
    return mutate(ctx, deal_id, Decline(reason, notes), version=version)


def mark_stage(ctx: Ctx, deal_id: str, stage: Stage | str | None = None, *, version: int | None = None) -> Deal:
    """R8.7–R8.9: mark a sales stage (default: the next unmarked one)."""
    return mutate(ctx, deal_id, MarkStage(stage), version=version)


def won(ctx: Ctx, deal_id: str, *, version: int | None = None, confirm_early: bool = False) -> Deal:
    """R8.9 (every stage first), R8.12 (72-hour warning must be acknowledged), R8.11."""
    return mutate(ctx, deal_id, Won(confirm_early), version=version)


def lost(ctx: Ctx, deal_id: str, reason: str, *, notes: str | None = None, version: int | None = None) -> Deal:
    """R8.11: the outcome, with a reason from the list."""
    return mutate(ctx, deal_id, Lost(reason, notes), version=version)


def close_as_error(ctx: Ctx, deal_id: str, reason: str | None = None, *, notes: str | None = None,
                   version: int | None = None) -> Deal:
    """R8.13: at any point of the workflow; a reason is optional (a given one is from the list)."""
    return mutate(ctx, deal_id, CloseAsError(reason, notes), version=version)


def register(ctx: Ctx, deal_id: str, *, contract_value: Decimal | None = None, currency: str | None = None,
             version: int | None = None, contract_confirmed: bool = False) -> Deal:
    """R10.1–R10.3, R10.5: register a won, eligible deal once the user confirms the contract names the
    company and the eligible solution; validation then shows in the lifecycle (R10.4)."""
    return mutate(ctx, deal_id, Register(contract_value, currency, contract_confirmed), version=version)


def review_registration(ctx: Ctx, deal_id: str, status: RegistrationStatus, message: str | None = None,
                        *, version: int | None = None) -> Deal:
    """R10.4: Microsoft's validation outcome (recorded by an admin, or by import)."""
    return mutate(ctx, deal_id, ReviewRegistration(status, message), version=version)


# -- R8.2 the expiry sweep, R7.3 Microsoft's lapsed window ---------------------------------------

@dataclass(frozen=True)
class Named:
    name: str


@dataclass(frozen=True)
class ExpiredDeal:
    """A deal the sweep expired, as the faces report it (who sent it is told: R8.2, R12.2)."""

    id: str
    name: str
    customer: Named
    sender_name: str | None
    sender_email: str | None
    expires_at: datetime | None
    version: int

    @classmethod
    def of(cls, deal: Deal) -> "ExpiredDeal":
        return cls(deal.id, deal.name, Named(deal.customer.name), deal.sender_name, deal.sender_email,
                   deal.expires_at, deal.version)


_SWEEPER = "sweep"  # the deals' ``updated_by``; the history names who ran it: "sweep (login)"
_DIRECTION = Direction.INBOUND.value
_RECEIVED = tuple(sorted(s.value for s in RECEIVED_SUBSTATUSES))


def sweep(ctx: Ctx) -> list[ExpiredDeal]:
    """R8.2: expire every received inbound deal whose 14 days are over, and notify the senders;
    R7.3: tell a deal's people once when Microsoft let its 14-day window lapse.

    Housekeeping for cron, so it sees every deal regardless of the caller's scope (on PostgreSQL
    the server's row-level security still limits a referral user's sweep to their own deals).
    One write transaction for all the expiries (one change-counter bump), set-based: the domain
    decides on one real deal of each kind (``model.store.sweep``) and on every due deal's own
    dates, the history events and the senders' messages (worded by ``services.outbox``, as for
    one deal) go in with a few statements, and ``expire_one_by_one`` is the reference it must
    match field by field (tests/integration/test_sweep_bulk.py). Returns what it expired, soonest
    due first.
    """
    now = ctx.now()
    with ctx.store.read() as session:
        anything_due = sweep_store.any_due(session, now, _DIRECTION, _RECEIVED)
    expired: list[ExpiredDeal] = []
    if anything_due:
        with ctx.store.write() as session, bulk.big_cache(session), outbox_table.batched(session):
            expired = _expire_due(ctx, session, now)
    _remind_lapsed_windows(ctx, now)
    return expired


def _expire_due(ctx: Ctx, session, now: datetime) -> list[ExpiredDeal]:
    """Inside the sweep's transaction: due deals by kind, each kind set-based if its sample's
    outcome can be written that way, else deal by deal."""
    op, actor = Expire(), f"sweep ({ctx.user.login})"
    kinds: dict[tuple, list[dict]] = defaultdict(list)
    for row in sweep_store.due(session, now, _DIRECTION, _RECEIVED):
        kinds[sweep_store.signature(row)].append(row)
    out: list[ExpiredDeal] = []
    for rows in kinds.values():
        rec = repo.load_record(session, rows[0]["id"])
        sample = repo.to_deal(rec)
        try:
            outcome = apply(sample, op, now=now, user=ctx.user, actor=actor)
        except RuleViolation:
            outcome = None
        p = None
        # The invariants checked on the sample hold for its whole kind, except R10.1's, which reads
        # each deal's own value at the month it closes: a kind with a registration goes deal by deal.
        if (outcome is not None and outcome.changed and not change_violations(outcome.deal, sample)
                and sample.registration.status is RegistrationStatus.NONE
                and all(n.kind in SENDER_NOTICES for n in outcome.notices)):
            p = sweep_store.plan(sample, outcome.deal, old_actor=rec.updated_by, actor=_SWEEPER)
        if p is None:  # an outcome a set-based write cannot reproduce: deal by deal, as the reference does
            out.extend(_expire_each(ctx, session, [r["id"] for r in rows], now, actor))
            continue
        out.extend(_expire_kind(ctx, session, rows, sample, outcome, p, now, actor))
    return sorted(out, key=lambda d: (d.expires_at, d.id))


def _expire_kind(ctx: Ctx, session, rows: list[dict], sample: Deal, outcome, p, now: datetime,
                 actor: str) -> list[ExpiredDeal]:
    """Every due deal of one kind: the domain's decision per deal (on its own dates), one
    set-based write of the sample's outcome, its event and the sender's message per deal."""
    op = Expire()
    # Scratch copies, private to this function, whose fields are set in place deal after deal (no
    # validation, as ``validate_assignment`` is off anyway): the kind's values, each deal's own dates.
    probe = sample.model_copy()
    ready = []
    for r in rows:
        probe.__dict__["expires_at"] = r["expires_at"]
        if not violations_of(probe, op, now=now, user=ctx.user, actor=actor):
            ready.append(r)
    written = set(sweep_store.expire(session, ready, p, now=now, direction=_DIRECTION, substatuses=_RECEIVED))
    done = [r for r in ready if r["id"] in written]
    event = outcome.event
    changes = {"substatus": [sample.substatus.value, outcome.deal.substatus.value]}
    bulk.insert_events(session, [{"deal_id": r["id"], "at": event.at, "actor": event.actor, "action": event.action,
                                  "changes": changes, "reason": event.reason} for r in done])
    # Each message is worded from the deal's own name, customer and sender (R8.2, R12.2): the
    # outcome's deal with those of each deal in turn (``deliver`` reads them and keeps nothing).
    told = outcome.deal.model_copy()
    told.customer = customer = told.customer.model_copy()
    out = []
    for r in done:
        customer.__dict__["name"] = r["customer_name"]
        told.__dict__.update(id=r["id"], name=r["name"], sender_name=r["sender_name"], sender_email=r["sender_email"],
                             sender_is_microsoft=bool(r["sender_is_microsoft"]), expires_at=r["expires_at"],
                             version=r["version"] + 1)
        deliver(session, told, outcome.notices, event.at)
        out.append(ExpiredDeal(r["id"], r["name"], Named(r["customer_name"]), r["sender_name"], r["sender_email"],
                               r["expires_at"], r["version"] + 1))  # ``ExpiredDeal.of(told)``, from the row
    return out


def _expire_each(ctx: Ctx, session, ids: list[str], now: datetime, actor: str) -> list[ExpiredDeal]:
    """The reference path, one deal at a time: load, ``Expire``, invariants, write, event, message."""
    out = []
    for deal_id in ids:
        rec = repo.load_record(session, deal_id)
        deal = repo.to_deal(rec)
        try:
            outcome = apply(deal, Expire(), now=now, user=ctx.user, actor=actor)
            outcome.event.changes = {"substatus": [deal.substatus.value, outcome.deal.substatus.value]}
            out.append(ExpiredDeal.of(store_outcome(session, rec, deal, outcome, actor=_SWEEPER,
                                                    verb="expire the deal")))
        except (RuleViolation, ConflictError):
            continue  # someone answered it meanwhile (nothing was written)
    return out


def expire_one_by_one(ctx: Ctx) -> list[ExpiredDeal]:
    """The sweep's expiries as they were done before the set-based path: a transaction per deal.
    Kept as the reference ``sweep`` must match field by field, and as the benchmark's baseline (B11)."""
    now = ctx.now()
    with ctx.store.read() as session:
        due = [r["id"] for r in sweep_store.due(session, now, _DIRECTION, _RECEIVED)]
    out = []
    for deal_id in due:
        with ctx.store.write() as session:
            out.extend(_expire_each(ctx, session, [deal_id], now, f"sweep ({ctx.user.login})"))
    return out


#: Per store and login: (change counter, next lapse) of the last look that found nobody left to
#: tell. Until something is written or another deal's window lapses, nobody new can be left, so
#: an open dashboard's sweep every tick reads one number instead of every lapsed deal's team
#: (thousands at 100k deals: a tenth of a second of the event loop's time each tick).
_NOBODY_LEFT: WeakKeyDictionary = WeakKeyDictionary()


def _remind_lapsed_windows(ctx: Ctx, now: datetime) -> None:
    """R7.3: one message per person when Microsoft let a deal's 14-day window lapse (the deal stays
    open). Only deals with someone not yet told are loaded, all in one transaction."""
    cutoff = now - MICROSOFT_WINDOW
    with ctx.store.read() as session:
        counter = ctx.store.counter_in(session)
        quiet = _NOBODY_LEFT.get(ctx.store, {}).get(ctx.user.login)
        if quiet is not None and quiet[0] == counter and (quiet[1] is None or cutoff < quiet[1]):
            return
        lapsing = repo.microsoft_invited_before(session, cutoff)
        todo = sweep_store.untold(session, lapsing, "microsoft_window", recipients=team_recipients,
                                  key=lambda deal_id, email: team_key("microsoft_window", deal_id, email))
        if not todo:
            _NOBODY_LEFT.setdefault(ctx.store, {})[ctx.user.login] = (counter,
                                                                      repo.next_microsoft_lapse(session, cutoff))
            return
    with ctx.store.write() as session, outbox_table.batched(session):
        for rows in bulk.load(session, todo).values():
            deal = bulk.deal_from_rows(rows)
            window = microsoft_window(deal, now)
            if window and window[1]:
                notify_team(session, deal, "microsoft_window",
                            f"Microsoft did not join {deal.name!r} within 14 days",
                            f"Microsoft was invited to {deal.name!r} on {deal.microsoft_invited_at:%Y-%m-%d} and has "
                            "not answered within its 14-day window (R7.3). The deal stays open; you can go on alone.",
                            now, "microsoft_window")
