"""R1: who may use cosell, with which role and location scope. Admins only.

Visibility (R1.3) matches a referral user's e-mail against deal teams within
their location, so a user row needs an e-mail and, for a referral user, one
location. The last admin cannot be removed or demoted: nobody could manage
users afterwards. The acting admin's role is re-read inside the transaction,
so an admin demoted a second ago cannot still add users from an open session.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select

from model.domain.enums import Role
from model.domain.errors import AccessDenied, NotFound, RuleViolation, Violation
from model.identity import admin_logins, user_from_record
from model.domain.rules.deal_fields import EMAIL, PHONE
from model.domain.schemas import User
from model.store.tables import UserRecord

LOGIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,119}\$?$")
_FIELDS = ("display_name", "email", "phone", "role", "location")


def _require_admin(session, ctx, verb: str) -> None:
    """The acting user must be an admin *now* (their row, when they have one, decides)."""
    rec = session.get(UserRecord, ctx.user.login)
    if rec is not None:
        is_admin = rec.role == Role.ADMIN.value
    else:
        # Only a database with no users yet trusts the injected user (tests, first setup).
        empty = (session.scalar(select(func.count()).select_from(UserRecord)) or 0) == 0
        is_admin = empty and ctx.user.is_admin
    if not is_admin:
        admins = admin_logins(session)
        raise AccessDenied(f"only a referral admin can {verb} (R1.1); ask {', '.join(admins) or 'an admin'}")


def user_violations(user: User) -> list[Violation]:
    """Every problem with a user row, all at once."""
    out = []
    if not LOGIN.match(user.login or ""):
        out.append(Violation("R1.1", f"{user.login!r} is not an OS login name", "login"))
    email = (user.email or "").strip()
    if not email:
        out.append(Violation("R1.3", "an e-mail address is required: it is how deal teams name the user", "email"))
    elif not EMAIL.match(email):
        out.append(Violation("R1.3", f"{email!r} is not an e-mail address", "email"))
    if user.phone.strip() and not PHONE.match(user.phone.strip()):
        out.append(Violation("R1.1", f"{user.phone!r} is not a phone number", "phone"))
    if user.role is Role.USER and not (user.location or "").strip():
        out.append(Violation("R1.3", "a referral user has one location scope; give --location", "location"))
    return out


def _email_taken(session, email: str, login: str) -> bool:
    other = session.scalar(select(UserRecord.login).where(
        func.lower(UserRecord.email) == email.strip().lower(), UserRecord.login != login))
    return other is not None


def _admins_left(session, without: str) -> int:
    return session.scalar(select(func.count()).select_from(UserRecord).where(
        UserRecord.role == Role.ADMIN.value, UserRecord.login != without)) or 0


def list_users(ctx) -> list[User]:
    with ctx.store.read() as session:
        _require_admin(session, ctx, "list users")
        return [user_from_record(r) for r in session.scalars(select(UserRecord).order_by(UserRecord.login))]


def get_user(ctx, login: str) -> User:
    with ctx.store.read() as session:
        if login != ctx.user.login:
            _require_admin(session, ctx, "look up other users")
        rec = session.get(UserRecord, login)
        if rec is None:
            raise NotFound(f"no cosell user {login!r}")
        return user_from_record(rec)


def add_user(ctx, login: str, *, display_name: str = "", email: str = "", phone: str = "",
             role: Role = Role.USER, location: str | None = None) -> User:
    user = User(login=(login or "").strip(), display_name=(display_name or "").strip() or (login or "").strip(),
                email=(email or "").strip(), phone=(phone or "").strip(), role=role,
                location=(location or "").strip() or None)
    with ctx.store.write() as session:
        _require_admin(session, ctx, "add users")
        out = user_violations(user)
        if session.get(UserRecord, user.login) is not None:
            out.append(Violation("R1.1", f"{user.login!r} is already a cosell user (use `cosell users set`)", "login"))
        if user.email and _email_taken(session, user.email, user.login):
            out.append(Violation("R1.3", f"another user already has the e-mail {user.email!r}", "email"))
        if out:
            raise RuleViolation(out, "add the user")
        session.add(UserRecord(login=user.login, display_name=user.display_name, email=user.email,
                               phone=user.phone, role=user.role.value, location=user.location))
    return user


def set_user(ctx, login: str, **changes) -> User:
    """Change any of display_name, email, phone, role, location (None location = global scope)."""
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a user")
    with ctx.store.write() as session:
        _require_admin(session, ctx, "change users")
        rec = session.get(UserRecord, login)
        if rec is None:
            raise NotFound(f"no cosell user {login!r}")
        current = user_from_record(rec)
        clean = {k: (v.strip() if type(v) is str else v) for k, v in changes.items()}
        if "location" in clean:
            clean["location"] = clean["location"] or None
        try:
            new = User.model_validate({**current.model_dump(), **clean})  # "admin" → Role.ADMIN
        except ValueError as exc:
            raise RuleViolation(Violation("R1.1", str(exc)), "change the user") from None
        out = user_violations(new)
        if "email" in clean and _email_taken(session, new.email, login):
            out.append(Violation("R1.3", f"another user already has the e-mail {new.email!r}", "email"))
        if current.is_admin and not new.is_admin and _admins_left(session, login) == 0:
            out.append(Violation("R1.1", f"{login} is the only admin; make someone else admin first", "role"))
        if out:
            raise RuleViolation(out, "change the user")
        rec.display_name, rec.email, rec.phone = new.display_name or login, new.email, new.phone
        rec.role, rec.location = new.role.value, new.location
        return user_from_record(rec)


def remove_user(ctx, login: str) -> User:
    with ctx.store.write() as session:
        _require_admin(session, ctx, "remove users")
        rec = session.get(UserRecord, login)
        if rec is None:
            raise NotFound(f"no cosell user {login!r}")
        if rec.role == Role.ADMIN.value and _admins_left(session, login) == 0:
            raise RuleViolation(Violation("R1.1", f"{login} is the only admin; make someone else admin first"),
                                "remove the user")
        gone = user_from_record(rec)
        session.delete(rec)
    return gone
