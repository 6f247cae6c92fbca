"""The layering holds: model/ never imports a face (TUI, CLI, Textual, Rich).

Checked by import-linter's contracts in pyproject.toml, as harlequin does, plus
a direct scan so a violation names the file even without import-linter.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = re.compile(r"^\s*(from|import)\s+(textual|rich|tui|cli)\b", re.M)


def test_model_never_imports_a_face():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "model").rglob("*.py") if FORBIDDEN.search(p.read_text())]
    assert offenders == []


def test_import_linter_contracts_hold():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
