"""Initial schema: stores, products, keywords, coverage, bids, stats, imports, change log.

A frozen copy of the models as they were when this migration was written; it never imports
`kwtrack.models`, which will change later.
"""

import datetime as dt

from peewee import *


def now():
    return dt.datetime.now().replace(microsecond=0)


def _models(db):
    class BaseModel(Model):
        class Meta:
            database = db
            legacy_table_names = False


    class Store(BaseModel):

        id = AutoField()
        name = CharField(max_length=100, unique=True)
        created_at = DateTimeField(default=now)


    class ImportBatch(BaseModel):

        id = AutoField()
        store = ForeignKeyField(Store, on_delete="CASCADE", backref="batches")
        file_name = TextField()
        sha256 = CharField(max_length=64, index=True)
        kind = CharField(max_length=30)
        period_start = DateField(null=True)
        period_end = DateField(null=True)
        rows_read = IntegerField(default=0)
        rows_added = IntegerField(default=0)
        rows_changed = IntegerField(default=0)
        rows_unchanged = IntegerField(default=0)
        imported_at = DateTimeField(default=now)


    class Product(BaseModel):

        id = AutoField()
        store = ForeignKeyField(Store, on_delete="CASCADE", backref="products")
        product_id = CharField(max_length=40)
        title = TextField()
        category = TextField(null=True)
        status = CharField(max_length=10, default="online")  # online | offline
        showcase = BooleanField(null=True)
        hot = BooleanField(null=True)
        p4p = BooleanField(null=True)
        score = FloatField(null=True)
        published = DateField(null=True)
        archived_at = DateTimeField(null=True)  # set when deleted: nothing is ever lost
        created_at = DateTimeField(default=now)
        updated_at = DateTimeField(default=now)

        class Meta:
            indexes = ((("store", "product_id"), True),)


    class Keyword(BaseModel):

        id = AutoField()
        store = ForeignKeyField(Store, on_delete="CASCADE", backref="keywords")
        keyword = TextField()  # the display form, as the operator or the report wrote it
        norm = TextField()  # kwtrack.text.normalise_keyword(keyword)
        group = CharField(max_length=100, null=True)
        search_index = FloatField(null=True)
        competition = FloatField(null=True)
        source = CharField(max_length=40, null=True)
        status = CharField(max_length=20, null=True)
        notes = TextField(null=True)
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField(default=now)
        updated_at = DateTimeField(default=now)

        class Meta:
            indexes = ((("store", "norm"), True),)


    class Coverage(BaseModel):

        SOURCES = ("keyword", "manual", "search")

        id = AutoField()
        product = ForeignKeyField(Product, on_delete="CASCADE", backref="coverage", index=False)
        keyword = ForeignKeyField(Keyword, on_delete="CASCADE", backref="coverage")
        source = CharField(max_length=10)  # keyword | manual | search
        created_at = DateTimeField(default=now)

        class Meta:
            indexes = ((("product", "keyword", "source"), True),)


    class Bid(BaseModel):

        id = AutoField()
        keyword = ForeignKeyField(Keyword, on_delete="CASCADE", unique=True, backref="bids")
        group = CharField(max_length=100, null=True)
        status = CharField(max_length=10, default="active")  # active | paused
        bid = FloatField(null=True)  # CNY per click
        base_price = FloatField(null=True)
        stars = IntegerField(null=True)
        target_position = IntegerField(null=True)
        updated_at = DateTimeField(default=now)


    class BidChange(BaseModel):

        id = AutoField()
        bid = ForeignKeyField(Bid, on_delete="CASCADE", backref="changes")
        old_bid = FloatField(null=True)
        new_bid = FloatField(null=True)
        old_status = CharField(max_length=10, null=True)
        new_status = CharField(max_length=10, null=True)
        changed_at = DateTimeField(default=now, index=True)
        reason = TextField(null=True)
        batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)


    class KeywordStat(BaseModel):

        CHANNELS = ("organic", "p4p")

        id = AutoField()
        keyword = ForeignKeyField(Keyword, on_delete="CASCADE", backref="stats", index=False)
        period_start = DateField(index=True)
        period_end = DateField()
        channel = CharField(max_length=10, default="organic")
        impressions = IntegerField(null=True)
        clicks = IntegerField(null=True)
        inquiries = IntegerField(null=True)
        spend = FloatField(null=True)
        avg_position = FloatField(null=True)
        search_index = FloatField(null=True)
        batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)

        class Meta:
            indexes = ((("keyword", "period_start", "period_end", "channel"), True),)


    class ProductStat(BaseModel):

        id = AutoField()
        product = ForeignKeyField(Product, on_delete="CASCADE", backref="stats", index=False)
        period_start = DateField(index=True)
        period_end = DateField()
        impressions = IntegerField(null=True)
        clicks = IntegerField(null=True)
        visitors = IntegerField(null=True)
        favorites = IntegerField(null=True)
        inquiries = IntegerField(null=True)
        tm_chats = IntegerField(null=True)
        orders = IntegerField(null=True)
        batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)

        class Meta:
            indexes = ((("product", "period_start", "period_end"), True),)


    class Change(BaseModel):

        id = AutoField()
        store = ForeignKeyField(Store, on_delete="CASCADE", backref="changes")
        action = IntegerField(index=True)
        entity = CharField(max_length=20)  # product | keyword | coverage | bid
        entity_id = IntegerField()
        field = CharField(max_length=40)
        old = TextField(null=True)
        new = TextField(null=True)
        changed_at = DateTimeField(default=now)
        reason = TextField(null=True)
        undone_at = DateTimeField(null=True)

    return [Store, ImportBatch, Product, Keyword, Coverage, Bid, BidChange, KeywordStat,
            ProductStat, Change]


def up(migrator, db):
    db.create_tables(_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_models(db))))
