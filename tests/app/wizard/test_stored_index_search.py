"""The customer-search modal on the stored index (R4, issue 10 B10): a second dashboard process
loads what the first one stored instead of building it, and a modal opened after the catalogue
changed finds the new account once the index caught up, without the modal ever waiting for it."""
from __future__ import annotations

import pytest

from model.accounts import stored_index
from model.domain.enums import AccountTab
from model.store.accounts import upsert_rows
from tui.matcher_service import MatcherService, matcher_provider
from tui.screens.customer_search import CustomerSearchScreen
from wizard_support import Harness, pilot_test, wait_for, wctx  # noqa: F401 - wctx is a fixture

SIZE = (100, 30)
TABS = (AccountTab.MANAGED, AccountTab.UNMANAGED, AccountTab.OTHER)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COSELL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / stored_index.SUBDIR


async def _search(pilot, app, text: str):
    app.push_screen(CustomerSearchScreen(matcher_provider(app)), app.results.append)
    await pilot.pause()
    screen = pilot.app.screen
    await pilot.press(*["space" if c == " " else c for c in text])
    await wait_for(pilot, lambda: screen.result is not None and screen.result.query == text and not screen.search.busy,
                   what=f"results for {text!r}")
    return screen


def _ids(screen, tab) -> list[str]:
    return [h.account.account_id for h in screen.result.tabs[tab]]


@pilot_test
async def test_a_second_dashboard_loads_the_stored_index_instead_of_building(wctx, cache, monkeypatch):
    first = Harness(wctx)
    async with first.run_test(size=SIZE) as pilot:
        screen = await _search(pilot, first, "contoso")
        found = [_ids(screen, t) for t in TABS]
    assert list(cache.glob("accounts-*.idx"))

    def no_build(_store):
        raise AssertionError("the stored index should have been loaded")

    monkeypatch.setattr(stored_index, "build_index", no_build)
    second = Harness(wctx)  # another process: its own matcher service
    async with second.run_test(size=SIZE) as pilot:
        screen = await _search(pilot, second, "contoso")
        assert [_ids(screen, t) for t in TABS] == found and any(found)
        assert MatcherService.for_app(second).get().builds == 0


@pilot_test
async def test_a_modal_opened_after_the_catalogue_changed_catches_up_in_the_background(wctx, cache):
    app = Harness(wctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _search(pilot, app, "quenthorpe analytics")
        assert "O-QUEN" not in _ids(screen, AccountTab.OTHER)
        await pilot.press("escape")
        await pilot.pause()
        with wctx.store.write() as session:
            upsert_rows(session, [("O-QUEN", "Quenthorpe Analytics AB", "other", None, None, "Lund", "SE", False,
                                   False, None)])
        stored = MatcherService.for_app(app).get()
        app.push_screen(CustomerSearchScreen(matcher_provider(app)), app.results.append)  # prewarm: a check
        await pilot.pause()
        await wait_for(pilot, lambda: stored.key == stored_index.current_key(wctx.store), timeout=30,
                       what="the index rebuilt")
        await pilot.press("escape")
        await pilot.pause()
        screen = await _search(pilot, app, "quenthorpe analytics")
        assert _ids(screen, AccountTab.OTHER)[0] == "O-QUEN"
