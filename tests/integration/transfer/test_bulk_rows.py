"""The bulk path stores exactly what the ORM path stores: same row values, same Deal read back."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from data.demo import populate
from factories import NOW, make_draft, make_inbound
from model import services as svc
from model.store import bulk, repo
from model.store.tables import DealRecord
from transfer_support import fresh_ctx
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)

DERIVED_AND_OWN = {"updated_by"}


def _deals_via_services(ctx):
    a = svc.create_deal(ctx, make_draft())
    b = svc.receive_inbound(ctx, make_inbound())
    svc.accept(ctx, b.id, notes="ok")
    svc.mark_stage(ctx, b.id)
    return [a.id, b.id]


def test_rows_of_a_deal_are_the_rows_the_orm_wrote(ctx):
    ids = _deals_via_services(ctx)
    with ctx.store.read() as session:
        stored = bulk.load(session, ids)
        for deal_id in ids:
            deal = repo.to_deal(session.get(DealRecord, deal_id))
            mine = bulk.deal_rows(deal)
            theirs = stored[deal_id]
            for column, value in mine.deal.items():
                if column not in DERIVED_AND_OWN:
                    assert theirs.deal[column] == value, column
            assert [{k: t[k] for k in ("name", "phone", "email", "company")} for t in theirs.team] == \
                   [{k: t[k] for k in ("name", "phone", "email", "company")} for t in mine.team]
            assert bulk.deal_from_rows(theirs) == deal


def test_deals_written_in_bulk_read_back_through_the_orm(ctx, tmp_path):
    ids = _deals_via_services(ctx)
    originals = [svc.get_deal(ctx, i) for i in ids]
    target = fresh_ctx(tmp_path, "bulk", catalogue=False)
    with target.store.write() as session:
        bulk.insert_deals(session, [bulk.deal_rows(d, actor="t") for d in originals])
    with target.store.read() as session:
        assert [repo.to_deal(session.get(DealRecord, i)) for i in ids] == originals
    assert target.store.change_counter() == 1  # other dashboards notice the write


def test_demo_deals_are_valid_deal_values(tmp_path):
    ctx = fresh_ctx(tmp_path, "demo")
    populate(ctx.store, deals=60, accounts=200, seed=3, now=NOW)
    with ctx.store.read() as session:
        ids = session.scalars(select(DealRecord.id)).all()
        for deal_id in ids:
            deal = repo.to_deal(session.get(DealRecord, deal_id))
            assert type(deal).model_validate(deal.model_dump()) == deal


def test_construct_needs_every_field():
    from model.domain.schemas import Note

    with pytest.raises(TypeError, match="missing"):
        bulk.construct(Note, {"at": NOW, "author": "a"})
