"""Step 1: the customer (chosen in the search modal, R4) and an optional
customer contact, shared with Microsoft only with the customer's consent
(R4.10: required when Microsoft is invited)."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Static

from model.domain.rules.customer import customer_choice_notes
from model.domain.schemas import Customer, CustomerContact, DealDraft
from model.domain.errors import Violation
from tui.screens.dialogs.toggles import Checkbox
from tui.screens.dialogs.type_ahead import Input, focus_now
from tui.screens.new_deal.base import FieldError, WizardStep, row, step_heading
from tui.text import literal

CONSENT_NOTE = ("Share a contact only if the customer agreed to it: Microsoft sellers will get these details "
                "when you ask Microsoft for help (R4.10).")


def customer_summary(customer: Customer | None) -> Text:
    """Who the customer is, where from, and what the choice means (R4.4–R4.9)."""
    if customer is None:
        return Text("No customer chosen yet: press enter to search (R4.1).", style="italic")
    text = Text()
    text.append_text(literal(customer.name, style="bold"))
    if customer.account_id:
        text.append_text(literal(f"  #{customer.account_id}", style="dim"))
    where = ", ".join(p for p in (customer.city, customer.country) if p)
    if where:
        text.append("  ")
        text.append_text(literal(where))
    text.append(f"\nFrom: {customer.source.label}")
    text.append(" · MACC contract: ")
    text.append("yes" if customer.macc else "no", style="bold green" if customer.macc else "")
    text.append(" (R4.7)")
    if customer.federal:
        text.append(" · federal", style="bold yellow")
    for note in customer_choice_notes(customer.source):
        text.append("\n! ", style="bold yellow")
        text.append_text(literal(note[:1].upper() + note[1:], style="yellow"))
    return text


class CustomerStep(WizardStep):
    key = "customer"
    title = "Customer"
    owns_fields = ("customer",)

    def compose(self) -> ComposeResult:
        yield from step_heading("Customer", "Choose the customer first (R4.1); then, if you like, a contact.")
        yield Static(customer_summary(None), id="customer-summary")
        yield Button("Search customers…", id="choose-customer", compact=True)
        yield FieldError("customer")
        yield Static("Customer contact (optional; required when you ask Microsoft for help, R4.10)",
                     classes="section-title")
        yield from row("Contact name", Input(id="contact-name", compact=True, max_length=200),
                       key="customer.contacts[0].name")
        yield from row("Phone", Input(id="contact-phone", compact=True, max_length=64),
                       key="customer.contacts[0].phone")
        yield from row("Email", Input(id="contact-email", compact=True, max_length=200),
                       key="customer.contacts[0].email")
        yield FieldError("customer.contacts")
        yield Checkbox("I have the customer's consent to share these details with Microsoft", id="consent",
                       compact=True)
        yield FieldError("customer.consent_to_share")
        yield Static(CONSENT_NOTE, classes="step-hint")

    def enter(self, draft: DealDraft) -> None:
        self.query_one("#customer-summary", Static).update(customer_summary(draft.customer))
        self.query_one("#choose-customer", Button).label = (
            "Change customer…" if draft.customer is not None else "Search customers…")
        if draft.customer is not None:
            contact = draft.customer.contacts[0] if draft.customer.contacts else None
            if contact is not None and not self._typed_contact():
                self.query_one("#contact-name", Input).value = contact.name
                self.query_one("#contact-phone", Input).value = contact.phone
                self.query_one("#contact-email", Input).value = contact.email
            if draft.customer.consent_to_share:
                self.query_one("#consent", Checkbox).value = True

    def _typed_contact(self) -> bool:
        return any(self.query_one(f"#contact-{f}", Input).value.strip() for f in ("name", "phone", "email"))

    def save(self, draft: DealDraft) -> list[Violation]:
        if draft.customer is None:
            return []
        name, phone, email = (self.query_one(f"#contact-{f}", Input).value.strip() for f in ("name", "phone", "email"))
        typed = name or phone or email
        draft.customer.contacts = [CustomerContact(name=name, phone=phone, email=email)] if typed else []
        draft.customer.consent_to_share = self.query_one("#consent", Checkbox).value
        return []

    enter_next = ("contact-name", "contact-phone")

    def focus_first(self) -> None:
        target = "#contact-name" if self.wizard.draft.customer is not None else "#choose-customer"
        focus_now(self.query_one(target))

    @on(Button.Pressed, "#choose-customer")
    def _choose(self) -> None:
        self.wizard.choose_customer()
