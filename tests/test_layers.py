"""The layers stay apart: the data and domain modules load without click or Textual."""

import subprocess
import sys

HEADLESS = ["kwtrack.models", "kwtrack.db", "kwtrack.importing", "kwtrack.catalog",
            "kwtrack.demo", "kwtrack.reading", "kwtrack.values", "kwtrack.text", "kwtrack.bulk"]


def test_domain_modules_do_not_import_click_or_textual():
    code = ("import sys\n" + "".join(f"import {m}\n" for m in HEADLESS)
            + "print(sorted(m for m in ('click', 'textual') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_kwtrack_runs():
    out = subprocess.run([sys.executable, "-m", "kwtrack", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("kwtrack, version")
