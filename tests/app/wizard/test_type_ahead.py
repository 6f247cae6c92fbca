"""Issue 13: keys typed faster than the screen answers them (a paste of keystrokes, a macro,
``tmux send-keys "Contoso deal" Tab "12000" Tab …`` in one call) land each in its own field.

``burst`` posts every key to the app at once, the way the terminal driver does when one read brings
a whole line: no pause between keys, so a Tab (or an Enter that moves on, or ctrl+n) must move the
focus as it is read, or the keys behind it go to the old field."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from detail_support import MISSING, Host, started
from factories import make_inbound
from model.domain.enums import AccountTab
from model.domain.schemas import Customer
from tui.screens.customer_search import CustomerSearchScreen
from tui.screens.dialogs import AcceptDialog
from tui.screens.new_deal import NewDealWizard
from wizard_support import Harness, pilot_test, ready_draft, wait_for, wctx  # noqa: F401 - wctx is a fixture

from test_customer_search import modal_app, search

KEYS = {"tab": "\t", "shift+tab": None, "enter": "\r", "escape": "\x1b", "backspace": "\x7f", "home": None,
        "ctrl+n": None, "ctrl+r": None, "ctrl+s": None, "ctrl+t": None, "ctrl+u": None}


def burst(app, *parts: str) -> None:
    """Every key of ``parts`` into the app's queue in one go: named keys as they are, text char by char."""
    for part in parts:
        if part in KEYS:
            app.post_message(events.Key(part, KEYS[part]))
        else:
            for ch in part:
                app.post_message(events.Key(_character_to_key(ch), ch))


def value(screen, selector: str) -> str:
    return screen.query_one(selector, Input).value


@pilot_test
async def test_a_line_with_tabs_fills_the_accept_form_field_by_field():  # R8.3
    app = Host(AcceptDialog(make_inbound()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        burst(app, "Contoso deal", "tab", "12000", "tab", "tab", "2027-05-31", "shift+tab", "shift+tab",
              "shift+tab", "Contoso data deal", "ctrl+s")
        await wait_for(pilot, lambda: app.result is not MISSING, what="the form saved")
    assert app.result["name"] == "Contoso data deal"  # shift+tab went back the same way, as typed
    assert (app.result["value"], app.result["close_date"]) == (Decimal("12000"), date(2027, 5, 31))
    assert app.result["notes"] == ""  # nothing spilled into the field after the date


@pilot_test
async def test_ctrl_n_tab_and_enter_typed_ahead_fill_the_details_step(wctx):  # R5
    app = Harness(wctx, lambda: NewDealWizard(ready_draft()))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, NewDealWizard) and app.screen.current == "customer")
        await pilot.pause()
        wizard = app.screen
        # from the customer step: next step, past the kind, then name, location, value, each in its field
        burst(app, "ctrl+n", "tab", "Contoso deal", "tab", "Norway", "enter", "12000", "enter")
        await wait_for(pilot, lambda: value(wizard, "#value") == "12000", what="the value typed")
        assert wizard.current == "details"
        assert (value(wizard, "#name"), value(wizard, "#location")) == ("Contoso deal", "Norway")
        assert app.focused is wizard.query_one("#currency")  # enter in the value went on to the currency


@pilot_test
async def test_a_hand_typed_customer_typed_ahead_in_the_search(wctx):  # R4.1, R4.9
    app = Harness(wctx, lambda: CustomerSearchScreen(lambda: None))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerSearchScreen) and app.focused is not None)
        burst(app, "ctrl+t", "Acme Oy", "enter", "Espoo", "enter", "fi", "enter")
        await wait_for(pilot, lambda: app.results, what="the customer used")
    customer = app.results[0]
    assert isinstance(customer, Customer) and customer.source is AccountTab.MANUAL
    assert (customer.name, customer.city, customer.country) == ("Acme Oy", "Espoo", "FI")


@pilot_test
async def test_an_input_runs_its_own_keys_in_the_order_typed(wctx):  # R4.2
    """ctrl+u, backspace and the arrows are the input's bindings, which Textual runs only once the key
    has reached the app: typed ahead, the letters after them were typed first, then wiped or moved."""
    app = modal_app(wctx)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await search(pilot, "contoso")
        burst(app, "ctrl+u", "tailspin toyz", "backspace", "s", "home", "the ")
        await wait_for(pilot, lambda: screen.result is not None and screen.result.query == "the tailspin toys"
                       and not screen.search.busy, what="the search for what was typed")
        assert value(screen, "#q") == "the tailspin toys"


@pilot_test
async def test_what_is_typed_while_the_wizard_opens_goes_into_the_customer_search(wctx):  # R4.1, R4.2
    app = Harness(wctx)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(NewDealWizard(), app.results.append)
        assert app.screen.focused is None  # the wizard is opening: nothing to type into yet
        burst(app, "tailspin", "enter")  # the name, and enter to pick the only result, before any answer
        await wait_for(pilot, lambda: isinstance(app.screen, NewDealWizard) and app.screen.draft.customer,
                       what="the customer chosen")
        wizard = app.screen
        assert wizard.draft.customer.account_id == "ACC-TS-1" and wizard.current == "customer"
        assert app.focused is wizard.query_one("#contact-name")


@pilot_test
async def test_a_pasted_line_with_tabs_fills_the_fields_in_turn():  # R8.3
    app = Host(AcceptDialog(make_inbound()))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        name = dialog.query_one("#name", Input)
        name.value = ""
        name.post_message(events.Paste("Contoso deal\t12000\n"))  # a row copied from a spreadsheet
        await wait_for(pilot, lambda: value(dialog, "#value") == "12000", what="the pasted value")
        assert value(dialog, "#name") == "Contoso deal"
        assert app.focused is dialog.query_one("#value", Input)
