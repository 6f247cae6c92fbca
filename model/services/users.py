"""R1: who may use cosell, with which role and location scope. Admins only.

The acting admin's role is re-read inside each transaction, so an admin
demoted a second ago cannot still add users from an open session; the last
admin cannot be removed or demoted, or nobody could manage users afterwards.
Who is acting at all (the OS login, the first admin) is ``model.identity``.
On PostgreSQL in the enforced mode adding a user also creates the login's own
database role, and removing one takes it away, in the same transaction
(``model.store.rls``).
"""
from __future__ import annotations

from model.domain.enums import Role
from model.domain.errors import AccessDenied, NotFound, RuleViolation, Violation
from model.domain.schemas import User
from model.services.context import Ctx
from model.store import rls
from model.store import users as rows
from model.users import user_violations

_FIELDS = ("display_name", "email", "phone", "role", "location")


def _require_admin(session, ctx: Ctx, verb: str) -> None:
    """The acting user must be an admin *now* (their row, when they have one, decides)."""
    current = rows.find_user(session, ctx.user.login)
    if current is not None:
        is_admin = current.is_admin
    else:
        # Only a database with no users yet trusts the injected user (tests, first setup).
        is_admin = rows.user_count(session) == 0 and ctx.user.is_admin
    if not is_admin:
        admins = rows.admin_logins(session)
        raise AccessDenied(f"only a referral admin can {verb} (R1.1); ask {', '.join(admins) or 'an admin'}")


def _existing(session, login: str) -> User:
    found = rows.find_user(session, login)
    if found is None:
        raise NotFound(f"no cosell user {login!r}")
    return found


def list_users(ctx: Ctx) -> list[User]:
    with ctx.store.read() as session:
        _require_admin(session, ctx, "list users")
        return rows.all_users(session)


def add_user(ctx: Ctx, login: str, *, display_name: str = "", email: str = "", phone: str = "",
             role: Role = Role.USER, location: str | None = None) -> User:
    login = (login or "").strip()
    user = User(login=login, display_name=(display_name or "").strip() or login, email=(email or "").strip(),
                phone=(phone or "").strip(), role=role, location=(location or "").strip() or None)
    with ctx.store.write() as session:
        _require_admin(session, ctx, "add users")
        out = user_violations(user)
        if rows.find_user(session, user.login) is not None:
            out.append(Violation("R1.1", f"{user.login!r} is already a cosell user (use `cosell users set`)", "login"))
        if user.email and rows.email_taken(session, user.email, user.login):
            out.append(Violation("R1.3", f"another user already has the e-mail {user.email!r}", "email"))
        if out:
            raise RuleViolation(out, "add the user")
        added = rows.insert_user(session, user)
        _give_database_role(session, user.login)
        return added


def set_user(ctx: Ctx, login: str, **changes) -> User:
    """Change any of display_name, email, phone, role, location (None location = global scope)."""
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a user")
    with ctx.store.write() as session:
        _require_admin(session, ctx, "change users")
        current = _existing(session, login)
        clean = {k: (v.strip() if type(v) is str else v) for k, v in changes.items()}
        if "location" in clean:
            clean["location"] = clean["location"] or None
        try:
            new = User.model_validate({**current.model_dump(), **clean})  # "admin" → Role.ADMIN
        except ValueError as exc:
            raise RuleViolation(Violation("R1.1", str(exc)), "change the user") from None
        out = user_violations(new)
        if "email" in clean and rows.email_taken(session, new.email, login):
            out.append(Violation("R1.3", f"another user already has the e-mail {new.email!r}", "email"))
        if current.is_admin and not new.is_admin and rows.admins_besides(session, login) == 0:
            out.append(Violation("R1.1", f"{login} is the only admin; make someone else admin first", "role"))
        if out:
            raise RuleViolation(out, "change the user")
        return rows.update_user(session, new)


def remove_user(ctx: Ctx, login: str) -> User:
    with ctx.store.write() as session:
        _require_admin(session, ctx, "remove users")
        gone = _existing(session, login)
        if gone.is_admin and rows.admins_besides(session, login) == 0:
            raise RuleViolation(Violation("R1.1", f"{login} is the only admin; make someone else admin first"),
                                "remove the user")
        rows.delete_user(session, login)
        if rls.is_enforced(session):
            rls.remove_login(session, login)  # in the same transaction: both or neither
    return gone


def _give_database_role(session, login: str) -> None:
    """Enforced PostgreSQL mode: the login's own role (peer authentication), created with its users row."""
    if not rls.is_enforced(session):
        return
    try:
        rls.add_login(session, login)
    except rls.AccessSetupError as exc:
        raise RuleViolation(Violation("R1.1", str(exc), "login"), "add the user") from None
