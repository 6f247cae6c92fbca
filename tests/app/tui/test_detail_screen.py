"""The deal detail screen: every section, literal data, layout at 80x24 and
160x48, the keys its footer offers per phase, and following outside changes."""
from __future__ import annotations

from textual.widgets import Footer, Static

from detail_support import (
    EVIL_NAME, detail_text, make_app, offered_keys, open_detail, pilot_test, put_inbound, screen_text, wait_idle, wait_until,
)
from model import services as svc
from tui.screens.deal_detail import DealDetailScreen


@pilot_test
async def test_detail_shows_every_section_and_data_literally(ctx):
    deal = put_inbound(ctx, name=EVIL_NAME, crm_id="CRM-[i]7[/i]")
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_detail(pilot, deal.id)
        text = screen_text(app)
        # Markup is shown as characters and escape sequences are dropped.
        assert "Contoso [bold red]x[/] red deal" in text
        assert "CRM-[i]7[/i]" in text
        assert "\x1b" not in text and "Lifecycle" in text
        for name in ("deal", "customer", "registration", "team", "solutions", "invitations", "notes", "history"):
            assert screen.query_one(f"#section-{name}").border_title
        text = detail_text(screen)
        for needle in ("Contoso Retail AB", "MACC", "Account match", "Bob Seller", "Contoso Insights on Azure",
                       "Azure IP co-sell", "Customer asked for a partner", "received", "expires in 14d 0h",
                       "the deal must be won", "Microsoft seller Maria", "Sweden"):
                assert needle in text, needle


@pilot_test
async def test_name_markup_does_not_style_the_title(ctx):
    deal = put_inbound(ctx, name="[bold red]x[/]")
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        title = screen.query_one("#detail-title", Static).content
        assert title.plain.startswith("[bold red]x[/]")
        styles = {str(span.style) for span in title.spans if span.start < len("[bold red]x[/]")}
        assert styles == {"bold"}  # the name is bold as every title is, never red


@pilot_test
async def test_wide_terminal_uses_two_columns_and_narrow_one(ctx):
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_detail(pilot, deal.id)
        left, right = screen.query_one("#detail-left"), screen.query_one("#detail-right")
        assert screen.has_class("-wide")
        assert right.region.x > left.region.x and right.region.y == left.region.y
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: not screen.has_class("-wide"), what="narrow layout")
        await pilot.pause()
        assert right.region.y > left.region.y and right.region.x == left.region.x


@pilot_test
async def test_footer_offers_what_available_actions_allows(ctx, clock):  # R8.2, R8.7, R8.9
    received = put_inbound(ctx)
    accepted = put_inbound(ctx, name="Second")
    svc.accept(ctx, accepted.id)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_detail(pilot, received.id)
        assert offered_keys(screen) == {"deal.accept", "deal.decline", "deal.error", "deal.favorite"}
        await app.pop_screen()
        screen = await open_detail(pilot, accepted.id)
        # Won is not offered while stages are left (R8.9); the key still answers with the reason.
        assert offered_keys(screen) == {"deal.next_stage", "deal.lost", "deal.error", "deal.edit",
                                        "deal.note", "deal.favorite"}
        await app.pop_screen()
        for _ in range(4):
            svc.mark_stage(ctx, accepted.id)
        clock.advance(days=4)
        screen = await open_detail(pilot, accepted.id)
        assert offered_keys(screen) == {"deal.won", "deal.lost", "deal.error", "deal.edit", "deal.note",
                                        "deal.favorite"}  # every stage marked: Won, and no next stage
        assert all(b.id for b in DealDetailScreen.BINDINGS)  # every binding can be remapped by id
        assert screen.query_one(Footer).is_mounted


@pilot_test
async def test_closed_deal_offers_no_action_but_favorite(ctx):
    deal = put_inbound(ctx)
    svc.decline(ctx, deal.id, "Customer not interested")
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        assert offered_keys(screen) == {"deal.favorite"}  # R8.14


@pilot_test
async def test_escape_goes_back(ctx):
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not screen, what="back")
        assert not isinstance(app.screen, DealDetailScreen)


@pilot_test
async def test_detail_follows_a_change_made_elsewhere(ctx):
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        svc.accept(ctx, deal.id, name="Renamed elsewhere")
        app.refresh_deals()  # what the app's change poll does when the store's counter moves
        await wait_until(pilot, lambda: screen.deal.name == "Renamed elsewhere", what="reload")
        await pilot.pause()
        assert "Renamed elsewhere" in screen_text(app)


@pilot_test
async def test_favorite_key_toggles_the_heart(ctx):
    deal = put_inbound(ctx, name=EVIL_NAME)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("f")
        await wait_idle(pilot, screen)
        assert svc.get_deal(ctx, deal.id).favorite  # R3.3
        assert screen.query_one("#detail-title", Static).content.plain.startswith("♥ ")
        toast = list(app._notifications)[-1]
        # The deal's name reaches the notification literally: not parsed as markup, escapes dropped.
        assert not toast.markup and "“Contoso [bold red]x[/] red deal”" in toast.message
        assert "\x1b" not in toast.message
        await pilot.press("f")
        await wait_idle(pilot, screen)
        assert not svc.get_deal(ctx, deal.id).favorite


@pilot_test
async def test_the_body_scrolls_from_the_keyboard_at_80x24(ctx):
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        body = screen.query_one("#detail-body")
        assert app.focused is body and body.max_scroll_y > 0  # more than fits: it scrolls
        await pilot.press("j", "j", "down")
        assert body.scroll_y == 3
        await pilot.press("k")
        assert body.scroll_y == 2
