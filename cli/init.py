"""`cosell init [--shared DIR --group G [--admin LOGIN]]`: set up a database.

Without ``--shared``: create the database (``--db`` / ``COSELL_DATABASE_URL`` /
the user data dir) and make the caller its admin. With it: a team database in
DIR that everyone in group G can write (see ``model.services.setup``), and the
environment and crontab lines to use it.
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
    if not args.group:
        raise ValueError("--shared needs --group G: the Unix group of the team")
    if args.db:
        raise ValueError("--shared DIR chooses the database itself; leave out --db")
    from model.services.setup import check_modes, crontab_lines, prepare_shared

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
    for problem in problems:
        print(f"cosell init: warning: {common.safe(problem)}", file=sys.stderr)
    return common.EXIT_ATTENTION if problems else common.EXIT_OK


def register(sub) -> None:
    p = sub.add_parser(
        "init", help="create a database; --shared DIR --group G for a team on one box",
        description="Create the database and make you its admin. With --shared DIR --group G: a team "
                    "database in DIR (mode 2770, group G, files group-writable) and the lines to use it.")
    p.add_argument("--shared", metavar="DIR", help="directory for a database the whole group shares")
    p.add_argument("--group", metavar="G", help="the team's Unix group (with --shared)")
    p.add_argument("--admin", metavar="LOGIN",
                   help="with --shared, on a new database: this OS login becomes the first admin "
                        "(default: you)")
    p.set_defaults(handler=_init)
