"""The users table and the database's setup mark, in SQL (R1).

Identity (``model.identity``), user management (``model.services.users``) and
team setup (``model.shared_setup``) decide; these functions only read and write
rows inside the caller's session, so each decision and its write share one
transaction (an admin demoted a second ago cannot still add users, two first
logins cannot both become admin).
"""
from __future__ import annotations

from sqlalchemy import func, select

from model.domain.enums import Role
from model.domain.schemas import User
from model.store.tables import Meta, UserRecord

INITIALISED_KEY = "initialised_by"


def _user(rec: UserRecord) -> User:
    return User(login=rec.login, display_name=rec.display_name, email=rec.email, phone=rec.phone,
                role=Role(rec.role), location=rec.location)


def find_user(session, login: str) -> User | None:
    rec = session.get(UserRecord, login)
    return None if rec is None else _user(rec)


def user_count(session) -> int:
    return session.scalar(select(func.count()).select_from(UserRecord)) or 0


def all_users(session) -> list[User]:
    return [_user(r) for r in session.scalars(select(UserRecord).order_by(UserRecord.login))]


def admin_logins(session) -> list[str]:
    return list(session.scalars(
        select(UserRecord.login).where(UserRecord.role == Role.ADMIN.value).order_by(UserRecord.login)))


def admin_emails(session) -> list[str]:
    """Every admin's address, for messages to ``referral-admins`` (R12)."""
    emails = session.scalars(select(UserRecord.email).where(UserRecord.role == Role.ADMIN.value))
    return sorted({e for e in emails if e and "@" in e})


def email_taken(session, email: str, login: str) -> bool:
    """Another user than ``login`` already has ``email`` (case-insensitively)."""
    other = session.scalar(select(UserRecord.login).where(
        func.lower(UserRecord.email) == email.strip().lower(), UserRecord.login != login))
    return other is not None


def admins_besides(session, login: str) -> int:
    return session.scalar(select(func.count()).select_from(UserRecord).where(
        UserRecord.role == Role.ADMIN.value, UserRecord.login != login)) or 0


def insert_user(session, user: User) -> User:
    session.add(UserRecord(login=user.login, display_name=user.display_name, email=user.email,
                           phone=user.phone, role=user.role.value, location=user.location))
    session.flush()
    return user


def update_user(session, user: User) -> User:
    """Store every field of ``user`` on its existing row."""
    rec = session.get(UserRecord, user.login)
    rec.display_name, rec.email, rec.phone = user.display_name or user.login, user.email, user.phone
    rec.role, rec.location = user.role.value, user.location
    session.flush()
    return _user(rec)


def delete_user(session, login: str) -> None:
    rec = session.get(UserRecord, login)
    if rec is not None:
        session.delete(rec)


def mark_initialised(session, how: str) -> None:
    """Record once that a person set this database up for real use (``cosell init``)."""
    if session.get(Meta, INITIALISED_KEY) is None:
        session.add(Meta(key=INITIALISED_KEY, value=how))


def is_initialised(session) -> bool:
    return session.get(Meta, INITIALISED_KEY) is not None
