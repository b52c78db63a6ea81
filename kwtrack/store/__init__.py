"""The database: the schema (models), opening and upgrading it (database), bulk writes (bulk)."""
