"""Issue 11: one sanitiser for every face (``model.domain.text``), addresses checked where they
enter (``model.domain.rules.addresses``), display names of one line (R1.1), COSELL_NOW named
when it is wrong, and referral files refused with the record named (no traceback)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.clock import BadClock, pinned_instant
from model.domain.errors import ImportRejected
from model.domain.rules.addresses import address_problem
from model.domain.text import clean, json_safe, one_line, spreadsheet_cell
from model.partner_center.parse import parse_referrals
from model.users import display_name_problem

OSC52_8BIT = "\x9d52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07"
OSC52_7BIT = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x1b\\"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("raw, shown", [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x9b31mred\x9b0m", "red"),                       # 8-bit CSI
    (f"copy{OSC52_8BIT}me", "copyme"),                 # 8-bit OSC 52 clipboard write, payload and all
    (f"copy{OSC52_7BIT}me", "copyme"),
    ("\x90qDCS payload\x9cafter", "after"),            # 8-bit DCS ... ST
    ("\x1b(Bcharset", "charset"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),        # the right-to-left override
    ("a\u2066b\u2069c\u200fd", "abcd"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("bell\x07del\x7fnul\x00", "belldelnul"),
    ("broken \ud800 half", "broken \ufffd half"),
])
def test_clean_strips_every_escape_control_and_bidi_character(raw, shown):
    assert clean(raw) == shown


@given(st.text())
def test_nothing_a_terminal_acts_on_survives_clean(text):
    out = clean(text)
    assert not any(ord(c) < 32 and c not in "\t\n" for c in out)
    assert not any(0x7F <= ord(c) <= 0x9F for c in out)
    assert not any(c in BIDI for c in out)
    out.encode("utf-8")  # printable: no lone surrogate left
    assert "\n" not in one_line(text) and "\t" not in one_line(text)


@given(st.dictionaries(st.text(), st.text() | st.integers() | st.lists(st.text())))
def test_json_safe_keeps_the_data_exactly_and_no_raw_c1_or_bidi(data):
    text = json_safe(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data
    assert not any(0x7F <= ord(c) <= 0x9F or c in BIDI or 0xD800 <= ord(c) <= 0xDFFF for c in text)


@pytest.mark.parametrize("raw, cell", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'=1"), ("\tplain", "'\tplain"),
    ("   =1+1", "'   =1+1"), (" \t@x", "' \t@x"),
    ("\x00=1", "'=1"),                                  # a stripped control must not uncover a formula
    ("Contoso", "Contoso"), ("  Contoso", "  Contoso"), ("a=b", "a=b"), (None, ""),
    ("x\u202eevil", "xevil"),
])
def test_spreadsheet_cells_neutralise_owasp_formula_starts(raw, cell):  # OWASP CSV injection
    assert spreadsheet_cell(raw) == cell


@pytest.mark.parametrize("address, ok", [
    ("maria@example.com", True), ("root@localhost", True), ("ä@exämple.de", True),
    ("a@b.com\r\nBcc: everyone@example.com", False), ("two@a.com, three@b.com", False),
    ("no-at-sign", False), ("", False), ("tab\t@x.com", False), ("a\x85@x.com", False),
])
def test_addresses_are_validated_where_they_enter(address, ok):
    assert (address_problem(address) is None) is ok


@pytest.mark.parametrize("name, ok", [
    ("Maria Lindgren", True), ("Zoë O'Brien-Åberg", True), ("", True),
    ("Eve\r\nmallory", False), ("Eve\nx", False), ("Eve\u202e", False), ("Eve\x1b[2J", False),
    ("Eve\x85", False), ("Eve\u2028line", False), ("x" * 121, False),
])
def test_display_names_are_one_line_of_text(name, ok):  # R1.1
    assert (display_name_problem(name) is None) is ok


@pytest.mark.parametrize("value, words", [
    ("garbage", "is not a date-time"), ("2026-02-30T10:00Z", "is not a date-time"),
    ("9999-12-31T23:59:59Z", "outside the years"), ("0001-01-01T00:00Z", "outside the years"),
])
def test_cosell_now_is_named_when_it_is_wrong(value, words):
    with pytest.raises(BadClock) as bad:
        pinned_instant(value)
    assert "COSELL_NOW" in str(bad.value) and words in str(bad.value)
    assert isinstance(bad.value, ValueError)  # the CLI's exit 2 for usage


def test_cosell_now_within_range_is_taken():
    assert pinned_instant("2026-12-01T09:00Z").isoformat() == "2026-12-01T09:00:00+00:00"


def _refused(data: bytes) -> str:
    with pytest.raises(ImportRejected) as refused:
        parse_referrals(data)
    return str(refused.value)


def test_referral_files_that_used_to_raise_are_refused_with_a_reason():
    assert "nested too deeply" in _refused(b"[" * 50_000 + b"]" * 50_000)
    assert "nested too deeply" in _refused(b'{"value": ' + b"[" * 50_000 + b"]" * 50_000 + b"}")
    assert "record 1: must be an object" in _refused(b'["hello"]')
    assert "UTF-16" in _refused('[{"id": "x"}]'.encode("utf-16"))
    assert "UTF-16" in _refused('[{"id": "x"}]'.encode("utf-16-be"))
    message = _refused(b'[{"id": "abc", "name": "Contoso", "details": {"notes": "\\ud800"}}]')
    assert "record 1 (id abc, 'Contoso'): details.notes:" in message and "lone surrogate" in message


@pytest.mark.parametrize("layout", ["list", "envelope"])
def test_a_version_the_database_cannot_hold_names_the_record(layout):
    from transfer_support import PLAIN_PC_RECORD

    record = {**json.loads(json.dumps(PLAIN_PC_RECORD)), "id": "abc", "name": "Contoso",
              "cosell": {"version": 10 ** 30}}
    doc = [record] if layout == "list" else {"value": [record]}
    message = _refused(json.dumps(doc).encode())
    assert "record 1 (id abc, 'Contoso')" in message and "cosell.version" in message and "too large" in message
