"""A review as text: markdown for the review meeting's notes, rows for a spreadsheet."""

from __future__ import annotations

from textwrap import shorten

from kwtrack.review.categories import CATEGORY_FIGURES, CategoryWeek
from kwtrack.review.overview import FIGURES, StoreWeek, gaps
from kwtrack.review.plan import PlanCheck
from kwtrack.review.sections import KEYWORD_SECTIONS, Review
from kwtrack.review.weeks import week_name
from kwtrack.values import formula_safe

TITLES = {
    "top_traffic": "Top traffic", "top_spend": "Top P4P spend", "new": "New words",
    "rising": "Rising words", "p4p_candidates": "Put into P4P",
    "raise_bid": "Raise the bid", "cut": "Cut or pause", "key_group": "Key group",
    "showcase": "Showcase candidates", "showcase_swap": "Showcase swaps",
    "product_strength": "Product strength",
    "tracked": "Tracked words",
}
OVERVIEW_TITLE = "The store"  # (the workbook's first sheet: the store's weeks)
CATEGORIES_TITLE = "By category"
# The figures each section's table shows, in order (the JSON carries them all).
COLUMNS = {
    "top_traffic": ["impressions", "organic_impressions", "p4p_impressions", "clicks", "ctr",
                    "impressions_change"],
    "top_spend": ["spend", "p4p_clicks", "p4p_inquiries", "cpc", "cost_per_inquiry",
                  "spend_change"],
    "new": ["impressions", "clicks", "inquiries"],
    "rising": ["impressions", "trend", "clicks"],
    "p4p_candidates": ["impressions", "clicks", "inquiries"],
    "raise_bid": ["bid", "p4p_clicks", "p4p_inquiry_rate", "store_median_inquiry_rate"],
    "cut": ["bid", "spend", "p4p_clicks", "p4p_inquiries"],
    "key_group": ["impressions", "clicks"],
    "showcase": ["impressions", "growth", "keyword_index_change"],
    "showcase_swap": ["impressions", "growth"],
    "product_strength": ["score", "previous_score"],
    "tracked": ["impressions", "clicks", "inquiries", "impressions_change"],
}
_RATES = {"ctr", "p4p_ctr", "inquiry_rate", "p4p_inquiry_rate", "store_median_inquiry_rate"}
_CHANGES = {"impressions_change", "spend_change", "clicks_change", "keyword_index_change",
            "growth", "inquiries_change"}


_ACRONYMS = {"ctr": "CTR", "cpc": "CPC", "p4p": "P4P"}


def figure_name(name: str) -> str:
    """A figure's name as the meeting's notes and the TUI show it (`cost_per_inquiry` →
    `cost per inquiry`, `p4p_impressions` → `P4P impressions`); JSON and CSV keep the key."""
    return " ".join(_ACRONYMS.get(word, word) for word in name.split("_"))


def figure_text(name: str, value) -> str:
    """A figure as the review shows it: unknown as `–`, rates and changes in percent."""
    if value is None:
        return "–"
    if name in _CHANGES:
        return f"{value:+.0%}"
    if name in _RATES:
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(review: Review) -> str:
    """The review as markdown, ready to paste into the meeting's notes."""
    lines = [f"# Keyword review {week_name(review.week)} (week of {review.week})", ""]
    if review.overview:
        lines += ["## The store, week by week", "", *overview_markdown(review), ""]
    if review.categories:
        lines += [f"## {CATEGORIES_TITLE}", "", *categories_markdown(review), ""]
    for name, items in review.sections.items():
        lines += [f"## {TITLES[name]}", ""]
        if not items:
            lines += ["*nothing this week*", ""]
            continue
        columns = COLUMNS[name]
        lines.append("| " + " | ".join(["item", *map(figure_name, columns), "why"]) + " |")
        lines.append("|" + "---|" * (len(columns) + 2))
        for item in items:
            label = item.keyword if item.keyword is not None else (
                f"{item.product_id} {shorten(item.title or '', 60, placeholder=' …')}".strip())
            label = label.replace("|", "\\|")  # (a `|` in a title or word would end the cell)
            lines.append("| " + " | ".join([label, *(figure_text(c, item.figures.get(c))
                                                     for c in columns), item.why]) + " |")
        lines.append("")
        if name == "cut" and review.plan is not None:  # (the plan comes with the bids)
            lines += ["## P4P plan", "", *plan_markdown(review.plan), ""]
    return "\n".join(lines)


def overview_markdown(review: Review) -> list[str]:
    """The store's weeks as a table (products' figures, then P4P's), then why a week's are
    unknown and what swung into the reviewed week."""
    lines = ["*Impressions to inquiries: the products' (the data manager's product report); "
             "P4P: the P4P words' (the P4P or keyword report).*", "",
             "| " + " | ".join(["week", *map(figure_name, FIGURES)]) + " |",
             "|" + "---|" * (len(FIGURES) + 1)]
    lines += ["| " + " | ".join([week_name(w.week), *(figure_text(name, w.figures[name])
                                                      for name in FIGURES)]) + " |"
              for w in review.overview]
    said = gaps(review.overview) + review.swings
    return [*lines, *([""] if said else []), *(f"- {line}" for line in said)]


def categories_markdown(review: Review) -> list[str]:
    """The reviewed week by product category, as a table."""
    lines = [f"*{week_name(review.week)}; products: the category's live listings now; "
             "inquiry rate: inquiries ÷ visitors; changes on the week before.*", "",
             "| " + " | ".join(["category", *map(figure_name, CATEGORY_FIGURES)]) + " |",
             "|" + "---|" * (len(CATEGORY_FIGURES) + 1)]
    return lines + ["| " + " | ".join([c.name.replace("|", "\\|"),
                                       *(figure_text(name, c.figures[name])
                                         for name in CATEGORY_FIGURES)]) + " |"
                    for c in review.categories]


def plan_markdown(plan: PlanCheck) -> list[str]:
    """The P4P plan's part of the review: its budget, its hours, market by market, and the
    store's P4P growth level."""
    return [f"**Budget.** {plan.budget_said}", "",
            f"**Promotion hours.** {plan.hours_said}",
            *([""] if plan.markets else []), *(f"- {m.text()}" for m in plan.markets),
            "", f"**Growth level.** {plan.growth_said}"]


def csv_rows(review: Review) -> tuple[list[str], list[list]]:
    """The review as one table: a row per item, its section first."""
    names = sorted({key for items in review.sections.values() for i in items
                    for key in i.figures} | set(FIGURES) | set(CATEGORY_FIGURES))
    header = ["week", "section", "keyword", "product_id", "title", "category", *names, "why"]
    # (the store's weeks first, each under its own week; a swing is a row of the week)
    rows = [[week_name(w.week), "overview", None, None, None, None,
             *(w.figures.get(n) for n in names), w.note] for w in review.overview]
    rows += [[week_name(review.week), "overview", None, None, None, None,
              *(None for _ in names), said] for said in review.swings]
    rows += [[week_name(review.week), "category", None, None, None, c.name,
              *(c.figures.get(n) for n in names), None] for c in review.categories]
    rows += [[week_name(review.week), section, i.keyword, i.product_id, i.title, None,
              *(i.figures.get(n) for n in names), i.why]
             for section, items in review.sections.items() for i in items]
    # (the plan's budget and each market are rows too: the spreadsheet is the whole list)
    plan = review.plan
    rows += [[week_name(review.week), "p4p_plan", None, None, None, None,
              *(None for _ in names), said] for said in ([plan.budget_said,
                                  *([m.text() for m in plan.markets] or [plan.hours_said]),
                                  plan.growth_said] if plan else [])]
    return header, rows


def write_workbook(review: Review, path) -> None:
    """The review as an Excel workbook for the meeting: a sheet per section, named by its
    title, a row per item with the figures the markdown shows and why; the P4P plan last.
    Figures stay numbers (rates and changes formatted as percentages), unknown ones empty;
    product IDs are text, and no text can turn into a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    if review.overview:
        _overview_sheet(book.create_sheet(OVERVIEW_TITLE), review.overview, review.swings)
    if review.categories:
        _categories_sheet(book.create_sheet(CATEGORIES_TITLE), review.categories)
    for name, items in review.sections.items():
        sheet = book.create_sheet(TITLES[name])
        columns = COLUMNS[name]
        named = ["keyword"] if name in KEYWORD_SECTIONS else ["product ID", "title"]
        sheet.append([*named, *map(figure_name, columns), "why"])
        for item in items:
            label = [item.keyword] if name in KEYWORD_SECTIONS else [item.product_id,
                                                                     item.title]
            sheet.append([*map(formula_safe, label), *(item.figures.get(c) for c in columns),
                          item.why])
        if not items:
            sheet.append(["nothing this week"])
        _number_formats(sheet, columns, len(named) + 1)
        _finish(sheet, [30] * len(named) + [14] * len(columns) + [60], Font(bold=True))
    if review.plan is not None:
        plan = review.plan
        sheet = book.create_sheet("P4P plan")
        sheet.append(["part", "what the review says"])
        sheet.append(["budget", plan.budget_said])
        sheet.append(["promotion hours", plan.hours_said])
        for market in plan.markets:
            sheet.append([market.market, market.text()])
        sheet.append(["growth level", plan.growth_said])
        _finish(sheet, [16, 110], Font(bold=True))
    book.save(str(path))


def _overview_sheet(sheet, weeks: list[StoreWeek], swings: list[str]) -> None:
    """The store's weeks, a row each, then what swung (one line a row, under the table)."""
    from openpyxl.styles import Font

    sheet.append(["week", *map(figure_name, FIGURES), "note"])
    for w in weeks:
        sheet.append([week_name(w.week), *(w.figures[name] for name in FIGURES), w.note])
    _number_formats(sheet, FIGURES, 2)
    if swings:
        sheet.append([])
    for said in swings:
        sheet.append([said])
    _finish(sheet, [12] + [14] * len(FIGURES) + [50], Font(bold=True))


def _categories_sheet(sheet, categories: list[CategoryWeek]) -> None:
    """The reviewed week by category, a row each."""
    from openpyxl.styles import Font

    sheet.append(["category", *map(figure_name, CATEGORY_FIGURES)])
    for c in categories:
        sheet.append([formula_safe(c.name), *(c.figures[name] for name in CATEGORY_FIGURES)])
    _number_formats(sheet, CATEGORY_FIGURES, 2)
    _finish(sheet, [30] + [14] * len(CATEGORY_FIGURES), Font(bold=True))


_MONEY = {"spend", "p4p_spend", "cpc", "cost_per_inquiry", "bid"}


def _number_formats(sheet, columns, first: int) -> None:
    """Rates and changes shown as percentages, money to the fen, counts with thousands
    separators, as the markdown shows them (they stay numbers; a spreadsheet otherwise
    shows a CPC of 3.8692)."""
    for offset, column in enumerate(columns, start=first):
        shown = ("0.0%" if column in _RATES else "+0%;-0%;0%" if column in _CHANGES
                 else "#,##0.00" if column in _MONEY else None)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=offset, max_col=offset):
            if shown and isinstance(cell.value, int | float):
                cell.number_format = shown
            elif isinstance(cell.value, int):  # (a count; a score stays as it is)
                cell.number_format = "#,##0"


def _finish(sheet, widths: list[int], bold) -> None:
    """Bold headers that stay in view, and columns wide enough to read."""
    from openpyxl.utils import get_column_letter

    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
