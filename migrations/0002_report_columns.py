"""Columns for Alibaba.com's own reports: traffic-source splits and shares of product stats,
and the full-site promotion search-term shares table."""


from peewee import *


def _share_model(db):
    class Keyword(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "keyword"

    class ImportBatch(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "import_batch"

    class SearchTermShare(Model):
        id = AutoField()
        keyword = ForeignKeyField(Keyword, on_delete="CASCADE", index=False)
        period_start = DateField(index=True)
        period_end = DateField()
        status = CharField(max_length=40, null=True)
        click_share = FloatField(null=True)
        impression_share = FloatField(null=True)
        batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)

        class Meta:
            database = db
            legacy_table_names = False
            indexes = ((("keyword", "period_start", "period_end"), True),)

    return SearchTermShare


COLUMNS = ["shares", "search_impressions", "search_clicks", "marketing_impressions",
           "marketing_clicks", "promotion_impressions", "promotion_clicks"]


def up(migrator, db):
    migrator.migrate(*[migrator.add_column("product_stat", name, IntegerField(null=True))
                       for name in COLUMNS])
    db.create_tables([_share_model(db)])


def down(migrator, db):
    db.drop_tables([_share_model(db)])
    migrator.migrate(*[migrator.drop_column("product_stat", name) for name in COLUMNS])
