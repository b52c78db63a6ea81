"""The layers stay apart: every module below the front ends loads without click or Textual,
and the import-linter contracts in pyproject.toml hold (front ends → features → store →
pure helpers; features do not reach into each other)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import kwtrack

FRONT_ENDS = ("kwtrack.cli", "kwtrack.tui", "kwtrack.__main__")


def _modules() -> list[str]:
    found = [m.name for m in pkgutil.walk_packages(kwtrack.__path__, "kwtrack.")]
    return sorted(m for m in found if not m.startswith(FRONT_ENDS))


def test_every_module_below_the_front_ends_loads_without_click_or_textual():
    modules = _modules()
    assert "kwtrack.cleanup.check" in modules and "kwtrack.imports.session" in modules
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(sorted(m for m in ('click', 'textual') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_import_contracts_hold():
    """`lint-imports` (import-linter, a test dependency) checks pyproject.toml's contracts."""
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], capture_output=True, text=True,
                         cwd=Path(__file__).parent.parent)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_python_dash_m_kwtrack_runs():
    out = subprocess.run([sys.executable, "-m", "kwtrack", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("kwtrack, version")
