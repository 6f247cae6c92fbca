"""R1.1: who is acting (the OS login, nothing else), the first admin, and user management."""
from __future__ import annotations

import json
import os
import pwd
import threading

import pytest

from model import services as svc
from model.services import users
from model.domain.enums import Role, Tab
from model.domain.errors import AccessDenied, NotFound, RuleViolation
from model.identity import os_login, resolve_user
from model.domain.schemas import User
from model.store import open_store
from model.domain.listing import DealQuery
from shared_support import ADMIN, SELLER_SE, cosell, ctx_as, make_draft

ME = pwd.getpwuid(os.geteuid()).pw_name


def _seed_admin(ctx):
    """alice, the test context's admin, as a row of the users table."""
    return users.add_user(ctx, ADMIN.login, display_name=ADMIN.display_name, email=ADMIN.email, role=Role.ADMIN)


# -- identity -------------------------------------------------------------------------------------

def test_the_login_comes_from_the_process_uid_not_the_environment(monkeypatch):  # R1
    for var in ("USER", "LOGNAME", "LNAME", "USERNAME", "COSELL_USER"):
        monkeypatch.setenv(var, "alice")
    assert os_login() == ME


def test_the_first_login_of_a_new_database_becomes_its_admin(store):  # R1.1
    first = resolve_user(store, "zoe")
    assert first.is_admin and first.location is None
    assert resolve_user(store, "zoe") == first  # found again, not re-created


def test_an_unknown_login_is_told_who_the_admins_are_and_sees_nothing(ctx):  # R1.1
    _seed_admin(ctx)
    users.add_user(ctx, "ola", display_name="Ola", email="ola@contoso-partner.com", role=Role.ADMIN)
    with pytest.raises(AccessDenied) as err:
        resolve_user(ctx.store, "mallory")
    message = str(err.value)
    assert "mallory" in message and "alice" in message and "ola" in message
    assert "cosell users add mallory" in message


def test_two_first_logins_at_once_make_exactly_one_admin(store):  # R1.1
    stores = [open_store(store.url, create=False) for _ in range(2)]
    outcomes: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def first_use(login, st):
        barrier.wait()
        try:
            outcomes[login] = resolve_user(st, login)
        except AccessDenied as exc:
            outcomes[login] = exc

    threads = [threading.Thread(target=first_use, args=(login, st)) for login, st in zip(("ann", "ben"), stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for st in stores:
        st.dispose()
    admins = [v for v in outcomes.values() if isinstance(v, User) and v.is_admin]
    denied = [v for v in outcomes.values() if isinstance(v, AccessDenied)]
    assert len(admins) == 1 and len(denied) == 1
    assert admins[0].login in str(denied[0])


# -- the users service -----------------------------------------------------------------------------

def test_an_admin_adds_a_referral_user_who_then_sees_their_deals(ctx):  # R1.1, R1.3
    _seed_admin(ctx)
    mine = svc.create_deal(ctx, make_draft())  # bob is on its team, in Sweden
    svc.create_deal(ctx, make_draft(location="Norway"))
    added = users.add_user(ctx, "bob", display_name="Bob Seller", email="bob@contoso-partner.com",
                           phone="+46 70 123 45 67", role=Role.USER, location="Sweden")
    bob = resolve_user(ctx.store, "bob")
    assert bob == added and not bob.is_admin
    rows = svc.list_deals(ctx_as(ctx, bob), DealQuery(tab=Tab.OUTBOUND))
    assert [r.id for r in rows] == [mine.id]


def test_adding_reports_every_problem_at_once(ctx):  # R1.1, R1.3
    _seed_admin(ctx)
    with pytest.raises(RuleViolation) as err:
        users.add_user(ctx, "bad login", email="not-an-email", phone="call me", role=Role.USER)
    fields = {v.field for v in err.value.violations}
    assert fields == {"login", "email", "phone", "location"}
    with pytest.raises(RuleViolation) as err:
        users.add_user(ctx, "alice", email="alice2@contoso-partner.com", role=Role.ADMIN)
    assert {v.field for v in err.value.violations} == {"login"}  # taken login
    with pytest.raises(RuleViolation) as err:
        users.add_user(ctx, "alice2", email="ALICE@contoso-partner.com", role=Role.ADMIN)
    assert {v.field for v in err.value.violations} == {"email"}  # taken address: she would see alice's deals
    assert [u.login for u in users.list_users(ctx)] == ["alice"]


def test_only_admins_manage_users_and_the_role_is_read_fresh(ctx):  # R1.1
    _seed_admin(ctx)
    users.add_user(ctx, "bob", display_name="Bob", email=SELLER_SE.email, role=Role.USER, location="Sweden")
    bob = ctx_as(ctx, SELLER_SE)
    for call in (lambda: users.list_users(bob), lambda: users.remove_user(bob, "alice"),
                 lambda: users.add_user(bob, "eve", email="eve@x.example", location="Sweden"),
                 lambda: users.set_user(bob, "bob", role=Role.ADMIN)):
        with pytest.raises(AccessDenied) as err:
            call()
        assert "alice" in str(err.value)
    # a User value that *claims* admin is not enough once the table says otherwise
    pretender = ctx_as(ctx, SELLER_SE.model_copy(update={"role": Role.ADMIN}))
    with pytest.raises(AccessDenied):
        users.set_user(pretender, "bob", role=Role.ADMIN)
    assert resolve_user(ctx.store, "bob").role is Role.USER  # still a referral user


def test_set_changes_scope_and_role_and_guards_the_last_admin(ctx):  # R1.1, R1.3, R1.4
    _seed_admin(ctx)
    users.add_user(ctx, "bob", display_name="Bob", email=SELLER_SE.email, role=Role.USER, location="Sweden")
    assert users.set_user(ctx, "bob", location="Norway").location == "Norway"
    with pytest.raises(RuleViolation):
        users.set_user(ctx, "bob", location=None)  # a referral user has one location (R1.3)
    with pytest.raises(RuleViolation) as err:
        users.set_user(ctx, "alice", role=Role.USER, location="Sweden")
    assert "only admin" in str(err.value)
    with pytest.raises(RuleViolation):
        users.remove_user(ctx, "alice")
    promoted = users.set_user(ctx, "bob", role=Role.ADMIN, location=None)
    assert promoted.is_admin and promoted.location is None
    users.set_user(ctx, "alice", role=Role.USER, location="Sweden")  # bob is admin now
    with pytest.raises(NotFound):
        users.set_user(ctx_as(ctx, promoted), "nobody", phone="+46 1 23 45")
    assert users.remove_user(ctx_as(ctx, promoted), "alice").login == "alice"
    with pytest.raises(AccessDenied):
        resolve_user(ctx.store, "alice")


# -- `cosell users` ---------------------------------------------------------------------------------

def test_cli_first_user_is_admin_then_manages_the_team(capsys, tmp_path):  # R1.1
    db = str(tmp_path / "team.db")
    assert cosell(capsys, "--db", db, "init").code == 0  # `users list` only reads: it opens no new file
    r = cosell(capsys, "--db", db, "users", "list", "--json")
    assert r.code == 0, r.err
    assert [(u["login"], u["role"]) for u in json.loads(r.out)] == [(ME, "admin")]

    r = cosell(capsys, "--db", db, "users", "add", "bob", "--name", "Bob Seller", "--email", "bob@contoso-partner.com",
               "--phone", "+46 70 123 45 67", "--role", "user", "--location", "Sweden")
    assert r.code == 0 and "added bob" in r.out
    r = cosell(capsys, "--db", db, "users", "list")
    assert r.code == 0
    assert any(line.split()[:1] == ["bob"] and "Sweden" in line for line in r.out.splitlines())

    r = cosell(capsys, "--db", db, "users", "set", "bob", "--global")
    assert r.code == 4 and "location" in r.err
    r = cosell(capsys, "--db", db, "users", "set", "bob", "--role", "admin", "--global", "--json")
    assert r.code == 0 and json.loads(r.out)["role"] == "admin"
    r = cosell(capsys, "--db", db, "users", "remove", "bob")
    assert r.code == 0 and "removed bob" in r.out
    r = cosell(capsys, "--db", db, "users", "remove", ME)
    assert r.code == 4 and "only admin" in r.err

    r = cosell(capsys, "--db", db, "users", "add", "x", "--location", "Sweden", "--global")
    assert r.code == 2  # one scope or the other
    r = cosell(capsys, "--db", db, "users", "set", "x")
    assert r.code == 2 and "nothing to change" in r.err


def test_cli_unknown_login_gets_the_admins_names_and_no_data(capsys, tmp_path, clock):  # R1.1
    store = open_store(tmp_path / "team.db")
    ctx = svc.Ctx(store=store, clock=clock, user=ADMIN)
    _seed_admin(ctx)
    store.dispose()
    r = cosell(capsys, "--db", str(tmp_path / "team.db"), "users", "list", "--json")
    assert r.code == 4 and r.out == ""
    assert f"OS login {ME!r} is not a cosell user" in r.err and "alice" in r.err


def test_cli_non_admin_is_refused(capsys, tmp_path, clock):  # R1.1
    store = open_store(tmp_path / "team.db")
    ctx = svc.Ctx(store=store, clock=clock, user=ADMIN)
    _seed_admin(ctx)
    users.add_user(ctx, ME, display_name="Me", email="me@contoso-partner.com", role=Role.USER, location="Sweden")
    store.dispose()
    r = cosell(capsys, "--db", str(tmp_path / "team.db"), "users", "add", "eve", "--email", "eve@x.example",
               "--location", "Sweden")
    assert r.code == 4 and "only a referral admin" in r.err and "alice" in r.err
