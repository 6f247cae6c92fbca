"""Exit 4 through the real executable when the OS login is not a cosell user of the database, or
is a referral user running an admin's command (README, "Exit codes"; R1.1). One line naming the
login and the admins who can let it in, nothing on stdout (not one deal), nothing changed.

No other OS login is needed: the database is a demo whose admin (the login running the tests)
hands over to maria through the services and is then removed, or made a referral user.
"""
from __future__ import annotations

import pytest

from cosell_process import NOW, demo_db, dump, one_line, process_env, run
from model.clock import FixedClock, parse_instant
from model.domain.enums import Role
from model.identity import os_login, resolve_user
from model.services import users
from model.services.context import Ctx
from model.store import open_store

ME = os_login()
READS = [("list",), ("list", "--tab", "closed", "--json"), ("show", "0"), ("expiring", "--within", "48h"),
         ("export",), ("stats",), ("users", "list")]


def as_me(db, change) -> None:
    """``change(ctx)`` as ME (an admin when called), through the services."""
    store = open_store(db, create=False)
    try:
        change(Ctx(store=store, clock=FixedClock(parse_instant(NOW)), user=resolve_user(store)))
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def handed_over(tmp_path_factory):
    """A demo database of ME's with maria as a second admin: (env, path)."""
    tmp_path = tmp_path_factory.mktemp("not-a-user")
    env = process_env(tmp_path)
    db = demo_db(env, tmp_path / "team.db", deals=10)
    as_me(db, lambda ctx: users.add_user(ctx, "maria", display_name="Maria Lindgren",
                                         email="maria@contoso-partner.com", role=Role.ADMIN))
    return env, db


@pytest.fixture(scope="module")
def not_a_user(handed_over, tmp_path_factory):
    env, db = handed_over
    copy = tmp_path_factory.mktemp("removed") / "team.db"
    copy.write_bytes(db.read_bytes())
    as_me(copy, lambda ctx: users.remove_user(ctx, ME))
    return env, copy


@pytest.mark.parametrize("argv", READS, ids=[" ".join(a) for a in READS])
def test_a_login_that_is_not_a_user_gets_exit_4_naming_the_admins_and_no_data(not_a_user, argv):  # R1.1
    env, db = not_a_user
    before = dump(db)
    line = one_line(run(env, "--db", str(db), *argv), 4)
    assert line.startswith(f"cosell: OS login {ME!r} is not a cosell user"), line
    assert "maria" in line and f"cosell users add {ME}" in line, line
    assert dump(db) == before  # nobody became a user, let alone admin


def test_a_writing_command_is_refused_the_same_way(not_a_user):  # R1.1
    env, db = not_a_user
    before = dump(db)
    line = one_line(run(env, "--db", str(db), "locations", "add", "6115379", "Stockholm"), 4)
    assert "is not a cosell user" in line and "maria" in line
    assert dump(db) == before


def test_a_referral_user_running_an_admins_command_gets_exit_4(handed_over, tmp_path):  # R1.1
    env, db = handed_over
    copy = tmp_path / "team.db"
    copy.write_bytes(db.read_bytes())
    as_me(copy, lambda ctx: users.set_user(ctx, ME, role=Role.USER, location="Sweden"))
    before = dump(copy)
    line = one_line(run(env, "--db", str(copy), "users", "add", "erik2", "--email", "erik2@contoso-partner.com",
                        "--location", "Sweden"), 4)
    assert "only a referral admin" in line and "maria" in line, line
    line = one_line(run(env, "--db", str(copy), "locations", "list"), 4)
    assert "only a referral admin" in line and "R1.1" in line, line
    assert dump(copy) == before
    mine = run(env, "--db", str(copy), "list", "--json")  # what a referral user may do still works
    assert mine.returncode == 0, mine.stderr
