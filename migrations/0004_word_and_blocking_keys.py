"""What the coverage check and near-duplicate blocking read instead of working out from text:
the match words as eight bytes of a stable hash per word (`kwtrack.text.word_keys`), for each
keyword and title; and each title's blocking keys and model codes (`blocking_keys`,
`title_codes`). Filled in for existing rows.

The backfill calls the live functions: should one change, a later migration recomputes its
column.
"""

from peewee import BlobField, TextField

from kwtrack.text import blocking_keys, title_codes, word_keys


def up(migrator, db):
    migrator.migrate(migrator.add_column("keyword", "word_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_block_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_codes", TextField(null=True)))
    keywords = db.execute_sql('SELECT id, "words" FROM "keyword" '
                              'WHERE "words" IS NOT NULL').fetchall()
    _update(db, "keyword", ["word_keys"], [(word_keys(words),) for _, words in keywords],
            [row_id for row_id, _ in keywords])
    products = db.execute_sql('SELECT id, "title", "title_words" FROM "product"').fetchall()
    _update(db, "product", ["title_keys", "title_block_keys", "title_codes"],
            [(word_keys(words), blocking_keys(title), title_codes(title))
             for _, title, words in products], [row_id for row_id, _, _ in products])


def _update(db, table, columns, values, ids):
    if ids:
        sets = ", ".join(f'"{c}" = {db.param}' for c in columns)
        db.cursor().executemany(f'UPDATE "{table}" SET {sets} WHERE id = {db.param}',
                                [(*v, row_id) for v, row_id in zip(values, ids)])


def down(migrator, db):
    migrator.migrate(migrator.drop_column("keyword", "word_keys"),
                     *[migrator.drop_column("product", c)
                       for c in ("title_keys", "title_block_keys", "title_codes")])
