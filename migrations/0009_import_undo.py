"""Undoing an import: each import records the highest id of each table before it began and
what it overwrote or removed (`import_undo`), and an undone import is marked."""

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def _model(db):
    class ImportBatch(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "import_batch"

    class ImportUndo(Model):
        id = AutoField()
        batch = ForeignKeyField(ImportBatch, on_delete="CASCADE", index=False)
        table = CharField(max_length=40)
        action = CharField(max_length=10)
        row_id = IntegerField(null=True)
        data = TextField()

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "import_undo"
            indexes = ((("batch", "table"), False),)

    return ImportUndo


def up(migrator, db):
    migrator.migrate(migrator.add_column("import_batch", "ids_before", TextField(null=True)),
                     migrator.add_column("import_batch", "undone_at",
                                         DateTimeField(null=True)))
    db.create_tables([_model(db)])


def down(migrator, db):
    db.drop_tables([_model(db)])
    migrator.migrate(migrator.drop_column("import_batch", "ids_before"),
                     migrator.drop_column("import_batch", "undone_at"))
