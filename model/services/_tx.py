"""The one shape every deal-changing service has: load → check → write + audit, in one transaction.

An illegal action raises before anything is written; a stale version raises
``ConflictError`` naming who changed the deal and how.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm.exc import StaleDataError

from model.errors import ConflictError, NotFound, RuleViolation, Violation
from model.rules.lifecycle import Action, action_violations
from model.rules.visibility import can_see
from model.schemas import Deal, Event
from model.services.context import Ctx
from model.store import repo

_SKIP = {"version", "updated_at", "notes"}


def diff(old: Deal, new: Deal) -> dict:
    """What changed, as {field: [before, after]}; lists are summarised, not dumped."""
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    out = {}
    for key in b:
        if key in _SKIP or a.get(key) == b.get(key):
            continue
        if isinstance(b[key], list):
            out[key] = [len(a.get(key) or []), len(b[key])]
        elif isinstance(b[key], dict):
            inner = {k: [a[key].get(k), v] for k, v in b[key].items() if a[key].get(k) != v}
            out[key] = inner
        else:
            out[key] = [a.get(key), b[key]]
    return out


def load_visible(ctx: Ctx, session, deal_id: str):
    rid = repo.resolve_id(session, deal_id)
    rec = repo.load_record(session, rid)
    deal = repo.to_deal(rec)
    if not can_see(ctx.user, deal):
        # R1.3: a deal the user may not see does not exist for them.
        raise NotFound(f"no deal with id {deal_id!r}")
    return rec, deal


def describe(event: Event | None) -> tuple[str | None, str | None]:
    if event is None:
        return None, None
    what = event.action + (f": {', '.join(event.changes)}" if event.changes else "")
    return event.actor, what


def mutate(ctx: Ctx, deal_id: str, action: Action | None, change: Callable[[Deal], None], *,
           version: int | None = None, event_action: str | None = None, reason: str | None = None,
           extra_checks: Callable[[Deal], list[Violation]] | None = None,
           after: Callable[[object, Deal, Deal], None] | None = None) -> Deal:
    now = ctx.now()
    verb = (action.label.lower() if action else event_action) or "change the deal"
    with ctx.store.write() as session:
        rec, deal = load_visible(ctx, session, deal_id)
        if version is not None and version != deal.version:
            who, what = describe(repo.last_event(session, deal.id))
            raise ConflictError(deal.id, version, deal.version, who, what)
        violations = action_violations(deal, action, now) if action else []
        if not violations and extra_checks:
            violations = extra_checks(deal)
        if violations:
            raise RuleViolation(violations, verb)
        new = deal.model_copy(deep=True)
        change(new)
        new.updated_at = now
        changes = diff(deal, new)
        if len(new.notes) > len(deal.notes):
            changes["note"] = new.notes[-1].text
        try:
            repo.write_deal(session, new, rec, actor=ctx.user.login)
            session.flush()
        except StaleDataError:
            raise ConflictError(deal.id, deal.version, deal.version + 1) from None
        repo.add_event(session, deal.id, Event(at=now, actor=ctx.user.login,
                                               action=event_action or (action.value if action else "change"),
                                               changes=changes, reason=reason))
        if after is not None:
            after(session, deal, new)
        result = repo.to_deal(rec)
    return result
