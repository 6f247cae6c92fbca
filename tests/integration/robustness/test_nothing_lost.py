"""Issue 11, "Nothing lost": a write never reports success for data that is gone, a demo killed
half-way leaves nothing half-made, the dashboard never drops the user's other settings, and one
bad address never stops (or silently gives up) the notifications of everybody else (R12).
"""
from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from model import notify
from model import services as svc
from model.domain.enums import Tab
from model.domain.errors import AccessDenied, RuleViolation
from model.domain.schemas import User
from model.services import delivery, transfer, users
from model.services.context import Ctx
from model.store import open_store
from model.store.faults import DatabaseReplaced, DatabaseUnavailable
from model.store.tables import DealRecord, OutboxRecord, UserRecord
from shared_support import ADMIN, NOW, closed_port, make_draft, make_inbound, seed_catalogue, smtp_server  # noqa: F401

sqlite_only = pytest.mark.skipif(bool(os.environ.get("COSELL_TEST_DATABASE_URL")),
                                 reason="about a SQLite file on disk (its inode, its pages)")


def _deal_count(store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(DealRecord)) or 0


def _referral_file(ctx, n: int) -> bytes:
    """``n`` new inbound referrals as Partner Center sends them (``cosell export`` of real deals)."""
    import io
    import json

    for i in range(n):
        svc.receive_inbound(ctx, make_inbound(name=f"Source {i}"))
    out = io.StringIO()
    transfer.export_referrals(ctx, out)
    doc = json.loads(out.getvalue())
    for k, record in enumerate(doc["value"]):
        record["id"] = f"9{k:07d}-0000-4000-8000-000000000000"
        record.get("cosell", {}).pop("version", None)
    return json.dumps(doc).encode()


# -- the database replaced or deleted while an import runs -------------------------------------

@sqlite_only
@pytest.mark.parametrize("how", ["replaced", "deleted", "copied over"])
def test_an_import_fails_when_its_database_goes_away_before_commit(tmp_path, clock, monkeypatch, how):
    path = tmp_path / "team.db"
    store = open_store(path)
    seed_catalogue(store)
    ctx = Ctx(store=store, clock=clock, user=ADMIN)
    data = _referral_file(ctx, 3)
    before = _deal_count(store)
    other = tmp_path / "other.db"
    open_store(other).dispose()  # another cosell database (its own database_id)
    from model.services import import_write

    real = import_write.write_new

    def write_then_lose_the_file(session, *args, **kwargs):
        result = real(session, *args, **kwargs)
        if how == "replaced":
            os.replace(other, path)
        elif how == "deleted":
            path.unlink()
        else:  # same inode, other content: only the database_id tells
            shutil.copyfile(other, path)
        return result

    monkeypatch.setattr("model.services.transfer.write_new", write_then_lose_the_file)
    with pytest.raises(DatabaseReplaced) as refused:
        transfer.import_referrals(ctx, data, source="referrals.json")
    assert str(path) in str(refused.value) and "nothing was written" in str(refused.value)
    assert DatabaseReplaced.exit_code == 2
    store.dispose()
    if path.exists():  # whatever is at the path now holds none of the import
        fresh = open_store(path)
        with fresh.read() as session:
            assert session.scalar(select(func.count()).select_from(DealRecord)
                                  .where(DealRecord.id.like("9%-0000-4000-8000-000000000000"))) == 0
        fresh.dispose()
    assert before == 3


@sqlite_only
def test_an_ordinary_write_is_not_mistaken_for_a_replaced_file(tmp_path, clock):
    path = tmp_path / "team.db"
    store = open_store(path)
    seed_catalogue(store)
    ctx = Ctx(store=store, clock=clock, user=ADMIN)
    deal = svc.create_deal(ctx, make_draft())
    again = open_store(path)  # a second process on the same file
    svc.add_note(Ctx(store=again, clock=clock, user=ADMIN), deal.id, "from the other one", version=deal.version)
    svc.set_favorite(ctx, deal.id, True)
    assert svc.get_deal(ctx, deal.id).favorite
    again.dispose()
    store.dispose()


@sqlite_only
def test_a_full_database_refuses_the_import_in_one_line_and_keeps_the_old_state(tmp_path, clock):
    """SQLITE_FULL from SQLite itself: ``max_page_count`` caps the file just above its size."""
    path = tmp_path / "small.db"
    store = open_store(path)
    seed_catalogue(store)
    ctx = Ctx(store=store, clock=clock, user=ADMIN)
    data = _referral_file(ctx, 2) * 1  # two records, then duplicated into many below
    import json

    doc = json.loads(data)
    doc["value"] = [dict(r, id=f"8{k:07d}-0000-4000-8000-000000000000") for k, r in
                    enumerate(doc["value"] * 300)]
    with store.read() as session:
        pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()
    store.dispose()

    @event.listens_for(store.engine, "connect")
    def cap(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 8}")

    before = _deal_count(store)
    with pytest.raises(DatabaseUnavailable) as full:
        transfer.import_referrals(ctx, json.dumps(doc).encode(), source="big.json")
    message = str(full.value)
    assert "\n" not in message and str(path) in message and "full" in message
    assert _deal_count(store) == before
    store.dispose()


# -- cosell demo killed half-way -------------------------------------------------------------

def test_a_demo_that_dies_half_way_leaves_no_file_and_no_temporary(tmp_path, monkeypatch):
    if os.environ.get("COSELL_TEST_DATABASE_URL"):
        pytest.skip("a new SQLite file is what is built under a temporary name")
    from data import demo

    def die(*_args, **_kwargs):
        raise KeyboardInterrupt  # as if killed after the accounts were written

    monkeypatch.setattr(demo, "_write_deals", die)
    target = tmp_path / "new.db"
    with pytest.raises(KeyboardInterrupt):
        demo.build(target, deals=30, accounts=200, seed=1, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_demo_that_dies_half_way_into_an_existing_database_changes_nothing(store, monkeypatch):
    from data import demo

    real = demo._write_deals
    calls = []

    def die_after_accounts(session, *args, **kwargs):
        calls.append(1)
        real(session, *args, **kwargs)  # deals and users are in the transaction ...
        raise KeyboardInterrupt          # ... and then the process dies

    monkeypatch.setattr(demo, "_write_deals", die_after_accounts)
    with store.read() as session:
        users_before = session.scalar(select(func.count()).select_from(UserRecord))
    with pytest.raises(KeyboardInterrupt):
        demo.populate(store, deals=20, accounts=100, seed=1, now=NOW)
    assert calls
    assert _deal_count(store) == 0
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(UserRecord)) == users_before
        from model.store.tables import AccountRecord

        # the accounts written before the deals went back with them (the fixture's 4 stay)
        assert session.scalar(select(func.count()).select_from(AccountRecord)) == 4


# -- nobody becomes admin of a team database whose users were deleted ----------------------------

def test_a_team_database_with_deals_but_no_users_makes_nobody_admin(ctx):
    from model.identity import resolve_user
    from model.services.setup import mark_initialised

    svc.create_deal(ctx, make_draft())
    mark_initialised(ctx)
    with ctx.store.write() as session:
        session.query(UserRecord).delete()
    with pytest.raises(AccessDenied) as refused:
        resolve_user(ctx.store, "mallory")
    assert "holds deals but no users" in str(refused.value)
    with ctx.store.read() as session:
        assert session.scalar(select(func.count()).select_from(UserRecord)) == 0


def test_any_database_with_deals_but_no_users_makes_nobody_admin(ctx):
    # Not only a team's: a personal database whose users table was emptied by hand neither.
    from model.identity import resolve_user

    svc.create_deal(ctx, make_draft())
    with ctx.store.write() as session:
        session.query(UserRecord).delete()
    with pytest.raises(AccessDenied, match="holds deals but no users"):
        resolve_user(ctx.store, "mallory")


def test_a_new_database_still_makes_its_first_login_admin(store):
    from model.identity import resolve_user

    first = resolve_user(store, "carol")
    assert first.is_admin


# -- display names and addresses where they enter -----------------------------------------------

@pytest.mark.parametrize("name", ["Eve\r\nmallory  admin", "Eve\u202eadmin", "Eve\x1b[2J", "Eve\x9b31m"])
def test_users_add_refuses_a_display_name_that_is_not_one_line(ctx, name):
    with pytest.raises(RuleViolation) as refused:
        users.add_user(ctx, "eve", display_name=name, email="eve@example.com", location="Sweden")
    assert "R1.1" in str(refused.value) and "name" in str(refused.value)
    assert all(u.login != "eve" for u in users.list_users(ctx))


def test_users_add_refuses_an_address_with_a_line_break(ctx):
    with pytest.raises(RuleViolation) as refused:
        users.add_user(ctx, "eve", display_name="Eve", email="eve@example.com\r\nBcc: all@example.com",
                       location="Sweden")
    assert "email" in str(refused.value)


# -- notifications: one bad address never blocks the rest ---------------------------------------

@pytest.fixture
def smtp_env(monkeypatch, smtp_server, tmp_path):
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path / "config"))
    for key, value in dict(HOST="127.0.0.1", PORT=str(smtp_server.port), TLS="none",
                           FROM="cosell@contoso-partner.com").items():
        monkeypatch.setenv(f"COSELL_SMTP_{key}", value)
    for key in ("USERNAME", "PASSWORD", "TIMEOUT"):
        monkeypatch.delenv(f"COSELL_SMTP_{key}", raising=False)
    return smtp_server


def _queue(store, recipient: str, key: str, subject: str = "Hello") -> None:
    with store.write() as session:
        session.add(OutboxRecord(created_at=NOW, kind="test", deal_id=None, recipient=recipient, subject=subject,
                                 body="body", attempts=0, dedupe_key=key))


def _outbox(store) -> dict[str, OutboxRecord]:
    with store.read() as session:
        return {r.dedupe_key: r for r in session.scalars(select(OutboxRecord))}


def test_an_address_with_crlf_is_given_up_with_its_error_and_the_others_go_out(ctx, smtp_env):
    _queue(ctx.store, "first@example.com", "a")
    _queue(ctx.store, "evil@example.com\r\nBcc: everyone@example.com", "b")
    _queue(ctx.store, "second@example.com", "c")
    report = notify.deliver(ctx, notify.load_smtp_config())
    assert (report.sent, report.given_up, report.retrying) == (2, 1, 0)
    assert sorted(r.rcpt_to[0] for r in smtp_env.received) == ["first@example.com", "second@example.com"]
    rows = _outbox(ctx.store)
    assert rows["a"].sent_at and rows["c"].sent_at
    assert rows["b"].sent_at is None and "line break" in (rows["b"].last_error or "")
    status = delivery.status(ctx)
    assert [(s.given_up, "line break" in (s.last_error or "")) for s in status] == [(True, True)]


def test_a_run_that_dies_hands_back_what_it_had_not_tried(ctx, smtp_env, monkeypatch):
    for n in range(3):
        _queue(ctx.store, f"person{n}@example.com", f"k{n}")
    real = notify._send
    sent = []

    def crash_on_the_second(server, config, msg, to):
        if sent:
            raise RuntimeError("a bug in the middle of a run")
        sent.append(to)
        return real(server, config, msg, to)

    monkeypatch.setattr(notify, "_send", crash_on_the_second)
    for _run in range(notify.MAX_ATTEMPTS):  # cron, again and again, with the bug
        with pytest.raises(RuntimeError):
            notify.deliver(ctx, notify.load_smtp_config())
        sent.clear()
        sent.append("the first one is long gone")  # from now on every run crashes on its first send
    rows = _outbox(ctx.store)
    assert rows["k0"].sent_at is not None
    # the one every run crashed on: tried MAX_ATTEMPTS times, then given up WITH the reason
    assert rows["k1"].sent_at is None and rows["k1"].attempts == notify.MAX_ATTEMPTS
    assert "delivery run stopped: RuntimeError: a bug" in rows["k1"].last_error
    # the one no run reached: never counted, never given up
    assert rows["k2"].sent_at is None and rows["k2"].attempts == 0
    assert "delivery run stopped" in rows["k2"].last_error
    assert [(s.recipient, s.given_up) for s in delivery.status(ctx)] == [
        ("person1@example.com", True), ("person2@example.com", False)]
    monkeypatch.setattr(notify, "_send", real)
    report = notify.deliver(ctx, notify.load_smtp_config())  # the bug fixed: what waits goes out
    assert (report.sent, report.given_up) == (1, 0) and _outbox(ctx.store)["k2"].sent_at is not None


def test_notify_status_lists_what_did_not_go_out(ctx, monkeypatch, tmp_path):
    monkeypatch.setenv("COSELL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("COSELL_SMTP_PORT", str(closed_port()))
    monkeypatch.setenv("COSELL_SMTP_TLS", "none")
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path / "config"))
    _queue(ctx.store, "someone@example.com", "x", subject="Deal accepted")
    report = notify.deliver(ctx, notify.load_smtp_config())
    assert report.retrying == 1
    (row,) = delivery.status(ctx)
    assert row.subject == "Deal accepted" and not row.given_up and "cannot use SMTP server" in row.last_error
    with pytest.raises(AccessDenied):
        delivery.status(Ctx(store=ctx.store, clock=ctx.clock,
                                user=User(login="bob", display_name="Bob", email="bob@example.com",
                                          location="Sweden")))


# -- the settings file has one owner that keeps everything else ---------------------------------

def test_saving_columns_keeps_smtp_comments_and_unknown_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.toml"
    original = ('# my cosell settings\n'
                'theme = "nord"  # dark\n\n'
                '[smtp]\nhost = "mail.example.com"  # the relay\nport = 587\npassword = "s3cret"\n\n'
                '[keymap]\n"deal.accept" = "A"\n\n'
                '[something_else]\nkept = [1, 2]\n')
    path.write_text(original)
    path.chmod(0o600)
    from tui.settings import load_settings

    settings, problem = load_settings()
    assert problem is None and settings.keymap == {"deal.accept": "A"}
    settings.set_columns(Tab.INBOUND, ["name", "value"])
    assert settings.save() == path
    text = path.read_text()
    for kept in ('# my cosell settings', 'theme = "nord"  # dark', '[smtp]', 'host = "mail.example.com"  # the relay',
                 'password = "s3cret"', '"deal.accept" = "A"', '[something_else]', 'kept = [1, 2]'):
        assert kept in text, kept
    assert 'inbound = ["name", "value"]' in text
    assert path.stat().st_mode & 0o777 == 0o600
    assert notify.load_smtp_config({}).host == "mail.example.com"  # cosell notify still finds its server
    again, problem = load_settings()
    assert problem is None and again.columns_for(Tab.INBOUND) == ["name", "value"]


def test_a_settings_file_that_is_not_toml_is_never_overwritten(tmp_path, monkeypatch):
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.toml"
    path.write_text('[smtp\nhost = "x"\n')
    from tui.settings import load_settings

    settings, problem = load_settings()
    assert problem and str(path) in problem
    settings.set_columns(Tab.INBOUND, ["name"])
    assert settings.save() is None
    assert path.read_text() == '[smtp\nhost = "x"\n'


def test_the_lease_still_protects_against_two_runs(ctx, smtp_env):
    """Handing back on a crash does not let a second, overlapping run send a message twice."""
    _queue(ctx.store, "one@example.com", "only")
    claimed = notify.claim(ctx.store, NOW, "other-run", 10)
    assert len(claimed) == 1
    report = notify.deliver(ctx, notify.load_smtp_config())
    assert report.sent == 0 and smtp_env.received == []
    later = Ctx(store=ctx.store, clock=type(ctx.clock)(NOW + notify.LEASE + timedelta(minutes=1)), user=ADMIN)
    assert notify.deliver(later, notify.load_smtp_config()).sent == 1


def test_the_demo_admin_is_the_os_login_whatever_user_says(store, monkeypatch):
    from data import demo
    from model.identity import os_login

    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.setenv("USERNAME", "mallory")
    summary = demo.populate(store, deals=5, accounts=0, seed=1, now=NOW)
    assert summary.admin == os_login() != "mallory"
    with store.read() as session:
        assert session.get(UserRecord, "mallory") is None
        assert session.get(UserRecord, os_login()).role == "admin"
