"""Issue 10 follow-ups: a message's row, and who a deal's team message goes to, are written once.

- An import's notices (``import_plan.notice_rows``) are written in bulk, not through ``queue``: the
  rows must be the ones ``queue`` stores (R12.2, R8.4), and fit in one INSERT with the new-inbound
  messages of the same file (R12.1).
- The sweep's R7.3 reminder first asks the store which lapsed deals have someone left to tell
  (``sweep.untold``), then ``notify_team`` tells them: both by one recipient and key rule
  (``services.outbox.team_recipients`` / ``team_key``), so the filter never passes over a person.
"""
from __future__ import annotations

from sqlalchemy import delete, select

from factories import NOW, make_inbound
from model.domain.ops.base import Notice
from model.domain.schemas import Person
from model.services import outbox as messages
from model.services.import_plan import notice_rows
from model.store import bulk
from model.store import outbox as outbox_table
from model.store import sweep as sweep_store
from model.store.tables import OutboxRecord

KIND = "microsoft_window"


def _queued_by_queue(store, call) -> list[dict]:
    """The rows ``call(session)`` queues, as ``queue`` builds them (collected by a batch)."""
    with store.write() as session, outbox_table.batched(session) as rows:
        call(session)
        return [dict(r) for r in rows]


def _stored(store) -> list[tuple]:
    cols = [c for c in OutboxRecord.__table__.c if c.name != "id"]
    with store.read() as session:
        return [tuple(r) for r in session.execute(select(*cols).order_by(OutboxRecord.dedupe_key))]


def test_r12_2_an_imports_notice_row_is_the_row_queue_stores(store):  # R12.2, R8.4
    deal = make_inbound(name="Contoso " + "x" * 400)  # a subject longer than its column: cut alike
    imported = notice_rows(deal, [Notice("declined", "Not a fit"), Notice("stage")], NOW)
    queued = _queued_by_queue(store, lambda s: messages.notify_sender(s, deal, "declined", NOW, "Not a fit"))
    assert imported == queued and len(imported) == 1
    assert len(imported[0]["subject"]) == 300 and imported[0]["sent_at"] is None


def test_r12_an_imports_notices_and_new_inbound_messages_go_in_one_insert(store, tmp_path):  # R12.1, R12.2
    from model.store import open_store

    declined, new = make_inbound(name="Declined AB"), make_inbound(name="New AB")
    rows = notice_rows(declined, [Notice("declined", "Not a fit")], NOW)
    rows += _queued_by_queue(store, lambda s: messages.notify_team(s, new, "new_inbound", "New", "Body", NOW,
                                                                   "new_inbound"))
    with store.write() as session:
        session.execute(delete(OutboxRecord))  # the batch above wrote them; insert them in bulk instead
    with store.write() as session:
        assert bulk.queue_messages(session, rows) == len(rows)  # one multi-row INSERT: the same keys
    one = open_store(tmp_path / "one.db")
    try:
        with one.write() as session:
            messages.notify_sender(session, declined, "declined", NOW, "Not a fit")
            messages.notify_team(session, new, "new_inbound", "New", "Body", NOW, "new_inbound")
        assert _stored(store) == _stored(one)
    finally:
        one.dispose()


def _team(*emails: str) -> list[Person]:
    return [Person(name=f"Person {i}", phone="+46 70 000 00 00", email=e) for i, e in enumerate(emails)]


def _untold(store, ids) -> list[str]:
    with store.read() as session:
        return sweep_store.untold(session, ids, KIND, recipients=messages.team_recipients,
                                  key=lambda deal_id, email: messages.team_key(KIND, deal_id, email))


def _tell(store, deal) -> None:
    with store.write() as session:
        messages.notify_team(session, deal, KIND, "Microsoft did not join", "Body", NOW, KIND)


def test_r7_3_the_sweeps_filter_lets_through_exactly_the_deals_with_someone_left_to_tell(ctx):  # R7.3, R12.1
    from model import services as svc

    teams = [_team(" Carol@Contoso-Partner.com ", "carol@contoso-partner.com", "bob@contoso-partner.com"),
             _team(""), [], _team("a" * 60 + "@" + "b" * 60 + "." + "c" * 60 + ".example")]  # fits the column; its key does not
    deals = [svc.receive_inbound(ctx, make_inbound(name=f"Deal {i}", team=team)) for i, team in enumerate(teams)]
    ids = [d.id for d in deals]
    with ctx.store.write() as session:
        session.execute(delete(OutboxRecord))  # the new-inbound messages are not what this is about
    assert _untold(ctx.store, ids) == ids
    for deal in deals:
        _tell(ctx.store, deal)
    assert _untold(ctx.store, ids) == []  # everyone the team rule tells was told: nothing to load
    with ctx.store.read() as session:
        told = sorted(session.scalars(select(OutboxRecord.recipient).where(OutboxRecord.deal_id == ids[0])))
    assert told == ["bob@contoso-partner.com", "carol@contoso-partner.com"]
    with ctx.store.write() as session:  # one person of the first deal not told yet: it is let through
        session.execute(delete(OutboxRecord).where(OutboxRecord.recipient == "bob@contoso-partner.com"))
    assert _untold(ctx.store, ids) == [ids[0]]


def test_r7_3_a_team_without_an_email_is_told_through_the_referral_admins():  # R7.3, R12.1
    assert messages.team_recipients(["", "  ", None]) == [messages.NO_TEAM_EMAIL] == ["referral-admins"]
    assert messages.team_recipients([" B@x.example", "b@x.example ", "a@x.example"]) == ["a@x.example", "b@x.example"]


def test_r12_1_an_imported_new_deal_is_announced_as_a_received_one_is(ctx):  # R12.1
    """``import_write.messages`` (bulk) and ``receive_inbound`` (one deal) word, address and key the
    "new co-sell opportunity" message alike; an import's already-overdue deal is not asked for an answer."""
    from datetime import timedelta

    from model import services as svc
    from model.services.import_write import messages as import_messages

    team = [Person(name="Ann", phone="+46 1", email="Ann@Partner.example", company="Partner"),
            Person(name="Bo", phone="+46 2", email="ann@partner.example ", company="Partner")]
    received = svc.receive_inbound(ctx, make_inbound(name="Kista Retail: [b]pilot[/b]", team=team))
    with ctx.store.read() as session:
        stored = [(r.recipient, r.subject, r.body, r.dedupe_key) for r in session.scalars(
            select(OutboxRecord).where(OutboxRecord.kind == "new_inbound").order_by(OutboxRecord.dedupe_key))]
    rows = bulk.deal_rows(svc.get_deal(ctx, received.id), actor="import")
    imported = [(m["recipient"], m["subject"], m["body"], m["dedupe_key"])
                for m in import_messages([rows], received.received_at)]
    assert imported == stored and [r[0] for r in stored] == ["ann@partner.example"]  # each person once
    late = import_messages([rows], received.expires_at + timedelta(hours=1))
    assert "Answer by" not in late[0]["body"] and "ended" in late[0]["body"]
