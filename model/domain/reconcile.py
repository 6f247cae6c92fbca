"""An imported referral against the deal we already store: the difference as the operations it
amounts to, run through the same rule code as the services (``operations.apply``).

``reconcile(stored, incoming, ...)`` derives the operations (accept, decline, notes, edits, team,
solutions, invitations, Microsoft's answer, upgrade, favorite, stage marks, won/lost/error,
registration), applies them in that order, then checks the invariants from ``stored`` to the
result. Anything the file changes that no operation expresses, or that an operation refuses,
is a violation; with any violation nothing is applied (``deal`` is ``stored``, no events).

What only Partner Center decides is applied as Partner Center says (actor ``PARTNER_CENTER``):
the expiry of a received deal (R8.2), Microsoft's answer to an invitation (R7.3), and the
validation outcome of a registration (R10.4). ``partner_center=True`` marks a record of
Partner Center's own (no ``cosell`` extension): its sales stage implies the earlier stages, so
they are marked before Won, all by Partner Center; otherwise ``stages_marked`` is literal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from model.domain.enums import AccountMatch, AccountTab, MicrosoftStatus, RegistrationStatus, SaleType, Substatus
from model.domain.errors import RuleViolation, Violation
from model.domain.operations import (
    PARTNER_CENTER, Accept, AddNote, AddSolution, AddTeamMember, CloseAsError, Decline, Edit, EditInvitation,
    Expire, InviteMicrosoft, InvitePartner, Lost, MarkStage, MicrosoftRespond, Op, Register, RemoveSolution,
    RemoveTeamMember, ReviewRegistration, SetFavorite, Upgrade, Won, apply,
)
from model.domain.ops.base import Notice
from model.domain.rules.invariants import change_violations, transition_violations
from model.domain.rules.lifecycle import EDITABLE
from model.domain.schemas import Deal, Event, User
from model.domain.stages import Stage, intermediate_for, percent

#: Fields no operation sets from a file; when the file differs there, it is refused.
_CONTENT = ("name", "value", "currency", "close_date", "crm_id", "campaign_id", "partner_role", "partner_program",
            "solution_area", "solution_play", "marketplace_intent", "help_type", "share_with_microsoft",
            "sale_type", "status", "substatus", "microsoft_status", "owns_customer_contract", "sender_name",
            "sender_email", "sender_is_microsoft", "engagement_id", "favorite")
_ORDER = {stage: i for i, stage in enumerate(Stage)}


@dataclass
class Reconciled:
    """The outcome of reconciling one record: accepted when ``violations`` is empty."""

    deal: Deal
    events: list[Event] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    changed: bool = False


def reconcile(stored: Deal, incoming: Deal, *, now: datetime, user: User, source: str,
              partner_center: bool) -> Reconciled:
    """``incoming`` (a referral file's version of ``stored``) as operations, checked by the rules."""
    violations = _forbidden(stored, incoming, partner_center)
    plan, planning_violations = _plan(stored, incoming, partner_center)
    violations += planning_violations
    deal, events, notices = stored, [], []
    for op, by_partner_center in plan:
        actor = PARTNER_CENTER if (by_partner_center or partner_center) else None
        try:
            outcome = apply(deal, op, now=now, user=user, actor=actor)
        except RuleViolation as err:
            violations += err.violations
            continue
        if not outcome.changed:
            continue
        deal = outcome.deal
        events.append(outcome.event.model_copy(update={"reason": f"imported from {source}"}))
        notices += outcome.notices
    if not violations:  # after a refusal the rest would only repeat it
        violations += _unexpressed(deal, incoming)
    violations += change_violations(deal, stored)
    violations = _unique(violations)
    if violations:
        return Reconciled(stored, violations=violations)
    if not events:
        return Reconciled(stored)
    deal = deal.model_copy(update={"version": stored.version + 1, "updated_at": now})
    return Reconciled(deal, events, notices, [], True)


def _unique(violations: list[Violation]) -> list[Violation]:
    seen, out = set(), []
    for v in violations:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


# -- what the file may not change at all ----------------------------------------------------

def _forbidden(stored: Deal, incoming: Deal, partner_center: bool = False) -> list[Violation]:
    """The forbidden transitions of the file's raw values (location, kind, R4.9 customer, stages
    un-marked, back to Received, a moved expiry, a terminal deal changed, notes rewritten, ...)."""
    out = []
    texts = [n.text for n in stored.notes]
    notes = stored.notes + incoming.notes[len(texts):]  # a note is its text: the file may not carry authors
    if [n.text for n in incoming.notes[:len(texts)]] != texts:
        out.append(Violation("R5", "notes are appended, never edited or removed", "notes"))
    customer = incoming.customer
    if customer.match is not stored.customer.match:
        if (customer.match is AccountMatch.MANAGED and stored.customer.source in (AccountTab.OTHER, AccountTab.MANUAL)):
            out.append(Violation("R4.11", "whether the customer is Microsoft-managed is decided by account matching, "
                                          "not by the file", "customer.match"))
        customer = customer.model_copy(update={"match": stored.customer.match})
    keep = {"version", "updated_at", "notes", "id"}
    probe = stored.model_copy(update={
        **{k: getattr(incoming, k) for k in Deal.model_fields if k not in keep}, "customer": customer,
        "notes": notes})
    if partner_center:  # a plain record carries no marks: its stage implies them
        implied = set(_marks(stored.model_copy(update={"stages_marked": []}), incoming, True))
        probe.stages_marked = [s for s in Stage if s in implied | set(incoming.stages_marked)]
    return out + transition_violations(stored, probe)


# -- the operations the difference amounts to --------------------------------------------------

def _plan(stored: Deal, incoming: Deal, partner_center: bool) -> tuple[list[tuple[Op, bool]], list[Violation]]:
    """(operation, decided by Partner Center) in the order they are applied."""
    plan: list[tuple[Op, bool]] = []
    bad: list[Violation] = []
    new_notes = [n.text for n in incoming.notes[len(stored.notes):]]
    target = incoming.substatus
    if stored.is_received and target is not stored.substatus and target not in (Substatus.PENDING,
                                                                                 Substatus.RECEIVED):
        if target is Substatus.DECLINED:
            return [(Decline(incoming.status_reason, "\n\n".join(new_notes) or None), False)], bad
        if target is Substatus.EXPIRED:
            return [(Expire(), True)], bad
        plan.append((Accept(), False))
    elif stored.is_received:
        return plan, bad  # still waiting for an answer: nothing else can change yet (R8.2)
    plan += [(AddNote(text), False) for text in new_notes]
    changes = {k: getattr(incoming, k) for k in EDITABLE - {"customer"} if getattr(incoming, k) != getattr(stored, k)}
    customer = incoming.customer.model_copy(update={"match": stored.customer.match})
    if customer != stored.customer:
        changes["customer"] = customer
    if changes:
        plan.append((Edit(changes, confirm_warnings=True), False))
    plan += _team(stored, incoming) + _solutions(stored, incoming) + _collaboration(stored, incoming)
    if incoming.favorite != stored.favorite:
        plan.append((SetFavorite(incoming.favorite), False))
    plan += [(MarkStage(stage), False) for stage in _marks(stored, incoming, partner_center)]
    plan += _outcome(stored, incoming, new_notes)
    registration, bad_registration = _registration(stored, incoming)
    return plan + registration, bad + bad_registration


def _team(stored: Deal, incoming: Deal) -> list[tuple[Op, bool]]:
    have = {p.email.strip().lower() for p in stored.team}
    want = {p.email.strip().lower() for p in incoming.team}
    adds = [(AddTeamMember(p), False) for p in incoming.team if p.email.strip().lower() not in have]
    removes = [(RemoveTeamMember(p.email), False) for p in stored.team if p.email.strip().lower() not in want]
    return adds + removes


def _solutions(stored: Deal, incoming: Deal) -> list[tuple[Op, bool]]:
    have = {s.solution_id for s in stored.solutions}
    want = {s.solution_id for s in incoming.solutions}
    adds = [(AddSolution(s, confirm_warnings=True), False) for s in incoming.solutions if s.solution_id not in have]
    removes = [(RemoveSolution(s.solution_id, confirm_warnings=True), False)
               for s in stored.solutions if s.solution_id not in want]
    return adds + removes


def _collaboration(stored: Deal, incoming: Deal) -> list[tuple[Op, bool]]:
    """Invitations sent, invitations edited, Microsoft invited or answering, an upgrade."""
    out: list[tuple[Op, bool]] = []
    known = {i.invitation_id: i for i in stored.invitations}
    for inv in incoming.invitations:
        before = known.get(inv.invitation_id)
        if before is None and not inv.is_microsoft:
            out.append((InvitePartner(inv), False))
        elif before is not None:
            changes = {k: getattr(inv, k) for k in ("notes", "help_type", "close_date", "value", "currency",
                                                    "solutions", "team") if getattr(inv, k) != getattr(before, k)}
            if changes and not inv.is_microsoft:
                out.append((EditInvitation(inv.invitation_id, changes), False))
    was, now = stored.microsoft_status, incoming.microsoft_status
    if now is MicrosoftStatus.INVITED and was in (MicrosoftStatus.NOT_INVITED, MicrosoftStatus.DECLINED):
        ms = next((i for i in reversed(incoming.invitations) if i.is_microsoft), None)
        out.append((InviteMicrosoft(incoming.help_type, ms.notes if ms else None,
                                    upgrading=stored.sale_type is SaleType.PRIVATE), False))
    elif was is MicrosoftStatus.INVITED and now in (MicrosoftStatus.ACCEPTED, MicrosoftStatus.DECLINED,
                                                    MicrosoftStatus.WON):
        out.append((MicrosoftRespond(accepted=now is MicrosoftStatus.ACCEPTED, won=now is MicrosoftStatus.WON), True))
    if (stored.sale_type is SaleType.PRIVATE and incoming.sale_type is SaleType.PARTNER_LED
            and incoming.share_with_microsoft):
        out.append((Upgrade(SaleType.PARTNER_LED), False))
    return out


def _marks(stored: Deal, incoming: Deal, partner_center: bool) -> list[Stage]:
    """The stages to mark, in order. A plain Partner Center record's stage implies every earlier one."""
    track = intermediate_for(stored.is_assessment)
    want = set(incoming.stages_marked)
    if partner_center:
        reached = 100 if incoming.substatus is Substatus.WON else percent(incoming.stage)
        want |= {s for s in track if percent(s) <= reached}
    return [s for s in track if s in want and s not in stored.stages_marked]


def _outcome(stored: Deal, incoming: Deal, new_notes: list[str]) -> list[tuple[Op, bool]]:
    if incoming.substatus is stored.substatus:
        return []
    if incoming.substatus is Substatus.WON:
        return [(Won(confirm_early=True), False)]
    if incoming.substatus is Substatus.LOST:
        return [(Lost(incoming.status_reason), False)]
    if incoming.substatus is Substatus.ERROR:
        return [(CloseAsError(incoming.status_reason), False)]
    if incoming.substatus is Substatus.DECLINED:
        return [(Decline(incoming.status_reason), False)]  # refused: only a received deal is declined
    if incoming.substatus is Substatus.EXPIRED:
        return [(Expire(), True)]  # refused: only a received deal expires
    return []


def _registration(stored: Deal, incoming: Deal) -> tuple[list[tuple[Op, bool]], list[Violation]]:
    """Registering (ours, R10.3; the contract confirmation R10.5 was given in Partner Center) and its
    validation outcome (Partner Center's, R10.4). An outcome for a deal never registered is refused."""
    was, now = stored.registration.status, incoming.registration.status
    if was is now:
        return [], []
    reg = incoming.registration
    if now is RegistrationStatus.REVIEW_PENDING and was in (RegistrationStatus.NONE,
                                                            RegistrationStatus.ACTION_REQUIRED):
        return [(Register(reg.contract_value, reg.currency, contract_confirmed=True), False)], []
    if was is RegistrationStatus.NONE:
        register = Register(reg.contract_value, reg.currency, contract_confirmed=True)
        return [(register, False)], [Violation("R10.4", f"the file says the registration is {now.label.lower()}, "
                                                        "but the deal was never registered", "registration")]
    if now is RegistrationStatus.NONE:
        return [], [Violation("R10.4", "a registration is never withdrawn", "registration")]
    return [(ReviewRegistration(now, reg.message), True)], []


def _unexpressed(final: Deal, incoming: Deal) -> list[Violation]:
    """What the file changes that no operation made so (a sale type without an invitation, ...)."""
    out = []
    for key in _CONTENT:
        if getattr(final, key) != getattr(incoming, key):
            out.append(Violation("R8.6", f"{key.replace('_', ' ')} cannot change from {getattr(final, key)!s} to "
                                         f"{getattr(incoming, key)!s} by import", key))
    return out
