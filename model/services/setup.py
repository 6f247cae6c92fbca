"""Opening cosell for a face: where the data is, what time it is, who acts; setting a database up.

The CLI and the dashboard start here instead of reaching into ``model.store`` or
``model.identity`` themselves, so how a store is opened (SQLite file, PostgreSQL URL,
schema creation) and who the acting user is (the OS login of the real uid, never
``$USER``) are decided in one place. ``cosell init`` (a personal database, or a
team's on one shared box) comes through here too.
"""
from __future__ import annotations

import os

from model.clock import Clock, clock_from_env
from model.services.context import Ctx

#: Re-exported from ``model.shared_setup`` for `cosell init --shared`, imported when first asked
#: for (PEP 562): every other command opens its context here and needs none of them.
_SHARED_SETUP = ("TRUST_NOTE", "PostgresSetup", "SetupError", "SharedSetup", "check_modes", "crontab_lines",
                 "prepare_postgres", "prepare_shared")

__all__ = ["Ctx", "PostgresSetup", "SetupError", "SharedSetup", "TRUST_NOTE", "check_modes", "context_for",
           "crontab_lines", "is_team_database", "mark_initialised", "open_context", "open_store", "prepare_postgres",
           "prepare_shared", "refuse_missing_database"]


def __getattr__(name: str):
    if name in _SHARED_SETUP:
        import model.shared_setup

        return getattr(model.shared_setup, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(database: str | os.PathLike | None = None, *, create: bool = True, long_lived: bool = False,
               existing: bool = False):
    """The store named by a path or URL (``None``: ``COSELL_DATABASE_URL`` or the default file).

    ``long_lived``: the process stays open across many actions (the dashboard), so the WAL is
    copied back on a thread of its own after writes, never inside an action's commit
    (``model.store.checkpoint``).

    ``existing``: the caller only reads (``cosell list``, ``expiring`` ...), so a SQLite file named
    explicitly (``database`` or ``COSELL_DATABASE_URL``) that is not there is refused before
    anything is made: a mistyped ``--db`` in a cron line would otherwise get a new empty database
    and answer "nothing expiring" for ever. The default file is still made on first use, and a
    file that exists is opened (and migrated) exactly as writers open it."""
    from model.store import open_store as _open

    if existing:
        refuse_missing_database(database)
    return _open(database, create=create, background_checkpoints=long_lived)


def refuse_missing_database(database: str | os.PathLike | None) -> None:
    """``DatabaseUnavailable`` (exit 2) when ``database`` (or ``COSELL_DATABASE_URL``) names a SQLite
    file that does not exist. A PostgreSQL server says itself whether its database exists."""
    from model.store.faults import DatabaseUnavailable

    path = _named_sqlite_file(database)
    if path is not None and not path.exists():
        raise DatabaseUnavailable(f"no database at {path} (check --db or COSELL_DATABASE_URL, "
                                  "or create it with `cosell init`); nothing was created")


def _named_sqlite_file(database: str | os.PathLike | None):
    """The SQLite file named explicitly, as the store would open it; None for the default
    database, a server URL or an in-memory one."""
    from model.store.engine import url_for
    from model.store.faults import sqlite_file

    if database is None and not os.environ.get("COSELL_DATABASE_URL"):
        return None
    return sqlite_file(url_for(database))


def context_for(store, clock: Clock | None = None) -> Ctx:
    """A service context on an open store, acting as the OS login of this process.

    On a PostgreSQL database in the enforced mode (``cosell init --shared --postgres``) the
    connection's role is the login (peer authentication), so that, not the process, says who
    acts, and nobody becomes anyone's admin by being first: the setup made the admin.
    """
    from model.identity import resolve_user

    user = _database_user(store) if store.is_postgres else None
    return Ctx(store=store, clock=clock or clock_from_env(), user=user or resolve_user(store))


def _database_user(store):
    from model.identity import not_a_user
    from model.store import rls
    from model.store import users as user_rows

    with store.read() as session:
        if not rls.is_enforced(session):
            return None
        login = rls.current_login(session)
        found = user_rows.find_user(session, login)
        if found is None:
            raise not_a_user(login, user_rows.admin_logins(session))
        return found


def open_context(database: str | os.PathLike | None = None, *, clock: Clock | None = None,
                 create: bool = True, existing: bool = False) -> Ctx:
    """Open the store and resolve who acts: what every CLI command and the dashboard begin with.
    ``existing``: a command that only reads (see ``open_store``)."""
    return context_for(open_store(database, create=create, existing=existing), clock)


def is_team_database(store) -> bool:
    """A database prepared with ``cosell init`` belongs to a team: never fill it with demo deals."""
    from model.shared_setup import is_initialised

    return is_initialised(store)


def mark_initialised(ctx: Ctx, how: str = "cosell init") -> None:
    """``cosell init``: this database is set up for real use, so no face fills it with demo deals."""
    from model.shared_setup import mark_initialised as _mark

    _mark(ctx.store, how)
