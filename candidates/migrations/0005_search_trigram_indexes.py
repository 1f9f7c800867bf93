# issue 15: trigram indexes for the admin's search on PostgreSQL (pg_trgm). Django's icontains is
# UPPER(col) LIKE UPPER('%term%'), so the indexes are on UPPER(col). Nothing happens on SQLite, and
# the indexes stay out of the model state (a GIN index cannot be rebuilt by SQLite's table remake).

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("candidates_dossier_birth_name_trgm", "candidates_dossier", "birth_name"),
    ("candidates_dossier_usage_name_trgm", "candidates_dossier", "usage_name"),
    ("candidates_dossier_first_name_1_trgm", "candidates_dossier", "first_name_1"),
    ("candidates_user_email_trgm", "candidates_user", "email"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class PostgresTrigramExtension(TrigramExtension):
    """Django's CreateExtension skips other databases going forwards but not backwards (it queries
    pg_extension), so unapplying this migration on SQLite failed."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [("candidates", "0004_dossier_piece_counters")]

    operations = [PostgresTrigramExtension(), migrations.RunPython(create, drop)]
