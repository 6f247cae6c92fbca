"""PostgreSQL's enforced multi-user mode: one database role per OS login, row-level security.

On a shared SQLite file visibility (R1.3/R1.4) is only as strong as the file's
mode: any group member can open it with ``sqlite3``. In this mode the server is
the second wall behind the app's own WHERE clauses (``model.store.queries``):
- each OS login connects over the Unix socket with peer authentication, so the
  connection's ``current_user`` *is* the login (no passwords, nothing to claim);
- every login role gets CONNECT and table privileges directly, never a role
  membership, so nobody can ``SET ROLE`` to anyone; PUBLIC loses CONNECT;
- policies carry the rules: a referral user selects only the deals of their
  location on whose team they are (``visible_to`` in SQL, in
  ``cosell_visible_deal_ids``), and the team, notes, events and outbox rows of those
  deals (and their sync state); they may write and delete those, insert deals
  in their own scope (and the child rows of a deal their own transaction just
  wrote: a deal being created has no team yet), and read users, locations and
  the catalogue; only admins write users, locations, the catalogue and
  ``meta``, and move the Partner Center pull's cursor;
- admin-ness is the ``users`` row (role ``admin``), read by SECURITY DEFINER
  helpers owned by whoever ran the setup (they read past the policies, which
  also avoids policies recursing into each other).

What the database cannot check are the domain rules themselves (a referral user
may still, by hand, change a field of a deal they can see); the app checks those.
All of the SQL is here; ``model.shared_setup`` decides when to run it.
"""
from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import make_url

from model.domain.enums import Role
from model.store.tables import Base, Meta

ACCESS_KEY = "access"
ENFORCED = "postgres-rls"
#: A comment marking roles cosell created, so ``users remove`` drops only those.
ROLE_COMMENT = "cosell login"
#: What PostgreSQL accepts as a role name that an OS login can also be (63 bytes, no quoting surprises).
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,61}\$?$")

ADMIN = "cosell_is_admin(current_user)"
# Policies are evaluated for every row a query touches, so each term below is either evaluated once
# per statement (a scalar sub-select is an InitPlan, ``IN (SELECT f())`` a hashed SubPlan) or cheap
# per row; a per-row SECURITY DEFINER call made 100k-deal scans take >30 s.
_ADMIN_ONCE = f"(SELECT {ADMIN})"
_WRITING = "pg_current_xact_id_if_assigned() IS NOT NULL"  # only a transaction that wrote has "fresh" rows


def _sees(column: str) -> str:
    """R1.3/R1.4: an admin, or a deal among the user's visible ones."""
    return f"({_ADMIN_ONCE} OR {column} IN (SELECT cosell_visible_deal_ids(current_user)))"


def _fresh(column: str) -> str:
    return f"({_WRITING} AND cosell_wrote_deal_now({column}))"


_FRESH_DEAL = f"({_WRITING} AND xmin::text = (pg_current_xact_id_if_assigned()::xid)::text)"
_IN_SCOPE = f"({_ADMIN_ONCE} OR (SELECT cosell_scope(current_user)) IN ('*', location))"

_READ_ALL = [("read_all", "SELECT", "true", None)]
# INSERT ... RETURNING checks the new row against the SELECT policy too, hence "or fresh" there.
_CHILD = [  # rows that hang off one deal: visible and writable with it
    ("deal_read", "SELECT", f"{_sees('deal_id')} OR {_fresh('deal_id')}", None),
    ("deal_insert", "INSERT", None, f"{_sees('deal_id')} OR {_fresh('deal_id')}"),
    ("deal_update", "UPDATE", _sees("deal_id"), f"{_sees('deal_id')} OR {_fresh('deal_id')}"),
    ("deal_delete", "DELETE", _sees("deal_id"), None),
]

#: table -> [(policy name, command, USING, WITH CHECK)], besides ``admin_all`` on every table.
#: A table missing here is refused by ``install`` (a new table must get its policy decided).
POLICIES: dict[str, list[tuple[str, str, str | None, str | None]]] = {
    "deals": [
        ("scope_read", "SELECT", f"{_sees('id')} OR {_FRESH_DEAL}", None),
        ("scope_insert", "INSERT", None, _IN_SCOPE),
        ("scope_update", "UPDATE", _sees("id"), _IN_SCOPE),
        # A new outbound deal takes Partner Center's id on its first push (``sync.replace_deal_id``): a
        # copy under the new id, its children moved to it, then the old row, teamless now, deleted.
        # (A trigger marks the old row written when its first team row moves: ``cosell_mark_moved_deal``.)
        ("scope_delete", "DELETE", f"{_sees('id')} OR {_FRESH_DEAL}", None),
    ],
    "deal_team": _CHILD,
    "deal_notes": _CHILD,
    "deal_events": _CHILD[:2],  # the history is append-only for referral users
    "outbox": [
        ("deal_read", "SELECT", f"deal_id IS NOT NULL AND ({_sees('deal_id')} OR {_fresh('deal_id')})", None),
        # A message about no deal (an import's) is an admin's to queue: nobody mails through cosell at will.
        ("deal_insert", "INSERT", None, f"deal_id IS NOT NULL AND ({_sees('deal_id')} OR {_fresh('deal_id')})"),
        ("deal_update", "UPDATE", f"deal_id IS NOT NULL AND {_sees('deal_id')}",
         f"deal_id IS NOT NULL AND {_sees('deal_id')}"),
    ],
    # What Partner Center last confirmed of each deal (its JSON too): seen and written with the deal
    # (a referral user's push of their own deals writes it).
    "sync_state": _CHILD,
    # One row; a push stamps last_push_at. Only an admin moves the pull's cursor (trigger in ``install``).
    "sync_cursor": _READ_ALL + [("stamp_insert", "INSERT", None, "id = 1"), ("stamp", "UPDATE", "id = 1", "id = 1")],
    "users": _READ_ALL,
    "locations": _READ_ALL,
    "accounts": _READ_ALL,
    "solutions": _READ_ALL,
    "partners": _READ_ALL,
    "meta": _READ_ALL,
    # Every write bumps the one counter row, so open dashboards notice changes.
    "change_counter": _READ_ALL + [("bump", "UPDATE", "id = 1", "id = 1")],
}


class AccessSetupError(Exception):
    """The connection may not set this mode up (not a superuser), or a login name PostgreSQL refuses."""


def _functions(schema: str, present: list[str]) -> list[str]:
    path = f"SET search_path = {_ident(schema)}, pg_temp"
    admin = Role.ADMIN.value
    tables = ", ".join(_ident(t) for t in present)
    schema = schema.replace("'", "''")  # from here on only inside a quoted literal of the bodies
    return [
        f"""CREATE OR REPLACE FUNCTION cosell_is_admin(p_who name) RETURNS boolean
            LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
            SELECT EXISTS (SELECT 1 FROM users u WHERE u.login = p_who::text AND u.role = '{admin}') $$""",
        # R1.3/R1.4, as model.store.queries.visible_to says it: the deals of the user's location (any,
        # with global scope) on whose team their e-mail is. An admin's are not listed (``_sees``).
        f"""CREATE OR REPLACE FUNCTION cosell_visible_deal_ids(p_who name) RETURNS SETOF varchar
            LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
            SELECT d.id FROM users u
              JOIN deal_team t ON t.email_lc = lower(btrim(u.email))
              JOIN deals d ON d.id = t.deal_id AND (u.location IS NULL OR d.location = u.location)
             WHERE u.login = p_who::text AND u.role <> '{admin}' AND btrim(u.email) <> '' $$""",
        # Where a user may put a deal: '*' anywhere (an admin, or global scope), else their location.
        f"""CREATE OR REPLACE FUNCTION cosell_scope(p_who name) RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
            SELECT CASE WHEN u.role = '{admin}' OR u.location IS NULL THEN '*' ELSE u.location END
              FROM users u WHERE u.login = p_who::text $$""",
        # The deal row was written by this very transaction (inserted in scope, or updated while
        # visible): its first team rows, events and messages may follow before it is visible.
        f"""CREATE OR REPLACE FUNCTION cosell_wrote_deal_now(p_deal varchar) RETURNS boolean
            LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
            SELECT EXISTS (SELECT 1 FROM deals d WHERE d.id = p_deal
                           AND d.xmin::text = (pg_current_xact_id_if_assigned()::xid)::text) $$""",
        # A team row moving to another deal id (a deal taking Partner Center's id) marks the deal it
        # leaves as written by this transaction while the mover can still see it, so the now teamless
        # old row can still be read and deleted by the same transaction (``_FRESH_DEAL``). Runs with
        # the mover's rights: the policies decide whether that UPDATE touches anything.
        f"""CREATE OR REPLACE FUNCTION cosell_mark_moved_deal() RETURNS trigger
            LANGUAGE plpgsql {path} AS $$
            BEGIN
              UPDATE deals SET version = version WHERE id = OLD.deal_id;
              RETURN NEW;
            END $$""",
        # Where the next pull starts (and when one ran) is an admin's to move: a referral user could
        # otherwise make everyone's pulls skip Partner Center's changes. Their push only stamps its time.
        f"""CREATE OR REPLACE FUNCTION cosell_guard_cursor() RETURNS trigger
            LANGUAGE plpgsql {path} AS $$
            BEGIN
              IF NOT (cosell_is_admin(current_user)
                      OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper)) THEN
                IF TG_OP = 'INSERT' THEN
                  NEW.last_updated := NULL;
                  NEW.last_pull_at := NULL;
                ELSE
                  NEW.last_updated := OLD.last_updated;
                  NEW.last_pull_at := OLD.last_pull_at;
                END IF;
              END IF;
              RETURN NEW;
            END $$""",
        f"""CREATE OR REPLACE FUNCTION cosell_add_login(p_login text) RETURNS void
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
            BEGIN
              IF NOT (cosell_is_admin(session_user)
                      OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper)) THEN
                RAISE EXCEPTION 'only a cosell admin can give a login access' USING ERRCODE = '42501';
              END IF;
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
                EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
                               'NOBYPASSRLS NOINHERIT', p_login);
                EXECUTE format('COMMENT ON ROLE %I IS %L', p_login, '{ROLE_COMMENT}');
              END IF;
              EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), p_login);
              EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {tables} TO %I', p_login);
              EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', '{schema}', p_login);
              -- Every login may call these two (an admin made later needs them); they check for an admin.
              EXECUTE format('GRANT EXECUTE ON FUNCTION cosell_add_login(text), cosell_remove_login(text) TO %I',
                             p_login);
            END $$""",
        f"""CREATE OR REPLACE FUNCTION cosell_remove_login(p_login text) RETURNS void
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
            BEGIN
              IF NOT (cosell_is_admin(session_user)
                      OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper)) THEN
                RAISE EXCEPTION 'only a cosell admin can take a login''s access away' USING ERRCODE = '42501';
              END IF;
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
                RETURN;
              END IF;
              EXECUTE format('REVOKE ALL ON TABLE {tables} FROM %I', p_login);
              EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', '{schema}', p_login);
              EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), p_login);
              EXECUTE format('REVOKE ALL ON FUNCTION cosell_add_login(text), cosell_remove_login(text) FROM %I',
                             p_login);
              IF shobj_description((SELECT oid FROM pg_roles WHERE rolname = p_login), 'pg_authid')
                 = '{ROLE_COMMENT}' THEN
                BEGIN
                  EXECUTE format('DROP ROLE %I', p_login);
                EXCEPTION WHEN dependent_objects_still_exist THEN
                  NULL;  -- it holds rights in another database; it can no longer reach this one
                END;
              END IF;
            END $$""",
    ]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_can_install(session) -> None:
    """Only a superuser sets this mode up: it creates roles and SECURITY DEFINER functions."""
    row = session.execute(text(
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")).one()
    if not row.rolsuper:
        raise AccessSetupError(
            f"database role {row.current_user!r} is not a PostgreSQL superuser; run the setup as one "
            "(for example: sudo -u postgres cosell init --shared --postgres URL --admin LOGIN)")


def install(session) -> None:
    """Functions, grants, RLS and policies, idempotently (a re-run after a schema change updates them)."""
    schema = session.scalar(text("SELECT current_schema()"))
    database = session.scalar(text("SELECT current_database()"))
    present = sorted(session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}))
    undecided = sorted((set(present) | set(Base.metadata.tables)) - set(POLICIES))
    if undecided:
        raise AccessSetupError(f"no row-level policy decided for table(s) {', '.join(undecided)} "
                               "(model.store.rls.POLICIES)")
    session.execute(text(f"REVOKE ALL ON DATABASE {_ident(database)} FROM PUBLIC"))
    session.execute(text(f"REVOKE CREATE ON SCHEMA {_ident(schema)} FROM PUBLIC"))
    for statement in _functions(schema, present):
        session.execute(text(statement))
    for name in ("cosell_add_login(text)", "cosell_remove_login(text)"):
        session.execute(text(f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC"))
    for table in present:
        policies = POLICIES[table]
        t = _ident(table)
        session.execute(text(f"REVOKE ALL ON TABLE {t} FROM PUBLIC"))
        session.execute(text(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"))
        existing = session.scalars(text("SELECT policyname FROM pg_policies WHERE schemaname = :s AND tablename = :t"),
                                   {"s": schema, "t": table}).all()
        for name in existing:
            session.execute(text(f"DROP POLICY {_ident(name)} ON {t}"))
        session.execute(text(f"CREATE POLICY admin_all ON {t} FOR ALL USING ({_ADMIN_ONCE}) "
                             f"WITH CHECK ({_ADMIN_ONCE})"))
        for name, command, using, check in policies:
            clause = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
            session.execute(text(f"CREATE POLICY {_ident(name)} ON {t} FOR {command}{clause}"))
    session.execute(text("DROP TRIGGER IF EXISTS cosell_mark_moved_deal ON deal_team"))
    session.execute(text("CREATE TRIGGER cosell_mark_moved_deal BEFORE UPDATE OF deal_id ON deal_team FOR EACH ROW "
                         "WHEN (OLD.deal_id IS DISTINCT FROM NEW.deal_id) EXECUTE FUNCTION cosell_mark_moved_deal()"))
    if "sync_cursor" in present:
        session.execute(text("DROP TRIGGER IF EXISTS cosell_guard_cursor ON sync_cursor"))
        session.execute(text("CREATE TRIGGER cosell_guard_cursor BEFORE INSERT OR UPDATE ON sync_cursor "
                             "FOR EACH ROW EXECUTE FUNCTION cosell_guard_cursor()"))
    session.merge(Meta(key=ACCESS_KEY, value=ENFORCED))


def add_login(session, login: str) -> None:
    """The login's own database role (created unless it exists), with CONNECT and table privileges."""
    if not LOGIN_PATTERN.match(login or ""):
        raise AccessSetupError(f"{login!r} cannot be a PostgreSQL role name (letters, digits, _ . @ -; "
                               "at most 63 characters)")
    session.execute(text("SELECT cosell_add_login(:login)"), {"login": login})


def remove_login(session, login: str) -> None:
    """Take the login's access away; drop its role if cosell created it."""
    session.execute(text("SELECT cosell_remove_login(:login)"), {"login": login})


def is_enforced(session) -> bool:
    """This database was set up for the enforced mode (``install``)."""
    row = session.get(Meta, ACCESS_KEY)
    return row is not None and row.value == ENFORCED


def current_login(session) -> str:
    """Who this connection is: with peer authentication, the OS login that opened it."""
    return session.scalar(text("SELECT current_user"))


def peer_problems(session) -> list[str]:
    """What in pg_hba.conf lets someone connect as another login (read as the superuser, at setup)."""
    database = session.scalar(text("SELECT current_database()"))
    rows = session.execute(text(
        "SELECT line_number, type, database, user_name, auth_method, error FROM pg_hba_file_rules")).all()
    problems, local_seen = [], False
    for row in rows:  # in file order: the first line that matches a connection decides it
        if row.error or not (set(row.database or []) & {"all", database}):
            continue
        if row.type == "local":
            if local_seen:
                continue
            local_seen = True
            if row.auth_method != "peer":
                problems.append(f"pg_hba.conf line {row.line_number} gives local connections to {database!r} "
                                f"{row.auth_method!r}, not peer: who connects is then not their OS login")
        elif row.auth_method == "trust":
            problems.append(f"pg_hba.conf line {row.line_number} trusts {row.type} connections to {database!r}: "
                            "anyone can connect there as any login")
    if not local_seen:
        problems.append(f"pg_hba.conf has no 'local {database} all peer' line: teammates cannot connect "
                        "as their own OS login over the Unix socket")
    return problems


def teammate_url(url: str) -> str:
    """The URL each teammate uses: the setup's, without its user name or password (peer decides who)."""
    from urllib.parse import unquote

    rendered = make_url(url)._replace(username=None, password=None).render_as_string(hide_password=False)
    base, _, query = rendered.partition("?")
    return base + (f"?{unquote(query)}" if query else "")  # host=/var/run/postgresql, as people write it
