"""Issue 13: the customer search opens on the tab of the best match (not always Managed), each
tab shows its best score, and enter in the search box picks the only result (R4.2)."""
from __future__ import annotations

from types import SimpleNamespace

from model.domain.enums import AccountTab
from tui.screens.customer_search import best_tab
from wizard_support import pilot_test, wait_for, wctx  # noqa: F401 - wctx is a fixture

from test_customer_search import SIZE, modal_app, search


def hits(*scores: float) -> list:
    return [SimpleNamespace(score=s) for s in scores]


def test_the_best_match_decides_the_tab():
    result = SimpleNamespace(tabs={AccountTab.MANAGED: hits(61.0, 50.0), AccountTab.UNMANAGED: hits(92.5),
                                   AccountTab.OTHER: hits(70.0)})
    assert best_tab(result) is AccountTab.UNMANAGED
    tie = SimpleNamespace(tabs={AccountTab.MANAGED: hits(80.0), AccountTab.OTHER: hits(80.0)})
    assert best_tab(tie) is AccountTab.MANAGED  # a tie goes to the tab order
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
