"""Helpers for the dashboard's pilot tests: a fast bulk loader, an app factory, and `settle`.

The bulk loader writes deal rows with one SQLAlchemy Core ``executemany``
(thousands of deals in well under a second) from a template row that
``model.store.repo.write_deal`` built, so every column the services write is
there. The rows are deterministic: deal ``i`` always has the same name,
customer, stage, value and expiry for a given seed.
"""
from __future__ import annotations

import asyncio
import functools
import random
import time
from pathlib import Path

import pytest
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert

from factories import AZURE_APP
from model.clock import FixedClock
from model.domain.enums import DealKind, Direction, PartnerRole, Role, SaleType, Status, Substatus, Tab
from model.domain.schemas import Customer, Deal, Person, User
from model.services.context import Ctx
from model.domain.stages import Stage, percent
from model.store import repo
from model.store.tables import DealRecord, TeamRecord

NOW = datetime.fromisoformat("2026-11-20T09:00:00+00:00")
ADMIN = User(login="alice", display_name="Alice Admin", email="alice@contoso-partner.com", role=Role.ADMIN)

_CUSTOMERS = ("Northwind Traders", "Contoso Retail", "Fabrikam Foods", "Tailspin Toys", "Litware Labs",
              "Adatum Health", "Woodgrove Bank", "Proseware Inc", "Wingtip Travel", "Coho Winery")
_WORDS = ("analytics", "migration", "copilot rollout", "data platform", "security", "ERP upgrade")
_OPEN_STAGES = (Stage.ACCEPTED, Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED, Stage.NEGOTIATED)


def deal_id(i: int) -> str:
    return f"{i:08x}-0000-4000-8000-000000000000"


def _template(store) -> dict:
    deal = Deal(id=deal_id(0), name="template", direction=Direction.INBOUND, kind=DealKind.IP_COSELL,
                sale_type=SaleType.CO_SELL, status=Status.NEW, substatus=Substatus.RECEIVED, stage=Stage.ACCEPTED,
                location="Sweden", customer=Customer(name="x"), value=Decimal(1), currency="USD",
                created_at=NOW, updated_at=NOW, team=[Person(name="Bob", phone="1", email="bob@x.example")],
                solutions=[AZURE_APP])  # R6.4: an IP co-sell deal has a solution (accepting checks it)
    with store.read() as session:
        rec = repo.write_deal(session, deal)
        row = {c.key: getattr(rec, c.key) for c in DealRecord.__table__.columns}
        session.rollback()
    row["version"] = 1
    return row


def bulk_deals(store, n: int, *, seed: int = 7, start: int = 1, now: datetime = NOW) -> list[str]:
    """Insert ``n`` deals (about half inbound, a third outbound, the rest closed); return their ids in order."""
    rnd = random.Random(seed)
    base = _template(store)
    rows, team, ids = [], [], []
    for i in range(start, start + n):
        r = dict(base)
        pick = rnd.random()
        inbound = pick < 0.5
        closed = pick >= 0.85
        if closed:
            sub, status, tab, stage = rnd.choice((Substatus.WON, Substatus.LOST, Substatus.DECLINED)), Status.CLOSED, Tab.CLOSED, Stage.WON
        elif inbound and rnd.random() < 0.6:
            sub, status, tab, stage = Substatus.RECEIVED, Status.NEW, Tab.INBOUND, Stage.ACCEPTED
        else:
            sub, status, tab, stage = Substatus.ACCEPTED, Status.ACTIVE, Tab.INBOUND if inbound else Tab.OUTBOUND, rnd.choice(_OPEN_STAGES)
        received = now - timedelta(hours=rnd.randint(1, 14 * 24 - 1)) if inbound else None
        value = Decimal(rnd.randrange(5, 900) * 1000)
        name = f"Deal {i:05d} {rnd.choice(_WORDS)}"
        customer = f"{rnd.choice(_CUSTOMERS)} {i % 97}"
        crm = f"CRM-{i:06d}"
        kind = rnd.choice((DealKind.IP_COSELL, DealKind.IP_COSELL, DealKind.SERVICES_COSELL))
        if kind is DealKind.SERVICES_COSELL:  # R5: what a services co-sell deal has
            r.update(partner_role=PartnerRole.SOLUTION_DESIGN.value, solution_area="Data & AI",
                     solution_play="Unify Your Data Platform")
        r.update(
            id=deal_id(i), name=name, customer_name=customer, crm_id=crm,
            direction=(Direction.INBOUND if inbound else Direction.OUTBOUND).value,
            kind=kind.value,
            status=status.value, substatus=sub.value, tab=tab.value, stage=stage.value, stage_pct=percent(stage),
            value=value, value_usd=float(value), currency="USD",
            close_date=date(2027, 1, 1) + timedelta(days=rnd.randint(0, 300)),
            received_at=received, expires_at=received + timedelta(days=14) if received else None,
            created_at=received or now - timedelta(days=rnd.randint(1, 90)),
            updated_at=now - timedelta(minutes=i), closed_at=now - timedelta(hours=i) if closed else None,
            favorite=rnd.random() < 0.05, sender_name="Maria Seller" if inbound else None,
            search_text="\n".join((name, customer, crm)).lower(),
        )
        rows.append(r)
        team.append(dict(deal_id=r["id"], position=0, name="Bob Seller", phone="+46 70 1", email="bob@contoso-partner.com",
                         email_lc="bob@contoso-partner.com", company=None))
        ids.append(r["id"])
    with store.write() as session:
        session.execute(insert(DealRecord.__table__), rows)
        session.execute(insert(TeamRecord.__table__), team)
        session.info["wrote"] = True
    return ids


def pilot_test(fn):
    """Run an async test on a fresh event loop (the suite has no asyncio plugin); fixtures pass through."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch) -> Path:
    """Every dashboard test gets its own settings file (never the developer's)."""
    path = tmp_path / "config"
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(path))
    return path


def make_ctx(store, clock: FixedClock | None = None, user: User = ADMIN) -> Ctx:
    return Ctx(store=store, clock=clock or FixedClock(NOW), user=user)


def make_app(ctx: Ctx, **kw):
    """The real app; live polling off unless a test asks for it (it would keep workers coming)."""
    from tui.app import CosellApp

    kw.setdefault("poll_interval", None)
    kw.setdefault("sweep", False)
    return CosellApp(ctx, **kw)


def table_of(app):
    from tui.widgets.deal_table import DealTable

    return app.screen.query_one(DealTable)


def visible_names(app) -> list[str]:
    """Names of the deals on screen, top to bottom (read from the rendered grid, not the cache)."""
    table = table_of(app)
    top = round(table.scroll_y)
    rows = [table.row_at(i) for i in range(top, min(top + table._visible_rows(), table.total))]
    return [r.name for r in rows if r is not None]


async def settle(pilot, timeout: float = 10.0) -> None:
    """Wait until the grid has what it asked for and no query is running (no fixed sleeps).

    Workers that wait for the user (an action waiting on its dialog) and the
    change poll are not waited for.
    """
    from tui.widgets.deal_table import DealTable

    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        tables = [t for s in app.screen_stack for t in s.query(DealTable)]
        busy = any(t.busy for t in tables)
        running = [w for w in app.workers if w.is_running and w.group not in ("change-poll", "deal-action")
                   and not (w.group == "service-call" and _waits_for_user(app))]
        if not busy and not running:
            await pilot.pause()
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"app did not settle: tables busy={busy}, workers={running}")
        await asyncio.sleep(0.01)


def _waits_for_user(app) -> bool:
    from textual.screen import ModalScreen

    return isinstance(app.screen, ModalScreen)


def screen_text(app) -> str:
    """What the terminal shows right now, as plain text lines (styles dropped)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip if not seg.control).rstrip() for strip in strips)


def offered_actions(app) -> set:
    """The deal actions the dashboard's footer lists now (its ``deal_action(...)`` bindings)."""
    from tui.deal_keys import deal_action_of

    return {act for ab in app.screen.active_bindings.values()
            if (act := deal_action_of(ab.binding.action, ("deal_action",))) is not None}


def allowed_actions(ctx, deal_id: str) -> set:
    """What the model allows the deal now (``available_actions``), among the dashboard's deal keys."""
    from model import services as svc
    from model.domain.rules.lifecycle import available_actions
    from tui.screens.dashboard import DashboardScreen
    from tui.deal_keys import deal_action_of

    keys = {deal_action_of(b.action, ("deal_action",)) for b in DashboardScreen.BINDINGS} - {None}
    verdict = available_actions(svc.get_deal(ctx, deal_id), ctx.user, ctx.clock.now())
    return {act for act in keys if not verdict[act]}


async def workers_done(app) -> None:
    """Wait until no worker of the app runs. An exclusive worker (the sync summary, a page load)
    cancelled by its newer twin is the app working as meant, not a failure: wait again."""
    from textual.worker import WorkerCancelled

    for _ in range(50):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue
