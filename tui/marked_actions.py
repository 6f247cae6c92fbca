"""One action on every marked row of the dashboard (R3.3 hearts, R8.4 declines).

Which actions work on marked rows is a property of the face (one reason and one
confirmation asked for many deals); whether each marked deal allows it is the
model's (``available_actions``), asked deal by deal: refused deals are skipped
and listed in one summary, with the model's words.

``run_bulk_action`` waits for dialogs with ``push_screen_wait``, so it must be
awaited inside a worker.
"""
from __future__ import annotations

from typing import Iterable

from model import services as svc
from model.domain.errors import ConflictError, CosellError, RuleViolation, Violation
from model.domain.rules.lifecycle import Action
from model.domain.schemas import Deal
from tui.deal_actions import NOTHING_AFTER, REASON_FLOWS, refusal_text, tell, verdict
from tui.service_call import in_thread

#: The actions ``space``-marked rows take: a heart, and the terminal moves that take one reason for all.
BULK = frozenset({Action.FAVORITE, Action.DECLINE, Action.LOST, Action.CLOSE_AS_ERROR})


def _deals(n: int) -> str:
    """"1 marked deal", "2 marked deals": the count in English, never "deal(s)"."""
    return f"{n} marked deal{'' if n == 1 else 's'}"


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


def _sort_out(ctx, action: Action, deals: list[Deal]) -> tuple[list[Deal], list[tuple[str, str]]]:
    """(the deals the model lets ``action`` touch, the others with the model's reason)."""
    ready, refused = [], []
    for deal in deals:
        why = verdict(ctx, deal)[action]
        if why:
            refused.append((deal.name, refusal_text(why)))
        else:
            ready.append(deal)
    return ready, refused


async def run_bulk_action(screen, action: Action, deal_ids: Iterable[str]) -> list[Deal]:
    """Apply one action to every marked deal; return the deals it changed.

    FAVORITE toggles each deal. DECLINE (and LOST, CLOSE_AS_ERROR) asks ONE
    reason and ONE confirmation for all of them, then applies it deal by deal;
    deals the model refuses (or that someone changed meanwhile) are skipped and
    listed in one summary notification.
    """
    if action not in BULK:
        raise ValueError(f"{action.label} does not work on marked rows")
    app, ctx = screen.app, screen.app.ctx
    ids = list(dict.fromkeys(deal_ids))
    if not ids:
        return []
    loaded, missing = await in_thread(screen, _load_all, ctx, ids)
    refusals = [(deal_id[:8], str(exc)) for deal_id, exc in missing]
    ready, refused = _sort_out(ctx, action, loaded)
    refusals += refused
    if action is Action.FAVORITE:
        return await _toggle_all(screen, ready, refusals)
    flow = REASON_FLOWS[action]
    if not ready:
        _report(app, f"{flow.verb}: none of the {len(ids)} marked deals can be changed", refusals, done=0)
        return []

    from tui.screens.dialogs import ConfirmDialog, ReasonDialog  # where they open (see tui.deal_actions)
    from tui.screens.dialogs._form import split_violations

    values: dict | None = None
    errors: list[Violation] = []
    while True:
        values = await app.push_screen_wait(ReasonDialog(
            verb=flow.verb, rule=flow.rule, reasons=flow.reasons, subjects=[d.name for d in ready],
            intro=flow.outcome + (f" {_deals(len(refusals))} cannot be changed and "
                                  f"{'is' if len(refusals) == 1 else 'are'} skipped." if refusals else ""),
            reason_required=flow.reason_required, values=values, errors=errors))
        if values is None:
            return []
        reason = values["reason"]
        if not await app.push_screen_wait(ConfirmDialog(
                f"{flow.verb} {len(ready)} deal{'s' if len(ready) != 1 else ''}?",
                f"{flow.outcome}\n" + (f"Reason: {reason}.\n" if reason else "") + NOTHING_AFTER,
                confirm_label=flow.verb, warning=True)):
            return []

        def apply_all(reason=reason, notes=values["notes"] or None):
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


async def _toggle_all(screen, deals: list[Deal], refusals: list[tuple[str, str]]) -> list[Deal]:
    ctx = screen.app.ctx

    def toggle_all():
        changed, failed = [], []
        for deal in deals:
            try:
                changed.append(svc.set_favorite(ctx, deal.id))
            except CosellError as exc:
                failed.append((deal.name, str(exc)))
        return changed, failed

    changed, failed = await in_thread(screen, toggle_all)
    added = sum(1 for d in changed if d.favorite)
    _report(screen.app, f"Favorites: {added} added, {len(changed) - added} removed (R3.3)", refusals + failed,
            done=len(changed))
    return changed
