# issue 15: the possible duplicates of issue 14 counted per (session, identity key) by triggers on
# the dossier table, so the admin's duplicate filter reads the groups of two or more instead of
# grouping the whole table on every page. Triggers rather than Dossier.save(): a group's count
# depends on other rows, which two transactions may change at once (registering two dossiers of one
# person), and only the database sees each write's old and new row exactly (a stale instance, a
# queryset update or delete, the bench's INSERT … SELECT); they add no query to the pages' saves.

from django.db import migrations, models

# candidates.review.selectors.DUPLICATE_STATES_EXCLUDED (tests/candidates/test_duplicates.py checks
# that they agree): a draft never registered and an expired dossier are not compared.
EXCLUDED = "('draft', 'expired')"
GROUPS = "candidates_identitygroup"
COUNTED = "{row}.identity_key <> '' AND {row}.state NOT IN " + EXCLUDED

POSTGRES = f"""
CREATE OR REPLACE FUNCTION candidates_dossier_identity_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF {COUNTED.format(row="OLD")} THEN
            UPDATE {GROUPS} SET dossiers = dossiers - 1
            WHERE session_id = OLD.session_id AND identity_key = OLD.identity_key;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF {COUNTED.format(row="NEW")} THEN
            INSERT INTO {GROUPS} (session_id, identity_key, dossiers)
            VALUES (NEW.session_id, NEW.identity_key, 1)
            ON CONFLICT (session_id, identity_key) DO UPDATE SET dossiers = {GROUPS}.dossiers + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER candidates_dossier_identity_group_insert_delete
    AFTER INSERT OR DELETE ON candidates_dossier
    FOR EACH ROW EXECUTE FUNCTION candidates_dossier_identity_group();
CREATE TRIGGER candidates_dossier_identity_group_update
    AFTER UPDATE OF session_id, identity_key, state ON candidates_dossier
    FOR EACH ROW
    WHEN (OLD.session_id IS DISTINCT FROM NEW.session_id OR OLD.identity_key IS DISTINCT FROM NEW.identity_key
          OR OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION candidates_dossier_identity_group();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS candidates_dossier_identity_group_insert_delete ON candidates_dossier;
DROP TRIGGER IF EXISTS candidates_dossier_identity_group_update ON candidates_dossier;
DROP FUNCTION IF EXISTS candidates_dossier_identity_group();
"""


def _sqlite_add(row: str) -> str:
    return (
        f"INSERT OR IGNORE INTO {GROUPS} (session_id, identity_key, dossiers) "
        f"SELECT {row}.session_id, {row}.identity_key, 0 WHERE {COUNTED.format(row=row)}; "
        f"UPDATE {GROUPS} SET dossiers = dossiers + 1 "
        f"WHERE session_id = {row}.session_id AND identity_key = {row}.identity_key AND {COUNTED.format(row=row)};"
    )


def _sqlite_remove(row: str) -> str:
    return (
        f"UPDATE {GROUPS} SET dossiers = dossiers - 1 "
        f"WHERE session_id = {row}.session_id AND identity_key = {row}.identity_key AND {COUNTED.format(row=row)};"
    )


SQLITE = [
    f"CREATE TRIGGER candidates_dossier_identity_group_insert AFTER INSERT ON candidates_dossier "
    f"BEGIN {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER candidates_dossier_identity_group_delete AFTER DELETE ON candidates_dossier "
    f"BEGIN {_sqlite_remove('OLD')} END",
    "CREATE TRIGGER candidates_dossier_identity_group_update "
    "AFTER UPDATE OF session_id, identity_key, state ON candidates_dossier "
    "WHEN OLD.session_id IS NOT NEW.session_id OR OLD.identity_key IS NOT NEW.identity_key "
    "OR OLD.state IS NOT NEW.state "
    f"BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS candidates_dossier_identity_group_{name}" for name in ("insert", "delete", "update")
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql)
    else:
        raise NotImplementedError(f"no identity group triggers for {vendor}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in [POSTGRES_DROP] if vendor == "postgresql" else SQLITE_DROP if vendor == "sqlite" else []:
        schema_editor.execute(sql)


def fill_groups(apps, schema_editor):
    """Every group counted afresh from the dossiers (after the triggers exist: on PostgreSQL their
    creation locks the table against writes until this migration commits, so none is missed)."""
    Dossier = apps.get_model("candidates", "Dossier")
    IdentityGroup = apps.get_model("candidates", "IdentityGroup")
    IdentityGroup.objects.all().delete()
    rows = (
        Dossier.objects.exclude(identity_key="")
        .exclude(state__in=["draft", "expired"])
        .order_by()
        .values("session_id", "identity_key")
        .annotate(n=models.Count("pk"))
    )
    IdentityGroup.objects.bulk_create(
        (IdentityGroup(session_id=r["session_id"], identity_key=r["identity_key"], dossiers=r["n"]) for r in rows),
        batch_size=2000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0013_waiting_since_index"),
        ("exams", "0006_epreuve_sittings"),
    ]

    operations = [
        migrations.CreateModel(
            name="IdentityGroup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("identity_key", models.CharField(max_length=250)),
                ("dossiers", models.IntegerField(default=0)),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="+", to="exams.session"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("dossiers__gt", 1)),
                        fields=["identity_key", "session"],
                        name="identity_group_shared_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("session", "identity_key"), name="one_identity_group_per_session_key"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(fill_groups, migrations.RunPython.noop),
    ]
