"""The weekly roll-up of keyword stats (`keyword_week`): one row per keyword and ISO week, both
channels added and the P4P figures apart, with the average impressions of the 3 weeks before.
The weekly review ranks a week's words on it instead of summing millions of stats rows.

Filled here from the stats already imported, by the rule kwtrack keeps it by afterwards: a
stats row belongs to the ISO week holding its last day if it starts at most six days before
that week's Monday."""

import datetime as dt

from peewee import (
    AutoField,
    CompositeKey,
    DateField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
)

PREVIOUS_WEEKS = 3


def _model(db):
    class Store(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "store"

    class KeywordWeek(Model):
        store = ForeignKeyField(Store, on_delete="CASCADE", index=False)
        week = DateField()
        keyword = IntegerField(column_name="keyword_id")
        impressions = IntegerField(null=True)
        clicks = IntegerField(null=True)
        inquiries = IntegerField(null=True)
        p4p_clicks = IntegerField(null=True)
        p4p_inquiries = IntegerField(null=True)
        p4p_spend = FloatField(null=True)
        previous_impressions = FloatField(null=True)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "keyword_week"
            primary_key = CompositeKey("store", "week", "keyword")
            indexes = ((("store", "week", "impressions", "previous_impressions"), False),
                       (("store", "week", "p4p_spend"), False))

    return KeywordWeek


def _as_date(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def up(migrator, db):
    db.create_tables([_model(db)])
    p = db.param
    ends = [_as_date(end) for (end,) in db.execute_sql(
        "SELECT DISTINCT period_end FROM keyword_stat").fetchall()]
    # oldest week first: each week's average of the weeks before reads them written
    for monday in sorted({end - dt.timedelta(days=end.weekday()) for end in ends}):
        sunday = monday + dt.timedelta(days=6)
        before = [(monday - dt.timedelta(weeks=n)).isoformat()
                  for n in range(1, PREVIOUS_WEEKS + 1)]
        db.execute_sql(
            "INSERT INTO keyword_week (store_id, week, keyword_id, impressions, clicks, "
            "inquiries, p4p_clicks, p4p_inquiries, p4p_spend, previous_impressions) "
            f"SELECT kw.store_id, {p}, s.keyword_id, SUM(s.impressions), SUM(s.clicks), "
            "SUM(s.inquiries), SUM(CASE WHEN s.channel = 'p4p' THEN s.clicks END), "
            "SUM(CASE WHEN s.channel = 'p4p' THEN s.inquiries END), "
            "SUM(CASE WHEN s.channel = 'p4p' THEN s.spend END), "
            "(SELECT AVG(e.impressions) FROM keyword_week e WHERE e.store_id = kw.store_id "
            f"AND e.week IN ({', '.join([p] * PREVIOUS_WEEKS)}) "
            "AND e.keyword_id = s.keyword_id) "
            "FROM keyword_stat s JOIN keyword kw ON kw.id = s.keyword_id "
            f"WHERE s.period_start BETWEEN {p} AND {p} AND s.period_end BETWEEN {p} AND {p} "
            "GROUP BY kw.store_id, s.keyword_id",
            [monday.isoformat(), *before, (monday - dt.timedelta(days=6)).isoformat(),
             sunday.isoformat(), monday.isoformat(), sunday.isoformat()])


def down(migrator, db):
    db.drop_tables([_model(db)])
