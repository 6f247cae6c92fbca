"""R8–R10 as operations: accept, decline, stages, won, lost, close as error, register, review, expire."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from model.domain.enums import Direction, RegistrationStatus, Status, Substatus
from model.domain.errors import Violation
from model.domain.ops.base import Acting, Notice, Op
from model.domain.reasons import DECLINE_REASONS, ERROR_REASONS, LOST_REASONS, match_reason
from model.domain.rules.deal_fields import money_violations, person_violations
from model.domain.rules.lifecycle import (
    Action, early_win_warning, expire_violations, next_stage, stage_violations,
)
from model.domain.schemas import Deal, Person
from model.domain.stages import Stage, map_crm_stage

_ORDER = {stage: i for i, stage in enumerate(Stage)}


def reason_violations(text: str | None, allowed: tuple[str, ...], notes: str | None, rule: str, *,
                      required: bool = True) -> list[Violation]:
    """A reason from the list (R8.4, R8.11, R8.13); "Other" needs notes saying what."""
    if not (text or "").strip() and not required:
        return []
    chosen = match_reason(text, allowed)
    if chosen is None:
        return [Violation(rule, f"choose a reason: {'; '.join(allowed)}", "reason")]
    if chosen == "Other" and not (notes or "").strip():
        return [Violation(rule, "say in the notes what the other reason is", "notes")]
    return []


def close(deal: Deal, substatus: Substatus, at: Acting, reason: str | None) -> None:
    deal.status = Status.CLOSED
    deal.substatus = substatus
    deal.closed_at = at.now
    deal.status_reason = reason


@dataclass(frozen=True)
class Accept(Op):
    """R8.3: accepting sets name, value, timeframe, notes (optionally CRM/campaign ids, people)."""

    name: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    close_date: date | None = None
    notes: str | None = None
    crm_id: str | None = None
    campaign_id: str | None = None
    team: tuple[Person, ...] = ()

    action = Action.ACCEPT
    event_action = "accept"

    def checks(self, deal, at):
        out = []
        if self.name is not None and not self.name.strip():
            out.append(Violation("R8.3", "a deal name is required", "name"))
        if self.value is not None or self.currency is not None:
            out += money_violations(self.value if self.value is not None else deal.value,
                                    self.currency or deal.currency)
        for i, person in enumerate(self.team):
            out += person_violations(person, f"team[{i}]")
        return out

    def change(self, deal, at):
        deal.status, deal.substatus = Status.ACTIVE, Substatus.ACCEPTED
        deal.stage, deal.accepted_at = Stage.ACCEPTED, at.now
        if self.name is not None:
            deal.name = self.name.strip()
        if self.value is not None:
            deal.value = Decimal(self.value)
        if self.currency:
            deal.currency = self.currency
        if self.close_date is not None:
            deal.close_date = self.close_date
        if self.crm_id is not None:
            deal.crm_id = self.crm_id or None
        if self.campaign_id is not None:
            deal.campaign_id = self.campaign_id or None
        known = {p.email.lower() for p in deal.team}
        deal.team += [p.model_copy() for p in self.team if p.email.lower() not in known]
        at.note(deal, self.notes)


@dataclass(frozen=True)
class Decline(Op):
    """R8.4: a reason from the list, optional notes; archived as declined; the sender is told (R12.2)."""

    reason: str | None = None
    notes: str | None = None

    action = Action.DECLINE
    event_action = "decline"
    verb = "decline"

    @property
    def chosen(self) -> str | None:
        return match_reason(self.reason, DECLINE_REASONS)

    def checks(self, deal, at):
        return reason_violations(self.reason, DECLINE_REASONS, self.notes, "R8.4")

    def change(self, deal, at):
        close(deal, Substatus.DECLINED, at, self.chosen)
        at.note(deal, self.notes)

    def why(self, deal, warnings):
        return self.chosen

    def notices(self, old, new):
        return [Notice("declined", f"Reason: {self.chosen}.")]


@dataclass(frozen=True)
class MarkStage(Op):
    """R8.7–R8.10: mark a sales stage (default: the next unmarked one); CRM words are mapped."""

    stage: Stage | str | None = None

    event_action = "stage"
    verb = "mark the stage"

    def target(self, deal: Deal) -> Stage | None:
        chosen = self.stage
        if isinstance(chosen, str) and not isinstance(chosen, Stage):  # Stage is a str too
            chosen = map_crm_stage(chosen, inbound=deal.direction is Direction.INBOUND)
        return chosen or next_stage(deal)

    def checks(self, deal, at):
        try:
            return stage_violations(deal, self.target(deal))
        except ValueError as exc:
            return [Violation("R8.7", str(exc), "stage")]

    def change(self, deal, at):
        deal.stages_marked = sorted(set(deal.stages_marked) | {self.target(deal)}, key=_ORDER.__getitem__)
        deal.stage = max(deal.stages_marked, key=_ORDER.__getitem__)


@dataclass(frozen=True)
class Won(Op):
    """R8.9 (every stage first), R8.12 (the 72-hour warning is confirmed), R8.11."""

    confirm_early: bool = False

    action = Action.WON
    event_action = "won"

    @property
    def confirmed(self):
        return self.confirm_early

    def checks(self, deal, at):
        warning = early_win_warning(deal, at.now)
        return [warning] if warning else []

    def change(self, deal, at):
        close(deal, Substatus.WON, at, None)
        deal.stage = Stage.WON

    def why(self, deal, warnings):
        if not warnings:
            return None
        return (f"marked won within 72 hours of creation; the registration risk was acknowledged "
                f"({warnings[0].rule})")


@dataclass(frozen=True)
class Lost(Op):
    """R8.11: the outcome, with a reason from the list."""

    reason: str | None = None
    notes: str | None = None

    action = Action.LOST
    event_action = "lost"
    verb = "mark lost"

    def checks(self, deal, at):
        return reason_violations(self.reason, LOST_REASONS, self.notes, "R8.11")

    def change(self, deal, at):
        close(deal, Substatus.LOST, at, match_reason(self.reason, LOST_REASONS))
        at.note(deal, self.notes)

    def why(self, deal, warnings):
        return match_reason(self.reason, LOST_REASONS)


@dataclass(frozen=True)
class CloseAsError(Op):
    """R8.13: at any point of the workflow; the reason is optional, but a given one is from the list."""

    reason: str | None = None
    notes: str | None = None

    action = Action.CLOSE_AS_ERROR
    event_action = "error"
    verb = "close as error"

    def checks(self, deal, at):
        return reason_violations(self.reason, ERROR_REASONS, self.notes, "R8.13", required=False)

    def change(self, deal, at):
        close(deal, Substatus.ERROR, at, match_reason(self.reason, ERROR_REASONS))
        at.note(deal, self.notes)

    def why(self, deal, warnings):
        return match_reason(self.reason, ERROR_REASONS)


@dataclass(frozen=True)
class Register(Op):
    """R10.1–R10.3, R10.5: register a won, eligible deal once the user confirms the contract names
    the company and the eligible solution; validation then shows in the lifecycle (R10.4)."""

    contract_value: Decimal | None = None
    currency: str | None = None
    contract_confirmed: bool = False

    action = Action.REGISTER
    event_action = "register"
    list_all = True

    def checks(self, deal, at):
        out = []
        if self.contract_value is not None or self.currency is not None:
            out += money_violations(self.contract_value if self.contract_value is not None else deal.value,
                                    self.currency or deal.currency, "contract_value", "R10.3")
        if not self.contract_confirmed:
            out.append(Violation("R10.5", "confirm that the contract with the customer clearly names your company "
                                          "and the eligible solution", "contract_confirmed"))
        return out

    def change(self, deal, at):
        reg = deal.registration
        reg.status = RegistrationStatus.REVIEW_PENDING
        reg.submitted_at = reg.submitted_at or at.now
        reg.updated_at = at.now
        reg.message = None
        reg.contract_value = Decimal(self.contract_value) if self.contract_value is not None else deal.value
        reg.currency = self.currency or deal.currency


@dataclass(frozen=True)
class ReviewRegistration(Op):
    """R10.4: Microsoft's validation outcome, recorded by an admin or as Partner Center says."""

    status: RegistrationStatus = RegistrationStatus.NONE
    message: str | None = None

    event_action = "registration"
    verb = "record the validation outcome"

    def checks(self, deal, at):
        if not (at.user.is_admin or at.is_partner_center):
            return [Violation("R1.1", "only a referral admin records Microsoft's validation outcome")]
        if deal.registration.status is RegistrationStatus.NONE:
            return [Violation("R10.4", "the deal is not registered", "registration")]
        if self.status is RegistrationStatus.NONE:
            return [Violation("R10.4", "choose a validation outcome", "status")]
        return []

    def change(self, deal, at):
        deal.registration.status = self.status
        deal.registration.updated_at = at.now
        deal.registration.message = self.message


@dataclass(frozen=True)
class Expire(Op):
    """R8.2: a received deal unanswered for 14 days is archived as expired; the sender is told.
    Partner Center's word that it expired is taken as is (its clock decides, not ours)."""

    reason: str = "No response within 14 days"

    event_action = "expired"
    verb = "expire the deal"

    def checks(self, deal, at):
        if at.is_partner_center:
            return [] if deal.is_received else [Violation("R8.2", "only a received inbound deal expires")]
        return expire_violations(deal, at.now)

    def change(self, deal, at):
        close(deal, Substatus.EXPIRED, at, self.reason)

    def why(self, deal, warnings):
        return f"{self.reason} (R8.2)"

    def notices(self, old, new):
        return [Notice("expired")]


__all__ = ["Accept", "CloseAsError", "Decline", "Expire", "Lost", "MarkStage", "Register", "ReviewRegistration",
           "Won", "close", "reason_violations"]
