"""Issue 13: the customer search opens on the tab of the best match (not always Managed), each
tab shows its best score, enter in the search box picks the only result (R4.2), and esc in the
search that opens a new deal leaves the wizard instead of showing an empty step 1."""
from __future__ import annotations

from types import SimpleNamespace

from model.domain.enums import AccountTab
from tui.screens.customer_search import CustomerSearchScreen, best_tab
from tui.screens.new_deal import NewDealWizard
from wizard_support import Harness, pick_customer, pilot_test, wait_for, wctx  # noqa: F401 - wctx is a fixture

from test_customer_search import SIZE, modal_app, search, tab_labels


def hits(*scores: float) -> list:
    return [SimpleNamespace(score=s) for s in scores]


def test_the_best_match_decides_the_tab():
    result = SimpleNamespace(tabs={AccountTab.MANAGED: hits(61.0, 50.0), AccountTab.UNMANAGED: hits(92.5),
                                   AccountTab.OTHER: hits(70.0)})
    assert best_tab(result) is AccountTab.UNMANAGED
    tie = SimpleNamespace(tabs={AccountTab.MANAGED: hits(80.0), AccountTab.OTHER: hits(80.0)})
    assert best_tab(tie) is AccountTab.MANAGED  # a tie goes to the tab order
    shown_tie = SimpleNamespace(tabs={AccountTab.MANAGED: hits(88.6), AccountTab.OTHER: hits(89.4)})
    assert best_tab(shown_tie) is AccountTab.MANAGED  # both tabs say 89%: a tie as the user sees it
    assert best_tab(SimpleNamespace(tabs={})) is None


@pilot_test
async def test_enter_in_the_search_box_picks_the_only_result(wctx):  # R4.2
    app = modal_app(wctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search(pilot, "tailspin")
        assert len(screen.rows) == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.results, what="the only result chosen")
    tab, account = app.results[0]
    assert tab is AccountTab.MANAGED and "Tailspin" in account.name


@pilot_test
async def test_esc_in_the_first_search_leaves_the_wizard(wctx):  # R4.1: no customer, no deal
    app = Harness(wctx, NewDealWizard)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerSearchScreen), what="the search opens first")
        await pilot.press(*"tail", "escape")
        await wait_for(pilot, lambda: app.results == [None], what="the wizard left")
        assert not isinstance(app.screen, NewDealWizard)


@pilot_test
async def test_esc_in_a_search_for_another_customer_keeps_the_one_chosen(wctx):  # R4.1
    app = Harness(wctx, NewDealWizard)
    async with app.run_test(size=SIZE) as pilot:
        await pick_customer(pilot, "tailspin")
        wizard = app.screen
        assert isinstance(wizard, NewDealWizard) and wizard.draft.customer.account_id == "ACC-TS-1"
        wizard.choose_customer()  # "Change customer…"
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerSearchScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is wizard)
        assert wizard.current == "customer" and wizard.draft.customer.account_id == "ACC-TS-1"
        assert app.results == []


@pilot_test
async def test_at_80_columns_the_three_tabs_fit_with_their_counts_and_scores(wctx):  # R4.2
    app = modal_app(wctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await search(pilot, "contoso")
        labels = [label.split(" (")[0] for label in tab_labels(screen)]
        assert labels == ["Managed", "Unmanaged", "Other"]  # "Microsoft " left out, so nothing is cut off
        best = screen.result.tabs[AccountTab.UNMANAGED][0].score
        assert tab_labels(screen, scores=True)[1] == f"Unmanaged (2, {best:.0f}%)"
        tabs = screen.query_one("#result-tabs Tabs")
        assert sum(tab.size.width for tab in tabs.query("Tab")) <= tabs.size.width
