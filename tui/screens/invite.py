"""Dialogs that bring others onto a deal: invite a partner (R7.4, P2P), invite
Microsoft (R2.3, R7.3, R4.10), and upgrade a private deal (R7.5).

``InvitePartnerDialog`` serves both the wizard (given a draft: it checks the
invitation with the model and dismisses with the ``Invitation``) and the deal
detail (given a deal: it calls ``svc.invite_partner`` and dismisses with the
updated ``Deal``). The Microsoft and upgrade dialogs act on a saved deal.
Every refusal is the model's, shown beside its field. A deal changed by
someone else meanwhile opens the one conflict dialog (``tui.service_call``):
Re-apply saves on the current version, Reload shows the current deal under
the dialog, still filled in; nothing typed is lost either way.
"""
from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button, Checkbox, Footer, Input, OptionList, RadioButton, RadioSet, Select, SelectionList, Static, TextArea,
)
from textual.widgets.option_list import Option

from model import services as svc
from model.domain.enums import HelpType, SaleType
from model.domain.errors import CosellError, RuleViolation, Violation
from model.domain.rules.deal_fields import invitation_violations
from model.domain.rules.fx import known_currencies
from model.domain.rules.lifecycle import Action, available_actions
from model.domain.schemas import CustomerContact, Deal, DealDraft, Invitation, Partner
from tui.screens.new_deal.base import ChoiceSet, FieldError, SearchInput, parse_date, parse_money, row, show_in
from tui.service_call import Cancelled, Reloaded, in_thread, save_checked
from tui.text import literal

HELP_CHOICES = [(h.label, h) for h in HelpType if h is not HelpType.NONE]
_INVITATION_FIELD = r"^invitations\[\d+\]\."

DIALOG_CSS = """
CosellDialog { align: center middle; background: $background 60%; }
CosellDialog > #dialog { width: 100%; height: 100%; max-width: 110; max-height: 40; border: round $primary;
    background: $surface; padding: 0 1; }
CosellDialog #dialog-title { text-style: bold; height: auto; }
CosellDialog #dialog-body { height: 1fr; }
CosellDialog .form-row { height: auto; }
CosellDialog .form-label { width: 18; color: $text-muted; }
CosellDialog .form-row Input { width: 1fr; }
CosellDialog .form-row Select { width: 14; margin-left: 1; }
CosellDialog .form-row Select#help-type { width: 1fr; margin-left: 0; }
CosellDialog .section-title { margin-top: 1; text-style: bold; }
CosellDialog .hint { color: $text-muted; }
CosellDialog TextArea { height: 3; }
CosellDialog OptionList { height: auto; max-height: 6; }
CosellDialog SelectionList { height: auto; max-height: 6; }
CosellDialog RadioSet { width: 100%; }
CosellDialog #dialog-buttons { height: 1; margin-top: 1; }
CosellDialog #dialog-buttons Button { margin-right: 2; }
CosellDialog .field-error { display: none; color: $error; height: auto; padding-left: 18; }
CosellDialog .field-error.-shown { display: block; }
CosellDialog #err-step { padding-left: 0; margin-top: 1; }
"""


class CosellDialog(ModalScreen):
    """Shared frame: a title, a scrolling body, Save/Cancel, and the model's refusals beside fields."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "submit", "Save"),
                Binding("q", "ignore", show=False)]  # not the app's quit: esc closes the dialog
    TITLE = ""
    SUBMIT = "Save"
    strip = ""

    def __init__(self, deal: Deal | None = None):
        super().__init__(classes="cosell-dialog")
        self.deal = deal
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.heading(), id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                yield from self.fields()
                yield FieldError("", id="err-step")
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.SUBMIT} (ctrl+s)", id="submit", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield Footer()

    def heading(self) -> Text:
        text = Text(self.TITLE, style="bold")
        if self.deal is not None:
            text.append(" · ")
            text.append_text(literal(self.deal.name))
        return text

    def fields(self) -> ComposeResult:  # pragma: no cover - every dialog overrides
        yield from ()

    def show_problems(self, violations: list[Violation]) -> None:
        shown = show_in(self, violations, self.strip)
        if shown:
            self.query_one("#dialog-body", VerticalScroll).scroll_to_widget(shown[0])

    def action_ignore(self) -> None:
        """Keys the dialog swallows on purpose."""

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _submit_button(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:  # pragma: no cover - every dialog overrides
        raise NotImplementedError

    # -- running a service call off the UI thread ------------------------------------------
    ACTION: Action | None = None  # what the dialog does to a saved deal (asked again before a re-apply)

    def your_change(self) -> list[tuple[str, object]]:
        """What the conflict dialog shows as the user's change (nothing typed is lost either way)."""
        return []

    def call_service(self, call: Callable[[int], Deal]) -> None:
        """Run ``call(version)`` off the UI thread; dismiss with the updated deal, or show why not."""
        if self.busy or self.deal is None:
            return
        self.busy = True
        self.run_worker(self._save(call), group="dialog-service")

    async def _save(self, call: Callable[[int], Deal]) -> None:
        ctx = self.app.ctx
        try:
            result = await save_checked(self, call, self.deal, your_change=self.your_change(),
                                        recheck=lambda fresh: available_actions(fresh, ctx.user,
                                                                                ctx.clock.now())[self.ACTION])
        except Reloaded as reloaded:
            self._reloaded(reloaded.deal)
        except Cancelled:
            pass
        except RuleViolation as exc:
            self._refused(exc.violations)
        except CosellError as exc:
            self._refused([Violation("", str(exc))])
        else:
            self.dismiss(result)
        finally:
            self.busy = False

    def _refused(self, violations: list[Violation]) -> None:
        self.show_problems(violations)
        self.app.bell()

    def _reloaded(self, fresh: Deal) -> None:
        """Their version is under the dialog now; what the user typed stays for a second ctrl+s."""
        self.deal = fresh
        self.query_one("#dialog-title", Static).update(self.heading())
        self.show_problems([Violation("", "the deal was reloaded with the other change; check and press ctrl+s "
                                          "to apply yours to the current version")])


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


class InvitePartnerDialog(CosellDialog):
    """R7.4: one invited partner with the invitee's share of the deal. Repeat for several partners.

    The partner is picked from the co-sell partner catalogue (the search), never typed: without a
    pick there is no partner, and the model says so beside the search."""

    TITLE = "Invite partner"
    SUBMIT = "Invite"
    ACTION = Action.INVITE_PARTNER
    strip = _INVITATION_FIELD

    def __init__(self, *, deal: Deal | None = None, draft: DealDraft | None = None,
                 invitation: Invitation | None = None):
        super().__init__(deal)
        self.draft = draft
        self.invitation = invitation
        self.partner: Partner | None = None
        if invitation is not None and invitation.partner_name:
            self.partner = Partner(partner_id=invitation.partner_id or "", name=invitation.partner_name,
                                   mpn_id=invitation.mpn_id)
        self.found: list[Partner] = []
        self._seq = 0

    # the deal being built or the saved one: where team, solutions and defaults come from
    @property
    def source(self) -> Deal | DealDraft:
        return self.deal if self.deal is not None else self.draft

    def heading(self) -> Text:
        text = super().heading()
        if self.deal is None and self.draft is not None and self.draft.name:
            text.append(" · ")
            text.append_text(literal(self.draft.name))
        return text

    def fields(self) -> ComposeResult:
        src, inv = self.source, self.invitation
        yield from row("Find partner", SearchInput(id="partner-q", compact=True, max_length=120,
                                                   placeholder="co-sell partner name", results="#partner-results"))
        yield OptionList(id="partner-results")
        yield Static(self._partner_text(), id="partner-chosen")
        yield FieldError("partner")
        close = (inv.close_date if inv else None) or (src.close_date if src else None)
        yield from row("Close date", Input(close.isoformat() if close else "", id="inv-close-date", compact=True,
                                           restrict=r"[0-9-]*", max_length=10, placeholder="YYYY-MM-DD"),
                       key="close_date")
        yield Static("Prefilled from the deal. After creation only the invited partner can change the close date "
                     "and value (R7.4).", classes="hint")
        currency = (inv.currency if inv and inv.currency else None) or (src.currency if src else "USD")
        yield from row("Their share",
                       Input("" if not inv or inv.value is None else str(inv.value), id="inv-value", compact=True,
                             restrict=r"[0-9 .,]*", max_length=20, placeholder="estimated value"),
                       Select([(c, c) for c in known_currencies()], value=currency if currency in known_currencies()
                              else "USD", allow_blank=False, id="inv-currency", compact=True),
                       key="value")
        yield FieldError("value_currency")
        yield from row("Help needed", Select(HELP_CHOICES, value=inv.help_type if inv and inv.help_type
                                             is not HelpType.NONE else HelpType.GENERAL, allow_blank=False,
                                             id="help-type", compact=True), key="help_type")
        yield Static("Notes for the invited partner", classes="hint")
        yield TextArea(inv.notes if inv else "", id="inv-notes", compact=True, tab_behavior="focus",
                       placeholder="what you ask of this partner (optional)")
        yield FieldError("notes")
        team = list(src.team) if src else []
        chosen_team = {p.email for p in inv.team} if inv else {p.email for p in team}
        yield Static("Your team on this invitation (space toggles)", classes="section-title")
        yield SelectionList(*[(f"{p.name} · {p.email}", p.email, p.email in chosen_team) for p in team],
                            id="inv-team")
        yield FieldError("team")
        solutions = list(src.solutions) if src else []
        chosen_sol = set(inv.solutions) if inv else {s.solution_id for s in solutions}
        yield Static("Solutions for the invited partner (at least one; space toggles)", classes="section-title")
        yield SelectionList(*[(s.name, s.solution_id, s.solution_id in chosen_sol) for s in solutions],
                            id="inv-solutions")
        if not solutions:
            yield Static("The deal has no solution yet: add one first (Solutions step).", classes="hint")
        yield FieldError("solutions")

    def on_mount(self) -> None:
        self.query_one("#partner-q", Input).focus()
        self._search("")

    def _partner_text(self) -> Text:
        if self.partner is None:
            return Text("No partner chosen: type a name, then enter on a result.", style="italic")
        text = Text("Inviting: ", style="bold")
        text.append_text(literal(self.partner.name, style="bold"))
        if self.partner.mpn_id:
            text.append_text(literal(f"  MPN {self.partner.mpn_id}", style="dim"))
        if self.partner.location:
            text.append_text(literal(f"  {self.partner.location}", style="dim"))
        return text

    # -- partner search ------------------------------------------------------------------
    @on(Input.Changed, "#partner-q")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, text: str) -> None:
        self._seq += 1
        self.run_worker(self._find(self._seq, text), group="partner-search", exclusive=True)

    async def _find(self, seq: int, text: str) -> None:
        from model.services.catalogue_queries import search_partners

        found = await in_thread(self, search_partners, self.app.ctx, text, limit=20)
        self._found(seq, found)

    def _found(self, seq: int, found: list[Partner]) -> None:
        if seq != self._seq or not self.is_attached:
            return
        self.found = found
        results = self.query_one("#partner-results", OptionList)
        results.set_options([Option(self._partner_prompt(p), id=f"partner-{i}") for i, p in enumerate(found)]
                            or [Option(Text("No co-sell partner of that name.", style="italic"), disabled=True)])
        if found:
            results.highlighted = 0

    @staticmethod
    def _partner_prompt(p: Partner) -> Text:
        text = literal(p.name, style="bold")
        if p.location:
            text.append("  ")
            text.append_text(literal(p.location, style="dim"))
        return text

    @on(Input.Submitted, "#partner-q")
    def _to_results(self) -> None:
        self.query_one("#partner-results", OptionList).focus()

    @on(OptionList.OptionSelected, "#partner-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self.found):
            self.partner = self.found[event.option_index]
            self.query_one("#partner-chosen", Static).update(self._partner_text())
            self.query_one("#err-partner", FieldError).show([])
            self.query_one("#inv-close-date", Input).focus()

    @on(Input.Submitted, "#inv-close-date, #inv-value")
    def _next_field(self) -> None:
        self.focus_next()

    # -- the invitation --------------------------------------------------------------------
    def build(self) -> tuple[Invitation, list[Violation]]:
        problems: list[Violation] = []
        close, bad = parse_date(self.query_one("#inv-close-date", Input).value, "close_date")
        problems += bad
        value, bad = parse_money(self.query_one("#inv-value", Input).value, "value")
        problems += bad
        currency = self.query_one("#inv-currency", Select).value
        help_type = self.query_one("#help-type", Select).value
        team_emails = set(self.query_one("#inv-team", SelectionList).selected)
        team = [p.model_copy() for p in (self.source.team if self.source else []) if p.email in team_emails]
        inv = Invitation(
            invitation_id=self.invitation.invitation_id if self.invitation else "",
            partner_id=self.partner.partner_id if self.partner else None,
            partner_name=self.partner.name if self.partner else "",
            mpn_id=self.partner.mpn_id if self.partner else None,
            close_date=close, value=value, currency=currency if isinstance(currency, str) else None,
            notes=self.query_one("#inv-notes", TextArea).text.strip(),
            help_type=help_type if isinstance(help_type, HelpType) else HelpType.GENERAL,
            team=team, solutions=list(self.query_one("#inv-solutions", SelectionList).selected),
        )
        return inv, problems

    def action_submit(self) -> None:
        inv, problems = self.build()
        if self.deal is None:
            # In the wizard nothing is saved yet: the model checks the invitation as create_deal will.
            problems += invitation_violations(inv, 0)
            if problems:
                self.show_problems(problems)
                self.app.bell()
                return
            self.dismiss(inv)
            return
        if problems:
            self.show_problems(problems)
            return
        ctx, deal_id = self.app.ctx, self.deal.id
        self.call_service(lambda version: svc.invite_partner(ctx, deal_id, inv, version=version))

    def your_change(self) -> list[tuple[str, object]]:
        inv, _problems = self.build()
        return [("Partner", inv.partner_name), ("Close date", inv.close_date),
                ("Their share", f"{inv.value:,} {inv.currency or ''}".strip() if inv.value is not None else ""),
                ("Help needed", inv.help_type.label), ("Notes", inv.notes)]


def collaboration_dialog(action, deal: Deal) -> CosellDialog:
    """The dialog for a deal-detail action: ``Action.UPGRADE`` (R7.5), ``INVITE_MICROSOFT`` (R2.3) or
    ``INVITE_PARTNER`` (R7.4). Each dismisses with the updated ``Deal``, or None when cancelled."""
    if action is Action.UPGRADE:
        return UpgradeDialog(deal)
    if action is Action.INVITE_MICROSOFT:
        return InviteMicrosoftDialog(deal)
    if action is Action.INVITE_PARTNER:
        return InvitePartnerDialog(deal=deal)
    raise ValueError(f"no collaboration dialog for {action!r}")
