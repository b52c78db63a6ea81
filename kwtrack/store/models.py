"""The kwtrack schema: stores, products, keywords, coverage, P4P bids, stats, imports, changes.

Every model binds to `database`, a proxy that `kwtrack.store.database.open_database` points at
SQLite or PostgreSQL. Unknown numbers are NULL, never 0: a report that says `-` did not say "zero".
The migrations in `migrations/` must produce exactly this schema (a test checks it).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os

from peewee import (
    SQL,
    AutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DatabaseProxy,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    fn,
)

from kwtrack.words import group_key, keyword_words_of, words_of

database = DatabaseProxy()


def now() -> dt.datetime:
    """The current local time, to the second: what change logs and batches record."""
    return dt.datetime.now().replace(microsecond=0)


def current_user() -> str | None:
    """Who is making a change, as the change log and the import log record it:
    `KWTRACK_USER` (a team sharing one login names each of its people), else the login
    name; None when neither is known."""
    name = os.environ.get("KWTRACK_USER", "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):  # (no login name: a container without a passwd entry)
            return None
    return name[:64] or None


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False

    # Columns worked out from another, as {source column: function of its value → {column:
    # value}}: every write of the source writes them too (`save`, the importers, undo).
    DERIVED: dict = {}

    @classmethod
    def derived(cls, column: str, value) -> dict:
        """The columns to write beside `column` = `value` (empty when none depend on it)."""
        work = cls.DERIVED.get(column)
        return work(value) if work else {}

    def save(self, *args, **kwargs):
        for column in self.DERIVED:
            for name, value in self.derived(column, getattr(self, column)).items():
                setattr(self, name, value)
        return super().save(*args, **kwargs)


class Store(BaseModel):
    """One Alibaba.com store. An agency can keep several in one database."""

    id = AutoField()
    name = CharField(max_length=100, unique=True)
    created_at = DateTimeField(default=now)


class ImportBatch(BaseModel):
    """One imported file: what it was, its period and what it did to the database."""

    id = AutoField()
    store = ForeignKeyField(Store, on_delete="CASCADE", backref="batches")
    file_name = TextField()
    sha256 = CharField(max_length=64, index=True)
    kind = CharField(max_length=30)
    period_start = DateField(null=True)
    period_end = DateField(null=True)
    rows_read = IntegerField(default=0)
    rows_added = IntegerField(default=0)
    rows_changed = IntegerField(default=0)
    rows_unchanged = IntegerField(default=0)
    imported_at = DateTimeField(default=now)
    ids_before = TextField(null=True)  # JSON: each table's highest id before the import
    undone_at = DateTimeField(null=True)
    imported_by = CharField(max_length=64, null=True)  # `current_user` (NULL: not known)


class ImportUndo(BaseModel):
    """What an import overwrote or removed, so that undoing it restores it: a row's old
    values (`update`) or a removed row (`delete`), as JSON. The rows an import added are the
    store's rows with ids above `ImportBatch.ids_before` (imports hold the write lock)."""

    id = AutoField()
    batch = ForeignKeyField(ImportBatch, on_delete="CASCADE", backref="undo", index=False)
    table = CharField(max_length=40)
    action = CharField(max_length=10)  # update | delete
    row_id = IntegerField(null=True)
    data = TextField()

    class Meta:
        indexes = ((("batch", "table"), False),)


class ImportPeriod(BaseModel):
    """A stats period an imported file holds rows for (a day, a week): what the stats cover.

    Zero effect is proven only over days these periods cover; a day no imported file covers
    is unknown, never zero."""

    id = AutoField()
    batch = ForeignKeyField(ImportBatch, on_delete="CASCADE", backref="periods", index=False)
    period_start = DateField()
    period_end = DateField()

    class Meta:
        indexes = ((("batch", "period_start", "period_end"), True),)


class Product(BaseModel):
    """One listing in the store, identified by its Alibaba.com product ID."""

    id = AutoField()
    store = ForeignKeyField(Store, on_delete="CASCADE", backref="products")
    product_id = CharField(max_length=40)
    title = TextField()
    category = TextField(null=True)
    status = CharField(max_length=10, default="online")  # online | offline
    showcase = BooleanField(null=True)
    hot = BooleanField(null=True)
    p4p = BooleanField(null=True)
    score = FloatField(null=True)
    published = DateField(null=True)
    archived_at = DateTimeField(null=True)  # set when deleted: nothing is ever lost
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    # The title's match words (kwtrack.words.words_of), written with the title (DERIVED):
    # the coverage check's title route reads them instead of splitting every title again.
    title_words = TextField(null=True)

    class Meta:
        indexes = ((("store", "product_id"), True),)

    DERIVED = {"title": lambda title: {"title_words": words_of(title)}}


class Keyword(BaseModel):
    """A word in the store's keyword library, matched on its normalised form `norm`."""

    id = AutoField()
    store = ForeignKeyField(Store, on_delete="CASCADE", backref="keywords")
    keyword = TextField()  # the display form, as the operator or the report wrote it
    norm = TextField()  # kwtrack.words.normalise_keyword(keyword)
    group = CharField(max_length=100, null=True)
    search_index = FloatField(null=True)
    competition = FloatField(null=True)
    source = CharField(max_length=40, null=True)
    status = CharField(max_length=20, null=True)
    notes = TextField(null=True)
    archived_at = DateTimeField(null=True)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    words = TextField(null=True)  # match words (kwtrack.words.keyword_words_of)
    tracked_at = DateTimeField(null=True)  # followed on its own, between weekly reviews

    class Meta:
        # (store, words): the keywords some titles may hold, by the words they start with
        indexes = ((("store", "norm"), True), (("store", "words"), False))

    DERIVED = {"keyword": lambda keyword: {"words": keyword_words_of(keyword)}}

    @classmethod
    def group_spellings(cls, store: Store) -> dict[str, str]:
        """The store's keyword groups by `group_key`: the spelling most of its keywords
        have (then the first), which a group typed or imported another way is written as,
        so that one group never lists as two."""
        counts = (cls.select(cls.group, fn.COUNT(cls.id).alias("n"))
                  .where((cls.store == store) & cls.group.is_null(False))
                  .group_by(cls.group).order_by(fn.COUNT(cls.id).desc(), cls.group))
        spellings: dict[str, str] = {}
        for group, _ in counts.tuples():
            spellings.setdefault(group_key(group), group)
        return spellings


class Coverage(BaseModel):
    """A link saying a product covers a keyword, and where the link came from."""

    SOURCES = ("keyword", "manual", "search")

    id = AutoField()
    product = ForeignKeyField(Product, on_delete="CASCADE", backref="coverage", index=False)
    keyword = ForeignKeyField(Keyword, on_delete="CASCADE", backref="coverage")
    source = CharField(max_length=10)  # keyword | manual | search
    created_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("product", "keyword", "source"), True),)


class Bid(BaseModel):
    """The current P4P (pay-for-performance) settings of one keyword."""

    id = AutoField()
    keyword = ForeignKeyField(Keyword, on_delete="CASCADE", unique=True, backref="bids")
    group = CharField(max_length=100, null=True)
    status = CharField(max_length=10, default="active")  # active | paused
    bid = FloatField(null=True)  # CNY per click
    base_price = FloatField(null=True)
    stars = IntegerField(null=True)
    target_position = IntegerField(null=True)
    min_bid = FloatField(null=True)  # this word's own limits, within the plan's global ones
    max_bid = FloatField(null=True)
    updated_at = DateTimeField(default=now)


class BidChange(BaseModel):
    """One change of a keyword's bid or status: the bid history."""

    id = AutoField()
    bid = ForeignKeyField(Bid, on_delete="CASCADE", backref="changes")
    old_bid = FloatField(null=True)
    new_bid = FloatField(null=True)
    old_status = CharField(max_length=10, null=True)
    new_status = CharField(max_length=10, null=True)
    changed_at = DateTimeField(default=now, index=True)
    reason = TextField(null=True)
    batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)


class KeywordStat(BaseModel):
    """A keyword's numbers for one period (usually a week) and one channel (organic or p4p).

    Stats tables are the big ones (millions of rows), so they carry only the indexes queries
    use: the unique key (which also serves lookups by keyword or product) and the period.
    """

    CHANNELS = ("organic", "p4p")

    id = AutoField()
    keyword = ForeignKeyField(Keyword, on_delete="CASCADE", backref="stats", index=False)
    period_start = DateField(index=True)
    period_end = DateField()
    channel = CharField(max_length=10, default="organic")
    impressions = IntegerField(null=True)
    clicks = IntegerField(null=True)
    inquiries = IntegerField(null=True)
    spend = FloatField(null=True)
    avg_position = FloatField(null=True)
    search_index = FloatField(null=True)
    batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)

    class Meta:
        indexes = ((("keyword", "period_start", "period_end", "channel"), True),)


class KeywordWeek(BaseModel):
    """A keyword's figures for one ISO week (its Monday), both channels added, with the P4P
    figures apart: the weekly review's roll-up of `KeywordStat`, so that it ranks a week's
    words on one row each instead of summing millions of stats rows.

    Derived data, written in one place only (`kwtrack.store.weekly.refresh`), a store's week
    at a time, by every import that writes keyword stats and by undoing one. NULL: no row
    said it (unknown, never 0). Rows are keyed store, week, keyword, so that a week's rows
    are written side by side; `keyword_id` is therefore no foreign key (that would need an
    index in keyword order, rewritten all over by every week): a keyword's rows go when its
    store's week is written again, and every reader joins the keyword table.
    """

    store = ForeignKeyField(Store, on_delete="CASCADE", index=False)
    week = DateField()
    keyword = IntegerField(column_name="keyword_id")
    impressions = IntegerField(null=True)
    clicks = IntegerField(null=True)
    inquiries = IntegerField(null=True)
    p4p_clicks = IntegerField(null=True)
    p4p_inquiries = IntegerField(null=True)
    p4p_spend = FloatField(null=True)
    # the average impressions of the known weeks of the 3 before (NULL: none known), which
    # the rising words are measured against
    previous_impressions = FloatField(null=True)

    class Meta:
        primary_key = CompositeKey("store", "week", "keyword")
        indexes = (  # (the review's scans of a week's words read this index alone)
            (("store", "week", "impressions", "previous_impressions"), False),
            (("store", "week", "p4p_spend"), False))


class ProductStat(BaseModel):
    """A product's numbers for one period (usually a day)."""

    id = AutoField()
    product = ForeignKeyField(Product, on_delete="CASCADE", backref="stats", index=False)
    period_start = DateField(index=True)
    period_end = DateField()
    impressions = IntegerField(null=True)
    clicks = IntegerField(null=True)
    visitors = IntegerField(null=True)
    favorites = IntegerField(null=True)
    inquiries = IntegerField(null=True)
    tm_chats = IntegerField(null=True)
    orders = IntegerField(null=True)
    shares = IntegerField(null=True)
    # The data manager's splits of impressions and clicks by traffic source; the plain
    # `impressions`/`clicks` above are the whole-store totals (全店曝光/点击).
    search_impressions = IntegerField(null=True)
    search_clicks = IntegerField(null=True)
    marketing_impressions = IntegerField(null=True)
    marketing_clicks = IntegerField(null=True)
    promotion_impressions = IntegerField(null=True)  # 全站推广 (full-site promotion)
    promotion_clicks = IntegerField(null=True)
    batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)

    class Meta:
        indexes = ((("product", "period_start", "period_end"), True),)


# A product's days with any effect, indexed on their own (a partial index): the zero-effect
# check asks, per product, only "is there one in the window?". Queries must repeat ANY_EFFECT
# word for word for the database to use it.
# (shares too: Alibaba.com's own rule counts them; migration 0015 rebuilt the index so)
EFFECT_METRICS = ("impressions", "clicks", "visitors", "favorites", "inquiries", "tm_chats",
                  "orders", "shares")
ANY_EFFECT = " OR ".join(f"{m} > 0" for m in EFFECT_METRICS)
ProductStat.add_index(ProductStat.index(
    ProductStat.product, ProductStat.period_end, ProductStat.period_start,
    name="product_stat_effect", where=SQL(ANY_EFFECT)))


class SearchTermShare(BaseModel):
    """A buyer search term's share of clicks and impressions in full-site promotion (全站推广).

    That report gives shares, not counts or bids, so they are kept apart from keyword stats.
    """

    id = AutoField()
    keyword = ForeignKeyField(Keyword, on_delete="CASCADE", backref="shares", index=False)
    period_start = DateField(index=True)
    period_end = DateField()
    status = CharField(max_length=40, null=True)
    click_share = FloatField(null=True)  # percent, as the report shows it
    impression_share = FloatField(null=True)
    batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)

    class Meta:
        indexes = ((("keyword", "period_start", "period_end"), True),)


class Change(BaseModel):
    """One edited field, in the change log that `kwtrack history` lists and `undo` reverses.

    Changes made by one command share an `action` number, so undo reverses them together.
    """

    id = AutoField()
    store = ForeignKeyField(Store, on_delete="CASCADE", backref="changes")
    action = IntegerField(index=True)
    entity = CharField(max_length=20)  # product | keyword | coverage | bid
    entity_id = IntegerField()
    field = CharField(max_length=40)
    old = TextField(null=True)
    new = TextField(null=True)
    changed_at = DateTimeField(default=now)
    reason = TextField(null=True)
    undone_at = DateTimeField(null=True)
    changed_by = CharField(max_length=64, null=True)  # `current_user` (NULL: not known)
    undone_by = CharField(max_length=64, null=True)  # who undid it (NULL: not known, or live)


class ScoreHistory(BaseModel):
    """A product's score as an import found it (kept when it changes), so the weekly review
    can tell a score that fell since the last import."""

    id = AutoField()
    product = ForeignKeyField(Product, on_delete="CASCADE", backref="scores", index=False)
    score = FloatField()
    recorded_at = DateTimeField(default=now)
    batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", index=False)

    class Meta:
        indexes = ((("product", "recorded_at"), False),)


class ReviewMark(BaseModel):
    """A weekly-review item marked done (for good) or snoozed (until a week), per section."""

    id = AutoField()
    store = ForeignKeyField(Store, on_delete="CASCADE", backref="review_marks", index=False)
    keyword = ForeignKeyField(Keyword, on_delete="CASCADE", null=True, backref="review_marks")
    product = ForeignKeyField(Product, on_delete="CASCADE", null=True, backref="review_marks")
    section = CharField(max_length=30)
    week = DateField()  # the Monday of the week it was marked in
    until = DateField(null=True)  # snoozed: hidden before this Monday; done: NULL
    created_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("store", "section"), False),)


class P4PPlan(BaseModel):
    """A store's P4P plan: daily budget, promotion hours (China time) and target markets."""

    id = AutoField()
    store = ForeignKeyField(Store, on_delete="CASCADE", unique=True, backref="p4p_plans")
    budget = FloatField(null=True)  # CNY a day
    hours = CharField(max_length=20, null=True)  # HH:MM-HH:MM, Asia/Shanghai
    markets = TextField(null=True)  # space-separated: ISO country codes or IANA zones
    updated_at = DateTimeField(default=now)

    class Meta:
        table_name = "p4p_plan"


class GrowthLevel(BaseModel):
    """The store's P4P growth level (营销成长等级) as the back end showed it on a day: its
    points and its level (L4, at 81 points, unlocks regional promotion). The operator
    records it by hand, about once a month; the review says the way to the target."""

    id = AutoField()
    store = ForeignKeyField(Store, on_delete="CASCADE", backref="growth_levels", index=False)
    recorded_on = DateField()
    points = FloatField()
    level = IntegerField(null=True)  # L4 → 4 (NULL: not given)
    created_at = DateTimeField(default=now)

    class Meta:
        table_name = "growth_level"
        indexes = ((("store", "recorded_on"), True),)  # (a day's level once: set again, replaced)


ALL_MODELS = [
    Store,
    ImportBatch,
    ImportPeriod,
    ImportUndo,
    Product,
    Keyword,
    Coverage,
    Bid,
    BidChange,
    KeywordStat,
    KeywordWeek,
    ProductStat,
    Change,
    SearchTermShare,
    ScoreHistory,
    ReviewMark,
    P4PPlan,
    GrowthLevel,
]
