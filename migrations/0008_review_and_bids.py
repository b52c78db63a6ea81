"""The weekly review and P4P bids: tracked keywords, per-word bid limits, product score
history, review marks (done, snoozed) and the P4P plan (budget, hours, markets)."""

from peewee import (
    AutoField,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    Model,
    TextField,
)


def _models(db):
    def table(name):
        class Meta:
            database = db
            table_name = name

        return type(name.title().replace("_", ""), (Model,), {"id": AutoField(), "Meta": Meta})

    Store, Keyword, Product, ImportBatch = (table(n) for n in (
        "store", "keyword", "product", "import_batch"))

    class ScoreHistory(Model):
        id = AutoField()
        product = ForeignKeyField(Product, on_delete="CASCADE", index=False)
        score = FloatField()
        recorded_at = DateTimeField()
        batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "score_history"
            indexes = ((("product", "recorded_at"), False),)

    class ReviewMark(Model):
        id = AutoField()
        store = ForeignKeyField(Store, on_delete="CASCADE", index=False)
        keyword = ForeignKeyField(Keyword, on_delete="CASCADE", null=True)
        product = ForeignKeyField(Product, on_delete="CASCADE", null=True)
        section = CharField(max_length=30)
        week = DateField()
        until = DateField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "review_mark"
            indexes = ((("store", "section"), False),)

    class P4PPlan(Model):
        id = AutoField()
        store = ForeignKeyField(Store, on_delete="CASCADE", unique=True)
        budget = FloatField(null=True)
        hours = CharField(max_length=20, null=True)
        markets = TextField(null=True)
        updated_at = DateTimeField()

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "p4p_plan"

    return [ScoreHistory, ReviewMark, P4PPlan]


def up(migrator, db):
    migrator.migrate(migrator.add_column("keyword", "tracked_at", DateTimeField(null=True)),
                     migrator.add_column("bid", "min_bid", FloatField(null=True)),
                     migrator.add_column("bid", "max_bid", FloatField(null=True)))
    db.create_tables(_models(db))
    # every product's score as it stands is its first recorded score
    db.execute_sql("INSERT INTO score_history (product_id, score, recorded_at) "
                   "SELECT id, score, updated_at FROM product WHERE score IS NOT NULL")


def down(migrator, db):
    db.drop_tables(_models(db))
    migrator.migrate(migrator.drop_column("keyword", "tracked_at"),
                     migrator.drop_column("bid", "min_bid"),
                     migrator.drop_column("bid", "max_bid"))
