"""What is true of every stored deal, and of every change to one, whoever makes it.

The action rules (``lifecycle``, ``deal_fields``) say what a *user action* may do; these
say what a *deal* may be, so a change that arrives another way (an import, a bug in a
service) is held to the same rules page. ``invariant_violations(deal)`` lists every
invariant the deal breaks; with ``before`` it also lists every forbidden transition.

The stored ``tab`` column is derived from direction and substatus by the codec and
``Deal.tab`` is computed the same way, so "the tab follows the status" holds by
construction and is not checked here.
"""
from __future__ import annotations

from datetime import datetime

from model.domain.enums import (
    AccountTab, DealKind, Direction, InvitationStatus, MicrosoftStatus, RegistrationStatus, SaleType, Status,
    Substatus,
)
from model.domain.errors import Violation, refusals
from model.domain.rules.deal_fields import assessment_violations, solution_choice_violations
from model.domain.rules.lifecycle import terminal_violations
from model.domain.schemas import RECEIVED_SUBSTATUSES, Deal, Person
from model.domain.stages import Stage, intermediate_for, stages_for

#: R8.1 + R9: which substatus belongs to which status.
SUBSTATUSES = {
    Status.NEW: frozenset(RECEIVED_SUBSTATUSES),
    Status.ACTIVE: frozenset({Substatus.ACCEPTED}),
    Status.CLOSED: frozenset({Substatus.WON, Substatus.LOST, Substatus.DECLINED, Substatus.EXPIRED,
                              Substatus.ERROR}),
}
#: R8.2: only a deal sent to us waits for an answer, is declined or expires.
INBOUND_ONLY = frozenset({Substatus.PENDING, Substatus.RECEIVED, Substatus.DECLINED, Substatus.EXPIRED})
#: R7.5 and R7.3/R7.4: the sale type only moves forward, by upgrading or inviting.
SALE_TYPE_STEPS = {
    (SaleType.PRIVATE, SaleType.PARTNER_LED), (SaleType.PRIVATE, SaleType.CO_SELL), (SaleType.PRIVATE, SaleType.P2P),
    (SaleType.PARTNER_LED, SaleType.CO_SELL), (SaleType.PARTNER_LED, SaleType.P2P), (SaleType.P2P, SaleType.CO_SELL),
}
#: R7.4: what the inviter cannot change on an invitation once it is sent.
INVITATION_FROZEN = ("close_date", "value", "currency", "solutions", "team")
#: What may still change on a terminal deal: nothing but these (R9.1), and a won deal's registration (R10.4).
_TERMINAL_FREE = {"version", "updated_at", "favorite"}
_ORDER = {stage: i for i, stage in enumerate(Stage)}


def invariant_violations(deal: Deal, before: Deal | None = None) -> list[Violation]:
    """Every invariant ``deal`` breaks; with ``before``, also every forbidden step from it."""
    out = (_status(deal) + _stages(deal) + _kind(deal) + _customer(deal) + _team(deal)
           + _registration(deal))
    if before is not None:
        out += transition_violations(before, deal)
    return out


def change_violations(after: Deal, before: Deal) -> list[Violation]:
    """What a change from ``before`` to ``after`` breaks: every forbidden step, and every invariant
    ``after`` breaks that ``before`` did not already break. A deal stored before a rule existed
    can still be worked on (closed as error, say); no change can make it worse."""
    had = set(invariant_violations(before))
    return [v for v in invariant_violations(after, before=before) if v not in had]


# -- the deal itself ----------------------------------------------------------------------

def _status(deal: Deal) -> list[Violation]:
    out = []
    if deal.substatus not in SUBSTATUSES[deal.status]:
        out.append(Violation("R8.1", f"status {deal.status.value} cannot have substatus {deal.substatus.value}",
                             "substatus"))
    if deal.direction is Direction.OUTBOUND and deal.substatus in INBOUND_ONLY:
        out.append(Violation("R8.2", f"an outbound deal is never {deal.substatus.value.lower()}: only a deal sent "
                                     "to us is received, declined or expired", "substatus"))
    return out


def _stages(deal: Deal) -> list[Violation]:
    out = []
    track = intermediate_for(deal.is_assessment)
    stray = [s for s in deal.stages_marked if s not in track]
    if stray:
        out.append(Violation("R8.7", "not stages of this deal: " + ", ".join(s.value for s in stray), "stages_marked"))
    if deal.stage not in {info.stage for info in stages_for(deal.is_assessment)}:
        out.append(Violation("R8.7", f"{deal.stage.value} is not a stage of this deal", "stage"))
    if (deal.stage is Stage.WON) != (deal.substatus is Substatus.WON):
        out.append(Violation("R8.11", f"stage {deal.stage.value} does not fit substatus {deal.substatus.value}",
                             "stage"))
    above = [s for s in deal.stages_marked if _ORDER[s] > _ORDER[deal.stage]]
    if above:
        out.append(Violation("R8.7", f"stage {deal.stage.value} is below marked stage {above[-1].value}", "stage"))
    if deal.substatus is Substatus.WON:
        missing = [s for s in track if s not in deal.stages_marked]
        if missing:
            out.append(Violation("R8.9", "a won deal has every earlier stage marked; not marked: "
                                         + ", ".join(s.value for s in missing), "stages_marked"))
    return out


def _kind(deal: Deal) -> list[Violation]:
    out = assessment_violations(deal.is_assessment, deal.solutions)  # R6.6, as the draft rules state it
    if deal.is_assessment:
        if deal.sale_type is not None:
            out.append(Violation("R2.4", "a solution assessment deal has no sale type", "sale_type"))
        if deal.invitations:
            out.append(Violation("R2.4", "nobody is invited to a solution assessment deal", "invitations"))
        return out
    if deal.direction is Direction.INBOUND:
        # What a deal must carry (R5, R6.4, R2.8, R6.7) is asked of the partner that creates it;
        # a deal sent to us carries what its sender gave it, and is accepted or declined as it is.
        return out
    if deal.is_ip_cosell and not deal.solutions:
        out.append(Violation("R6.4", "an IP co-sell deal has at least one solution", "solutions"))
    if deal.solutions and not any(s.cosell_ready for s in deal.solutions):
        out.append(Violation("R2.8", "a co-sell deal has at least one co-sell-ready solution", "solutions"))
    if deal.is_services_cosell:
        for key in ("partner_role", "solution_area", "solution_play"):
            if not (getattr(deal, key) or ""):
                out.append(Violation("R5", f"a services co-sell deal has a {key.replace('_', ' ')}", key))
    if deal.kind is DealKind.IP_COSELL and deal.partner_role is not None:
        out.append(Violation("R5", "partner role is not used on an IP co-sell deal", "partner_role"))
    if deal.marketplace_intent is not None and not deal.is_ip_cosell:
        out.append(Violation("R5.1", "marketplace intent belongs to IP co-sell deals only", "marketplace_intent"))
    # R6.7 as the draft rules state it; its MACC reminder is a warning the user confirmed, not a
    # state a deal may not be in.
    out += refusals(solution_choice_violations(deal.solutions, deal.customer, deal.marketplace_intent))
    return out


def _customer(deal: Deal) -> list[Violation]:
    if deal.customer.federal and deal.customer.source is not AccountTab.OTHER:
        return [Violation("R4.6", "a federal customer is chosen from the Other (DUNS) list", "customer")]
    return []


def _complete(person: Person) -> bool:
    return bool(person.name.strip() and person.phone.strip() and person.email.strip())


def _team(deal: Deal) -> list[Violation]:
    if deal.direction is Direction.OUTBOUND and not any(_complete(p) for p in deal.team):
        return [Violation("R6.1", "an outbound deal has at least one team member with name, phone and email",
                          "team")]
    return []


def _registration(deal: Deal) -> list[Violation]:
    """R10.1/R10.3: only a won, eligible deal is registered (value converted at the month it was won)."""
    from model.domain.rules.registration import eligibility_violations

    if deal.registration.status is RegistrationStatus.NONE:
        return []
    won_at = deal.closed_at or datetime.combine(deal.close_date or deal.created_at.date(), datetime.min.time(),
                                                tzinfo=deal.created_at.tzinfo)
    unmet = eligibility_violations(deal, won_at)
    if not unmet:
        return []
    return [Violation("R10.1", f"registered ({deal.registration.status.label.lower()}) but not eligible: "
                               + "; ".join(v.message for v in unmet), "registration")]


# -- from one version to the next ------------------------------------------------------------

def transition_violations(before: Deal, after: Deal) -> list[Violation]:
    """Every forbidden step from ``before`` to ``after`` (the same deal, a later version)."""
    if before.is_terminal:
        return _terminal_change(before, after)
    out = []
    for key, rule in (("location", "R1.2"), ("direction", "R3"), ("kind", "R2"), ("created_at", "R8.5")):
        if getattr(before, key) != getattr(after, key):
            out.append(Violation(rule, f"the {key.replace('_', ' ')} of a deal never changes", key))
    out += _customer_change(before, after)
    lost = [s for s in before.stages_marked if s not in after.stages_marked]
    if lost and before.kind == after.kind:
        out.append(Violation("R8.7", "a marked stage is never un-marked: " + ", ".join(s.value for s in lost),
                             "stages_marked"))
    elif lost:
        out.append(Violation("R8.7", "a marked stage is never un-marked (the deal's kind changed)", "stages_marked"))
    if not before.is_received and after.is_received:
        out.append(Violation("R8.2", "a deal that was answered never returns to Received", "substatus"))
    if before.expires_at is not None and after.expires_at != before.expires_at:
        out.append(Violation("R8.2", "the 14-day response deadline never moves", "expires_at"))
    out += _sale_type_change(before, after)
    out += _invitation_changes(before, after)
    if after.notes[:len(before.notes)] != before.notes:
        out.append(Violation("R5", "notes are appended, never edited or removed", "notes"))
    return out


def _terminal_change(before: Deal, after: Deal) -> list[Violation]:
    """R9.1: nothing changes on a terminal deal; R10.4: a won deal's registration progresses, and
    with it Microsoft's answer, which R10.1 waits for on a co-sell deal ("Microsoft has accepted the
    invitation or marked the deal won")."""
    free = set(_TERMINAL_FREE)
    a, b = before.model_dump(exclude=free), after.model_dump(exclude=free)
    if before.substatus is Substatus.WON and after.substatus is Substatus.WON:
        for side in (a, b):
            for key in ("registration", "microsoft_status", "microsoft_responded_at"):
                side.pop(key)
            for inv in side["invitations"]:
                if inv["is_microsoft"]:
                    inv.pop("status"), inv.pop("responded_at")
    changed = any(a[k] != b.get(k) for k in a)
    return terminal_violations(before) if changed else []  # R9.1, as the gate states it


def _customer_change(before: Deal, after: Deal) -> list[Violation]:
    """R4.9: a customer chosen from Other or typed by hand stays (contacts and consent may be added)."""
    if before.customer.source not in (AccountTab.OTHER, AccountTab.MANUAL):
        return []
    keys = ("name", "account_id", "duns", "source", "federal", "macc", "city", "country")
    if any(getattr(before.customer, k) != getattr(after.customer, k) for k in keys):
        return [Violation("R4.9", "a customer chosen from Other or entered by hand cannot be changed without "
                                  "support", "customer")]
    return []


def _sale_type_change(before: Deal, after: Deal) -> list[Violation]:
    """R7.5: private → partner-led or co-sell by upgrading; → P2P by inviting a partner; → co-sell by
    inviting Microsoft. Never back, and never without the step that causes it."""
    was, now = before.sale_type, after.sale_type
    if was == now:
        return []
    ok = (was, now) in SALE_TYPE_STEPS
    if ok and now is SaleType.P2P:
        ok = len(after.partner_invitations) > len(before.partner_invitations)
    elif ok and now is SaleType.CO_SELL:
        ok = after.microsoft_status is not MicrosoftStatus.NOT_INVITED or (
            before.direction is Direction.OUTBOUND and after.help_type != before.help_type)
    elif ok and now is SaleType.PARTNER_LED:
        ok = after.share_with_microsoft
    if ok:
        return []
    shown = lambda t: t.label.lower() if t else "none"  # noqa: E731
    return [Violation("R7.5", f"the sale type cannot go from {shown(was)} to {shown(now)}: a private deal is "
                              "upgraded, partners or Microsoft are invited; nothing goes back", "sale_type")]


def _invitation_changes(before: Deal, after: Deal) -> list[Violation]:
    """R7.4: on a deal we created we are the inviter: an invitation, once sent, keeps its close date,
    value, currency, solutions and team (the invitee changes those on its side), and stays."""
    if before.direction is not Direction.OUTBOUND:
        return []
    out = []
    later = {i.invitation_id: i for i in after.invitations}
    for inv in before.invitations:
        new = later.get(inv.invitation_id)
        if new is None:
            out.append(Violation("R7.4", f"the invitation of {inv.partner_name} stays on the record", "invitations"))
            continue
        frozen = [k for k in INVITATION_FROZEN if getattr(inv, k) != getattr(new, k)]
        if frozen:
            out.append(Violation("R7.4", f"the inviting partner cannot change {', '.join(frozen)} of "
                                         f"{inv.partner_name}'s invitation; the invited partner can", "invitations"))
        if inv.status is not InvitationStatus.INVITED and new.status != inv.status:
            out.append(Violation("R7.4", f"{inv.partner_name} already answered the invitation", "invitations"))
    return out
