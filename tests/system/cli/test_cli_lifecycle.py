"""Lifecycle commands: accept, decline, stage, won, lost, error, register; refusals and conflicts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cli_harness import (  # noqa: F401  (fixtures are used by name)
    NOW, cosell, db, make_draft, make_inbound, sctx,
)
from model import services as svc
from model.store.tables import OutboxRecord


def _show(cosell, deal_id):
    result = cosell("show", deal_id, "--json")
    assert result.code == 0, result.err
    return result.json()


def _marked_outbound(sctx, **kw):
    deal = svc.create_deal(sctx, make_draft(**kw))
    for _ in range(4):
        svc.mark_stage(sctx, deal.id)
    return deal


def test_accept_sets_the_details_and_moves_on(cosell, sctx):  # R8.3
    deal = svc.receive_inbound(sctx, make_inbound())
    result = cosell("accept", deal.id[:8], "--name", "Contoso retail rollout", "--value", "55000",
                    "--currency", "eur", "--close-date", "2027-04-30", "--notes", "We take it",
                    "--crm-id", "CRM-7", "--campaign-id", "CMP-1", "--version", "1")
    assert result.code == 0, result.err
    assert result.out.startswith(f'accepted {deal.id[:8]} "Contoso retail rollout": Accepted 10%')
    doc = _show(cosell, deal.id)
    assert (doc["substatus"], doc["stage"], doc["version"], doc["tab"]) == ("Accepted", "Accepted", 2, "inbound")
    assert (doc["name"], doc["value"], doc["currency"], doc["close_date"]) == (
        "Contoso retail rollout", 55000, "EUR", "2027-04-30")
    assert (doc["crm_id"], doc["campaign_id"], doc["notes"][-1]["text"]) == ("CRM-7", "CMP-1", "We take it")
    assert doc["stage_track"][0] == {"stage": "Accepted", "percent": 10, "mcem_phase": "Listen & consult",
                                     "exit_criterion": "Qualified opportunity", "marked": True, "current": True,
                                     "next": False}


def test_accept_after_the_14_days_is_refused(cosell, sctx):  # R8.2
    deal = svc.receive_inbound(sctx, make_inbound())
    before = _show(cosell, deal.id)
    late = cosell("accept", deal.id, at=NOW + timedelta(days=14, minutes=1))
    assert late.code == 4
    assert "cannot accept:" in late.err and "14-day response window ended" in late.err and "(R8.2)" in late.err
    assert _show(cosell, deal.id) == before


def test_decline_notifies_the_sender(cosell, sctx):  # R8.4, R12.2
    deal = svc.receive_inbound(sctx, make_inbound())
    result = cosell("decline", deal.id, "--reason", "not a fit", "--notes", "Outside our stack")
    assert result.code == 0, result.err
    doc = _show(cosell, deal.id)
    assert (doc["substatus"], doc["tab"], doc["status_reason"]) == ("Declined", "closed", "Not a fit for our solutions")
    with sctx.store.read() as session:
        sent = session.scalars(select(OutboxRecord).where(OutboxRecord.deal_id == deal.id,
                                                          OutboxRecord.kind == "declined")).all()
    assert [m.recipient for m in sent] == ["maria@microsoft.example"]


def test_decline_refusals_list_the_rule_and_write_nothing(cosell, sctx):
    deal = svc.receive_inbound(sctx, make_inbound())
    before = _show(cosell, deal.id)
    unknown = cosell("decline", deal.id, "--reason", "bored")
    assert unknown.code == 4 and "choose a reason: Not a fit for our solutions;" in unknown.err
    other = cosell("decline", deal.id, "--reason", "Other")
    assert other.code == 4 and "say in the notes what the other reason is (R8.4)" in other.err
    assert _show(cosell, deal.id) == before


def test_reasons_prints_each_pick_list(cosell):
    assert cosell("reasons", "decline").out.splitlines()[0] == "Not a fit for our solutions"
    assert "Lost to a competitor" in cosell("reasons", "lost").out
    assert cosell("reasons", "error", "--json").json()[:2] == ["Duplicate deal", "Wrong customer chosen"]
    assert cosell("reasons", "praise").code == 2


def test_stage_takes_next_word_crm_word_or_percentage(cosell, sctx):  # R8.7, R8.10
    deal = svc.create_deal(sctx, make_draft())
    assert cosell("stage", deal.id).out.startswith(f'marked {deal.id[:8]} "Northwind analytics": Qualified 20%')
    assert "Developed 40%" in cosell("stage", deal.id, "45%").out  # a CRM's 45 % is Developed
    assert "Proposed 60%" in cosell("stage", deal.id, "proposal").out
    assert "Negotiated 80%" in cosell("stage", deal.id, "Negotiated").out
    doc = _show(cosell, deal.id)
    assert doc["stages_marked"] == ["Qualified", "Developed", "Proposed", "Negotiated"]
    assert [s["marked"] for s in doc["stage_track"]] == [True, True, True, True, True, False]
    done = cosell("stage", deal.id)
    assert done.code == 4 and "every stage is marked; mark the deal won or lost (R8.9)" in done.err
    assert cosell("stage", deal.id, "banana").code == 4
    assert _show(cosell, deal.id)["version"] == doc["version"]


def test_won_needs_every_stage_first(cosell, sctx):  # R8.9
    deal = svc.create_deal(sctx, make_draft())
    svc.mark_stage(sctx, deal.id, "Developed")
    refused = cosell("won", deal.id, at=NOW + timedelta(days=5))
    assert refused.code == 4
    assert "not yet marked: Qualified, Proposed, Negotiated (R8.9)" in refused.err


def test_won_within_72_hours_needs_confirmation(cosell, sctx):  # R8.12
    deal = _marked_outbound(sctx)
    before = _show(cosell, deal.id)
    early = cosell("won", deal.id, at=NOW + timedelta(hours=30))
    assert early.code == 4
    assert "marking it won before 72 hours may get the registration rejected" in early.err
    assert "(R8.12)" in early.err and "--confirm-early" in early.err
    assert _show(cosell, deal.id) == before
    confirmed = cosell("won", deal.id, "--confirm-early", at=NOW + timedelta(hours=30))
    assert confirmed.code == 0, confirmed.err
    assert _show(cosell, deal.id)["substatus"] == "Won"


def test_won_after_72_hours_then_register(cosell, sctx):  # R8.12, R10.1, R10.3
    deal = _marked_outbound(sctx)
    later = NOW + timedelta(hours=72)
    assert cosell("won", deal.id, at=later).code == 0
    doc = _show(cosell, deal.id)
    assert doc["registration_eligibility"] == {"eligible": True, "unmet": []}
    assert doc["stage_track"][-1]["marked"] is True
    result = cosell("register", deal.id, "--contract-value", "65000", "--currency", "USD", "--confirm-contract",
                    "--json", at=later)
    assert result.code == 0, result.err
    reg = result.json()["registration"]
    assert (reg["status"], reg["contract_value"], reg["currency"]) == ("ReviewPending", 65000, "USD")
    again = cosell("register", deal.id, "--confirm-contract", at=later)
    assert again.code == 4 and "already registered (review pending) (R10.3)" in again.err


def test_register_lists_every_unmet_criterion(cosell, sctx):  # R10.1
    deal = svc.create_deal(sctx, make_draft(value=1000, share_with_microsoft=False))
    result = cosell("register", deal.id, "--confirm-contract")
    assert result.code == 4
    lines = result.err.splitlines()
    assert lines[0] == "cosell: cannot register deal:"
    unmet = [ln.lower() for ln in lines[1:]]
    assert all(ln.startswith("  - ") and ln.endswith("(r10.1)") for ln in unmet)
    assert any("must be won" in ln for ln in unmet)
    assert any("partner-led or co-sell" in ln and "private" in ln for ln in unmet)
    assert any("at least 25,000 usd" in ln for ln in unmet)


def test_lost_and_error_close_the_deal(cosell, sctx):  # R8.11, R8.13
    open_deal = svc.create_deal(sctx, make_draft())
    assert cosell("lost", open_deal.id, "--reason", "price").code == 0
    assert _show(cosell, open_deal.id)["substatus"] == "Lost"
    received = svc.receive_inbound(sctx, make_inbound())
    result = cosell("error", received.id, "--reason", "dup", "--notes", "Same as the other one")
    assert result.code == 0, result.err  # R8.13: at any point, even before accepting
    doc = _show(cosell, received.id)
    assert (doc["substatus"], doc["status_reason"], doc["tab"]) == ("Error", "Duplicate deal", "closed")
    assert {a["action"] for a in doc["actions"] if a["allowed"]} == {"favorite"}  # R9.1, R8.14


def test_terminal_deal_refuses_every_change(cosell, sctx):  # R9.1
    deal = svc.create_deal(sctx, make_draft())
    svc.lost(sctx, deal.id, "Price")
    before = _show(cosell, deal.id)
    for argv in (("note", deal.id, "late news"), ("edit", deal.id, "--name", "Revived"), ("stage", deal.id),
                 ("lost", deal.id, "--reason", "price")):
        result = cosell(*argv)
        assert result.code == 4, argv
        assert "(R9.1)" in result.err
    assert _show(cosell, deal.id) == before


def test_stale_version_is_a_conflict(cosell, sctx):
    deal = svc.create_deal(sctx, make_draft())
    svc.add_note(sctx, deal.id, "someone else was here")
    before = _show(cosell, deal.id)
    assert before["version"] == 2
    for argv in (("note", deal.id, "mine", "--version", "1"), ("stage", deal.id, "--version", "1"),
                 ("favorite", deal.id, "--version", "1")):
        result = cosell(*argv)
        assert result.code == 5, argv
        assert "since you loaded it (version 1 → 2)" in result.err and "reload" in result.err
    assert _show(cosell, deal.id) == before
    assert cosell("note", deal.id, "mine", "--version", "2").code == 0


def test_write_json_prints_the_deal_after_the_change(cosell, sctx):
    deal = svc.create_deal(sctx, make_draft())
    doc = cosell("stage", deal.id, "--json").json()
    assert (doc["id"], doc["version"], doc["stage"]) == (deal.id, 2, "Qualified")
    assert doc["history"][-1]["action"] == "stage"
