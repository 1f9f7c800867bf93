"""Celery tasks of candidates: thin, idempotent, calling services."""

from celery import shared_task

from candidates.accounts import services as account_services
from candidates.messaging import attachments as message_attachments
from candidates.messaging import bulk as message_bulk
from candidates.privacy import services as privacy_services
from candidates.registration import services
from candidates.review import exports

# Defined beside the export it writes (candidates.review.exports), named
# "candidates.tasks.export_dossiers" as before: the review views enqueue it from there.
export_dossiers = exports.export_dossiers
# Likewise beside the e-mail it writes (candidates.accounts.services), under its historical name.
send_password_reset = account_services.send_password_reset
# Likewise beside the data export it builds (candidates.privacy.services).
build_privacy_export = privacy_services.build_privacy_export
# Likewise beside the messaging services that enqueue them (issue 12: the attachment's quarantine;
# issue 14: a bulk message written by the workers).
check_message_attachment = message_attachments.check_message_attachment
send_message_batch = message_bulk.send_message_batch


@shared_task
def sweep_message_attachments() -> int:
    """Periodic (beat, every 5 minutes): re-enqueue message attachments still in quarantine."""
    return message_attachments.attachments_pending_sweep()


@shared_task(acks_late=True)
def purge_inactive_accounts() -> int:
    """Periodic (beat): delete accounts never activated within 48 h (AM, NT). Idempotent: a
    second run finds nothing left to delete."""
    return account_services.purge_inactive_accounts()


@shared_task(acks_late=True)
def expire_closed_drafts() -> int:
    """Periodic (beat): drafts of sessions whose registration has closed become expired (§7).
    Running it twice expires nothing more."""
    return services.dossier_expire_closed()


@shared_task(acks_late=True)
def purge_retention() -> dict[str, int]:
    """Periodic (beat, daily): the retention purge, identity documents past the appeal period,
    expired data exports (issue 12, docs/rgpd.md)."""
    from candidates.privacy.services import identity_documents_purge, privacy_exports_expire
    from candidates.privacy.services import purge_retention as purge

    return {
        "sessions": len(purge()),
        "identity_files": identity_documents_purge(),
        "exports": privacy_exports_expire(),
    }
