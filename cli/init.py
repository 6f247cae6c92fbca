"""`cosell init [--shared DIR --group G | --shared --postgres URL] [--admin LOGIN]`: set up a database.

Without ``--shared``: create the database (``--db`` / ``COSELL_DATABASE_URL`` /
the user data dir) and make the caller its admin. With ``--shared DIR --group G``:
a team SQLite database in DIR that everyone in group G can write (and so read and
change directly: said on every run). With ``--shared --postgres URL``, run as a
PostgreSQL superuser: the enforced mode, one database role per OS login and
row-level security (``model.store.rls``). Both print the environment and crontab
lines to use it.
"""
from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from cli import common


def _cosell_executable() -> str:
    """An absolute path for crontab lines: cron's PATH rarely contains a virtualenv."""
    found = shutil.which("cosell")
    if found:
        return str(Path(found).resolve())
    argv0 = Path(sys.argv[0])
    if argv0.name == "cosell" and argv0.exists():
        return str(argv0.resolve())
    return f"{shlex.quote(sys.executable)} -m cli.main"


def _init(args) -> int:
    if args.postgres is not None:
        return _init_postgres(args)
    if args.shared is None:
        if args.group or args.admin:
            raise ValueError("--group and --admin go with --shared DIR")
        from model.services.setup import mark_initialised

        ctx = common.context(args)
        mark_initialised(ctx, "cosell init")
        print(f"database ready: {common.safe(ctx.store.url)}")
        print(f"you are {common.safe(ctx.user.login)} ({ctx.user.role.label}, "
              f"{common.safe(ctx.user.location or 'global scope')})")
        return common.EXIT_OK
    if not args.shared:
        raise ValueError("--shared needs DIR (SQLite) or --postgres URL")
    if not args.group:
        raise ValueError("--shared needs --group G: the Unix group of the team")
    if args.db:
        raise ValueError("--shared DIR chooses the database itself; leave out --db")
    from model.services.setup import TRUST_NOTE, check_modes, crontab_lines, prepare_shared

    setup = prepare_shared(args.shared, args.group, admin=args.admin)
    problems = check_modes(setup)
    quoted_url = shlex.quote(setup.url)
    print(f"Shared database ready: {common.safe(setup.database)}")
    print(f"  directory mode 2770, group {common.safe(setup.group)}; database files group-writable (0660)")
    print(f"  admin: {common.safe(setup.admin)} (add teammates with `cosell users add LOGIN ...`)")
    if setup.members:
        print(f"  members of {common.safe(setup.group)}: {common.safe(', '.join(setup.members))}")
    print()
    print("Each teammate adds this line to ~/.profile (or passes --db to every command):")
    print(f"  export COSELL_DATABASE_URL={quoted_url}")
    print(f"  # or: cosell --db {shlex.quote(str(setup.database))} ...")
    print()
    print("One teammate adds these lines with `crontab -e`:")
    for line in crontab_lines(setup, _cosell_executable()):
        print(f"  {line}")
    print()
    print(f"Note: {TRUST_NOTE}.")
    for problem in problems:
        print(f"cosell init: warning: {common.safe(problem)}", file=sys.stderr)
    return common.EXIT_ATTENTION if problems else common.EXIT_OK


def _init_postgres(args) -> int:
    if args.shared is None or args.shared:
        raise ValueError("--postgres URL goes with a bare --shared: cosell init --shared --postgres URL --admin LOGIN")
    if args.group or args.db:
        raise ValueError("--shared --postgres URL chooses the database itself; leave out --group and --db")
    if not args.admin:
        raise ValueError("--shared --postgres needs --admin LOGIN: the OS login of the team's first admin")
    from model.services.setup import crontab_lines, prepare_postgres

    setup = prepare_postgres(args.postgres, admin=args.admin)
    print(f"Shared PostgreSQL database ready: {common.safe(setup.url)}")
    print("  each OS login is its own database role (peer authentication over the Unix socket, no passwords);")
    print("  row-level security: a referral user sees only the deals of their location on whose team they are "
          "(R1.3), admins see all (R1.4); only admins write users, locations and the catalogue")
    print(f"  admin: {common.safe(setup.admin)} (`cosell users add LOGIN ...` also creates the login's role)")
    print()
    print("Each teammate adds this line to ~/.profile (or passes --db to every command):")
    print(f"  export COSELL_DATABASE_URL={shlex.quote(setup.url)}")
    print()
    print(f"{common.safe(setup.admin)} (an admin: a referral user's sweep sees only their own deals) "
          "adds these lines with `crontab -e`:")
    for line in crontab_lines(setup, _cosell_executable()):
        print(f"  {line}")
    for problem in setup.problems:
        print(f"cosell init: warning: {common.safe(problem)}", file=sys.stderr)
    return common.EXIT_ATTENTION if setup.problems else common.EXIT_OK


def register(sub) -> None:
    p = sub.add_parser(
        "init", help="create a database; --shared DIR --group G for a team on one box",
        description="Create the database and make you its admin. With --shared DIR --group G: a team "
                    "database in DIR (mode 2770, group G, files group-writable: every member can read and "
                    "change it directly) and the lines to use it. With --shared --postgres URL --admin LOGIN "
                    "(as a PostgreSQL superuser): a team database where each OS login is its own role "
                    "(peer authentication) and row-level security enforces who sees which deals.")
    p.add_argument("--shared", metavar="DIR", nargs="?", const="",
                   help="directory for a SQLite database the whole group shares (bare with --postgres)")
    p.add_argument("--postgres", metavar="URL",
                   help="with a bare --shared: set up this PostgreSQL database in the enforced mode "
                        "(e.g. postgresql+psycopg:///cosell?host=/var/run/postgresql)")
    p.add_argument("--group", metavar="G", help="the team's Unix group (with --shared)")
    p.add_argument("--admin", metavar="LOGIN",
                   help="with --shared, on a new database: this OS login becomes the first admin "
                        "(default: you; required with --postgres)")
    p.set_defaults(handler=_init)
