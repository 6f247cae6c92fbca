"""The layering holds: one door for the faces, no SQL in services, a pure domain.

- model/ never imports a face (TUI, CLI, Textual, Rich);
- the faces (tui/, cli/) reach the model only through ``model.services`` (plus plain
  values from ``model.domain`` and ``model.clock``): never the store, SQLAlchemy,
  identity, users, notify, accounts, shared setup or the Partner Center format;
- services hold no SQL (it all lives in model/store/), nor do the model's other
  non-store modules;
- the domain (values and rules) never imports storage, services or file formats.

Checked by import-linter's contracts in pyproject.toml, as harlequin does, plus a
direct scan so a violation names the file (and line) even without import-linter.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _importing(*modules: str) -> re.Pattern:
    """``import m`` / ``from m[.x] import`` / ``from parent import m`` for each dotted ``m``, at any indent."""
    alternatives = []
    for module in modules:
        alternatives.append(rf"(?:from|import)\s+{re.escape(module)}(?:\.\w+)*(?=[\s,;]|$)")
        parent, _, leaf = module.rpartition(".")
        if parent:
            alternatives.append(rf"from\s+{re.escape(parent)}\s+import\s+[^\n]*?(?<![\w.]){re.escape(leaf)}\b")
    return re.compile(rf"^[ \t]*(?:{'|'.join(alternatives)})", re.M)


FACES_FORBIDDEN = _importing("model.store", "sqlalchemy", "model.identity", "model.users", "model.notify",
                             "model.accounts", "model.shared_setup", "model.partner_center")
NO_FACE = _importing("textual", "rich", "tui", "cli")
NO_SQL = _importing("sqlalchemy")
DOMAIN_FORBIDDEN = _importing("model.store", "model.services", "model.partner_center", "sqlalchemy")


def _offenders(pattern: re.Pattern, *places: str) -> list[str]:
    """``path:line: import`` for every match under ``places`` (directories or files)."""
    out = []
    for place in places:
        target = ROOT / place
        for path in sorted([target] if target.is_file() else target.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                out.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0).strip()}")
    return out


def test_the_scan_recognises_every_spelling_of_an_import():
    spelled = ["from model.store import repo", "import model.store.tables", "    from model.store.reads import x",
               "from model import store", "from model import services, store", "import sqlalchemy",
               "from sqlalchemy.orm import Session", "from model import users as u"]
    assert all(FACES_FORBIDDEN.search(line) for line in spelled), [s for s in spelled if not FACES_FORBIDDEN.search(s)]
    allowed = ["from model import services as svc", "from model.services import users",
               "from model.services.accounts import AccountMatcher", "from model.domain.schemas import User",
               "import model.storefront", "# from model.store import repo", "from model.clock import FixedClock"]
    assert not [line for line in allowed if FACES_FORBIDDEN.search(line)]


def test_model_never_imports_a_face():
    assert _offenders(NO_FACE, "model") == []


def test_faces_reach_the_model_only_through_services():
    assert _offenders(FACES_FORBIDDEN, "tui", "cli") == []


def test_services_hold_no_sql():
    assert _offenders(NO_SQL, "model/services") == []


def test_the_models_non_store_modules_hold_no_sql():
    assert _offenders(NO_SQL, "model/identity.py", "model/users.py", "model/notify.py", "model/shared_setup.py",
                      "model/clock.py", "model/accounts") == []


def test_the_domain_is_pure():
    assert _offenders(DOMAIN_FORBIDDEN, "model/domain") == []


def test_import_linter_contracts_hold():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
