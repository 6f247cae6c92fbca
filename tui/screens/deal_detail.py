"""One deal in full: every field, the customer, team, solutions, invitations,
notes, history and registration eligibility, with the lifecycle on top.

The same action keys as the dashboard work here, through the same controller
(``tui.deal_actions``); the footer lists what ``available_actions`` allows the
deal now (``offered``), and a key pressed anyway gets the model's reason.
Loading runs off the UI thread (``tui.service_call``); after every action the
deal is reloaded and the dashboard told to refresh. A load cancelled because
the screen closed (or a newer load replaced it) ends quietly. One column at
80x24 (scrolling), two columns from 120 columns up.
"""
from __future__ import annotations

import inspect

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from model import services as svc
from model.domain.errors import CosellError, NotFound
from model.domain.rules.lifecycle import Action
from model.domain.schemas import Deal, Event
from tui.deal_actions import refuse, run_deal_action, show_error, verdict
from tui.deal_keys import OffersDealActions
from tui.screens import deal_detail_sections as sections
from tui.service_call import in_thread
from tui.sync_watch import deal_sync, local_change, sync_banner
from tui.widgets.key_footer import KeyFooter
from tui.widgets.lifecycle import LifecycleProgress

WIDE = 120  # columns from which the sections sit side by side
TICK_SECONDS = 30  # countdowns (R8.2, R7.3) move on without a reload
WATCH_SECONDS = 3  # how often to look whether anyone changed the store
#: Left out of the one-line footer first when the keys do not fit (all of them are in `?`).
FOOTER_DROP_FIRST = ("app.palette", "app.quit", "deal.invite_partner", "deal.invite_microsoft", "deal.upgrade",
                     "deal.note", "deal.edit", "deal.favorite", "deal.register")



def offered(ctx, deal: Deal) -> frozenset[Action]:
    """The actions the model allows ``deal`` now: what the footer lists."""
    return frozenset(action for action, why in verdict(ctx, deal).items() if not why)


class DealDetailScreen(OffersDealActions, Screen):
    """Pushed by the dashboard on ``enter``; ``esc`` goes back."""

    DEAL_ACTIONS = ("deal", "collab")

    CSS_PATH = "deal_detail.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back", tooltip="Back to the dashboard"),
        Binding("j", "scroll(1)", "Down", show=False, id="detail.down", tooltip="Scroll down (arrows work too)"),
        Binding("k", "scroll(-1)", "Up", show=False, id="detail.up", tooltip="Scroll up"),
        Binding("a", "deal('accept')", "Accept", id="deal.accept",
                tooltip="Accept the received deal: name, value, timeframe, notes (R8.3)"),
        Binding("d", "deal('decline')", "Decline", id="deal.decline",
                tooltip="Decline with a reason; the sender is notified (R8.4)"),
        Binding("greater_than_sign", "deal('stage')", "Next stage", key_display=">", id="deal.next_stage",
                tooltip="Mark the next sales stage (R8.7)"),
        Binding("w", "deal('won')", "Won", id="deal.won",
                tooltip="Mark won; only after every earlier stage is marked (R8.9)"),
        Binding("l", "deal('lost')", "Lost", id="deal.lost", tooltip="Mark lost with a reason (R8.11)"),
        Binding("x", "deal('error')", "Error", id="deal.error",
                tooltip="Close as error with a reason, at any point (R8.13)"),
        Binding("r", "deal('register')", "Register", id="deal.register",
                tooltip="Register the won deal (R10.3)"),
        Binding("e", "deal('edit')", "Edit", id="deal.edit",
                tooltip="Edit the fields that are editable now (R8.6; location never, R1.2)"),
        Binding("N", "deal('note')", "Note", key_display="N", id="deal.note",
                tooltip="Add a note to the on-the-record log (R5)"),
        Binding("f", "deal('favorite')", "♥", id="deal.favorite", tooltip="Toggle favorite (R3.3)"),
        Binding("u", "collab('upgrade')", "Upgrade", id="deal.upgrade",
                tooltip="Upgrade a private deal to partner-led or co-sell (R7.5)"),
        Binding("m", "collab('invite_microsoft')", "Invite MS", id="deal.invite_microsoft",
                tooltip="Ask Microsoft for help; Microsoft has 14 days to decide (R7.3)"),
        Binding("i", "collab('invite_partner')", "Invite partner", id="deal.invite_partner",
                tooltip="Invite a co-sell partner to the deal (P2P, R7.4)"),
        Binding("c", "settle_sync", "Settle conflict", id="detail.sync_conflict", show=False,
                tooltip="A deal in conflict with Partner Center (≠): keep yours or take theirs"),
    ]

    def __init__(self, deal_id: str) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.deal: Deal | None = None
        self.events: list[Event] = []
        self.busy = False
        self._seen_counter: int | None = None
        self._offered: frozenset[Action] | None = None
        self.sync: tuple[str, str] | None = None   # (state, reason) when not in step with Partner Center

    # -- layout ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("Loading the deal…", id="detail-title")
        banner = Static("", id="detail-sync", markup=False)
        banner.display = False
        banner.styles.padding = (0, 1)
        yield banner
        with VerticalScroll(id="detail-body"):
            yield LifecycleProgress(id="lifecycle")
            with Vertical(id="detail-columns"):
                with Vertical(classes="detail-column", id="detail-left"):
                    yield self._section("deal", "Deal")
                    yield self._section("customer", "Customer")
                    yield self._section("registration", "Registration (R10)")
                with Vertical(classes="detail-column", id="detail-right"):
                    yield self._section("team", "Team")
                    yield self._section("solutions", "Solutions")
                    yield self._section("invitations", "Invitations")
                    yield self._section("notes", "Notes (on the record)")
                    yield self._section("history", "History")
        yield KeyFooter(drop_first=FOOTER_DROP_FIRST)  # one line; ^p is listed once, as the app key

    @staticmethod
    def _section(name: str, title: str) -> Static:
        section = Static("", id=f"section-{name}", classes="section")
        section.border_title = title
        return section

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        # The app publishes a clock tick and "deals changed" (its own change poll); a bare
        # host app without them gets the same from timers here.
        tick = getattr(self.app, "clock_tick", None)
        if tick is not None:
            tick.subscribe(self, self._on_tick)
        else:
            self.set_interval(TICK_SECONDS, self.render_deal, name="detail-tick")
        changed = getattr(self.app, "deals_changed", None)
        if changed is not None:
            changed.subscribe(self, self._on_deals_changed)
        else:
            self.set_interval(WATCH_SECONDS, self._watch_store, name="detail-watch")
        self.run_worker(self.reload(), group="detail-load")

    def on_unmount(self) -> None:
        for name in ("clock_tick", "deals_changed"):
            signal = getattr(self.app, name, None)
            if signal is not None:
                signal.unsubscribe(self)

    async def _on_tick(self, _now) -> None:
        await self.render_deal()

    def _on_deals_changed(self, _data) -> None:
        self._watch_store()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE, "-wide")

    # -- data --------------------------------------------------------------------
    def now(self):
        return self.app.ctx.clock.now()

    def _fetch(self) -> tuple[Deal, list[Event], int]:
        ctx = self.app.ctx
        counter = ctx.store.change_counter()
        deal = svc.get_deal(ctx, self.deal_id)
        self.sync = deal_sync(self.app, ctx, deal.id)
        return deal, svc.history(ctx, self.deal_id), counter

    async def reload(self) -> None:
        """Load the deal and its history in a thread worker, then redraw."""
        try:
            deal, events, counter = await in_thread(self, self._fetch)
        except NotFound as exc:
            show_error(self.app, exc)
            if self.is_current:
                self.app.pop_screen()
            return
        except CosellError as exc:
            show_error(self.app, exc)
            return
        self.deal, self.events, self._seen_counter = deal, events, counter
        self.deal_id = deal.id
        await self.render_deal()

    def _watch_store(self) -> None:
        """Someone (another session, the CLI, a sweep) wrote: show the deal as it is now."""
        if self.busy or self.deal is None or not self.is_attached:
            return
        self.run_worker(self._reload_if_changed(), group="detail-watch", exclusive=True)

    async def _reload_if_changed(self) -> None:
        counter = await in_thread(self, self.app.ctx.store.change_counter)
        if counter != self._seen_counter:
            await self.reload()

    async def render_deal(self) -> None:
        deal = self.deal
        if deal is None:
            return
        now = self.now()
        self.query_one("#detail-title", Static).update(sections.title_text(deal, now))
        banner = self.query_one("#detail-sync", Static)
        banner.update(sync_banner(self.sync))
        banner.display = self.sync is not None
        self.query_one("#section-deal", Static).update(sections.deal_fields(deal, now))
        self.query_one("#section-customer", Static).update(sections.customer_fields(deal))
        self.query_one("#section-registration", Static).update(sections.registration_fields(deal, now))
        self.query_one("#section-team", Static).update(sections.team_text(deal))
        self.query_one("#section-solutions", Static).update(sections.solutions_text(deal))
        self.query_one("#section-invitations", Static).update(sections.invitations_text(deal))
        self.query_one("#section-notes", Static).update(sections.notes_text(deal))
        self.query_one("#section-history", Static).update(sections.history_text(self.events))
        lifecycle = self.query_one(LifecycleProgress)
        if (lifecycle.deal, lifecycle.now) != (deal, now):
            await lifecycle.show(deal, now, self.app.ctx.user)
        keys = offered(self.app.ctx, deal)
        if keys != self._offered:  # the footer redraws only when the allowed keys change
            self._offered = keys
            self.refresh_bindings()

    # -- actions --------------------------------------------------------------------
    def offered_actions(self) -> frozenset[Action] | None:
        return self._offered

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Deal keys run once the deal is loaded; the footer lists only the allowed ones (``offered``)."""
        if action in self.DEAL_ACTIONS:
            return self.deal is not None
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_scroll(self, lines: int) -> None:
        body = self.query_one("#detail-body", VerticalScroll)
        body.scroll_relative(y=lines, animate=False)

    def action_deal(self, name: str) -> None:
        self.start(Action(name))

    def action_collab(self, name: str) -> None:
        """Upgrade / invite Microsoft / invite a partner: the wizard's dialogs, on this deal."""
        from tui.screens.invite import collaboration_dialog

        if self.deal is None or self.busy:
            return
        action = Action(name)
        refused = verdict(self.app.ctx, self.deal)[action]
        if refused:
            refuse(self.app, action, refused)
            return
        self.app.push_screen(collaboration_dialog(action, self.deal), callback=self._after_collab)

    def action_settle_sync(self) -> None:
        """`c`: keep mine / take theirs on a deal in conflict with Partner Center (``sync.resolve``)."""
        if self.deal is None or self.busy:
            return
        if self.sync is None or self.sync[0] != "conflict":
            self.notify("This deal is not in conflict with Partner Center.", title="Sync", markup=False)
            return
        self.busy = True
        self.run_worker(self._settle_sync(self.deal.name, self.sync[1]), group="detail-action")

    async def _settle_sync(self, name: str, reason: str) -> None:
        from model.services.sync import resolve
        from tui.screens.dialogs.sync_conflict import KEEP_MINE, TAKE_THEIRS, SyncConflictDialog

        try:
            choice = await self.app.push_screen_wait(SyncConflictDialog(name, reason))
            if choice not in (KEEP_MINE, TAKE_THEIRS):
                return
            try:
                await in_thread(self, resolve, self.app.ctx, self.deal_id, keep_mine=choice == KEEP_MINE)
            except CosellError as exc:
                show_error(self.app, exc)
                return
            self.notify("Kept your version: Partner Center gets it with the next sync" if choice == KEEP_MINE
                        else "Took Partner Center's version", title="Sync", markup=False)
            if choice == KEEP_MINE:
                local_change(self.app)
        finally:
            self.busy = False
        await self._reload_everywhere()

    def _after_collab(self, updated) -> None:
        if updated is not None:
            self.run_worker(self._reload_everywhere(), group="detail-action")

    async def _reload_everywhere(self) -> None:
        await self.reload()
        refresh = getattr(self.app, "refresh_deals", None)
        if callable(refresh):
            result = refresh()
            if inspect.isawaitable(result):
                await result

    def on_lifecycle_progress_action_requested(self, event: LifecycleProgress.ActionRequested) -> None:
        event.stop()
        self.start(event.action)

    def start(self, action: Action) -> None:
        """Run the action in a worker (its dialogs wait there), one at a time."""
        if self.busy or self.deal is None:
            return
        self.busy = True
        self.run_worker(self._run(action, self.deal.version), group="detail-action")

    async def _run(self, action: Action, version: int) -> None:
        try:
            await run_deal_action(self, action, self.deal_id, version=version)
        finally:
            self.busy = False
        await self.reload()
        refresh = getattr(self.app, "refresh_deals", None)
        if callable(refresh):
            result = refresh()
            if inspect.isawaitable(result):
                await result
