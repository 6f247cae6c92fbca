"""R10.3: register a won deal, right after marking it Won (R8.11) or later.

Shows the eligibility of R10.1 as the model sees it: every unmet criterion, or
that all hold. The user confirms that the contract with the customer names
our company and the eligible solution (R10.5); saving without it brings the
model's R10.5 refusal back beside the checkbox. Registration then shows its
validation progress in the deal's lifecycle (R10.4).
"""
from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Select, Static

from model.domain.enums import SaleType
from model.domain.rules.fx import to_usd, usd_day
from model.domain.rules.registration import eligibility_violations
from model.domain.schemas import Deal
from tui.screens.dialogs._form import FormDialog, parse_decimal
from tui.screens.dialogs.accept import currency_options
from tui.screens.dialogs.toggles import Checkbox
from tui.screens.dialogs.type_ahead import Input
from tui.text import literal


def eligibility_text(deal: Deal, now: datetime) -> Text:
    """R10.1 as a checklist: every unmet criterion, or a line saying all hold."""
    unmet = eligibility_violations(deal, now)
    if unmet:
        count = "1 criterion" if len(unmet) == 1 else f"{len(unmet)} criteria"
        text = Text.assemble((f"Not eligible for registration: {count} unmet", "bold"))
        for v in unmet:
            text.append_text(Text.assemble("\n ✗ ", literal(f"{v.message} ({v.rule})")))
        return text
    usd = to_usd(deal.value, deal.currency, usd_day(deal.closed_at, deal.close_date, deal.created_at))
    microsoft = " with Microsoft on board" if deal.sale_type is SaleType.CO_SELL else ""
    return Text.assemble(("✓ Eligible for registration (R10.1)", "bold"),
                         f": won, a registrable solution, {deal.sale_type.label.lower()}{microsoft}, "
                         f"{usd:,.0f} USD (≥ 25,000), Microsoft-managed customer")


class RegisterDialog(FormDialog):
    """Dismisses with ``{"contract_value": Decimal, "currency": str, "contract_confirmed": bool}``."""

    CSS_PATH = ["form.tcss", "register.tcss"]
    FIELDS = ("contract_value", "currency", "contract_confirmed")
    CONTRACT = "The contract with the customer names our company and the eligible solution"
    SUBMIT_LABEL = "Register"

    def __init__(self, deal: Deal, now: datetime, *, offer: bool = False, **kw) -> None:
        super().__init__(**kw)
        self.deal, self.now, self.offer = deal, now, offer

    def heading(self) -> Text:
        lead = "Won. Register " if self.offer else "Register "
        return Text.assemble(lead, literal(self.deal.name, "italic"), " now? (R10.3)" if self.offer else " (R10.3)")

    def compose_body(self) -> ComposeResult:
        deal = self.deal
        yield Static(eligibility_text(deal, self.now), classes="eligibility")
        if self.offer:
            yield Static(Text("You can also register later with r on the deal."), classes="dialog-intro")
        yield from self.field("contract_value", "Contract value",
                              Input(self.prefill("contract_value", deal.value), id="contract_value", compact=True))
        currency = self.prefill("currency", deal.currency)
        yield from self.field("currency", "Currency", Select(currency_options(currency), value=currency,
                                                             allow_blank=False, id="currency", compact=True))
        yield from self.field("contract_confirmed", "Contract (R10.5)",
                              Checkbox(self.CONTRACT, value=bool(self.values.get("contract_confirmed")),
                                       id="contract_confirmed", compact=True))

    def on_mount(self) -> None:
        super().on_mount()
        if self.offer:
            self.query_one("#cancel").label = "Later"
        if eligibility_violations(self.deal, self.now):
            self.query_one("#submit").disabled = True

    def collect(self) -> dict:
        return {"contract_value": parse_decimal("contract_value", self.text("contract_value")),
                "currency": self.choice("currency"),
                "contract_confirmed": self.query_one("#contract_confirmed", Checkbox).value}
