"""documents listens to the dossier's announcements (candidates/signals.py)."""

from django.dispatch import receiver

from candidates.signals import dossier_choices_changed

from .recap import dossier_request_documents


@receiver(dossier_choices_changed, dispatch_uid="documents_render_on_choices_changed")
def render_documents_on_choices_changed(sender, dossier, **kwargs):
    # Sent inside the dossier service's transaction: the render tasks go out on its commit.
    dossier_request_documents(dossier=dossier)
