"""Helpers for the deal detail, lifecycle and dialog pilot tests.

The app is the real ``CosellApp`` on a fresh store with the fixed clock
(2026-11-20T09:00Z), default settings that are never written, and no change
polling, so what a screen shows depends only on the data a test puts in.
Tests are plain functions wrapped by ``pilot_test`` (no asyncio plugin needed).
"""
from __future__ import annotations

import asyncio
import functools
import io
from pathlib import Path
from typing import Callable

from rich.console import Console
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from factories import make_draft, make_inbound
from model import services as svc
from model.services.context import Ctx
import tui.app as tui_app
from tui.app import CosellApp
from tui.screens.deal_detail import DealDetailScreen
from tui.settings import Settings
from tui.widgets.lifecycle import LifecycleProgress

EVIL_NAME = "Contoso [bold red]x[/] \x1b[31mred\x1b[0m deal"


def pilot_test(fn):
    """Run an async test function on a fresh event loop (fixtures are passed through)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run


def offered_keys(screen) -> set[str]:
    """Ids of the deal-action bindings the screen offers now (shown in its footer)."""
    return {ab.binding.id for ab in screen.active_bindings.values() if ab.binding.action.startswith("deal(")}


class DetailApp(CosellApp):
    """The real app (its CSS, error handler, signals, keymap), opening on an empty screen instead of
    the dashboard: the dashboard's own queries would only slow these tests down."""

    CSS_PATH = str(Path(tui_app.__file__).with_name("app.tcss"))  # relative paths resolve from this file

    def get_default_screen(self) -> Screen:
        return Screen()


def make_app(ctx: Ctx) -> CosellApp:
    """The app with default settings that are never written and no background polling."""
    settings = Settings.model_construct()
    settings._writable = False
    return DetailApp(ctx, settings=settings, poll_interval=None)


async def wait_until(pilot, predicate: Callable[[], object], timeout: float = 5.0, what: str = "condition"):
    """Pause until ``predicate()`` holds; thread workers finish on their own time, so poll."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def open_detail(pilot, deal_id: str) -> DealDetailScreen:
    """Push the detail screen (as the dashboard's ``enter`` does) and wait for the deal to load."""
    await wait_until(pilot, lambda: pilot.app.screen is not None and pilot.app.is_running, what="app start")
    screen = DealDetailScreen(deal_id)
    await pilot.app.push_screen(screen)
    await wait_until(pilot, lambda: screen.deal is not None and screen.query_one(LifecycleProgress).deal is not None,
                     what="deal loaded")
    await pilot.pause()
    return screen


async def wait_for_screen(pilot, kind: type, timeout: float = 5.0):
    """Until a screen of ``kind`` is on top and mounted (its widgets exist)."""
    screen = await wait_until(pilot, lambda: pilot.app.screen if isinstance(pilot.app.screen, kind)
                              and pilot.app.screen.is_mounted else None, timeout, what=kind.__name__)
    await pilot.pause()
    return screen


async def wait_for_new_screen(pilot, kind: type, old, timeout: float = 5.0):
    """Until a *different* screen of ``kind`` than ``old`` is on top and mounted (a form reopened)."""
    screen = await wait_until(pilot, lambda: pilot.app.screen if isinstance(pilot.app.screen, kind)
                              and pilot.app.screen is not old and pilot.app.screen.is_mounted else None,
                              timeout, what=f"another {kind.__name__}")
    await pilot.pause()
    return screen


async def wait_idle(pilot, screen: DealDetailScreen) -> None:
    """Until the screen's action has finished and the deal was reloaded."""
    await wait_until(pilot, lambda: not screen.busy and pilot.app.screen is screen, what="action finished")
    await wait_until(pilot, lambda: not [w for w in screen.workers if w.is_running], what="reload finished")
    await pilot.pause()


def notes_of(app) -> list[str]:
    """Every notification, title and message, as one string each."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def content_text(widget, width: int = 200) -> str:
    """A Static's whole content as plain text, including what is scrolled out of view."""
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def detail_text(screen) -> str:
    """Every section of the detail screen and the lifecycle, as plain text."""
    parts = [content_text(w) for w in screen.query(Static)]
    return "\n".join(parts)


#: The catalogue rows the factories' deals name (R4.11, R6.5, R7.4: the services look them up).
CATALOGUE_ACCOUNTS = (("ACC-1", "Northwind Traders AB", "managed", False),
                      ("ACC-MACC", "Northwind MACC AB", "managed", True))
CATALOGUE_PARTNERS = (("P-FAB", "Fabrikam Consulting", "6100007"), ("P-LIT", "Litware Nordic AS", "6100014"))


def seed_catalogue(store) -> None:
    """Put the factories' account, solutions and two co-sell partners in the store's catalogues."""
    from factories import ASSESSMENT, AZURE_APP, PLAIN_APP
    from model.store.tables import AccountRecord, PartnerRecord, SolutionRecord

    with store.write() as session:
        for s in (AZURE_APP, PLAIN_APP, ASSESSMENT):
            session.merge(SolutionRecord(
                solution_id=s.solution_id, name=s.name, source=s.source.value, publisher=s.publisher,
                macc_eligible=s.macc_eligible, incentivized=s.incentivized, cosell_ready=s.cosell_ready,
                registration_kind=s.registration_kind.value if s.registration_kind else None))
        for account_id, name, tab, macc in CATALOGUE_ACCOUNTS:
            session.merge(AccountRecord(account_id=account_id, name=name, norm_name=name.lower(), tab=tab, macc=macc,
                                        federal=False))
        for partner_id, name, mpn in CATALOGUE_PARTNERS:
            session.merge(PartnerRecord(partner_id=partner_id, name=name, mpn_id=mpn, location="Sweden"))


def put_inbound(ctx: Ctx, **kw):
    return svc.receive_inbound(ctx, make_inbound(**kw))


def put_outbound(ctx: Ctx, **kw):
    return svc.create_deal(ctx, make_draft(**kw))


# -- a bare host for one dialog -----------------------------------------------------------

MISSING = object()


class Host(App):
    """Pushes dialogs and records what the last one was dismissed with."""

    def __init__(self, dialog=None) -> None:
        super().__init__()
        self.dialog = dialog
        self.result = MISSING

    def on_mount(self) -> None:
        if self.dialog is not None:
            self.push_screen(self.dialog, self._done)

    def _done(self, result) -> None:
        self.result = result

    async def open(self, pilot, dialog):
        """Push another dialog (one app run serves several cases) and wait until it shows."""
        self.dialog, self.result = dialog, MISSING
        await self.push_screen(dialog, self._done)
        return await started(pilot, self)


async def started(pilot, app: Host):
    await wait_until(pilot, lambda: app.screen is app.dialog and app.dialog.is_mounted, what="dialog")
    await pilot.pause()
    return app.dialog
