"""The cosell app: kept thin. Bindings, theme, screen routing, a clock tick, one error handler.

Everything a screen needs from the app is here and nothing else:

- ``app.ctx``: the services' context (store, clock, user);
- ``app.settings``: the user's preferences (``tui.settings``), saved with ``settings.save()``;
- ``app.show_error(exc)``: the one place an error becomes a notification. The model's
  refusals (RuleViolation, ConflictError, NotFound, ...) show their own message;
  anything else is logged and reported generically. A worker that fails lands here
  too (``_handle_exception``), so a failed query never kills the session;
- ``app.refresh_deals()``: "deals changed, re-query what you show" (the dashboard
  and any screen subscribed to ``app.deals_changed``);
- ``app.clock_tick``: a signal published every 30 s with ``ctx.clock.now()``, so
  countdowns move without a restart.

Sync with Partner Center (issue 12): ``app.sync_watch`` (``tui.sync_watch``) runs `S`,
the periodic pull and the push after each action in a thread worker, one at a time.

Live refresh (issue 5): a thread worker polls ``store.change_counter()`` every
second; when another process (or user) wrote, ``refresh_deals()`` runs.

Cold start (issue 10, B1): launched by ``tui.launch`` (``started`` given), the sweep, the
expiry watch, the sync summary and the change poll begin only once the first page of deals is
on screen, so none of them competes with the first frame for the interpreter lock.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import WorkerFailed

from model.domain.errors import CosellError
from model.services.context import Ctx
from tui.commands import CosellCommands
from tui.settings import Settings, load_settings
from tui.text import markup_safe

log = logging.getLogger("cosell.tui")

#: Launched (``started`` given), the background work waits for the first page of deals, but
#: never longer than this (a database that cannot be read still gets its sweep and poll).
BACKGROUND_AT_THE_LATEST_S = 3.0


class CosellApp(App):
    TITLE = "cosell"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CosellCommands}
    # Screen routing: the dashboard is the home mode (a mode, so its CSS_PATH is loaded).
    MODES = {"dashboard": lambda: _dashboard()}
    DEFAULT_MODE = "dashboard"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help",
                tooltip="Every key of this screen, with what it does"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave cosell (nothing unsaved is lost)"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit_now", priority=True, show=False,
                tooltip="Quit from anywhere, even while typing"),
        Binding("ctrl+p", "command_palette", "Palette", id="app.palette", priority=True,
                tooltip="Every action by name: type e.g. 'deal: accept'"),
        Binding("S", "sync", "Sync", id="app.sync", show=False, key_display="S",
                tooltip="Sync with Partner Center now: pull its changes, push the queued ones (in the background)"),
    ]

    class _Counter(Message):
        def __init__(self, counter: int) -> None:
            super().__init__()
            self.counter = counter

    def __init__(self, ctx: Ctx, settings: Settings | None = None, *, settings_problem: str | None = None,
                 poll_interval: float | None = 1.0, tick_interval: float = 30.0, sweep: bool = True,
                 started: Callable[[], None] | None = None) -> None:
        """``started``: the launch's way (``tui.launch``). The background work (sweep, expiry watch,
        sync summary, change poll) then waits until the first page of deals is on screen, so
        nothing competes with the first frame for the one interpreter lock (B1), and
        ``started()`` runs once it has begun. Without it (tests) it starts at mount, as before."""
        super().__init__()
        self.ctx = ctx
        self._sweep = sweep
        self._started = started
        self._background_started = False
        from tui.expiry_watch import ExpiryWatch

        self._expiry_watch = ExpiryWatch()
        from tui.sync_watch import SyncWatch

        self.sync_watch = SyncWatch(self)
        if settings is None:
            settings, settings_problem = load_settings()
        self.settings = settings
        self._settings_problem = settings_problem
        self._poll_interval = poll_interval
        self._tick_interval = tick_interval
        self._last_counter: int | None = None
        self.unexpected_errors: list[BaseException] = []
        self.clock_tick: Signal[datetime] = Signal(self, "clock-tick")
        self.deals_changed: Signal[None] = Signal(self, "deals-changed")


    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.notify(f"Unknown theme {markup_safe(self.settings.theme)}; using {self.theme}", severity="warning")
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self._settings_problem:
            self.notify(markup_safe(self._settings_problem), title="Settings", severity="warning", timeout=10)
        self.deals_changed.subscribe(self, lambda _none: self.sync_watch.refresh_summary())
        if self._started is None:
            self._start_background()
        else:  # once the first page is shown (``on_deal_table_loaded``), or after a while anyway
            self.set_timer(BACKGROUND_AT_THE_LATEST_S, self._start_background)

    def on_deal_table_loaded(self, _message) -> None:
        """The first page of deals is on screen (``DealTable.Loaded`` bubbles up to here)."""
        if not self._background_started:
            self.call_after_refresh(self._start_background)

    def _start_background(self) -> None:
        if self._background_started:
            return
        self._background_started = True
        self.set_interval(self._tick_interval, self._tick)
        if self._sweep:  # after the first frame: the dashboard never waits for the sweep (B11)
            self.call_after_refresh(self._sweep_worker)
        self._expiry_worker()
        self.sync_watch.start()
        if self._poll_interval:
            self._poll_worker()
            self.set_interval(self._poll_interval, self._poll_worker)
        if self._started is not None:  # launched for a user (tui.launch), not driven by a test
            from tui.matcher_service import MatcherService

            # Map the stored customer-search index now, off the first frame, so the wizard's first
            # search answers at once (B10a) instead of loading it when the modal opens.
            MatcherService.for_app(self).prewarm(self)
            self._started()

    def _remember_theme(self, theme) -> None:
        if theme.name != self.settings.theme:
            self.settings.theme = theme.name
            self.settings.save()

    def _tick(self) -> None:
        self.clock_tick.publish(self.ctx.clock.now())
        if self._sweep:
            self._sweep_worker()
        self._expiry_worker()

    @work(thread=True, exclusive=True, group="expiry-watch", exit_on_error=False)
    def _expiry_worker(self) -> None:
        """Tell the on-call person when a deal crosses into the 72 h / 24 h band while the app is open."""
        from model import services as svc
        from tui.expiry_watch import BANDS, message

        watch, now = self._expiry_watch, self.ctx.clock.now()
        try:
            moves, inside = svc.expiry_moves(self.ctx, watch.since or now, BANDS, watch.inside)
        except Exception as exc:
            log.warning("expiry watch failed: %s", exc)
            return
        if watch.since is None:
            watch.start(now, inside)
            return
        crossed = watch.crossings(moves, inside, now)
        if crossed:
            urgent = any(band == "24h" for _, band, _ in crossed)
            self.call_from_thread(self.notify, markup_safe(message(crossed)), title="Expiring soon (R8.2)",
                                  severity="error" if urgent else "warning", timeout=15)

    # -- expiry on time (R8.2) ------------------------------------------------------
    @work(thread=True, exclusive=True, group="sweep", exit_on_error=False)
    def _sweep_worker(self) -> None:
        """Expire overdue inbound deals while the app is open, so nobody acts on a dead deal;
        `cosell sweep` from cron does the same when nobody has the app open. The dashboard's
        reads in flight go first (B11: the first frame never waits for a sweep)."""
        from model import services as svc
        from tui.expiry_watch import after_page_loads

        try:
            after_page_loads(self)
            expired = svc.sweep(self.ctx)
        except Exception as exc:  # a busy database must not end the session; the next tick retries
            log.warning("sweep failed: %s", exc)
            return
        if expired:
            self.call_from_thread(self._announce_expired, [d.name for d in expired])

    def _announce_expired(self, names: list[str]) -> None:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.notify(markup_safe(f"{len(names)} inbound deal{'' if len(names) == 1 else 's'} expired unanswered "
                                f"after 14 days: {shown}"),
                    title="Expired (R8.2)", severity="warning", timeout=10)
        self.refresh_deals()

    # -- live refresh ----------------------------------------------------------------
    @work(thread=True, exclusive=True, group="change-poll", exit_on_error=False)
    def _poll_worker(self) -> None:
        try:
            counter = self.ctx.store.change_counter()
        except Exception as exc:  # a busy or vanished database must not end the session
            log.warning("change poll failed: %s", exc)
            return
        self.post_message(self._Counter(counter))

    def on_cosell_app__counter(self, message: _Counter) -> None:
        previous, self._last_counter = self._last_counter, message.counter
        if previous is not None and message.counter != previous:
            self.refresh_deals()

    def refresh_deals(self) -> None:
        """Deals changed (here or elsewhere): every subscribed screen re-queries what it shows."""
        self.deals_changed.publish(None)

    # -- errors ------------------------------------------------------------------------
    def show_error(self, exc: BaseException) -> None:
        """The one error handler: the model's own words for refusals, a generic note for bugs."""
        if isinstance(exc, WorkerFailed):
            exc = exc.error
        if isinstance(exc, CosellError):
            self.notify(markup_safe(str(exc)), title=_title(exc), severity="error", timeout=10)
            return
        self.unexpected_errors.append(exc)
        log.error("unexpected error", exc_info=exc)
        self.log.error(repr(exc))
        self.notify(f"Something went wrong ({markup_safe(type(exc).__name__)}); nothing was changed by it. "
                    "Details are in the log.", title="Error", severity="error", timeout=10)

    def _handle_exception(self, error: Exception) -> None:
        # A worker's failure is an error to show, not a reason to end the user's session.
        if isinstance(error, WorkerFailed):
            self.show_error(error.error)
            return
        super()._handle_exception(error)

    # -- app actions ----------------------------------------------------------------------
    def action_sync(self) -> None:
        self.sync_watch.sync_now()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen.for_screen(self.screen))


def _dashboard() -> Screen:
    from tui.screens.dashboard import DashboardScreen

    return DashboardScreen()


def _title(exc: CosellError) -> str:
    from model.domain.errors import ConflictError, NotFound, RuleViolation

    if isinstance(exc, RuleViolation):
        return "Not allowed"
    if isinstance(exc, ConflictError):
        return "Changed by someone else"
    if isinstance(exc, NotFound):
        return "Not found"
    return "Error"
