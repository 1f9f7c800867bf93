# issue 15: the admin's search by name ORed three trigram indexes (0005), which PostgreSQL gave up
# for a scan of every dossier when the name is common ("DUPONT": 3,668 of 100,000, 80–100 ms per
# query, twice per page). One index on the three names joined by spaces
# (candidates.review.selectors.SearchedNames; icontains is UPPER(x::text) LIKE UPPER('%…%')).
# As 0005: PostgreSQL only, outside the model state (a GIN index on an expression of three columns
# is nothing SQLite's table remake could rebuild).

from django.db import migrations

NAME = "candidates_dossier_names_trgm"
EXPRESSION = """UPPER(("birth_name" || ' ' || "usage_name" || ' ' || "first_name_1")::text)"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "candidates_dossier" USING gin (({EXPRESSION}) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):

    dependencies = [("candidates", "0015_dossier_specialty_name")]

    operations = [migrations.RunPython(create, drop)]
