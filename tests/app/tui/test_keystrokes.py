"""Issue 13's keystroke budget, from the dashboard list to the done state: accept, favorite and
next stage in ≤ 2 keys, decline with a reason in ≤ 4 (the reason by its number, R8.4), bulk
decline of N marked deals in N + 4; and a key the deal does not allow says why (R8.2)."""
from __future__ import annotations

import pytest

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    config_dir, make_app, pilot_test, settle, table_of,
)
from detail_support import notes_of, put_inbound, put_outbound
from model import services as svc
from model.domain.enums import Substatus
from model.domain.rules.lifecycle import next_stage


async def press(pilot, *keys: str) -> int:
    """Press the keys one by one, letting each land (dialogs open, saves finish); return how many."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
        await pilot.pause(0.05)
    await settle(pilot)
    return len(keys)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])  # the sizes of issue 13
@pilot_test
async def test_accept_from_the_list_in_two_keys(ctx, size):  # R8.3
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert table_of(app).cursor_deal.id == deal.id
        assert await press(pilot, "a", "ctrl+s") == 2
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.ACCEPTED


@pilot_test
async def test_favorite_and_next_stage_in_one_key_each(ctx):  # R3.3, R8.7
    deal = put_outbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        assert table_of(app).cursor_deal.id == deal.id
        assert await press(pilot, "f") == 1
        assert svc.get_deal(ctx, deal.id).favorite
        expected = next_stage(svc.get_deal(ctx, deal.id))
        assert await press(pilot, "greater_than_sign") == 1
        assert svc.get_deal(ctx, deal.id).stage is expected


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])  # the sizes of issue 13
@pilot_test
async def test_decline_with_a_reason_in_four_keys(ctx, size):  # R8.4
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        # d, the reason's number (3: Insufficient information), save, confirm (R9)
        assert await press(pilot, "d", "3", "ctrl+s", "y") == 4
    saved = svc.get_deal(ctx, deal.id)
    assert saved.substatus is Substatus.DECLINED and saved.status_reason == "Insufficient information"


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])  # the sizes of issue 13
@pilot_test
async def test_bulk_decline_of_n_marked_deals_in_n_plus_four_keys(ctx, size):  # R8.4
    deals = [put_inbound(ctx, name=f"Inbound {i}") for i in range(3)]
    app = make_app(ctx)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        n = len(deals)
        assert await press(pilot, *["space"] * n, "d", "1", "ctrl+s", "y") == n + 4
    assert {svc.get_deal(ctx, d.id).substatus for d in deals} == {Substatus.DECLINED}


@pilot_test
async def test_accept_on_an_outbound_deal_says_why_in_one_key(ctx):  # R8.2
    put_outbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        assert await press(pilot, "a") == 1
        assert any(n.startswith("Cannot accept: only a received inbound deal") for n in notes_of(app))
