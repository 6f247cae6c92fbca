"""Issue 13: under ``NO_COLOR`` a checkbox, a radio button and a selection-list row show their state
in characters ([x] / [ ], (•) / ( )), not only as a grey level; with colour Textual's look stays."""
from __future__ import annotations

from model import services as svc
from tui.screens.invite import InvitePartnerDialog
from tui.screens.new_deal import NewDealWizard
from wizard_support import (  # noqa: F401 - wctx is a fixture
    Harness, next_step, pilot_test, ready_draft, screen_text, wait_for, wctx,
)

SIZE = (100, 40)
CONSENT = "I have the customer's consent to share these details with Microsoft"


def wizard_app(ctx) -> Harness:
    return Harness(ctx, lambda: NewDealWizard(ready_draft()))


@pilot_test
async def test_checkbox_and_radio_state_in_characters_without_colour(wctx, monkeypatch):  # R4.10, R5
    monkeypatch.setenv("NO_COLOR", "1")
    app = wizard_app(wctx)
    assert app.no_color
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, NewDealWizard) and app.screen.current == "customer")
        await pilot.pause()
        assert f"[ ] {CONSENT}" in screen_text(app)
        app.screen.query_one("#consent").focus()
        await pilot.pause()
        await pilot.press("space")
        await wait_for(pilot, lambda: f"[x] {CONSENT}" in screen_text(app), what="the box ticked, as a glyph")
        await next_step(pilot, "details")
        text = screen_text(app)
        assert "(•) IP co-sell" in text and "( ) Services co-sell" in text


@pilot_test
async def test_selection_list_rows_in_characters_without_colour(wctx, monkeypatch):  # R7.4
    monkeypatch.setenv("NO_COLOR", "1")
    deal = svc.create_deal(wctx, ready_draft())
    app = Harness(wctx, lambda: InvitePartnerDialog(deal=deal))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, InvitePartnerDialog))
        await pilot.pause()
        member = f"{deal.team[0].name} · {deal.team[0].email}"
        assert f"[x] {member}" in screen_text(app)  # the deal's team is on the invitation to begin with
        team = app.screen.query_one("#inv-team")
        team.focus()
        await pilot.pause()
        await pilot.press("space")
        await wait_for(pilot, lambda: f"[ ] {member}" in screen_text(app), what="the member unticked, as a glyph")


@pilot_test
async def test_with_colour_the_toggles_look_as_textual_draws_them(wctx, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = wizard_app(wctx)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, NewDealWizard) and app.screen.current == "customer")
        await pilot.pause()
        text = screen_text(app)
        assert f"▐X▌ {CONSENT}" in text and "[ ]" not in text
