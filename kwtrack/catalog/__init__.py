"""Browsing a store: pages of products and keywords, and the details of one of each.

The CLI's `list` commands and the TUI's tables both read through here. Lists come a page at a
time (offset/limit), so a table of 200,000 keywords never loads them all; "recent" numbers are
over the last days or weeks of imported data, not of the calendar, since reports lag.

- `products`: product pages, rows, details and weeks, and a new title (`set_title`);
- `keywords`: keyword pages and details;
- `common`: the recent windows' lengths, the stores, the `route:` filter, the order of
  unknown values.
"""

from kwtrack.catalog.common import RECENT_DAYS, RECENT_WEEKS, StoreSummary, store_summaries
from kwtrack.catalog.keywords import (
    KEYWORD_SORTS,
    CoveringProduct,
    KeywordDetails,
    KeywordRow,
    StatLine,
    count_keywords,
    keyword_details,
    keyword_window_said,
    list_keywords,
    recent_keyword_window,
    weeks_without_keyword_stats,
)
from kwtrack.catalog.products import (
    PRODUCT_SORTS,
    ProductDetails,
    ProductRow,
    ProductWeek,
    count_products,
    list_products,
    product_details,
    product_rows,
    product_weeks,
    recent_product_gap,
    recent_product_window,
    set_title,
    window_days,
    window_said,
)

__all__ = ["KEYWORD_SORTS", "PRODUCT_SORTS", "RECENT_DAYS", "RECENT_WEEKS", "CoveringProduct",
           "KeywordDetails", "KeywordRow", "ProductDetails", "ProductRow", "ProductWeek",
           "StatLine", "StoreSummary", "count_keywords", "count_products", "keyword_details",
           "keyword_window_said", "list_keywords", "list_products", "product_details",
           "product_rows", "product_weeks", "recent_keyword_window", "recent_product_gap",
           "recent_product_window", "window_days", "window_said",
           "set_title", "store_summaries", "weeks_without_keyword_stats"]
