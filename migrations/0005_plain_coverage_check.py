"""The coverage check and the duplicate finder work on the readable match words alone
(`keyword.words`, `product.title_words`), in one process: the hashed word keys, the
near-duplicate blocking keys, the stored model codes and each product's last day with effect
are dropped. Measured at 20,000 products, working them out when needed costs less than keeping
them right on every write (see the README's benchmarks)."""

from peewee import BlobField, DateField, TextField

DROPPED = {"keyword": ["word_keys"],
           "product": ["title_keys", "title_block_keys", "title_codes", "last_effect"]}


def up(migrator, db):
    migrator.migrate(*[migrator.drop_column(table, column)
                       for table, columns in DROPPED.items() for column in columns])


def down(migrator, db):
    migrator.migrate(migrator.add_column("keyword", "word_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_block_keys", BlobField(null=True)),
                     migrator.add_column("product", "title_codes", TextField(null=True)),
                     migrator.add_column("product", "last_effect", DateField(null=True)))
