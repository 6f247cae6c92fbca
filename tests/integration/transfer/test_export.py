"""Export: only what the user may see (R1.3, R1.4), CSV with a header and safe cells, and text
that cannot drive a terminal."""
from __future__ import annotations

import csv
import io
import json

from factories import ADMIN, SELLER_SE, TEAM, ctx_as, make_draft, make_inbound, managed_customer
from model import services as svc
from model.domain.enums import Tab
from model.domain.schemas import Person
from model.services import transfer_export
from transfer_support import export_doc, export_text
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)

OTHER_TEAM = [Person(name="Olga Other", phone="+47 1 2", email="olga@contoso-partner.com")]


def test_a_referral_user_exports_only_the_deals_they_may_see(ctx):
    # R1.3: in their location and on the team; R1.4: admins see everything.
    mine = svc.create_deal(ctx, make_draft(name="Mine in Sweden"))
    svc.create_deal(ctx, make_draft(name="Not on the team", team=OTHER_TEAM))
    svc.create_deal(ctx, make_draft(name="Norway", location="Norway"))
    seen = export_doc(ctx_as(ctx, SELLER_SE))
    assert [r["id"] for r in seen["value"]] == [mine.id] and seen["@odata.count"] == 1
    assert export_doc(ctx_as(ctx, ADMIN))["@odata.count"] == 3
    rows = list(csv.reader(io.StringIO(export_text(ctx_as(ctx, SELLER_SE), fmt="csv"))))
    assert [r[1] for r in rows[1:]] == ["Mine in Sweden"]


def test_csv_has_a_header_and_flat_columns(ctx):
    deal = svc.create_deal(ctx, make_draft(name="Plain", crm_id="OPP-1"))
    svc.set_favorite(ctx, deal.id, True)
    rows = list(csv.reader(io.StringIO(export_text(ctx, fmt="csv"))))
    assert rows[0] == list(transfer_export.CSV_COLUMNS)
    for name in ("id", "name", "customer", "direction", "kind", "sale type", "status", "substatus", "stage",
                 "stage %", "value", "currency", "value_usd", "close date", "expires", "CRM id", "partner role",
                 "partner program", "favorite", "location"):
        assert name in rows[0]
    row = dict(zip(rows[0], rows[1]))
    assert row["id"] == deal.id and row["kind"] == "IP co-sell" and row["sale type"] == "Partner-led"
    assert row["stage"] == "Created" and row["stage %"] == "10" and row["value"] == "60000.00"
    assert row["currency"] == "USD" and row["value_usd"] == "60000.00" and row["close date"] == "2027-03-31"
    assert row["CRM id"] == "OPP-1" and row["favorite"] == "yes" and row["location"] == "Sweden"


def test_csv_escapes_quotes_commas_newlines_and_formulas(ctx):
    svc.create_deal(ctx, make_draft(name='Big, "quoted"\nname', crm_id="=HYPERLINK(\"http://x\")",
                                    customer=managed_customer(name="@risk \x1b[31mAB\x1b[0m")))
    text = export_text(ctx, fmt="csv")
    assert "\x1b" not in text
    row = dict(zip(*list(csv.reader(io.StringIO(text)))))
    assert row["name"] == 'Big, "quoted"\nname'
    assert row["CRM id"] == "'=HYPERLINK(\"http://x\")"  # a spreadsheet must not run it
    assert row["customer"] == "'@risk AB"


def test_csv_neutralises_formulas_after_a_tab_a_cr_or_spaces_and_drops_bidi_overrides(ctx):
    # OWASP's list: a cell starting with =, +, -, @, a tab or a CR, also after leading spaces.
    for i, crm in enumerate(("\t=1+1", "  =cmd|' /C calc'!A0", "\r+1", " @SUM(A1)", "-2+3")):
        svc.create_deal(ctx, make_draft(name=f"deal {i}: gnp\u202eexe.txt", crm_id=crm))
    rows = list(csv.DictReader(io.StringIO(export_text(ctx, fmt="csv"))))
    assert sorted(r["CRM id"][:1] for r in rows) == ["'"] * 5  # every one starts as text
    assert all("\u202e" not in r["name"] for r in rows)  # U+202E would show "txt.exe" reversed


def test_json_export_escapes_bidi_controls_but_keeps_the_data(ctx):
    svc.create_deal(ctx, make_draft(name="invoice\u202egnp.exe"))
    text = export_text(ctx)
    assert "\u202e" not in text and "\\u202e" in text
    assert json.loads(text)["value"][0]["name"] == "invoice\u202egnp.exe"


def test_json_export_escapes_every_control_character(ctx):
    svc.create_deal(ctx, make_draft(name="bell \x07 csi \x9b31m del \x7f esc \x1b[2J"))
    text = export_text(ctx)
    assert not any(ch in text for ch in "\x07\x1b\x7f\x9b")
    assert json.loads(text)["value"][0]["name"] == "bell \x07 csi \x9b31m del \x7f esc \x1b[2J"


def test_export_pages_through_many_deals_in_id_order(ctx, monkeypatch):
    from model.store import bulk

    monkeypatch.setattr(bulk, "CHUNK", 3)  # several pages of a few deals
    ids = sorted(svc.create_deal(ctx, make_draft(name=f"Deal {i}")).id for i in range(8))
    inbound = svc.receive_inbound(ctx, make_inbound(team=list(TEAM)))
    doc = export_doc(ctx, tab=Tab.OUTBOUND)
    assert [r["id"] for r in doc["value"]] == ids
    assert inbound.id in [r["id"] for r in export_doc(ctx)["value"]]


def test_an_empty_store_exports_an_empty_list(ctx):
    assert export_doc(ctx) == {"value": [], "@odata.count": 0}
    assert export_text(ctx, fmt="csv").splitlines() == [",".join(transfer_export.CSV_COLUMNS)]
