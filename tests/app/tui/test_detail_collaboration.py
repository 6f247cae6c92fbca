"""From the deal detail: upgrade a private deal (R7.5), invite Microsoft (R2.3) or a partner (R7.4)."""
from __future__ import annotations

from detail_support import make_app, open_detail, pilot_test, put_outbound, wait_for_screen
from model.domain.enums import HelpType
from tui.screens.invite import InviteMicrosoftDialog, InvitePartnerDialog, UpgradeDialog


def offered_keys(screen) -> set[str]:
    """Keys of the collaboration bindings the screen offers now (the model allows the action)."""
    return {ab.binding.key for ab in screen.active_bindings.values() if ab.binding.action.startswith("collab(")
            and screen.check_action("collab", (ab.binding.action[8:-2],))}


@pilot_test
async def test_private_deal_offers_upgrade_and_the_key_opens_its_dialog(ctx):  # R7.5
    deal = put_outbound(ctx, help_type=HelpType.NONE, share_with_microsoft=False)
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_detail(pilot, deal.id)
        assert {"u", "m", "i"} <= offered_keys(screen)
        await pilot.press("u")
        await wait_for_screen(pilot, UpgradeDialog)


@pilot_test
async def test_partner_led_deal_offers_invitations_but_no_upgrade(ctx):  # R7.5, R2.3, R7.4
    deal = put_outbound(ctx, help_type=HelpType.NONE, share_with_microsoft=True)
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_detail(pilot, deal.id)
        keys = offered_keys(screen)
        assert "u" not in keys and {"m", "i"} <= keys
        await pilot.press("i")
        await wait_for_screen(pilot, InvitePartnerDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("m")
        await wait_for_screen(pilot, InviteMicrosoftDialog)
