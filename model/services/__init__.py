"""One function per user action; each is one transaction with an audit event.

Faces import from here: ``from model import services as svc; svc.accept(ctx, id)``.

The names are resolved lazily (PEP 562): ``svc.list_deals`` imports
``model.services.queries`` the first time it is used, not every service of the
package. A ``cosell list`` from cron then pays for the read side only, not for
creation, collaboration or the Partner Center sync (each CLI call is a fresh
process, so import time is most of what a read-only command costs).
``from model.services import X`` works as before, for names and submodules alike.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: Each public name -> the submodule that defines it.
_HOME = {
    "edit_invitation": "collaboration", "invite_microsoft": "collaboration", "invite_partner": "collaboration",
    "microsoft_respond": "collaboration", "upgrade": "collaboration",
    "Ctx": "context",
    "create_deal": "creation", "draft_violations": "creation", "receive_inbound": "creation",
    "add_note": "editing", "add_solution": "editing", "add_team_member": "editing", "edit": "editing",
    "remove_solution": "editing", "remove_team_member": "editing", "set_favorite": "editing",
    "accept": "lifecycle", "close_as_error": "lifecycle", "decline": "lifecycle", "lost": "lifecycle",
    "mark_stage": "lifecycle", "register": "lifecycle", "review_registration": "lifecycle", "sweep": "lifecycle",
    "won": "lifecycle",
    "ExpiringDeal": "queries", "count_deals": "queries", "expiring_deals": "queries", "expiry_moves": "queries",
    "get_deal": "queries", "history": "queries", "list_deals": "queries", "recent_people": "queries",
    "tab_summary": "queries", "deal_view": "queries", "tab_counts": "queries",
    "stages_in_view": "facets",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    home = _HOME.get(name)
    if home is None:
        # A submodule not imported yet (``svc.delivery``): Python's own lookup failed before
        # calling this, so import it by name; anything else is a plain AttributeError.
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # the next lookup is a plain dict hit
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


if TYPE_CHECKING:  # what type checkers and editors see; at run time the names come from __getattr__
    from model.services.collaboration import (  # noqa: F401
        edit_invitation, invite_microsoft, invite_partner, microsoft_respond, upgrade,
    )
    from model.services.context import Ctx  # noqa: F401
    from model.services.creation import create_deal, draft_violations, receive_inbound  # noqa: F401
    from model.services.editing import (  # noqa: F401
        add_note, add_solution, add_team_member, edit, remove_solution, remove_team_member, set_favorite,
    )
    from model.services.lifecycle import (  # noqa: F401
        accept, close_as_error, decline, lost, mark_stage, register, review_registration, sweep, won,
    )
    from model.services.facets import stages_in_view  # noqa: F401
    from model.services.queries import (  # noqa: F401
        ExpiringDeal, count_deals, deal_view, expiring_deals, expiry_moves, get_deal, history, list_deals,
        recent_people, tab_counts, tab_summary,
    )
