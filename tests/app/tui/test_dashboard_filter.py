"""Filter as you type (`/`), quick filters (e, g, t) and `esc`, on the dashboard."""
from __future__ import annotations

from datetime import timedelta

from model import services as svc
from model.domain.enums import DealKind, Tab
from model.domain.stages import Stage
from model.domain.listing import DealQuery

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    NOW, bulk_deals, config_dir, make_app, pilot_test, screen_text, settle, table_of, visible_names,
)


@pilot_test
async def test_typing_filters_over_name_customer_and_crm_id_and_esc_clears(ctx):
    bulk_deals(ctx.store, 500)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        everything = table.total
        await pilot.press("slash", *"deal 00042")
        await settle(pilot)
        assert app.focused.id == "filter"
        assert table.query_spec.text == "deal 00042"
        assert [r.name for r in table.loaded_rows()] == [n for n in visible_names(app)]
        hay = [f"{r.name} {r.customer_name} {r.crm_id}".lower() for r in table.loaded_rows()]
        assert hay and all("deal" in h and "00042" in h for h in hay)
        assert "Deal 00042" in " ".join(visible_names(app))
        assert table.total == svc.count_deals(ctx, DealQuery(tab=Tab.INBOUND, text="deal 00042"))
        # The CRM id and the customer are searched too.
        await pilot.press("escape")
        await settle(pilot)
        assert table.query_spec.text == "" and table.total == everything and app.focused is table
        await pilot.press("slash", *"crm-000077")
        await settle(pilot)
        assert [r.crm_id for r in table.loaded_rows()] == ["CRM-000077"]
        await pilot.press("enter")  # the one match: enter opens it (the filter kept)
        await settle(pilot)
        assert type(app.screen).__name__ == "DealDetailScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is table and table.query_spec.text == "crm-000077"
        await pilot.press("escape")  # from the grid, esc clears the filter
        await settle(pilot)
        assert table.query_spec.text == "" and table.total == everything
        assert app.screen.query_one("#filter").value == ""


@pilot_test
async def test_a_filter_that_matches_nothing_says_so(ctx):
    bulk_deals(ctx.store, 50)
    app = make_app(ctx)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"no such deal anywhere")
        await settle(pilot)
        assert table_of(app).total == 0
        text = screen_text(app)
        assert "No deals here match the filter" in text
        assert "0 matches" in text  # plural forms (issue 13)


@pilot_test
async def test_only_the_latest_query_paints_the_grid(ctx):
    """Stale results are dropped: many queries in flight, the last one wins."""
    bulk_deals(ctx.store, 800)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        for text in ("deal 001", "deal 0002", "security", "deal 00031"):
            table.set_query(DealQuery(tab=Tab.INBOUND, text=text))
        await settle(pilot)
        assert table.query_spec.text == "deal 00031"
        expected = svc.list_deals(ctx, DealQuery(tab=Tab.INBOUND, text="deal 00031", limit=500))
        assert expected and [r.id for r in table.loaded_rows()] == [r.id for r in expected]


@pilot_test
async def test_quick_filters_expiring_stage_and_kind(ctx):
    bulk_deals(ctx.store, 600)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("e")
        await settle(pilot)
        assert table.query_spec.expiring_within == timedelta(hours=72)
        assert table.total == svc.count_deals(ctx, DealQuery(tab=Tab.INBOUND, expiring_within=timedelta(hours=72)))
        assert all(r.expires_at - NOW <= timedelta(hours=72) for r in table.loaded_rows())
        assert "expiring ≤ 72 h" in screen_text(app)
        await pilot.press("e")  # toggles off
        await settle(pilot)
        assert table.query_spec.expiring_within is None

        await pilot.press("g")  # None → Accepted: the first stage a deal in view is in (no inbound deal is Created)
        await settle(pilot)
        assert table.query_spec.stage is Stage.ACCEPTED
        assert table.loaded_rows() and all(r.stage is Stage.ACCEPTED for r in table.loaded_rows())
        assert "stage: Accepted" in screen_text(app)

        await pilot.press("t", "t")  # None → IP co-sell → services co-sell
        await settle(pilot)
        assert table.query_spec.kind is DealKind.SERVICES_COSELL
        assert all(r.kind is DealKind.SERVICES_COSELL and r.stage is Stage.ACCEPTED for r in table.loaded_rows())
        assert table.total == svc.count_deals(ctx, DealQuery(tab=Tab.INBOUND, stage=Stage.ACCEPTED,
                                                             kind=DealKind.SERVICES_COSELL))
        await pilot.press("escape")  # clears every filter at once
        await settle(pilot)
        q = table.query_spec
        assert (q.stage, q.kind, q.expiring_within, q.text) == (None, None, None, "")
        assert "stage:" not in screen_text(app)
