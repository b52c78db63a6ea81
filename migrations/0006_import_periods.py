"""The stats periods each imported file holds rows for (`import_period`), so that zero effect
is proven only over days the imported stats cover. Filled in for earlier imports from the
stats rows that still name their batch (frozen SQL: a migration never imports kwtrack)."""

from peewee import AutoField, DateField, ForeignKeyField, Model


def _model(db):
    class ImportBatch(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "import_batch"

    class ImportPeriod(Model):
        id = AutoField()
        batch = ForeignKeyField(ImportBatch, on_delete="CASCADE", index=False)
        period_start = DateField()
        period_end = DateField()

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "import_period"
            indexes = ((("batch", "period_start", "period_end"), True),)

    return ImportPeriod


def up(migrator, db):
    db.create_tables([_model(db)])
    for table in ("product_stat", "keyword_stat", "search_term_share"):
        db.execute_sql(
            "INSERT INTO import_period (batch_id, period_start, period_end) "
            f"SELECT DISTINCT batch_id, period_start, period_end FROM {table} s "
            "WHERE batch_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM import_period p WHERE "
            "p.batch_id = s.batch_id AND p.period_start = s.period_start "
            "AND p.period_end = s.period_end)")


def down(migrator, db):
    db.drop_tables([_model(db)])
