"""R8.6, R6, R5 as operations: details, team, solutions, notes, and the favorite tag (R3.3)."""
from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import TypeAdapter, ValidationError

from model.domain.enums import MarketplaceIntent, PartnerRole, parse_enum
from model.domain.errors import Violation
from model.domain.ops.base import Op
from model.domain.rules.deal_fields import person_violations, solutions_violations, team_violations
from model.domain.rules.lifecycle import Action, edit_violations
from model.domain.schemas import Customer, Deal, DealSolution, Person


def typed(key: str, value):
    """Text from a form, the CLI or a file, turned into the field's type ('' clears an optional field)."""
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
    spec = Deal.model_fields.get(key)
    if spec is None or key in ("customer", "location"):
        return value  # edit_violations names what cannot be edited
    return TypeAdapter(spec.annotation).validate_python(value)


def coerce(changes: dict) -> tuple[dict, list[Violation]]:
    """Typed changes, and a violation for each value that cannot be read."""
    out, bad = {}, []
    for key, value in changes.items():
        try:
            out[key] = typed(key, value)
        except (ValueError, ArithmeticError, ValidationError) as exc:
            message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            bad.append(Violation("R5", f"{value!r} is not a valid {key.replace('_', ' ')}: {message}", key))
    return out, bad


@dataclass(frozen=True)
class Edit(Op):
    """R8.6: name, close date, value, CRM and campaign ids, ... (location never, R1.2; R4.9 customer).

    ``changes`` may be typed or text as a person types it; a MACC customer without a MACC-eligible
    solution is a warning to confirm (R6.7)."""

    changes: dict = field(default_factory=dict)
    confirm_warnings: bool = False

    action = Action.EDIT
    event_action = "edit"

    @property
    def confirmed(self):
        return self.confirm_warnings

    def checks(self, deal, at):
        values, bad = coerce(self.changes)
        unreadable = {v.field for v in bad}
        return bad + edit_violations(deal, {k: v for k, v in values.items() if k not in unreadable})

    def change(self, deal, at):
        for key, value in coerce(self.changes)[0].items():
            setattr(deal, key, value)


@dataclass(frozen=True)
class AddTeamMember(Op):
    """R6.1, R6.3: members can be added after creation (P2P teams may mix companies)."""

    person: Person

    action = Action.TEAM
    event_action = "team_add"

    def checks(self, deal, at):
        out = person_violations(self.person, "member")
        if any(p.email.strip().lower() == self.person.email.strip().lower() for p in deal.team):
            out.append(Violation("R6.1", f"{self.person.email} is already on the team", "member.email"))
        return out

    def change(self, deal, at):
        deal.team.append(self.person.model_copy())


@dataclass(frozen=True)
class RemoveTeamMember(Op):
    """R6.1: a deal keeps at least one member."""

    email: str

    action = Action.TEAM
    event_action = "team_remove"

    @property
    def key(self) -> str:
        return self.email.strip().lower()

    def checks(self, deal, at):
        if not any(p.email.strip().lower() == self.key for p in deal.team):
            return [Violation("R6.1", f"{self.email} is not on the team", "email")]
        if all(p.email.strip().lower() == self.key for p in deal.team):
            # Only the count matters here: someone else's incomplete entry is not this action's fault.
            return team_violations([])
        return []

    def change(self, deal, at):
        deal.team = [p for p in deal.team if p.email.strip().lower() != self.key]


@dataclass(frozen=True)
class AddSolution(Op):
    """R6.4–R6.7: ``solution`` is the catalogue's (R6.5), with the user's assessment location."""

    solution: DealSolution
    confirm_warnings: bool = False

    action = Action.SOLUTIONS
    event_action = "solution_add"

    @property
    def confirmed(self):
        return self.confirm_warnings

    def checks(self, deal, at):
        if any(s.solution_id == self.solution.solution_id for s in deal.solutions):
            return [Violation("R6.4", f"{self.solution.name} is already on the deal", "solution")]
        return solutions_violations(deal.kind, deal.solutions + [self.solution], deal.customer,
                                    deal.marketplace_intent)

    def change(self, deal, at):
        deal.solutions.append(self.solution.model_copy())


@dataclass(frozen=True)
class RemoveSolution(Op):
    solution_id: str
    confirm_warnings: bool = False

    action = Action.SOLUTIONS
    event_action = "solution_remove"

    @property
    def confirmed(self):
        return self.confirm_warnings

    def checks(self, deal, at):
        if not any(s.solution_id == self.solution_id for s in deal.solutions):
            return [Violation("R6.4", f"{self.solution_id} is not on the deal", "solution")]
        rest = [s for s in deal.solutions if s.solution_id != self.solution_id]
        return solutions_violations(deal.kind, rest, deal.customer, deal.marketplace_intent)

    def change(self, deal, at):
        deal.solutions = [s for s in deal.solutions if s.solution_id != self.solution_id]


@dataclass(frozen=True)
class AddNote(Op):
    """R5: notes are the on-the-record log; entries are appended, never edited."""

    text: str

    action = Action.NOTE
    event_action = "note"

    def checks(self, deal, at):
        return [] if self.text and self.text.strip() else [Violation("R5", "the note is empty", "text")]

    def change(self, deal, at):
        at.note(deal, self.text)


@dataclass(frozen=True)
class SetFavorite(Op):
    """R3.3: the heart, a personal view tag: allowed on any deal, even a closed one, and no new version."""

    on: bool | None = None

    event_action = "favorite"
    versioned = False

    def change(self, deal, at):
        deal.favorite = (not deal.favorite) if self.on is None else self.on
