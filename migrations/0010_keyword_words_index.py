"""An index on each keyword's match words (`keyword.words`, by store), so that the keywords a
few titles can hold are found by the first two words they start with (a product's details
in the TUI) instead of reading the whole library.

PostgreSQL compares the words byte by byte there (COLLATE "C"), as SQLite does: a word's
prefix ranges ("a b" up to "a b!") only hold in that order."""

from peewee import PostgresqlDatabase

NAME = "keyword_store_id_words"


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(f'CREATE INDEX {NAME} ON keyword (store_id, words COLLATE "C")')
    else:
        migrator.migrate(migrator.add_index("keyword", ("store_id", "words"), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("keyword", NAME))
