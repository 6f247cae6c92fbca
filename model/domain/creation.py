"""R4–R7 for a new deal: the draft's rules, the catalogue's facts, and a new deal arriving by import.

The catalogue (``Catalogue``) is what a new deal's facts are looked up in, never taken from the
user or a file (R4.11, R6.5, R6.7, R7.4): a read-only lookup with three questions, so the rules
stay pure. ``model.store.catalogue.StoreCatalogue`` answers them from the database;
``MemoryCatalogue`` from plain values (tests, a file's own reference data).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Protocol

from model.domain.enums import AccountTab, Direction, HelpType
from model.domain.errors import Violation
from model.domain.rules.deal_fields import (
    customer_contact_required_violations, customer_violations, details_violations, invitation_violations,
    solutions_violations, team_violations,
)
from model.domain.rules.invariants import invariant_violations
from model.domain.schemas import Account, Customer, Deal, DealDraft, DealSolution, Invitation, Partner, Solution


class Catalogue(Protocol):
    """The reference catalogues a new deal draws on (read-only)."""

    def account(self, account_id: str) -> Account | None:
        """The customer account with this id (R4.2), or None."""

    def solution(self, solution_id: str) -> Solution | None:
        """The catalogue solution with this id (R6.5), or None."""

    def partner(self, partner_id_or_name: str) -> Partner | None:
        """The co-sell partner with this id, or the one whose name matches case-insensitively (R7.4);
        None if there is none, or several partners have that name."""


@dataclass
class MemoryCatalogue:
    """A ``Catalogue`` of plain values."""

    accounts: list[Account] = field(default_factory=list)
    solutions: list[Solution] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)

    def account(self, account_id):
        return next((a for a in self.accounts if a.account_id == account_id), None)

    def solution(self, solution_id):
        return next((s for s in self.solutions if s.solution_id == solution_id), None)

    def partner(self, partner_id_or_name):
        key = (partner_id_or_name or "").strip()
        by_id = [p for p in self.partners if p.partner_id == key]
        named = [p for p in self.partners if p.name.strip().lower() == key.lower()]
        found = by_id or named
        return found[0] if len(found) == 1 else None


# -- the draft's own rules ----------------------------------------------------------------

def draft_violations(draft: DealDraft) -> list[Violation]:
    """Every rule of R4–R7 a new deal must meet, all at once (the R6.7 MACC one is a warning)."""
    out = customer_violations(draft.customer)
    out += details_violations(draft)
    out += team_violations(draft.team)
    out += solutions_violations(draft.kind, draft.solutions, draft.customer, draft.marketplace_intent)
    if draft.kind.value == "solution_assessment":
        if draft.help_type is not HelpType.NONE or draft.invitations:
            out.append(Violation("R2.4", "a solution assessment deal has no sale-type questions or invitations",
                                 "sale_type"))
    else:
        for i, inv in enumerate([i for i in draft.invitations if not i.is_microsoft]):
            out += invitation_violations(inv, i)
        if draft.help_type is not HelpType.NONE and draft.customer is not None:
            out += customer_contact_required_violations(draft.customer)
    return out


# -- the catalogue's facts ------------------------------------------------------------------

def customer_facts(customer: Customer | None, catalogue: Catalogue) -> tuple[Customer | None, list[Violation]]:
    """R4.11: the customer with its tab, federal, MACC and DUNS from the account catalogue.

    A customer without an account id was typed by hand: source manual, and it cannot claim to be
    federal or MACC. A made-up account id is refused."""
    if customer is None:
        return None, []
    if not customer.account_id:
        return customer.model_copy(update={"source": AccountTab.MANUAL, "federal": False, "macc": False}), []
    account = catalogue.account(customer.account_id)
    if account is None:
        return customer, [Violation("R4.11", f"no customer account {customer.account_id!r} in the account catalogue; "
                                             "choose the customer from the search", "customer")]
    return customer.model_copy(update={"source": account.tab, "federal": account.federal, "macc": account.macc,
                                       "duns": account.duns or customer.duns}), []


def solution_facts(solutions: Iterable[DealSolution], catalogue: Catalogue) -> tuple[list[DealSolution],
                                                                                      list[Violation]]:
    """R6.5, R6.7, R2.8, R10.2: each solution as the catalogue has it; only the assessment location
    is the user's. A solution the catalogue does not list is refused."""
    out, bad = [], []
    for s in solutions:
        known = catalogue.solution(s.solution_id)
        if known is None:
            bad.append(Violation("R6.5", f"no solution {s.solution_id!r} in the solution catalogue", "solutions"))
            continue
        out.append(DealSolution(**known.model_dump(), assessment_location=s.assessment_location))
    return out, bad


def partner_facts(invitations: Iterable[Invitation], catalogue: Catalogue) -> tuple[list[Invitation],
                                                                                   list[Violation]]:
    """R7.4: each invited partner is a catalogue partner (by id, or by a name naming exactly one);
    its id, name and MPN id are the catalogue's. Microsoft's own invitation is kept as is."""
    from model.domain.ops.collaboration import unknown_partner

    out, bad = [], []
    for inv in invitations:
        if inv.is_microsoft:
            out.append(inv)
            continue
        partner = resolve_partner(inv, catalogue)
        if partner is None:
            bad.append(unknown_partner(inv.partner_name or inv.partner_id or ""))
            out.append(inv)
            continue
        out.append(inv.model_copy(update={"partner_id": partner.partner_id, "partner_name": partner.name,
                                          "mpn_id": partner.mpn_id}))
    return out, bad


def resolve_partner(inv: Invitation, catalogue: Catalogue) -> Partner | None:
    if inv.partner_id:
        found = catalogue.partner(inv.partner_id)
        if found is not None and found.partner_id == inv.partner_id:
            return found
    return catalogue.partner(inv.partner_name) if inv.partner_name.strip() else None


def draft_with_facts(draft: DealDraft, catalogue: Catalogue) -> tuple[DealDraft, list[Violation]]:
    """The draft with every catalogue fact looked up (R4.11, R6.5, R6.7, R7.4), and what could not be."""
    customer, bad = customer_facts(draft.customer, catalogue)
    solutions, bad_solutions = solution_facts(draft.solutions, catalogue)
    invitations, bad_partners = partner_facts(draft.invitations, catalogue)
    fixed = draft.model_copy(update={"customer": customer, "solutions": solutions, "invitations": invitations})
    return fixed, bad + bad_solutions + bad_partners


# -- a new deal arriving by import ------------------------------------------------------------

def draft_of(deal: Deal) -> DealDraft:
    """The draft an outbound deal was created from: what the creation rules R4–R7 look at."""
    return DealDraft(
        name=deal.name, kind=deal.kind, location=deal.location, customer=deal.customer, value=deal.value,
        currency=deal.currency, close_date=deal.close_date, crm_id=deal.crm_id, campaign_id=deal.campaign_id,
        partner_role=deal.partner_role, partner_program=deal.partner_program, solution_area=deal.solution_area,
        solution_play=deal.solution_play, marketplace_intent=deal.marketplace_intent,
        notes=deal.notes[0].text if deal.notes else "", team=deal.team, solutions=deal.solutions,
        help_type=deal.help_type, share_with_microsoft=deal.share_with_microsoft,
        invitations=deal.partner_invitations,
    )


def creation_violations(deal: Deal, catalogue: Catalogue) -> list[Violation]:
    """Every rule a NEW deal arriving by import breaks (empty: it may be stored as it is).

    Outbound (a create request): the creation rules R4–R7 ``draft_violations`` applies, the
    catalogue's facts (an account, solution or partner the catalogue does not have, or whose facts
    the file states differently, R4.11/R6.5/R6.7/R7.4), and the invariants. The R6.7 MACC warning
    is returned as a warning. Inbound (a referral sent to us): the invariants only; its customer
    and solutions are the sender's, and a received deal may have no team of ours yet.
    """
    if deal.direction is Direction.INBOUND:
        return invariant_violations(deal)
    draft = draft_of(deal)
    checked, out = draft_with_facts(draft, catalogue)
    out += _stated_differently(draft, checked)
    out += draft_violations(checked)
    return out + [v for v in invariant_violations(deal) if v not in out]


def _stated_differently(claimed: DealDraft, known: DealDraft) -> list[Violation]:
    out = []
    if claimed.customer is not None and known.customer is not None:
        for key, rule in (("source", "R4.11"), ("federal", "R4.11"), ("macc", "R4.11")):
            if getattr(claimed.customer, key) != getattr(known.customer, key):
                out.append(Violation(rule, f"the customer's {key} is the account catalogue's "
                                           f"({getattr(known.customer, key)!s}), not {getattr(claimed.customer, key)!s}",
                                     f"customer.{key}"))
    facts = ("source", "cosell_ready", "macc_eligible", "incentivized", "registration_kind")
    known_by_id = {s.solution_id: s for s in known.solutions}
    for s in claimed.solutions:
        k = known_by_id.get(s.solution_id)
        wrong = [f for f in facts if k is not None and getattr(s, f) != getattr(k, f)]
        if wrong:
            out.append(Violation("R6.7", f"{s.solution_id}: {', '.join(wrong)} are the solution catalogue's, "
                                         "not the file's", "solutions"))
    return out


# -- the new deal ---------------------------------------------------------------------------

def deal_from_draft(draft: DealDraft, *, deal_id: str, now, author: str) -> Deal:
    """The outbound deal a valid draft creates: stage Created (R8.5), its sale type from R7's two
    questions and the invitations (R7.1–R7.4), the inviting team prefilled from the deal's (R7.4),
    and Microsoft invited when help was asked for (R7.3)."""
    import uuid

    from model.domain.enums import MicrosoftStatus, Status, Substatus
    from model.domain.rules.lifecycle import sale_type_for
    from model.domain.schemas import Note
    from model.domain.stages import Stage

    partners = [i.model_copy(deep=True, update={
        "invitation_id": i.invitation_id or str(uuid.uuid4()), "invited_at": now,
        "team": [p.model_copy() for p in (i.team or draft.team)]})
        for i in draft.invitations if not i.is_microsoft]
    deal = Deal(
        id=deal_id, name=draft.name.strip(), direction=Direction.OUTBOUND, kind=draft.kind,
        sale_type=sale_type_for(draft.help_type, draft.share_with_microsoft, bool(partners), draft.kind),
        status=Status.ACTIVE, substatus=Substatus.ACCEPTED, stage=Stage.CREATED,
        location=draft.location.strip(), customer=draft.customer.model_copy(deep=True),
        value=draft.value, currency=draft.currency, close_date=draft.close_date,
        crm_id=draft.crm_id or None, campaign_id=draft.campaign_id or None,
        partner_role=draft.partner_role, partner_program=draft.partner_program,
        solution_area=draft.solution_area, solution_play=draft.solution_play,
        marketplace_intent=draft.marketplace_intent if draft.is_ip_cosell else None,
        help_type=draft.help_type,
        share_with_microsoft=draft.share_with_microsoft or draft.help_type is not HelpType.NONE,
        created_at=now, updated_at=now, accepted_at=now,
        team=[p.model_copy() for p in draft.team], solutions=[s.model_copy() for s in draft.solutions],
        invitations=partners, notes=[Note(at=now, author=author, text=draft.notes.strip())],
    )
    if draft.help_type is not HelpType.NONE:
        deal.microsoft_status = MicrosoftStatus.INVITED
        deal.microsoft_invited_at = now
        deal.invitations.append(Invitation(invitation_id=str(uuid.uuid4()), partner_name="Microsoft",
                                           is_microsoft=True, help_type=draft.help_type, invited_at=now))
    return deal
