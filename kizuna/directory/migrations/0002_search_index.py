"""The full-text index over EntryText.search_text, one per database (DESIGN.md, Search).

SQLite: an external-content FTS5 table; services.index inserts and deletes its rows
explicitly with the entry. PostgreSQL: a GIN index on to_tsvector('simple', search_text),
which PostgreSQL keeps up to date itself.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE directory_fts USING fts5("
    "search_text, content='directory_entrytext', content_rowid='entry_id', "
    # Diacritics are kept, as PostgreSQL's 'simple' configuration keeps them.
    "tokenize='unicode61 remove_diacritics 0')"
)
POSTGRES_CREATE = (
    "CREATE INDEX directory_entry_search_gin ON directory_entrytext "
    "USING GIN (to_tsvector('simple', search_text))"
)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS directory_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS directory_entry_search_gin")


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
