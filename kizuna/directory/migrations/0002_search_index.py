"""The full-text index over EntryText.search_text, one per database (DESIGN.md, Search).

SQLite: an external-content FTS5 table; services.index inserts and deletes its rows
explicitly with the entry. PostgreSQL: to_tsvector('simple', search_text) kept in a stored
generated column with a GIN index, both maintained by PostgreSQL itself. Storing the
vector matters: whenever the planner checks candidate rows one by one instead of through
the index, recomputing to_tsvector from the text would cost about a millisecond per row.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE directory_fts USING fts5("
    "search_text, content='directory_entrytext', content_rowid='entry_id', "
    # Diacritics are kept, as PostgreSQL's 'simple' configuration keeps them.
    "tokenize='unicode61 remove_diacritics 0')"
)
POSTGRES_CREATE = [
    "ALTER TABLE directory_entrytext ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX directory_entry_search_gin ON directory_entrytext USING GIN (search_vector)",
]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS directory_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS directory_entry_search_gin")
        schema_editor.execute("ALTER TABLE directory_entrytext DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
