"""The two shared modes as `cosell init` states them, and the policy table's completeness (R1.3, R1.4).

No PostgreSQL server is needed here: these run everywhere.
"""
from __future__ import annotations

import grp
import os

from model.store import rls
from model.store.tables import Base
from shared_support import cosell


def _a_group() -> str:
    return grp.getgrgid(os.getegid()).gr_name


def test_every_table_has_its_row_level_policy_decided():
    import model.store.sync_tables  # noqa: F401  (tables of the sync register themselves on import)

    assert set(Base.metadata.tables) <= set(rls.POLICIES), "a new table needs its policy in model.store.rls"
    for table, policies in rls.POLICIES.items():
        for name, command, using, check in policies:
            assert command in {"SELECT", "INSERT", "UPDATE", "DELETE"}, (table, name)
            assert using or check, (table, name)
            assert not (command == "INSERT" and using), (table, name)  # INSERT takes only WITH CHECK


def test_referral_users_write_no_admin_table():  # R1.1: only admins write users, locations, the catalogue
    for table in ("users", "locations", "accounts", "solutions", "partners", "meta"):
        assert {command for _, command, _, _ in rls.POLICIES[table]} == {"SELECT"}, table
    # the pull's cursor: a push may stamp the one row; the trigger keeps the rest an admin's
    assert all(check == "id = 1" for _, command, _, check in rls.POLICIES["sync_cursor"] if command != "SELECT")


def test_sqlite_shared_mode_says_every_member_can_change_the_file(capsys, tmp_path):
    r = cosell(capsys, "init", "--shared", str(tmp_path / "team"), "--group", _a_group(), "--admin", "alice")
    assert r.code == 0, r.err
    assert "every member of the group can read and change this file directly" in r.out
    assert "cosell init --shared --postgres" in r.out


def test_postgres_mode_argument_errors_are_one_line_usage_errors(capsys, tmp_path):
    cases = [
        (("init", "--shared", "--postgres", "postgresql+psycopg:///x"), "--admin LOGIN"),
        (("init", "--postgres", "postgresql+psycopg:///x", "--admin", "a"), "bare --shared"),
        (("init", "--shared", str(tmp_path), "--postgres", "postgresql+psycopg:///x", "--admin", "a"),
         "bare --shared"),
        (("init", "--shared", "--postgres", "postgresql+psycopg:///x", "--admin", "a", "--group", "g"),
         "leave out --group"),
        (("init", "--shared", "--postgres", str(tmp_path / "x.db"), "--admin", "a"), "postgresql+psycopg://"),
        (("init", "--shared"), "--postgres URL"),
    ]
    for argv, words in cases:
        r = cosell(capsys, *argv)
        assert r.code == 2 and words in r.err and len(r.err.strip().splitlines()) == 1, (argv, r.err)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_teammates_url_carries_no_user_name():
    url = rls.teammate_url("postgresql+psycopg://postgres:secret@/cosell?host=/var/run/postgresql")
    assert url == "postgresql+psycopg:///cosell?host=/var/run/postgresql"
