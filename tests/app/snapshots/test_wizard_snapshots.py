"""SVG snapshots of the new-deal wizard (every step), the customer-search modal
and the invite-partner dialog, at 80x24 and 160x48, in the real app with the
fixed clock (2026-11-20T09:00Z), fixed reference data, default settings and no
blinking cursor.

The modal is opened the way a user opens it (``n`` on the dashboard); the
steps are shown on a fixed draft, so each picture depends on that step alone.
Update with ``pytest tests/snapshots/test_wizard_snapshots.py --snapshot-update``
and look at every changed SVG before committing it.
"""
from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from model.domain.enums import DealKind, HelpType, MarketplaceIntent, PartnerRole
from model.domain.schemas import CustomerContact, Invitation

_spec = importlib.util.spec_from_file_location("cosell_wizard_support_snapshots",
                                               Path(__file__).parents[2] / "support" / "wizard_support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.fixture
def wizard_ctx(ctx):
    """The admin on a store with the fixed account, solution and partner catalogues and one earlier deal."""
    support.seed_reference(ctx.store)
    support.seed_recent_deal(ctx)
    return ctx


def snapshot_draft(**kw):
    contact = CustomerContact(name="Nina Buyer", phone="+46 8 555 01", email="nina@northwind.example")
    fields = dict(name="Northwind data platform", crm_id="CRM-2291", campaign_id="FY27-DATA",
                  solution_area="Data & AI", solution_play="Unify Your Data Platform",
                  notes="Customer wants one data platform for its stores; Microsoft to review the architecture",
                  marketplace_intent=MarketplaceIntent.YES, team=[support.ME, support.COLLEAGUE])
    fields.update(kw)
    draft = support.ready_draft(**fields)
    draft.customer.contacts = [contact]
    draft.customer.consent_to_share = True
    return draft


PARTNERS = [
    Invitation(invitation_id="", partner_id="P-FAB", partner_name="Fabrikam Consulting Ltd",
               close_date=date(2027, 3, 31), value=Decimal("50000"), currency="USD", help_type=HelpType.GENERAL,
               team=[support.ME], solutions=["SOL-AZ-1"]),
    Invitation(invitation_id="", partner_id="P-LIT", partner_name="Litware Systems AB",
               close_date=date(2027, 4, 30), value=Decimal("30000"), currency="EUR", help_type=HelpType.POC,
               team=[support.ME], solutions=["SOL-AZ-1"]),
]


async def steady(pilot, predicate, what: str) -> None:
    """Wait for ``predicate``, for every worker to finish, and for the focus to land; then stop blinking."""
    app = pilot.app

    def settled() -> bool:
        screen = app.screen
        focus_in_place = not hasattr(screen, "step") or (app.focused is not None and (
            screen.step() in app.focused.ancestors_with_self or app.focused.id == "wizard-next"))
        return predicate() and not [w for w in app.workers if w.is_running] and focus_in_place

    await support.wait_for(pilot, settled, timeout=15, what=what)
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def open_wizard_at(pilot, step: str, draft) -> None:
    from tui.screens.new_deal import NewDealWizard

    await support.wait_for(pilot, lambda: pilot.app.is_running, what="app")
    wizard = NewDealWizard(draft)
    await pilot.app.push_screen(wizard)
    await support.wait_for(pilot, lambda: wizard.current == "customer" and wizard.is_mounted, what="wizard")
    keys = wizard.keys()
    for key in keys[1:keys.index(step) + 1]:
        wizard._show(key)  # the steps are checked by the pilot tests; here only the picture matters
        await pilot.pause()
    await pilot.pause()
    if step == "team":
        await support.wait_for(pilot, lambda: wizard.step("team").recent, what="recent people")
    if step == "solutions":
        await support.wait_for(pilot, lambda: wizard.step("solutions").results, what="solutions")


def snap(snap_compare, make_snapshot_app, ctx, size, run_before) -> bool:
    return snap_compare(make_snapshot_app(ctx), terminal_size=size, run_before=run_before)


STEPS = [
    ("customer", {}),
    ("details", {"kind": DealKind.SERVICES_COSELL, "partner_role": PartnerRole.SOLUTION_DESIGN,
                 "partner_program": "Solutions Partner for Data & AI", "marketplace_intent": None}),
    ("marketplace", {}),
    ("team", {}),
    ("solutions", {}),
    ("sale_type", {"invitations": PARTNERS, "help_type": HelpType.ARCHITECTURE}),
    ("review", {"invitations": PARTNERS, "help_type": HelpType.ARCHITECTURE}),
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("step,changes", [pytest.param(s, c, id=s) for s, c in STEPS])
def test_wizard_step(snap_compare, make_snapshot_app, wizard_ctx, size, step, changes):
    async def run_before(pilot):
        await open_wizard_at(pilot, step, snapshot_draft(**changes))
        await steady(pilot, lambda: pilot.app.screen.current == step, step)

    assert snap(snap_compare, make_snapshot_app, wizard_ctx, size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_search_modal_linked_accounts(snap_compare, make_snapshot_app, wizard_ctx, size):
    """`n` on the dashboard opens the wizard on the search (R4.1); linked records opened (R4.3)."""
    async def run_before(pilot):
        await support.wait_for(pilot, lambda: pilot.app.is_running, what="app")
        await pilot.press("n")
        await support.wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "CustomerSearchScreen",
                               what="search modal")
        screen = pilot.app.screen
        await pilot.press(*"northwind")
        await support.wait_for(pilot, lambda: screen.result is not None and screen.result.query == "northwind"
                               and not screen.search.busy, what="results")
        await pilot.press("down", "space")
        await steady(pilot, lambda: len(screen.rows) == 3, "linked rows")

    assert snap(snap_compare, make_snapshot_app, wizard_ctx, size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_search_modal_other_tab_consequences(snap_compare, make_snapshot_app, wizard_ctx, size):
    """Other (DUNS): duplicates flagged (R4.5) and the consequences shown before the choice (R4.9)."""
    async def run_before(pilot):
        await support.wait_for(pilot, lambda: pilot.app.is_running, what="app")
        await pilot.press("n")
        await support.wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "CustomerSearchScreen",
                               what="search modal")
        screen = pilot.app.screen
        await pilot.press(*"fabrikam")
        await support.wait_for(pilot, lambda: screen.result is not None and screen.result.query == "fabrikam"
                               and not screen.search.busy, what="results")
        await pilot.press("down", "enter")
        await steady(pilot, lambda: screen.pending is not None, "consequences")

    assert snap(snap_compare, make_snapshot_app, wizard_ctx, size, run_before)


def test_details_errors_beside_fields(snap_compare, make_snapshot_app, wizard_ctx):
    """R5 refusals under their fields, in the model's words."""
    async def run_before(pilot):
        await open_wizard_at(pilot, "details", snapshot_draft(name="", value=None, close_date=None, notes=""))
        await pilot.press("ctrl+n")
        await steady(pilot, lambda: support.shown_errors(pilot.app.screen), "errors")
        pilot.app.screen.step().scroll_home(animate=False)
        await pilot.pause()

    assert snap(snap_compare, make_snapshot_app, wizard_ctx, (80, 24), run_before)


@pytest.mark.parametrize("size", SIZES)
def test_invite_partner_dialog(snap_compare, make_snapshot_app, wizard_ctx, size):
    async def run_before(pilot):
        await open_wizard_at(pilot, "sale_type", snapshot_draft())
        pilot.app.screen.query_one("#invitations").focus()
        await pilot.press("i")
        await support.wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "InvitePartnerDialog",
                               what="dialog")
        dialog = pilot.app.screen
        await pilot.press(*"fab")
        await support.wait_for(pilot, lambda: len(dialog.found) == 1, what="partner")
        await pilot.press("down", "enter")
        await steady(pilot, lambda: dialog.partner is not None, "partner chosen")

    assert snap(snap_compare, make_snapshot_app, wizard_ctx, size, run_before)
