"""Issue 10 (B12): a CLI call imports only what its command needs.

Every `cosell` run is a fresh process, so what it imports is most of what a read-only command
costs. ``cli.main`` builds the parser of one command from the one module that registers it
(``COMMANDS``), and ``model.services`` resolves its names lazily; these tests keep it so: they
look at ``sys.modules`` of a fresh interpreter, so an eager import cannot creep back in.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main as cli_main

ROOT = Path(__file__).resolve().parents[3]

#: Libraries no read-only command needs: the dashboard, HTTP and sign-in, fuzzy search, e-mail syntax.
NEVER_FOR_READS = ("textual", "rich", "httpx", "msal", "rapidfuzz", "email_validator", "tui")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


def _loaded(modules: set[str], names) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in names or m in names)


def test_importing_cli_main_loads_no_library_and_no_service():
    modules = _modules_after("import cli.main")
    assert _loaded(modules, NEVER_FOR_READS + ("sqlalchemy", "pydantic")) == []
    assert sorted(m for m in modules if m.startswith(("model.services", "model.store", "cli."))) == [
        "cli.common", "cli.main"]


@pytest.mark.parametrize("argv", [["list"], ["show", "6c3c"], ["expiring", "--within", "48h", "--json"],
                                  ["export", "--tab", "inbound"], ["reasons", "decline"]])
def test_parsing_a_read_only_command_imports_neither_the_store_nor_the_write_side(argv):
    modules = _modules_after(f"from cli.main import build_parser, command_named\n"
                             f"argv = {argv!r}\nbuild_parser(command_named(argv)).parse_args(argv)")
    assert _loaded(modules, NEVER_FOR_READS + ("sqlalchemy",)) == []
    assert sorted(m for m in modules if m.startswith(("model.services.", "model.store"))) == []
    other_commands = {m for m in cli_main.COMMANDS if m not in ("cli.deals", "cli.oncall", "cli.transfer")}
    assert sorted(modules & other_commands) == []


def test_model_services_is_lazy_and_still_offers_every_name():
    modules = _modules_after("import model.services as svc\nnames = list(svc.__all__)")
    assert sorted(m for m in modules if m.startswith("model.services.")) == []
    assert _loaded(modules, ("sqlalchemy", "pydantic")) == []
    modules = _modules_after("from model.services import list_deals, expiring_deals, Ctx")
    assert "model.services.queries" in modules
    assert not {"model.services.lifecycle", "model.services.creation", "model.services.collaboration",
                "model.services.editing", "model.services.sync"} & modules


def test_every_public_service_name_resolves_to_its_module():
    import model.services as svc

    for name in svc.__all__:
        value = getattr(svc, name)
        assert getattr(importlib.import_module(f"model.services.{svc._HOME[name]}"), name) is value
    assert svc.delivery is importlib.import_module("model.services.delivery")  # a submodule, by attribute
    with pytest.raises(AttributeError, match="no attribute 'no_such_service'"):
        svc.no_such_service


def test_the_lazy_names_are_the_ones_type_checkers_see():
    """``__all__`` (what ``__getattr__`` serves) and the TYPE_CHECKING imports list the same names."""
    import model.services as svc

    tree = ast.parse(Path(svc.__file__).read_text())
    checked = {alias.name for node in ast.walk(tree) if isinstance(node, ast.If)
               for stmt in node.body if isinstance(stmt, ast.ImportFrom) for alias in stmt.names}
    assert checked == set(svc.__all__)


# -- the table of commands ------------------------------------------------------------------------

def _registered(module_name: str) -> tuple[str, ...]:
    parser = argparse.ArgumentParser(prog="cosell")
    sub = parser.add_subparsers(dest="command")
    importlib.import_module(module_name).register(sub)
    return tuple(sub.choices)


@pytest.mark.parametrize("module_name", list(cli_main.COMMANDS))
def test_the_table_lists_exactly_the_commands_each_module_registers(module_name):
    assert _registered(module_name) == cli_main.COMMANDS[module_name]


def _subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


@pytest.mark.parametrize("command", [c for commands in cli_main.COMMANDS.values() for c in commands])
def test_one_commands_parser_is_the_one_of_the_whole_tree(command):
    whole, alone = cli_main.build_parser(), cli_main.build_parser(command)
    assert _subcommand(alone, command).format_help() == _subcommand(whole, command).format_help()
    assert alone.format_usage() == whole.format_usage()


@pytest.mark.parametrize("argv, command", [
    (["list"], "list"), (["--db", "x.db", "show", "6c3c"], "show"), (["--db=x.db", "expiring"], "expiring"),
    (["--demo", "list"], "list"), (["--help"], None), (["-h", "list"], None), ([], None), (["--db", "x.db"], None),
    (["--bogus", "list"], None), (["team", "6c3c", "add"], "team"),
])
def test_the_command_word_is_found_after_the_global_options(argv, command):
    assert cli_main.command_named(argv) == command


def test_an_unknown_command_is_refused_as_by_the_whole_tree(capsys):
    with pytest.raises(SystemExit) as exc:
        cli_main.main(["no-such-command"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'no-such-command'" in err and "'list'" in err and "'sync'" in err


def test_a_command_the_table_does_not_know_still_works(monkeypatch):
    """A module that registers a command the table forgot: the whole tree is built instead."""
    monkeypatch.setitem(cli_main._MODULE_OF, "list", "cli.login")  # wrong module for `list`
    args = cli_main.build_parser("list").parse_args(["list", "--json"])
    assert args.command == "list" and args.json is True


# -- the collector --------------------------------------------------------------------------------

def test_a_command_run_in_process_leaves_the_collector_as_it_found_it(capsys):
    import gc

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    assert cli_main.main(["reasons", "decline"]) == 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
    with pytest.raises(SystemExit):
        cli_main.main(["list", "--limit", "many"])  # a usage error on the way out too
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def test_start_up_collects_rarely_until_the_context_is_open():
    import gc

    from cli import common
    from model.services.startup import STARTUP_GC_THRESHOLD

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with common.quiet_start(freeze=False):
        assert gc.get_threshold()[0] == STARTUP_GC_THRESHOLD
        common._start_up_over()  # what common.context() does once the store is open
        assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
        gc.set_threshold(123, *before[1:])
        common._start_up_over()  # a second context in the same command changes nothing
        assert gc.get_threshold()[0] == 123
    assert gc.get_threshold() == before


def test_the_process_entry_freezes_what_is_left_before_it_exits():
    probe = ("import gc, sys\nsys.argv = ['cosell', 'reasons', 'lost']\nfrom cli.main import main\n"
             "code = main()\nprint(gc.get_freeze_count() > 0, code)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "True 0"
