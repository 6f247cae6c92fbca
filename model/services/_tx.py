"""The one shape every deal-changing service has: load → apply the operation → invariants →
write + audit event + outbox, in one transaction.

What a change does and whether it is allowed is the domain's (``model.domain.operations``);
this module only carries it out. An illegal change raises before anything is written; a stale
version raises ``ConflictError`` naming who changed the deal and how.
"""
from __future__ import annotations

from model.domain.changes import diff  # noqa: F401  (re-exported: the importer describes changes with it)
from model.domain.errors import ConflictError, NotFound, RuleViolation
from model.domain.operations import Op, Outcome, apply
from model.domain.rules.invariants import change_violations
from model.domain.rules.visibility import can_see
from model.domain.schemas import Deal, Event
from model.services.context import Ctx
from model.services.outbox import deliver
from model.store import repo

# Actions that do not bump the version, so they never explain a version conflict.
_UNVERSIONED = ("favorite",)


def load_visible(ctx: Ctx, session, deal_id: str):
    rec = repo.load_for_change(session, deal_id, user=ctx.user)
    deal = rec.deal
    if not can_see(ctx.user, deal):
        # R1.3: a deal the user may not see does not exist for them.
        raise NotFound(f"no deal with id {deal_id!r}")
    return rec, deal


def last_change(session, deal_id: str) -> Event | None:
    """The newest event that changed the deal's version (the heart does not), for conflict messages."""
    return repo.last_event(session, deal_id, skip_actions=_UNVERSIONED)


def describe(event: Event | None) -> tuple[str | None, str | None]:
    if event is None:
        return None, None
    what = event.action + (f": {', '.join(event.changes)}" if event.changes else "")
    return event.actor, what


def check_version(session, deal: Deal, version: int | None) -> None:
    if version is not None and version != deal.version:
        who, what = describe(last_change(session, deal.id))
        raise ConflictError(deal.id, version, deal.version, who, what)


def store_outcome(session, rec, old: Deal, outcome: Outcome, *, actor: str, verb: str = "store the change") -> Deal:
    """Check the invariants from ``old`` to the outcome, then write it, its event and its notices."""
    broken = change_violations(outcome.deal, old)
    if broken:
        raise RuleViolation(broken, verb)
    written = repo.write_version(session, outcome.deal, rec, actor=actor)
    repo.add_event(session, old.id, outcome.event)
    deliver(session, outcome.deal, outcome.notices, outcome.event.at)
    return written.deal


def mutate(ctx: Ctx, deal_id: str, op: Op, *, version: int | None = None, actor: str | None = None) -> Deal:
    """Load the deal the user can see, check the version, apply ``op`` (its rules, then the
    invariants), write it with its audit event and notices: all in one transaction, or nothing."""
    now = ctx.now()
    with ctx.store.write() as session:
        rec, deal = load_visible(ctx, session, deal_id)
        check_version(session, deal, version)
        outcome = apply(deal, op, now=now, user=ctx.user, actor=actor)
        if not outcome.changed:
            return deal  # nothing would change: write nothing, keep the version
        return store_outcome(session, rec, deal, outcome, actor=ctx.user.login, verb=op.verb_for())
