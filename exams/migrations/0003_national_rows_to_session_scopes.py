"""Data: what was national and belongs to an académie moves into each session (issue 13).

Before, every session offered every specialty of its exam, with one gestionnaire contact and one
R408 flag per specialty for the whole country. Each session now opens every specialty of its exam
(nothing a candidate could choose disappears), with all its options and the R408 flags it had.
The gestionnaire contact goes to the sessions of the académie that managed the specialty (or to
every session when no académie managed it): another académie's recaps no longer print it and fall
back to their own bureau's e-mail until their manager types their contact.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Session = apps.get_model("exams", "Session")
    Specialty = apps.get_model("exams", "Specialty")
    SessionSpecialty = apps.get_model("exams", "SessionSpecialty")
    specialties = list(Specialty.objects.prefetch_related("options"))
    for session in Session.objects.all():
        for specialty in specialties:
            if specialty.exam_id != session.exam_id:
                continue
            owns_contact = specialty.managing_academie_id in (None, session.academie_id)
            opening, created = SessionSpecialty.objects.get_or_create(
                session=session,
                specialty=specialty,
                defaults={
                    "r408_annex4": specialty.r408_annex4,
                    "r408_annex5": specialty.r408_annex5,
                    "gestionnaire_name": specialty.gestionnaire_name if owns_contact else "",
                    "gestionnaire_email": specialty.gestionnaire_email if owns_contact else "",
                    "gestionnaire_phone": specialty.gestionnaire_phone if owns_contact else "",
                },
            )
            if created:
                opening.options.set(specialty.options.all())


def backwards(apps, schema_editor):
    Specialty = apps.get_model("exams", "Specialty")
    SessionSpecialty = apps.get_model("exams", "SessionSpecialty")
    for specialty in Specialty.objects.all():
        openings = SessionSpecialty.objects.filter(specialty=specialty).select_related("session")
        with_contact = openings.exclude(gestionnaire_email="").order_by("-session__year").first()
        any_opening = openings.order_by("-session__year").first()
        if any_opening is not None:
            specialty.r408_annex4 = any_opening.r408_annex4
            specialty.r408_annex5 = any_opening.r408_annex5
        if with_contact is not None:
            specialty.gestionnaire_name = with_contact.gestionnaire_name
            specialty.gestionnaire_email = with_contact.gestionnaire_email
            specialty.gestionnaire_phone = with_contact.gestionnaire_phone
            specialty.managing_academie_id = with_contact.session.academie_id
        specialty.save()


class Migration(migrations.Migration):
    dependencies = [("exams", "0002_session_scopes")]

    operations = [migrations.RunPython(forwards, backwards)]
