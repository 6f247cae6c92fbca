"""`cosell users add | list | set | remove`: who may use cosell, with which role and scope (R1).

Admins only. The first OS login to open a new database becomes its admin; from
then on an admin adds each teammate by OS login. There is no option to act as
another user: the acting user is always the OS login running the command.
"""
from __future__ import annotations

import argparse

from cli import common
from model.services import users
from model.domain.enums import Role, parse_enum


def _role(value: str) -> Role:
    try:
        return parse_enum(Role, value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a role: admin or user") from None


def _scope_args(p: argparse.ArgumentParser) -> None:
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--location", metavar="LOC", help="the one location whose deals the user may see (R1.3)")
    scope.add_argument("--global", dest="global_scope", action="store_true",
                       help="no location scope (admins only, R1.4)")


def _person_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", help="display name")
    p.add_argument("--email", help="e-mail address, as it appears on deal teams")
    p.add_argument("--phone", help="phone number")
    p.add_argument("--role", type=_role, help="admin or user (referral admin / referral user)")
    _scope_args(p)


def _row(user) -> list[str]:
    return [user.login, user.display_name, user.email, user.phone, user.role.label, user.location or "global"]


def _print_user(user, as_json: bool) -> None:
    if as_json:
        common.print_json(user)
    else:
        common.print_table(["LOGIN", "NAME", "EMAIL", "PHONE", "ROLE", "SCOPE"], [_row(user)])


def _add(args) -> int:
    ctx = common.context(args)
    user = users.add_user(ctx, args.login, display_name=args.name or "", email=args.email or "",
                          phone=args.phone or "", role=args.role or Role.USER,
                          location=None if args.global_scope else args.location)
    print(f"added {common.safe(user.login)} ({user.role.label}, {common.safe(user.location or 'global scope')})")
    return common.EXIT_OK


def _list(args) -> int:
    ctx = common.context(args)
    rows = users.list_users(ctx)
    if args.json:
        common.print_json(rows)
    else:
        common.print_table(["LOGIN", "NAME", "EMAIL", "PHONE", "ROLE", "SCOPE"], [_row(u) for u in rows])
    return common.EXIT_OK


def _set(args) -> int:
    changes = {}
    if args.name is not None:
        changes["display_name"] = args.name
    if args.email is not None:
        changes["email"] = args.email
    if args.phone is not None:
        changes["phone"] = args.phone
    if args.role is not None:
        changes["role"] = args.role
    if args.global_scope:
        changes["location"] = None
    elif args.location is not None:
        changes["location"] = args.location
    if not changes:
        raise ValueError("nothing to change: give --name, --email, --phone, --role, --location or --global")
    ctx = common.context(args)
    _print_user(users.set_user(ctx, args.login, **changes), args.json)
    return common.EXIT_OK


def _remove(args) -> int:
    ctx = common.context(args)
    gone = users.remove_user(ctx, args.login)
    print(f"removed {common.safe(gone.login)}; their deals stay with their teams")
    return common.EXIT_OK


def register(sub) -> None:
    group = sub.add_parser("users", help="manage who may use cosell (admins only, R1)",
                           description="Manage cosell users: OS logins with a role and a location scope (R1). "
                                       "Admins only; the first login of a new database becomes its admin.")
    verbs = group.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    p = verbs.add_parser("add", help="add a user by OS login")
    p.add_argument("login", help="the OS login name")
    _person_args(p)
    p.set_defaults(handler=_add)

    p = verbs.add_parser("list", help="list users, their roles and scopes")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_list, only_reads=True)

    p = verbs.add_parser("set", help="change a user's name, e-mail, phone, role or scope")
    p.add_argument("login")
    _person_args(p)
    p.add_argument("--json", action="store_true", help="print the user as JSON")
    p.set_defaults(handler=_set)

    p = verbs.add_parser("remove", help="remove a user (the last admin stays)")
    p.add_argument("login")
    p.set_defaults(handler=_remove)
