"""Issue 11, "What reaches a terminal": the command line's every output (tables, ``show``,
``--json``, ``users list``) passes the one sanitiser; ``--json`` keeps the data exactly but
writes C1 controls, bidi controls and lone surrogates as ``\\uXXXX`` (an 8-bit OSC 52 clipboard
write no longer reaches the terminal raw); a display name cannot forge rows (R1.1)."""
from __future__ import annotations

from cli_harness import (  # noqa: F401  (fixtures are used by name)
    ADMIN, cosell, db, make_draft, sctx,
)
from model import services as svc

OSC52 = "\x9d52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07"
RLO = "\u202e"
C1_AND_BIDI = [chr(c) for c in range(0x80, 0xA0)] + ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                                      "\u2066", "\u2067", "\u2068", "\u2069"]


def _raw_controls(text: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text if c in C1_AND_BIDI or c == "\x1b"]


def test_json_output_writes_c1_and_bidi_as_escapes_and_keeps_the_data(cosell, sctx):
    name = f"Clipboard{OSC52} gnp.exe{RLO}fdp"
    deal = svc.create_deal(sctx, make_draft(name=name, notes=f"csi \x9b2J and {RLO}override"))
    for argv in (("show", deal.id, "--json"), ("list", "--tab", "outbound", "--json")):
        result = cosell(*argv)
        assert result.code == 0, result.err
        assert _raw_controls(result.out) == [], argv
        assert "\\u009d" in result.out and "\\u202e" in result.out
    assert cosell("show", deal.id, "--json").json()["name"] == name  # exactly what is stored


def test_list_and_show_print_no_bidi_override_or_c1(cosell, sctx):
    deal = svc.create_deal(sctx, make_draft(name=f"Invoice{RLO}fdp.exe{OSC52}"))
    svc.add_note(sctx, deal.id, f"note \x9b31mred{RLO}x")
    for argv in (("show", deal.id), ("list", "--tab", "outbound")):
        out = cosell(*argv).out
        assert _raw_controls(out) == [], argv
        assert "Invoicefdp.exe" in out or "Invoicefdp.ex" in out
    assert "note redx" in cosell("show", deal.id).out


def test_a_display_name_with_crlf_is_refused_and_cannot_forge_a_row(cosell, sctx):
    forged = "Eve\r\nmallory  Mallory  admin  -"
    added = cosell("users", "add", "eve", "--name", forged, "--email", "eve@example.com", "--role", "user",
                   "--location", "Sweden")
    assert added.code == 4, added.err
    assert "R1.1" in added.err and "Traceback" not in added.err
    listed = cosell("users", "list")
    assert listed.code == 0 and "mallory" not in listed.out and "eve" not in listed.out


def test_a_stored_name_with_line_breaks_stays_on_its_row(cosell, sctx):
    """Rows written before validation (or by another tool) still print one line each."""
    from model.store.tables import UserRecord

    assert cosell("users", "list").code == 0  # the OS login running the tests: this database's first user
    with sctx.store.write() as session:
        session.add(UserRecord(login="old", display_name="Old\nmallory  Forged  admin", email="old@example.com",
                               phone="", role="user", location="Sweden"))
    out = cosell("users", "list").out
    assert not any(line.startswith("mallory") for line in out.splitlines())
    assert "Old mallory  Forged  admin" in out or "Old mallory Forged admin" in out


def test_notify_status_shows_each_undelivered_message_on_one_line(cosell, sctx):
    from model.store.tables import OutboxRecord
    from cli_harness import NOW

    with sctx.store.write() as session:
        session.add(OutboxRecord(created_at=NOW, kind="test", deal_id=None, recipient="evil@example.com\r\nBcc: x",
                                 subject="Hi\x1b]52;c;eA==\x07", body="b", attempts=5, dedupe_key="given-up",
                                 last_error="'evil@example.com\\r\\nBcc: x' is not an e-mail address: line break"))
        session.add(OutboxRecord(created_at=NOW, kind="test", deal_id=None, recipient="ok@example.com",
                                 subject="Waiting", body="b", attempts=0, dedupe_key="waiting"))
    status = cosell("notify", "--status")
    assert status.code == 3, status.err  # something was given up: attention
    lines = status.out.splitlines()
    assert len(lines) == 3 and "given up" in lines[1] and "line break" in lines[1] and "waiting" in lines[2]
    assert "\x1b" not in status.out and "\x07" not in status.out
    as_json = cosell("notify", "--status", "--json").json()
    assert [(m["recipient"], m["given_up"]) for m in as_json] == [("evil@example.com\r\nBcc: x", True),
                                                                  ("ok@example.com", False)]
