"""Schedule the quarantine sweeper (every 5 minutes) and the daily retention purge (issue 12),
editable in the admin like the other jobs."""

from django.db import migrations

JOBS = [
    ("Relance des dépôts en quarantaine (antivirus)", "documents.tasks.sweep_piece_uploads", 5, "minutes"),
    ("Purge RGPD : durée de conservation, pièces d'identité, exports", "candidates.tasks.purge_retention", 1, "days"),
]


def create_jobs(apps, schema_editor):
    from django.utils import timezone

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, every, period in JOBS:
        if not PeriodicTask.objects.filter(name=name).exists():
            interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
            PeriodicTask.objects.create(name=name, task=task, interval=interval, enabled=True)
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_jobs(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__in=[task for _, task, _, _ in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0008_quarantine_access_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_jobs, remove_jobs)]
