"""The customer-search modal (R4): tabs with counts, linked records, flags, the
choice rules in the model's words, search more, manual entry, and a search
that never shows a stale answer."""
from __future__ import annotations

import threading

from model.accounts.matcher import AccountMatcher
from model.domain.enums import AccountTab
from model.domain.schemas import Customer
from tui.matcher_service import MatcherService, matcher_provider
from tui.screens.customer_search import CustomerSearchScreen
from wizard_support import Harness, pilot_test, wait_for, wctx  # noqa: F401 - wctx is a fixture

SIZE = (100, 30)


def modal_app(ctx, provider=None):
    app = Harness(ctx)
    app.screen_factory = lambda: CustomerSearchScreen(provider or matcher_provider(app))
    return app


async def search(pilot, text: str):
    screen = pilot.app.screen
    await pilot.press(*["space" if c == " " else c for c in text])
    await wait_for(pilot, lambda: screen.result is not None and screen.result.query == text and not screen.search.busy,
                   what=f"results for {text!r}")
    return screen


def options(screen, tab: AccountTab) -> list[str]:
    olist = screen.query_one(f"#list-{tab.value}")
    return [str(o.prompt) for o in olist.options]


def tab_labels(screen, *, scores: bool = False) -> list[str]:
    """The tabs' labels; without ``scores``, each tab's best score (", 93%") left out."""
    import re

    from textual.widgets import TabbedContent

    tabbed = screen.query_one(TabbedContent)
    labels = [tabbed.get_tab(f"pane-{t.value}").label.plain for t in (AccountTab.MANAGED, AccountTab.UNMANAGED,
                                                                      AccountTab.OTHER)]
    return labels if scores else [re.sub(r", \d+%\)$", ")", label) for label in labels]


def notes(screen) -> str:
    return str(screen.query_one("#choice-notes").render())


@pilot_test
async def test_three_tabs_with_counts_follow_the_typing(wctx):  # R4.2
    app = modal_app(wctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search(pilot, "contoso")
        assert tab_labels(screen) == ["Microsoft Managed (0)", "Microsoft Unmanaged (2)", "Other (DUNS) (0)"]
        assert screen.query_one("#result-tabs").active == "pane-unmanaged"  # the tab with hits comes forward
        best = screen.result.tabs[AccountTab.UNMANAGED][0].score
        assert tab_labels(screen, scores=True)[1] == f"Microsoft Unmanaged (2, {best:.0f}%)"  # issue 13
        assert options(screen, AccountTab.UNMANAGED)[0].startswith("  Contoso Retail AB  Malmö, SE")
        await pilot.press("ctrl+u", *"tailspin")  # results follow what is typed now
        await wait_for(pilot, lambda: screen.result.query == "tailspin" and not screen.search.busy)
        assert tab_labels(screen) == ["Microsoft Managed (1)", "Microsoft Unmanaged (0)", "Other (DUNS) (0)"]
        assert screen.query_one("#result-tabs").active == "pane-managed"


@pilot_test
async def test_linked_records_collapse_to_one_row_and_any_can_be_chosen(wctx):  # R4.3
    app = modal_app(wctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search(pilot, "northwind traders")
        rows = options(screen, AccountTab.MANAGED)
        assert len(rows) == 1 and "linked accounts (2)" in rows[0] and "MACC" in rows[0]  # R4.7 flag too
        await pilot.press("down", "space")
        rows = options(screen, AccountTab.MANAGED)
        assert len(rows) == 3 and "#ACC-NW-3" in rows[2] and "Oslo, NO" in rows[2]
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: app.results)
    tab, account = app.results[0]
    assert (tab, account.account_id) == (AccountTab.MANAGED, "ACC-NW-3")


@pilot_test
async def test_unmanaged_choice_shows_its_consequence_before_a_second_enter(wctx):  # R4.4
    app = modal_app(wctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search(pilot, "contoso retail")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.results == [] and app.screen is screen
        assert "Not eligible for IP co-sell deal registration (R4.4)" in notes(screen)
        assert "Press enter again" in notes(screen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.results)
    assert app.results[0][0] is AccountTab.UNMANAGED


@pilot_test
async def test_other_tab_flags_duplicates_and_says_matching_and_lock(wctx):  # R4.5, R4.9
    app = modal_app(wctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search(pilot, "fabrikam logistics")
        rows = options(screen, AccountTab.OTHER)
        assert len(rows) == 2 and all("may be a duplicate" in r for r in rows)
        await pilot.press("down", "enter")
        text = notes(screen)
        assert "registration only if matched to a Microsoft-managed account (R4.5)" in text
        assert "cannot be changed after creation without support (R4.9)" in text


@pilot_test
async def test_federal_account_only_from_other(wctx):  # R4.6
    app = modal_app(wctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search(pilot, "department of energy")
        assert "federal" in options(screen, AccountTab.MANAGED)[0]
        await pilot.press("down", "enter", "enter")
        await pilot.pause()
        assert app.results == [] and app.screen is screen  # refused, twice
        assert "federal accounts can only be chosen from the Other (DUNS) list" in notes(screen)
        await pilot.press("right", "enter", "enter")  # the Other tab: the same agency is allowed there
        await wait_for(pilot, lambda: app.results)
    tab, account = app.results[0]
    assert tab is AccountTab.OTHER and account.federal


@pilot_test
async def test_search_more_asks_the_matcher_for_more(wctx):  # R4.8
    calls = []
    real = AccountMatcher.from_store(wctx.store)

    class Spy:
        def search(self, query, **kw):
            calls.append((query, kw["more"]))
            return real.search(query, **kw)

    app = modal_app(wctx, provider=lambda: Spy())
    async with app.run_test(size=SIZE) as pilot:
        screen = await search(pilot, "adatum")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: calls[-1] == ("adatum", True) and not screen.search.busy)
        assert "search more: on" in str(screen.query_one("#search-status").render())


@pilot_test
async def test_enter_manually_needs_a_name_and_comes_back_as_manual(wctx):  # R4.1, R4.9
    app = modal_app(wctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        screen = app.screen
        assert screen.has_class("-manual")
        screen.query_one("#manual-country").focus()
        await pilot.press("enter")
        assert "choose the customer first (R4.1)" in " ".join(screen.query_one("#err-manual").render().plain.split())
        assert app.focused is screen.query_one("#manual-name")
        await pilot.press(*["space" if c == " " else c for c in "Acme [b]x[/b]"], "tab", *"Lund", "tab", "s", "e",
                          "enter")
        await wait_for(pilot, lambda: app.results)
    customer = app.results[0]
    assert isinstance(customer, Customer) and customer.source is AccountTab.MANUAL
    assert (customer.name, customer.city, customer.country) == ("Acme [b]x[/b]", "Lund", "SE")


@pilot_test
async def test_stale_answers_are_dropped_when_the_user_typed_on(wctx):
    """A slow search for an older query must never overwrite the newer query's results."""
    release = threading.Event()
    real = AccountMatcher.from_store(wctx.store)

    class Slow:
        def search(self, query, **kw):
            if query == "n":
                release.wait(5)  # the first keystroke's search is slow
            return real.search(query, **kw)

    app = modal_app(wctx, provider=lambda: Slow())
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("n")
        await pilot.press(*"orthwind")
        await wait_for(pilot, lambda: screen.result is not None and screen.result.query == "northwind")
        release.set()
        await wait_for(pilot, lambda: not screen.search.busy)
        assert screen.result.query == "northwind" and screen.search.dropped >= 1
        assert "linked accounts" in options(screen, AccountTab.MANAGED)[0]


@pilot_test
async def test_the_index_is_built_once_off_the_ui_thread_and_shared(wctx):
    threads = []

    def build():
        threads.append(threading.current_thread())
        return AccountMatcher.from_store(wctx.store)

    app = Harness(wctx)
    service = MatcherService.install(app, MatcherService(build))
    async with app.run_test(size=SIZE) as pilot:
        for query in ("tailspin", "wide world"):
            app.push_screen(CustomerSearchScreen(matcher_provider(app)), app.results.append)
            await pilot.pause()
            await search(pilot, query)
            await pilot.press("escape")
            await pilot.pause()
    assert service.builds == 1
    assert threads and threads[0] is not threading.main_thread()
