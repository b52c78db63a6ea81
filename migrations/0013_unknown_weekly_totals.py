"""The weekly roll-up (`keyword_week`) written again by the rule kwtrack keeps it by from now
on: a week's impressions, clicks and P4P clicks and spend are unknown (NULL) when one of its
stats rows leaves them unknown, where 0012 added the known rows alone (the keyword advisor's
`曝光量 --` beside a P4P figure of 0 made a week of 0 impressions). Inquiries stay the sum of
the known. `down` writes it again by 0012's rule."""

import datetime as dt

PREVIOUS_WEEKS = 3


def _as_date(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _sum(figure, channel=None, whole=True):
    """A week's sum of a figure: with `whole`, NULL when some row leaves it unknown."""
    if channel is not None:
        figure = f"CASE WHEN s.channel = '{channel}' THEN {figure} END"
    if not whole:
        return f"SUM({figure})"
    rows = "*" if channel is None else f"CASE WHEN s.channel = '{channel}' THEN 1 END"
    return f"CASE WHEN COUNT({rows}) = COUNT({figure}) THEN SUM({figure}) END"


def _fill(db, whole):
    """Write every week's rows of every store again, oldest week first (each week's average
    of the weeks before reads them written)."""
    p = db.param
    db.execute_sql("DELETE FROM keyword_week")
    ends = [_as_date(end) for (end,) in db.execute_sql(
        "SELECT DISTINCT period_end FROM keyword_stat").fetchall()]
    for monday in sorted({end - dt.timedelta(days=end.weekday()) for end in ends}):
        sunday = monday + dt.timedelta(days=6)
        before = [(monday - dt.timedelta(weeks=n)).isoformat()
                  for n in range(1, PREVIOUS_WEEKS + 1)]
        db.execute_sql(
            "INSERT INTO keyword_week (store_id, week, keyword_id, impressions, clicks, "
            "inquiries, p4p_clicks, p4p_inquiries, p4p_spend, previous_impressions) "
            f"SELECT kw.store_id, {p}, s.keyword_id, {_sum('s.impressions', whole=whole)}, "
            f"{_sum('s.clicks', whole=whole)}, SUM(s.inquiries), "
            f"{_sum('s.clicks', 'p4p', whole)}, {_sum('s.inquiries', 'p4p', False)}, "
            f"{_sum('s.spend', 'p4p', whole)}, "
            "(SELECT AVG(e.impressions) FROM keyword_week e WHERE e.store_id = kw.store_id "
            f"AND e.week IN ({', '.join([p] * PREVIOUS_WEEKS)}) "
            "AND e.keyword_id = s.keyword_id) "
            "FROM keyword_stat s JOIN keyword kw ON kw.id = s.keyword_id "
            f"WHERE s.period_start BETWEEN {p} AND {p} AND s.period_end BETWEEN {p} AND {p} "
            "GROUP BY kw.store_id, s.keyword_id",
            [monday.isoformat(), *before, (monday - dt.timedelta(days=6)).isoformat(),
             sunday.isoformat(), monday.isoformat(), sunday.isoformat()])


def up(migrator, db):
    _fill(db, whole=True)


def down(migrator, db):
    _fill(db, whole=False)
