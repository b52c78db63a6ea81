"""What the coverage check reads instead of working out: the match words as eight bytes of a
stable hash per word (`kwtrack.text.word_keys`), for each keyword and title; each title's
near-duplicate blocking keys and model codes (`blocking_keys`, `title_codes`); and each
product's last day with effect in its stats. Filled in for existing rows.

The backfill uses frozen copies of the functions as they were when this migration was
released (a migration never imports kwtrack). Migration 0005 drops these columns again.
"""

import hashlib
import re

from peewee import BlobField, DateField, TextField


def _key(word):
    return hashlib.blake2b(word.encode(), digest_size=8).digest()


def word_keys(words):
    return None if words is None else b"".join(map(_key, words.split()))


_NOT_IN_WORD = re.compile(r"[^\w\s]|_")


def blocking_keys(title):
    if title is None:
        return None
    words = (w.rstrip("s") or w for w in _NOT_IN_WORD.sub("", title.lower()).split())
    return b"".join(map(_key, dict.fromkeys(words)))


_CODE = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])"
                   r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def title_codes(title):
    if title is None:
        return None
    return " ".join(sorted({m.upper() for m in _CODE.findall(title) if len(m) >= 4}))


def up(migrator, db):
    migrator.migrate(migrator.add_column("keyword", "word_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_block_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_codes", TextField(null=True)),
                     migrator.add_column("product", "last_effect", DateField(null=True)))
    keywords = db.execute_sql('SELECT id, "words" FROM "keyword" '
                              'WHERE "words" IS NOT NULL').fetchall()
    _update(db, "keyword", ["word_keys"], [(word_keys(words),) for _, words in keywords],
            [row_id for row_id, _ in keywords])
    products = db.execute_sql('SELECT id, "title", "title_words" FROM "product"').fetchall()
    _update(db, "product", ["title_keys", "title_block_keys", "title_codes"],
            [(word_keys(words), blocking_keys(title), title_codes(title))
             for _, title, words in products], [row_id for row_id, _, _ in products])
    # (the condition is migration 0003's partial index's, word for word)
    db.execute_sql(f"UPDATE product SET last_effect = (SELECT MAX(period_end) FROM product_stat "
                   f"WHERE product_id = product.id AND ({ANY_EFFECT}))")


ANY_EFFECT = ("impressions > 0 OR clicks > 0 OR visitors > 0 OR favorites > 0 OR inquiries > 0"
              " OR tm_chats > 0 OR orders > 0")


def _update(db, table, columns, values, ids):
    if ids:
        sets = ", ".join(f'"{c}" = {db.param}' for c in columns)
        db.cursor().executemany(f'UPDATE "{table}" SET {sets} WHERE id = {db.param}',
                                [(*v, row_id) for v, row_id in zip(values, ids)])


def down(migrator, db):
    migrator.migrate(migrator.drop_column("keyword", "word_keys"),
                     *[migrator.drop_column("product", c)
                       for c in ("title_keys", "title_block_keys", "title_codes",
                                 "last_effect")])
