"""R8.3: accepting a received inbound deal sets its name, value and purchase
timeframe, adds notes, and optionally a CRM ID and a campaign ID."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Select, Static

from model.domain.rules.fx import known_currencies
from model.domain.schemas import Deal
from tui.screens.dialogs._form import FormDialog, parse_date, parse_decimal
from tui.screens.dialogs.type_ahead import Input
from tui.text import literal


def currency_options(current: str | None) -> list[tuple[str, str]]:
    """Currencies with a known exchange rate (R10.1 converts with them), plus the deal's own."""
    codes = known_currencies()
    if current and current not in codes:
        codes = [current, *codes]
    return [(code, code) for code in codes]


class AcceptDialog(FormDialog):
    """Prefilled from the deal as Microsoft (or the inviting partner) sent it."""

    CSS_PATH = ["form.tcss", "accept.tcss"]
    FIELDS = ("name", "value", "currency", "close_date", "notes", "crm_id", "campaign_id")
    SUBMIT_LABEL = "Accept"

    def __init__(self, deal: Deal, **kw) -> None:
        super().__init__(**kw)
        self.deal = deal

    def heading(self) -> Text:
        return Text.assemble("Accept ", literal(self.deal.name, "italic"), " (R8.3)")

    def compose_body(self) -> ComposeResult:
        deal = self.deal
        sender = deal.sender_name or ("Microsoft" if deal.sender_is_microsoft else "a partner")
        yield Static(Text.assemble("From ", literal(sender), " for ", literal(deal.customer.name),
                                   ". Accepting moves the deal to Accepted; you can then mark its stages."),
                     classes="dialog-intro")
        yield from self.field("name", "Deal name", Input(self.prefill("name", deal.name), id="name", compact=True))
        yield from self.field("value", "Estimated value", Input(self.prefill("value", deal.value), id="value",
                                                                 compact=True, placeholder="e.g. 45000"))
        currency = self.prefill("currency", deal.currency)
        yield from self.field("currency", "Currency", Select(currency_options(currency), value=currency,
                                                             allow_blank=False, id="currency", compact=True))
        yield from self.field("close_date", "Est. close date",
                              Input(self.prefill("close_date", deal.close_date), id="close_date", compact=True,
                                    placeholder="YYYY-MM-DD"))
        yield from self.field("notes", "Notes", Input(self.prefill("notes", ""), id="notes", compact=True,
                                                      placeholder="on the record: what you will do next"))
        yield from self.field("crm_id", "CRM ID", Input(self.prefill("crm_id", deal.crm_id), id="crm_id",
                                                        compact=True, placeholder="optional"))
        yield from self.field("campaign_id", "Campaign ID",
                              Input(self.prefill("campaign_id", deal.campaign_id), id="campaign_id", compact=True,
                                    placeholder="optional"))

    def collect(self) -> dict:
        return {
            "name": self.text("name").strip(),
            "value": self.read(parse_decimal, "value", self.text("value")),
            "currency": self.choice("currency"),
            "close_date": self.read(parse_date, "close_date", self.text("close_date")),
            "notes": self.text("notes").strip(),
            "crm_id": self.text("crm_id").strip(),
            "campaign_id": self.text("campaign_id").strip(),
        }
