"""`cosell expiring` (exit 3 pages someone) and `cosell sweep` (R8.2, R12.2)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from cli_harness import (  # noqa: F401  (fixtures are used by name)
    NOW, cosell, db, make_draft, make_inbound, sctx,
)
from model import services as svc
from model.store.tables import OutboxRecord


def test_expiring_exit_code_follows_the_14_day_window(cosell, sctx):  # R8.2
    deal = svc.receive_inbound(sctx, make_inbound(name="Contoso retail"))
    quiet = cosell("expiring", "--within", "48h", at=NOW + timedelta(days=11))
    assert quiet.code == 0, quiet.err
    assert "no received inbound deal expires within 2d 0h" in quiet.out
    paging = cosell("expiring", "--within", "48h", at=NOW + timedelta(days=12, hours=12))
    assert paging.code == 3
    row = paging.out.splitlines()[1]
    assert row.startswith(deal.id[:8]) and "Contoso retail" in row and "1d 12h" in row
    assert "2026-12-04 09:00 UTC" in row and "Bob Seller <bob@contoso-partner.com>" in row
    assert "1 received inbound deal(s) expire within 2d 0h" in paging.out


def test_expiring_ignores_answered_and_outbound_deals(cosell, sctx):
    answered = svc.receive_inbound(sctx, make_inbound(), received_at=NOW - timedelta(days=13))
    svc.accept(sctx, answered.id)
    svc.create_deal(sctx, make_draft())
    assert cosell("expiring", "--within", "3d").code == 0


def test_expiring_json(cosell, sctx):
    soon = svc.receive_inbound(sctx, make_inbound(name="Soon"), received_at=NOW - timedelta(days=13, hours=20))
    overdue = svc.receive_inbound(sctx, make_inbound(name="Overdue"), received_at=NOW - timedelta(days=15))
    svc.receive_inbound(sctx, make_inbound(name="Fresh"))
    result = cosell("expiring", "--within", "1d", "--json")
    assert result.code == 3
    doc = result.json()
    assert doc["count"] == 2 and doc["within_seconds"] == 86400
    assert [d["id"] for d in doc["deals"]] == [overdue.id, soon.id]  # soonest first; unswept overdue included
    first, second = doc["deals"]
    assert (first["time_left"], first["band"], first["seconds_left"]) == ("overdue", "overdue", -86400)
    assert (second["time_left"], second["band"]) == ("4h 0m", "24h")
    assert datetime.fromisoformat(second["expires_at"]) == NOW + timedelta(hours=4)
    assert second["team"][0]["email"] == "bob@contoso-partner.com"
    assert cosell("expiring", "--within", "soon").code == 2


def test_sweep_expires_overdue_deals_and_notifies_the_sender(cosell, sctx):  # R8.2, R12.2
    overdue = svc.receive_inbound(sctx, make_inbound(name="Old one"), received_at=NOW - timedelta(days=15))
    fresh = svc.receive_inbound(sctx, make_inbound(name="New one"))
    result = cosell("sweep")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f'expired {overdue.id[:8]} "Old one" (Contoso Retail AB); due 2026-11-19 09:00 UTC; '
        "Microsoft seller Maria will be notified",
        "1 deal(s) expired; 1 notification(s) queued",
    ]
    expired = cosell("show", overdue.id, "--json").json()
    assert (expired["substatus"], expired["tab"]) == ("Expired", "closed")
    assert cosell("show", fresh.id, "--json").json()["substatus"] == "Received"
    with sctx.store.read() as session:
        sent = session.scalars(select(OutboxRecord).where(OutboxRecord.kind == "expired")).all()
    assert [(m.deal_id, m.recipient) for m in sent] == [(overdue.id, "maria@microsoft.example")]
    again = cosell("sweep", "--json")
    assert again.json() == {"now": NOW.isoformat(), "expired": [], "count": 0, "notifications_queued": 0}
    assert cosell("expiring", "--within", "1h").code == 0  # nothing left overdue


def test_sweep_json_lists_what_it_expired(cosell, sctx):
    overdue = svc.receive_inbound(sctx, make_inbound(name="Old one"), received_at=NOW - timedelta(days=14))
    doc = cosell("sweep", "--json").json()
    assert doc["count"] == 1 and doc["notifications_queued"] == 1
    assert doc["expired"][0]["id"] == overdue.id and doc["expired"][0]["sender_email"] == "maria@microsoft.example"
