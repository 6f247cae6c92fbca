"""One SQLite database for a team on one box: `cosell init --shared DIR --group G`.

The directory is 2770 and the team's group's; the database, -wal and -shm files
stay group-writable whoever creates them and whatever their umask.
"""
from __future__ import annotations

import grp
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from model.shared_setup import DIR_MODE, check_modes, is_initialised, prepare_shared
from model.store import open_store
from shared_support import cosell


def _team_group() -> grp.struct_group:
    """A group this process may give files to, preferably not its primary one."""
    if os.geteuid() == 0:
        for name in ("nogroup", "users", "staff"):
            try:
                return grp.getgrnam(name)
            except KeyError:
                continue
    others = [g for g in os.getgroups() if g != os.getegid()]
    return grp.getgrgid(others[0] if others else os.getegid())


@pytest.fixture
def team():
    return _team_group()


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_init_shared_prepares_the_directory_and_prints_how_to_use_it(capsys, tmp_path, team):
    shared = tmp_path / "srv" / "cosell"
    r = cosell(capsys, "init", "--shared", str(shared), "--group", team.gr_name)
    assert r.code == 0, r.err
    db = shared / "cosell.db"
    assert _mode(shared) == DIR_MODE and os.stat(shared).st_gid == team.gr_gid
    assert _mode(db) == 0o660 and os.stat(db).st_gid == team.gr_gid
    assert f"export COSELL_DATABASE_URL=sqlite:///{db}" in r.out
    assert f"--db {db}" in r.out
    cron = [line.strip() for line in r.out.splitlines() if "* * *" in line]
    assert any(line.startswith("*/10 * * * * COSELL_DATABASE_URL=") and line.endswith("sweep >/dev/null")
               for line in cron)
    assert any(line.startswith("*/5 * * * * ") and line.endswith("notify >/dev/null") for line in cron)
    assert any("notify --digest" in line for line in cron)
    store = open_store(db, create=False)
    try:
        assert is_initialised(store)  # a real team database: no face fills it with demo deals
    finally:
        store.dispose()
    # running it again is harmless
    assert cosell(capsys, "init", "--shared", str(shared), "--group", team.gr_name).code == 0


def test_files_stay_group_writable_under_a_strict_umask(tmp_path, team):
    setup = prepare_shared(tmp_path / "shared", team.gr_name, admin="alice")
    os.remove(setup.database)  # let a teammate's process with umask 022 create it afresh
    script = textwrap.dedent(f"""
        import os, sys
        os.umask(0o022)
        from model.identity import resolve_user
        from model.store import open_store
        store = open_store({str(setup.database)!r})
        resolve_user(store, "alice")  # a write: the WAL and shared-memory files now exist
        with store.read() as session:
            session.connection()
            print("open", flush=True)
            sys.stdin.readline()
        store.dispose()
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "open", proc.stderr.read()
        wal, shm = (setup.database.with_name(setup.database.name + s) for s in ("-wal", "-shm"))
        for path in (setup.database, wal, shm):
            assert path.exists(), path
            assert _mode(path) & 0o660 == 0o660, f"{path} is {_mode(path):o}"
            assert os.stat(path).st_gid == team.gr_gid
        assert check_modes(setup) == []
    finally:
        proc.communicate("\n", timeout=30)
    assert proc.returncode == 0, proc.stderr


def test_a_private_database_keeps_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        store = open_store(tmp_path / "private" / "mine.db")
        store.dispose()
    finally:
        os.umask(old)
    assert _mode(tmp_path / "private" / "mine.db") & 0o020 == 0  # not group-writable: not shared


def test_admin_option_names_the_first_admin_of_a_new_database(capsys, tmp_path, team):  # R1.1
    shared = tmp_path / "team"
    r = cosell(capsys, "init", "--shared", str(shared), "--group", team.gr_name, "--admin", "alice")
    assert r.code == 0 and "admin: alice" in r.out
    r = cosell(capsys, "--db", str(shared / "cosell.db"), "users", "list")
    assert r.code == 4 and "alice" in r.err  # the caller is nobody here until alice adds them


def test_init_errors_are_usage_errors(capsys, tmp_path):
    r = cosell(capsys, "init", "--shared", str(tmp_path / "x"), "--group", "no-such-group-cosell")
    assert r.code == 2 and "no Unix group 'no-such-group-cosell'" in r.err
    assert not (tmp_path / "x").exists()
    r = cosell(capsys, "init", "--shared", str(tmp_path / "x"))
    assert r.code == 2 and "--group" in r.err


def test_plain_init_creates_the_database_and_says_who_you_are(capsys, tmp_path):  # R1.1
    r = cosell(capsys, "--db", str(tmp_path / "me.db"), "init")
    assert r.code == 0 and "database ready" in r.out and "Referral admin" in r.out
    store = open_store(tmp_path / "me.db", create=False)
    try:
        assert is_initialised(store)
    finally:
        store.dispose()


def test_the_commands_are_reachable_from_cosell():
    from cli.main import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert {"users", "notify", "init"} <= set(commands)
