"""What the coverage check reads instead of recomputing: each keyword's and title's match words
(`kwtrack.text.match_words`, space-joined), filled in for existing rows; and a partial index of
the product-stat rows with any effect, so finding zero-effect products reads index entries only.

The backfill calls the live `match_words`: should its rules change, a later migration
recomputes both columns.
"""

from peewee import TextField

from kwtrack.text import match_words

ANY_EFFECT = ("impressions > 0 OR clicks > 0 OR visitors > 0 OR favorites > 0 OR inquiries > 0"
              " OR tm_chats > 0 OR orders > 0")


def up(migrator, db):
    migrator.migrate(migrator.add_column("keyword", "words", TextField(null=True)),
                     migrator.add_column("product", "title_words", TextField(null=True)))
    for table, source, target in (("keyword", "keyword", "words"),
                                  ("product", "title", "title_words")):
        rows = db.execute_sql(f'SELECT id, "{source}" FROM "{table}"').fetchall()
        if rows:
            db.cursor().executemany(
                f'UPDATE "{table}" SET "{target}" = {db.param} WHERE id = {db.param}',
                [(" ".join(match_words(text)), row_id) for row_id, text in rows])
    db.execute_sql('CREATE INDEX "product_stat_effect" ON "product_stat" '
                   f'("product_id", "period_end", "period_start") WHERE {ANY_EFFECT}')


def down(migrator, db):
    db.execute_sql('DROP INDEX "product_stat_effect"')
    migrator.migrate(migrator.drop_column("keyword", "words"),
                     migrator.drop_column("product", "title_words"))
