"""Issue 12 in the dashboard: each row's sync mark, the header line, `S`, the push after an
action, the periodic pull (off without Partner Center settings) and settling a conflict from the
detail screen, all against the stand-in on 127.0.0.1."""
from __future__ import annotations

import asyncio
import time

from dashboard_support import make_app, pilot_test, screen_text, settle, table_of
from detail_support import notes_of
from model import services as svc
from model.partner_center.client import PartnerCenter
from model.services import sync
from pc_standin import TOKEN
from shared_support import closed_port
from transfer_support import pc_list_file

RECEIVED = "11111111-1111-4111-8111-111111111111"
ACCEPTED = "22222222-2222-4222-8222-222222222222"
OUTBOUND = "33333333-3333-4333-8333-333333333333"


def client(pc):
    return PartnerCenter(pc.url, TOKEN, sleep=lambda s: None)


def pulled(ctx, pc):
    for r in pc_list_file()["value"]:
        pc.put(r)
    sync.sync_now(ctx, push=False, client=client(pc))


def in_conflict(ctx, pc):
    """Partner Center changes the value while we rename the deal; our push meets a 412."""
    ref = pc.referrals[ACCEPTED]
    pc.change(ACCEPTED, details={**ref["details"], "dealValue": 99000})
    svc.edit(ctx, ACCEPTED, {"name": "Ours"})
    assert sync.sync_now(ctx, pull=False, client=client(pc)).exit_code == 5


async def synced(pilot, runs: int, timeout: float = 10.0) -> None:
    """Wait (bounded) until the app's sync watch has finished ``runs`` syncs, then settle the grid."""
    watch = pilot.app.sync_watch
    deadline = time.monotonic() + timeout
    while watch.runs < runs:
        assert time.monotonic() < deadline, (f"sync did not finish: {watch.runs} of {runs} runs; "
                                             f"workers {list(pilot.app.workers)}, notes {notes_of(pilot.app)}, "
                                             f"errors {pilot.app.unexpected_errors}")
        await pilot.pause()
        await asyncio.sleep(0.01)
    await settle(pilot)


async def dialog_up(pilot, kind, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not isinstance(pilot.app.screen, kind):
        assert time.monotonic() < deadline, f"no {kind.__name__}: {pilot.app.screen}"
        await pilot.pause()
        await asyncio.sleep(0.01)


async def sync_key(pilot) -> None:
    """`S` (binding ``app.sync``), pressed on whatever screen is showing, the dashboard included."""
    await pilot.press("S")


def row_line(app, name: str) -> str:
    lines = [ln for ln in screen_text(app).splitlines() if name in ln]
    assert len(lines) == 1, screen_text(app)
    return lines[0]


@pilot_test
async def test_each_row_shows_its_sync_mark_and_the_header_counts_them(ctx, pc_settings):  # R8.3
    pc = pc_settings
    pulled(ctx, pc)
    in_conflict(ctx, pc)
    svc.accept(ctx, RECEIVED, name="Migration for Contoso", value=75000)          # pending
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.sync_marks[RECEIVED] == "pending" and table.sync_marks[ACCEPTED] == "conflict"
        assert row_line(app, "Migration for")[2] == "↑"                   # a glyph: NO_COLOR reads it
        assert row_line(app, "Ours")[2] == "≠"
        header = app.screen.query_one("#sync-line").render().plain
        assert header.startswith("Partner Center: pulled ") and "↑ 1 queued" in header and "≠ 1 conflict" in header
        await pilot.press("4")                                                      # Closed: the won deal
        await settle(pilot)
        assert table.sync_marks == {"44444444-4444-4444-8444-444444444444": "in_step"}
        assert row_line(app, "Won analytics")[2] == " "                             # no mark: in step


@pilot_test
async def test_S_pushes_a_pending_accept_in_a_worker_and_says_so_in_one_line(ctx, pc_settings):  # R8.3
    pc = pc_settings
    pulled(ctx, pc)
    svc.accept(ctx, RECEIVED, name="Migration for Contoso", value=75000)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert table_of(app).sync_marks[RECEIVED] == "pending"
        await sync_key(pilot)
        await synced(pilot, 1)
        ref = pc.referrals[RECEIVED]
        assert (ref["status"], ref["substatus"], ref["name"]) == ("Active", "Accepted", "Migration for Contoso")
        assert table_of(app).sync_marks[RECEIVED] == "in_step"
        assert row_line(app, "Migration for")[2] == " "
        assert [n for n in notes_of(app) if n.startswith("Sync")] == ["Sync: 1 pushed; in step"]
        assert "in step" in app.screen.query_one("#sync-line").render().plain


@pilot_test
async def test_an_action_in_the_dashboard_is_pushed_right_after(ctx, pc_settings):  # R8.7
    pc = pc_settings
    pulled(ctx, pc)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.cursor_row = next(i for i, r in enumerate(table.loaded_rows()) if r.id == ACCEPTED)
        await settle(pilot)
        await pilot.press("greater_than_sign")                                      # next stage, no dialog
        await synced(pilot, 1)
        [patch] = [r for r in pc.calls("PATCH") if r.path.endswith(ACCEPTED)]
        assert table.sync_marks[ACCEPTED] == "in_step"
        assert not [n for n in notes_of(app) if n.startswith("Sync")]               # a background push is quiet
    assert sync.sync_status(ctx) == []


@pilot_test
async def test_a_412_shows_the_conflict_and_keep_mine_in_the_dialog_settles_it(ctx, pc_settings):
    from tui.screens.deal_detail import DealDetailScreen
    from tui.screens.dialogs.sync_conflict import SyncConflictDialog

    pc = pc_settings
    pulled(ctx, pc)
    in_conflict(ctx, pc)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert table_of(app).sync_marks[ACCEPTED] == "conflict"
        app.push_screen(DealDetailScreen(ACCEPTED))
        await settle(pilot)
        banner = app.screen.query_one("#detail-sync")
        assert banner.display and "In conflict with Partner Center" in banner.render().plain
        assert "412" in banner.render().plain
        await pilot.press("c")
        await dialog_up(pilot, SyncConflictDialog)
        await pilot.press("m")                                                      # keep mine
        await synced(pilot, 1)                                                      # ...and it is pushed
        assert pc.referrals[ACCEPTED]["name"] == "Ours"
        assert pc.referrals[ACCEPTED]["details"]["dealValue"] == 40000              # ours, as decided
        assert not app.screen.query_one("#detail-sync").display
    assert sync.sync_status(ctx) == []


@pilot_test
async def test_take_theirs_in_the_dialog_takes_partner_centers_version(ctx, pc_settings):
    from tui.screens.deal_detail import DealDetailScreen
    from tui.screens.dialogs.sync_conflict import SyncConflictDialog

    pc = pc_settings
    pulled(ctx, pc)
    in_conflict(ctx, pc)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.push_screen(DealDetailScreen(ACCEPTED))
        await settle(pilot)
        await pilot.press("c")
        await dialog_up(pilot, SyncConflictDialog)
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.deal.name == "Fabric rollout" and not app.screen.query_one("#detail-sync").display
    assert svc.get_deal(ctx, ACCEPTED).value == 99000 and sync.sync_status(ctx) == []


@pilot_test
async def test_unreachable_keeps_the_mark_pending_with_a_one_line_notice(ctx, pc_settings, monkeypatch):
    pc = pc_settings
    pulled(ctx, pc)
    svc.accept(ctx, RECEIVED, name="Migration for Contoso", value=75000)
    monkeypatch.setenv("COSELL_PC_API_URL", f"http://127.0.0.1:{closed_port()}")
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await sync_key(pilot)
        await synced(pilot, 1)
        assert [n for n in notes_of(app) if n.startswith("Sync")] == \
            ["Sync: Partner Center unreachable, changes kept"]
        assert table_of(app).sync_marks[RECEIVED] == "pending"
        assert row_line(app, "Migration for")[2] == "↑"
        assert not app.unexpected_errors
    assert [d.state for d in sync.sync_status(ctx)] == ["pending"]


@pilot_test
async def test_sign_in_needed_says_cosell_login(ctx, pc, monkeypatch, tmp_path):
    monkeypatch.setenv("COSELL_PC_API_URL", pc.url)                                 # settings, but no token
    monkeypatch.setenv("COSELL_CACHE_DIR", str(tmp_path / "cache"))                   # no token cached
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await sync_key(pilot)
        await synced(pilot, 1)
        assert [n for n in notes_of(app) if n.startswith("Sync")] == ["Sync: sign-in needed: `cosell login`"]
    assert pc.calls() == []                                                         # nothing was sent


@pilot_test
async def test_no_pull_timer_marks_or_header_without_partner_center_settings(ctx, pc):
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        watch = app.sync_watch
        assert watch.timer is None and not watch.in_use
        assert table_of(app).sync_marks is None                                     # no mark cell at all
        assert not app.screen.query_one("#sync-line").display
        await sync_key(pilot)
        await settle(pilot)
        [note] = [n for n in notes_of(app) if n.startswith("Sync")]
        assert note.startswith("Sync: sync off: no [partner_center] settings in ")
    assert pc.calls() == []


@pilot_test
async def test_the_pull_timer_follows_pull_interval_minutes(ctx, pc_settings, config_dir):
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text("[partner_center]\npull_interval_minutes = 7\n", encoding="utf-8")
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.sync_watch.timer is not None and app.sync_watch.timer._interval == 7 * 60
        app.sync_watch.pull()                                                       # what the timer calls
        await synced(pilot, 1)
        assert {r.method for r in pc_settings.calls()} == {"GET"}                   # a pull sends no change
        assert "pulled " in app.screen.query_one("#sync-line").render().plain
    (config_dir / "config.toml").write_text("[partner_center]\npull_interval_minutes = 0\n", encoding="utf-8")
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.sync_watch.timer is None                                         # 0: the pull is off


@pilot_test
async def test_S_on_the_detail_screen_syncs_in_the_background(ctx, pc_settings):
    from tui.screens.deal_detail import DealDetailScreen

    pc = pc_settings
    pulled(ctx, pc)
    svc.accept(ctx, RECEIVED, name="Migration for Contoso", value=75000)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.push_screen(DealDetailScreen(RECEIVED))
        await settle(pilot)
        assert "Pending" in app.screen.query_one("#detail-sync").render().plain
        await pilot.press("S")                                                      # binding app.sync
        await synced(pilot, 1)
        assert pc.referrals[RECEIVED]["substatus"] == "Accepted"
        assert not app.screen.query_one("#detail-sync").display                     # in step: no line
    assert sync.sync_status(ctx) == []


def test_help_lists_the_sync_key_with_its_id_and_tooltip():
    from tui.app import CosellApp

    [b] = [b for b in CosellApp.BINDINGS if b.id == "app.sync"]
    assert b.key == "S" and b.action == "sync" and "Partner Center" in b.tooltip


@pilot_test
async def test_help_says_what_each_sync_mark_means_while_sync_is_in_use(ctx, pc_settings):
    from tui.screens.help import HelpScreen

    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Sync marks: ↑ not yet pushed · ✗ refused by Partner Center · ≠ in conflict" in text


@pilot_test
async def test_a_failed_background_push_is_no_dialog_the_header_says_it(ctx, pc_settings, monkeypatch):
    pc = pc_settings
    pulled(ctx, pc)
    monkeypatch.setenv("COSELL_PC_API_URL", f"http://127.0.0.1:{closed_port()}")
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.cursor_row = next(i for i, r in enumerate(table.loaded_rows()) if r.id == ACCEPTED)
        await settle(pilot)
        await pilot.press("greater_than_sign")                                      # next stage, then a push
        await synced(pilot, 1)
        assert table.sync_marks[ACCEPTED] == "pending"
        assert not [n for n in notes_of(app) if n.startswith("Sync")] and not app.unexpected_errors
        header = app.screen.query_one("#sync-line").render().plain
        assert "↑ 1 queued" in header and "last sync: Partner Center unreachable, changes kept" in header
