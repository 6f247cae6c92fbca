"""R8.2 (expiry), R12.2 (the sender is told), R7.3: the set-based sweep does exactly what the
deal-by-deal reference does, on SQLite and PostgreSQL.

The property: for any set of stored deals (due or not, received or pending or answered, any
value, currency, dates, sender and team, versions moved on, messages already queued, even deals
stored before a rule existed), ``sweep`` leaves every row of every table as
``expire_one_by_one`` (the old per-deal loop) does, field by field: the deals, their history
events and the outbox; and it reports the same deals. Only the change counter differs: the
reference bumps it once per deal, the sweep once.
"""
from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from deal_support import events, outbox
from factories import ADMIN, NOW, SELLER_SE, ctx_as, make_inbound
from model import services as svc
from model.domain.operations import Expire, apply
from model.domain.enums import Direction, MicrosoftStatus, RegistrationStatus, Status, Substatus
from model.domain.schemas import Person, Registration
from model.domain.stages import Stage
from model.services import lifecycle
from model.services.context import Ctx
from model.store import repo
from model.store import sweep as sweep_store
from model.store.tables import DealRecord, OutboxRecord

D = timedelta(days=1)
H = timedelta(hours=1)
TABLES = ("deals", "deal_team", "deal_notes", "deal_events", "outbox")
#: Autoincrement keys: the two paths insert in another order, so rows are compared without them.
SURROGATE = {"deal_team": 0, "deal_notes": 0, "deal_events": 0, "outbox": 0}


def _cell(value):
    """JSON as its value: the ORM and the bulk writer space it differently, readers see the same."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def snapshot(store) -> dict[str, list[tuple]]:
    """Every row of every table a sweep writes, without surrogate keys, in a stable order."""
    out = {}
    with store.engine.connect() as conn:
        for table in TABLES:
            rows = [tuple(_cell(v) for v in r) for r in conn.execute(text(f"SELECT * FROM {table}"))]
            if table in SURROGATE:
                rows = [r[1:] for r in rows]
            out[table] = sorted(rows, key=repr)
    return out


def clear(store) -> None:
    with store.write() as session:
        for table in ("deal_events", "outbox", "deal_notes", "deal_team", "deals"):
            session.execute(text(f"DELETE FROM {table}"))


def put(ctx: Ctx, deals: list, versions: dict[str, int], queued: list[str]) -> None:
    """Store the deals as they are (no invariant check: some break a rule added later), move their
    versions on, and queue an "expired" message for some already (a sweep that ran half-way)."""
    with ctx.store.write() as session:
        for deal in deals:
            repo.write_deal(session, deal, actor="someone")
        session.flush()
        for deal_id, version in versions.items():
            session.execute(update(DealRecord).where(DealRecord.id == deal_id).values(version=version))
        for deal_id in queued:
            session.add(OutboxRecord(created_at=NOW - D, kind="expired", deal_id=deal_id, recipient="earlier",
                                     subject="queued before", body="", attempts=0, dedupe_key=f"expired:{deal_id}"))


def reported(expired) -> list[tuple]:
    return sorted((d.id, d.name, d.customer.name, d.sender_name, d.sender_email, d.expires_at, d.version)
                  for d in expired)


def remind_one_by_one(ctx: Ctx) -> None:
    """R7.3 as the sweep told the team before it went set-based: every lapsed deal loaded, in a
    transaction of its own, and ``notify_team`` left to skip whoever was told already."""
    from model.domain.rules.lifecycle import MICROSOFT_WINDOW, microsoft_window
    from model.services.outbox import notify_team

    now = ctx.now()
    with ctx.store.read() as session:
        lapsing = repo.microsoft_invited_before(session, now - MICROSOFT_WINDOW)
    for deal_id in lapsing:
        with ctx.store.write() as session:
            deal = repo.to_deal(repo.load_record(session, deal_id))
            window = microsoft_window(deal, now)
            if window and window[1]:
                notify_team(session, deal, "microsoft_window",
                            f"Microsoft did not join {deal.name!r} within 14 days",
                            f"Microsoft was invited to {deal.name!r} on {deal.microsoft_invited_at:%Y-%m-%d} and has "
                            "not answered within its 14-day window (R7.3). The deal stays open; you can go on alone.",
                            now, "microsoft_window")


# -- random deals ------------------------------------------------------------------------------

names = st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs", "Po")), min_size=1, max_size=24) \
    .map(str.strip).filter(bool)
people = st.lists(st.builds(lambda n, e: Person(name=n, phone="+46 70 000 00 00", email=e), names,
                            st.sampled_from(["bob@contoso-partner.com", " Carol@Contoso-Partner.com ",
                                             "dave@fabrikam.example", ""])), max_size=2)


@st.composite
def stored_deal(draw):
    state = draw(st.sampled_from(["received", "received", "pending", "accepted", "outbound"]))
    left = draw(st.one_of(st.integers(-40 * 24, 5 * 24).map(lambda h: h * H), st.just(timedelta(0)),
                          st.just(timedelta(seconds=1)), st.just(-timedelta(seconds=1))))
    kw = dict(
        id=str(uuid.uuid4()), name=draw(names), value=Decimal(draw(st.integers(0, 10**9))) / 100,
        currency=draw(st.sampled_from(["EUR", "USD", "GBP", "NOK", "SEK", "JPY"])),
        close_date=draw(st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2028, 12, 31)))),
        created_at=NOW - draw(st.integers(0, 400)) * D, sender_name=draw(st.one_of(st.none(), names)),
        sender_email=draw(st.one_of(st.none(), st.just("maria@microsoft.example"))),
        sender_is_microsoft=draw(st.booleans()), favorite=draw(st.booleans()), team=draw(people),
        status_reason=draw(st.one_of(st.none(), st.just("No response within 14 days"), names)),
        received_at=NOW - 14 * D + left, expires_at=NOW + left,
    )
    kw["customer"] = make_inbound().customer.model_copy(update={"name": draw(names)})
    if state == "pending":
        kw.update(substatus=Substatus.PENDING)
    elif state == "accepted":
        kw.update(status=Status.ACTIVE, substatus=Substatus.ACCEPTED, accepted_at=NOW - D)
    elif state == "outbound":  # not inbound: never expires, whatever its dates say
        kw.update(direction=Direction.OUTBOUND, status=Status.ACTIVE, substatus=Substatus.ACCEPTED, stage=Stage.ACCEPTED)
    if draw(st.booleans()):
        kw.update(microsoft_status=MicrosoftStatus.INVITED, microsoft_invited_at=NOW - draw(st.integers(0, 30)) * D)
    if draw(st.integers(0, 9)) == 0:  # stored before a rule: a registration on a received deal
        kw.update(registration=Registration(status=RegistrationStatus.REVIEW_PENDING))
    return make_inbound(**kw)


world = st.lists(stored_deal(), min_size=1, max_size=8, unique_by=lambda d: d.id).flatmap(
    lambda deals: st.tuples(st.just(deals),
                            st.dictionaries(st.sampled_from([d.id for d in deals]), st.integers(1, 4)),
                            st.lists(st.sampled_from([d.id for d in deals]), unique=True, max_size=2)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(world=world, who=st.sampled_from(["admin", "seller"]))
def test_r8_2_bulk_sweep_writes_what_the_per_deal_sweep_writes(ctx, world, who):  # R8.2, R12.2, R7.3
    deals, versions, queued = world
    c = ctx if who == "admin" else ctx_as(ctx, SELLER_SE)  # R8.2: the sweep sees every deal (SQLite)
    clear(ctx.store)
    put(ctx, deals, versions, queued)
    reference = reported(lifecycle.expire_one_by_one(c))
    remind_one_by_one(c)
    expected = snapshot(ctx.store)
    clear(ctx.store)
    put(ctx, deals, versions, queued)
    before = ctx.store.change_counter()
    got = reported(lifecycle.sweep(c))
    assert got == reference
    assert snapshot(ctx.store) == expected
    writes = ctx.store.change_counter() - before
    lapsed = bool(outbox(ctx.store, "microsoft_window"))
    assert writes == (1 if got else 0) + (1 if lapsed else 0)  # one bump per transaction, not per deal


# -- the same, spelled out -----------------------------------------------------------------------

def received(ctx, at, **kw):
    return svc.receive_inbound(ctx, make_inbound(**kw), received_at=at)


def test_r8_2_many_overdue_deals_expire_in_one_write_with_their_events_and_messages(ctx):  # R8.2, R12.2
    overdue = [received(ctx, NOW - 15 * D - i * H, name=f"Deal {i}", currency=["EUR", "GBP", "USD"][i % 3])
               for i in range(30)]
    fresh = received(ctx, NOW - 13 * D)
    before = ctx.store.change_counter()
    expired = svc.sweep(ctx)
    assert ctx.store.change_counter() == before + 1
    assert [d.id for d in expired] == [d.id for d in reversed(overdue)]  # the longest overdue first
    for deal in overdue:
        now = svc.get_deal(ctx, deal.id)
        assert (now.status, now.substatus, now.closed_at, now.version) == (Status.CLOSED, Substatus.EXPIRED, NOW, 2)
        assert now.tab.value == "closed"
        last = events(ctx, deal.id)[-1]
        assert (last.action, last.actor, last.changes, last.reason) == (
            "expired", "sweep (alice)", {"substatus": ["Received", "Expired"]}, "No response within 14 days (R8.2)")
    assert sorted(outbox(ctx.store, "expired")) == sorted(("expired", "maria@microsoft.example", d.id) for d in overdue)
    assert svc.get_deal(ctx, fresh.id).substatus is Substatus.RECEIVED
    assert svc.sweep(ctx) == []


def test_r8_2_the_value_in_usd_follows_the_closing_month(ctx):  # R8.2, R10.1 (fx at the month it closed)
    deal = received(ctx, NOW - 15 * D, currency="NOK", close_date=date(2028, 6, 30))
    svc.sweep(ctx)
    with ctx.store.read() as session:
        stored = session.get(DealRecord, deal.id)
        from model.store.codec import deal_values

        assert stored.value_usd == deal_values(repo.to_deal(stored))["value_usd"]


def test_a_deal_changed_after_it_was_read_is_not_clobbered(ctx):  # R8.2, optimistic concurrency
    stale, kept = received(ctx, NOW - 13 * D, name="stale"), received(ctx, NOW - 13 * D, name="kept")
    later = NOW + 2 * D
    with ctx.store.read() as session:
        rows = sweep_store.due(session, later, "Incoming", ("Pending", "Received"))
    assert {r["id"] for r in rows} == {stale.id, kept.id}
    svc.accept(ctx, stale.id)  # someone answers it in between: version 2, Accepted
    sample = svc.get_deal(ctx, kept.id)
    outcome = apply(sample, Expire(), now=later, user=ADMIN, actor="sweep (alice)")
    p = sweep_store.plan(sample, outcome.deal, old_actor="alice", actor="sweep")
    with ctx.store.write() as session:
        written = sweep_store.expire(session, rows, p, now=later, direction="Incoming",
                                     substatuses=("Pending", "Received"))
    assert written == [kept.id]
    answered = svc.get_deal(ctx, stale.id)
    assert (answered.substatus, answered.version) == (Substatus.ACCEPTED, 2)
    assert (svc.get_deal(ctx, kept.id).substatus, svc.get_deal(ctx, kept.id).version) == (Substatus.EXPIRED, 2)


def test_a_version_moved_on_without_a_change_of_state_is_not_clobbered_either(ctx):  # optimistic concurrency
    deal = received(ctx, NOW - 15 * D)
    with ctx.store.read() as session:
        rows = sweep_store.due(session, NOW, "Incoming", ("Pending", "Received"))
    with ctx.store.write() as session:  # an edit elsewhere: still received and overdue, a new version
        session.execute(update(DealRecord).where(DealRecord.id == deal.id).values(version=7))
    sample = svc.get_deal(ctx, deal.id)
    p = sweep_store.plan(sample, apply(sample, Expire(), now=NOW, user=ADMIN).deal, old_actor="alice", actor="sweep")
    with ctx.store.write() as session:
        assert sweep_store.expire(session, rows, p, now=NOW, direction="Incoming", substatuses=("Received",)) == []
    assert svc.get_deal(ctx, deal.id).substatus is Substatus.RECEIVED
    assert [d.id for d in svc.sweep(ctx)] == [deal.id]  # the next sweep reads it again and expires it
    assert svc.get_deal(ctx, deal.id).version == 8


def test_r8_2_a_version_moved_on_by_someone_else_refuses_their_stale_write(ctx):  # R8.2, optimistic concurrency
    deal = received(ctx, NOW - 15 * D)
    svc.sweep(ctx)
    from model.domain.errors import ConflictError
    import pytest

    with pytest.raises(ConflictError):
        svc.accept(ctx, deal.id, version=1)  # read before the sweep: refused, naming the sweep


def test_r8_2_a_message_already_queued_is_not_queued_twice(ctx):  # R8.2, R12
    deal = received(ctx, NOW - 15 * D)
    put(ctx, [], {}, [deal.id])
    svc.sweep(ctx)
    with ctx.store.read() as session:
        rows = session.scalars(select(OutboxRecord).where(OutboxRecord.kind == "expired")).all()
    assert [(r.deal_id, r.subject) for r in rows] == [(deal.id, "queued before")]


def test_r7_3_someone_who_joined_the_team_later_is_told_too(ctx, clock):  # R7.3, R12
    deal = received(ctx, NOW, sender_is_microsoft=False)
    deal = svc.accept(ctx, deal.id)
    with ctx.store.write() as session:
        session.execute(update(DealRecord).where(DealRecord.id == deal.id).values(
            microsoft_status="invited", microsoft_invited_at=NOW - 15 * D))
    svc.sweep(ctx)
    assert outbox(ctx.store, "microsoft_window") == [("microsoft_window", "bob@contoso-partner.com", deal.id)]
    svc.add_team_member(ctx, deal.id, Person(name="Carol", phone="+46 70 1", email="carol@contoso-partner.com"))
    before = ctx.store.change_counter()
    svc.sweep(ctx)
    assert sorted(outbox(ctx.store, "microsoft_window")) == [
        ("microsoft_window", "bob@contoso-partner.com", deal.id), ("microsoft_window", "carol@contoso-partner.com", deal.id)]
    assert ctx.store.change_counter() == before + 1
    svc.sweep(ctx)
    assert ctx.store.change_counter() == before + 1  # everyone told: nothing written, no write lock taken


def test_r8_2_a_kind_the_set_based_write_cannot_express_goes_deal_by_deal(ctx, monkeypatch):  # R8.2
    overdue = [received(ctx, NOW - 15 * D, name=f"Deal {i}") for i in range(3)]
    monkeypatch.setattr(sweep_store, "plan", lambda *a, **k: None)
    expired = svc.sweep(ctx)
    assert sorted(d.id for d in expired) == sorted(d.id for d in overdue)
    assert all(svc.get_deal(ctx, d.id).substatus is Substatus.EXPIRED for d in overdue)
    assert len(outbox(ctx.store, "expired")) == 3
