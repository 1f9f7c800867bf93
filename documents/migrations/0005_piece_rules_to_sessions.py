"""Data: each académie's piece rules become the rules of each of its sessions (issue 13).

The first session of the académie takes the rule itself (its history stays with it); every other
session gets a copy with the same specialties. Rules of an académie without any session have no
session to belong to: they are deleted (the notices' tables reseed them with the first session).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    PieceRule = apps.get_model("documents", "PieceRule")
    Session = apps.get_model("exams", "Session")
    sessions_by_academie: dict[int, list] = {}
    for session in Session.objects.order_by("year", "pk"):
        sessions_by_academie.setdefault(session.academie_id, []).append(session)
    for rule in PieceRule.objects.filter(session__isnull=True).order_by("pk"):
        sessions = sessions_by_academie.get(rule.academie_id, [])
        if not sessions:
            rule.delete()
            continue
        specialties = list(rule.specialties.all())
        rule.session = sessions[0]
        rule.save(update_fields=["session"])
        for session in sessions[1:]:
            rule.pk = None
            rule.id = None
            rule._state.adding = True
            rule.session = session
            rule.save()
            rule.specialties.set(specialties)


def backwards(apps, schema_editor):
    PieceRule = apps.get_model("documents", "PieceRule")
    for rule in PieceRule.objects.select_related("session"):
        rule.academie_id = rule.session.academie_id
        rule.save(update_fields=["academie"])
    # Copies of one rule in several sessions of an académie are merged back into the first.
    seen = set()
    for rule in PieceRule.objects.order_by("session__year", "pk"):
        key = (rule.academie_id, rule.code, rule.reason, rule.order)
        if key in seen:
            rule.delete()
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_piece_rules_per_session"),
        ("exams", "0003_national_rows_to_session_scopes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
