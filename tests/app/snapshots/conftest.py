"""Shared helpers for SVG snapshot tests (pytest-textual-snapshot's ``snap_compare``).

A snapshot must be the same picture on every machine and every run, so:

- the clock is the suite's FixedClock (2026-11-20T09:00Z, ``clock`` fixture);
- the data is the demo workspace with a fixed seed (``demo_ctx``): 300 deals from
  ``data.demo.populate(seed=1, now=NOW)``, with the demo's admin login pinned;
- settings are the defaults, never read from or written to disk, and
  ``COSELL_CONFIG_DIR`` points at a fixed directory that does not exist;
- nothing polls or ticks while the picture is taken;
- ``settle_app`` waits until every grid has its rows and no query is running,
  and turns the text cursors' blinking off.

Update with ``pytest tests/snapshots --snapshot-update`` and look at every
changed SVG (``rsvg-convert x.svg -o x.png``) before committing it.
"""
from __future__ import annotations

import asyncio
import time

import pytest

from factories import NOW


#: Shown on screen (help), so the same everywhere; nothing is ever written there (settings are not writable).
SNAPSHOT_CONFIG_DIR = "/nonexistent/cosell-config"


@pytest.fixture(autouse=True)
def snapshot_config_dir(monkeypatch):
    monkeypatch.setenv("COSELL_CONFIG_DIR", SNAPSHOT_CONFIG_DIR)
    return SNAPSHOT_CONFIG_DIR


@pytest.fixture
def demo_ctx(ctx, monkeypatch):
    """The admin context on the fixed demo workspace (300 deals, seed 1, at NOW)."""
    from data.demo import populate

    monkeypatch.setattr("getpass.getuser", lambda: ctx.user.login)
    populate(ctx.store, deals=300, accounts=0, seed=1, now=NOW)
    return ctx


def default_settings():
    """The defaults, and never saved (a snapshot must not depend on, or change, a file)."""
    from tui.settings import Settings

    settings = Settings.model_construct()
    settings._writable = False
    return settings


@pytest.fixture
def make_snapshot_app():
    """``make_snapshot_app(ctx)``: the real app with default settings, no polling, no clock tick."""
    from tui.app import CosellApp

    def make(ctx, settings=None):
        return CosellApp(ctx, settings=settings or default_settings(), poll_interval=None, tick_interval=3600, sweep=False)

    return make


async def _settle(pilot, timeout: float = 15.0) -> None:
    from textual.widgets import Footer, Input, TextArea

    from tui.widgets.deal_table import DealTable

    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        tables = [t for screen in app.screen_stack for t in screen.query(DealTable)]
        busy = any(t.busy for t in tables)
        running = [w for w in app.workers if w.is_running and w.group != "change-poll"]
        underlines = _misplaced_underlines(app)
        if not busy and not running and not underlines:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"the app did not settle: grids busy={busy}, workers={running}, "
                                 f"tab underlines not under their tab: {underlines}")
        await asyncio.sleep(0.01)
    for widget in app.screen.query("Input, TextArea"):
        if isinstance(widget, (Input, TextArea)):
            widget.cursor_blink = False
    # The footer recomposes from the bindings on an idle pass that may come after the rows do; draw it
    # from the state now settled (the cursor's deal), or the picture shows the keys of a moment before.
    app.screen.refresh_bindings()
    await pilot.pause()
    for footer in app.screen.query(Footer):
        if type(footer) is not Footer:  # the app's own footers (Textual's plain one binds to its app)
            await footer.recompose()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def _misplaced_underlines(app) -> list[str]:
    """Tabs whose underline is not yet under the active tab.

    Textual moves the bar after the refresh that follows a relabel ("Inbound" becoming
    "Inbound 73"), so a picture taken in between shows it under the old, shorter label.
    """
    from textual.widgets import Tabs
    from textual.widgets._tabs import Underline

    wrong = []
    for tabs in app.screen.query(Tabs):
        active = tabs.active_tab
        if active is None:
            continue
        start, end = active.virtual_region.shrink(active.styles.gutter).column_span
        underline = tabs.query_one(Underline)
        if (underline.highlight_start, underline.highlight_end) != (start, end):
            wrong.append(f"{tabs.id or 'tabs'}: {underline.highlight_start}-{underline.highlight_end}, tab {start}-{end}")
    return wrong


@pytest.fixture
def settle_app():
    """``await settle_app(pilot)``: rows loaded, no query running, no blinking cursor."""
    return _settle
