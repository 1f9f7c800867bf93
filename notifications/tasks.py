"""Celery tasks of notifications: thin, take ids, call a service."""

import smtplib

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=8,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
)
def deliver_email(self, email_id: int) -> bool:
    return services.email_deliver(email_id=email_id)
