"""Every change to a deal as a pure operation: the one rule code the services and the importer share.

``apply(deal, op, now=..., user=...)`` checks ``op`` against ``deal`` (the lifecycle gate first,
then the action's own rules), and returns the changed copy with its history event and the
notices it causes; it raises ``RuleViolation`` listing every unmet rule (warnings only when
unconfirmed: ``needs_confirmation``). It does not check the stored-deal invariants
(``rules.invariants``): a sequence of operations (``reconcile``) may pass through states a
single one would not end in; whoever stores the result checks them.

The operations live in ``model.domain.ops`` by area and are re-exported here, with
``reconcile`` (an imported referral against the stored deal) and ``creation_violations``
(a new deal arriving by import).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from model.domain.changes import diff
from model.domain.errors import RuleViolation, Violation, check
from model.domain.ops.base import PARTNER_CENTER, Acting, Notice, Op
from model.domain.ops.collaboration import (
    EditInvitation, InviteMicrosoft, InvitePartner, MicrosoftRespond, Upgrade, find_invitation, upgrade_op,
)
from model.domain.ops.editing import (
    AddNote, AddSolution, AddTeamMember, Edit, RemoveSolution, RemoveTeamMember, SetFavorite, coerce,
)
from model.domain.ops.lifecycle import (
    Accept, CloseAsError, Decline, Expire, Lost, MarkStage, Register, ReviewRegistration, Won,
)
from model.domain.rules.lifecycle import action_violations
from model.domain.schemas import Deal, Event, User


@dataclass
class Outcome:
    """What an operation did: the new deal, the history event, and the notifications it causes.
    ``event.changes`` empty means nothing would change (write nothing, keep the version)."""

    deal: Deal
    event: Event
    notices: list[Notice] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.event.changes)


def violations_of(deal: Deal, op: Op, *, now: datetime, user: User, actor: str | None = None) -> list[Violation]:
    """Every rule ``op`` breaks on ``deal`` now (warnings included), without applying it."""
    at = Acting(now, user, actor)
    gate = action_violations(deal, op.action, now) if op.action else []
    if gate and not op.list_all:
        return gate
    return gate + op.checks(deal, at)


def apply(deal: Deal, op: Op, *, now: datetime, user: User, actor: str | None = None) -> Outcome:
    """``op`` applied to a copy of ``deal``, or ``RuleViolation`` listing every unmet rule."""
    at = Acting(now, user, actor)
    warnings = check(violations_of(deal, op, now=now, user=user, actor=actor), op.verb_for(), confirmed=op.confirmed)
    new = deal.model_copy(deep=True)
    op.change(new, at)
    changes = diff(deal, new)
    if changes and op.versioned:
        new.updated_at = now
    event = Event(at=now, actor=at.name, action=op.event_action, changes=changes, reason=op.why(deal, warnings))
    return Outcome(new, event, op.notices(deal, new) if changes else [])


from model.domain.creation import Catalogue, creation_violations  # noqa: E402  (they use the above)
from model.domain.reconcile import Reconciled, reconcile  # noqa: E402

__all__ = [
    "PARTNER_CENTER", "Accept", "Acting", "AddNote", "AddSolution", "AddTeamMember", "Catalogue", "CloseAsError",
    "Decline", "Edit", "EditInvitation", "Expire", "InviteMicrosoft", "InvitePartner", "Lost", "MarkStage",
    "MicrosoftRespond", "Notice", "Op", "Outcome", "Reconciled", "Register", "RemoveSolution", "RemoveTeamMember",
    "ReviewRegistration", "RuleViolation", "SetFavorite", "Upgrade", "Won", "apply", "coerce",
    "creation_violations", "find_invitation", "reconcile", "upgrade_op", "violations_of",
]
