"""R8.6, R6: editing an open deal's details, team, solutions and notes; the favorite tag."""
from __future__ import annotations

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import update

from model.domain.enums import MarketplaceIntent, PartnerRole, parse_enum
from model.domain.errors import RuleViolation, Violation
from model.domain.rules.deal_fields import person_violations, solutions_violations, team_violations
from model.domain.rules.lifecycle import Action, edit_violations
from model.domain.schemas import Customer, Deal, DealSolution, Note, Person
from model.services._tx import load_visible, mutate
from model.services.context import Ctx
from model.services.matching import match_customer
from model.store.tables import DealRecord, SolutionRecord

def _typed(key: str, value):
    """Text from a form or the CLI, turned into the field's type ('' clears an optional field)."""
    if isinstance(value, str):
        value = value.strip()
        if value == "" and key != "name":
            return None
        if key == "currency":
            return value.upper()
        if key == "partner_role":
            return parse_enum(PartnerRole, value)
        if key == "marketplace_intent":
            return parse_enum(MarketplaceIntent, value)
    if key == "customer" and isinstance(value, dict):
        return Customer.model_validate(value)
    field = Deal.model_fields.get(key)
    if field is None or key in ("customer", "location"):
        return value  # edit_violations names what cannot be edited
    return TypeAdapter(field.annotation).validate_python(value)


def _coerce(changes: dict) -> tuple[dict, list[Violation]]:
    typed, out = {}, []
    for key, value in changes.items():
        try:
            typed[key] = _typed(key, value)
        except (ValueError, ArithmeticError, ValidationError) as exc:
            message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            out.append(Violation("R5", f"{value!r} is not a valid {key.replace('_', ' ')}: {message}", key))
    return typed, out


def edit(ctx: Ctx, deal_id: str, changes: dict, *, version: int | None = None) -> Deal:
    """R8.6: name, close date, value, notes, CRM and campaign ids (location never, R1.2).

    Values may be typed (``date``, ``Decimal``, enums) or text as a person types it.
    """
    changes, bad = _coerce(changes)
    if "customer" in changes and isinstance(changes["customer"], Customer):
        # R4.5: a newly chosen customer goes through account matching like a new deal's.
        new_customer = changes["customer"].model_copy(deep=True)
        with ctx.store.read() as session:
            new_customer.match = match_customer(session, new_customer)
        changes["customer"] = new_customer

    unreadable = {violation.field for violation in bad}

    def checks(deal: Deal) -> list[Violation]:
        return bad + edit_violations(deal, {k: v for k, v in changes.items() if k not in unreadable})

    def change(deal: Deal) -> None:
        for key, value in changes.items():
            setattr(deal, key, value)

    return mutate(ctx, deal_id, Action.EDIT, change, version=version, extra_checks=checks)


def add_team_member(ctx: Ctx, deal_id: str, person: Person, *, version: int | None = None) -> Deal:
    """R6.1, R6.3: members can be added after creation (P2P teams may mix companies)."""

    def checks(deal: Deal) -> list[Violation]:
        out = person_violations(person, "member")
        if any(p.email.strip().lower() == person.email.strip().lower() for p in deal.team):
            out.append(Violation("R6.1", f"{person.email} is already on the team", "member.email"))
        return out

    return mutate(ctx, deal_id, Action.TEAM, lambda d: d.team.append(person.model_copy()), version=version,
                  event_action="team_add", extra_checks=checks)


def remove_team_member(ctx: Ctx, deal_id: str, email: str, *, version: int | None = None) -> Deal:
    """R6.1: a deal keeps at least one member."""
    key = email.strip().lower()

    def checks(deal: Deal) -> list[Violation]:
        if not any(p.email.strip().lower() == key for p in deal.team):
            return [Violation("R6.1", f"{email} is not on the team", "email")]
        if all(p.email.strip().lower() == key for p in deal.team):
            # Only the count matters here: someone else's incomplete entry is not this action's fault.
            return team_violations([])
        return []

    def change(deal: Deal) -> None:
        deal.team = [p for p in deal.team if p.email.strip().lower() != key]

    return mutate(ctx, deal_id, Action.TEAM, change, version=version, event_action="team_remove", extra_checks=checks)


def catalogue_solution(ctx: Ctx, solution_id: str) -> DealSolution:
    from model.domain.enums import RegistrationKind, SolutionSource

    with ctx.store.read() as session:
        rec = session.get(SolutionRecord, solution_id)
        if rec is None:
            raise RuleViolation(Violation("R6.5", f"no solution {solution_id!r} in the catalogue", "solution"),
                                "add the solution")
        return DealSolution(solution_id=rec.solution_id, name=rec.name, source=SolutionSource(rec.source),
                            publisher=rec.publisher, macc_eligible=rec.macc_eligible, incentivized=rec.incentivized,
                            registration_kind=RegistrationKind(rec.registration_kind) if rec.registration_kind else None,
                            cosell_ready=rec.cosell_ready)


def add_solution(ctx: Ctx, deal_id: str, solution_id: str, *, assessment_location: str | None = None,
                 version: int | None = None) -> Deal:
    """R6.4–R6.7: solutions can change after creation, within the rules of the deal kind."""
    solution = catalogue_solution(ctx, solution_id)
    solution.assessment_location = assessment_location

    def checks(deal: Deal) -> list[Violation]:
        if any(s.solution_id == solution_id for s in deal.solutions):
            return [Violation("R6.4", f"{solution.name} is already on the deal", "solution")]
        return solutions_violations(deal.kind, deal.solutions + [solution], deal.customer, deal.marketplace_intent)

    return mutate(ctx, deal_id, Action.SOLUTIONS, lambda d: d.solutions.append(solution), version=version,
                  event_action="solution_add", extra_checks=checks)


def remove_solution(ctx: Ctx, deal_id: str, solution_id: str, *, version: int | None = None) -> Deal:
    def checks(deal: Deal) -> list[Violation]:
        if not any(s.solution_id == solution_id for s in deal.solutions):
            return [Violation("R6.4", f"{solution_id} is not on the deal", "solution")]
        rest = [s for s in deal.solutions if s.solution_id != solution_id]
        return solutions_violations(deal.kind, rest, deal.customer, deal.marketplace_intent)

    def change(deal: Deal) -> None:
        deal.solutions = [s for s in deal.solutions if s.solution_id != solution_id]

    return mutate(ctx, deal_id, Action.SOLUTIONS, change, version=version, event_action="solution_remove",
                  extra_checks=checks)


def add_note(ctx: Ctx, deal_id: str, text: str, *, version: int | None = None) -> Deal:
    """R5: notes are the on-the-record log; entries are appended, never edited."""

    def checks(deal: Deal) -> list[Violation]:
        return [] if text and text.strip() else [Violation("R5", "the note is empty", "text")]

    def change(deal: Deal) -> None:
        deal.notes.append(Note(at=ctx.now(), author=ctx.user.login, text=text.strip()))

    return mutate(ctx, deal_id, Action.NOTE, change, version=version, event_action="note", extra_checks=checks)


def set_favorite(ctx: Ctx, deal_id: str, on: bool | None = None) -> Deal:
    """R3.3: the heart. A view tag, not an edit, so it neither bumps the version nor trips
    someone's open edit dialog, and it works on closed deals too."""
    from model.domain.schemas import Event
    from model.store import repo

    with ctx.store.write() as session:
        rec, deal = load_visible(ctx, session, deal_id)
        target = (not deal.favorite) if on is None else on
        if target != deal.favorite:
            session.execute(update(DealRecord).where(DealRecord.id == deal.id).values(favorite=target))
            repo.add_event(session, deal.id, Event(at=ctx.now(), actor=ctx.user.login, action="favorite",
                                                   changes={"favorite": [deal.favorite, target]}))
            session.info["wrote"] = True
        deal.favorite = target
    return deal
