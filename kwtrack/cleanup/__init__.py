"""The monthly clean-up: zero-effect products, and what deleting them would orphan.

- `zero_effect`: live products with no effect over a window of days;
- `check`: the pre-deletion coverage check (what is still covered, by whom and how; what is
  orphaned, and what to do instead);
- `titles`: replacement titles that carry orphaned keywords;
- `routes`: the one definition of coverage (keyword field, manual, search term, title) that
  the check, the lists and the TUI share.
"""

from kwtrack.cleanup.check import (
    TITLE_SHOWN,
    Candidate,
    CoverageReport,
    Handover,
    KeywordVerdict,
    coverage_check,
    suggestion_text,
)
from kwtrack.cleanup.routes import ROUTES, CoveredBy, StoreCoverage
from kwtrack.cleanup.titles import (
    TITLE_LIMIT,
    TitleCheck,
    check_title,
    draft_title,
    proposed_title,
)
from kwtrack.cleanup.zero_effect import (
    DEFAULT_DAYS,
    ProductBrief,
    ZeroEffect,
    day_ranges,
    last_stats_day,
    live_products,
    missing_stats_days,
    zero_effect_products,
)

__all__ = ["DEFAULT_DAYS", "ROUTES", "TITLE_LIMIT", "TITLE_SHOWN", "Candidate", "CoverageReport",
           "CoveredBy", "Handover", "KeywordVerdict", "ProductBrief", "StoreCoverage",
           "ZeroEffect",
           "coverage_check", "day_ranges", "draft_title", "last_stats_day", "live_products",
           "missing_stats_days", "proposed_title", "suggestion_text", "zero_effect_products",
           "TitleCheck", "check_title"]
