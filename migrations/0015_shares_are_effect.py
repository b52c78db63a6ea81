"""A product shared had effect (Alibaba.com's own zero-effect rule counts shares): the
partial index of product-stat rows with any effect is rebuilt with `shares > 0` in its
condition, which the zero-effect query repeats word for word (`models.ANY_EFFECT`)."""

BEFORE = ("impressions > 0 OR clicks > 0 OR visitors > 0 OR favorites > 0 OR inquiries > 0"
          " OR tm_chats > 0 OR orders > 0")
AFTER = BEFORE + " OR shares > 0"


def _index(db, condition):
    db.execute_sql('DROP INDEX "product_stat_effect"')
    db.execute_sql('CREATE INDEX "product_stat_effect" ON "product_stat" '
                   f'("product_id", "period_end", "period_start") WHERE {condition}')


def up(migrator, db):
    _index(db, AFTER)


def down(migrator, db):
    _index(db, BEFORE)
