"""A 412 overwrites nothing: the deal is in conflict, listed, and the sync says 5; --resolve
settles it: keep mine (the next push makes Partner Center this deal) or take theirs (Partner
Center's version imported over the local one)."""
from __future__ import annotations

import pytest

from model import services as svc
from model.partner_center.client import PartnerCenter
from model.services import sync
from model.services.sync import NothingToResolve
from model.store import sync as sync_store
from pc_standin import TOKEN, pc  # noqa: F401  (fixture)
from transfer_support import known_catalogue, pc_list_file  # noqa: F401  (autouse fixture)

ACCEPTED = "22222222-2222-4222-8222-222222222222"


def client(pc):
    return PartnerCenter(pc.url, TOKEN, sleep=lambda s: None)


@pytest.fixture
def in_conflict(ctx, pc):
    """Pulled; then Partner Center changes the value while we rename the deal, and we push only."""
    for r in pc_list_file()["value"]:
        pc.put(r)
    sync.sync_now(ctx, push=False, client=client(pc))
    ref = pc.referrals[ACCEPTED]
    pc.change(ACCEPTED, details={**ref["details"], "dealValue": 99000})
    svc.edit(ctx, ACCEPTED, {"name": "Ours"})
    report = sync.sync_now(ctx, pull=False, client=client(pc))
    return report


def test_412_marks_the_deal_in_conflict_and_overwrites_nothing(ctx, pc, in_conflict):
    [req] = pc.calls("PATCH")
    assert in_conflict.exit_code == 5 and in_conflict.conflicts == [(ACCEPTED, "Ours")]
    assert pc.referrals[ACCEPTED]["name"] == "Fabric rollout"              # nothing overwritten there
    assert svc.get_deal(ctx, ACCEPTED).name == "Ours"                      # nor here
    [row] = sync.sync_status(ctx)
    assert (row.deal_id, row.state) == (ACCEPTED, "conflict") and "412" in row.reason
    again = sync.sync_now(ctx, client=client(pc))                          # still 5 until decided
    assert again.exit_code == 5 and len(pc.calls("PATCH")) == 1


def test_keep_mine_pushes_ours_over_theirs_with_their_etag(ctx, pc, in_conflict):
    theirs_etag = pc.referrals[ACCEPTED]["eTag"]
    left = sync.resolve(ctx, ACCEPTED, keep_mine=True)
    assert left is not None and left.state == "pending"
    assert sync.sync_now(ctx, client=client(pc)).exit_code == 0
    last = pc.calls("PATCH")[-1]
    assert last.headers["If-Match"] == theirs_etag
    assert pc.referrals[ACCEPTED]["name"] == "Ours"
    assert pc.referrals[ACCEPTED]["details"]["dealValue"] == 40000          # ours, as decided
    assert sync.sync_status(ctx) == []


def test_take_theirs_imports_partner_centers_version(ctx, pc, in_conflict):
    left = sync.resolve(ctx, ACCEPTED, keep_mine=False)
    deal = svc.get_deal(ctx, ACCEPTED)
    assert left is None and deal.name == "Fabric rollout" and deal.value == 99000
    assert sync.sync_status(ctx) == []
    before = len(pc.calls("PATCH"))
    assert sync.sync_now(ctx, client=client(pc)).exit_code == 0 and len(pc.calls("PATCH")) == before
    assert any(e.reason == "imported from Partner Center" for e in svc.history(ctx, ACCEPTED))


def test_resolving_a_deal_that_is_not_in_conflict_is_refused(ctx, pc, in_conflict):
    other = "33333333-3333-4333-8333-333333333333"
    with pytest.raises(NothingToResolve) as err:
        sync.resolve(ctx, other, keep_mine=True)
    assert err.value.exit_code == 2
    with ctx.store.read() as s:
        assert sync_store.state(s, other)["state"] == "in_step"
