"""B1: cold start, `cosell --db <demo db>` in tmux until the first frame that shows a deal row.

Timed from just before tmux is asked to start the process to the first
``capture-pane`` that shows the deal table's cursor row (``▸`` and a deal),
polled every few milliseconds. tmux's own server is already running, one
unmeasured launch warms the page cache, and each run is a fresh process. The note gives the
floor measured in the same run: a Python importing Textual, SQLAlchemy's ORM and pydantic, and
nothing of cosell (``benchmarks.b_cli.floor_note``).

Naive baseline (one run: it is slow by design): ``benchmarks.naive_dashboard``,
the same Inbound rows loaded into a stock ``DataTable`` before the first frame.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from benchmarks.stats import Result
from benchmarks.tmux import TmuxServer, deal_row_shown
from benchmarks.workload import ROOT, Size, admin_context, cosell_command, env

TARGET_S = 0.5


def cosell_argv(db: Path) -> list[str]:
    return [*cosell_command(), "--db", str(db)]


def time_launch(tmux: TmuxServer, argv: list[str], seen, *, timeout: float = 60.0) -> float:
    """Seconds from launch to the first capture where ``seen(screen)``; the session is closed after."""
    name = f"b1-{time.monotonic_ns()}"
    started = time.perf_counter()
    tmux.launch(name, argv, cwd=ROOT)
    try:
        t, _screen = tmux.wait_for(name, seen, timeout=timeout)
        return t - started
    finally:
        pid = tmux.pid(name)
        tmux.kill(name)
        _wait_gone(pid)


def _wait_gone(pid: int | None, timeout: float = 10.0) -> None:
    if pid is None:
        return
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def first_inbound_name(db: Path) -> str:
    from model import services as svc
    from model.domain.enums import Tab
    from model.domain.listing import DealQuery
    from tui.text import clean

    store, ctx = admin_context(db)
    try:
        rows = svc.list_deals(ctx, DealQuery(tab=Tab.INBOUND, limit=1))
    finally:
        store.dispose()
    return clean(rows[0].name) if rows else ""


def run(db: Path, size: Size, repeats: int | None = None) -> list[Result]:
    repeats = repeats or (5 if size.deals < 50_000 else 9)
    name = first_inbound_name(db)[:10]

    def naive_shown(screen: str) -> bool:
        return " deals, " in screen and (not name or "[" in name or name in screen)

    with TmuxServer(env()) as tmux:
        time_launch(tmux, cosell_argv(db), deal_row_shown)  # warm-up: page cache, bytecode
        samples = [time_launch(tmux, cosell_argv(db), deal_row_shown) for _ in range(repeats)]
        baseline = [time_launch(tmux, [sys.executable, "-m", "benchmarks.naive_dashboard", "--db", str(db)],
                                naive_shown, timeout=120 if size.deals < 50_000 else 600)]
    med = sorted(samples)[len(samples) // 2]
    from benchmarks.b_cli import floor_note

    floor = floor_note(("textual.app", "sqlalchemy.orm", "pydantic"), TARGET_S)
    return [Result("B1", "cold start: launch → first frame with deals (tmux 120x36)", "s", samples,
                   f"≤ {TARGET_S} s median", med <= TARGET_S, baseline=baseline,
                   baseline_label="stock DataTable loaded with the whole Inbound tab", note=floor)]
