"""Issue 13 / R10.1: one conversion rule for every face, also for deals stored before it.

A 23,000 EUR deal closing next March showed one USD value in the detail and the registration
check and another in the list, the JSON and the CSV, because its stored ``value_usd`` had been
converted by an older rule (at the rate of the day it was written). ``backfill_value_usd``
recomputes the column by ``fx.usd_day`` for every stored deal; afterwards every face agrees.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import update

from cli.render import row_json
from factories import NOW, make_draft
from model import services as svc
from model.domain.enums import Tab
from model.domain.listing import DealQuery
from model.domain.rules.fx import to_usd, usd_day
from model.domain.rules.registration import eligibility_violations
from model.store.backfill import backfill_value_usd
from model.store.tables import DealRecord
from transfer_support import export_text
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


def _faces(ctx, deal_id: str) -> dict[str, float]:
    """The deal's USD value as each face shows it."""
    deal = svc.get_deal(ctx, deal_id)
    row = next(r for r in svc.list_deals(ctx, DealQuery(tab=Tab.OUTBOUND)) if r.id == deal_id)
    table = list(csv.reader(io.StringIO(export_text(ctx, fmt="csv"))))
    by_id = {r[0]: dict(zip(table[0], r)) for r in table[1:]}
    return {
        "detail": float(to_usd(deal.value, deal.currency, usd_day(deal.closed_at, deal.close_date, deal.created_at))),
        "list": round(row.value_usd, 2),
        "json": round(row_json(row, NOW)["value_usd"], 2),
        "csv": float(by_id[deal_id]["value_usd"]),
    }


def _store_old_rule_value(ctx, deal_id: str, value_usd: float) -> None:
    with ctx.store.write() as session:
        session.execute(update(DealRecord).where(DealRecord.id == deal_id).values(value_usd=value_usd))


def test_a_deal_stored_by_the_old_rule_agrees_everywhere_after_the_backfill(ctx):
    deal = svc.create_deal(ctx, make_draft(value=Decimal("23000"), currency="EUR", close_date=date(2027, 3, 31)))
    other = svc.create_deal(ctx, make_draft(name="Already right", value=Decimal("5000"), currency="GBP"))
    old_rule = float(to_usd(deal.value, "EUR", NOW.date()))  # converted at the day it was written
    right = float(to_usd(deal.value, "EUR", date(2027, 3, 31)))  # R10.1: the month it is expected to close
    assert old_rule != right
    _store_old_rule_value(ctx, deal.id, old_rule)
    before = _faces(ctx, deal.id)
    assert before["detail"] == right and before["list"] == before["json"] == before["csv"] == old_rule

    with ctx.store.write() as session:
        assert backfill_value_usd(session.connection()) == 1  # only the wrong one changes
    after = _faces(ctx, deal.id)
    assert set(after.values()) == {right}, after
    assert svc.get_deal(ctx, deal.id).version == deal.version  # the same deal: no new version
    assert _faces(ctx, other.id)["list"] == _faces(ctx, other.id)["detail"]
    # R10.1's registration check converts by the same rule: its verdict does not depend on the face.
    assert eligibility_violations(svc.get_deal(ctx, deal.id), NOW) == eligibility_violations(deal, NOW)
    with ctx.store.write() as session:
        assert backfill_value_usd(session.connection()) == 0  # run again: nothing left to fix


def test_the_backfill_goes_in_batches_over_every_deal(ctx):
    ids = [svc.create_deal(ctx, make_draft(name=f"Deal {i}", value=Decimal(1000 + i), currency="EUR")).id
           for i in range(7)]
    for deal_id in ids:
        _store_old_rule_value(ctx, deal_id, 1.0)
    with ctx.store.write() as session:
        assert backfill_value_usd(session, batch=3) == 7  # a Session works as well as a Connection
    for deal_id in ids:
        faces = _faces(ctx, deal_id)
        assert len(set(faces.values())) == 1, faces
