"""Entering the customer by hand, inside the customer search (R4.1, R4.9): name, city and
country, checked by the model before the search hands the customer back.

A hand-typed customer is never matched to a Microsoft record and cannot be changed after the deal
is created without support (R4.9): the form says so before it is used.
"""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Static

from model.domain.enums import AccountTab
from model.domain.rules.customer import customer_choice_violations
from model.domain.schemas import Customer, DealDraft
from tui.screens.dialogs.type_ahead import Input, focus_now
from tui.text import literal


class ManualCustomerForm(Vertical):
    """Posts ``Chosen`` with the typed customer once the model finds nothing wrong with it."""

    class Chosen(Message):
        def __init__(self, customer: Customer) -> None:
            super().__init__()
            self.customer = customer

    def compose(self) -> ComposeResult:
        yield Static("Enter the customer by hand. It cannot be changed after the deal is created "
                     "without support (R4.9).", id="manual-title")
        yield Input(placeholder="Customer name", id="manual-name", compact=True, max_length=300)
        yield Input(placeholder="City", id="manual-city", compact=True, max_length=120)
        yield Input(placeholder="Country code, e.g. SE", id="manual-country", compact=True, max_length=2,
                    restrict=r"[A-Za-z]*")
        yield Static("", id="err-manual", classes="field-error")
        yield Button("Use this customer", id="manual-use", variant="primary", compact=True)

    def moves_on_enter(self, widget) -> bool:
        """Enter in the name or the city goes on to the next field; in the country it uses the customer."""
        return widget.id in ("manual-name", "manual-city")

    def start(self, query: str, where: str) -> None:
        """Open with what was searched for: the name typed, and a city (a country code is too short)."""
        name = self.query_one("#manual-name", Input)
        if not name.value:
            name.value = query.strip()
        city = self.query_one("#manual-city", Input)
        where = where.strip()
        if not city.value and where and len(where) > 2:
            city.value = where
        focus_now(name)

    @on(Input.Submitted, "#manual-country")
    @on(Button.Pressed, "#manual-use")
    def use(self) -> None:
        customer = Customer(name=self.query_one("#manual-name", Input).value.strip(),
                            city=self.query_one("#manual-city", Input).value.strip() or None,
                            country=self.query_one("#manual-country", Input).value.strip().upper() or None,
                            source=AccountTab.MANUAL)
        from model.services import draft_violations

        problems = [v for v in draft_violations(DealDraft(customer=customer)) if v.field == "customer"]
        problems += customer_choice_violations(AccountTab.MANUAL, None)
        error = self.query_one("#err-manual", Static)
        if problems:
            error.update(literal("; ".join(f"{v.message} ({v.rule})" for v in problems)))
            error.add_class("-shown")
            focus_now(self.query_one("#manual-name", Input))
            return
        error.remove_class("-shown")
        self.post_message(self.Chosen(customer))
