"""Withdrawal (désistement) and draft deletion (issue 14)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Dossier, DossierState
from candidates.registration import withdrawal
from documents.pieces.services import dossiers_cancel_missing_pieces
from notifications.models import Message
from portal.exceptions import DomainError
from tests.documents.helpers import registered_dossier
from tests.factories import DossierFactory, ProfileFactory, open_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier():
    return registered_dossier(candidate=ProfileFactory().user)


def test_a_withdrawal_needs_two_confirmations_then_keeps_the_number(
    dossier, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError, match="deux fois"):
        withdrawal.dossier_withdraw(
            dossier_id=dossier.pk, candidate=dossier.candidate, confirmed=True, confirmed_again=False
        )
    with django_capture_on_commit_callbacks(execute=True):
        done = withdrawal.dossier_withdraw(
            dossier_id=dossier.pk, candidate=dossier.candidate, confirmed=True, confirmed_again=True, reason="Déménagement"
        )  # fmt: skip
    assert done.state == DossierState.WITHDRAWN and done.number == dossier.number
    assert done.withdrawn_at and done.withdrawal_reason == "Déménagement"
    assert done.history.first().history_change_reason == "Désistement du candidat"
    assert Message.objects.filter(kind="dossier_withdrawn", dossier=done).exists()


def test_a_withdrawal_is_refused_after_the_convocations_and_for_someone_else(dossier):
    session = dossier.session
    session.convocations_published_at = timezone.now() - dt.timedelta(minutes=1)
    Dossier.objects.filter(pk=dossier.pk)  # the session row is what counts
    type(session).objects.filter(pk=session.pk).update(
        convocations_published_at=session.convocations_published_at
    )
    with pytest.raises(DomainError, match="convocations sont publiées"):
        withdrawal.dossier_withdraw(
            dossier_id=dossier.pk, candidate=dossier.candidate, confirmed=True, confirmed_again=True
        )
    other = ProfileFactory(user__email="autre@example.org").user
    with pytest.raises(DomainError, match="n'existe pas"):
        withdrawal.dossier_withdraw(
            dossier_id=dossier.pk, candidate=other, confirmed=True, confirmed_again=True
        )


def test_the_pieces_deadline_job_skips_a_withdrawn_dossier(dossier):
    withdrawal.dossier_withdraw(
        dossier_id=dossier.pk, candidate=dossier.candidate, confirmed=True, confirmed_again=True
    )
    done = dossiers_cancel_missing_pieces(at=dossier.session.pieces_deadline + dt.timedelta(minutes=1))
    assert dossier.pk not in done["cancelled"] + done["submitted"]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN


def test_the_pages_confirm_twice_and_the_staff_see_the_state(client, dossier):
    client.force_login(dossier.candidate)
    assert "Me désister" in client.get(reverse("registration:detail", args=[dossier.pk])).content.decode()
    url = reverse("registration:withdraw", args=[dossier.pk])
    page = client.post(url, {"reason": ""}).content.decode()
    assert "Cochez la case" in page
    page = client.post(url, {"confirm": "on", "reason": "Santé"}).content.decode()
    assert "Dernière confirmation" in page
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REGISTERED  # nothing yet
    client.post(url, {"confirm": "on", "reason": "Santé", "confirm_again": "1"})
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN and dossier.withdrawal_reason == "Santé"
    assert "Désisté" in client.get(reverse("candidates:space")).content.decode()


def test_a_draft_is_deleted_but_never_a_registered_dossier(client, dossier):
    draft = DossierFactory(candidate=dossier.candidate, session=open_session(code="autre"), specialty=None)
    with pytest.raises(DomainError, match="Seul un brouillon"):
        withdrawal.dossier_delete_draft(dossier_id=dossier.pk, candidate=dossier.candidate)
    client.force_login(dossier.candidate)
    client.post(reverse("registration:delete_draft", args=[draft.pk]))
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert Dossier.objects.filter(pk=dossier.pk).exists()
