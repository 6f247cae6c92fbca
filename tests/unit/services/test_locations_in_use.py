"""`cosell locations list` lists every location there is (R1.2), not only those an mpnId names.

Found by a user: on demo data, whose deals are in Sweden, Germany, ..., the list was empty, since
only an import (or ``locations add``) writes the mpnId catalogue. Deals made in cosell (the
dashboard, `cosell create`, the demo) and users' scopes carry a location by name, with no mpnId:
those are listed too, with mpn_id None, and ``add_location`` gives one its mpnId (its deals keep
their location: the name is what they carry). The demo data itself is unchanged.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from data.demo import populate
from factories import NOW
from model.domain.enums import Role
from model.services import locations, users
from model.store.tables import DealRecord, LocationRecord


@pytest.fixture
def demo(ctx):
    populate(ctx.store, deals=60, accounts=0, seed=1, now=NOW)
    return ctx


def deal_locations(store) -> set[str]:
    with store.read() as session:
        return set(session.scalars(select(DealRecord.location).distinct()))


def test_every_location_the_demo_deals_use_is_listed(demo):  # R1.2
    rows = locations.list_locations(demo)
    names = [r["name"] for r in rows]
    assert names == sorted(names) and len(names) == len(set(names))
    assert deal_locations(demo.store) <= set(names)
    assert {"Sweden", "Norway", "Finland", "United Kingdom"} <= set(names)  # the demo users' scopes too
    assert all((r["mpn_id"], r["created_at"], r["created_by"]) == (None, None, None) for r in rows)


def test_the_demo_fills_no_mpnid_catalogue(demo):
    # What the fix did not change: the demo's data (snapshots and benchmark caches are made of it).
    with demo.store.read() as session:
        assert session.scalars(select(LocationRecord)).all() == []


def test_a_location_given_an_mpnid_is_listed_once_with_it_and_keeps_its_deals(demo):  # R1.2
    before = deal_locations(demo.store)
    locations.add_location(demo, "6115379", "Sweden")
    sweden = [r for r in locations.list_locations(demo) if r["name"] == "Sweden"]
    assert [(r["mpn_id"], r["created_by"]) for r in sweden] == [("6115379", demo.user.login)]
    assert deal_locations(demo.store) == before
    renamed = locations.rename_location(demo, "6115379", "Sverige")
    assert renamed["deals"] > 0  # the demo's Swedish deals go with it: the same location
    names = {r["name"] for r in locations.list_locations(demo)}
    assert "Sverige" in names and "Sweden" not in names


def test_a_users_scope_is_a_location_even_before_any_deal_is_in_it(ctx):  # R1.2, R1.3
    assert locations.list_locations(ctx) == []
    users.add_user(ctx, "sven", display_name="Sven", email="sven@contoso-partner.com", role=Role.USER,
                   location="Åland")
    assert [(r["mpn_id"], r["name"]) for r in locations.list_locations(ctx)] == [(None, "Åland")]
