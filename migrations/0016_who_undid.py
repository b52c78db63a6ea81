"""Who undid each undone change (`change.undone_by`): in a team's shared database `redo` does
not apply again a change a teammate took back unasked. NULL for what was undone before: nobody
knows who."""

from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("change", "undone_by", CharField(max_length=64, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("change", "undone_by"))
