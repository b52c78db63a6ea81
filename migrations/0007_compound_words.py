"""Match words keep a title's hyphenated compounds whole (`slip-on`, `38-47`): a word found
only inside a compound no longer counts as in a title; a keyword's hyphens are spaces. Every
keyword's and title's stored match words are worked out again, with a frozen copy of the rules
as this migration was released (a migration never imports kwtrack: its result must not change
when kwtrack does)."""

import re
import unicodedata

_HYPHENS = re.compile(r"[\-\u2010-\u2015\u2212_]+")
_MATCH_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*(?:-[^\W_]+(?:['’.][^\W_]+)*)*")


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


def _compound_singular(word):
    if "-" not in word:
        return _singular(word)
    head, _, last = word.rpartition("-")
    if len(last) == 3 and last.isascii() and last.isalpha() and last.endswith("s"):
        return f"{head}-{last[:-1]}"
    return f"{head}-{_singular(last)}"


def words_of(text):
    if text is None:
        return None
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    text = _HYPHENS.sub("-", text)
    return " ".join(map(_compound_singular, _MATCH_WORD.findall(text)))


def keyword_words_of(text):
    """A keyword holds no compound of its own: its hyphens are spaces, as in its identity."""
    return None if text is None else words_of(_HYPHENS.sub(" ", text))


def _recompute(db, table, source, target, work):
    rows = db.execute_sql(f'SELECT id, "{source}" FROM "{table}"').fetchall()
    if rows:
        db.cursor().executemany(
            f'UPDATE "{table}" SET "{target}" = {db.param} WHERE id = {db.param}',
            [(work(text), row_id) for row_id, text in rows])


def up(migrator, db):
    _recompute(db, "keyword", "keyword", "words", keyword_words_of)
    _recompute(db, "product", "title", "title_words", words_of)


def down(migrator, db):
    pass  # the old words are recomputed by the old code's migration 0003 rules if needed
