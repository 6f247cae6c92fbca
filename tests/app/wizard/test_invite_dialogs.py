"""The dialogs the deal detail opens on a saved deal: upgrade a private deal
(R7.5), invite Microsoft (R2.3, R7.3, R4.10) and invite a partner (R7.4).
Each calls the model's service; a refusal is shown beside its field; a deal
changed by someone else meanwhile opens the one conflict dialog (Re-apply on
the current version, Reload under the still filled-in dialog, Cancel)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from model import services as svc
from model.domain.enums import HelpType, MicrosoftStatus, SaleType
from model.domain.schemas import Customer, Invitation
from tui.screens.invite import InviteMicrosoftDialog, InvitePartnerDialog, UpgradeDialog
from wizard_support import (  # noqa: F401 - wctx is a fixture
    Harness, pilot_test, ready_draft, shown_errors, type_into, wait_for, wctx,
)

SIZE = (100, 40)


def private_deal(ctx, **kw):
    customer = Customer(name="Northwind Traders AB", account_id="ACC-NW-1", source="managed")
    return svc.create_deal(ctx, ready_draft(share_with_microsoft=False, customer=customer, **kw))


async def fill_help(pilot, *, notes="Need a reference architecture", contact=True, consent=True):
    screen = pilot.app.screen
    screen.query_one("#help-type").focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("down", "enter")  # the prompt → General or other
    if notes:
        await type_into(pilot, "#help-notes", notes)
    if contact:
        await type_into(pilot, "#contact-name", "Nina Buyer")
        await type_into(pilot, "#contact-phone", "+46 8 555 01")
        await type_into(pilot, "#contact-email", "nina@nw.example")
    if consent:
        screen.query_one("#consent").focus()
        await pilot.press("space")


@pilot_test
async def test_upgrade_private_deal_to_partner_led(wctx):  # R7.5, R7.2
    deal = private_deal(wctx)
    assert deal.sale_type is SaleType.PRIVATE
    app = Harness(wctx, lambda: UpgradeDialog(deal))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#help-form").display  # partner-led needs no help form
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results)
    assert app.results[0].sale_type is SaleType.PARTNER_LED
    assert svc.get_deal(wctx, deal.id).share_with_microsoft


@pilot_test
async def test_upgrade_to_cosell_names_what_is_missing_then_invites_microsoft(wctx):  # R7.5, R7.3, R4.10
    deal = private_deal(wctx)
    app = Harness(wctx, lambda: UpgradeDialog(deal))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # Co-sell: ask Microsoft for help
        await pilot.pause()
        assert app.screen.query_one("#help-form").display
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: shown_errors(app.screen))
        errors = shown_errors(app.screen)
        assert errors["err-help-type"] == "choose the kind of help you need from Microsoft (R7.3)"
        assert errors["err-notes"] == "say in the notes what help you want from Microsoft (R7.3)"
        assert "is required when Microsoft is invited (R4.10)" in errors["err-customer-contacts"]
        assert "(R4.10)" in errors["err-customer-consent-to-share"]
        assert svc.get_deal(wctx, deal.id).sale_type is SaleType.PRIVATE  # refused: nothing written
        await fill_help(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results)
    stored = svc.get_deal(wctx, deal.id)
    assert stored.sale_type is SaleType.CO_SELL and stored.microsoft_status is MicrosoftStatus.INVITED
    assert stored.help_type is HelpType.GENERAL and stored.customer.consent_to_share
    assert stored.notes[-1].text == "Need a reference architecture"


@pilot_test
async def test_upgrade_is_only_for_private_deals(wctx):  # R7.5
    deal = svc.create_deal(wctx, ready_draft())  # partner-led
    app = Harness(wctx, lambda: UpgradeDialog(deal))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: shown_errors(app.screen))
        errors = shown_errors(app.screen)
        assert list(errors) == ["err-step"] and errors["err-step"].startswith("only a private deal can be upgraded")
        assert errors["err-step"].endswith("(R7.5)")


@pilot_test
async def test_invite_microsoft_later_makes_the_deal_cosell(wctx):  # R2.3
    deal = svc.create_deal(wctx, ready_draft())
    app = Harness(wctx, lambda: InviteMicrosoftDialog(deal))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await fill_help(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results)
    stored = svc.get_deal(wctx, deal.id)
    assert stored.sale_type is SaleType.CO_SELL and stored.microsoft_status is MicrosoftStatus.INVITED
    assert [c.email for c in stored.customer.contacts] == ["nina@nw.example"]


async def conflict_dialog(pilot):
    """Until the one conflict dialog (``tui.screens.dialogs.conflict``) is on top; returns it."""
    from tui.screens.dialogs import ConflictDialog

    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConflictDialog) and pilot.app.screen.is_mounted,
                   what="the conflict dialog")
    return pilot.app.screen


@pilot_test
async def test_invite_partner_conflict_goes_through_the_conflict_dialog_and_reapplies(wctx):  # R2.3, R7.4
    deal = svc.create_deal(wctx, ready_draft())
    app = Harness(wctx, lambda: InvitePartnerDialog(deal=deal))
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.screen
        await pilot.press(*"litware")
        await wait_for(pilot, lambda: dialog.found and dialog.found[0].partner_id == "P-LIT")
        await pilot.press("down", "enter")
        await type_into(pilot, "#inv-value", "25000")
        svc.edit(wctx, deal.id, {"name": "Renamed by Bob"})  # someone else writes meanwhile
        await pilot.press("ctrl+s")
        conflict = await conflict_dialog(pilot)
        assert conflict.error.found == deal.version + 1 and conflict.deal_name == deal.name
        assert ("Partner", "Litware Systems AB") in conflict.your_change  # what the user typed is shown
        assert len(svc.get_deal(wctx, deal.id).partner_invitations) == 0  # nothing saved yet
        await pilot.press("a")  # re-apply on the current version
        await wait_for(pilot, lambda: app.results)
    stored = svc.get_deal(wctx, deal.id)
    assert stored.sale_type is SaleType.P2P and stored.name == "Renamed by Bob"
    inv = stored.partner_invitations[0]
    assert (inv.partner_id, inv.value, inv.close_date, inv.solutions) == \
        ("P-LIT", Decimal("25000"), date(2027, 3, 31), ["SOL-AZ-1"])


@pilot_test
async def test_upgrade_conflict_reload_keeps_the_dialog_filled_in(wctx):  # R7.5
    deal = private_deal(wctx)
    app = Harness(wctx, lambda: UpgradeDialog(deal))
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.screen
        await pilot.pause()
        await pilot.press("down", "enter")  # Co-sell: ask Microsoft for help
        await fill_help(pilot)
        svc.edit(wctx, deal.id, {"name": "Renamed by Bob"})
        await pilot.press("ctrl+s")
        conflict = await conflict_dialog(pilot)
        assert ("Upgrade to", "Co-sell") in conflict.your_change
        assert ("Notes", "Need a reference architecture") in conflict.your_change
        await pilot.press("r")  # reload: their version under the dialog, still filled in
        await wait_for(pilot, lambda: app.screen is dialog and dialog.deal.name == "Renamed by Bob",
                       what="the dialog on the fresh deal")
        assert "reloaded" in shown_errors(dialog)["err-step"]
        assert dialog.query_one("#help-notes").text == "Need a reference architecture"
        assert svc.get_deal(wctx, deal.id).sale_type is SaleType.PRIVATE and app.results == []
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results)
    stored = svc.get_deal(wctx, deal.id)
    assert stored.sale_type is SaleType.CO_SELL and stored.name == "Renamed by Bob"


@pilot_test
async def test_invite_microsoft_conflict_cancel_saves_nothing(wctx):  # R2.3
    deal = svc.create_deal(wctx, ready_draft())
    app = Harness(wctx, lambda: InviteMicrosoftDialog(deal))
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.screen
        await pilot.pause()
        await fill_help(pilot)
        svc.edit(wctx, deal.id, {"name": "Renamed by Bob"})
        await pilot.press("ctrl+s")
        await conflict_dialog(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dialog and not dialog.busy, what="back in the dialog")
        assert app.results == []
    assert svc.get_deal(wctx, deal.id).microsoft_status is MicrosoftStatus.NOT_INVITED


@pilot_test
async def test_invite_partner_takes_only_a_partner_from_the_catalogue(wctx):  # R7.4
    """A typed name is a search, never a partner: saving without picking a result is refused."""
    deal = svc.create_deal(wctx, ready_draft())
    app = Harness(wctx, lambda: InvitePartnerDialog(deal=deal))
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.screen
        await pilot.press(*"Acme Free Text Ltd")
        await wait_for(pilot, lambda: dialog.found == [] and dialog._seq > 1, what="no catalogue match")
        await type_into(pilot, "#inv-value", "25000")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "err-partner" in shown_errors(dialog))
        assert shown_errors(dialog)["err-partner"] == "choose the partner to invite (R7.4)"
        assert dialog.build()[0].partner_name == "" and app.results == []
        dialog.query_one("#partner-q").value = "litware"
        await wait_for(pilot, lambda: dialog.found and dialog.found[0].partner_id == "P-LIT")
        dialog.query_one("#partner-results").focus()
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results)
    (inv,) = svc.get_deal(wctx, deal.id).partner_invitations
    assert (inv.partner_id, inv.partner_name, inv.mpn_id) == ("P-LIT", "Litware Systems AB", dialog.found[0].mpn_id)


def test_invitation_prompt_shows_data_literally():
    from tui.screens.new_deal.sale_type_step import invitation_prompt

    text = invitation_prompt(Invitation(invitation_id="", partner_name="[bold]Evil\x1b[31m Ltd",
                                        value=Decimal("1000"), currency="EUR"))
    assert text.plain.startswith("[bold]Evil Ltd") and not text.spans[0].style == "bold red"


def test_each_collaboration_action_has_its_dialog(wctx):
    import pytest

    from model.domain.rules.lifecycle import Action
    from tui.screens.invite import collaboration_dialog

    deal = private_deal(wctx)
    assert isinstance(collaboration_dialog(Action.UPGRADE, deal), UpgradeDialog)
    assert isinstance(collaboration_dialog(Action.INVITE_MICROSOFT, deal), InviteMicrosoftDialog)
    assert collaboration_dialog(Action.INVITE_PARTNER, deal).deal is deal
    with pytest.raises(ValueError):
        collaboration_dialog(Action.WON, deal)
