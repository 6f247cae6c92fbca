"""`cosell sync` and `cosell login` from the shell, against the stand-in: the exit codes (0 in step,
2 usage or sign-in, 5 conflict, 6 unreachable), --status [--json] offline, --resolve, global
--db anywhere on the line and a new --db file created; never a traceback, never a prompt."""
from __future__ import annotations

import json

import pytest

from cli.main import main
from cli_harness import cosell, db, sctx  # noqa: F401  (fixtures)
from pc_standin import TOKEN, pc  # noqa: F401  (fixture)
from shared_support import closed_port
from transfer_support import counts, dumps, pc_list_file

RECEIVED = "11111111-1111-4111-8111-111111111111"
ACCEPTED = "22222222-2222-4222-8222-222222222222"


@pytest.fixture
def env(monkeypatch, tmp_path, pc):
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path / "conf"))
    monkeypatch.setenv("COSELL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COSELL_PC_API_URL", pc.url)
    monkeypatch.setenv("COSELL_PC_TOKEN", TOKEN)
    for r in pc_list_file()["value"]:
        pc.put(r)
    return pc


def no_traceback(r) -> bool:
    return "Traceback" not in r.err and "Traceback" not in r.out


def test_sync_pulls_pushes_and_exits_0_in_step(cosell, sctx, env):
    r = cosell("sync")
    assert r.code == 0 and "pulled 4 referrals (4 new" in r.out, r.err
    assert cosell("accept", RECEIVED).code == 0
    r = cosell("sync", "--status", "--json")
    assert r.code == 0 and [(d["id"], d["state"]) for d in r.json()] == [(RECEIVED, "pending")]
    assert r.json()[0]["reason"]
    r = cosell("sync", "--push")
    assert r.code == 0 and "pushed 1 changes" in r.out
    assert env.referrals[RECEIVED]["substatus"] == "Accepted"
    assert cosell("sync", "--status", "--json").json() == []
    r = cosell("sync", "--status")
    assert r.code == 0 and "every deal is in step" in r.out
    r = cosell("sync", "--pull")
    assert r.code == 0 and "pulled 1 referrals (0 new, 0 updated, 1 unchanged)" in r.out


def test_no_token_is_one_line_exit_2_and_nothing_changed(cosell, sctx, env, monkeypatch, tmp_path):
    before = counts(sctx.store)
    monkeypatch.delenv("COSELL_PC_TOKEN")
    r = cosell("sync")
    assert r.code == 2 and no_traceback(r) and r.out == ""
    assert len(r.err.strip().splitlines()) == 1 and "cosell login" in r.err and "COSELL_PC_TOKEN" in r.err
    assert env.requests == []
    monkeypatch.setenv("COSELL_PC_TOKEN", "refused")
    r = cosell("sync")
    assert r.code == 2 and "401" in r.err and len(r.err.strip().splitlines()) == 1
    assert counts(sctx.store) == before and len(env.requests) == 1      # the refused GET, nothing after it
    assert cosell("sync", "--status", "--json").json() == []


def test_unreachable_exits_6_and_keeps_the_queue(cosell, sctx, env, monkeypatch):
    assert cosell("sync").code == 0
    assert cosell("accept", RECEIVED).code == 0
    monkeypatch.setenv("COSELL_PC_API_URL", f"http://127.0.0.1:{closed_port()}")
    r = cosell("sync")
    assert r.code == 6 and no_traceback(r) and "cannot be reached" in r.err
    assert [d["id"] for d in cosell("sync", "--status", "--json").json()] == [RECEIVED]
    monkeypatch.setenv("COSELL_PC_API_URL", env.url)
    assert cosell("sync").code == 0 and cosell("sync", "--status", "--json").json() == []


def test_a_conflict_exits_5_is_listed_and_resolved(cosell, sctx, env):
    assert cosell("sync").code == 0
    assert cosell("edit", ACCEPTED, "--name", "Ours").code == 0
    env.change(ACCEPTED, name="Theirs")
    r = cosell("sync")
    assert r.code == 5 and f"--resolve {ACCEPTED}" in r.err and no_traceback(r)
    [row] = cosell("sync", "--status", "--json").json()
    assert (row["id"], row["state"]) == (ACCEPTED, "conflict")
    r = cosell("sync", "--status")
    assert ACCEPTED in r.out and "conflict" in r.out and "1 in conflict" in r.out
    assert cosell("sync", "--resolve", ACCEPTED).code == 2                    # which side?
    r = cosell("sync", "--resolve", ACCEPTED[:8], "--take-theirs")
    assert r.code == 0, r.err
    assert cosell("show", ACCEPTED, "--json").json()["name"] == "Theirs"
    assert cosell("sync").code == 0
    r = cosell("sync", "--resolve", ACCEPTED, "--keep-mine")
    assert r.code == 2 and "not in conflict" in r.err


def test_keep_mine_then_sync_pushes_ours(cosell, sctx, env):
    assert cosell("sync").code == 0
    assert cosell("edit", ACCEPTED, "--name", "Ours").code == 0
    env.change(ACCEPTED, name="Theirs")
    assert cosell("sync").code == 5
    assert cosell("sync", "--resolve", ACCEPTED, "--keep-mine").code == 0
    assert cosell("sync").code == 0 and env.referrals[ACCEPTED]["name"] == "Ours"


def test_db_anywhere_on_the_line_and_a_new_file_is_created(env, tmp_path, monkeypatch, capsys, request):
    import os

    if os.environ.get("COSELL_TEST_DATABASE_URL"):
        pytest.skip("a new SQLite file")
    monkeypatch.setenv("COSELL_NOW", "2026-11-20T09:00:00+00:00")
    path = tmp_path / "fresh" / "new.db"
    assert main(["sync", "--status", "--db", str(path)]) == 0
    assert path.exists()
    assert main(["sync", "--db", str(path), "--pull"]) == 0
    capsys.readouterr()
    assert main(["sync", "--status", "--json", "--db", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_usage_errors_exit_2(cosell, sctx, env):
    for argv in (("sync", "--pull", "--push"), ("sync", "--keep-mine"), ("sync", "--json"),
                 ("sync", "--resolve", RECEIVED, "--keep-mine", "--take-theirs")):
        r = cosell(*argv)
        assert r.code == 2 and no_traceback(r), argv


def test_login_without_settings_is_one_line_exit_2(cosell, sctx, env):
    r = cosell("login")
    assert r.code == 2 and no_traceback(r) and "partner_center.tenant" in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_an_import_and_a_sync_agree(cosell, sctx, env, tmp_path):
    """The same referral through `cosell import` and through a pull gives the same deal."""
    path = tmp_path / "pc.json"
    path.write_text(dumps(pc_list_file()["value"][:1]), encoding="utf-8")
    assert cosell("import", str(path)).code == 0
    before = cosell("show", RECEIVED, "--json").json()
    assert cosell("sync", "--pull").code == 0
    after = cosell("show", RECEIVED, "--json").json()
    assert after["version"] == before["version"] and after["name"] == before["name"]
