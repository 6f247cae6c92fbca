"""What every operation shares: who acts and when (``Acting``), what a change causes (``Notice``)
and the shape of an operation (``Op``).

An ``Op`` is a frozen value naming one user action with its inputs. ``checks`` lists every
rule the action breaks on a given deal (the lifecycle gate ``action`` runs first, in
``apply``); ``change`` applies it to a copy. Nothing here touches a database or a clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from model.domain.errors import Violation
from model.domain.rules.lifecycle import Action
from model.domain.schemas import Deal, Note, User

#: The actor of what only Partner Center decides (R8.2 expiry, Microsoft's answer, R10.4 validation).
PARTNER_CENTER = "Partner Center"


@dataclass(frozen=True)
class Acting:
    """Who makes a change and when. ``actor`` names someone else than the user in the history:
    ``PARTNER_CENTER`` for what Partner Center decides, which no local role may overrule."""

    now: datetime
    user: User
    actor: str | None = None

    @property
    def name(self) -> str:
        return self.actor or self.user.login

    @property
    def is_partner_center(self) -> bool:
        return self.actor == PARTNER_CENTER

    def note(self, deal: Deal, text: str | None) -> None:
        """Append a note to the on-the-record log (R5), if there is one to append."""
        if text and text.strip():
            deal.notes.append(Note(at=self.now, author=self.name, text=text.strip()))


@dataclass(frozen=True)
class Notice:
    """A notification the change causes (R12): ``kind`` "declined"/"expired" tell the sender."""

    kind: str
    detail: str = ""


class Op:
    """One user action. Subclasses are frozen dataclasses holding the action's inputs."""

    #: The lifecycle gate (``rules.lifecycle.action_violations``) asked first, or None.
    action: ClassVar[Action | None] = None
    #: The event's ``action`` in the history.
    event_action: ClassVar[str] = "change"
    #: What the refusal says the user could not do.
    verb: ClassVar[str] = "change the deal"
    #: True: the gate's and the action's own violations are listed together.
    list_all: ClassVar[bool] = False
    #: False for a view tag (the heart) that is not an update of the deal.
    versioned: ClassVar[bool] = True

    def verb_for(self) -> str:
        """The refusal's "cannot <verb>": the gate action's label, or the operation's own verb."""
        return self.action.label.lower() if self.action is not None else self.verb

    @property
    def confirmed(self) -> bool:
        """Whether the user confirmed the warnings the action may raise (R6.7, R8.12)."""
        return False

    def checks(self, deal: Deal, at: Acting) -> list[Violation]:
        return []

    def change(self, deal: Deal, at: Acting) -> None:
        raise NotImplementedError

    def why(self, deal: Deal, warnings: list[Violation]) -> str | None:
        """The event's "why" (a chosen reason, an acknowledged warning)."""
        return None

    def notices(self, old: Deal, new: Deal) -> list[Notice]:
        return []
