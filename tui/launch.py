"""`cosell` with no command: open the store, make sure there is something to look at, run the app.

- ``--demo``: a throwaway database in a temporary directory, filled with demo
  deals and removed on exit;
- otherwise ``--db`` / ``COSELL_DATABASE_URL`` / the user data dir. A database
  with no deal at all (first run) is filled with the same demo data, so a new
  user sees a working dashboard instead of an empty grid.

The acting user is the OS login (``model.services.setup.context_for``); the first
login of a new database becomes its admin (R1.1), which is why the user is
resolved before demo data adds anyone else.
"""
from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path

from model.services.startup import STARTUP_GC_THRESHOLD, QuietStart  # noqa: F401  (tests read the threshold)

DEMO_DEALS = 300
DEMO_ACCOUNTS = 20_000
DEMO_SEED = 1


def _log_to_file() -> Path | None:
    """Errors go to a file: a traceback printed on the terminal would tear the dashboard."""
    try:
        from platformdirs import user_log_dir

        path = Path(user_log_dir("cosell", appauthor=False)) / "cosell.log"
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("cosell")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def store_is_empty(store, clock) -> bool:
    """No deal in any tab, whoever's they are (asked as an admin, through the services)."""
    from model import services as svc
    from model.domain.enums import Role, Tab
    from model.domain.schemas import User
    from model.domain.listing import DealQuery

    everyone = svc.Ctx(store=store, clock=clock, user=User(login="cosell-launch", role=Role.ADMIN))
    return all(svc.count_deals(everyone, DealQuery(tab=tab, limit=1)) == 0
               for tab in (Tab.INBOUND, Tab.OUTBOUND, Tab.CLOSED))


def fill_with_demo(store, clock) -> None:
    from data.demo import populate

    print("cosell: preparing demo data (first run)…", file=sys.stderr, flush=True)
    populate(store, deals=DEMO_DEALS, accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, now=clock.now())


class _QuietStart(QuietStart):
    """The start-up rule both faces share (``model.services.startup``), ended by the app once the
    first page of deals is on screen. Unlike a command, the session goes on after start-up and what
    start-up made lives as long as it, so it is always frozen then."""

    def __init__(self) -> None:
        super().__init__(freeze=True)


def launch(db: str | None, demo: bool) -> int:
    quiet = _QuietStart()
    try:
        return _launch(db, demo, quiet)
    finally:
        quiet.close()


def _launch(db: str | None, demo: bool, quiet: _QuietStart) -> int:
    from model.clock import clock_from_env
    from model.domain.errors import CosellError
    from model.services.setup import context_for, is_team_database, open_store

    _log_to_file()
    workdir = Path(tempfile.mkdtemp(prefix="cosell-demo-")) if demo else None
    store = None
    try:
        store = open_store(workdir / "demo.db" if workdir else db, long_lived=True)
        clock = clock_from_env()
        ctx = context_for(store, clock)  # before demo data adds anyone: the first login is admin
        if store_is_empty(store, clock) and not is_team_database(store):
            fill_with_demo(store, clock)
        from tui.app import CosellApp

        app = CosellApp(ctx, started=quiet.started)
        app.run()
        return app.return_code or 0
    except CosellError as exc:
        print(f"cosell: {exc}", file=sys.stderr)
        return exc.exit_code
    finally:
        if store is not None:
            store.dispose()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
