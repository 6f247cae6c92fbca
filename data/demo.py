"""Demo data: a realistic co-sell workspace, the same every time for a given seed and clock.

``populate`` fills an empty store with the reference data (``data.catalogue``), users,
the customer-account catalogue (``data.accounts``) and deals. The first deals follow a
fixed list of scenarios (``data.demo_deals.scenario_shapes``), so even a small demo shows
every deal kind, sale type, sales stage and way of closing (won with a registration in
each validation state, lost, declined, expired, closed as error), inbound deals about to
expire or already overdue, favorites, and two deals whose text would break a careless
renderer (Rich markup in a name, escape codes in a note). The rest are drawn at random
with realistic proportions. Every time is relative to ``now``; nothing reads the clock.

Deals are made in blocks of ``BLOCK``, each from its own random stream (seed, block), so
the result does not depend on who makes them: a big demo has worker processes make
blocks (while this process writes the account catalogue), a small one makes them here,
and both give the same data. Rows go in with ``model.store.bulk``.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, select

from data import catalogue as cat
from data.demo_deals import DealMaker, scenario_shapes
from model.domain.enums import Role, Tab
from model.domain.schemas import User
from model.store import bulk
from model.store.tables import DealRecord, UserRecord

BLOCK = 2_500
PARALLEL_MIN = 20_000   # deals; below this, starting workers costs more than they save
OVERLAP_MAX = 250_000   # above this, made blocks would wait in memory for the accounts: don't


@dataclass(frozen=True)
class DemoSummary:
    deals: int
    accounts: int
    users: int
    solutions: int
    partners: int
    inbound: int
    outbound: int
    closed: int
    favorites: int
    admin: str


@lru_cache(maxsize=2)
def _customer_pool(accounts: int, seed: int) -> tuple[tuple, ...]:
    """Deal customers come from the start of the same account catalogue, so their ids are real."""
    from data.accounts import generate_accounts

    rows = generate_accounts(min(accounts, 4_000) or 1_500, seed)
    return tuple(r for r in rows if r[6] != "IN" and not (r[8] and r[2] != "other"))


def make_block(seed: int, block: int, deals: int, accounts: int, now: datetime, admin: str) -> list:
    """The deals (and their events) of one block: ``(Deal, [event rows])`` pairs."""
    start, end = block * BLOCK, min(deals, (block + 1) * BLOCK)
    maker = DealMaker(random.Random(seed * 1_000_003 + block), now, list(_customer_pool(accounts, seed)),
                      in_catalogue=accounts > 0, admin=admin)
    fixed = scenario_shapes()
    return [maker.make(fixed[i] if i < len(fixed) else maker.random_shape()) for i in range(start, end)]


def _encoded_block(tables, made: list) -> dict:
    counts = {Tab.INBOUND: 0, Tab.OUTBOUND: 0, Tab.CLOSED: 0}
    favorites = 0
    rows = []
    events = []
    for deal, history in made:
        counts[deal.tab] += 1
        favorites += deal.favorite
        rows.append(bulk.deal_rows(deal, actor=history[-1]["actor"]))
        events += history
    rows.sort(key=lambda r: r.deal["id"])
    return {"deals": tables["deals"].encode(r.deal for r in rows),
            "team": tables["team"].encode(x for r in rows for x in r.team),
            "notes": tables["notes"].encode(x for r in rows for x in r.notes),
            "events": tables["events"].encode(events), "counts": counts, "favorites": favorites}


_W: dict = {}


def _init_worker(url: str, seed: int, deals: int, accounts: int, now: datetime, admin: str) -> None:
    import gc

    from sqlalchemy import create_engine

    gc.disable()  # see bulk.bulk_mode
    _W.update(tables=bulk.tables_for_dialect(create_engine(url).dialect), seed=seed, deals=deals,
              accounts=accounts, now=now, admin=admin)


def _worker_block(block: int) -> dict:
    w = _W
    return _encoded_block(w["tables"], make_block(w["seed"], block, w["deals"], w["accounts"], w["now"], w["admin"]))


def populate(store, *, deals: int = 300, accounts: int = 20_000, seed: int = 1, now: datetime) -> DemoSummary:
    """Fill an empty store with ``deals`` deals and ``accounts`` customer accounts.

    Refuses (ValueError) a store that already holds deals: demo data never mixes with real data.
    """
    if deals < 0 or accounts < 0:
        raise ValueError("the number of deals and accounts cannot be negative")
    with store.read() as session:
        have = session.scalar(select(func.count()).select_from(DealRecord)) or 0
    if have:
        raise ValueError(f"the database already holds {have} deals; demo data goes into an empty "
                         "database (choose another --db)")
    # The OS login of the real uid, as identity resolves it: never $USER/$LOGNAME, which anyone can set.
    from model.identity import os_login

    admin = os_login()
    users = [User(login=admin, display_name=admin, email=f"{admin}@localhost", role=Role.ADMIN)]
    users += [u for u in cat.referral_users() if u.login != admin]
    blocks = range((deals + BLOCK - 1) // BLOCK)
    parallel = deals >= PARALLEL_MIN and bulk.worker_count() > 1 and ":memory:" not in store.url
    totals = {Tab.INBOUND: 0, Tab.OUTBOUND: 0, Tab.CLOSED: 0, "favorites": 0}
    # Everything goes in ONE write transaction (accounts, catalogue, users, deals): a demo killed
    # half-way leaves the database as it was, never accounts without deals or users.
    with bulk.bulk_mode(), store.write() as session, bulk.big_cache(session):
        session.info["wrote"] = True
        if parallel:
            args = (store.url, seed, deals, accounts, now, admin)
            with bulk.process_pool(initializer=_init_worker, initargs=args) as pool:
                made = pool.imap(_worker_block, blocks)
                if accounts and deals <= OVERLAP_MAX:
                    write_accounts(session, accounts, seed)  # while the workers make deals
                    accounts_done = True
                else:
                    accounts_done = False
                solutions, partners = _write_deals(session, users, made, totals)
        else:
            accounts_done = False
            tables = bulk.tables_for_dialect(store.engine.dialect)
            made = (_encoded_block(tables, make_block(seed, b, deals, accounts, now, admin)) for b in blocks)
            solutions, partners = _write_deals(session, users, made, totals)
        if accounts and not accounts_done:
            write_accounts(session, accounts, seed)
    return DemoSummary(deals=deals, accounts=accounts, users=len(users), solutions=solutions, partners=partners,
                       inbound=totals[Tab.INBOUND], outbound=totals[Tab.OUTBOUND], closed=totals[Tab.CLOSED],
                       favorites=totals["favorites"], admin=admin)


def write_accounts(session, n: int, seed: int) -> int:
    """The generated account catalogue, in the demo's one transaction."""
    from data.accounts import generate_accounts
    from model.accounts.catalogue import bulk_upsert

    return bulk_upsert(session, generate_accounts(n, seed), expected=n, batch=20_000)


def _write_deals(session, users: list[User], blocks, totals: dict) -> tuple[int, int]:
    solutions, partners = cat.write_catalogue(session)
    cat.write_users(session, [u for u in users if session.get(UserRecord, u.login) is None])
    tables = bulk.tables_for(session)
    for block in blocks:
        for name in ("deals", "team", "notes", "events"):
            tables[name].insert_encoded(session, block[name])
        for tab, n in block["counts"].items():
            totals[tab] += n
        totals["favorites"] += block["favorites"]
    return solutions, partners


def build(database, *, deals: int = 300, accounts: int = 20_000, seed: int = 1,
          now: datetime) -> tuple[DemoSummary, str]:
    """``cosell demo``: ``populate`` the database named by a path or URL; returns (summary, url).

    A new SQLite file is built under a temporary name next to it and moved into place only when
    complete, so a demo killed half-way leaves no file that looks like a database (and nobody
    opens a half-made one meanwhile). An existing database is filled in place, in the one
    transaction ``populate`` uses, so a kill leaves it as it was.
    """
    import os
    from pathlib import Path

    from model.store import open_store
    from model.store.engine import url_for

    url = url_for(database)
    path = Path(url.split("sqlite:///", 1)[1].split("?", 1)[0]) if url.startswith("sqlite:///") else None
    if path is None or str(path) == ":memory:" or (path.exists() and path.stat().st_size > 0):
        store = open_store(url)
        try:
            return populate(store, deals=deals, accounts=accounts, seed=seed, now=now), store.url
        finally:
            store.dispose()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.demo-{os.getpid()}.tmp")
    siblings = ("", "-wal", "-shm", "-journal")
    try:
        store = open_store(tmp)
        try:
            summary = populate(store, deals=deals, accounts=accounts, seed=seed, now=now)
        finally:
            store.dispose()  # the last connection closing checkpoints and removes the -wal
        for suffix in siblings[1:]:
            # The target does not exist, so any -wal/-shm beside its name is an orphan that
            # SQLite would otherwise apply to the new file.
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        for suffix in siblings:
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return summary, url
