"""R8.6: edit the deal fields that stay editable while the deal is open.

The location is shown but can never be changed (R1.2); a customer chosen from
Other (DUNS) or typed by hand cannot be changed without support (R4.9). Only
the fields the user actually changed are sent, so a save never overwrites a
field with the value it had when the form opened.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Select

from model.domain.enums import AccountTab, MarketplaceIntent, PartnerRole
from model.domain.schemas import Deal
from tui.screens.dialogs._form import FormDialog, parse_date, parse_decimal
from tui.screens.dialogs.accept import currency_options
from tui.screens.dialogs.type_ahead import Input
from tui.text import clean, literal

_OPTIONAL_TEXT = ("crm_id", "campaign_id", "partner_program", "solution_area", "solution_play")


class EditDialog(FormDialog):
    """Dismisses with ``{field: new value}`` for the changed fields only (empty: nothing changed)."""

    CSS_PATH = ["form.tcss", "edit.tcss"]
    FIELDS = ("name", "value", "currency", "close_date", "crm_id", "campaign_id", "marketplace_intent",
              "partner_role", "partner_program", "solution_area", "solution_play", "location", "customer")

    def __init__(self, deal: Deal, **kw) -> None:
        super().__init__(**kw)
        self.deal = deal

    def heading(self) -> Text:
        return Text.assemble("Edit ", literal(self.deal.name, "italic"), " (R8.6)")

    @property
    def is_ip(self) -> bool:
        """IP co-sell's fields (marketplace intent), also on an IP and services deal (R2.7)."""
        return self.deal.is_ip_cosell

    @property
    def is_services(self) -> bool:
        """Services co-sell's fields (partner role, program), also on an IP and services deal (R2.7)."""
        return self.deal.is_services_cosell

    def compose_body(self) -> ComposeResult:
        deal = self.deal
        yield from self.field("name", "Deal name", Input(self.prefill("name", deal.name), id="name", compact=True))
        yield from self.field("value", "Estimated value", Input(self.prefill("value", deal.value), id="value",
                                                                 compact=True))
        currency = self.prefill("currency", deal.currency)
        yield from self.field("currency", "Currency", Select(currency_options(currency), value=currency,
                                                             allow_blank=False, id="currency", compact=True))
        yield from self.field("close_date", "Est. close date",
                              Input(self.prefill("close_date", deal.close_date), id="close_date", compact=True,
                                    placeholder="YYYY-MM-DD"))
        yield from self.field("crm_id", "CRM ID", Input(self.prefill("crm_id", deal.crm_id), id="crm_id",
                                                        compact=True, placeholder="optional"))
        yield from self.field("campaign_id", "Campaign ID",
                              Input(self.prefill("campaign_id", deal.campaign_id), id="campaign_id", compact=True,
                                    placeholder="optional"))
        if self.is_ip:
            intent = self.prefill("marketplace_intent", deal.marketplace_intent) or Select.NULL
            yield from self.field("marketplace_intent", "Marketplace",
                                  Select([(m.label, m.value) for m in MarketplaceIntent], value=intent,
                                         prompt="Not set", id="marketplace_intent", compact=True),
                                  hint="Marketplace intent (R5.1); Yes needs an incentivized solution (R6.7)")
        if self.is_services:
            role = self.prefill("partner_role", deal.partner_role) or Select.NULL
            yield from self.field("partner_role", "Partner role",
                                  Select([(r.label, r.value) for r in PartnerRole], value=role, prompt="Choose",
                                         id="partner_role", compact=True))
            yield from self.field("partner_program", "Partner program",
                                  Input(self.prefill("partner_program", deal.partner_program), id="partner_program",
                                        compact=True))
        yield from self.field("solution_area", "Solution area",
                              Input(self.prefill("solution_area", deal.solution_area), id="solution_area",
                                    compact=True, placeholder="optional" if not self.is_services else ""))
        yield from self.field("solution_play", "Solution play",
                              Input(self.prefill("solution_play", deal.solution_play), id="solution_play",
                                    compact=True, placeholder="optional" if not self.is_services else ""))
        yield from self.field("location", "Location", Input(clean(deal.location), id="location", compact=True,
                                                            disabled=True),
                              hint="The location cannot be changed after creation (R1.2)")
        if deal.customer.source in (AccountTab.OTHER, AccountTab.MANUAL):
            why = "Chosen from Other or typed by hand: cannot be changed without support (R4.9)"
        else:
            why = "Chosen at creation from customer search; not edited here"
        yield from self.field("customer", "Customer", Input(clean(deal.customer.name), id="customer", compact=True,
                                                            disabled=True), hint=why)

    def collect(self) -> dict:
        deal = self.deal
        typed: dict = {
            "name": self.text("name").strip(),
            "value": self.read(parse_decimal, "value", self.text("value")),
            "currency": self.choice("currency"),
            "close_date": self.read(parse_date, "close_date", self.text("close_date")),
        }
        for name in _OPTIONAL_TEXT:
            if name in self._present:
                typed[name] = self.text(name).strip() or None
        if self.is_ip:
            typed["marketplace_intent"] = self.choice("marketplace_intent")
        if self.is_services:
            typed["partner_role"] = self.choice("partner_role")
        changes = {}
        for name, new in typed.items():
            old = getattr(deal, name)
            old = getattr(old, "value", old)
            if isinstance(old, str):
                old = clean(old)  # the field showed the text without escapes: that alone is no change
            if new != old:
                changes[name] = new
        return changes
