"""The weekly keyword review: what to track, put into P4P, raise, cut or move into the key
group, from the keyword stats the imports store.

- `weeks`: ISO weeks; `figures`: a store's weekly figures, unknown kept apart from zero;
- `overview`: the store's own figures, week by week, and what swung;
- `categories`: the reviewed week by product category (conversion per category);
- `sections`: each section's rule (`weekly_review`);
- `marks`: done and snoozed items, tracked words, a word's weekly history;
- `plan`: the P4P plan's budget against the week's spend, its hours against its markets;
- `growth`: the store's P4P growth level, recorded by hand, and the way to L4.
"""

from kwtrack.review.figures import last_week_with_keyword_stats
from kwtrack.review.growth import (
    GROWTH_FORM,
    growth_levels,
    growth_problems,
    level_text,
    parse_level,
    record_level,
    record_level_from_form,
)
from kwtrack.review.marks import (
    KeywordWeek,
    find_keyword,
    keyword_history,
    mark_item,
    set_tracked,
)
from kwtrack.review.plan import PlanCheck, plan_check, week_spend
from kwtrack.review.report import (
    TITLES,
    csv_rows,
    figure_name,
    figure_text,
    markdown,
    overview_markdown,
    plan_markdown,
    write_workbook,
)
from kwtrack.review.sections import SECTIONS, Review, ReviewItem, weekly_review
from kwtrack.review.weeks import parse_week, week_name

__all__ = ["GROWTH_FORM", "SECTIONS", "TITLES", "KeywordWeek", "PlanCheck", "Review",
           "ReviewItem", "csv_rows", "figure_name", "figure_text", "find_keyword",
           "growth_levels", "growth_problems", "keyword_history", "level_text", "parse_level",
           "record_level", "record_level_from_form",
           "last_week_with_keyword_stats", "mark_item", "markdown", "overview_markdown",
           "parse_week", "plan_markdown", "plan_check", "set_tracked", "week_name",
           "week_spend", "weekly_review", "write_workbook"]
