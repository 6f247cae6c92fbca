"""Two cosell databases (two teams' working copies) syncing through one Partner Center stand-in:
an accept in one reaches the other; both editing one deal gives exactly one conflict, and no
change is lost without someone deciding."""
from __future__ import annotations

from factories import ADMIN
from model import services as svc
from model.clock import FixedClock
from model.partner_center.client import PartnerCenter
from model.services import sync
from model.services.context import Ctx
from pc_standin import TOKEN, pc, peer_store  # noqa: F401  (fixtures)
from transfer_support import known_catalogue, pc_list_file  # noqa: F401  (autouse fixture)

RECEIVED = "11111111-1111-4111-8111-111111111111"


def client(pc):
    return PartnerCenter(pc.url, TOKEN, sleep=lambda s: None)


def both(ctx, peer_store, pc):
    for r in pc_list_file()["value"]:
        pc.put(r)
    other = Ctx(store=peer_store, clock=FixedClock(ctx.clock.now()), user=ADMIN)
    for c in (ctx, other):
        assert sync.sync_now(c, client=client(pc)).exit_code == 0
    return other


def test_an_accept_in_one_reaches_the_other(ctx, peer_store, pc):
    other = both(ctx, peer_store, pc)
    svc.accept(ctx, RECEIVED, name="Accepted in A", value=80000)
    assert sync.sync_now(ctx, client=client(pc)).exit_code == 0
    report = sync.sync_now(other, client=client(pc))
    deal = svc.get_deal(other, RECEIVED)
    assert report.exit_code == 0 and report.updated == 1
    assert (deal.substatus.value, deal.name, deal.value) == ("Accepted", "Accepted in A", 80000)
    assert sync.sync_status(other) == [] and sync.sync_status(ctx) == []
    # and back: B's stage reaches A, and nothing bounces around again
    svc.mark_stage(other, RECEIVED)
    assert sync.sync_now(other, client=client(pc)).exit_code == 0
    assert sync.sync_now(ctx, client=client(pc)).updated == 1
    assert svc.get_deal(ctx, RECEIVED).stage == svc.get_deal(other, RECEIVED).stage
    quiet = [sync.sync_now(c, client=client(pc)) for c in (ctx, other)]
    assert [(q.pulled - q.unchanged, q.pushed) for q in quiet] == [(0, 0), (0, 0)]


def test_both_editing_one_deal_gives_exactly_one_conflict_and_loses_no_change(ctx, peer_store, pc):
    other = both(ctx, peer_store, pc)
    svc.accept(ctx, RECEIVED, name="A's name")
    svc.accept(other, RECEIVED, name="B's name")
    first = sync.sync_now(ctx, client=client(pc))
    second = sync.sync_now(other, client=client(pc))
    assert first.exit_code == 0 and second.exit_code == 5
    assert first.conflicts == [] and [c[0] for c in second.conflicts] == [RECEIVED]
    assert pc.referrals[RECEIVED]["name"] == "A's name"                  # A's change is there
    assert svc.get_deal(other, RECEIVED).name == "B's name"              # B's is kept, not overwritten
    [row] = sync.sync_status(other)
    assert row.state == "conflict"
    sync.resolve(other, RECEIVED, keep_mine=True)                        # B decides
    assert sync.sync_now(other, client=client(pc)).exit_code == 0
    assert sync.sync_now(ctx, client=client(pc)).exit_code == 0
    assert svc.get_deal(ctx, RECEIVED).name == pc.referrals[RECEIVED]["name"] == "B's name"
    assert any(e.actor for e in svc.history(ctx, RECEIVED) if e.changes.get("name"))  # A's history keeps both
