"""Who is acting: the OS login, mapped to a row of the users table (R1).

There is deliberately no flag or environment variable to act as someone else;
tests inject a ``User`` directly into the service context.
"""
from __future__ import annotations

import getpass

from sqlalchemy import func, select

from model.enums import Role
from model.errors import AccessDenied
from model.schemas import User
from model.store.tables import UserRecord


def os_login() -> str:
    return getpass.getuser()


def user_from_record(rec: UserRecord) -> User:
    return User(login=rec.login, display_name=rec.display_name, email=rec.email, phone=rec.phone,
                role=Role(rec.role), location=rec.location)


def resolve_user(store, login: str | None = None) -> User:
    """The acting user. The first login of a new database becomes its admin (R1.1)."""
    login = login or os_login()
    with store.write() as session:
        rec = session.get(UserRecord, login)
        if rec is None:
            if (session.scalar(select(func.count()).select_from(UserRecord)) or 0) == 0:
                rec = UserRecord(login=login, display_name=login, email=f"{login}@localhost",
                                 phone="", role=Role.ADMIN.value, location=None)
                session.add(rec)
                session.flush()
            else:
                admins = session.scalars(
                    select(UserRecord.login).where(UserRecord.role == Role.ADMIN.value)
                ).all()
                raise AccessDenied(
                    f"OS login {login!r} is not a cosell user; ask an admin "
                    f"({', '.join(admins) or 'none'}) to run `cosell users add {login} ...`"
                )
        return user_from_record(rec)
