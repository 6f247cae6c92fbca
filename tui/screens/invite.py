"""Dialogs that bring others onto a deal: invite a partner (R7.4, P2P), invite
Microsoft (R2.3, R7.3, R4.10), and upgrade a private deal (R7.5).

``InvitePartnerDialog`` serves both the wizard (given a draft: it checks the
invitation with the model and dismisses with the ``Invitation``) and the deal
detail (given a deal: it calls ``svc.invite_partner`` and dismisses with the
updated ``Deal``). The partner is picked from the co-sell partner catalogue,
never typed (R7.4). The Microsoft and upgrade dialogs (``microsoft_dialogs``)
act on a saved deal. Every refusal is the model's, shown beside its field; a
deal changed by someone else meanwhile opens the one conflict dialog
(``tui.service_call``); nothing typed is lost.
"""
from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from model import services as svc
from model.domain.enums import HelpType
from model.domain.errors import Violation
from model.domain.rules.deal_fields import invitation_violations
from model.domain.rules.fx import known_currencies
from model.domain.rules.lifecycle import Action
from model.domain.schemas import Deal, DealDraft, Invitation, Partner
from tui.screens.collab_dialog import HELP_CHOICES, CosellDialog
from tui.screens.dialogs.toggles import SelectionList
from tui.screens.microsoft_dialogs import InviteMicrosoftDialog, UpgradeDialog
from tui.screens.dialogs.type_ahead import Input, focus_now
from tui.screens.new_deal.base import FieldError, SearchInput, parse_date, parse_money, row
from tui.service_call import in_thread
from tui.text import literal

_INVITATION_FIELD = r"^invitations\[\d+\]\."


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
            focus_now(self.query_one("#inv-close-date", Input))

    def enter_moves_on(self, widget) -> bool:
        """Enter in the close date or the share goes on to the next field (``TypeAhead``)."""
        return widget.id in ("inv-close-date", "inv-value")

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
        # Every error of this save at once: what could not be read, and what the model says of the rest
        # (in the wizard nothing is saved yet: the model checks the invitation as create_deal will).
        unreadable = {v.field for v in problems}
        problems += [v for v in invitation_violations(inv, 0)
                     if re.sub(self.strip, "", v.field or "") not in unreadable]
        if problems:
            self.show_problems(problems)
            self.app.bell()
            return
        if self.deal is None:
            self.dismiss(inv)
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
