"""The one path every deal action takes, from a key press to the store.

The dashboard, the deal detail screen and the lifecycle widget all call
``run_deal_action`` (and ``run_bulk_action`` for marked rows), so each action
behaves the same wherever it is started:

1. load the deal in a thread worker and ask the model (``action_violations``)
   whether the action is possible; if not, show the model's message and stop,
   without opening a dialog;
2. open the dialogs the action needs (a form, a confirm before any terminal
   transition, R9);
3. call the service in a thread worker with the version the user saw, so a
   change by someone else is caught (optimistic check) and shown in the
   conflict dialog, which keeps what the user typed;
4. put a refusal beside the form field it names, or else in a notification.

Both functions use ``push_screen_wait``, so they must be awaited inside a
worker (``screen.run_worker(run_deal_action(...))``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Awaitable, Callable, Iterable

from rich.text import Text
from textual.worker import WorkerFailed

from model import services as svc
from model.domain.errors import ConflictError, CosellError, RuleViolation, Violation
from model.domain.reasons import DECLINE_REASONS, ERROR_REASONS, LOST_REASONS
from model.domain.rules.lifecycle import Action, action_violations, next_stage
from model.domain.rules.registration import eligibility_violations
from model.domain.schemas import Deal
from model.domain.stages import percent
from tui.screens.dialogs import (
    AcceptDialog, ConfirmDialog, ConflictDialog, EditDialog, NoteDialog, ReasonDialog, RegisterDialog,
)
from tui.screens.dialogs._form import split_violations
from tui.screens.dialogs.conflict import RELOAD, REAPPLY
from tui.text import clean, literal

#: Actions this controller drives. Upgrade, invitations, team and solutions belong to the wizard screens.
SUPPORTED = frozenset({Action.ACCEPT, Action.DECLINE, Action.MARK_STAGE, Action.WON, Action.LOST,
                       Action.CLOSE_AS_ERROR, Action.REGISTER, Action.EDIT, Action.NOTE, Action.FAVORITE})
BULK = frozenset({Action.FAVORITE, Action.DECLINE, Action.LOST, Action.CLOSE_AS_ERROR})
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


REASON_FLOWS: dict[Action, ReasonFlow] = {
    Action.DECLINE: ReasonFlow("Decline", "R8.4", DECLINE_REASONS, svc.decline, "Declined",
                               "The deal is archived as declined and the sender is notified (R8.4, R12.2)."),
    Action.LOST: ReasonFlow("Mark lost", "R8.11", LOST_REASONS, svc.lost, "Marked lost",
                            "The deal moves to Closed as lost, with the reason on the record (R8.11)."),
    Action.CLOSE_AS_ERROR: ReasonFlow("Close as error", "R8.13", ERROR_REASONS, svc.close_as_error,
                                      "Closed as error", "The deal moves to the Error stage and to Closed (R8.13)."),
}

LABELS = {
    "name": "Deal name", "value": "Estimated value", "currency": "Currency", "close_date": "Close date",
    "notes": "Notes", "crm_id": "CRM ID", "campaign_id": "Campaign ID", "reason": "Reason", "text": "Note",
    "contract_value": "Contract value", "marketplace_intent": "Marketplace intent", "partner_role": "Partner role",
    "partner_program": "Partner program", "solution_area": "Solution area", "solution_play": "Solution play",
}


# -- small helpers shared with the screens -----------------------------------------

async def in_thread(node, fn: Callable[..., Any], /, *args, **kwargs) -> Any:
    """Run a blocking call (a service, a query) in a Textual thread worker and await its result.

    The event loop keeps drawing and reading keys meanwhile; the call's own
    exception is re-raised here, not wrapped.
    """
    worker = node.run_worker(partial(fn, *args, **kwargs), thread=True, exit_on_error=False,
                             group="deal-service", description=getattr(fn, "__name__", "service call"))
    try:
        return await worker.wait()
    except WorkerFailed as failed:
        raise failed.error from None


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


def change_summary(values: dict | None) -> list[tuple[str, object]]:
    return [(LABELS.get(k, k.replace("_", " ")), v) for k, v in (values or {}).items()]


class _Cancelled(Exception):
    """The user closed a dialog: stop quietly."""


class _Reload(Exception):
    """The user chose Reload in the conflict dialog: start over on the fresh deal, keeping ``values``."""

    def __init__(self, values: dict | None):
        super().__init__("reload")
        self.values = values


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

    async def load(self) -> Deal:
        self.deal = await in_thread(self.screen, svc.get_deal, self.ctx, self.deal_id)
        return self.deal

    async def run(self) -> Deal | None:
        values: dict | None = None
        try:
            await self.load()
            while True:
                refused = action_violations(self.deal, self.action, self.now())
                if refused:
                    refuse(self.app, self.action, refused)
                    return None
                try:
                    return await self.step(values)
                except _Reload as reload:
                    values, self.version = reload.values, None
                    await self.load()
                    if self.action not in WITH_FORM:
                        tell(self.app, "Showing their version; nothing of yours was saved.", title="Reloaded")
                        return None
        except _Cancelled:
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
        """Call the service with the version the user saw; on a conflict ask what to do."""
        action = action or self.action
        version = self.version if self.version is not None else self.deal.version
        while True:
            try:
                new = await in_thread(self.screen, fn, self.ctx, self.deal.id, *args, version=version, **kwargs)
            except ConflictError as exc:
                choice = await self.app.push_screen_wait(
                    ConflictDialog(exc, self.deal.name, change_summary(values), form=self.action in WITH_FORM))
                if choice == REAPPLY:
                    await self.load()
                    refused = action_violations(self.deal, action, self.now())
                    if refused:
                        raise RuleViolation(refused, action.label.lower()) from None
                    version = self.deal.version
                    continue
                if choice == RELOAD:
                    raise _Reload(values) from None
                raise _Cancelled from None
            self.deal, self.version = new, None
            return new

    async def form(self, make: Callable[[dict | None, list[Violation]], Any], fields: tuple[str, ...],
                   values: dict | None, save: Callable[[dict], Awaitable[Deal]]) -> Deal:
        """Open the form until it saves: a refusal naming one of its fields reopens it with the message."""
        errors: list[Violation] = []
        while True:
            values = await self.app.push_screen_wait(make(values, errors))
            if values is None:
                raise _Cancelled
            try:
                return await save(values)
            except RuleViolation as exc:
                errors, rest = split_violations(exc.violations, fields)
                if rest:
                    refuse(self.app, self.action, rest)
                if not errors:
                    raise _Cancelled from None

    async def confirm(self, title: Text | str, message: Text | str, **kw) -> bool:
        return bool(await self.app.push_screen_wait(ConfirmDialog(title, message, **kw)))

    def done(self, what: str, deal: Deal, detail: str = "") -> None:
        tell(self.app, f"{what} “{deal.name}”" + (f": {detail}" if detail else ""), title=self.action.label)

    # -- the actions -------------------------------------------------------------------
    async def accept(self, values: dict | None) -> Deal:
        async def save(v: dict) -> Deal:
            return await self.save(svc.accept, values=v, **v)

        new = await self.form(lambda v, e: AcceptDialog(self.deal, values=v, errors=e), AcceptDialog.FIELDS,
                              values, save)
        self.done("Accepted", new, "now in stage Accepted (R8.5)")
        return new

    async def close_with_reason(self, flow: ReasonFlow, values: dict | None) -> Deal:
        async def save(v: dict) -> Deal:
            title = Text.assemble(f"{flow.verb} ", literal(self.deal.name, "italic"), "?")
            if not await self.confirm(title, f"{flow.outcome}\n{NOTHING_AFTER}", confirm_label=flow.verb,
                                      warning=True):
                raise _Cancelled
            return await self.save(flow.service, v["reason"], notes=v["notes"] or None, values=v)

        new = await self.form(
            lambda v, e: ReasonDialog(verb=flow.verb, rule=flow.rule, reasons=flow.reasons, subjects=[self.deal.name],
                                      intro=flow.outcome, values=v, errors=e),
            ReasonDialog.FIELDS, values, save)
        self.done(flow.done, new, f"reason: {new.status_reason}")
        return new

    async def won(self) -> Deal:
        title = Text.assemble("Mark ", literal(self.deal.name, "italic"), " won?")
        if not await self.confirm(title, "The deal moves to Closed as won and reports the outcome (R8.11).\n"
                                         + NOTHING_AFTER, confirm_label="Mark won", warning=True):
            raise _Cancelled
        try:
            new = await self.save(svc.won, values={"outcome": "Won"})
        except RuleViolation as exc:
            early = [v for v in exc.violations if v.rule == "R8.12"]
            if not early or len(early) != len(exc.violations):
                raise
            if not await self.confirm("Marking won within 72 hours (R8.12)", early[0].message,
                                      confirm_label="Mark won anyway", warning=True):
                raise _Cancelled from None
            new = await self.save(svc.won, values={"outcome": "Won"}, confirm_early=True)
        self.done("Marked won", new)
        if eligibility_violations(new, self.now()):
            return new
        try:  # R8.11: eligible solutions prompt for registration right away
            return await self.register(None, offer=True)
        except (_Cancelled, _Reload):  # the deal is won either way; register later with r
            return self.deal

    async def register(self, values: dict | None, *, offer: bool) -> Deal:
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
        async def save(changes: dict) -> Deal:
            if not changes:
                tell(self.app, "Nothing was changed", title=Action.EDIT.label)
                raise _Cancelled
            return await self.save(svc.edit, changes, values=changes)

        new = await self.form(lambda v, e: EditDialog(self.deal, values=v, errors=e), EditDialog.FIELDS, values, save)
        self.done("Saved", new)
        return new

    async def note(self, values: dict | None) -> Deal:
        async def save(v: dict) -> Deal:
            return await self.save(svc.add_note, v["text"], values=v)

        new = await self.form(lambda v, e: NoteDialog(self.deal, values=v, errors=e), NoteDialog.FIELDS, values, save)
        self.done("Note added to", new)
        return new

    async def favorite(self) -> Deal:
        new = await in_thread(self.screen, svc.set_favorite, self.ctx, self.deal.id)
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


# -- one action on many marked rows -----------------------------------------------------

def _load_all(ctx, deal_ids: list[str]) -> tuple[list[Deal], list[tuple[str, CosellError]]]:
    found, missing = [], []
    for deal_id in deal_ids:
        try:
            found.append(svc.get_deal(ctx, deal_id))
        except CosellError as exc:
            missing.append((deal_id, exc))
    return found, missing


def _why(exc: BaseException) -> str:
    if isinstance(exc, RuleViolation):
        return "; ".join(str(v) for v in exc.violations)
    if isinstance(exc, ConflictError):
        who = f" by {exc.changed_by}" if exc.changed_by else ""
        return f"changed{who} meanwhile; open it to see the change"
    return str(exc)


def _report(app, title: str, refusals: list[tuple[str, str]], *, done: int) -> None:
    lines = [f"• {name}: {why}" for name, why in refusals]
    severity = "information" if not refusals else ("warning" if done else "error")
    tell(app, "\n".join(lines) or "All done.", title=title, severity=severity, timeout=10 if refusals else None)


async def run_bulk_action(screen, action: Action, deal_ids: Iterable[str]) -> list[Deal]:
    """Apply one action to every marked deal; return the deals it changed.

    FAVORITE toggles each deal. DECLINE (and LOST, CLOSE_AS_ERROR) asks ONE
    reason and ONE confirmation for all of them, then applies it deal by deal;
    deals the model refuses (or that someone changed meanwhile) are skipped and
    listed in one summary notification.

    Must be awaited inside a worker (it waits for dialogs with ``push_screen_wait``).
    """
    if action not in BULK:
        raise ValueError(f"{action.label} does not work on marked rows")
    app, ctx = screen.app, screen.app.ctx
    ids = list(dict.fromkeys(deal_ids))
    if not ids:
        return []
    if action is Action.FAVORITE:
        def toggle_all():
            changed, failed = [], []
            for deal_id in ids:
                try:
                    changed.append(svc.set_favorite(ctx, deal_id))
                except CosellError as exc:
                    failed.append((deal_id[:8], str(exc)))
            return changed, failed

        changed, failed = await in_thread(screen, toggle_all)
        added = sum(1 for d in changed if d.favorite)
        _report(app, f"Favorites: {added} added, {len(changed) - added} removed (R3.3)", failed, done=len(changed))
        return changed

    flow = REASON_FLOWS[action]
    loaded, missing = await in_thread(screen, _load_all, ctx, ids)
    now = ctx.clock.now()
    refusals = [(deal_id[:8], str(exc)) for deal_id, exc in missing]
    ready: list[Deal] = []
    for deal in loaded:
        refused = action_violations(deal, action, now)
        if refused:
            refusals.append((deal.name, refusal_text(refused)))
        else:
            ready.append(deal)
    if not ready:
        _report(app, f"{flow.verb}: none of the {len(ids)} marked deals can be changed", refusals, done=0)
        return []

    values: dict | None = None
    errors: list[Violation] = []
    while True:
        values = await app.push_screen_wait(ReasonDialog(
            verb=flow.verb, rule=flow.rule, reasons=flow.reasons, subjects=[d.name for d in ready],
            intro=flow.outcome + (f" {len(refusals)} marked deal(s) cannot be changed and are skipped."
                                  if refusals else ""),
            values=values, errors=errors))
        if values is None:
            return []
        if not await app.push_screen_wait(ConfirmDialog(
                f"{flow.verb} {len(ready)} deal{'s' if len(ready) != 1 else ''}?",
                f"{flow.outcome}\nReason: {values['reason']}.\n{NOTHING_AFTER}",
                confirm_label=flow.verb, warning=True)):
            return []

        def apply_all(reason=values["reason"], notes=values["notes"] or None):
            changed, failed = [], []
            for deal in ready:
                try:
                    changed.append(flow.service(ctx, deal.id, reason, notes=notes, version=deal.version))
                except CosellError as exc:
                    failed.append((deal, exc))
            return changed, failed

        changed, failed = await in_thread(screen, apply_all)
        if not changed and failed and all(isinstance(exc, RuleViolation) for _, exc in failed):
            errors, rest = split_violations(failed[0][1].violations, ReasonDialog.FIELDS)
            if errors and not rest:
                continue  # the reason itself was refused (e.g. Other without notes): ask again
        refusals += [(deal.name, _why(exc)) for deal, exc in failed]
        _report(app, f"{flow.done} {len(changed)} of {len(ids)} deals", refusals, done=len(changed))
        return changed
