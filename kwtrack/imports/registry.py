"""Every import kind kwtrack reads, by name: its own canonical kinds first, then the layouts
of Alibaba.com's reports. The list is explicit: nothing registers itself on import."""

from __future__ import annotations

from kwtrack.imports import canonical, reports
from kwtrack.imports.spec import Kind
from kwtrack.store.models import KeywordStat

KINDS: dict[str, Kind] = {kind.name: kind for kind in (*canonical.KINDS, *reports.KINDS)}

# Other names of a kind: `kwtrack export bids` writes the `p4p` kind's columns, and an export
# is imported by the name it was exported under.
ALIASES = {"bids": "p4p"}

# The kinds whose rows are weekly keyword figures: the import log's periods of these say which
# days the store's keyword stats cover.
KEYWORD_STATS_KINDS = tuple(name for name, kind in KINDS.items()
                            if (kind.period_covers or kind.stats_model) is KeywordStat)
