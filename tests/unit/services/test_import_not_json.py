"""``model.partner_center.parse.not_json``: why an import file is not JSON, in one whole sentence with
the line and column (exit 2: the input's problem, not a rule's); None when it is JSON, or when
another check words it better (empty, a byte-order mark, UTF-16, not UTF-8 text)."""
from __future__ import annotations

import pytest

from model.partner_center.parse import NotJson, not_json

RECORD = '[\n{"id": "1", "name": "Krüger & Kühn: Landing zone", "details": {"dealValue": 1}},\n'


def why(data: bytes) -> str:
    found = not_json(data)
    assert isinstance(found, NotJson) and found.exit_code == 2
    message = str(found)
    assert "\n" not in message and message.startswith("nothing was imported: bad JSON at line ")
    assert not message.endswith((" at", "starting at"))
    return message


def test_cut_mid_string_names_where_the_string_starts():
    data = RECORD.encode()
    cut = data.index(b'"name": "') + len(b'"name": ')
    message = why(data[:cut + 4])
    assert "line 2, column 21: a string that starts here is never closed" in message and "cut short" in message


def test_cut_inside_a_character_is_cut_short_not_a_wrong_encoding():
    data = RECORD.encode()
    message = why(data[:data.index("ü".encode()) + 1])  # the first of the two bytes of "ü"
    assert "line 2, column 21: a string that starts here is never closed" in message and "cut short" in message


def test_cut_mid_object_and_after_a_whole_record():
    assert "cut short" in why(RECORD.encode()[:RECORD.index('"details"')])
    assert why(RECORD.encode()).endswith("(the file ends before its JSON does: was it cut short?)")


def test_text_that_is_not_json_and_a_line_break_inside_a_string():
    assert why(b"hello, this is not JSON\n") == "nothing was imported: bad JSON at line 1, column 1: Expecting value"
    broken = why(b'[{"name": "two\nlines"}]')
    assert "line 1, column 15: a control character (such as a line break) inside a string" in broken
    assert "cut short" not in broken


@pytest.mark.parametrize("data", [
    b"[]", b'{"value": []}', b"", b"  \n", b"\xef\xbb\xbf[]", "[]".encode("utf-16"), b'[{"name": "caf\xe9 au lait"}]',
], ids=["JSON", "envelope", "empty", "blank", "BOM", "UTF-16", "Latin-1"])
def test_none_for_json_and_for_what_another_check_words_better(data):
    assert not_json(data) is None
