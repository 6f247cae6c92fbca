"""`cosell`: with no command, the dashboard; with one, the same services from a shell.

Exit codes: 0 ok, 2 usage, 3 "something needs attention" (expiring), 4 rule
refused, 5 conflict. Each command group lives in its own module and registers
itself here.
"""
from __future__ import annotations

import argparse
import gc
import sys

from cli import common

#: Each command module and the commands it registers, in `cosell --help` order. A run of one
#: command builds the parser from its module alone, so `cosell list` never imports the modules
#: (and through them the services, SQLAlchemy models, HTTP and search libraries) of `sync`,
#: `accounts` or `demo`: each CLI call is a fresh process and import time is most of what a
#: read-only command costs. A command missing here still works: the whole tree is built.
COMMANDS: dict[str, tuple[str, ...]] = {
    "cli.deals": ("list", "show", "reasons", "accept", "decline", "lost", "error", "stage", "won", "favorite",
                  "register", "note", "edit", "team", "solution", "upgrade", "invite"),
    "cli.oncall": ("expiring", "sweep"),
    "cli.transfer": ("import", "export"),
    "cli.accounts": ("accounts",),
    "cli.demo": ("demo",),
    "cli.users": ("users",),
    "cli.notify": ("notify",),
    "cli.init": ("init",),
    "cli.create": ("create",),
    "cli.locations": ("locations",),
    "cli.sync": ("sync",),
    "cli.login": ("login",),
    "cli.stats": ("stats",),
}
COMMAND_MODULES = tuple(COMMANDS)
_MODULE_OF = {command: module for module, commands in COMMANDS.items() for command in commands}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command tree; with ``command``, only the module that registers it (the same
    parser for that command, built without importing the others)."""
    parser = argparse.ArgumentParser(
        prog="cosell",
        description="Co-sell opportunities from the terminal. With no command, opens the dashboard.",
    )
    parser.add_argument("--db", help="SQLite file or database URL (default: COSELL_DATABASE_URL or the user data dir)")
    parser.add_argument("--demo", action="store_true",
                        help="open the dashboard on a throwaway demo database")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import importlib

    modules = (_MODULE_OF[command],) if command in _MODULE_OF else COMMAND_MODULES
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    if command in _MODULE_OF and command not in sub.choices:
        return build_parser()  # the table is out of date: the whole tree still knows it
    _global_options_everywhere(parser)
    return parser


def command_named(argv: list[str]) -> str | None:
    """The command word of ``argv`` (after the global ``--db X`` / ``--demo``), if there is one
    before anything else; ``None`` for ``--help`` or an option the top level does not know."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--db":
            i += 2
        elif word.startswith("--db=") or word == "--demo":
            i += 1
        elif word.startswith("-"):
            return None
        else:
            return word
    return None


def _global_options_everywhere(parser: argparse.ArgumentParser) -> None:
    """``--db`` is accepted after the command too (``cosell demo --db /tmp/big.db``), on every
    subcommand at any depth; SUPPRESS keeps a value given before the command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                if not any("--db" in a.option_strings for a in child._actions):
                    child.add_argument("--db", default=argparse.SUPPRESS, metavar="DB",
                                       help="SQLite file or database URL (as before the command)")
                _global_options_everywhere(child)


def main(argv: list[str] | None = None) -> int:
    """``argv`` None: the process's own command line, and the process ends when this returns."""
    entry = argv is None
    argv = sys.argv[1:] if argv is None else argv
    try:
        if not argv or argv[0] in ("--demo",) or (argv[0] == "--db" and len(argv) == 2):
            return _run_dashboard(argv)
        with common.quiet_start(freeze=entry):
            parser = build_parser(command_named(argv))
            args = parser.parse_args(argv)
            if args.command is not None:
                return common.run(args)
        return _run_dashboard(argv)
    finally:
        if entry:
            # About to exit: nothing left needs collecting, so the interpreter's teardown does
            # not scan every object again (a tenth of a read-only command's time, measured).
            gc.freeze()


def _run_dashboard(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cosell")
    parser.add_argument("--db")
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args(argv)
    from tui.launch import launch

    try:
        return launch(db=args.db, demo=args.demo)
    except ValueError as exc:  # COSELL_NOW malformed (model.clock.BadClock) and other bad input: one line
        print(f"cosell: {common.safe(exc)}", file=sys.stderr)
        return common.EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
