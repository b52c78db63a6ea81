"""Who made each change and each import (`change.changed_by`, `import_batch.imported_by`):
in a team's shared database `kwtrack history` says who, and `undo` does not take back a
teammate's change unasked. NULL for what was logged before: nobody knows who."""

from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("change", "changed_by", CharField(max_length=64, null=True)),
        migrator.add_column("import_batch", "imported_by", CharField(max_length=64, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("change", "changed_by"),
                     migrator.drop_column("import_batch", "imported_by"))
