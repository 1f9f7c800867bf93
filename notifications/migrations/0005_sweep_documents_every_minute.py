"""issue 17: the documents' sweeper runs every minute (it ran every 10 minutes, with a 10-minute
threshold: a lost render came back after about 18 minutes), like the outbox sweeper; and a daily
sweep of orphan files in private storage."""

from django.db import migrations


def every_minute(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.filter(task="documents.tasks.sweep_pending_documents").update(interval=minute)
    name = "Suppression des fichiers orphelins du stockage privé"
    if not PeriodicTask.objects.filter(name=name).exists():
        daily, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
        PeriodicTask.objects.create(
            name=name, task="documents.tasks.sweep_orphan_files", interval=daily, enabled=True
        )
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def every_ten_minutes(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    ten, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.filter(task="documents.tasks.sweep_pending_documents").update(interval=ten)
    PeriodicTask.objects.filter(task="documents.tasks.sweep_orphan_files").delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_sweep_pending_documents")]

    operations = [migrations.RunPython(every_minute, every_ten_minutes)]
