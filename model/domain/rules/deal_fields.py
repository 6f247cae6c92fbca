"""R4.10, R5, R6 and R7.4: what a deal must carry, by kind.

Every function returns *all* violations, each naming its field, so a form can
show each message beside its field at once.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from model.domain.enums import AccountTab, DealKind, MarketplaceIntent, SolutionSource
from model.domain.errors import Violation
from model.domain.rules.addresses import address_problem
from model.domain.rules.fx import CURRENCY, known_currencies
from model.domain.schemas import Customer, CustomerContact, DealDraft, DealSolution, Invitation, Person

PHONE = re.compile(r"^\+?[0-9 ()./-]{5,}$")


def person_violations(person: Person, field: str, rule: str = "R6.1") -> list[Violation]:
    out = []
    if not person.name.strip():
        out.append(Violation(rule, "a name is required", f"{field}.name"))
    if not person.phone.strip():
        out.append(Violation(rule, "a phone number is required", f"{field}.phone"))
    elif not PHONE.match(person.phone.strip()):
        out.append(Violation(rule, f"{person.phone!r} is not a phone number", f"{field}.phone"))
    if not person.email.strip():
        out.append(Violation(rule, "an email address is required", f"{field}.email"))
    elif address_problem(person.email) is not None:  # email-validator decides (no CR/LF, one address)
        out.append(Violation(rule, f"{person.email!r} is not an email address", f"{field}.email"))
    return out


def team_violations(team: list[Person]) -> list[Violation]:
    """R6.1: at least one member, each with name, phone and email."""
    if not team:
        return [Violation("R6.1", "add at least one team member with name, phone and email", "team")]
    out: list[Violation] = []
    for i, person in enumerate(team):
        out += person_violations(person, f"team[{i}]")
    return out


def customer_violations(customer: Customer | None) -> list[Violation]:
    """R4.1 (a customer first), R4.6 (federal accounts only from the DUNS list)."""
    if customer is None or not customer.name.strip():
        return [Violation("R4.1", "choose the customer first", "customer")]
    out: list[Violation] = []
    if customer.federal and customer.source is not AccountTab.OTHER:
        out.append(Violation("R4.6", "a federal customer must be chosen from the Other (DUNS) list", "customer"))
    for i, contact in enumerate(customer.contacts):
        out += contact_violations(contact, f"customer.contacts[{i}]")
    return out


def contact_violations(contact: CustomerContact, field: str) -> list[Violation]:
    out = []
    if contact.email and address_problem(contact.email) is not None:
        out.append(Violation("R4.10", f"{contact.email!r} is not an email address", f"{field}.email"))
    if contact.phone and not PHONE.match(contact.phone.strip()):
        out.append(Violation("R4.10", f"{contact.phone!r} is not a phone number", f"{field}.phone"))
    return out


def customer_contact_required_violations(customer: Customer) -> list[Violation]:
    """R4.10: inviting Microsoft needs a customer contact, shared with the customer's consent."""
    out = []
    complete = [c for c in customer.contacts if c.name.strip() and c.phone.strip() and c.email.strip()]
    if not complete:
        out.append(Violation("R4.10", "a customer contact (name, phone, email) is required when Microsoft is invited",
                             "customer.contacts"))
    if not customer.consent_to_share:
        out.append(Violation("R4.10", "confirm you have the customer's consent to share their contact details with Microsoft",
                             "customer.consent_to_share"))
    return out


def money_violations(value: Decimal | None, currency: str | None, field: str = "value", rule: str = "R5") -> list[Violation]:
    out = []
    if value is None:
        out.append(Violation(rule, "an estimated value is required", field))
    elif value < 0:
        out.append(Violation(rule, f"the value cannot be negative (got {value})", field))
    if not currency or not CURRENCY.match(currency):
        out.append(Violation(rule, f"currency must be a 3-letter ISO code (got {currency!r})", "currency" if field == "value" else f"{field}_currency"))
    elif currency not in known_currencies():
        out.append(Violation(rule, f"no exchange rate is known for {currency}; use one of {', '.join(known_currencies())}",
                             "currency" if field == "value" else f"{field}_currency"))
    return out


def details_violations(draft: DealDraft, *, today: date | None = None) -> list[Violation]:
    """The R5 table, with requirements that change with the deal kind."""
    out: list[Violation] = []
    if not draft.name.strip():
        out.append(Violation("R5", "a deal name is required", "name"))
    elif len(draft.name) > 300:
        out.append(Violation("R5", "the deal name is longer than 300 characters", "name"))
    if not draft.location.strip():
        out.append(Violation("R1.2", "a location is required (it cannot be changed later)", "location"))
    out += money_violations(draft.value, draft.currency)
    if draft.close_date is None:
        out.append(Violation("R5", "an estimated close date is required", "close_date"))
    if not draft.notes.strip():
        out.append(Violation("R5", "notes are required: say what the customer needs (and, for co-sell, what help you want)", "notes"))
    if draft.is_services_cosell:
        if draft.partner_role is None:
            out.append(Violation("R5", "a partner role is required for services co-sell", "partner_role"))
        if not (draft.solution_area or "").strip():
            out.append(Violation("R5", "a solution area is required for services co-sell", "solution_area"))
        if not (draft.solution_play or "").strip():
            out.append(Violation("R5", "a solution play is required for services co-sell", "solution_play"))
    elif draft.is_ip_cosell and draft.partner_role is not None:
        out.append(Violation("R5", "partner role is not used for IP co-sell deals", "partner_role"))
    if not draft.is_ip_cosell and draft.marketplace_intent is not None:
        out.append(Violation("R5.1", "marketplace intent applies to IP co-sell deals only", "marketplace_intent"))
    return out


def solutions_violations(kind: DealKind, solutions: list[DealSolution], customer: Customer | None,
                         marketplace_intent=None) -> list[Violation]:
    """R6.4–R6.7 (and R2.8) for a deal's solutions, R6.6 and R6.7 as their one statement below."""
    out = assessment_violations(kind is DealKind.SOLUTION_ASSESSMENT, solutions)
    if kind is DealKind.SOLUTION_ASSESSMENT:
        return out
    if kind.is_ip_cosell and not solutions:
        out.append(Violation("R6.4", "an IP co-sell deal needs at least one solution", "solutions"))
    if solutions and not any(s.cosell_ready for s in solutions):
        # R2.8: "once it has one, marketplace solutions may be added too".
        out.append(Violation("R2.8", "a co-sell deal needs at least one co-sell-ready solution", "solutions"))
    out += solution_choice_violations(solutions, customer, marketplace_intent)
    ids = [s.solution_id for s in solutions]
    if len(ids) != len(set(ids)):
        out.append(Violation("R6.4", "a solution is listed twice", "solutions"))
    return out


# -- R6.6 and R6.7, each stated once: the draft rules, the operations and the deal invariants
# (``invariants``) all ask these, so a check that runs them twice (an import) says each once.

def assessment_violations(is_assessment: bool, solutions: list[DealSolution]) -> list[Violation]:
    """R6.6: a solution assessment deal has exactly one assessment type and nothing else, with the
    location where the assessment is created; no other deal has an assessment type."""
    assessments = [s for s in solutions if s.source is SolutionSource.ASSESSMENT]
    if not is_assessment:
        return [Violation("R6.6", "assessment types can only be added to a solution assessment deal",
                          "solutions")] if assessments else []
    out: list[Violation] = []
    if len(assessments) != 1 or len(solutions) != 1:
        out.append(Violation("R6.6", "a solution assessment deal takes exactly one assessment type and no other solution",
                             "solutions"))
    for s in assessments:
        if not (s.assessment_location or "").strip():
            out.append(Violation("R6.6", f"choose the location where the assessment {s.name!r} is created",
                                 "solutions.assessment_location"))
    return out


def solution_choice_violations(solutions: list[DealSolution], customer: Customer | None,
                               marketplace_intent=None) -> list[Violation]:
    """R6.7: for a MACC customer, a warning to make sure a MACC-eligible solution is chosen (the source
    says "make sure": confirmed, not refused); marketplace intent Yes refuses a deal without an
    incentivized solution. The solutions' flags are the catalogue's (``creation.solution_facts``)."""
    out: list[Violation] = []
    if solutions and customer is not None and customer.macc and not any(s.macc_eligible for s in solutions):
        out.append(macc_warning())
    if marketplace_intent is MarketplaceIntent.YES and not any(s.incentivized for s in solutions):
        out.append(Violation("R6.7", "marketplace intent is Yes: choose at least one incentivized solution", "solutions"))
    return out


def macc_warning() -> Violation:
    """R6.7: the source says "make sure" a MACC-eligible solution is chosen: a warning to confirm."""
    return Violation("R6.7", "the customer has a MACC contract: make sure a MACC-eligible solution is chosen "
                             "(confirm to go on without one)", "solutions", warning=True)


def invitation_violations(inv: Invitation, index: int) -> list[Violation]:
    """R7.4: what each invited partner needs."""
    field = f"invitations[{index}]"
    out: list[Violation] = []
    if inv.is_microsoft:
        return out
    if not inv.partner_name.strip():
        out.append(Violation("R7.4", "choose the partner to invite", f"{field}.partner"))
    if inv.close_date is None:
        out.append(Violation("R7.4", "the invited partner's estimated close date is required", f"{field}.close_date"))
    out += money_violations(inv.value, inv.currency, f"{field}.value", "R7.4")
    if not inv.solutions:
        out.append(Violation("R7.4", "add at least one solution for the invited partner", f"{field}.solutions"))
    for j, person in enumerate(inv.team):
        out += person_violations(person, f"{field}.team[{j}]", "R7.4")
    return out
