"""Schedule the publication of the convocations (issue 14): every 15 minutes, the sessions whose
"mise à disposition des convocations" has come; editable in the admin like the other jobs."""

from django.db import migrations

NAME = "Publication des convocations (dossiers conformes, à la date du calendrier)"
TASK = "documents.tasks.publish_due_convocations"


def create_job(apps, schema_editor):
    from django.utils import timezone

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if not PeriodicTask.objects.filter(name=NAME).exists():
        interval, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
        PeriodicTask.objects.create(name=NAME, task=TASK, interval=interval, enabled=True)
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_job(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0010_convocation_kind"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_job, remove_job)]
