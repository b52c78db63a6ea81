"""Benchmarks: each prints kwtrack's figure beside a baseline measured in the same run."""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_kwtrack() -> None:
    """Write kwtrack's bytecode, as installing a package does, before timing whole commands:
    the baselines import libraries whose bytecode pip wrote, and with PYTHONDONTWRITEBYTECODE
    set (as on the dev machine) every kwtrack command would otherwise compile its own
    modules first (about 40 ms)."""
    import kwtrack

    compileall.compile_dir(Path(kwtrack.__file__).parent, quiet=1)
