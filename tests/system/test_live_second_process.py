"""Issue 5: another process (a teammate's `cosell` over SSH) changes a deal; the open dashboard
shows it within 2 s, without moving the cursor."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest

from dashboard_support import config_dir, make_app, pilot_test, settle, table_of  # noqa: F401
from factories import make_draft
from shared_support import seed_catalogue
from model import services as svc


@pytest.mark.skipif(bool(os.environ.get("COSELL_TEST_DATABASE_URL")), reason="SQLite file shared by two processes")
@pilot_test
async def test_a_change_by_another_process_shows_within_two_seconds(ctx, tmp_path):
    seed_catalogue(ctx.store)  # the factories' deals name catalogue accounts and solutions (R4.11, R6.5)
    from model.identity import resolve_user

    resolve_user(ctx.store)  # the OS login the second process runs as: this database's first user
    first = svc.create_deal(ctx, make_draft(name="Alpha analytics"))
    second = svc.create_deal(ctx, make_draft(name="Beta platform"))
    db = ctx.store.url.split("sqlite:///", 1)[1]
    app = make_app(ctx, poll_interval=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = table_of(app)
        names = [r.name for r in table.loaded_rows()]
        assert {"Alpha analytics", "Beta platform"} <= set(names)
        await pilot.press("j")  # the cursor on the second row must stay on its deal
        await settle(pilot)
        cursor_deal = table.loaded_rows()[table.cursor_row].id

        env = dict(os.environ, COSELL_NOW="2026-11-20T09:05:00+00:00")
        proc = await asyncio.to_thread(subprocess.run, [
            sys.executable, "-m", "cli.main", "--db", db, "edit", first.id, "--name", "Alpha analytics (renamed)"],
            env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        changed_at = time.monotonic()
        while time.monotonic() - changed_at < 2.0:
            await pilot.pause(0.05)
            if "Alpha analytics (renamed)" in [r.name for r in table.loaded_rows()]:
                break
        else:
            pytest.fail("the dashboard did not show the other process's change within 2 s")
        assert table.loaded_rows()[table.cursor_row].id == cursor_deal
        assert second.id in [r.id for r in table.loaded_rows()]
