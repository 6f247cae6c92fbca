"""The push half of sync: each deal's local changes to Partner Center, oldest change first.

A deal Partner Center has seen gets ``PATCH …/referrals/{id}``: the JSON Patch from the
referral last confirmed to the referral the deal is now (status and substatus in the same
patch), ``If-Match`` the eTag last seen, verbatim; the answer's eTag is kept. A new outbound
deal gets ``POST …/referrals``, and the id Partner Center assigns replaces the local one
everywhere, in one transaction. What a push may not say: "Expired" is Partner Center's to
decide, so a deal the local sweep expired pushes everything but its status (and nothing at
all if that was its only change).

A 412 overwrites nothing: the deal is put in conflict with Partner Center's current version
beside it. A refusal (4xx) marks the deal failed with Partner Center's words; the other deals
go on. Unreachable or still throttled after the retries: the push stops and everything not
yet pushed stays queued (the error propagates, exit 6). A deal changed locally while its push
was in flight stays pending: only the version that was pushed is recorded as in step.
"""
from __future__ import annotations

from model.domain.schemas import Event
from model.partner_center.client import EtagMismatch, PartnerCenterRefused
from model.partner_center.patch import json_patch
from model.services.context import Ctx
from model.services.sync_render import render, state_row
from model.store import bulk
from model.store import sync as sync_store

#: What only Partner Center moves to "Expired" (R8.2 locally; its own expiry there).
EXPIRY_PATHS = ("/status", "/substatus", "/closedDateTime", "/statusReason", "/expirationDateTime")


def push(ctx: Ctx, client, report, *, only: set[str] | None = None) -> None:
    with ctx.store.read() as session:
        queue = sync_store.out_of_step(session)
    for item in queue:
        if only is not None and item["id"] not in only:
            continue
        if item["state"] == "conflict":
            report.conflict(item["id"], item["name"])
            continue
        push_one(ctx, client, item["id"], report)


def push_one(ctx: Ctx, client, deal_id: str, report) -> None:
    with ctx.store.read() as session:
        rows = bulk.load(session, [deal_id]).get(deal_id)
        st = sync_store.state(session, deal_id)
    if rows is None:
        return
    now, version, current = ctx.now(), rows.deal["version"], render(rows)
    if st is None or (st["etag"] is None and st["base"] is None):  # never in Partner Center (or its POST failed)
        if rows.deal["direction"] != "Outgoing":
            return
        _create(ctx, client, deal_id, version, current, report)
        return
    ops = json_patch(st["base"] or {}, current)
    if rows.deal["substatus"] == "Expired":
        ops = [op for op in ops if not op["path"].startswith(EXPIRY_PATHS)]
    if not ops:
        with ctx.store.write() as session:
            sync_store.update_state(session, deal_id, synced_version=version, base=current, state="in_step",
                                    reason=None, last_error=None, attempts=0, updated_at=now)
        report.in_step_without_push += 1
        return
    try:
        answer = client.patch(deal_id, ops, st["etag"])
    except EtagMismatch:
        theirs = client.get(deal_id)
        with ctx.store.write() as session:
            sync_store.update_state(session, deal_id, state="conflict", theirs=theirs, theirs_etag=theirs.get("eTag"),
                                    reason="Partner Center has a newer version (412: eTag no longer matches); "
                                           "keep yours or take theirs", updated_at=now)
        report.conflict(deal_id, rows.deal["name"])
        return
    except PartnerCenterRefused as exc:
        _failed(ctx, deal_id, st, str(exc), report, rows.deal["name"])
        return
    with ctx.store.write() as session:
        sync_store.update_state(session, deal_id, etag=answer.get("eTag") or st["etag"], synced_version=version,
                                base=current, state="in_step", reason=None, theirs=None, theirs_etag=None,
                                attempts=0, last_error=None, updated_at=now)
    report.pushed += 1


def _failed(ctx: Ctx, deal_id: str, st: dict | None, message: str, report, name: str) -> None:
    with ctx.store.write() as session:
        if st is None:
            sync_store.put_states(session, [{"deal_id": deal_id, "synced_version": 0, "state": "failed",
                                             "reason": message, "last_error": message, "attempts": 1,
                                             "updated_at": ctx.now()}])
        else:
            sync_store.update_state(session, deal_id, state="failed", reason=message, last_error=message,
                                    attempts=(st["attempts"] or 0) + 1, updated_at=ctx.now())
    report.failed.append((deal_id, name, message))


def _create(ctx: Ctx, client, deal_id: str, version: int, body: dict, report) -> None:
    """POST a new outbound deal; Partner Center's id replaces ours everywhere."""
    try:
        answer = client.create(body)
    except PartnerCenterRefused as exc:
        _failed(ctx, deal_id, None, str(exc), report, body.get("name") or "")
        return
    new_id = answer.get("id") if isinstance(answer.get("id"), str) and answer.get("id") else deal_id
    with ctx.store.write() as session:
        if new_id != deal_id:
            sync_store.replace_deal_id(session, deal_id, new_id, ctx.now())
            bulk.insert_events(session, [bulk.event_row(new_id, Event(
                at=ctx.now(), actor="Partner Center", action="sync", changes={"id": [deal_id, new_id]},
                reason="created in Partner Center, which assigned the deal its id"))])
        sync_store.put_states(session, [state_row(new_id, answer.get("eTag"), version, body, ctx.now())])
    report.created_remote.append((deal_id, new_id))
    report.pushed += 1
