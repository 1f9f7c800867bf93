"""Signals other apps listen to, so the dossier services need not import them.

dossier_choices_changed(sender=Dossier, dossier=...) is sent inside the service's transaction
whenever a registered dossier's choices change (and at registration): documents renders a new
recap version on commit (domain.md §7: "every change of the choices makes a new recap version").
"""

from django.dispatch import Signal

dossier_choices_changed = Signal()
