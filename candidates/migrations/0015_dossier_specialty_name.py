# issue 15: the admin's ordering by specialty joined every dossier to its specialty and sorted them
# all (1.2 s at 100,000); the dossier now carries its specialty's name, indexed with the list's
# tie-break. Kept by triggers, as 0014's groups: on the dossier when its specialty is written, on
# the specialty when it is renamed (exams must not import candidates, and a rename in the admin or a
# catalogue service then reaches every dossier of it in the same transaction).

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

NAME_OF = "(SELECT name FROM exams_specialty WHERE id = NEW.specialty_id)"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION candidates_dossier_specialty_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.specialty_name := {NAME_OF};
    RETURN NEW;
END
$$;
CREATE TRIGGER candidates_dossier_specialty_name
    BEFORE INSERT OR UPDATE OF specialty_id, specialty_name ON candidates_dossier
    FOR EACH ROW EXECUTE FUNCTION candidates_dossier_specialty_name();
CREATE OR REPLACE FUNCTION candidates_specialty_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE candidates_dossier SET specialty_name = NEW.name WHERE specialty_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER candidates_specialty_renamed
    AFTER UPDATE OF name ON exams_specialty
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION candidates_specialty_renamed();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS candidates_dossier_specialty_name ON candidates_dossier;
DROP FUNCTION IF EXISTS candidates_dossier_specialty_name();
DROP TRIGGER IF EXISTS candidates_specialty_renamed ON exams_specialty;
DROP FUNCTION IF EXISTS candidates_specialty_renamed();
"""
_SET = f"UPDATE candidates_dossier SET specialty_name = {NAME_OF} WHERE id = NEW.id;"
SQLITE = [
    f"CREATE TRIGGER candidates_dossier_specialty_name_insert AFTER INSERT ON candidates_dossier BEGIN {_SET} END",
    "CREATE TRIGGER candidates_dossier_specialty_name_update "
    "AFTER UPDATE OF specialty_id, specialty_name ON candidates_dossier "
    f"WHEN NEW.specialty_name IS NOT {NAME_OF} BEGIN {_SET} END",
    "CREATE TRIGGER candidates_specialty_renamed AFTER UPDATE OF name ON exams_specialty "
    "WHEN OLD.name IS NOT NEW.name "
    "BEGIN UPDATE candidates_dossier SET specialty_name = NEW.name WHERE specialty_id = NEW.id; END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS candidates_dossier_specialty_name_insert",
    "DROP TRIGGER IF EXISTS candidates_dossier_specialty_name_update",
    "DROP TRIGGER IF EXISTS candidates_specialty_renamed",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql)
    else:
        raise NotImplementedError(f"no specialty name triggers for {vendor}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in [POSTGRES_DROP] if vendor == "postgresql" else SQLITE_DROP if vendor == "sqlite" else []:
        schema_editor.execute(sql)


def fill_names(apps, schema_editor):
    """Every dossier's copy from its specialty (after the triggers: see 0014)."""
    Dossier = apps.get_model("candidates", "Dossier")
    Specialty = apps.get_model("exams", "Specialty")
    Dossier.objects.update(
        specialty_name=Subquery(Specialty.objects.filter(pk=OuterRef("specialty_id")).values("name")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0014_identity_groups"),
        ("exams", "0006_epreuve_sittings"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="specialty_name",
            field=models.CharField(blank=True, editable=False, max_length=160, null=True),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["specialty_name", "-id"], name="dossier_specialty_name_idx"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(fill_names, migrations.RunPython.noop),
    ]
