"""The enforced shared box: PostgreSQL, one role per OS login (peer), row-level security (R1.3, R1.4).

Two OS users made here: an admin and a referral user of Sweden. Deals: one in
Sweden with the referral user on the team, one in Sweden without them, one in
Norway with them on the team (another location: R1.3 says no), and one the
referral user creates with ``cosell create``. Each connects with ``psql`` and
with ``cosell``; the database alone must keep the others' rows out of reach.
"""
from __future__ import annotations

import json
import os

import pytest

from factories import make_draft, make_inbound
from model.domain.schemas import Person
from pc_standin import TOKEN, pc  # noqa: F401  (fixture: Partner Center's stand-in on 127.0.0.1)
from shared_support import seed_catalogue

REPORT: list[str] = []

REF_EMAIL = "rls.ref@contoso-partner.com"


def _seed_as_admin(url: str):
    """The catalogue (an admin may write it) and three inbound deals received through the services (R3.1)."""
    def run():
        from model.services.creation import receive_inbound
        from model.services.setup import open_context

        ctx = open_context(url, create=False)
        seed_catalogue(ctx.store)
        ids = {}
        for key, location, email in (("se_mine", "Sweden", REF_EMAIL),
                                     ("se_other", "Sweden", "someone.else@contoso-partner.com"),
                                     ("no_mine", "Norway", REF_EMAIL)):
            deal = make_inbound(name=f"RLS {key}", location=location,
                                team=[Person(name=key, phone="+46 70 123 45 67", email=email)])
            ids[key] = receive_inbound(ctx, deal).id
        print(json.dumps(ids))
        return 0
    return run


@pytest.fixture(scope="module")
def box(cluster, logins):
    admin, ref = logins.make("adm"), logins.make("ref")
    logins.home(cluster.owner)
    r = logins.cosell(cluster.owner, "init", "--shared", "--postgres", cluster.url, "--admin", admin, db="")
    assert r.code == 0, r.err + r.out
    assert "row-level security" in r.out and "COSELL_DATABASE_URL=" in r.out
    REPORT.append(f"{cluster.owner} (superuser) cosell init --shared --postgres URL --admin {admin}: exit {r.code}\n"
                  + "\n".join(f"    {line}" for line in r.out.splitlines()))
    r = logins.cosell(admin, "users", "add", ref, "--name", "Rita Referral", "--email", REF_EMAIL,
                      "--location", "Sweden")
    assert r.code == 0, r.err
    r = logins.python(admin, _seed_as_admin(cluster.url))
    assert r.code == 0, r.err
    ids = json.loads(r.out.splitlines()[-1])
    draft = logins.homes / ref / "draft.json"
    draft.write_text(make_draft(name="RLS created by ref", location="Sweden",
                                team=[Person(name="Rita", phone="+46 70 765 43 21", email=REF_EMAIL)])
                     .model_dump_json())
    os.chmod(draft, 0o644)
    r = logins.cosell(ref, "create", "--from", str(draft), "--confirm", "--json")
    # INSERT on deals, then its team and events: the "written by this transaction" policies
    assert r.code == 0, r.err + (cluster.root / "server.log").read_text()[-6000:]
    ids["created"] = json.loads(r.out)["id"]
    return {"admin": admin, "ref": ref, "ids": ids, "cluster": cluster, "logins": logins}


def _note(label: str, r) -> None:
    said = r.out or r.err or "(no rows)"
    REPORT.append(f"{label}: exit {r.code}; {said.replace(chr(10), ' | ')}")


def test_referral_users_psql_session_sees_only_their_deals(box):
    c, ref, admin, ids = box["cluster"], box["ref"], box["admin"], box["ids"]
    mine = c.psql(ref, "SELECT name FROM deals ORDER BY name")
    _note(f"{ref} (referral, Sweden) psql SELECT name FROM deals", mine)
    assert mine.code == 0, mine.err
    assert mine.out.splitlines() == ["RLS created by ref", "RLS se_mine"]  # R1.3: location AND team
    count = c.psql(ref, "SELECT count(*) FROM deals")
    _note(f"{ref} psql SELECT count(*) FROM deals", count)
    assert count.out == "2"
    everything = c.psql(admin, "SELECT count(*) FROM deals")
    _note(f"{admin} (admin) psql SELECT count(*) FROM deals", everything)
    assert everything.out == "4"  # R1.4
    hidden = ", ".join(f"'{ids[k]}'" for k in ("se_other", "no_mine"))
    for table in ("deals", "deal_team", "deal_events", "deal_notes", "outbox"):
        column = "id" if table == "deals" else "deal_id"
        r = c.psql(ref, f"SELECT count(*) FROM {table} WHERE {column} IN ({hidden})")
        assert (r.code, r.out) == (0, "0"), (table, r)
        r = c.psql(admin, f"SELECT count(*) > 0 FROM {table} WHERE {column} IN ({hidden})")
        assert r.out == "t", (table, r)  # they exist: an admin sees them
    other = c.psql(ref, f"SELECT id, name FROM deals WHERE id = '{ids['no_mine']}'")
    _note(f"{ref} psql SELECT ... another location's deal by id", other)
    assert (other.code, other.out) == (0, "")


def test_referral_user_cannot_become_admin_or_write_what_is_not_theirs(box):
    c, ref, admin, ids = box["cluster"], box["ref"], box["admin"], box["ids"]
    r = c.psql(ref, f"UPDATE users SET role = 'admin' WHERE login = '{ref}' RETURNING login")
    _note(f"{ref} psql UPDATE users SET role='admin'", r)
    assert (r.code, r.out) == (0, "")  # the row is not theirs to write: nothing updated
    assert c.psql(admin, f"SELECT role FROM users WHERE login = '{ref}'").out == "user"
    refused = {
        "INSERT INTO users": "INSERT INTO users (login, display_name, email, phone, role) "
                             "VALUES ('crlsx', 'x', 'x@x.example', '', 'admin')",
        "INSERT INTO locations": "INSERT INTO locations (mpn_id, name, created_at, created_by) "
                                 "VALUES ('9', 'Atlantis', now(), 'x')",
        "INSERT INTO accounts": "INSERT INTO accounts (account_id, name, norm_name, tab) VALUES ('A', 'a', 'a', 'x')",
        "team row on a hidden deal": "INSERT INTO deal_team (deal_id, position, name, phone, email, email_lc) "
                                     f"VALUES ('{ids['se_other']}', 9, 'me', '1', '{REF_EMAIL}', '{REF_EMAIL}')",
        "moving a deal to another location": f"UPDATE deals SET location = 'Norway' WHERE id = '{ids['se_mine']}'",
        "a message about no deal (mail through cosell)":
            "INSERT INTO outbox (created_at, kind, deal_id, recipient, subject, body, attempts, dedupe_key) "
            "VALUES (now(), 'x', NULL, 'victim@example.com', 'Reset your password', 'b', 0, 'rls-k1')",
        "sync state of a hidden deal": "INSERT INTO sync_state (deal_id, synced_version, state, attempts) "
                                       f"VALUES ('{ids['se_other']}', 1, 'in_step', 0)",
        "DROP TABLE users": "DROP TABLE users",
        "TRUNCATE users": "TRUNCATE users",
        "SET ROLE": f"SET ROLE {admin}",
        "SET SESSION AUTHORIZATION": f"SET SESSION AUTHORIZATION {admin}",
        "cosell_add_login": "SELECT cosell_add_login('crlsx')",
    }
    for label, sql in refused.items():
        r = c.psql(ref, sql)
        _note(f"{ref} psql {label}", r)
        assert r.code != 0, (label, r)
        assert any(words in r.err for words in ("violates row-level security", "permission denied",
                                                "only a cosell admin", "must be owner")), (label, r.err)
    for sql in (f"UPDATE deals SET name = 'mine now' WHERE id = '{ids['no_mine']}' RETURNING id",
                f"DELETE FROM deals WHERE id IN ('{ids['no_mine']}', '{ids['se_other']}') RETURNING id",
                "UPDATE meta SET value = 'x' RETURNING key", "DELETE FROM deal_events RETURNING id"):
        r = c.psql(ref, sql)
        assert (r.code, r.out) == (0, ""), (sql, r)
    assert c.psql(admin, "SELECT count(*) FROM deals WHERE name = 'mine now'").out == "0"
    as_admin = c.psql(ref, "SELECT 1", user=admin)
    _note(f"{ref} psql -U {admin}", as_admin)
    assert as_admin.code != 0 and "peer authentication failed" in as_admin.err.lower()


def test_a_referral_push_writes_its_own_sync_state_but_never_moves_the_pull_cursor(box):
    c, ref, ids = box["cluster"], box["ref"], box["ids"]
    r = c.psql(ref, "INSERT INTO sync_state (deal_id, synced_version, state, attempts) "
                    f"VALUES ('{ids['se_mine']}', 1, 'in_step', 0) RETURNING deal_id")
    assert (r.code, r.out) == (0, ids["se_mine"]), r
    assert c.psql(c.owner, "INSERT INTO sync_cursor (id, last_updated) VALUES (1, '2026-11-01T00:00:00Z')").code == 0
    r = c.psql(ref, "UPDATE sync_cursor SET last_updated = '2099-01-01T00:00:00Z', last_push_at = now() "
                    "RETURNING last_updated, last_push_at IS NOT NULL")
    _note(f"{ref} psql UPDATE sync_cursor SET last_updated = '2099-...', last_push_at = now()", r)
    assert (r.code, r.out) == (0, "2026-11-01T00:00:00Z|t"), r  # the push's stamp only
    assert c.psql(box["admin"], "UPDATE sync_cursor SET last_updated = '2026-11-02T00:00:00Z' "
                                "RETURNING last_updated").out == "2026-11-02T00:00:00Z"


def test_cosell_as_each_login_lists_what_the_database_lets_it_see(box):
    c, ref, admin, ids, logins = box["cluster"], box["ref"], box["admin"], box["ids"], box["logins"]
    r = logins.cosell(ref, "list", "--json")
    assert r.code == 0, r.err
    names = sorted(d["name"] for d in json.loads(r.out)["deals"])
    REPORT.append(f"{ref} cosell list: {names}")
    assert names == ["RLS se_mine"]  # the created deal is outbound
    r = logins.cosell(admin, "list", "--json")
    assert r.code == 0, r.err
    names = sorted(d["name"] for d in json.loads(r.out)["deals"])
    REPORT.append(f"{admin} cosell list: {names}")
    assert names == ["RLS no_mine", "RLS se_mine", "RLS se_other"]
    r = logins.cosell(ref, "show", ids["no_mine"])
    assert r.code != 0 and "RLS no_mine" not in r.out
    # A hand-written URL naming the admin: the server's peer check refuses the connection.
    r = logins.cosell(ref, "list", "--json", db=f"postgresql+psycopg://{admin}@/cosell?host={c.root}")
    REPORT.append(f"{ref} cosell --db postgresql+psycopg://{admin}@/... list: exit {r.code}; {r.err}")
    assert r.code != 0 and "RLS se_other" not in r.out and "RLS no_mine" not in r.out
    assert "Traceback" not in r.err


def test_referral_user_works_on_their_own_deals_through_the_app(box):
    ref, ids, logins = box["ref"], box["ids"], box["logins"]
    r = logins.cosell(ref, "accept", ids["se_mine"])
    assert r.code == 0, r.err  # UPDATE deals, INSERT events and outbox rows under the policies
    r = logins.cosell(ref, "note", ids["se_mine"], "Called the customer")
    assert r.code == 0, r.err
    r = logins.cosell(ref, "team", ids["created"], "add", "--name", "Sam Second", "--phone", "+46 70 111 22 33",
                      "--email", "sam@contoso-partner.com")
    assert r.code == 0, r.err  # the team rows are replaced: DELETE and INSERT on deal_team
    r = logins.cosell(ref, "stage", ids["created"])
    assert r.code == 0, r.err
    r = logins.cosell(ref, "sweep")  # a referral user's cron job touches only what they see
    assert r.code == 0, r.err
    r = logins.cosell(ref, "note", ids["no_mine"], "Not mine")
    assert r.code != 0
    r = box["cluster"].psql(box["admin"], f"SELECT count(*) FROM deal_notes WHERE deal_id = '{ids['no_mine']}' "
                                          "AND text = 'Not mine'")
    assert r.out == "0"


def test_a_referral_users_push_of_their_new_deal_works_under_the_policies(box, pc):
    """The first push of a new outbound deal POSTs it and moves it to Partner Center's id: a new deals
    row, its team, notes and events moved, the old row deleted, its sync state written."""
    import httpx

    from model.partner_center.client import PartnerCenter

    c, ref, ids, url = box["cluster"], box["ref"], box["ids"], box["cluster"].url
    transport = httpx.HTTPTransport(verify=False)  # made here: plain http to 127.0.0.1, no CA file to read

    def push():
        from model.services import sync
        from model.services.setup import open_context

        ctx = open_context(url, create=False)
        report = sync.sync_now(ctx, pull=False,
                               client=PartnerCenter(pc.url, TOKEN, sleep=lambda s: None, transport=transport))
        print(json.dumps({"exit": report.exit_code, "pushed": report.pushed}))
        return 0

    r = box["logins"].python(ref, push)
    assert r.code == 0, r.err
    assert json.loads(r.out.splitlines()[-1])["exit"] == 0, r.out
    r = c.psql(ref, "SELECT id FROM deals WHERE name = 'RLS created by ref'")
    assert r.code == 0 and r.out and r.out != ids["created"], r
    new_id = r.out
    for table in ("deal_team", "deal_events", "sync_state"):
        r = c.psql(ref, f"SELECT count(*) > 0 FROM {table} WHERE deal_id = '{new_id}'")
        assert r.out == "t", (table, r)
    assert c.psql(box["admin"], f"SELECT count(*) FROM deals WHERE id = '{ids['created']}'").out == "0"
    REPORT.append(f"{ref} pushed their new outbound deal: Partner Center's id {new_id} replaced {ids['created']}")
    ids["created"] = new_id


def test_export_and_an_admins_import_under_the_policies(box):
    ref, admin, logins = box["ref"], box["admin"], box["logins"]
    r = logins.cosell(ref, "export")
    assert r.code == 0, r.err
    assert sorted(d["name"] for d in json.loads(r.out)["value"]) == ["RLS created by ref", "RLS se_mine"]
    r = logins.cosell(admin, "export")
    assert r.code == 0, r.err
    everything = json.loads(r.out)
    assert len(everything["value"]) == 4
    dump = logins.home(admin) / "all.json"
    dump.write_text(json.dumps(everything))
    os.chmod(dump, 0o644)
    r = logins.cosell(admin, "import", str(dump))
    assert r.code == 0, r.err  # an admin's import reconciles every deal (R1.4), whatever its team
    r = logins.cosell(ref, "import", str(dump))
    assert r.code != 0  # R1.1: referral admins only


def test_users_add_and_remove_create_and_drop_the_logins_role(box):
    c, admin, ref, logins = box["cluster"], box["admin"], box["ref"], box["logins"]
    second, extra = logins.make("adm2"), logins.make("tmp")
    assert c.psql(extra, "SELECT 1").code != 0  # no role yet
    r = logins.cosell(ref, "users", "add", extra, "--email", "tmp@contoso-partner.com", "--location", "Sweden")
    assert r.code == 4 and c.psql(extra, "SELECT 1").code != 0  # R1.1: admins only
    r = logins.cosell(admin, "users", "add", second, "--email", "adm2@contoso-partner.com", "--role", "admin",
                      "--global")
    assert r.code == 0, r.err
    # An admin made later manages users too: the setup's functions are theirs to call.
    r = logins.cosell(second, "users", "add", extra, "--email", "tmp@contoso-partner.com", "--location", "Norway")
    assert r.code == 0, r.err
    r = c.psql(extra, "SELECT count(*) FROM deals")
    assert (r.code, r.out) == (0, "0")  # in, but on no team
    r = c.psql(extra, f"SELECT cosell_remove_login('{ref}')")
    assert r.code != 0 and "only a cosell admin" in r.err
    r = logins.cosell(second, "users", "remove", extra)
    assert r.code == 0, r.err
    r = c.psql(extra, "SELECT 1")
    assert r.code != 0 and "does not exist" in r.err, r
    assert c.psql(admin, f"SELECT count(*) FROM pg_roles WHERE rolname = '{extra}'").out == "0"


def test_setup_needs_a_superuser_and_can_be_run_again(box):
    c, logins, admin, ref = box["cluster"], box["logins"], box["admin"], box["ref"]
    r = logins.cosell(admin, "init", "--shared", "--postgres", c.url, "--admin", admin, db="")
    assert r.code == 2 and "not a PostgreSQL superuser" in r.err and "Traceback" not in r.err
    hba = c.root / "data" / "pg_hba.conf"
    kept = hba.read_text()
    # pg_hba_file_rules reads the file as it is on disk: a trust line is reported, not loaded.
    hba.write_text("local all all trust\n" + kept)
    try:
        r = logins.cosell(c.owner, "init", "--shared", "--postgres", c.url, "--admin", admin, db="")
    finally:
        hba.write_text(kept)
    assert r.code == 3, r.err  # done, with a warning that needs attention
    assert "pg_hba.conf line 1" in r.err and "trust" in r.err
    r = logins.cosell(c.owner, "init", "--shared", "--postgres", c.url, "--admin", admin, db="")
    assert r.code == 0, r.err  # again: policies and every user's grants re-applied
    assert c.psql(ref, "SELECT count(*) FROM deals").out == "2"


def test_a_database_with_deals_and_no_users_makes_nobody_admin(box):
    """Last: it empties the users table (as the server's superuser)."""
    c, ref, logins = box["cluster"], box["ref"], box["logins"]
    assert c.psql(c.owner, "DELETE FROM users").code == 0
    r = logins.cosell(ref, "list")
    REPORT.append(f"{ref} cosell list with no users: exit {r.code}; {r.err}")
    assert r.code != 0 and "not a cosell user" in r.err
    r = c.psql(ref, "INSERT INTO users (login, display_name, email, phone, role) "
                    f"VALUES ('{ref}', 'r', 'r@x.example', '', 'admin')")
    assert r.code != 0 and "row-level security" in r.err
    assert c.psql(c.owner, "SELECT count(*) FROM users").out == "0"


def test_report(box, capsys):
    """Not a check: what each session saw, for the closing note (pytest -s shows it)."""
    with capsys.disabled():
        print(f"\n(cosell ran as each login through {box['logins'].runner}; psql through runuser)")
        print("\n".join(REPORT))
    assert REPORT
