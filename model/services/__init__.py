"""One function per user action; each is one transaction with an audit event.

Faces import from here: ``from model import services as svc; svc.accept(ctx, id)``.
"""
from model.services.collaboration import (
    edit_invitation, invite_microsoft, invite_partner, microsoft_respond, upgrade,
)
from model.services.context import Ctx
from model.services.creation import create_deal, draft_violations, receive_inbound
from model.services.editing import (
    add_note, add_solution, add_team_member, edit, remove_solution, remove_team_member, set_favorite,
)
from model.services.lifecycle import (
    accept, close_as_error, decline, lost, mark_stage, register, review_registration, sweep, won,
)
from model.services.queries import (
    ExpiringDeal, count_deals, expiring_deals, get_deal, history, list_deals, recent_people, tab_summary,
)

__all__ = [
    "Ctx", "ExpiringDeal", "accept", "add_note", "add_solution", "add_team_member", "close_as_error", "count_deals",
    "create_deal", "decline", "draft_violations", "edit", "edit_invitation", "expiring_deals", "get_deal",
    "history", "invite_microsoft", "invite_partner", "list_deals", "lost", "mark_stage", "microsoft_respond",
    "receive_inbound", "recent_people", "register", "remove_solution", "remove_team_member",
    "review_registration", "set_favorite", "sweep", "tab_summary", "upgrade", "won",
]
