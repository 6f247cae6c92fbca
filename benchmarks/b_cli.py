"""B8 and B12: what a CLI call costs, each a fresh process as cron and scripts run it.

- B8: the on-call command, `cosell expiring --within 48h --json`. Naive baseline: every deal
  loaded through the ORM and filtered in Python.
- B12: every read-only command, Python start plus the query: `list`, `show`, `expiring` and
  the first page (50 referrals) of `export`, timed from the process start to its exit (for
  export: to the 50th referral on its stdout, then the pipe is closed). Naive baseline: the same
  command after importing what a call imported before issue 10, every service module and every
  command module (``EAGER``), so the ratio is what "only the command that runs imports what it
  needs" buys.

Each figure's note gives the floor measured in the same run: a Python that imports the chosen stack's
libraries a read command stands on (``sqlalchemy.orm``, ``pydantic``, and ``psycopg`` for a
PostgreSQL URL) and nothing of cosell. No command built on that stack starts faster than it.

The suite yields each figure as it has it (``benchmarks.isolation`` keeps those if the budget
runs out), the export's last.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.stats import Result, p95
from benchmarks.workload import NOW, ROOT, Size, admin_context, cosell_command, env

TARGET_S = 0.3
PAGE = 50  # referrals: one page of `cosell list`

#: What `import model.services` and building the whole argparse tree imported before issue 10.
EAGER = (
    "model.services.collaboration", "model.services.context", "model.services.creation", "model.services.editing",
    "model.services.lifecycle", "model.services.queries",
    "cli.deals", "cli.oncall", "cli.transfer", "cli.accounts", "cli.demo", "cli.users", "cli.notify", "cli.init",
    "cli.create", "cli.locations", "cli.sync", "cli.login", "cli.stats",
)


def run(db: Path | str, size: Size, repeats: int = 9, keys: tuple[str, ...] | None = None):
    """B8 then B12a-d; ``keys`` (e.g. ``("B8",)``) measures only those (``benchmarks.b_pg`` wants B8)."""
    def wanted(key: str) -> bool:
        return keys is None or key in keys or key.split()[0] in keys or re.match(r"B\d+", key).group(0) in keys

    floor = floor_note(stack_modules(db))
    if wanted("B8"):
        yield replace(_b8(db, repeats), note=floor)
    commands = [
        ("B12a list", "`cosell list` (first page of Inbound)", lambda: ["list"]),
        ("B12b show", "`cosell show ID`", lambda: ["show", _first_inbound_id(db)]),
        ("B12c expiring", "`cosell expiring --within 48h`", lambda: ["expiring", "--within", "48h"]),
    ]
    for key, what, argv in commands:
        if wanted(key):
            yield replace(_b12(key, what, db, argv(), repeats), note=floor)
    if wanted("B12d export one page"):
        export = _b12("B12d export one page", f"`cosell export` until its first {PAGE} referrals", db, ["export"],
                      repeats, lines=PAGE + 1, baseline_runs=1)
        yield replace(export, note=floor)


# -- the floor ------------------------------------------------------------------------------------

def stack_modules(db: Path | str) -> tuple[str, ...]:
    """What any read command imports before it can run a query: the store's SQL toolkit and ORM, the
    rows' models, and the driver (SQLite's is in the standard library)."""
    return ("sqlalchemy.orm", "pydantic") + (("psycopg",) if str(db).startswith("postgresql") else ())


def floor_note(modules: tuple[str, ...], target_s: float = TARGET_S, runs: int = 7) -> str:
    """A fresh Python importing ``modules`` (the libraries the figure's process cannot start
    without) and nothing of cosell, median of ``runs``, with a bare Python beside it."""
    cmd = [sys.executable, "-c", f"import {', '.join(modules)}"]
    _timed(cmd)  # warm-up
    samples = sorted(_timed(cmd) for _ in range(runs))
    bare = sorted(_timed([sys.executable, "-c", "pass"]) for _ in range(runs))
    return (f"floor in this run: Python alone {1000 * bare[runs // 2]:.0f} ms; Python importing "
            f"{', '.join(modules)} and nothing of cosell {1000 * samples[runs // 2]:.0f} ms median "
            f"(p95 {1000 * p95(samples):.0f} ms), against the {1000 * target_s:.0f} ms target")


# -- B12 --------------------------------------------------------------------------------------

def _b12(key: str, what: str, db: Path | str, argv: list[str], repeats: int, *, lines: int | None = None,
         baseline_runs: int = 3) -> Result:
    full = ["--db", str(db), *argv]
    ours = [*cosell_command(), *full]
    naive = [sys.executable, "-c", _eager_program(full)]
    _timed(ours, lines)  # warm-up: page cache, bytecode
    samples = [_timed(ours, lines) for _ in range(repeats)]
    baseline = [_timed(naive, lines) for _ in range(baseline_runs)]
    med = sorted(samples)[len(samples) // 2]
    return Result(key, what, "s", samples, f"≤ {TARGET_S} s median", med <= TARGET_S, baseline=baseline,
                  baseline_label="every service and command module imported first (before issue 10)")


def _eager_program(argv: list[str]) -> str:
    return (f"import importlib, sys\n"
            f"for name in {EAGER!r}:\n    importlib.import_module(name)\n"
            f"from cli.main import build_parser, main\n"
            f"build_parser()\n"
            f"sys.exit(main({argv!r}))\n")


def _timed(cmd: list[str], lines: int | None = None) -> float:
    """Seconds from start to exit; with ``lines``, to the ``lines``-th line of stdout (then stopped)."""
    t = time.perf_counter()
    if lines is None:
        proc = subprocess.run(cmd, env=env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - t
        if proc.returncode not in (0, 3):
            raise RuntimeError(f"{' '.join(cmd[-3:])}: exit {proc.returncode}: {proc.stderr.decode()[-500:]}")
        return elapsed
    proc = subprocess.Popen(cmd, env=env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        seen = 0
        for _line in proc.stdout:
            seen += 1
            if seen >= lines:
                break
        elapsed = time.perf_counter() - t
    finally:
        proc.stdout.close()
        proc.kill()  # the rest of the export is not what is measured
        proc.wait()
    if seen < lines:
        raise RuntimeError(f"{' '.join(cmd[-3:])}: only {seen} lines of output")
    return elapsed


def _first_inbound_id(db: Path | str) -> str:
    from model import services as svc
    from model.domain.enums import Tab
    from model.domain.listing import DealQuery

    store, ctx = admin_context(db)
    try:
        rows = svc.list_deals(ctx, DealQuery(tab=Tab.INBOUND, limit=1))
    finally:
        store.dispose()
    if not rows:
        raise RuntimeError("the benchmark database has no inbound deal to show")
    return rows[0].id


# -- B8 ---------------------------------------------------------------------------------------

def _b8(db: Path | str, repeats: int) -> Result:
    cmd = [*cosell_command(), "--db", str(db), "expiring", "--within", "48h", "--json"]
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        proc = subprocess.run(cmd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - t)
        if proc.returncode not in (0, 3):
            raise RuntimeError(proc.stderr.decode()[-500:])
    seconds, loaded, total = _naive(db)  # one run: it is slow by design
    med = sorted(samples)[len(samples) // 2]
    label = "load all deals, filter in Python"
    if loaded < total:
        label += f" ({loaded:,} of {total:,} loaded, time scaled to all)"
    return Result("B8", "`cosell expiring --within 48h --json`", "s", samples, "≤ 0.3 s median", med <= 0.3,
                  baseline=[seconds], baseline_label=label)


#: The naive baseline loads at most this many deals and scales its time to all of them: loading
#: 100k full deals one by one took over 200 s on PostgreSQL, most of a B13 run for one number.
NAIVE_CAP = 20_000


def _naive(db: Path | str) -> tuple[float, int, int]:
    """(seconds for all deals, deals actually loaded, deals stored)."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from model.clock import parse_instant
    from model.store import open_store
    from model.store.repo import to_deal
    from model.store.tables import DealRecord

    store = open_store(db)
    with store.read() as s:
        total = s.scalar(select(func.count()).select_from(DealRecord)) or 0
    t = time.perf_counter()
    now = parse_instant(NOW)
    with store.read() as s:
        deals = [to_deal(r) for r in s.query(DealRecord).limit(NAIVE_CAP).all()]
    _ = [d for d in deals if d.is_received and d.expires_at and d.expires_at <= now + timedelta(hours=48)]
    elapsed = time.perf_counter() - t
    store.dispose()
    loaded = len(deals)
    return (elapsed * total / loaded if loaded else elapsed), loaded, total
