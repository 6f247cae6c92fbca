"""Bringing Microsoft onto a saved deal: invite Microsoft (R2.3, R7.3, R4.10) and upgrade a
private deal to partner-led or co-sell (R7.5). Both save through ``CosellDialog``."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RadioSet, Select, Static, TextArea

from model import services as svc
from model.domain.enums import HelpType, SaleType
from model.domain.rules.lifecycle import Action
from model.domain.schemas import CustomerContact, Deal
from tui.screens.collab_dialog import HELP_CHOICES, CosellDialog
from tui.screens.dialogs.toggles import Checkbox, RadioButton
from tui.screens.dialogs.type_ahead import Input
from tui.screens.new_deal.base import ChoiceSet, FieldError, row

class MicrosoftHelpForm(Vertical):
    """What Microsoft needs when asked for help: the help type, notes saying what help (R7.3), a customer
    contact and the customer's consent to share it (R4.10)."""

    DEFAULT_CSS = "MicrosoftHelpForm { height: auto; }"

    def __init__(self, deal: Deal | None):
        super().__init__(id="help-form")
        self.deal = deal

    def compose(self) -> ComposeResult:
        contact = self.deal.customer.contacts[0] if self.deal and self.deal.customer.contacts else CustomerContact()
        yield from row("Help needed", Select(HELP_CHOICES, prompt="What help do you need from Microsoft?",
                                             id="help-type", compact=True), key="help_type")
        yield Static("Notes: say what help you want; Microsoft has 14 days to decide, and asking does not "
                     "guarantee a seller joins (R7.3).", classes="hint")
        yield TextArea(id="help-notes", compact=True, tab_behavior="focus",
                       placeholder="the help you want from Microsoft")
        yield FieldError("notes")
        yield Static("Customer contact for Microsoft (required, R4.10)", classes="section-title")
        yield from row("Contact name", Input(contact.name, id="contact-name", compact=True, max_length=200))
        yield from row("Phone", Input(contact.phone, id="contact-phone", compact=True, max_length=64),
                       key="customer.contact.phone")
        yield from row("Email", Input(contact.email, id="contact-email", compact=True, max_length=200),
                       key="customer.contact.email")
        yield FieldError("customer.contacts")
        yield Checkbox("I have the customer's consent to share these details with Microsoft", id="consent",
                       value=bool(self.deal and self.deal.customer.consent_to_share), compact=True)
        yield FieldError("customer.consent_to_share")

    def values(self) -> tuple[HelpType, str, CustomerContact | None, bool]:
        help_type = self.query_one("#help-type", Select).value
        help_type = help_type if isinstance(help_type, HelpType) else HelpType.NONE
        name, phone, email = (self.query_one(f"#contact-{f}", Input).value.strip() for f in ("name", "phone", "email"))
        contact = CustomerContact(name=name, phone=phone, email=email) if (name or phone or email) else None
        return help_type, self.query_one("#help-notes", TextArea).text.strip(), contact, \
            self.query_one("#consent", Checkbox).value

    def summary(self) -> list[tuple[str, object]]:
        help_type, notes, contact, consent = self.values()
        return [("Help needed", help_type.label if help_type is not HelpType.NONE else ""), ("Notes", notes),
                ("Customer contact", ", ".join(p for p in (contact.name, contact.phone, contact.email) if p)
                 if contact else ""), ("Consent to share", "yes" if consent else "no")]


class InviteMicrosoftDialog(CosellDialog):
    """R2.3 / R7.3: ask Microsoft for help on an open deal; it becomes co-sell."""

    TITLE = "Invite Microsoft"
    SUBMIT = "Invite Microsoft"
    ACTION = Action.INVITE_MICROSOFT

    def fields(self) -> ComposeResult:
        yield MicrosoftHelpForm(self.deal)

    def on_mount(self) -> None:
        self.query_one("#help-type", Select).focus()

    def your_change(self) -> list[tuple[str, object]]:
        return self.query_one(MicrosoftHelpForm).summary()

    def action_submit(self) -> None:
        help_type, notes, contact, consent = self.query_one(MicrosoftHelpForm).values()
        ctx, deal_id = self.app.ctx, self.deal.id
        self.call_service(lambda version: svc.invite_microsoft(ctx, deal_id, help_type, notes=notes, contact=contact,
                                                               consent=consent, version=version))


class UpgradeDialog(CosellDialog):
    """R7.5: a private deal becomes partner-led (Microsoft sellers see it) or co-sell (ask for help)."""

    DEFAULT_CSS = "UpgradeDialog.-partner-led #help-form { display: none; }"

    TITLE = "Upgrade private deal"
    SUBMIT = "Upgrade"
    ACTION = Action.UPGRADE
    TARGETS = (SaleType.PARTNER_LED, SaleType.CO_SELL)

    def fields(self) -> ComposeResult:
        yield Static("A private deal is shared with nobody. Upgrade it:", classes="hint")
        with ChoiceSet(id="upgrade-to", compact=True):
            yield RadioButton("Partner-led: Microsoft sellers can see the deal (R7.2)", value=True, id="to-partner-led")
            yield RadioButton("Co-sell: ask Microsoft for help (R7.3)", id="to-co-sell")
        yield FieldError("to")
        yield MicrosoftHelpForm(self.deal)

    def on_mount(self) -> None:
        self.set_class(True, "-partner-led")
        self.query_one("#upgrade-to", RadioSet).focus()

    def target(self) -> SaleType:
        index = self.query_one("#upgrade-to", RadioSet).pressed_index
        return self.TARGETS[index] if index >= 0 else SaleType.PARTNER_LED

    @on(RadioSet.Changed, "#upgrade-to")
    def _target_changed(self) -> None:
        self.set_class(self.target() is SaleType.PARTNER_LED, "-partner-led")

    def your_change(self) -> list[tuple[str, object]]:
        to = self.target()
        mine: list[tuple[str, object]] = [("Upgrade to", to.label)]
        return mine if to is SaleType.PARTNER_LED else mine + self.query_one(MicrosoftHelpForm).summary()

    def action_submit(self) -> None:
        to = self.target()
        ctx, deal_id = self.app.ctx, self.deal.id
        if to is SaleType.PARTNER_LED:
            self.call_service(lambda version: svc.upgrade(ctx, deal_id, to, version=version))
            return
        help_type, notes, contact, consent = self.query_one(MicrosoftHelpForm).values()
        self.call_service(lambda version: svc.upgrade(ctx, deal_id, to, help_type=help_type, notes=notes,
                                                      contact=contact, consent=consent, version=version))
