"""The one way a screen runs a service call: off the UI thread, with a stale version
resolved by the one conflict dialog.

Every service call blocks on the database, so the faces never run one on the
event loop: ``in_thread`` runs it in a Textual thread worker and awaits it, and
the event loop keeps drawing and reading keys meanwhile. A worker cancelled
because its screen closed (or a newer exclusive worker replaced it) is not an
error: the cancellation ends the awaiting worker quietly instead of surfacing as
"Something went wrong (WorkerCancelled)".

``save_checked`` adds the optimistic version check's other half: a
``ConflictError`` (someone changed the deal since the user loaded it) opens
``ConflictDialog``, which says who changed what and shows the user's change:

- Re-apply: the deal is re-read, the model is asked again whether the action is
  still possible (``recheck``), and the call is made on the current version;
- Reload: ``Reloaded`` is raised with the fresh deal; the caller shows it and
  brings back its form, still filled in with what the user typed;
- Cancel: ``Cancelled`` is raised; nothing was saved.

A save that went through is pushed to Partner Center right after (``tui.sync_watch``,
when sync is set up); a push that fails shows as the deal's mark, never as an error here.

Both must be awaited inside a worker (the dialog waits with ``push_screen_wait``).
"""
from __future__ import annotations

import asyncio
from functools import partial
from typing import Callable, TypeVar

from textual.worker import WorkerCancelled, WorkerFailed

from model import services as svc
from model.domain.errors import ConflictError, RuleViolation, Violation
from model.domain.schemas import Deal
from tui.sync_watch import local_change

R = TypeVar("R")


class Cancelled(Exception):
    """The user closed a dialog (or chose Cancel on a conflict): stop quietly, nothing was saved."""


class Reloaded(Exception):
    """The user chose Reload on a conflict: ``deal`` is the current version, nothing of theirs was saved."""

    def __init__(self, deal: Deal):
        super().__init__("reloaded")
        self.deal = deal


async def in_thread(node, fn: Callable[..., R], /, *args, **kwargs) -> R:
    """Run a blocking call (a service, a query) in a thread worker of ``node`` and await its result.

    The call's own exception is re-raised here, not wrapped. If the worker is
    cancelled (its screen closed), the awaiting task is cancelled too.
    """
    worker = node.run_worker(partial(fn, *args, **kwargs), thread=True, exit_on_error=False,
                             group="service-call", description=getattr(fn, "__name__", "service call"))
    try:
        return await worker.wait()
    except WorkerFailed as failed:
        raise failed.error from None
    except WorkerCancelled:
        raise asyncio.CancelledError from None


async def save_checked(node, call: Callable[[int], R], deal: Deal, *, version: int | None = None,
                       your_change: list[tuple[str, object]] = (), form: bool = True,
                       recheck: Callable[[Deal], list[Violation]] | None = None) -> R:
    """``call(version)`` off the UI thread, checked against ``version`` (default: ``deal.version``).

    On a conflict the user decides in ``ConflictDialog`` (see the module doc);
    ``your_change`` is what the dialog shows as theirs, ``form`` whether Reload
    brings a form back, ``recheck(fresh)`` what the model says of the action on the
    fresh deal before a re-apply (a refusal raises ``RuleViolation``).
    """
    from tui.screens.dialogs.conflict import REAPPLY, RELOAD, ConflictDialog

    app = node.app
    current = version if version is not None else deal.version
    while True:
        try:
            result = await in_thread(node, call, current)
        except ConflictError as exc:
            choice = await app.push_screen_wait(ConflictDialog(exc, deal.name, list(your_change), form=form))
            if choice not in (REAPPLY, RELOAD):
                raise Cancelled from None
            deal = await in_thread(node, svc.get_deal, app.ctx, deal.id)
            if choice == RELOAD:
                raise Reloaded(deal) from None
            refused = recheck(deal) if recheck is not None else []
            if refused:
                raise RuleViolation(refused) from None
            current = deal.version
            continue
        local_change(app)  # saved: push it to Partner Center (quietly, in the background; tui.sync_watch)
        return result
