"""The match words as the coverage check reads them: eight bytes of a stable hash per word
(`kwtrack.text.word_keys`), for each keyword and title, filled in for existing rows from the
match words migration 0003 stored.

The backfill calls the live `word_keys`: should its hash change, a later migration recomputes
both columns.
"""

from peewee import BlobField

from kwtrack.text import word_keys


def up(migrator, db):
    migrator.migrate(migrator.add_column("keyword", "word_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_keys", BlobField(null=True)))
    for table, source, target in (("keyword", "words", "word_keys"),
                                  ("product", "title_words", "title_keys")):
        rows = db.execute_sql(f'SELECT id, "{source}" FROM "{table}" '
                              f'WHERE "{source}" IS NOT NULL').fetchall()
        if rows:
            db.cursor().executemany(
                f'UPDATE "{table}" SET "{target}" = {db.param} WHERE id = {db.param}',
                [(word_keys(words), row_id) for row_id, words in rows])


def down(migrator, db):
    migrator.migrate(migrator.drop_column("keyword", "word_keys"),
                     migrator.drop_column("product", "title_keys"))
