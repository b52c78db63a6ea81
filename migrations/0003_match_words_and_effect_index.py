"""What the coverage check reads instead of recomputing: each keyword's and title's match words
(`kwtrack.text.match_words`, space-joined), filled in for existing rows; and a partial index of
the product-stat rows with any effect, so finding zero-effect products reads index entries only.

The backfill uses a frozen copy of the matching rules as they were when this migration was
released (a migration never imports kwtrack: its result must not change when kwtrack does);
should the rules change, a later migration recomputes both columns.
"""

import re
import unicodedata

from peewee import TextField

_HYPHENS = re.compile(r"[\-\u2010-\u2015\u2212_]+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*", re.UNICODE)


def _singular(word):
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def match_words(text):
    """A keyword's or title's match words as kwtrack 0.x compared them."""
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    text = _SPACES.sub(" ", _HYPHENS.sub(" ", text)).strip()
    return tuple(map(_singular, _WORD.findall(text)))

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
