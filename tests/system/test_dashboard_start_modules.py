"""Issue 10 (B1): what the dashboard's first frame needs is all its start imports.

Modules only a later key needs (the deal dialogs: ``a``, ``d``, ``e``…), a sync (the HTTP client)
or a settings save (``tomlkit``) are imported when that happens, not before the first frame. A
fresh interpreter imports what ``cosell`` imports to draw the dashboard and lists ``sys.modules``.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LATER = ("httpx", "msal", "tomlkit", "rapidfuzz", "email_validator", "tui.screens.dialogs",
         "tui.screens.new_deal", "tui.screens.deal_detail", "model.partner_center.client")


def test_the_dashboard_start_imports_no_dialog_http_client_or_settings_writer():
    probe = ("import json, sys\nimport tui.launch, tui.app, tui.screens.dashboard\n"
             "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    modules = json.loads(out.stdout.splitlines()[-1])
    assert "tui.screens.dashboard" in modules  # the probe did import the dashboard
    assert [m for m in modules if m.startswith(LATER)] == []
