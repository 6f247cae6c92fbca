"""R8–R10 actions: accept, decline, stages, won, lost, close as error, register, expire."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from model.domain.enums import RegistrationStatus, Status, Substatus
from model.domain.errors import RuleViolation, Violation
from model.domain.reasons import DECLINE_REASONS, ERROR_REASONS, LOST_REASONS, match_reason
from model.domain.rules.deal_fields import money_violations, person_violations
from model.domain.rules.lifecycle import (
    Action, early_win_warning, expire_violations, next_stage, stage_violations,
)
from model.domain.schemas import Deal, Note, Person
from model.services._tx import mutate
from model.services.context import Ctx
from model.services.outbox import notify_sender
from model.domain.stages import Stage
from model.store import repo
from model.store.tables import DealRecord


def _reason(text: str | None, allowed: tuple[str, ...], notes: str | None, rule: str, what: str) -> str:
    chosen = match_reason(text, allowed)
    if chosen is None:
        raise RuleViolation(Violation(rule, f"choose a reason: {'; '.join(allowed)}", "reason"), what)
    if chosen == "Other" and not (notes or "").strip():
        raise RuleViolation(Violation(rule, "say in the notes what the other reason is", "notes"), what)
    return chosen


def _note(deal: Deal, ctx: Ctx, text: str | None) -> None:
    if text and text.strip():
        deal.notes.append(Note(at=ctx.now(), author=ctx.user.login, text=text.strip()))


def _close(deal: Deal, substatus: Substatus, ctx: Ctx, reason: str | None) -> None:
    deal.status = Status.CLOSED
    deal.substatus = substatus
    deal.closed_at = ctx.now()
    deal.status_reason = reason


def accept(ctx: Ctx, deal_id: str, *, version: int | None = None, name: str | None = None,
           value: Decimal | None = None, currency: str | None = None, close_date: date | None = None,
           notes: str | None = None, crm_id: str | None = None, campaign_id: str | None = None,
           team: list[Person] | None = None) -> Deal:
    """R8.3: accepting sets name, value, timeframe, notes (optionally CRM/campaign ids, people)."""

    def checks(deal: Deal) -> list[Violation]:
        out = []
        if name is not None and not name.strip():
            out.append(Violation("R8.3", "a deal name is required", "name"))
        if value is not None or currency is not None:
            out += money_violations(value if value is not None else deal.value, currency or deal.currency)
        for i, person in enumerate(team or []):
            out += person_violations(person, f"team[{i}]")
        return out

    def change(deal: Deal) -> None:
        now = ctx.now()
        deal.status, deal.substatus = Status.ACTIVE, Substatus.ACCEPTED
        deal.stage, deal.accepted_at = Stage.ACCEPTED, now
        if name is not None:
            deal.name = name.strip()
        if value is not None:
            deal.value = Decimal(value)
        if currency:
            deal.currency = currency
        if close_date is not None:
            deal.close_date = close_date
        if crm_id is not None:
            deal.crm_id = crm_id or None
        if campaign_id is not None:
            deal.campaign_id = campaign_id or None
        known = {p.email.lower() for p in deal.team}
        deal.team += [p for p in (team or []) if p.email.lower() not in known]
        _note(deal, ctx, notes)

    return mutate(ctx, deal_id, Action.ACCEPT, change, version=version, extra_checks=checks)


def decline(ctx: Ctx, deal_id: str, reason: str, *, notes: str | None = None, version: int | None = None) -> Deal:
    """R8.4: a reason from the list, optional notes; archived as declined; the sender is told."""
    chosen = _reason(reason, DECLINE_REASONS, notes, "R8.4", "decline")

    def change(deal: Deal) -> None:
        _close(deal, Substatus.DECLINED, ctx, chosen)
        _note(deal, ctx, notes)

    return mutate(ctx, deal_id, Action.DECLINE, change, version=version, reason=chosen,
                  after=lambda s, old, new: notify_sender(s, new, "declined", ctx.now(), f"Reason: {chosen}."))


def mark_stage(ctx: Ctx, deal_id: str, stage: Stage | str | None = None, *, version: int | None = None) -> Deal:
    """R8.7–R8.9: mark a sales stage (default: the next unmarked one)."""
    target: list[Stage | None] = []

    def checks(deal: Deal) -> list[Violation]:
        chosen = stage
        if isinstance(chosen, str) and not isinstance(chosen, Stage):  # Stage is a str too
            from model.domain.stages import map_crm_stage

            try:
                chosen = map_crm_stage(chosen, inbound=deal.direction.value == "Incoming")
            except ValueError as exc:
                return [Violation("R8.7", str(exc), "stage")]
        chosen = chosen or next_stage(deal)
        target.append(chosen)
        return stage_violations(deal, chosen)

    def change(deal: Deal) -> None:
        chosen = target[0]
        deal.stages_marked = sorted(set(deal.stages_marked) | {chosen}, key=_order)
        deal.stage = max(deal.stages_marked, key=_order)

    return mutate(ctx, deal_id, None, change, version=version, event_action="stage", extra_checks=checks)


def _order(stage: Stage) -> int:
    return list(Stage).index(stage)


def won(ctx: Ctx, deal_id: str, *, version: int | None = None, confirm_early: bool = False) -> Deal:
    """R8.9 (every stage first), R8.12 (72-hour warning must be acknowledged), R8.11."""

    acknowledged: list[str] = []

    def checks(deal: Deal) -> list[Violation]:
        warning = early_win_warning(deal, ctx.now())
        if warning and not confirm_early:
            return [warning]
        if warning:
            acknowledged.append(f"marked won within 72 hours of creation; the registration risk was acknowledged "
                                f"({warning.rule})")
        return []

    def change(deal: Deal) -> None:
        _close(deal, Substatus.WON, ctx, None)
        deal.stage = Stage.WON

    return mutate(ctx, deal_id, Action.WON, change, version=version, extra_checks=checks,
                  reason=lambda: acknowledged[0] if acknowledged else None)


def lost(ctx: Ctx, deal_id: str, reason: str, *, notes: str | None = None, version: int | None = None) -> Deal:
    chosen = _reason(reason, LOST_REASONS, notes, "R8.11", "mark lost")

    def change(deal: Deal) -> None:
        _close(deal, Substatus.LOST, ctx, chosen)
        _note(deal, ctx, notes)

    return mutate(ctx, deal_id, Action.LOST, change, version=version, reason=chosen)


def close_as_error(ctx: Ctx, deal_id: str, reason: str, *, notes: str | None = None,
                   version: int | None = None) -> Deal:
    """R8.13: at any point of the workflow, with a reason; the deal moves to Error."""
    chosen = _reason(reason, ERROR_REASONS, notes, "R8.13", "close as error")

    def change(deal: Deal) -> None:
        _close(deal, Substatus.ERROR, ctx, chosen)
        _note(deal, ctx, notes)

    return mutate(ctx, deal_id, Action.CLOSE_AS_ERROR, change, version=version, reason=chosen)


def register(ctx: Ctx, deal_id: str, *, contract_value: Decimal | None = None, currency: str | None = None,
             version: int | None = None) -> Deal:
    """R10.1–R10.3: register a won, eligible deal; validation then shows in the lifecycle (R10.4)."""

    def checks(deal: Deal) -> list[Violation]:
        if contract_value is None and currency is None:
            return []
        return money_violations(contract_value if contract_value is not None else deal.value,
                                currency or deal.currency, "contract_value", "R10.3")

    def change(deal: Deal) -> None:
        now = ctx.now()
        deal.registration.status = RegistrationStatus.REVIEW_PENDING
        deal.registration.submitted_at = deal.registration.submitted_at or now
        deal.registration.updated_at = now
        deal.registration.message = None
        deal.registration.contract_value = Decimal(contract_value) if contract_value is not None else deal.value
        deal.registration.currency = currency or deal.currency

    return mutate(ctx, deal_id, Action.REGISTER, change, version=version, extra_checks=checks)


def review_registration(ctx: Ctx, deal_id: str, status: RegistrationStatus, message: str | None = None,
                        *, version: int | None = None) -> Deal:
    """R10.4: Microsoft's validation outcome (recorded by an admin, or by import)."""

    def checks(deal: Deal) -> list[Violation]:
        if not ctx.user.is_admin:
            return [Violation("R1.1", "only a referral admin records Microsoft's validation outcome")]
        if deal.registration.status is RegistrationStatus.NONE:
            return [Violation("R10.4", "the deal is not registered")]
        if status is RegistrationStatus.NONE:
            return [Violation("R10.4", "choose a validation outcome", "status")]
        return []

    def change(deal: Deal) -> None:
        deal.registration.status = status
        deal.registration.updated_at = ctx.now()
        deal.registration.message = message

    return mutate(ctx, deal_id, None, change, version=version, event_action="registration", extra_checks=checks)


def sweep(ctx: Ctx) -> list[Deal]:
    """R8.2: expire every received inbound deal whose 14 days are over, and notify the senders.

    Housekeeping for cron, so it sees every deal regardless of the caller's scope.
    """
    from model.domain.rules.lifecycle import MICROSOFT_WINDOW, microsoft_window
    from model.services.outbox import notify_team

    now = ctx.now()
    expired: list[Deal] = []
    with ctx.store.read() as session:
        due = session.scalars(
            select(DealRecord.id).where(DealRecord.substatus.in_(("Received", "Pending")),
                                        DealRecord.expires_at <= now)
        ).all()
        lapsing = session.scalars(
            select(DealRecord.id).where(DealRecord.microsoft_status == "invited", DealRecord.tab != "closed",
                                        DealRecord.microsoft_invited_at <= now - MICROSOFT_WINDOW)
        ).all()
    for deal_id in due:
        with ctx.store.write() as session:
            rec = session.get(DealRecord, deal_id)
            deal = repo.to_deal(rec)
            if expire_violations(deal, now):
                continue  # someone answered it meanwhile
            new = deal.model_copy(deep=True)
            _close(new, Substatus.EXPIRED, ctx, "No response within 14 days")
            new.updated_at = now
            repo.write_deal(session, new, rec, actor="sweep")
            from model.domain.schemas import Event

            repo.add_event(session, deal.id, Event(at=now, actor=f"sweep ({ctx.user.login})", action="expired",
                                                   changes={"substatus": ["Received", "Expired"]},
                                                   reason="No response within 14 days (R8.2)"))
            notify_sender(session, new, "expired", now)
            expired.append(repo.to_deal(rec))
    for deal_id in lapsing:
        with ctx.store.write() as session:
            deal = repo.to_deal(session.get(DealRecord, deal_id))
            window = microsoft_window(deal, now)
            if window and window[1]:
                notify_team(session, deal, "microsoft_window",
                            f"Microsoft did not join {deal.name!r} within 14 days",
                            f"Microsoft was invited to {deal.name!r} on {deal.microsoft_invited_at:%Y-%m-%d} and has "
                            "not answered within its 14-day window (R7.3). The deal stays open; you can go on alone.",
                            now, "microsoft_window")
    return expired
