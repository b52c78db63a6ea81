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
    class Keyword(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "keyword"

    class KeywordWeek(Model):
        keyword = ForeignKeyField(Keyword, on_delete="CASCADE", index=False)
        week = DateField()
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
            primary_key = CompositeKey("keyword", "week")
            indexes = ((("week", "impressions", "previous_impressions"), False),
                       (("week", "p4p_spend"), False))

    return KeywordWeek


def _as_date(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def up(migrator, db):
    model = _model(db)
    model._schema.create_table()  # (its indexes once it is filled: quicker)
    p = db.param
    ends = [_as_date(end) for (end,) in db.execute_sql(
        "SELECT DISTINCT period_end FROM keyword_stat").fetchall()]
    mondays = sorted({end - dt.timedelta(days=end.weekday()) for end in ends})
    for monday in mondays:
        sunday = monday + dt.timedelta(days=6)
        db.execute_sql(
            "INSERT INTO keyword_week (keyword_id, week, impressions, clicks, inquiries, "
            "p4p_clicks, p4p_inquiries, p4p_spend) "
            f"SELECT s.keyword_id, {p}, SUM(s.impressions), SUM(s.clicks), SUM(s.inquiries), "
            "SUM(CASE WHEN s.channel = 'p4p' THEN s.clicks END), "
            "SUM(CASE WHEN s.channel = 'p4p' THEN s.inquiries END), "
            "SUM(CASE WHEN s.channel = 'p4p' THEN s.spend END) "
            f"FROM keyword_stat s WHERE s.period_start BETWEEN {p} AND {p} "
            f"AND s.period_end BETWEEN {p} AND {p} GROUP BY s.keyword_id",
            [monday.isoformat(), (monday - dt.timedelta(days=6)).isoformat(),
             sunday.isoformat(), monday.isoformat(), sunday.isoformat()])
    model._schema.create_indexes()  # (the averages below look weeks up by keyword)
    for monday in mondays:
        db.execute_sql(
            "UPDATE keyword_week SET previous_impressions = (SELECT AVG(e.impressions) "
            "FROM keyword_week e WHERE e.keyword_id = keyword_week.keyword_id "
            f"AND e.week BETWEEN {p} AND {p}) WHERE week = {p}",
            [(monday - dt.timedelta(weeks=PREVIOUS_WEEKS)).isoformat(),
             (monday - dt.timedelta(weeks=1)).isoformat(), monday.isoformat()])


def down(migrator, db):
    db.drop_tables([_model(db)])
