"""Pull: GET referrals with $top, following @odata.nextLink; later pulls $filter on updatedDateTime;
each referral's eTag kept; an unchanged referral writes nothing; a change in Partner Center
arrives with the next pull, through the import's rules (the trust model)."""
from __future__ import annotations

import pytest

from model import services as svc
from model.partner_center.client import PartnerCenter
from model.services import sync
from model.store import sync as sync_store
from pc_standin import TOKEN, pc  # noqa: F401  (fixture)
from transfer_support import counts, known_catalogue, pc_list_file  # noqa: F401  (autouse fixture)

RECEIVED = "11111111-1111-4111-8111-111111111111"


def seed(pc, n_extra: int = 0):
    refs = pc_list_file()["value"]
    for r in refs:
        pc.put(r)
    base = refs[0]
    for i in range(n_extra):
        pc.put({**base, "id": f"aaaaaaaa-0000-4000-8000-{i:012d}", "name": f"Extra {i}", "engagementId": f"x{i}"})


def client(pc, **kw):
    return PartnerCenter(pc.url, TOKEN, sleep=lambda s: None, **kw)


def test_first_pull_follows_next_links_through_short_pages(ctx, pc):
    pc.page_max = 3  # Partner Center may send fewer than $top
    seed(pc, n_extra=5)
    report = sync.sync_now(ctx, push=False, client=client(pc))
    gets = pc.calls("GET")
    assert report.pulled == 9 and report.created == 9
    assert len(gets) == 3                                   # 3 + 3 + 3, the last without a nextLink
    assert gets[0].query["$top"] == "500" and "$filter" not in gets[0].query
    assert all(g.query.get("$skiptoken") for g in gets[1:])
    assert svc.get_deal(ctx, RECEIVED).name == "Services migration"


def test_etag_is_kept_and_a_second_pull_filters_on_updated_time(ctx, pc):
    seed(pc)
    sync.sync_now(ctx, push=False, client=client(pc))
    with ctx.store.read() as s:
        st = sync_store.state(s, RECEIVED)
    assert st["etag"] == pc.referrals[RECEIVED]["eTag"] and st["state"] == "in_step"
    newest = max(r["updatedDateTime"] for r in pc.referrals.values())
    before = counts(ctx.store)
    report = sync.sync_now(ctx, push=False, client=client(pc))
    last = pc.calls("GET")[-1]
    assert last.query["$filter"] == f"updatedDateTime gt {newest}"
    assert report.pulled == 0 and report.requests == 1      # a no-change pull: one request
    assert counts(ctx.store) == before                      # and no deal, event or note written


def test_a_referral_unchanged_since_the_last_pull_writes_no_event(ctx, pc):
    seed(pc)
    sync.sync_now(ctx, push=False, client=client(pc))
    pc.change(RECEIVED)  # touched (new updatedDateTime) but the same eTag is not kept: same content
    pc.referrals[RECEIVED]["eTag"] = sync_store_etag(ctx)
    before = counts(ctx.store)
    report = sync.sync_now(ctx, push=False, client=client(pc))
    assert report.pulled == 1 and report.unchanged == 1 and counts(ctx.store) == before


def sync_store_etag(ctx):
    with ctx.store.read() as s:
        return sync_store.state(s, RECEIVED)["etag"]


def test_same_content_under_a_new_etag_changes_nothing_but_the_etag(ctx, pc):
    seed(pc)
    sync.sync_now(ctx, push=False, client=client(pc))
    before = counts(ctx.store)
    pc.change(RECEIVED)  # new eTag, same fields: the import finds nothing to do
    sync.sync_now(ctx, push=False, client=client(pc))
    assert counts(ctx.store) == before
    assert sync_store_etag(ctx) == pc.referrals[RECEIVED]["eTag"]


def test_a_change_in_partner_center_arrives_with_the_next_pull_as_partner_center_says(ctx, pc):
    seed(pc)
    sync.sync_now(ctx, push=False, client=client(pc))
    pc.change(RECEIVED, status="Active", substatus="Accepted", acceptedDateTime="2026-11-20T08:30:00Z")
    report = sync.sync_now(ctx, push=False, client=client(pc))
    deal = svc.get_deal(ctx, RECEIVED)
    assert report.updated == 1 and deal.substatus.value == "Accepted"
    assert sync.sync_status(ctx) == []                      # pulled changes are in step, not pending
    assert any(e.reason == "imported from Partner Center" for e in svc.history(ctx, RECEIVED)[1:])


def test_a_pull_never_overwrites_pending_local_changes(ctx, pc):
    seed(pc)
    sync.sync_now(ctx, push=False, client=client(pc))
    svc.accept(ctx, RECEIVED, name="Ours", value=1000)
    pc.change(RECEIVED, name="Theirs")
    report = sync.sync_now(ctx, push=False, client=client(pc))
    assert report.exit_code == 5 and [c[0] for c in report.conflicts] == [RECEIVED]
    assert svc.get_deal(ctx, RECEIVED).name == "Ours"
    [row] = sync.sync_status(ctx)
    assert row.deal_id == RECEIVED and row.state == "conflict" and "Partner Center" in row.reason


def test_a_refused_referral_does_not_block_the_others(ctx, pc):
    seed(pc)
    bad = {**pc_list_file()["value"][0], "id": "bbbbbbbb-0000-4000-8000-000000000001", "status": "Nonsense"}
    pc.put(bad)
    report = sync.sync_now(ctx, push=False, client=client(pc))
    assert report.created == 4 and [r[0] for r in report.refused] == [bad["id"]]
    assert report.exit_code == 4
    with ctx.store.read() as s:
        assert sync_store.cursor(s)["last_updated"] is None   # it comes again with the next pull


@pytest.mark.parametrize("top", [1, 2])
def test_paging_with_any_top_gets_every_referral_once(ctx, pc, top, monkeypatch):
    from model.services import sync_pull

    monkeypatch.setattr(sync_pull, "PAGE", top)
    seed(pc)
    report = sync.sync_now(ctx, push=False, client=client(pc))
    assert report.pulled == 4 and report.created == 4 and len(pc.calls("GET")) == 4 // top


def test_a_local_change_racing_the_pull_becomes_a_conflict_not_an_overwrite(ctx, pc, monkeypatch):
    from model.services import sync_pull

    accepted = "22222222-2222-4222-8222-222222222222"
    seed(pc)
    sync.sync_now(ctx, push=False, client=client(pc))
    pc.change(accepted, name="Theirs")
    real, raced = sync_pull.import_referrals, []

    def change_then_import(*args, **kw):
        if not raced:  # a colleague renames the deal while the pull is between its look and its import
            raced.append(svc.edit(ctx, accepted, {"name": "Ours"}))
        return real(*args, **kw)

    monkeypatch.setattr(sync_pull, "import_referrals", change_then_import)
    report = sync.sync_now(ctx, push=False, client=client(pc))
    assert report.exit_code == 5 and svc.get_deal(ctx, accepted).name == "Ours"
    assert [(d.deal_id, d.state) for d in sync.sync_status(ctx)] == [(accepted, "conflict")]
