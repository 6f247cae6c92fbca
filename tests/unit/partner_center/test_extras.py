"""The referral keys cosell does not model are kept and merged back: a lossless round trip."""
from __future__ import annotations

from model.partner_center.extras import extract, merge


def test_unmapped_keys_nested_and_in_lists_are_kept():
    raw = {"id": "x", "qualification": "SalesQualified", "mpnId": "1",
           "customerProfile": {"name": "C", "size": "10to50employees", "address": {"city": "R", "state": "WA"},
                               "team": [{"firstName": "S", "contactPreference": {"locale": "en-us"}}]},
           "details": {"dealValue": 1, "requirements": {"industries": [{"id": "Manufacturing"}],
                                                        "additionalRequirements": {"attributes": [
                                                            {"type": "PartnerRole", "id": "Transaction"},
                                                            {"type": "Industry", "id": "Retail"}]}}},
           "cosell": {"kind": "ip_cosell"}, "expirationDateTime": None}
    extra = extract(raw)
    assert extra == {"qualification": "SalesQualified",
                     "customerProfile": {"size": "10to50employees", "address": {"state": "WA"},
                                         "team": {"__items__": [{"contactPreference": {"locale": "en-us"}}]}},
                     "details": {"requirements": {"industries": [{"id": "Manufacturing"}],
                                                  "additionalRequirements": {"attributes": {
                                                      "__append__": [{"type": "Industry", "id": "Retail"}]}}}},
                     "expirationDateTime": None}
    exported = {"id": "x", "customerProfile": {"name": "C", "address": {"city": "R"}, "team": [{"firstName": "S"}]},
                "details": {"dealValue": 1, "requirements": {"additionalRequirements": {"attributes": [
                    {"type": "PartnerRole", "id": "Transaction"}]}}}}
    back = merge(exported, extra)
    assert back["customerProfile"]["address"] == {"city": "R", "state": "WA"}
    assert back["customerProfile"]["team"][0]["contactPreference"] == {"locale": "en-us"}
    assert back["details"]["requirements"]["additionalRequirements"]["attributes"][1] == {"type": "Industry",
                                                                                         "id": "Retail"}
    assert back["qualification"] == "SalesQualified" and back["expirationDateTime"] is None


def test_the_exports_own_keys_win():
    assert merge({"name": "new"}, {"name": "old", "size": "1"}) == {"name": "new", "size": "1"}


def test_a_record_cosell_maps_whole_keeps_nothing():
    assert extract({"id": "x", "name": "n", "details": {"dealValue": 1, "currency": "USD"}}) is None
