"""Who is acting: the OS login, mapped to a row of the users table (R1).

There is deliberately no flag or environment variable to act as someone else;
tests inject a ``User`` directly into the service context. That is also why the
login comes from the process's user id and not from ``getpass.getuser()``,
which believes ``$USER``/``$LOGNAME`` — on a shared box anyone could set those.
"""
from __future__ import annotations

import os

from model.domain.enums import Role
from model.domain.errors import AccessDenied
from model.domain.schemas import User
from model.store import users as user_rows


def os_login() -> str:
    """The login of the user this process runs as (effective uid), never taken from the environment."""
    try:
        import pwd
    except ImportError:  # pragma: no cover - Windows has no uid database; USERNAME is what there is
        import getpass

        return getpass.getuser()
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a container uid with no passwd entry
        return f"uid{uid}"


def not_a_user(login: str, admins: list[str]) -> AccessDenied:
    """The message a login without a users row gets: who can let them in, and how."""
    who = ", ".join(admins) if admins else "nobody (ask whoever set up this database)"
    return AccessDenied(
        f"OS login {login!r} is not a cosell user, so it sees no deals. "
        f"Ask an admin ({who}) to run: cosell users add {login} --name ... --email ... --location ..."
    )


def resolve_user(store, login: str | None = None) -> User:
    """The acting user. The first login of a new database becomes its admin (R1.1); of a database
    that has deals but no users, nobody does: emptying the users table must not hand the deals to
    whoever runs cosell next.

    Reads first: every CLI call resolves its user, and a write transaction there
    would queue each teammate's ``cosell list`` behind the writers.
    """
    login = login or os_login()
    with store.read() as session:
        found = user_rows.find_user(session, login)
    if found is not None:
        return found
    with store.write() as session:
        # Serialised with every other writer: two first logins cannot both become admin.
        found = user_rows.find_user(session, login)
        if found is not None:
            return found
        if user_rows.user_count(session) == 0:
            if store.holds_deals(session):
                # Its users were deleted (or the table emptied by hand): becoming admin by being
                # the next to run a command would hand every deal to whoever types first.
                raise AccessDenied(
                    f"database {store.name} holds deals but no users, so nobody becomes its admin by "
                    "running cosell: restore its users from a backup, or have the owner of the file set "
                    "it up again with `cosell init`")
            return user_rows.insert_user(session, User(login=login, display_name=login, email=f"{login}@localhost",
                                                       phone="", role=Role.ADMIN, location=None))
        raise not_a_user(login, user_rows.admin_logins(session))
