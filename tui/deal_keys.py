"""Which deal keys a screen shows: exactly what the model allows the deal now.

The dashboard and the deal detail ask ``available_actions`` (through
``tui.deal_actions.verdict``) once per deal they show, and keep the allowed set.
Their footer and command palette (built from ``active_bindings``) then list
only the deal actions in that set; the help lists every key (``every_binding``). A deal key that is not listed
still works when pressed: ``run_deal_action`` asks the model again and shows
why not (R8.9's "mark Proposed first"), so no key ever fails silently.
"""
from __future__ import annotations

import re

from model.domain.rules.lifecycle import Action

_CALL = re.compile(r"^(?P<name>\w+)\('(?P<arg>\w+)'\)$")


def deal_action_of(binding_action: str, names: tuple[str, ...]) -> Action | None:
    """``deal('accept')`` → ``Action.ACCEPT`` when ``deal`` is one of ``names``; else None."""
    match = _CALL.match(binding_action)
    if match is None or match["name"] not in names:
        return None
    try:
        return Action(match["arg"])
    except ValueError:
        return None


class OffersDealActions:
    """Mixin for a ``Screen`` whose deal keys are bindings like ``deal('won')``.

    Subclasses name those actions in ``DEAL_ACTIONS`` and return the allowed set
    from ``offered_actions`` (None: no deal to act on, so none is listed).
    """

    DEAL_ACTIONS: tuple[str, ...] = ("deal",)

    def offered_actions(self) -> frozenset[Action] | None:  # pragma: no cover - every screen overrides
        raise NotImplementedError

    @property
    def every_binding(self):
        """Every binding, deal keys included whether or not the deal allows them now (the help lists all)."""
        return super().active_bindings

    @property
    def active_bindings(self):
        bindings = super().active_bindings
        offered = self.offered_actions() or frozenset()
        return {key: active for key, active in bindings.items()
                if (act := deal_action_of(active.binding.action, self.DEAL_ACTIONS)) is None or act in offered}
