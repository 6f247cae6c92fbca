"""Two people editing the same deal from two sessions (two engines on one database):
the second save hits the version check, is told who changed the deal and what,
and overwrites nothing."""
from __future__ import annotations

from datetime import date

import pytest

from model import services as svc
from model.domain.errors import ConflictError
from model.store import open_store
from shared_support import SELLER_SE, make_draft


@pytest.fixture
def second(ctx):
    """Bob's own session: another Store (engine, connections) on the same database."""
    store = open_store(ctx.store.url, create=False)
    yield svc.Ctx(store=store, clock=ctx.clock, user=SELLER_SE)
    store.dispose()


def test_second_save_is_refused_naming_who_and_what(ctx, second):
    deal = svc.create_deal(ctx, make_draft())
    alice_sees = svc.get_deal(ctx, deal.id)
    bob_sees = svc.get_deal(second, deal.id)
    svc.edit(second, deal.id, {"name": "Northwind analytics (phase 1)"}, version=bob_sees.version)

    with pytest.raises(ConflictError) as err:
        svc.edit(ctx, deal.id, {"close_date": date(2027, 6, 30)}, version=alice_sees.version)
    assert err.value.changed_by == "bob"
    assert "name" in err.value.changed_what
    assert (err.value.expected, err.value.found) == (alice_sees.version, alice_sees.version + 1)
    assert "bob" in str(err.value) and err.value.exit_code == 5

    now = svc.get_deal(ctx, deal.id)
    assert now.name == "Northwind analytics (phase 1)"  # bob's change stands
    assert now.close_date == deal.close_date  # alice's stale change was not applied
    assert [e.action for e in svc.history(ctx, deal.id)] == ["create", "edit"]

    # reload and apply again: now it goes through on top of bob's change
    svc.edit(ctx, deal.id, {"close_date": date(2027, 6, 30)}, version=now.version)
    final = svc.get_deal(second, deal.id)
    assert (final.name, final.close_date) == ("Northwind analytics (phase 1)", date(2027, 6, 30))


def test_a_note_from_the_other_session_is_named_too(ctx, second):
    deal = svc.create_deal(ctx, make_draft())
    svc.add_note(second, deal.id, "customer called back", version=deal.version)
    with pytest.raises(ConflictError) as err:
        svc.mark_stage(ctx, deal.id, version=deal.version)
    assert err.value.changed_by == "bob" and err.value.changed_what.startswith("note")
    assert svc.get_deal(ctx, deal.id).stages_marked == []


def test_the_favorite_heart_never_causes_a_conflict(ctx, second):  # R3.3
    deal = svc.create_deal(ctx, make_draft())
    svc.set_favorite(second, deal.id, True)
    edited = svc.edit(ctx, deal.id, {"crm_id": "CRM-42"}, version=deal.version)
    assert edited.crm_id == "CRM-42" and edited.favorite is True
