"""Push: each local change becomes a PATCH (JSON Patch, replace/add only, status and substatus in
the same patch, If-Match the eTag last seen, verbatim; the answer's eTag kept); a new outbound
deal is POSTed and takes Partner Center's id everywhere; "Expired" is never pushed; offline the
changes queue in the database and go later, in order."""
from __future__ import annotations

from datetime import timedelta

import pytest

from factories import NOW, PLAIN_APP, Person, make_draft
from model import services as svc
from model.domain.errors import NotFound
from model.partner_center.client import PartnerCenter, Unreachable
from model.services import sync
from model.store import sync as sync_store
from pc_standin import TOKEN, pc  # noqa: F401  (fixture)
from shared_support import closed_port
from transfer_support import counts, known_catalogue, pc_list_file  # noqa: F401  (autouse fixture)

RECEIVED = "11111111-1111-4111-8111-111111111111"
ACCEPTED = "22222222-2222-4222-8222-222222222222"


def client(pc):
    return PartnerCenter(pc.url, TOKEN, sleep=lambda s: None)


def pulled(ctx, pc):
    for r in pc_list_file()["value"]:
        pc.put(r)
    sync.sync_now(ctx, push=False, client=client(pc))


def patches(pc, deal_id):
    return [r for r in pc.calls("PATCH") if r.path.endswith(deal_id)]


def ops_by_path(request) -> dict:
    return {op["path"]: op for op in request.body}


def test_accept_leaves_partner_center_active_accepted_with_the_name_and_value_given(ctx, pc):  # R8.3
    pulled(ctx, pc)
    etag = pc.referrals[RECEIVED]["eTag"]
    svc.accept(ctx, RECEIVED, name="Migration for Contoso", value=75000)
    report = sync.sync_now(ctx, client=client(pc))
    assert report.exit_code == 0 and report.pushed == 1
    [req] = patches(pc, RECEIVED)
    assert req.headers["If-Match"] == etag                          # verbatim, quotes and all
    assert all(op["op"] in ("replace", "add") for op in req.body)
    ops = ops_by_path(req)
    assert ops["/status"]["value"] == "Active" and ops["/substatus"]["value"] == "Accepted"  # one PATCH
    ref = pc.referrals[RECEIVED]
    assert (ref["status"], ref["substatus"], ref["name"], ref["details"]["dealValue"]) == \
        ("Active", "Accepted", "Migration for Contoso", 75000)
    with ctx.store.read() as s:
        assert sync_store.state(s, RECEIVED)["etag"] == ref["eTag"] != etag   # the answer's eTag kept
    assert sync.sync_status(ctx) == []


def test_decline_leaves_closed_declined_with_a_reason(ctx, pc):  # R8.4
    pulled(ctx, pc)
    svc.decline(ctx, RECEIVED, "Customer not interested")
    assert sync.sync_now(ctx, client=client(pc)).exit_code == 0
    ref = pc.referrals[RECEIVED]
    assert (ref["status"], ref["substatus"]) == ("Closed", "Declined") and ref["statusReason"].strip()


def test_stages_notes_edits_team_and_solutions_reach_partner_center(ctx, pc):  # R8.7, R5, R6.1, R6.4
    pulled(ctx, pc)
    svc.mark_stage(ctx, ACCEPTED)
    svc.add_note(ctx, ACCEPTED, "Workshop booked for Monday")
    svc.edit(ctx, ACCEPTED, {"name": "Fabric rollout, phase 1"})
    svc.add_team_member(ctx, ACCEPTED, Person(name="Eve Engineer", phone="+46 70 000", email="eve@contoso-partner.com"))
    svc.add_solution(ctx, ACCEPTED, PLAIN_APP.solution_id)
    before = pc.referrals[ACCEPTED]
    assert sync.sync_now(ctx, client=client(pc)).exit_code == 0
    ref = pc.referrals[ACCEPTED]
    assert len(patches(pc, ACCEPTED)) == 1                          # one PATCH for the deal's changes
    assert ref["name"] == "Fabric rollout, phase 1"
    assert ref["details"]["notes"] == "Workshop booked for Monday"
    assert ref["salesStage"] != before["salesStage"]
    assert "eve@contoso-partner.com" in [m["email"] for m in ref["team"]]
    assert PLAIN_APP.solution_id in [s["id"] for s in ref["details"]["requirements"]["solutions"]]


def test_won_and_lost_are_pushed(ctx, pc):  # R8.9, R8.11
    pulled(ctx, pc)
    from model.domain.rules.lifecycle import next_stage

    deal = svc.get_deal(ctx, ACCEPTED)
    while next_stage(svc.get_deal(ctx, ACCEPTED)) is not None:
        svc.mark_stage(ctx, ACCEPTED)
    svc.won(ctx, ACCEPTED, confirm_early=True)
    assert deal.substatus.value == "Accepted"
    assert sync.sync_now(ctx, client=client(pc)).exit_code == 0
    assert (pc.referrals[ACCEPTED]["status"], pc.referrals[ACCEPTED]["substatus"]) == ("Closed", "Won")
    other = "33333333-3333-4333-8333-333333333333"
    svc.lost(ctx, other, "Price")
    assert sync.sync_now(ctx, client=client(pc)).exit_code == 0
    ref = pc.referrals[other]
    assert (ref["status"], ref["substatus"]) == ("Closed", "Lost") and ref["statusReason"]


def test_a_new_outbound_deal_is_posted_and_takes_partner_centers_id_everywhere(ctx, pc):
    deal = svc.create_deal(ctx, make_draft(), confirm_warnings=True)
    svc.add_note(ctx, deal.id, "before the first sync")
    svc.set_favorite(ctx, deal.id, True)
    [row] = sync.sync_status(ctx)
    assert row.deal_id == deal.id and row.state == "pending" and "not yet in Partner Center" in row.reason
    before = counts(ctx.store)
    report = sync.sync_now(ctx, client=client(pc))
    [post] = pc.calls("POST")
    assert "id" not in post.body and post.body["name"] == deal.name
    [(old, new)] = report.created_remote
    assert old == deal.id and new in pc.referrals and new != deal.id
    moved = svc.get_deal(ctx, new)
    assert moved.favorite and [n.text for n in moved.notes][-1] == "before the first sync"
    history = svc.history(ctx, new)
    assert history[0].action == "create" and history[-1].changes == {"id": [deal.id, new]}
    after = counts(ctx.store)
    assert after["deals"] == before["deals"] and after["deal_events"] == before["deal_events"] + 1
    with pytest.raises(NotFound):
        svc.get_deal(ctx, deal.id)
    assert sync.sync_status(ctx) == []
    svc.add_note(ctx, new, "after")                                 # later changes are PATCHes
    sync.sync_now(ctx, client=client(pc))
    assert pc.referrals[new]["details"]["notes"] == "after" and len(pc.calls("POST")) == 1


def test_the_local_sweep_expires_but_never_pushes_expired(ctx, pc):  # R8.2: expiry is Partner Center's
    pulled(ctx, pc)
    ctx.clock.set(NOW + timedelta(days=40))
    expired = svc.sweep(ctx)
    assert RECEIVED in [d.id for d in expired]
    report = sync.sync_now(ctx, push=True, pull=False, client=client(pc))
    assert report.exit_code == 0 and patches(pc, RECEIVED) == []
    assert pc.referrals[RECEIVED]["substatus"] == "Received"
    assert sync.sync_status(ctx) == []


def test_offline_actions_queue_and_go_later_in_order(ctx, pc):
    pulled(ctx, pc)
    svc.accept(ctx, RECEIVED)                                        # local actions still succeed
    svc.add_note(ctx, ACCEPTED, "offline note")
    svc.add_note(ctx, RECEIVED, "second offline note")
    queued = [d.deal_id for d in sync.sync_status(ctx)]
    assert queued == [ACCEPTED, RECEIVED]                           # oldest change first
    dead = PartnerCenter(f"http://127.0.0.1:{closed_port()}", TOKEN, sleep=lambda s: None)
    with pytest.raises(Unreachable) as err:
        sync.sync_now(ctx, client=dead)
    assert err.value.exit_code == 6
    assert [d.deal_id for d in sync.sync_status(ctx)] == queued     # the queue is kept
    report = sync.sync_now(ctx, client=client(pc))
    assert report.exit_code == 0 and report.pushed == 2
    assert [r.path.rsplit("/", 1)[-1] for r in pc.calls("PATCH")] == [ACCEPTED, RECEIVED]
    assert pc.referrals[RECEIVED]["details"]["notes"] == "second offline note"
    assert sync.sync_status(ctx) == []


def test_a_refused_push_is_failed_with_partner_centers_words_and_the_rest_go_on(ctx, pc):
    pulled(ctx, pc)
    svc.accept(ctx, RECEIVED)
    svc.add_note(ctx, ACCEPTED, "two")
    pc.referrals.pop(RECEIVED)                                      # Partner Center answers 404
    report = sync.sync_now(ctx, pull=False, client=client(pc))
    assert report.exit_code == 4 and report.pushed == 1
    [row] = sync.sync_status(ctx)
    assert row.deal_id == RECEIVED and row.state == "failed" and "404" in row.reason


def test_marks_and_summary_for_the_dashboard(ctx, pc):
    pulled(ctx, pc)
    svc.accept(ctx, RECEIVED)
    marks = sync.sync_marks(ctx, [RECEIVED, ACCEPTED])
    assert marks == {RECEIVED: "pending", ACCEPTED: "in_step"}
    summary = sync.sync_summary(ctx)
    assert (summary.pending, summary.failed, summary.conflicts) == (1, 0, 0)
    assert summary.last_pull_at == ctx.now()
