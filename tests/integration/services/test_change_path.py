"""The store's change path (``repo.load_for_change`` → ``repo.write_version``): plain statements
instead of the ORM (issue 10), with the ORM path's guarantees: the version check refuses a stale
write, only changed columns are SET, and what a service returns is what a fresh read gives."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, text

from deal_support import all_stages, create, received
from factories import SELLER_SE, ctx_as
from model import services as svc
from model.domain.errors import ConflictError, NotFound
from model.domain.schemas import Person
from model.store import repo

ALWAYS_SET = {"version", "updated_at"}  # every change is a new version, stamped (even if only the team changed)


def _row(store, deal_id: str) -> dict:
    with store.engine.connect() as conn:
        return dict(conn.execute(text("SELECT * FROM deals WHERE id = :i"), {"i": deal_id}).mappings().one())


def _set_columns(statements: list[str]) -> set[str]:
    (update,) = [s for s in statements if s.startswith("UPDATE deals SET")]
    assignments = update.removeprefix("UPDATE deals SET ").split(" WHERE ")[0]
    return {a.split("=")[0].strip() for a in assignments.split(",")}


def test_a_stale_version_is_refused_and_writes_nothing(ctx):
    deal = create(ctx)
    with pytest.raises(ConflictError) as err:
        with ctx.store.write() as session:
            stored = repo.load_for_change(session, deal.id)
            # someone else's write lands between the read and this write
            session.execute(text("UPDATE deals SET version = version + 1 WHERE id = :i"), {"i": deal.id})
            repo.write_version(session, stored.deal.model_copy(update={"name": "Stale"}), stored, actor="alice")
    assert (err.value.expected, err.value.found) == (deal.version, deal.version + 1)
    after = svc.get_deal(ctx, deal.id)
    assert (after.name, after.version) == (deal.name, deal.version)  # the whole transaction rolled back


def test_only_the_changed_columns_are_set(ctx):
    deal = create(ctx)
    before = _row(ctx.store, deal.id)
    seen: list[str] = []
    listener = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    event.listen(ctx.store.engine, "before_cursor_execute", listener)
    try:
        svc.mark_stage(ctx, deal.id)
    finally:
        event.remove(ctx.store.engine, "before_cursor_execute", listener)
    after = _row(ctx.store, deal.id)
    changed = {k for k in before if before[k] != after[k]}
    assert _set_columns(seen) == changed | ALWAYS_SET
    assert not {"name", "tab", "customer_name", "search_text", "close_date"} & _set_columns(seen)


@pytest.mark.parametrize("action", ["accept", "mark_stage", "won", "add_note"])
def test_what_a_service_returns_is_what_a_fresh_read_gives(ctx, clock, action):  # R8.3, R8.5, R8.9, R5
    carol = Person(name="Carol", phone="+46 70 111", email="carol@contoso-partner.com")
    if action == "accept":
        deal = received(ctx)
        out = svc.accept(ctx, deal.id, name="Contoso retail analytics", value=Decimal("45000"),
                         close_date=date(2027, 3, 15), notes="Called the CIO", team=[carol])
    elif action == "mark_stage":
        out = svc.mark_stage(ctx, create(ctx).id)
    elif action == "won":
        deal = all_stages(ctx, create(ctx))
        out = svc.won(ctx, deal.id, confirm_early=True)
    else:
        deal = svc.add_note(ctx, create(ctx).id, "first")
        out = svc.add_note(ctx, deal.id, "second")
    fresh = svc.get_deal(ctx, out.id)
    assert out == fresh
    assert out.version == fresh.version and fresh.version >= 2


def test_a_team_change_rewrites_the_team_rows_in_order(ctx):  # R8.3
    deal = received(ctx)
    carol = Person(name="Carol", phone="+46 70 111", email="Carol@Contoso-Partner.com ")
    svc.accept(ctx, deal.id, team=[carol])
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT position, email, email_lc FROM deal_team WHERE deal_id = :i ORDER BY position"),
                            {"i": deal.id}).all()
    assert [r.position for r in rows] == list(range(len(rows)))
    assert rows[-1].email_lc == "carol@contoso-partner.com"
    assert [p.email for p in svc.get_deal(ctx, deal.id).team] == [r.email for r in rows]


def test_an_orm_record_given_to_write_version_shows_the_new_row(ctx):
    deal = create(ctx)
    with ctx.store.write() as session:
        rec = repo.load_record(session, deal.id)
        written = repo.write_version(session, repo.to_deal(rec).model_copy(update={"name": "Renamed"}), rec,
                                     actor="alice")
        assert (rec.name, rec.version) == ("Renamed", deal.version + 1)  # reloaded, not the stale copy
        assert repo.to_deal(rec) == written.deal


def test_an_orm_copy_read_earlier_in_the_transaction_shows_the_new_row(ctx):
    deal = create(ctx)
    with ctx.store.write() as session:
        rec = repo.load_record(session, deal.id)
        stored = repo.load_for_change(session, deal.id)
        repo.write_version(session, stored.deal.model_copy(update={"name": "Renamed"}), stored, actor="alice")
        assert (rec.name, rec.version) == ("Renamed", deal.version + 1)


def test_a_deal_the_user_may_not_see_is_not_found_by_id_or_prefix(ctx):  # R1.3
    deal = create(ctx, location="Norway")
    other = ctx_as(ctx, SELLER_SE)  # Sweden, not on the team
    for name in (deal.id, deal.id[:8]):
        with ctx.store.write() as session, pytest.raises(NotFound):
            repo.load_for_change(session, name, user=other.user)
    with ctx.store.write() as session:
        assert repo.load_for_change(session, deal.id[:8], user=ctx.user).deal == svc.get_deal(ctx, deal.id)


def test_a_user_whose_location_changed_does_not_keep_the_old_scope(ctx):  # R1.3
    deal = create(ctx, location="Norway", team=[Person(name="Bob Seller", phone="+46 70 123 45 67",
                                                       email=SELLER_SE.email)])
    in_norway = SELLER_SE.model_copy(update={"login": "bob-moves", "location": "Norway"})
    with ctx.store.write() as session:
        assert repo.load_for_change(session, deal.id, user=in_norway).deal.id == deal.id
    back_in_sweden = in_norway.model_copy(update={"location": "Sweden"})
    with ctx.store.write() as session, pytest.raises(NotFound):
        repo.load_for_change(session, deal.id, user=back_in_sweden)  # same login: not the Norway scope
