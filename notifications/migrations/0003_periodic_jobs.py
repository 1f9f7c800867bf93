"""The periodic jobs of the portal, as django-celery-beat rows the office can edit in the admin.

Idempotent: rows are found by name, so running it again (or on a database where an operator
already changed a schedule) creates nothing twice and leaves the operator's edits alone.
"""

from django.db import migrations

# (name, task, schedule): ("every", n, period) or ("cron", minute, hour)
JOBS = [
    ("Balayage de la file des courriels", "notifications.tasks.sweep_outbox", ("every", 1, "minutes")),
    ("Relances (brouillons J-7/J-1, pièces J-3)", "notifications.tasks.send_reminders", ("cron", "5", "*")),
    ("Purge des comptes non activés", "candidates.tasks.purge_inactive_accounts", ("cron", "35", "*")),
    ("Expiration des brouillons à la clôture", "candidates.tasks.expire_closed_drafts", ("every", 5, "minutes")),
    (
        "Annulation des dossiers sans pièces à la date limite",
        "documents.tasks.cancel_dossiers_missing_pieces",
        ("every", 5, "minutes"),
    ),
]


def create_jobs(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, schedule in JOBS:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        if schedule[0] == "every":
            interval, _ = IntervalSchedule.objects.get_or_create(every=schedule[1], period=schedule[2])
            PeriodicTask.objects.create(name=name, task=task, interval=interval, enabled=True)
        else:
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=schedule[1],
                hour=schedule[2],
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="Europe/Paris",
            )
            PeriodicTask.objects.create(name=name, task=task, crontab=crontab, enabled=True)
    # A running beat (DatabaseScheduler) reloads its schedule when this timestamp changes; the
    # model's signals that normally bump it do not fire on historical models.
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_jobs(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _schedule in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_delivery_lease_and_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_jobs, remove_jobs)]
