"""`cosell`: with no command, the dashboard; with one, the same services from a shell.

Exit codes: 0 ok, 2 usage, 3 "something needs attention" (expiring), 4 rule
refused, 5 conflict. Each command group lives in its own module and registers
itself here.
"""
from __future__ import annotations

import argparse
import sys

from cli import common

COMMAND_MODULES = (
    "cli.deals", "cli.oncall", "cli.transfer", "cli.accounts", "cli.demo", "cli.users", "cli.notify", "cli.init",
    "cli.create", "cli.locations", "cli.sync", "cli.login", "cli.stats",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cosell",
        description="Co-sell opportunities from the terminal. With no command, opens the dashboard.",
    )
    parser.add_argument("--db", help="SQLite file or database URL (default: COSELL_DATABASE_URL or the user data dir)")
    parser.add_argument("--demo", action="store_true",
                        help="open the dashboard on a throwaway demo database")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import importlib

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    _global_options_everywhere(parser)
    return parser


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
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("--demo",) or (argv[0] == "--db" and len(argv) == 2):
        return _run_dashboard(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _run_dashboard(argv)
    return common.run(args)


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
