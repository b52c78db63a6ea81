"""Every import kind kwtrack reads, by name: its own canonical kinds first, then the layouts
of Alibaba.com's reports. The list is explicit: nothing registers itself on import."""

from __future__ import annotations

from kwtrack.imports import canonical, reports
from kwtrack.imports.spec import Kind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (*canonical.KINDS, *reports.KINDS)}
