"""The dashboard's side of sync with Partner Center: `S`, the periodic pull, the push after each action.

The app owns one ``SyncWatch``. Every sync runs in a thread worker (group ``sync``), so the UI
never waits for the network, and never two at once: two pushes of one change with the same
eTag would turn the second into a false conflict (412). A request made while a sync runs is
folded into one more run after it (pull and push asked for are merged).

- ``sync_now()`` (`S`): pull then push; its outcome is one notification line.
- the pull timer: every ``pull_interval()`` minutes while the app is open; there is none on a
  database with no Partner Center settings (or ``pull_interval_minutes = 0``);
- ``local_change(app)``: called where a deal action completed (``tui.service_call``, the
  dashboard's bulk and new-deal paths); pushes quietly. A failed push is never an error dialog:
  the row's mark stays pending (or turns failed / conflict) and the header counts it.

After every run the deals are refreshed (the marks are re-read with each page) and ``changed``
publishes the new ``SyncSummary`` for the header line. Marks and the header line appear only
when sync is in use: Partner Center settings exist, or this database has synced before; else a
team that never syncs would see every deal "pending" (never pushed) for nothing.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from textual.signal import Signal
from textual.timer import Timer

from model.domain.errors import CosellError
from model.services import sync as sync_svc
from model.services.sync import SyncReport, SyncSettings, SyncSummary

log = logging.getLogger("cosell.tui.sync")

EXIT_SIGN_IN, EXIT_UNREACHABLE = 2, 6     # SignInNeeded / Unreachable (``model.services.sync``)
SIGN_IN = "sign-in needed: `cosell login`"
UNREACHABLE = "Partner Center unreachable, changes kept"


@dataclass(frozen=True)
class Outcome:
    """What one sync came to: the notification line and how loud it is."""

    line: str
    severity: str = "information"


def outcome_of(report: SyncReport) -> Outcome:
    """One line: in step / N pushed / conflict on … / Partner Center refused …"""
    def names(items) -> str:
        shown = ", ".join(f"“{item[1]}”" for item in items[:2])
        return shown + (f" and {len(items) - 2} more" if len(items) > 2 else "")

    pulled = report.created + report.updated
    came = f"{pulled} from Partner Center" if pulled else ""
    if report.conflicts:
        return Outcome(f"conflict on {names(report.conflicts)}: open the deal to keep yours or take theirs",
                       "warning")
    if report.failed:
        return Outcome(f"Partner Center refused {names(report.failed)}: {report.failed[0][2]}", "warning")
    if report.refused:
        return Outcome(f"{len(report.refused)} referral{'' if len(report.refused) == 1 else 's'} from Partner Center not taken: {report.refused[0][1]}",
                       "warning")
    if report.pushed:
        return Outcome(f"{report.pushed} pushed" + (f", {came}" if came else "") + "; in step")
    return Outcome("in step" + (f": {came}" if came else ""))


def error_outcome(exc: BaseException) -> Outcome:
    code = getattr(exc, "exit_code", None)
    if code == EXIT_SIGN_IN and "login" in str(exc):
        return Outcome(SIGN_IN, "warning")
    if code == EXIT_UNREACHABLE:
        return Outcome(UNREACHABLE, "warning")
    return Outcome(f"sync failed: {exc}", "error")


def when(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "never"
    return f"{at:%H:%M} UTC" if at.date() == now.date() else f"{at:%Y-%m-%d %H:%M} UTC"


class SyncWatch:
    """One per app: the timer, the one-at-a-time worker and the last summary."""

    def __init__(self, app) -> None:
        self.app = app
        self.settings: SyncSettings | None = None
        self.problem: str | None = None        # the settings file's error, if it has one
        self.timer: Timer | None = None
        self.summary: SyncSummary | None = None
        self.last: Outcome | None = None
        self.in_use = False
        self.runs = 0                          # syncs finished (tests wait on it)
        self.changed: Signal[SyncSummary] = Signal(app, "sync-changed")
        self._lock = threading.Lock()
        self._running = False
        self._queued: tuple[bool, bool, bool] | None = None   # (pull, push, announce)
        try:  # read now, so the grid's first page already knows whether to fetch marks
            self.settings = sync_svc.load_settings()
        except CosellError as exc:
            self.problem = str(exc)
            log.warning("sync off: %s", exc)
        self.in_use = self.configured

    # -- set-up -----------------------------------------------------------------------
    def start(self) -> None:
        """Start the pull timer if there is a pull interval; read the summary."""
        minutes = sync_svc.pull_interval(self.settings) if self.settings is not None else None
        if minutes:
            self.timer = self.app.set_interval(minutes * 60, self.pull, name="sync-pull")
        self.refresh_summary()

    @property
    def configured(self) -> bool:
        return self.settings is not None and self.settings.configured

    # -- what starts a sync ---------------------------------------------------------------
    def sync_now(self) -> None:
        """`S`: pull then push, and say how it went."""
        if not self.configured:
            where = self.settings.config_file if self.settings is not None else "config.toml"
            self.app.notify(self.problem or f"sync off: no [partner_center] settings in {where} "
                            "(or COSELL_PC_TOKEN); see the README", title="Sync", severity="warning",
                            markup=False)
            return
        self._request(True, True, True)

    def pull(self) -> None:
        """The timer's pull: quiet unless it found a conflict."""
        if self.configured:
            self._request(True, False, False)

    def push(self) -> None:
        """Right after a local action: quiet; the marks and the header show how it went."""
        if self.configured:
            self._request(False, True, False)

    def _request(self, pull: bool, push: bool, announce: bool) -> None:
        with self._lock:
            if self._running:
                q = self._queued or (False, False, False)
                self._queued = (q[0] or pull, q[1] or push, q[2] or announce)
                return
            self._running = True
        self.app.run_worker(lambda: self._work(pull, push, announce), thread=True, group="sync",
                            exit_on_error=False, description="sync with Partner Center")

    def _work(self, pull: bool, push: bool, announce: bool) -> None:
        while True:
            ctx = self.app.ctx
            try:
                outcome = outcome_of(sync_svc.sync_now(ctx, pull=pull, push=push))
            except CosellError as exc:
                outcome = error_outcome(exc)
            except Exception as exc:  # a bug must not end the session, nor leave the watch "running"
                log.error("sync failed", exc_info=exc)
                outcome = Outcome(f"sync failed ({type(exc).__name__}); details are in the log", "error")
            try:
                summary = sync_svc.sync_summary(ctx, self.settings)
            except Exception as exc:
                log.warning("sync summary failed: %s", exc)
                summary = None
            try:
                self.app.call_from_thread(self._done, outcome, announce, summary)
            except RuntimeError:  # the app is closing: nothing left to tell
                with self._lock:
                    self._running, self._queued = False, None
                return
            with self._lock:
                if self._queued is None:
                    self._running = False
                    return
                (pull, push, announce), self._queued = self._queued, None

    def _done(self, outcome: Outcome, announce: bool, summary: SyncSummary | None) -> None:
        self.last = outcome
        self.runs += 1
        if announce or (outcome.severity != "information" and outcome.line.startswith("conflict")):
            self.app.notify(outcome.line, title="Sync", severity=outcome.severity, markup=False,
                            timeout=10 if outcome.severity != "information" else 5)
        elif outcome.severity != "information":
            log.info("background sync: %s", outcome.line)
        if summary is not None:
            self._set_summary(summary)
        self.app.refresh_deals()

    # -- the header line's numbers -----------------------------------------------------
    def refresh_summary(self) -> None:
        self.app.run_worker(self._summary_work, thread=True, group="sync-summary", exclusive=True,
                            exit_on_error=False, description="sync summary")

    def _summary_work(self) -> None:
        try:
            summary = sync_svc.sync_summary(self.app.ctx, self.settings)
        except Exception as exc:  # a busy database: the next refresh retries
            log.warning("sync summary failed: %s", exc)
            return
        try:
            self.app.call_from_thread(self._set_summary, summary)
        except RuntimeError:  # the app is closing
            pass

    def _set_summary(self, summary: SyncSummary) -> None:
        self.summary = summary
        was, self.in_use = self.in_use, self.configured or summary.last_pull_at is not None \
            or summary.last_push_at is not None
        self.changed.publish(summary)
        if self.in_use != was:
            self.app.refresh_deals()   # the grid's mark column comes (or goes)

    def header_line(self, now: datetime) -> str:
        """``Partner Center: pulled 10:20 · ↑ 2 queued · ≠ 1 conflict`` (empty when sync is not in use)."""
        from tui.widgets.deal_columns import SYNC_GLYPHS

        s = self.summary
        if s is None or not self.in_use:
            return ""
        parts = [f"pulled {when(s.last_pull_at, now)}"]
        if s.pending:
            parts.append(f"{SYNC_GLYPHS['pending']} {s.pending} queued")
        if s.failed:
            parts.append(f"{SYNC_GLYPHS['failed']} {s.failed} refused")
        if s.conflicts:
            parts.append(f"{SYNC_GLYPHS['conflict']} {s.conflicts} conflict{'s' if s.conflicts != 1 else ''}")
        if not (s.pending or s.failed or s.conflicts):
            parts.append("in step")
        if not self.configured:
            parts.append("sync off (no Partner Center settings)")
        elif self.last is not None and self.last.line in (SIGN_IN, UNREACHABLE):
            parts.append(f"last sync: {self.last.line}")   # a background push failed: say so here, quietly
        elif self.timer is None:
            parts.append("no periodic pull")
        return "Partner Center: " + " · ".join(parts)


def legend() -> str:
    """What the grid's sync marks mean (the help screen's line while sync is in use)."""
    from tui.widgets.deal_columns import SYNC_GLYPHS, SYNC_MEANING

    marks = " · ".join(f"{SYNC_GLYPHS[k]} {SYNC_MEANING[k]}" for k in ("pending", "failed", "conflict"))
    return f"Sync marks: {marks} · no mark: in step"


def watch_of(app) -> SyncWatch | None:
    return getattr(app, "sync_watch", None)


def local_change(app) -> None:
    """A deal action completed: push it (quietly, in the background) if sync is set up."""
    watch = watch_of(app)
    if watch is not None:
        watch.push()


def marks_for(app, ctx, deal_ids: list[str]) -> dict[str, str]:
    """The sync marks of a page of deals (called from the grid's thread workers); {} when not in use."""
    watch = watch_of(app)
    if watch is None or not watch.in_use or not deal_ids:
        return {}
    return sync_svc.sync_marks(ctx, deal_ids)


def marks_or_off(app, ctx, deal_ids: list[str]) -> dict[str, str] | None:
    """``marks_for``, or None when sync is not in use: what a whole view carries, so the grid knows
    whether to draw the sync gutter at all (a view of no marked deal still has one when sync is on)."""
    watch = watch_of(app)
    return marks_for(app, ctx, deal_ids) if watch is not None and watch.in_use else None


def deal_sync(app, ctx, deal_id: str):
    """(state, reason) of one deal not in step, for the detail screen (thread side); None: in step or off.

    One ``sync_marks`` query; the reason (Partner Center's words, the 412) is read with
    ``sync_status`` only for a deal that is failed or in conflict, which is rare."""
    watch = watch_of(app)
    if watch is None or not watch.in_use:
        return None
    state = sync_svc.sync_marks(ctx, [deal_id]).get(deal_id, sync_svc.IN_STEP)
    if state == sync_svc.IN_STEP:
        return None
    if state == sync_svc.PENDING:
        return state, "local changes not yet pushed to Partner Center"
    found = [d for d in sync_svc.sync_status(ctx) if d.deal_id == deal_id]
    return state, (found[0].reason if found else "")


def sync_banner(sync) -> str:
    """The detail screen's line about the deal's sync (empty: in step, or sync not in use)."""
    from tui.widgets.deal_columns import SYNC_GLYPHS

    if sync is None:
        return ""
    state, reason = sync
    glyph = SYNC_GLYPHS.get(state, "?")
    if state == sync_svc.CONFLICT:
        return f"{glyph} In conflict with Partner Center: {reason or 'changed both here and there'} (press c)"
    if state == sync_svc.FAILED:
        return f"{glyph} Partner Center refused the last change: {reason}"
    return f"{glyph} Pending: {reason}"
