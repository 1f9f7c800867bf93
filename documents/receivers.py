"""documents listens to the dossier's announcements (candidates/signals.py)."""

from django.dispatch import receiver

from candidates.signals import dossier_choices_changed
from exams.signals import session_prepared

from .recap import dossier_request_documents


@receiver(dossier_choices_changed, dispatch_uid="documents_render_on_choices_changed")
def render_documents_on_choices_changed(sender, dossier, **kwargs):
    # Sent inside the dossier service's transaction: the render tasks go out on its commit.
    dossier_request_documents(dossier=dossier)


@receiver(session_prepared, dispatch_uid="documents_copy_piece_rules_on_rollover")
def copy_piece_rules_on_rollover(sender, previous, session, by=None, **kwargs):
    # Next year's rules start as this year's; editing them never touches this year (issue 13).
    from .services import piece_rules_copy

    piece_rules_copy(source=previous, target=session)
