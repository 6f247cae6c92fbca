"""The one shape every deal-changing service has: load → check → write + audit, in one transaction.

An illegal action raises before anything is written; a stale version raises
``ConflictError`` naming who changed the deal and how.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from model.domain.errors import ConflictError, NotFound, RuleViolation, Violation
from model.domain.rules.lifecycle import Action, action_violations
from model.domain.rules.visibility import can_see
from model.domain.schemas import Deal, Event
from model.services.context import Ctx
from model.store import repo

_SKIP = {"version", "updated_at", "notes"}
# How a list entry is named in the history: who joined the team, which solution went, ...
_IDENTITY = {"team": "email", "solutions": "solution_id", "invitations": "partner_name", "contacts": "email"}
# Actions that do not bump the version, so they never explain a version conflict.
_UNVERSIONED = ("favorite",)


def _summary(key: str, items: list) -> list:
    ident = _IDENTITY.get(key)
    return [item.get(ident) if ident and isinstance(item, dict) else item for item in items]


def _inside(key: str, before: list, after: list) -> dict:
    """Same entries, changed contents (an invitation's notes): {"<entry>.<field>": [before, after]}."""
    out = {}
    for i, (x, y) in enumerate(zip(before, after)):
        if x == y or not isinstance(x, dict):
            continue
        name = _summary(key, [y])[0] or str(i)
        out.update({f"{name}.{k}": [x.get(k), v] for k, v in y.items() if x.get(k) != v})
    return out


def diff(old: Deal, new: Deal) -> dict:
    """What changed, as {field: [before, after]}; list entries are named (emails, solution ids), not dumped."""
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    out = {}
    for key in b:
        if key in _SKIP or a.get(key) == b.get(key):
            continue
        if isinstance(b[key], list):
            before, after = _summary(key, a.get(key) or []), _summary(key, b[key])
            out[key] = [before, after] if before != after else _inside(key, a.get(key) or [], b[key])
        elif isinstance(b[key], dict):
            inner = {}
            for k, v in b[key].items():
                before = (a.get(key) or {}).get(k)
                if before != v:
                    inner[k] = [_summary(k, before or []), _summary(k, v)] if isinstance(v, list) else [before, v]
            out[key] = inner
        else:
            out[key] = [a.get(key), b[key]]
    return out


def load_visible(ctx: Ctx, session, deal_id: str):
    rid = repo.resolve_id(session, deal_id, user=ctx.user)
    rec = repo.load_record(session, rid)
    deal = repo.to_deal(rec)
    if not can_see(ctx.user, deal):
        # R1.3: a deal the user may not see does not exist for them.
        raise NotFound(f"no deal with id {deal_id!r}")
    return rec, deal


def last_change(session, deal_id: str) -> Event | None:
    """The newest event that changed the deal's version (the heart does not), for conflict messages."""
    from sqlalchemy import select

    from model.store.tables import EventRecord

    r = session.scalars(
        select(EventRecord).where(EventRecord.deal_id == deal_id, EventRecord.action.not_in(_UNVERSIONED))
        .order_by(EventRecord.id.desc()).limit(1)
    ).first()
    return None if r is None else Event(at=r.at, actor=r.actor, action=r.action, changes=r.changes or {},
                                        reason=r.reason)


def describe(event: Event | None) -> tuple[str | None, str | None]:
    if event is None:
        return None, None
    what = event.action + (f": {', '.join(event.changes)}" if event.changes else "")
    return event.actor, what


def mutate(ctx: Ctx, deal_id: str, action: Action | None, change: Callable[[Deal], None], *,
           version: int | None = None, event_action: str | None = None,
           reason: str | Callable[[], str | None] | None = None,
           extra_checks: Callable[[Deal], list[Violation]] | None = None,
           after: Callable[[object, Deal, Deal], None] | None = None) -> Deal:
    """Load the deal the user can see, check the version and the rules, apply ``change``, write it
    and its audit event: all in one transaction, or nothing. ``reason`` may be a callable,
    read after the checks (they may decide it)."""
    now = ctx.now()
    verb = (action.label.lower() if action else event_action) or "change the deal"
    with ctx.store.write() as session:
        rec, deal = load_visible(ctx, session, deal_id)
        if version is not None and version != deal.version:
            who, what = describe(last_change(session, deal.id))
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
        if not changes:
            return deal  # nothing would change: write nothing, keep the version
        try:
            repo.write_deal(session, new, rec, actor=ctx.user.login)
            # Every accepted change is a new version, even one that only touches child rows
            # (team) at the same instant: force the UPDATE that carries the version check.
            flag_modified(rec, "updated_at")
            session.flush()
        except StaleDataError:
            raise ConflictError(deal.id, deal.version, deal.version + 1) from None
        repo.add_event(session, deal.id, Event(at=now, actor=ctx.user.login,
                                               action=event_action or (action.value if action else "change"),
                                               changes=changes, reason=reason() if callable(reason) else reason))
        if after is not None:
            after(session, deal, new)
        result = repo.to_deal(rec)
    return result
