"""R12: the outbox goes out by SMTP to a real (local, 127.0.0.1) SMTP server, once.

Failures are retried by the next run without sending anything twice; permanent
refusals and recipients without an address are given up; two runs at once split
the work; ``--digest`` sends one e-mail per recipient.
"""
from __future__ import annotations

import json
import threading
import pytest
from sqlalchemy import select, update

from model import notify
from model.clock import FixedClock
from model import services as svc
from model.services import users
from model.domain.enums import Role
from model.domain.reasons import DECLINE_REASONS
from model.domain.schemas import Person
from model.store import open_store
from model.store.tables import OutboxRecord
from shared_support import ADMIN, NOW, cosell, closed_port, make_inbound, smtp_server  # noqa: F401

BOB = "bob@contoso-partner.com"
MARIA = "maria@microsoft.example"


@pytest.fixture
def smtp_env(monkeypatch, smtp_server, tmp_path):
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path / "config"))
    for key, value in dict(HOST="127.0.0.1", PORT=str(smtp_server.port), TLS="none",
                           FROM="cosell@contoso-partner.com").items():
        monkeypatch.setenv(f"COSELL_SMTP_{key}", value)
    for key in ("USERNAME", "PASSWORD", "TIMEOUT"):
        monkeypatch.delenv(f"COSELL_SMTP_{key}", raising=False)
    return smtp_server


def _rows(store):
    with store.read() as session:
        return {r.id: r for r in session.scalars(select(OutboxRecord).order_by(OutboxRecord.id))}


def _queue_three(ctx):
    """New inbound deal → bob (R12.1); its decline → maria, the sender (R12.2); another → bob."""
    first = svc.receive_inbound(ctx, make_inbound(name="Retail analytics"))
    svc.decline(ctx, first.id, DECLINE_REASONS[0])
    svc.receive_inbound(ctx, make_inbound(name="Factory twins"))
    return first


def test_each_message_is_delivered_once_and_marked_sent(ctx, smtp_env):  # R12.1, R12.2
    _queue_three(ctx)
    report = notify.deliver(ctx, notify.load_smtp_config())
    assert (report.sent, report.emails, report.retrying, report.given_up) == (3, 3, 0, 0)
    got = smtp_env.received
    assert sorted(r.rcpt_to[0] for r in got) == [BOB, BOB, MARIA]
    subjects = {r.message["Subject"] for r in got}
    assert "New co-sell opportunity: Retail analytics" in subjects
    assert any("declined" in s for s in subjects)
    assert all(r.mail_from == "cosell@contoso-partner.com" for r in got)
    assert "Answer by" in smtp_env.to(BOB)[0].message.get_content()
    assert all(r.sent_at == NOW and r.attempts == 1 and r.claimed_by is None for r in _rows(ctx.store).values())
    again = notify.deliver(ctx, notify.load_smtp_config())
    assert again.sent == 0 and len(smtp_env.received) == 3  # nothing twice
    assert notify.pending_count(ctx.store) == 0


def test_a_temporary_refusal_is_retried_next_run_without_resending_the_rest(ctx, smtp_env):  # R12
    _queue_three(ctx)
    smtp_env.refuse[BOB] = 451
    report = notify.deliver(ctx, notify.load_smtp_config())
    assert (report.sent, report.retrying) == (1, 2)
    pending = [r for r in _rows(ctx.store).values() if r.sent_at is None]
    assert len(pending) == 2 and all("451" in r.last_error for r in pending)
    del smtp_env.refuse[BOB]
    report = notify.deliver(ctx, notify.load_smtp_config())
    assert (report.sent, report.retrying) == (2, 0)
    assert sorted(r.rcpt_to[0] for r in smtp_env.received) == [BOB, BOB, MARIA]  # maria's not resent
    assert {r.attempts for r in pending} == {1} and {r.attempts for r in _rows(ctx.store).values()} == {1, 2}


def test_a_permanent_refusal_is_given_up_and_a_dead_server_is_retried(ctx, smtp_env, monkeypatch):  # R12
    _queue_three(ctx)
    monkeypatch.setenv("COSELL_SMTP_PORT", str(closed_port()))
    for _ in range(notify.MAX_ATTEMPTS + 1):  # an outage, however long, gives nothing up
        report = notify.deliver(ctx, notify.load_smtp_config())
        assert (report.sent, report.retrying, report.given_up) == (0, 3, 0)
        assert "cannot use SMTP server" in report.errors[0]
    assert {r.attempts for r in _rows(ctx.store).values()} == {0}
    monkeypatch.setenv("COSELL_SMTP_PORT", str(smtp_env.port))
    smtp_env.refuse[MARIA] = 550
    report = notify.deliver(ctx, notify.load_smtp_config())
    assert (report.sent, report.retrying, report.given_up) == (2, 0, 1)
    rows = [r for r in _rows(ctx.store).values() if r.sent_at is None]
    assert [r.recipient for r in rows] == [MARIA] and rows[0].attempts == notify.MAX_ATTEMPTS
    del smtp_env.refuse[MARIA]
    assert notify.deliver(ctx, notify.load_smtp_config()).sent == 0  # given up stays given up


def test_a_refused_from_address_is_a_setup_problem_not_the_messages(ctx, smtp_env):  # R12
    _queue_three(ctx)
    smtp_env.refuse["cosell@contoso-partner.com"] = 550
    report = notify.deliver(ctx, notify.load_smtp_config())
    assert (report.sent, report.retrying, report.given_up) == (0, 3, 0)
    assert {r.attempts for r in _rows(ctx.store).values()} == {0}
    del smtp_env.refuse["cosell@contoso-partner.com"]
    assert notify.deliver(ctx, notify.load_smtp_config()).sent == 3


def test_failures_stop_after_max_attempts(ctx, smtp_env):  # R12
    svc.receive_inbound(ctx, make_inbound())
    smtp_env.refuse[BOB] = 421
    outcomes = [notify.deliver(ctx, notify.load_smtp_config()) for _ in range(notify.MAX_ATTEMPTS + 1)]
    assert [o.retrying for o in outcomes] == [1] * (notify.MAX_ATTEMPTS - 1) + [0, 0]
    assert [o.given_up for o in outcomes] == [0] * (notify.MAX_ATTEMPTS - 1) + [1, 0]


def test_admins_and_address_less_senders(ctx, smtp_env):  # R12.1, R12.2
    users.add_user(ctx, "alice", email=ADMIN.email, role=Role.ADMIN)
    users.add_user(ctx, "ola", email="ola@contoso-partner.com", role=Role.ADMIN)
    nobody_on_team = make_inbound(team=[Person(name="Tbd", phone="+46 8 1", email="")], sender_email=None,
                                  sender_name=None)
    deal = svc.receive_inbound(ctx, nobody_on_team)  # → referral-admins
    svc.decline(ctx, deal.id, DECLINE_REASONS[0])  # → "microsoft-seller": no address to write to
    report = notify.deliver(ctx, notify.load_smtp_config())
    assert (report.sent, report.given_up) == (1, 1)
    assert smtp_env.received[0].rcpt_to == [ADMIN.email, "ola@contoso-partner.com"]
    assert any("no e-mail address" in e for e in report.errors)


def test_two_runs_at_once_never_send_a_message_twice(ctx, smtp_env, clock):  # R12
    for i in range(30):
        svc.receive_inbound(ctx, make_inbound(name=f"Deal {i}"))
    stores = [open_store(ctx.store.url, create=False) for _ in range(3)]
    reports = []
    barrier = threading.Barrier(len(stores))

    def run(st):
        barrier.wait()
        # small batches so the runs interleave claim, send and settle
        reports.append(notify.deliver(svc.Ctx(store=st, clock=clock, user=ADMIN), notify.load_smtp_config(),
                                      limit=4))
        reports.append(notify.deliver(svc.Ctx(store=st, clock=clock, user=ADMIN), notify.load_smtp_config()))

    threads = [threading.Thread(target=run, args=(st,)) for st in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for st in stores:
        st.dispose()
    subjects = [r.message["Subject"] for r in smtp_env.received]
    assert len(subjects) == 30 and len(set(subjects)) == 30
    assert sum(r.sent for r in reports) == 30


def test_a_crashed_runs_claim_lapses_after_the_lease(ctx, smtp_env, clock):  # R12
    svc.receive_inbound(ctx, make_inbound())
    claimed = notify.claim(ctx.store, clock.now(), "crashed-run", 10)  # ... and the process died
    assert len(claimed) == 1
    assert notify.deliver(ctx, notify.load_smtp_config()).sent == 0  # still someone else's
    clock.advance(minutes=16)
    assert notify.deliver(ctx, notify.load_smtp_config()).sent == 1
    assert len(smtp_env.received) == 1


def test_digest_sends_one_email_per_recipient(ctx, smtp_env, clock):  # R12
    _queue_three(ctx)
    clock.advance(hours=2)
    svc.receive_inbound(ctx, make_inbound(name="Late arrival"))
    report = notify.deliver(ctx, notify.load_smtp_config(), digest=True)
    assert (report.sent, report.emails) == (4, 2)
    (to_bob,) = smtp_env.to(BOB)
    assert to_bob.message["Subject"] == "cosell daily digest: 3 notifications"
    body = to_bob.message.get_content()
    assert body.index("Retail analytics") < body.index("Factory twins") < body.index("Late arrival")
    assert smtp_env.to(MARIA)[0].message["Subject"] == "cosell daily digest: 1 notification"
    assert notify.deliver(ctx, notify.load_smtp_config(), digest=True).emails == 0


def test_config_file_then_environment(monkeypatch, tmp_path, smtp_server):
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path))
    for key in ("HOST", "PORT", "TLS", "FROM", "USERNAME", "PASSWORD", "TIMEOUT"):
        monkeypatch.delenv(f"COSELL_SMTP_{key}", raising=False)
    with pytest.raises(notify.NotConfigured) as err:
        notify.load_smtp_config()
    assert str(tmp_path / "config.toml") in str(err.value) and err.value.exit_code == 2
    (tmp_path / "config.toml").write_text(
        '[smtp]\nhost = "mail.example.com"\ntls = "ssl"\nfrom = "deals@example.com"\n'
        'username = "cosell"\npassword = "s3cret"\n')
    cfg = notify.load_smtp_config()
    assert (cfg.host, cfg.port, cfg.tls, cfg.sender, cfg.username) == ("mail.example.com", 465, "ssl",
                                                                       "deals@example.com", "cosell")
    assert "s3cret" not in repr(cfg)
    monkeypatch.setenv("COSELL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("COSELL_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("COSELL_SMTP_TLS", "none")
    cfg = notify.load_smtp_config()
    assert (cfg.host, cfg.port, cfg.tls, cfg.username) == ("127.0.0.1", smtp_server.port, "none", "cosell")
    server = notify.connect(cfg)  # logs in with the file's username and password
    notify._close(server)
    assert smtp_server.logins == [("cosell", "s3cret")]
    monkeypatch.setenv("COSELL_SMTP_TLS", "maybe")
    with pytest.raises(notify.NotConfigured):
        notify.load_smtp_config()


def test_cli_notify(capsys, tmp_path, smtp_env, monkeypatch):
    db = str(tmp_path / "team.db")
    monkeypatch.setenv("COSELL_NOW", NOW.isoformat())
    r = cosell(capsys, "--db", db, "notify")
    assert r.code == 0 and r.out.startswith("sent 0 notifications")
    store = open_store(db)
    ctx = svc.Ctx(store=store, clock=FixedClock(NOW), user=ADMIN)
    _queue_three(ctx)
    smtp_env.refuse[MARIA] = 451
    r = cosell(capsys, "--db", db, "notify", "--json")
    assert r.code == 3  # something needs attention: it will be retried
    out = json.loads(r.out)
    assert (out["sent"], out["retrying"], out["waiting"]) == (2, 1, 1)
    del smtp_env.refuse[MARIA]
    r = cosell(capsys, "--db", db, "notify", "--digest")
    assert r.code == 0 and r.out.startswith("sent 1 notification in 1 e-mail")
    with store.write() as session:
        session.execute(update(OutboxRecord).values(sent_at=None, attempts=0))
    monkeypatch.delenv("COSELL_SMTP_HOST")
    r = cosell(capsys, "--db", db, "notify")
    assert r.code == 2 and "COSELL_SMTP_HOST" in r.err
    store.dispose()
