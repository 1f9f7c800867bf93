"""One answer per "may I do X now?": the page that shows (or hides) the button and the service that
writes ask the same function, so they agree on every case (conventions, habit 7b)."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidates.models import DossierState
from candidates.registration import services as registration
from candidates.states import transition
from documents.models import DocumentKind
from documents.pieces import services as pieces
from documents.recap import services as recap
from portal.exceptions import DomainError
from tests.documents.conftest import make_dossier
from tests.documents.files import pdf_bytes
from tests.documents.helpers import registered_dossier
from tests.factories import open_session

pytestmark = pytest.mark.django_db
PASSWORD = "Un-mot-de-passe-solide-1"
S = DossierState


def _to(dossier, *states):
    for state in states:
        transition(dossier, state)
    return dossier


# --- editing a dossier ---------------------------------------------------------------------------
def _signed(d):
    d.signed_at = timezone.now()
    d.save()
    return d


def _closed(d):
    d.session.registration_closes_at = timezone.now() - dt.timedelta(minutes=1)
    d.session.save()
    return d


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: registered_dossier(), None),
        (lambda: _to(registered_dossier(), S.SUBMITTED), "not_editable"),
        (lambda: _signed(registered_dossier()), "signed"),
        (lambda: _closed(registered_dossier()), "closed"),
    ],
)
def test_the_wizard_and_the_save_agree_on_editing(client, make, code):
    dossier = make()
    refusal = registration.dossier_edit_refusal(dossier)
    assert (refusal.code if refusal else None) == code
    client.force_login(dossier.candidate)
    page = client.get(reverse("registration:detail", args=[dossier.pk])).content.decode()
    assert ("Modifier mon inscription" in page) is (code is None)
    if code is None:
        return
    assert refusal.message.replace("'", "&#x27;") in page
    with pytest.raises(DomainError) as refused:
        registration.dossier_save_tab(
            dossier_id=dossier.pk,
            tab=next(iter(registration.APPLIERS)),
            data={},
            acting_user=dossier.candidate,
        )
    assert (refused.value.code, refused.value.message) == (code, refusal.message)


# --- signing the recap ---------------------------------------------------------------------------
def _past_deadline(d):
    d.session.pieces_deadline = timezone.now() - dt.timedelta(minutes=1)
    d.session.save()
    return d


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d, None),
        (lambda d: _to(d, S.SUBMITTED), "state"),
        (_past_deadline, "deadline"),
    ],
)
def test_my_documents_and_the_signature_agree_on_signing(
    client, change, code, django_capture_on_commit_callbacks
):
    dossier = make_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        document = recap.document_request_render(dossier=dossier, kind=DocumentKind.RECAP)
    document.refresh_from_db()
    dossier = change(dossier)
    dossier.refresh_from_db()
    refusal = recap.recap_sign_refusal(dossier, document)
    assert (refusal.code if refusal else None) == code
    client.force_login(dossier.candidate)
    page = client.get(reverse("recap:documents")).content.decode()
    assert ("Relire et signer" in page) is (code is None)
    sign_page = client.get(reverse("recap:sign", args=[dossier.pk]))
    assert (sign_page.status_code == 200) is (code is None)
    if code is None:
        return
    with pytest.raises(DomainError) as refused:
        recap.recap_sign(
            dossier=dossier,
            document=document,
            user=dossier.candidate,
            password=PASSWORD,
            certify=True,
            ip=None,
        )
    assert (refused.value.code, refused.value.message) == (code, refusal.message)


# --- locking the pieces --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: registered_dossier(), "missing_pieces"),
        (lambda: _to(registered_dossier(), S.CANCELLED), "bad_state"),
    ],
)
def test_the_pieces_page_and_the_lock_agree(client, make, code):
    dossier = make()
    refusal = pieces.piece_lock_refusal(dossier=dossier)
    assert refusal.code == code
    client.force_login(dossier.candidate)
    page = client.get(reverse("documents:dossier_pieces", args=[dossier.pk])).content.decode()
    if code == "missing_pieces":
        assert 'disabled aria-describedby="verrou-manque"' in page
    else:
        assert "J'ai fourni toutes mes pièces" not in page
    with pytest.raises(DomainError) as refused:
        pieces.piece_lock_all(dossier=dossier, by=dossier.candidate)
    assert (refused.value.code, refused.value.message) == (code, refusal.message)


# --- depositing a piece --------------------------------------------------------------------------
def test_the_pieces_page_offers_an_upload_exactly_where_the_deposit_is_accepted(client):
    # The standard deadline passed, the late one not yet: some pieces are refused, others taken.
    dossier = registered_dossier(
        session=open_session(pieces_deadline=timezone.now() - dt.timedelta(minutes=1))
    )
    required = pieces.selectors.required_pieces_for_dossier(dossier)
    refusals = pieces.deposit_refusals(dossier=dossier, required_pieces=required, pieces={})
    client.force_login(dossier.candidate)
    page = client.get(reverse("documents:dossier_pieces", args=[dossier.pk])).content.decode()
    for piece in required:
        with pytest.raises(DomainError) if refusals[piece.code] else nullcontext():
            pieces.piece_deposit(
                dossier=dossier,
                code=piece.code,
                files=[SimpleUploadedFile("piece.pdf", pdf_bytes(), content_type="application/pdf")],
                by=dossier.candidate,
            )
        if refusals[piece.code]:
            assert refusals[piece.code].replace("'", "&#x27;") in page
