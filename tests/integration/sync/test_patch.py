"""The PATCH body: a JSON Patch of replace / add only, object keys compared one by one, lists
replaced whole, server keys never sent; and the stand-in applies such patches as Partner Center."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from model.partner_center.patch import apply_patch, json_patch, pointer

BEFORE = {"id": "x", "eTag": '"1"', "name": "A", "status": "New", "substatus": "Received",
          "details": {"dealValue": 10, "notes": "n", "requirements": {"solutions": [{"id": "S1"}]}},
          "team": [{"email": "a@x"}], "statusReason": "gone"}


def test_an_accept_is_replace_and_add_of_just_what_changed():
    after = {**BEFORE, "eTag": '"2"', "name": "B", "status": "Active", "substatus": "Accepted",
             "acceptedDateTime": "2026-11-20T09:00:00Z", "details": {**BEFORE["details"], "dealValue": 20}}
    after.pop("statusReason")
    ops = json_patch(BEFORE, after)
    assert ops == [{"op": "replace", "path": "/name", "value": "B"},
                   {"op": "replace", "path": "/status", "value": "Active"},
                   {"op": "replace", "path": "/substatus", "value": "Accepted"},
                   {"op": "replace", "path": "/details/dealValue", "value": 20},
                   {"op": "add", "path": "/acceptedDateTime", "value": "2026-11-20T09:00:00Z"}]


def test_lists_are_replaced_whole_and_server_keys_never_sent():
    after = {**BEFORE, "id": "y", "updatedDateTime": "now", "team": [{"email": "a@x"}, {"email": "b@x"}]}
    assert json_patch(BEFORE, after) == [{"op": "replace", "path": "/team", "value": after["team"]}]


def test_a_number_becoming_a_string_is_a_change():
    assert json_patch({"salesStage": 10}, {"salesStage": "10"}) == [
        {"op": "replace", "path": "/salesStage", "value": "10"}]


def test_pointers_escape_tilde_and_slash():
    assert pointer(["a/b", "c~d"]) == "/a~1b/c~0d"
    assert apply_patch({"a/b": {"c~d": 1}}, [{"op": "replace", "path": "/a~1b/c~0d", "value": 2}]) == {"a/b": {"c~d": 2}}


@pytest.mark.parametrize("op", [{"op": "remove", "path": "/name"}, {"op": "move", "from": "/a", "path": "/b"},
                                {"op": "replace", "path": "/missing", "value": 1}])
def test_anything_but_replace_and_add_is_refused(op):
    with pytest.raises(ValueError):
        apply_patch(BEFORE, [op])


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                           max_leaves=10)
docs = st.dictionaries(st.text(max_size=4).filter(lambda k: k not in ("id", "eTag", "cosell", "links")),
                       json_values, max_size=5)


def covers(out, want) -> bool:
    """``out`` has every key of ``want`` with its value; a key only ``out`` has stays (no remove)."""
    if isinstance(want, dict) and isinstance(out, dict):
        return all(k in out and covers(out[k], v) for k, v in want.items())
    return out == want and type(out) is type(want)


@given(docs, docs)
def test_applying_the_patch_gives_the_new_doc_on_every_key_it_has(before, after):
    assert covers(apply_patch(before, json_patch(before, after)), after)
    assert json_patch(after, after) == []
