"""Demo data: deterministic for a seed and a clock, covering every kind, sale type, stage and
ending, consistent with the rules, and with the awkward text the faces must show literally."""
from __future__ import annotations

import getpass
import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from data import catalogue as cat
from data.demo import populate
from factories import NOW
from model.clock import FixedClock
from model.domain.enums import DealKind, Direction, RegistrationStatus, Role, SaleType, Substatus
from model.domain.rules.deal_fields import (
    customer_contact_required_violations, invitation_violations, solutions_violations, team_violations,
)
from model.domain.rules.lifecycle import missing_before_won, time_left
from model.domain.rules.registration import eligibility_violations
from model.domain.rules.visibility import can_see
from model.services import transfer
from model.services.context import Ctx
from model.domain.stages import Stage
from model.store import bulk, open_store
from model.store.tables import AccountRecord, PartnerRecord, SolutionRecord, UserRecord
from factories import ADMIN


def _populated(path, **kw):
    store = open_store(path)
    summary = populate(store, **{"deals": 120, "accounts": 600, "seed": 1, "now": NOW, **kw})
    return store, summary


def _export(store) -> str:
    buf = io.StringIO()
    transfer.export_referrals(Ctx(store=store, clock=FixedClock(NOW), user=ADMIN), buf)
    return buf.getvalue()


def _deals(store):
    with store.read() as session:
        return [bulk.deal_from_rows(r) for chunk in bulk.stream(session) for r in chunk]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store, summary = _populated(tmp_path_factory.mktemp("demo") / "demo.db")
    yield store, summary, _deals(store)
    store.dispose()


def test_same_seed_and_clock_give_identical_data(demo, tmp_path):
    store, _, _ = demo
    again, _ = _populated(tmp_path / "again.db")
    assert _export(again) == _export(store)
    other, _ = _populated(tmp_path / "other.db", seed=2)
    assert _export(other) != _export(store)


def test_times_follow_the_clock(demo, tmp_path):
    store, _, deals = demo
    later, _ = _populated(tmp_path / "later.db", now=NOW + timedelta(days=30))
    shifted = {d.id: d for d in _deals(later)}
    for deal in deals[:20]:
        assert shifted[deal.id].created_at - deal.created_at == timedelta(days=30)
    assert all(d.created_at <= NOW and d.updated_at <= NOW for d in deals)
    assert all(d.closed_at is None or d.created_at <= d.closed_at <= NOW for d in deals)


def test_every_kind_sale_type_stage_and_ending_is_there(demo):
    _, summary, deals = demo
    outbound = [d for d in deals if d.direction is Direction.OUTBOUND]
    assert {d.kind for d in outbound} == set(DealKind)
    assert {d.sale_type for d in outbound if d.kind is not DealKind.SOLUTION_ASSESSMENT} == set(SaleType)
    open_stages = {d.stage for d in deals if not d.is_terminal}
    assert {Stage.CREATED, Stage.ACCEPTED, Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED, Stage.NEGOTIATED,
            Stage.SCOPED, Stage.ASSESSING, Stage.DELIVERED} <= open_stages
    assert {d.substatus for d in deals} == {Substatus.RECEIVED, Substatus.ACCEPTED, Substatus.WON, Substatus.LOST,
                                            Substatus.DECLINED, Substatus.EXPIRED, Substatus.ERROR}
    won = [d for d in deals if d.substatus is Substatus.WON]
    assert {d.registration.status for d in won} == set(RegistrationStatus)
    assert any(d.favorite and d.is_terminal for d in deals) and any(d.favorite and not d.is_terminal for d in deals)
    assert summary.deals == len(deals) == 120
    assert summary.inbound + summary.outbound + summary.closed == 120


def test_inbound_deals_are_spread_over_their_14_days(demo):
    # R8.2: some fresh, some about to expire, some already overdue (the sweep has not run).
    _, _, deals = demo
    left = [time_left(d, NOW) for d in deals if d.is_received]
    assert any(t > timedelta(days=7) for t in left)
    assert any(timedelta(0) < t < timedelta(hours=24) for t in left)
    assert any(t <= timedelta(0) for t in left)
    assert all(d.expires_at == d.received_at + timedelta(days=14) for d in deals if d.direction is Direction.INBOUND)


def test_deals_keep_the_rules(demo):
    _, _, deals = demo
    for d in deals:
        assert not team_violations(d.team), d.name
        assert not solutions_violations(d.kind, d.solutions, d.customer, d.marketplace_intent), d.name
        if d.substatus is Substatus.WON:
            assert not missing_before_won(d)  # R8.9
        if d.registration.status is not RegistrationStatus.NONE:
            assert not eligibility_violations(d, NOW), d.name  # R10.1
        if d.direction is Direction.OUTBOUND and d.sale_type is SaleType.CO_SELL:
            assert not customer_contact_required_violations(d.customer)  # R4.10
        for i, inv in enumerate(d.partner_invitations):
            assert not invitation_violations(inv, i)  # R7.4
        if d.kind is DealKind.SERVICES_COSELL:
            assert d.partner_role and d.partner_program and d.solution_area and d.solution_play  # R5, R11.2
        if d.kind is DealKind.SOLUTION_ASSESSMENT:
            assert d.sale_type is None and not d.invitations  # R2.4
        assert d.notes and d.currency in {"USD", "EUR", "SEK", "NOK", "GBP"}


def test_each_deal_has_one_event_per_version(demo):
    # Every service call writes one event and one version; the demo's history does the same.
    from model import services as svc

    store, _, deals = demo
    ctx = Ctx(store=store, clock=FixedClock(NOW), user=ADMIN)
    for d in deals[:40]:
        history = svc.history(ctx, d.id)
        assert len(history) == d.version and history[-1].at == d.updated_at
        assert [e.at for e in history] == sorted(e.at for e in history)


def test_awkward_text_is_in_the_data(demo):
    _, _, deals = demo
    assert any("[bold red]" in d.name and "[/]" in d.name for d in deals)
    assert any("\x1b[" in n.text for d in deals for n in d.notes)


def test_reference_data_and_users(demo):
    store, summary, deals = demo
    with store.read() as session:
        users = {u.login: u for u in session.scalars(select(UserRecord))}
        assert session.scalar(select(func.count()).select_from(SolutionRecord)) == len(cat.SOLUTIONS)
        assert session.scalar(select(func.count()).select_from(PartnerRecord)) == len(cat.PARTNERS)
        assert session.scalar(select(func.count()).select_from(AccountRecord)) == 600
    assert users[getpass.getuser()].role == Role.ADMIN.value and summary.admin == getpass.getuser()
    scoped = [u for u in users.values() if u.role == Role.USER.value]
    assert scoped and all(u.location for u in scoped)
    from model.store.users import find_user

    for rec in scoped:
        with store.read() as session:
            user = find_user(session, rec.login)
        visible = [d for d in deals if can_see(user, d)]
        assert visible, user.login  # R1.3: each referral user is on some deals' teams
        assert len(visible) < len(deals)


def test_a_store_with_deals_is_refused(demo):
    store, _, _ = demo
    with pytest.raises(ValueError, match="already holds 120 deals"):
        populate(store, deals=5, accounts=0, now=NOW)


def test_small_sizes_and_no_accounts(tmp_path):
    store, summary = _populated(tmp_path / "tiny.db", deals=5, accounts=0)
    assert summary.deals == 5 and summary.accounts == 0
    assert all(d.customer.account_id is None for d in _deals(store))


def test_the_default_demo_is_quick(tmp_path):
    # The dashboard's first run builds it while the user waits (target < 2 s on an idle machine).
    store = open_store(tmp_path / "default.db")
    started = time.perf_counter()
    populate(store, now=NOW)
    assert time.perf_counter() - started < 10


def test_workers_make_the_same_demo(tmp_path, monkeypatch):
    # A big demo is made by worker processes in blocks; the data is the same as made here.
    import data.demo as demo_module

    monkeypatch.setattr(demo_module, "BLOCK", 16)
    alone, _ = _populated(tmp_path / "alone.db", deals=70, accounts=200)
    monkeypatch.setattr(demo_module, "PARALLEL_MIN", 10)
    monkeypatch.setattr(bulk, "worker_count", lambda: 2)
    together, summary = _populated(tmp_path / "together.db", deals=70, accounts=200)
    assert summary.deals == 70 and _export(together) == _export(alone)
