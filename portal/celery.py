"""The Celery application: workers send every e-mail and render every PDF.

Tasks are enqueued after the database transaction commits (Celery's ``delay_on_commit``), so a
worker never loads a row "before our database transaction was committed" (pretix's words).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
