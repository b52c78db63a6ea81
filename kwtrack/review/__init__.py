"""The weekly keyword review: what to track, put into P4P, raise, cut or move into the key
group, from the keyword stats the imports store.

- `weeks`: ISO weeks; `figures`: a store's weekly figures, unknown kept apart from zero;
- `sections`: each section's rule (`weekly_review`);
- `marks`: done and snoozed items, tracked words, a word's weekly history;
- `hours`: the P4P plan's promotion hours against its markets' office hours.
"""

from kwtrack.review.figures import last_week_with_keyword_stats
from kwtrack.review.hours import PromotionHours, promotion_hours
from kwtrack.review.marks import (
    KeywordWeek,
    find_keyword,
    keyword_history,
    mark_item,
    set_tracked,
)
from kwtrack.review.report import TITLES, csv_rows, figure_name, figure_text, markdown
from kwtrack.review.sections import SECTIONS, Review, ReviewItem, weekly_review
from kwtrack.review.weeks import parse_week, week_name

__all__ = ["SECTIONS", "TITLES", "KeywordWeek", "PromotionHours", "Review", "ReviewItem",
           "csv_rows", "figure_name", "figure_text", "find_keyword", "keyword_history",
           "last_week_with_keyword_stats", "mark_item", "markdown", "parse_week",
           "promotion_hours", "set_tracked", "week_name", "weekly_review"]
