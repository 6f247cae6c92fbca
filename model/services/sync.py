"""Sync with Partner Center: the faces' door (``cosell sync``, the dashboard's marks and ``S``).

Partner Center is the system of record, cosell the team's working copy. ``sync_now`` pulls
(``sync_pull``) then pushes (``sync_push``); ``sync_status`` reads only the database (it works
offline) and names every deal not in step; ``resolve`` settles a conflict. The offline queue
is not a table of its own: a deal whose version is newer than the version Partner Center last
confirmed is pending (``model.store.sync``), so every local action queues its push in its own
transaction without knowing sync exists, and a failed push loses nothing.

Outcomes and exit codes (``SyncReport.exit_code``): 0 all in step; 2 sign-in needed (raised,
before anything changes); 4 Partner Center refused a change or the import refused a referral;
5 a conflict needs a decision; 6 Partner Center unreachable (raised; changes stay queued).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from model.domain.errors import CosellError
from model.services.context import Ctx
from model.services.sync_settings import SyncSettings, load_settings, pull_interval  # noqa: F401 (re-exported)
from model.store import repo
from model.store import sync as sync_store

IN_STEP, PENDING, FAILED, CONFLICT = "in_step", "pending", "failed", "conflict"


class NothingToResolve(CosellError):
    exit_code = 2


@dataclass(frozen=True)
class DealSync:
    """One deal not in step with Partner Center, and why."""

    deal_id: str
    name: str
    state: str      # pending | failed | conflict
    reason: str


@dataclass(frozen=True)
class SyncSummary:
    """The dashboard's header line: last pull, queued changes, conflicts."""

    configured: bool
    last_pull_at: datetime | None
    last_push_at: datetime | None
    pending: int
    failed: int
    conflicts: int


@dataclass
class SyncReport:
    pulled: int = 0            # referrals Partner Center sent
    created: int = 0           # new deals from Partner Center
    updated: int = 0           # deals Partner Center changed
    unchanged: int = 0
    pushed: int = 0            # PATCHes and POSTs Partner Center took
    in_step_without_push: int = 0   # e.g. a local expiry: nothing to tell Partner Center
    created_remote: list = field(default_factory=list)   # (local id, Partner Center's id)
    conflicts: list = field(default_factory=list)        # (id, name)
    failed: list = field(default_factory=list)           # (id, name, Partner Center's words)
    refused: list = field(default_factory=list)          # (id, why the import refused the referral)
    requests: int = 0

    def conflict(self, deal_id: str, name: str) -> None:
        """A deal in conflict, listed once however many halves of the sync found it."""
        if deal_id not in {c[0] for c in self.conflicts}:
            self.conflicts.append((deal_id, name))

    @property
    def exit_code(self) -> int:
        if self.conflicts:
            return 5
        if self.failed or self.refused:
            return 4
        return 0


def _reason(row: dict) -> tuple[str, str]:
    if row["state"] is None:
        return PENDING, "new deal, not yet in Partner Center"
    if row["state"] == CONFLICT:
        return CONFLICT, row["reason"] or "changed both here and in Partner Center"
    if row["state"] == FAILED:
        return FAILED, row["last_error"] or row["reason"] or "Partner Center refused the change"
    n = row["version"] - (row["synced_version"] or 0)
    return PENDING, f"{n} local change{'s' if n != 1 else ''} not yet pushed"


def sync_status(ctx: Ctx) -> list[DealSync]:
    """Every deal the user may see that is not in step (oldest change first); local only."""
    from model.domain.rules.visibility import can_see

    with ctx.store.read() as session:
        rows = sync_store.out_of_step(session)
        out = []
        for row in rows:
            if not ctx.user.is_admin and not can_see(ctx.user, repo.to_deal(repo.load_record(session, row["id"]))):
                continue
            state, why = _reason(row)
            out.append(DealSync(row["id"], row["name"], state, why))
    return out


def sync_marks(ctx: Ctx, deal_ids: list[str]) -> dict[str, str]:
    """The mark of each of these deals (a dashboard page's): in_step, pending, failed or conflict."""
    marks = {i: IN_STEP for i in deal_ids}
    with ctx.store.read() as session:
        for row in sync_store.out_of_step(session, ids=list(deal_ids)):
            marks[row["id"]] = _reason(row)[0]
    return marks


def sync_summary(ctx: Ctx, settings: SyncSettings | None = None) -> SyncSummary:
    settings = settings or load_settings()
    with ctx.store.read() as session:
        cur = sync_store.cursor(session)
        counts = sync_store.count_out_of_step(session)
    return SyncSummary(settings.configured, cur["last_pull_at"], cur["last_push_at"], counts["pending"],
                       counts["failed"], counts["conflict"])


def client_for(settings: SyncSettings, *, sleep: Callable[[float], None] | None = None):
    """The Referrals API client, signed in (``SignInNeeded`` if not: nothing has changed yet)."""
    from model.partner_center.client import PartnerCenter
    from model.services.sync_login import access_token

    kw = {"sleep": sleep} if sleep is not None else {}
    return PartnerCenter(settings.api_url, access_token(settings), **kw)


def sync_now(ctx: Ctx, *, pull: bool = True, push: bool = True, client=None,
             sleep: Callable[[float], None] | None = None) -> SyncReport:
    """Pull then push (or one half). Raises ``SignInNeeded`` (exit 2) before anything changes,
    ``Unreachable`` (exit 6) keeping every queued change; returns the report otherwise."""
    from model.services.sync_pull import pull as do_pull
    from model.services.sync_push import push as do_push

    own = client is None
    client = client or client_for(load_settings(), sleep=sleep)
    report, before = SyncReport(), client.requests
    try:
        if pull:
            do_pull(ctx, client, report)
        if push:
            do_push(ctx, client, report)
            with ctx.store.write() as session:
                sync_store.set_cursor(session, last_push_at=ctx.now())
    finally:
        report.requests = client.requests - before
        if own:
            client.close()
    return report


def resolve(ctx: Ctx, deal_id: str, keep_mine: bool) -> DealSync | None:
    """Settle a conflict. Keep mine: Partner Center's version becomes the base, so the next push
    makes Partner Center what this deal is. Take theirs: Partner Center's version is imported
    over the local one (the import's rules and history), and the deal is in step again."""
    from model.services.sync_pull import import_batch

    with ctx.store.read() as session:
        rid = repo.resolve_id(session, deal_id, user=ctx.user)
        st = sync_store.state(session, rid)
    if st is None or st["state"] != CONFLICT or st["theirs"] is None:
        raise NothingToResolve(f"deal {rid} is not in conflict with Partner Center; `cosell sync --status` "
                               "lists the conflicts")
    theirs = json.loads(json.dumps(st["theirs"]))
    if keep_mine:
        from model.partner_center.patch import SERVER_KEYS

        with ctx.store.write() as session:
            sync_store.update_state(session, rid, state="in_step", base={k: v for k, v in theirs.items()
                                                                           if k not in SERVER_KEYS},
                                    etag=st["theirs_etag"], theirs=None, theirs_etag=None,
                                    reason=None, updated_at=ctx.now())
    else:
        import_batch(ctx, [theirs], SyncReport())
    left = [d for d in sync_status(ctx) if d.deal_id == rid]
    return left[0] if left else None
