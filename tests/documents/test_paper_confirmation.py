"""The paper route (issue 14): the signed confirmation deposited as a piece freezes the choices
exactly as the e-signature does (NM: «Il n'est jamais possible de modifier son inscription après
le retour de la confirmation»)."""

import pytest
from django.urls import reverse

from candidates.registration import services as registration
from documents.pieces import services as pieces
from portal.exceptions import DomainError
from tests.factories import ProfileFactory

from .files import pdf_bytes, upload
from .helpers import registered_dossier

pytestmark = pytest.mark.django_db


def test_depositing_the_signed_confirmation_freezes_the_choices(client):
    profile = ProfileFactory()
    dossier = registered_dossier(
        candidate=profile.user, sex="F", birth_commune="Nancy", completed_tabs=["identite"]
    )
    registration.dossier_save_tab(
        dossier_id=dossier.pk, tab="identite", data={"birth_commune": "Toul"}, acting_user=dossier.candidate
    )  # editable before the deposit
    pieces.piece_deposit(
        dossier=dossier,
        code="recap_signed",
        files=[upload("confirmation.pdf", pdf_bytes())],
        by=dossier.candidate,
    )
    dossier.refresh_from_db()
    assert dossier.signed_at is not None
    with pytest.raises(DomainError, match="définitifs") as exc:
        registration.dossier_save_tab(
            dossier_id=dossier.pk,
            tab="identite",
            data={"birth_commune": "Metz"},
            acting_user=dossier.candidate,
        )
    assert exc.value.code == "signed"
    dossier.refresh_from_db()
    assert dossier.birth_commune == "Toul"
    # The page says so and disables the fields, as after an e-signature.
    client.force_login(dossier.candidate)
    page = client.get(reverse("registration:tab", args=[dossier.pk, "identite"])).content.decode()
    assert "Votre confirmation d&#x27;inscription est signée" in page and "disabled" in page
