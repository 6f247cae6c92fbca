"""R8–R10 actions: accept, decline, stages, won, lost, close as error, register, expire.

Each is one operation of ``model.domain.operations`` carried out by ``mutate``.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from model.domain.enums import RegistrationStatus
from model.domain.operations import (
    Accept, CloseAsError, Decline, Expire, Lost, MarkStage, Register, ReviewRegistration, Won, apply,
)
from model.domain.errors import RuleViolation
from model.domain.rules.lifecycle import MICROSOFT_WINDOW, microsoft_window
from model.domain.schemas import Deal, Person
from model.domain.stages import Stage
from model.services._tx import mutate, store_outcome
from model.services.context import Ctx
from model.services.outbox import notify_team
from model.store import repo


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


def sweep(ctx: Ctx) -> list[Deal]:
    """R8.2: expire every received inbound deal whose 14 days are over, and notify the senders.

    Housekeeping for cron, so it sees every deal regardless of the caller's scope.
    """
    now = ctx.now()
    expired: list[Deal] = []
    with ctx.store.read() as session:
        due = repo.received_due(session, now)
        lapsing = repo.microsoft_invited_before(session, now - MICROSOFT_WINDOW)
    for deal_id in due:
        with ctx.store.write() as session:
            rec = repo.load_record(session, deal_id)
            deal = repo.to_deal(rec)
            try:
                outcome = apply(deal, Expire(), now=now, user=ctx.user, actor=f"sweep ({ctx.user.login})")
                outcome.event.changes = {"substatus": [deal.substatus.value, outcome.deal.substatus.value]}
                expired.append(store_outcome(session, rec, deal, outcome, actor="sweep", verb="expire the deal"))
            except RuleViolation:
                continue  # someone answered it meanwhile (nothing was written)
    for deal_id in lapsing:
        with ctx.store.write() as session:
            deal = repo.to_deal(repo.load_record(session, deal_id))
            window = microsoft_window(deal, now)
            if window and window[1]:
                notify_team(session, deal, "microsoft_window",
                            f"Microsoft did not join {deal.name!r} within 14 days",
                            f"Microsoft was invited to {deal.name!r} on {deal.microsoft_invited_at:%Y-%m-%d} and has "
                            "not answered within its 14-day window (R7.3). The deal stays open; you can go on alone.",
                            now, "microsoft_window")
    return expired
