"""R8.6, R6: editing an open deal's details, team, solutions and notes; the favorite tag.

Each is one operation of ``model.domain.operations`` carried out by ``mutate``; solutions come
from the catalogue (R6.5), a newly chosen customer goes through account matching (R4.5).
"""
from __future__ import annotations

from model.domain.creation import customer_facts
from model.domain.errors import RuleViolation, Violation
from model.domain.operations import (
    AddNote, AddSolution, AddTeamMember, Edit, RemoveSolution, RemoveTeamMember, SetFavorite, apply, coerce,
)
from model.domain.schemas import Customer, Deal, DealSolution, Person
from model.services._tx import load_visible, mutate
from model.services.context import Ctx
from model.services.matching import match_customer
from model.store import repo
from model.store.catalogue import StoreCatalogue


def edit(ctx: Ctx, deal_id: str, changes: dict, *, version: int | None = None,
         confirm_warnings: bool = False) -> Deal:
    """R8.6: name, close date, value, notes, CRM and campaign ids (location never, R1.2).

    Values may be typed (``date``, ``Decimal``, enums) or text as a person types it. A new MACC
    customer without a MACC-eligible solution is a warning to confirm (R6.7)."""
    typed, _ = coerce(changes)
    changes = dict(changes)
    if isinstance(typed.get("customer"), Customer):
        # R4.11: the account's facts are the catalogue's; R4.5: then account matching, like a new deal's.
        with ctx.store.read() as session:
            new_customer, unknown = customer_facts(typed["customer"], StoreCatalogue(session))
            if unknown:
                raise RuleViolation(unknown, "edit details")
            new_customer = new_customer.model_copy(deep=True)
            new_customer.match = match_customer(session, new_customer)
        changes["customer"] = new_customer
    return mutate(ctx, deal_id, Edit(changes, confirm_warnings), version=version)


def add_team_member(ctx: Ctx, deal_id: str, person: Person, *, version: int | None = None) -> Deal:
    """R6.1, R6.3: members can be added after creation (P2P teams may mix companies)."""
    return mutate(ctx, deal_id, AddTeamMember(person), version=version)


def remove_team_member(ctx: Ctx, deal_id: str, email: str, *, version: int | None = None) -> Deal:
    """R6.1: a deal keeps at least one member."""
    return mutate(ctx, deal_id, RemoveTeamMember(email), version=version)


def catalogue_solution(ctx: Ctx, solution_id: str) -> DealSolution:
    """R6.5: the solution as the catalogue has it (its flags are never the user's word, R6.7)."""
    with ctx.store.read() as session:
        found = StoreCatalogue(session).solution(solution_id)
    if found is None:
        raise RuleViolation(Violation("R6.5", f"no solution {solution_id!r} in the catalogue", "solution"),
                            "add the solution")
    return DealSolution(**found.model_dump())


def add_solution(ctx: Ctx, deal_id: str, solution_id: str, *, assessment_location: str | None = None,
                 version: int | None = None, confirm_warnings: bool = False) -> Deal:
    """R6.4–R6.7: solutions can change after creation, within the rules of the deal kind."""
    solution = catalogue_solution(ctx, solution_id)
    solution.assessment_location = assessment_location
    return mutate(ctx, deal_id, AddSolution(solution, confirm_warnings), version=version)


def remove_solution(ctx: Ctx, deal_id: str, solution_id: str, *, version: int | None = None,
                    confirm_warnings: bool = False) -> Deal:
    """R6.4–R6.7; removing the last MACC-eligible solution of a MACC customer is a warning (R6.7)."""
    return mutate(ctx, deal_id, RemoveSolution(solution_id, confirm_warnings), version=version)


def add_note(ctx: Ctx, deal_id: str, text: str, *, version: int | None = None) -> Deal:
    """R5: notes are the on-the-record log; entries are appended, never edited."""
    return mutate(ctx, deal_id, AddNote(text), version=version)


def set_favorite(ctx: Ctx, deal_id: str, on: bool | None = None) -> Deal:
    """R3.3: the heart. A view tag, not an edit, so it neither bumps the version nor trips
    someone's open edit dialog, and it works on closed deals too."""
    with ctx.store.write() as session:
        rec, deal = load_visible(ctx, session, deal_id)
        outcome = apply(deal, SetFavorite(on), now=ctx.now(), user=ctx.user)
        if outcome.changed:
            repo.set_favorite(session, deal.id, outcome.deal.favorite)
            repo.add_event(session, deal.id, outcome.event)
    return outcome.deal
