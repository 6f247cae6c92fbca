"""Issue 10 (B12): a read-only command, run to the end in a fresh process, loads only the read side.

``tests/unit/cli/test_cli_startup.py`` checks what parsing imports; this runs the commands on a
database and looks at ``sys.modules`` when they are done, so neither a command module nor a
service it calls can start importing the dashboard, HTTP, search or the write side again.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from cli_harness import NOW, db, make_inbound, sctx  # noqa: F401  (fixtures are used by name)
from model import services as svc

ROOT = Path(__file__).resolve().parents[3]
LIBRARIES = ("textual", "rich", "httpx", "msal", "rapidfuzz", "email_validator", "tui")
WRITE_SIDE = ("model.services.lifecycle", "model.services.creation", "model.services.collaboration",
              "model.services.editing", "model.services.sync", "model.services.delivery", "model.notify",
              "model.domain.operations", "model.shared_setup", "model.accounts")


def _modules_after(db, argv: list[str]) -> tuple[int, set[str]]:
    probe = ("import json, sys, io, contextlib\nfrom cli.main import main\n"
             f"with contextlib.redirect_stdout(io.StringIO()):\n    code = main({['--db', str(db), *argv]!r})\n"
             "print(json.dumps([code, sorted(sys.modules)]))")
    env = dict(os.environ, COSELL_NOW=NOW.isoformat())
    env.pop("COSELL_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    code, modules = json.loads(out.stdout.splitlines()[-1])
    return code, set(modules)


@pytest.mark.parametrize("argv, exit_code", [
    (["list"], 0), (["list", "--json", "--tab", "closed"], 0), (["show", "{id}"], 0), (["show", "{id}", "--json"], 0),
    (["expiring", "--within", "48h"], 3), (["expiring", "--within", "48h", "--json"], 3),
])
def test_a_read_only_command_loads_neither_the_dashboard_nor_the_write_side(db, sctx, argv, exit_code):
    deal = svc.receive_inbound(sctx, make_inbound(name="Contoso retail"), received_at=NOW - timedelta(days=13))
    code, modules = _modules_after(db, [a.format(id=deal.id) for a in argv])
    assert code == exit_code
    assert sorted(m for m in modules if m.split(".")[0] in LIBRARIES) == []
    assert sorted(m for m in modules if m.startswith(WRITE_SIDE)) == []
    assert "model.services.queries" in modules  # it did read


def test_export_loads_no_dashboard_http_or_search_library(db, sctx):
    svc.receive_inbound(sctx, make_inbound(name="Contoso retail"))
    code, modules = _modules_after(db, ["export", "--format", "csv"])
    assert code == 0
    assert sorted(m for m in modules if m.split(".")[0] in LIBRARIES) == []
