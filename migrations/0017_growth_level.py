"""The store's P4P growth level (`growth_level`): the points and level the back end showed on a
day, recorded by hand, so that the review says the way to L4 (81 points). New: nothing to
fill."""

import datetime as dt

from peewee import (
    AutoField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
)


def _model(db):
    class Store(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "store"

    class GrowthLevel(Model):
        id = AutoField()
        store = ForeignKeyField(Store, on_delete="CASCADE", index=False)
        recorded_on = DateField()
        points = FloatField()
        level = IntegerField(null=True)
        created_at = DateTimeField(default=lambda: dt.datetime.now().replace(microsecond=0))

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "growth_level"
            indexes = ((("store", "recorded_on"), True),)

    return GrowthLevel


def up(migrator, db):
    db.create_tables([_model(db)])


def down(migrator, db):
    db.drop_tables([_model(db)])
