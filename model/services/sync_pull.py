"""The pull half of sync: Partner Center's referrals into the working copy, through the import door.

``GET …/referrals?$top=N``, following ``@odata.nextLink``; after the first pull only what
changed (``$filter=updatedDateTime gt <newest seen>``). Each referral is then one of:

- unchanged: its eTag is the one last confirmed (our own push coming back, or a page
  repeated): nothing is written, no history event;
- in conflict: the deal has local changes not yet pushed, and Partner Center changed it too:
  nothing is overwritten; Partner Center's version is kept beside the deal until someone
  decides (``resolve``);
- taken: everything else goes through ``cosell import``'s path (``transfer.import_referrals``:
  catalogue facts looked up, "Partner Center says", location from ``mpnId``), and in the same
  transaction the deal's sync state records the eTag, the version now in step and the
  referral as cosell renders it (the base of the next push's patch).

A local change that lands between sorting a batch and importing it (the dashboard open while
cron syncs) is caught inside the import's transaction by its history event: the import rolls
back and the batch is sorted again, so that deal becomes a conflict instead of being overwritten.

A batch the import refuses is taken one referral at a time, so one bad referral does not
block the rest; the refused ones are reported by id and the cursor stays where it was, so
they come again with the next pull.
"""
from __future__ import annotations

import json

from model.domain.errors import ImportRejected
from model.services.context import Ctx
from model.services.sync_render import render, state_row
from model.services.transfer import import_referrals
from model.store import bulk
from model.store import sync as sync_store

PAGE = 500     # $top
BATCH = 2_000  # referrals per import transaction
SOURCE = "Partner Center"
OWN_REASONS = (f"imported from {SOURCE}", f"learned from {SOURCE}")  # the events a pull's import writes


def pull(ctx: Ctx, client, report) -> None:
    with ctx.store.read() as session:
        since = sync_store.cursor(session)["last_updated"]
    newest, batch, refused_before = since, [], len(report.refused)
    for page in client.pages(since=since, top=PAGE):
        report.pulled += len(page)
        for ref in page:
            stamp = ref.get("updatedDateTime")
            if isinstance(stamp, str) and (newest is None or stamp > newest):
                newest = stamp
        batch += [r for r in page if isinstance(r.get("id"), str) and r["id"]]
        if len(batch) >= BATCH:
            take(ctx, batch, report)
            batch = []
    if batch:
        take(ctx, batch, report)
    with ctx.store.write() as session:
        values = {"last_pull_at": ctx.now()}
        if len(report.refused) == refused_before and newest != since:
            values["last_updated"] = newest
        sync_store.set_cursor(session, **values)


class _Raced(Exception):
    """A local change landed between sorting a batch and importing it: the import rolled back."""


def take(ctx: Ctx, refs: list[dict], report, *, attempt: int = 0) -> None:
    """Sort a batch into unchanged, conflicts and referrals to import; carry each out."""
    refs = list({r["id"]: r for r in refs}.values())  # a referral twice in one pull: its latest
    with ctx.store.read() as session:
        states = sync_store.states(session, [r["id"] for r in refs])
        stored = sync_store.versions(session, [r["id"] for r in refs])
        seen = sync_store.newest_event_id(session)
    to_import, conflicts = [], []
    for ref in refs:
        st, have = states.get(ref["id"]), stored.get(ref["id"])
        if st is not None and st["etag"] == ref.get("eTag") and st["state"] != "conflict":
            report.unchanged += 1
        elif st is not None and have is not None and (have[0] > st["synced_version"] or st["state"] == "conflict"):
            conflicts.append(ref)
        else:
            to_import.append(ref)
    if conflicts:
        with ctx.store.write() as session:
            for ref in conflicts:
                sync_store.update_state(session, ref["id"], state="conflict", theirs=ref, theirs_etag=ref.get("eTag"),
                                        reason=f"changed in Partner Center ({ref.get('updatedDateTime') or 'just now'}) "
                                               "while local changes were waiting to be pushed",
                                        updated_at=ctx.now())
        for ref in conflicts:
            report.conflict(ref["id"], ref.get("name") or "")
    if not to_import:
        return
    try:
        try:
            import_batch(ctx, to_import, report, seen=seen)
        except ImportRejected:
            for ref in to_import:
                try:
                    import_batch(ctx, [ref], report, seen=seen)
                except ImportRejected as exc:
                    report.refused.append((ref["id"], str(exc)))
    except _Raced:
        if attempt >= 3:  # someone keeps changing these deals: the next pull takes them
            report.refused += [(r["id"], "changed locally while being pulled; pulled again next time")
                               for r in to_import]
            return
        take(ctx, to_import, report, attempt=attempt + 1)  # now they are pending: conflicts, not overwrites


def import_batch(ctx: Ctx, refs: list[dict], report, *, seen: int | None = None) -> None:
    """Import ``refs`` and, in the same transaction, record each deal as in step with them.

    ``seen``: the newest history event when the batch was sorted; a deal changed locally since
    (an event that is not this import's) rolls the whole import back (``_Raced``), so a pull
    never overwrites a change it did not see."""
    by_id = {r["id"]: r for r in refs}

    def confirmed(session) -> None:
        if seen is not None and sync_store.changed_since(session, list(by_id), seen, OWN_REASONS):
            raise _Raced()
        rows = bulk.load(session, list(by_id))
        sync_store.put_states(session, [state_row(i, by_id[i].get("eTag"), rows[i].deal["version"], render(rows[i]),
                                                  ctx.now()) for i in by_id if i in rows])

    got = import_referrals(ctx, json.dumps({"value": refs}, ensure_ascii=False), source=SOURCE,
                           on_written=confirmed)
    report.created += got.created
    report.updated += got.updated + got.registrations
    report.unchanged += got.unchanged
