"""Reads of the corrections workflow: the open dossiers whose contact no longer matches the
profile (an address change after registration is never silently ignored)."""

from __future__ import annotations

from candidates.models import CONTACT_FIELD_NAMES, Dossier, DossierState

# Dossiers still alive for the bureau: a contact change matters to them (convocation, mail).
OPEN_STATES = (
    DossierState.DRAFT,
    DossierState.REGISTERED,
    DossierState.SUBMITTED,
    DossierState.IN_REVIEW,
    DossierState.INCOMPLETE,
    DossierState.COMPLIANT,
)


def contact_differences(profile, dossier: Dossier) -> list[str]:
    """The contact fields (names) whose value differs between the profile and the dossier."""
    diffs = []
    for name in CONTACT_FIELD_NAMES:
        attr = name + "_id" if name == "departement" else name
        if (getattr(profile, attr) or "") != (getattr(dossier, attr) or ""):
            diffs.append(name)
    return diffs


def dossiers_with_stale_contact(user, *, profile=None, dossiers=None) -> list[Dossier]:
    """The candidate's open dossiers whose address or phone differs from the profile, each with
    ``contact_diffs`` (field names). One query for the dossiers unless the caller already holds all
    of the user's (``dossiers``, newest first: the space's list, issue 15), one for the profile
    unless the caller holds it (``profile``)."""
    profile = profile or getattr(user, "profile", None)
    if profile is None:
        return []
    if dossiers is None:
        dossiers = (
            Dossier.objects.filter(candidate=user, state__in=OPEN_STATES)
            .select_related("session__academie", "specialty")
            .order_by("-created_at")
        )
    else:
        dossiers = [d for d in dossiers if d.state in OPEN_STATES]
    stale = []
    for dossier in dossiers:
        dossier.contact_diffs = contact_differences(profile, dossier)
        if dossier.contact_diffs:
            stale.append(dossier)
    return stale
