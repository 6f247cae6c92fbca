"""The bulk path's JSON columns (orjson, with ``json`` for what orjson refuses) read back as the
ORM path reads them: the same values, whichever path wrote them (B7)."""
from __future__ import annotations

from sqlalchemy import select

from factories import make_draft, managed_customer
from model import services as svc
from model.domain.schemas import CustomerContact
from model.store import bulk, repo
from model.store.bulk_io import _read_json, _sqlite_json
from model.store.tables import DealRecord
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


def test_what_orjson_refuses_is_written_and_read_by_json():
    assert _sqlite_json({"n": 2**70 + 1}) == '{"n":1180591620717411303425}'  # beyond 64 bits: json writes it
    text = {"name": "Mäkelä \u202e", "tags": [1, 2.5, None, True]}
    assert _read_json(_sqlite_json(text)) == text
    assert _read_json('{"x": NaN}')["x"] != _read_json('{"x": NaN}')["x"]  # NaN: only json reads it
    assert _sqlite_json([]) == "[]" and _read_json("[]") == []


def test_a_bulk_written_deal_reads_back_through_the_orm_unchanged(ctx):
    contact = CustomerContact(name="Heidi Mäkelä", phone="+358 9 555 01", email="heidi@järvi.example")
    deal = svc.create_deal(ctx, make_draft(name="Ääne: data platform", customer=managed_customer(contacts=[contact])))
    with ctx.store.read() as session:
        rows = bulk.load(session, [deal.id])[deal.id]
    copy = bulk.deal_from_rows(rows).model_copy(update={"id": "00000000-0000-4000-8000-000000000001"})
    with ctx.store.write() as session:
        bulk.insert_deals(session, [bulk.deal_rows(copy)])
    with ctx.store.read() as session:
        via_orm = repo.to_deal(session.get(DealRecord, copy.id))
        via_bulk = bulk.deal_from_rows(bulk.load(session, [copy.id])[copy.id])
        stored = session.scalar(select(DealRecord.customer_contacts).where(DealRecord.id == copy.id))
    assert via_orm == via_bulk == copy
    assert stored == [contact.model_dump(mode="json")]
