"""`cosell list` and `cosell show`: tables, JSON shape, prefixes, and literal text."""
from __future__ import annotations

from datetime import datetime, timedelta

from cli_harness import (  # noqa: F401  (fixtures are used by name)
    NOW, cosell, db, make_draft, make_inbound, sctx,
)
from model import services as svc


def test_list_tabs_hold_open_closed_and_favorite_deals(cosell, sctx):
    inbound = svc.receive_inbound(sctx, make_inbound(name="Inbound open"))
    outbound = svc.create_deal(sctx, make_draft(name="Outbound open"))
    closed = svc.create_deal(sctx, make_draft(name="Outbound lost"))
    svc.lost(sctx, closed.id, "Price")
    svc.set_favorite(sctx, closed.id, True)

    def names(tab):
        result = cosell("list", "--tab", tab, "--json")
        assert result.code == 0, result.err
        return [d["name"] for d in result.json()["deals"]]

    assert names("inbound") == ["Inbound open"]  # R3.1
    assert names("outbound") == ["Outbound open"]  # R3.2
    assert names("closed") == ["Outbound lost"]  # R8.14
    assert names("favorites") == ["Outbound lost"]  # R3.3: favorites in any state
    assert inbound.id and outbound.id


def test_list_table_shows_short_id_countdown_and_heart(cosell, sctx):
    deal = svc.receive_inbound(sctx, make_inbound(name="Contoso retail"), received_at=NOW - timedelta(hours=20))
    svc.set_favorite(sctx, deal.id, True)
    result = cosell("list")
    assert result.code == 0
    header, row = result.out.splitlines()[:2]
    for column in ("ID", "NAME", "CUSTOMER", "KIND", "SALE TYPE", "STAGE", "VALUE", "CLOSE", "EXPIRES IN", "♥"):
        assert column in header
    assert row.startswith(deal.id[:8] + "  ")
    assert deal.id[:9] not in row
    assert "Contoso Retail AB" in row and "IP co-sell" in row and "Co-sell" in row and "Received" in row
    assert "40,000.00 EUR" in row and "2027-02-28" in row
    assert "13d 4h" in row  # R8.2: 14 days from receipt, 20 hours gone
    assert row.rstrip().endswith("♥")


def test_list_pages_sorts_and_filters_in_the_store(cosell, sctx):
    for i, value in enumerate((30000, 10000, 20000)):
        svc.create_deal(sctx, make_draft(name=f"Deal {i}", value=value,
                                         notes="zebra project" if i != 1 else "plain"))
    by_value = cosell("list", "--tab", "outbound", "--sort", "value", "--json").json()
    assert [d["value"] for d in by_value["deals"]] == [10000, 20000, 30000]
    desc = cosell("list", "--tab", "outbound", "--sort", "value", "--desc", "--limit", "2", "--json").json()
    assert [d["value"] for d in desc["deals"]] == [30000, 20000]
    assert desc["total"] == 3 and desc["limit"] == 2
    second = cosell("list", "--tab", "outbound", "--sort", "value", "--desc", "--limit", "2", "--offset", "2",
                    "--json").json()
    assert [d["value"] for d in second["deals"]] == [10000]
    filtered = cosell("list", "--tab", "outbound", "--filter", "zebra", "--json").json()
    assert sorted(d["name"] for d in filtered["deals"]) == ["Deal 0", "Deal 2"]
    assert filtered["total"] == 2
    text = cosell("list", "--tab", "outbound", "--limit", "1")
    assert "1–1 of 3 in outbound" in text.out


def test_list_expiring_within_keeps_only_deals_about_to_expire(cosell, sctx):
    soon = svc.receive_inbound(sctx, make_inbound(name="Soon"), received_at=NOW - timedelta(days=13))
    svc.receive_inbound(sctx, make_inbound(name="Fresh"))
    result = cosell("list", "--expiring-within", "48h", "--json")
    assert [d["id"] for d in result.json()["deals"]] == [soon.id]  # R8.2


def test_list_json_is_machine_readable(cosell, sctx):
    deal = svc.receive_inbound(sctx, make_inbound())
    doc = cosell("list", "--json").json()
    assert set(doc) == {"tab", "total", "offset", "limit", "sort", "descending", "deals"}
    row = doc["deals"][0]
    assert row["id"] == deal.id and row["short_id"] == deal.id[:8]
    assert row["direction"] == "Incoming" and row["kind"] == "ip_cosell" and row["substatus"] == "Received"
    assert row["sale_type"] == "co_sell" and row["stage"] == "Accepted"
    assert datetime.fromisoformat(row["expires_at"]) == NOW + timedelta(days=14)
    assert row["expires_in"] == "14d 0h" and row["seconds_left"] == 14 * 86400
    assert row["value"] == 40000 and row["currency"] == "EUR" and row["close_date"] == "2027-02-28"


def test_show_text_has_every_section(cosell, sctx):
    deal = svc.create_deal(sctx, make_draft(name="Northwind analytics"))
    svc.mark_stage(sctx, deal.id)
    result = cosell("show", deal.id)
    assert result.code == 0, result.err
    out = result.out
    for section in ("Stages (R8.7)", "Actions", "Registration (R10)", "Team", "Solutions", "Invitations",
                    "Notes", "History"):
        assert f"\n{section}\n" in out
    assert "[x] Created      10%  Listen & consult" in out
    assert "[x] Qualified    20%  Listen & consult" in out
    assert "[>] Developed    40%  Inspire & design" in out  # the next stage
    assert "[ ] Won         100%  Realize value" in out
    # R8.9: the refused action names every unmarked stage
    assert "✗ Mark won: Won is enabled only after every earlier stage is marked; not yet marked: " \
           "Developed, Proposed, Negotiated (R8.9)" in out
    assert "✓ Mark next stage (Developed)" in out
    # R10.1: every unmet registration criterion is listed
    assert "Eligible           no" in out and "- the deal must be won" in out
    assert "Bob Seller  +46 70 123 45 67  bob@contoso-partner.com" in out
    assert "SOL-AZ-1  Contoso Insights on Azure" in out
    assert "alice: Customer wants a data platform" in out
    history = out.split("\nHistory\n")[1].splitlines()
    assert "alice  create" in history[0]
    assert "alice  stage" in history[1] and "Created → Qualified" in history[1]
    assert "Microsoft          Not invited; help: No help needed now" in out


def test_show_json_shape(cosell, sctx):
    deal = svc.receive_inbound(sctx, make_inbound())
    result = cosell("show", deal.id[:6], "--json")  # any unique prefix
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["id"] == deal.id and doc["version"] == 1 and doc["tab"] == "inbound"
    assert doc["direction"] == "Incoming" and doc["substatus"] == "Received" and doc["kind"] == "ip_cosell"
    assert datetime.fromisoformat(doc["created_at"]) == NOW
    assert doc["time_left"] == "14d 0h" and doc["expiry_band"] == "ok"
    assert [s["stage"] for s in doc["stage_track"]] == ["Accepted", "Qualified", "Developed", "Proposed",
                                                         "Negotiated", "Won"]
    assert {s["percent"] for s in doc["stage_track"]} == {10, 20, 40, 60, 80, 100}
    assert not any(s["marked"] for s in doc["stage_track"])  # received: nothing marked yet
    actions = {a["action"]: a for a in doc["actions"]}
    assert actions["accept"]["allowed"] and actions["decline"]["allowed"]
    assert not actions["won"]["allowed"] and actions["won"]["refused_because"][0]["rule"] == "R8.2"
    assert doc["registration_eligibility"]["eligible"] is False
    assert {v["rule"] for v in doc["registration_eligibility"]["unmet"]} >= {"R10.1"}
    assert doc["history"][0]["action"] == "received"
    assert doc["team"][0]["email"] == "bob@contoso-partner.com"


def test_prefix_ids_unknown_and_ambiguous(cosell, sctx):
    svc.receive_inbound(sctx, make_inbound(id="abc11111-0000-4000-8000-000000000001", name="First"))
    svc.receive_inbound(sctx, make_inbound(id="abc22222-0000-4000-8000-000000000002", name="Second"))
    assert cosell("show", "abc2", "--json").json()["name"] == "Second"
    ambiguous = cosell("show", "abc")
    assert ambiguous.code == 2 and "matches several deals" in ambiguous.err
    missing = cosell("show", "ffff")
    assert missing.code == 2 and "no deal with id 'ffff'" in missing.err


def test_usage_errors_exit_2(cosell, sctx):
    deal = svc.receive_inbound(sctx, make_inbound())
    assert cosell("list", "--tab", "sideways").code == 2
    assert cosell("list", "--expiring-within", "soon").code == 2
    assert cosell("list", "--sort", "colour").code == 2
    assert cosell("decline", deal.id).code == 2  # --reason is required
    assert cosell("accept", deal.id, "--close-date", "31/12/2026").code == 2
    assert cosell("accept", deal.id, "--value", "lots").code == 2
    assert cosell("frobnicate").code == 2
    assert cosell("show", deal.id, "--json").json()["version"] == 1  # nothing was written


def test_markup_and_escapes_print_literally(cosell, sctx):
    nasty = "\x1b[31mred [bold]x[/]\x07"
    deal = svc.create_deal(sctx, make_draft(name=nasty, notes="note \x1b]0;pwned\x07with [link=x]markup[/link]"))
    svc.add_note(sctx, deal.id, "line\x1b[2Jcleared")
    for argv in (("show", deal.id), ("list", "--tab", "outbound")):
        out = cosell(*argv).out
        assert "red [bold]x[/]" in out
        assert "\x1b" not in out and "\x07" not in out and "[31m" not in out
    show = cosell("show", deal.id).out
    assert "note with [link=x]markup[/link]" in show and "pwned" not in show
    assert "linecleared" in show
    added = cosell("team", deal.id, "add", "--name", "\x1b[1mEve [i]x[/i]", "--phone", "+46 70 000 00 00",
                   "--email", "eve@example.com")
    assert added.code == 0, added.err
    assert "Eve [i]x[/i]  +46 70 000 00 00  eve@example.com" in cosell("show", deal.id).out
    # JSON keeps the data exactly (its escaping makes it inert)
    assert cosell("show", deal.id, "--json").json()["name"] == nasty


def test_every_command_has_working_help(cosell):
    commands = ["list", "show", "reasons", "accept", "decline", "lost", "error", "stage", "won", "favorite",
                "register", "note", "edit", "team", "solution", "upgrade", "invite", "expiring", "sweep"]
    top = cosell("--help")
    assert top.code == 0
    for name in commands:
        assert f"    {name} " in top.out
        result = cosell(name, "--help")
        assert result.code == 0 and result.out.startswith(f"usage: cosell {name}"), name
    for argv in (("team", "x", "add"), ("team", "x", "remove"), ("solution", "x", "add"),
                 ("invite", "x", "microsoft"), ("invite", "x", "partner")):
        assert cosell(*argv, "--help").code == 0, argv
