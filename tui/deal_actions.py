"""The one path every deal action takes, from a key press to the store.

The dashboard, the deal detail screen and the lifecycle widget all call
``run_deal_action`` (and ``tui.marked_actions.run_bulk_action`` for marked
rows), so each action behaves the same wherever it is started:

1. load the deal off the UI thread and ask the model (``available_actions``)
   whether the action is possible; if not, show the model's message and stop,
   without opening a dialog;
2. open the dialogs the action needs (a form, a confirm before any terminal
   transition, R9);
3. call the service through ``tui.service_call.save_checked`` with the version
   the user saw, so a change by someone else is caught (optimistic check) and
   shown in the conflict dialog, which keeps what the user typed;
4. put a refusal beside the form field it names, or else in a notification.

``run_deal_action`` uses ``push_screen_wait``, so it must be awaited inside a
worker (``screen.run_worker(run_deal_action(...))``). The dialogs are imported where they
open, so the dashboard's first frame does not wait for modules no key has asked for yet (B1).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterable

from rich.text import Text

from model import services as svc
from model.domain.errors import CosellError, RuleViolation, Violation
from model.domain.ops.lifecycle import reason_violations
from model.domain.reasons import DECLINE_REASONS, ERROR_REASONS, LOST_REASONS
from model.domain.rules.lifecycle import Action, available_actions, next_stage
from model.domain.rules.registration import eligibility_violations
from model.domain.schemas import Deal
from model.domain.stages import percent
from tui.service_call import Cancelled, Reloaded, in_thread, save_checked
from tui.sync_watch import local_change
from tui.text import clean, literal

#: Actions this controller drives. Upgrade and invitations have their own dialogs (``tui.screens.invite``).
SUPPORTED = frozenset({Action.ACCEPT, Action.DECLINE, Action.MARK_STAGE, Action.WON, Action.LOST,
                       Action.CLOSE_AS_ERROR, Action.REGISTER, Action.EDIT, Action.NOTE, Action.FAVORITE})
#: Actions with a form: after a conflict, Reload opens the form again on the fresh deal, still filled in.
WITH_FORM = frozenset({Action.ACCEPT, Action.DECLINE, Action.LOST, Action.CLOSE_AS_ERROR, Action.REGISTER,
                       Action.EDIT, Action.NOTE})

NOTHING_AFTER = "Nothing about the deal can be changed after this (R9.1)."


@dataclass(frozen=True)
class ReasonFlow:
    """A terminal transition that takes a reason from the model's list."""

    verb: str
    rule: str
    reasons: tuple[str, ...]
    service: Callable[..., Deal]
    done: str
    outcome: str
    reason_required: bool = True


REASON_FLOWS: dict[Action, ReasonFlow] = {
    Action.DECLINE: ReasonFlow("Decline", "R8.4", DECLINE_REASONS, svc.decline, "Declined",
                               "The deal is archived as declined and the sender is notified (R8.4, R12.2)."),
    Action.LOST: ReasonFlow("Mark lost", "R8.11", LOST_REASONS, svc.lost, "Marked lost",
                            "The deal moves to Closed as lost, with the reason on the record (R8.11)."),
    Action.CLOSE_AS_ERROR: ReasonFlow("Close as error", "R8.13", ERROR_REASONS, svc.close_as_error,
                                      "Closed as error", "The deal moves to the Error stage and to Closed (R8.13).",
                                      reason_required=False),  # R8.13: the user *may* choose a reason
}

LABELS = {
    "name": "Deal name", "value": "Estimated value", "currency": "Currency", "close_date": "Close date",
    "notes": "Notes", "crm_id": "CRM ID", "campaign_id": "Campaign ID", "reason": "Reason", "text": "Note",
    "contract_value": "Contract value", "marketplace_intent": "Marketplace intent", "partner_role": "Partner role",
    "partner_program": "Partner program", "solution_area": "Solution area", "solution_play": "Solution play",
    "contract_confirmed": "Contract names us and the solution",
}


# -- small helpers shared with the screens -----------------------------------------

def verdict(ctx, deal: Deal) -> dict[Action, list[Violation]]:
    """What the deal may do now, as the model says (the one question every face asks)."""
    return available_actions(deal, ctx.user, ctx.clock.now())


def tell(app, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None) -> None:
    """A notification whose text is shown literally (deal names may hold markup or escapes)."""
    app.notify(clean(message), title=clean(title), severity=severity, timeout=timeout, markup=False)


def refusal_text(violations: Iterable[Violation]) -> str:
    return "\n".join(str(v) for v in violations)


def refuse(app, action: Action, violations: Iterable[Violation], subject: str | None = None) -> None:
    """The model's own words, one line per unmet rule."""
    title = f"Cannot {action.label.lower()}" + (f": {subject}" if subject else "")
    tell(app, refusal_text(violations), title=title, severity="warning", timeout=10)


def show_error(app, exc: BaseException) -> None:
    handler = getattr(app, "show_error", None)
    if callable(handler):
        handler(exc)
    else:
        tell(app, str(exc), title="Error", severity="error", timeout=10)


def warning_title(violations: Iterable[Violation], what: str) -> str:
    """A confirm dialog's title for warnings the model wants confirmed (R8.12, R6.7)."""
    rules = ", ".join(dict.fromkeys(v.rule for v in violations))
    return f"{what} ({rules})"


def warning_text(violations: Iterable[Violation]) -> str:
    return "\n".join(v.message for v in violations)


def change_summary(values: dict | None) -> list[tuple[str, object]]:
    return [(LABELS.get(k, k.replace("_", " ")), v) for k, v in (values or {}).items()]


class _BackToForm(Exception):
    """The user said no to the confirmation: the form comes back as they filled it in."""


class _Reload(Exception):
    """The user chose Reload in the conflict dialog: start over on ``deal`` (theirs), keeping ``values``."""

    def __init__(self, values: dict | None, deal: Deal):
        super().__init__("reload")
        self.values, self.deal = values, deal


# -- one action on one deal ------------------------------------------------------------

class _DealAction:
    def __init__(self, screen, action: Action, deal_id: str, version: int | None):
        self.screen, self.app = screen, screen.app
        self.ctx = self.app.ctx
        self.action, self.deal_id = action, deal_id
        self.version = version  # what the caller showed; None: whatever is loaded
        self.deal: Deal | None = None

    def now(self):
        return self.ctx.clock.now()

    def refused(self, action: Action | None = None) -> list[Violation]:
        """Why the model says no to the action on the deal as loaded (empty: it may)."""
        return verdict(self.ctx, self.deal)[action or self.action]

    async def load(self) -> Deal:
        self.deal = await in_thread(self.screen, svc.get_deal, self.ctx, self.deal_id)
        return self.deal

    async def run(self) -> Deal | None:
        values: dict | None = None
        try:
            await self.load()
            while True:
                refused = self.refused()
                if refused:
                    refuse(self.app, self.action, refused)
                    return None
                try:
                    return await self.step(values)
                except _Reload as reload:
                    values, self.version, self.deal = reload.values, None, reload.deal
                    if self.action not in WITH_FORM:
                        tell(self.app, "Showing their version; nothing of yours was saved.", title="Reloaded")
                        return None
        except Cancelled:
            return None
        except RuleViolation as exc:
            refuse(self.app, self.action, exc.violations)
            return None
        except CosellError as exc:
            show_error(self.app, exc)
            return None

    async def step(self, values: dict | None) -> Deal:
        action = self.action
        if action is Action.ACCEPT:
            return await self.accept(values)
        if action in REASON_FLOWS:
            return await self.close_with_reason(REASON_FLOWS[action], values)
        if action is Action.WON:
            return await self.won()
        if action is Action.MARK_STAGE:
            return await self.mark_stage()
        if action is Action.REGISTER:
            return await self.register(values, offer=False)
        if action is Action.EDIT:
            return await self.edit(values)
        if action is Action.NOTE:
            return await self.note(values)
        return await self.favorite()

    # -- the shared mechanics ------------------------------------------------------
    async def save(self, fn: Callable[..., Deal], *args, values: dict | None = None,
                   action: Action | None = None, **kwargs) -> Deal:
        """Call the service with the version the user saw; a conflict is resolved in the conflict dialog."""
        action = action or self.action
        deal_id, ctx = self.deal.id, self.ctx
        try:
            new = await save_checked(
                self.screen, lambda version: fn(ctx, deal_id, *args, version=version, **kwargs), self.deal,
                version=self.version, your_change=change_summary(values), form=self.action in WITH_FORM,
                recheck=lambda fresh: verdict(ctx, fresh)[action])
        except Reloaded as reloaded:
            raise _Reload(values, reloaded.deal) from None
        self.deal, self.version = new, None
        return new

    async def form(self, make: Callable[[dict | None, list[Violation]], Any], fields: tuple[str, ...],
                   values: dict | None, save: Callable[[dict], Awaitable[Deal]]) -> Deal:
        """Open the form until it saves: a refusal naming one of its fields reopens it with the message."""
        from tui.screens.dialogs._form import split_violations

        errors: list[Violation] = []
        while True:
            values = await self.app.push_screen_wait(make(values, errors))
            if values is None:
                raise Cancelled
            try:
                return await save(values)
            except _BackToForm:
                errors = []
            except RuleViolation as exc:
                errors, rest = split_violations(exc.violations, fields)
                if rest:
                    refuse(self.app, self.action, rest)
                if not errors:
                    raise Cancelled from None

    async def confirm(self, title: Text | str, message: Text | str, **kw) -> bool:
        from tui.screens.dialogs import ConfirmDialog

        return bool(await self.app.push_screen_wait(ConfirmDialog(title, message, **kw)))

    def done(self, what: str, deal: Deal, detail: str = "") -> None:
        tell(self.app, f"{what} “{deal.name}”" + (f": {detail}" if detail else ""), title=self.action.label)

    # -- the actions -------------------------------------------------------------------
    async def accept(self, values: dict | None) -> Deal:
        from tui.screens.dialogs import AcceptDialog

        async def save(v: dict) -> Deal:
            return await self.save(svc.accept, values=v, **v)

        new = await self.form(lambda v, e: AcceptDialog(self.deal, values=v, errors=e), AcceptDialog.FIELDS,
                              values, save)
        self.done("Accepted", new, "now in stage Accepted (R8.5)")
        return new

    async def close_with_reason(self, flow: ReasonFlow, values: dict | None) -> Deal:
        from tui.screens.dialogs import ReasonDialog

        async def save(v: dict) -> Deal:
            refused = reason_violations(v["reason"], flow.reasons, v["notes"], flow.rule,
                                        required=flow.reason_required)
            if refused:  # asked before the confirmation, not after it (R8.4, R8.11, R8.13)
                raise RuleViolation(refused)
            title = Text.assemble(f"{flow.verb} ", literal(self.deal.name, "italic"), "?")
            if not await self.confirm(title, f"{flow.outcome}\n{NOTHING_AFTER}", confirm_label=flow.verb,
                                      warning=True):
                raise _BackToForm
            return await self.save(flow.service, v["reason"], notes=v["notes"] or None, values=v)

        new = await self.form(
            lambda v, e: ReasonDialog(verb=flow.verb, rule=flow.rule, reasons=flow.reasons, subjects=[self.deal.name],
                                      intro=flow.outcome, reason_required=flow.reason_required, values=v, errors=e),
            ReasonDialog.FIELDS, values, save)
        self.done(flow.done, new, f"reason: {new.status_reason}" if new.status_reason else "")
        return new

    async def won(self) -> Deal:
        title = Text.assemble("Mark ", literal(self.deal.name, "italic"), " won?")
        if not await self.confirm(title, "The deal moves to Closed as won and reports the outcome (R8.11).\n"
                                         + NOTHING_AFTER, confirm_label="Mark won", warning=True):
            raise Cancelled
        try:
            new = await self.save(svc.won, values={"outcome": "Won"})
        except RuleViolation as exc:
            if not exc.needs_confirmation:  # a refusal, not a warning to confirm
                raise
            if not await self.confirm(warning_title(exc.violations, "Marking won within 72 hours"),
                                      warning_text(exc.violations), confirm_label="Mark won anyway", warning=True):
                raise Cancelled from None
            new = await self.save(svc.won, values={"outcome": "Won"}, confirm_early=True)
        self.done("Marked won", new)
        if eligibility_violations(new, self.now()):
            return new
        try:  # R8.11: eligible solutions prompt for registration right away
            return await self.register(None, offer=True)
        except (Cancelled, _Reload):  # the deal is won either way; register later with r
            return self.deal

    async def register(self, values: dict | None, *, offer: bool) -> Deal:
        from tui.screens.dialogs import RegisterDialog

        async def save(v: dict) -> Deal:
            return await self.save(svc.register, values=v, action=Action.REGISTER, **v)

        new = await self.form(lambda v, e: RegisterDialog(self.deal, self.now(), offer=offer, values=v, errors=e),
                              RegisterDialog.FIELDS, values, save)
        tell(self.app, f"Registered “{new.name}”: {new.registration.status.label.lower()} (R10.4)",
             title=Action.REGISTER.label)
        return new

    async def mark_stage(self) -> Deal:
        stage = next_stage(self.deal)
        new = await self.save(svc.mark_stage, stage, values={"stage": stage.value})
        tell(self.app, f"Marked {stage.value} ({percent(stage)} %)", title=new.name)
        return new

    async def edit(self, values: dict | None) -> Deal:
        from tui.screens.dialogs import EditDialog

        async def save(changes: dict) -> Deal:
            if not changes:
                tell(self.app, "Nothing was changed", title=Action.EDIT.label)
                raise Cancelled
            return await self.save(svc.edit, changes, values=changes)

        new = await self.form(lambda v, e: EditDialog(self.deal, values=v, errors=e), EditDialog.FIELDS, values, save)
        self.done("Saved", new)
        return new

    async def note(self, values: dict | None) -> Deal:
        from tui.screens.dialogs import NoteDialog

        async def save(v: dict) -> Deal:
            return await self.save(svc.add_note, v["text"], values=v)

        new = await self.form(lambda v, e: NoteDialog(self.deal, values=v, errors=e), NoteDialog.FIELDS, values, save)
        self.done("Note added to", new)
        return new

    async def favorite(self) -> Deal:
        new = await in_thread(self.screen, svc.set_favorite, self.ctx, self.deal.id)
        local_change(self.app)
        tell(self.app, f"{'Added' if new.favorite else 'Removed'} “{new.name}” "
                       f"{'to' if new.favorite else 'from'} Favorites (R3.3)", title="Favorites")
        return new


async def run_deal_action(screen, action: Action, deal_id: str, *, version: int | None = None) -> Deal | None:
    """Run one deal action from start to end; return the updated Deal, or None if cancelled or refused.

    ``version`` is the deal version the caller is showing: the save is checked
    against it, so a change made meanwhile by someone else opens the conflict
    dialog instead of being overwritten. Without it, the freshly loaded version
    is used.

    Must be awaited inside a worker (it waits for dialogs with
    ``push_screen_wait``), e.g. ``screen.run_worker(run_deal_action(screen, Action.WON, deal_id))``.
    Every service call runs in a thread worker, so the UI never blocks.
    """
    if action not in SUPPORTED:
        raise ValueError(f"{action.label} is not driven by run_deal_action")
    return await _DealAction(screen, action, deal_id, version).run()
