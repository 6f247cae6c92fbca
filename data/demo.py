"""Demo data: a realistic co-sell workspace, the same every time for a given seed and clock.

``populate`` fills an empty store with the reference data (``data.catalogue``), users,
the customer-account catalogue (``data.accounts``) and deals. The first deals follow a
fixed list of scenarios, so even a small demo shows every deal kind, sale type,
sales stage and way of closing (won with a registration in each validation state,
lost, declined, expired, closed as error), inbound deals about to expire or already
overdue, favorites, and two deals whose text would break a careless renderer (Rich
markup in a name, an ANSI escape in a note). The rest are drawn at random with
realistic proportions. Every time is relative to ``now``; nothing reads the system
clock, so snapshot tests can rely on the output.

Deals are written with ``model.store.bulk`` (one executemany per table and chunk),
so 100,000 deals take seconds, not the half hour the ORM would need.
"""
from __future__ import annotations

import getpass
import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from data import catalogue as cat
from data.demo_deals import DealMaker, scenario_shapes
from model.enums import Role, Tab
from model.schemas import User
from model.store import bulk
from model.store.tables import DealRecord

CHUNK = 5_000


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
    from data.accounts import generate_accounts, write_accounts

    if accounts:
        write_accounts(store, accounts, seed)
    # Deal customers come from the start of the same catalogue, so their ids are real.
    pool = [row for row in generate_accounts(min(max(accounts, 0), 4_000) or 1_500, seed)
            if row[6] != "IN" and not (row[8] and row[2] != "other")]
    admin = getpass.getuser()
    users = [User(login=admin, display_name=admin, email=f"{admin}@localhost", role=Role.ADMIN)]
    users += [u for u in cat.referral_users() if u.login != admin]
    maker = DealMaker(random.Random(seed), now, pool, in_catalogue=accounts > 0, admin=admin)
    counts = {Tab.INBOUND: 0, Tab.OUTBOUND: 0, Tab.CLOSED: 0}
    favorites = 0
    with bulk.bulk_mode(), store.write() as session:
        solutions, partners = cat.write_catalogue(session)
        _write_users(session, users)
        fixed = scenario_shapes()
        rows, events = [], []
        for i in range(deals):
            shape = fixed[i] if i < len(fixed) else maker.random_shape()
            deal, history = maker.make(shape)
            counts[deal.tab] += 1
            favorites += deal.favorite
            rows.append(bulk.deal_rows(deal, actor=history[-1]["actor"]))
            events += history
            if len(rows) >= CHUNK:
                _flush(session, rows, events)
                rows, events = [], []
        _flush(session, rows, events)
    return DemoSummary(deals=deals, accounts=accounts, users=len(users), solutions=solutions, partners=partners,
                       inbound=counts[Tab.INBOUND], outbound=counts[Tab.OUTBOUND], closed=counts[Tab.CLOSED],
                       favorites=favorites, admin=admin)


def _flush(session, rows, events) -> None:
    bulk.insert_deals(session, rows)
    bulk.insert_events(session, events)


def _write_users(session, users: list[User]) -> None:
    from model.store.tables import UserRecord

    missing = [u for u in users if session.get(UserRecord, u.login) is None]
    cat.write_users(session, missing)

