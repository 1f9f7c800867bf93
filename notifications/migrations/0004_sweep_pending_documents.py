"""Schedule the re-enqueueing of recaps stuck in "en cours de génération" (issue 6), editable in
the admin like the other jobs."""

from django.db import migrations


def create_job(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    name = "Relance des documents PDF en attente de génération"
    if not PeriodicTask.objects.filter(name=name).exists():
        interval, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
        PeriodicTask.objects.create(
            name=name, task="documents.tasks.sweep_pending_documents", interval=interval, enabled=True
        )
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_job(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="documents.tasks.sweep_pending_documents").delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_periodic_jobs")]

    operations = [migrations.RunPython(create_job, remove_job)]
