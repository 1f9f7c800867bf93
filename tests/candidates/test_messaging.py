"""The dossier's conversation (issue 14): both ways, one safe attachment, unread counts on both
sides, e-mail alerts without the content, every message kept."""

import re

import pytest
from django.urls import reverse

from candidates.messaging import selectors, services
from candidates.messaging.models import DossierMessage
from candidates.models import DossierState
from notifications.models import Message, OutgoingEmail
from portal.exceptions import DomainError
from tests.candidates.review_fixtures import dossier as review_dossier
from tests.candidates.review_fixtures import world as review_world
from tests.documents.files import exe_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
SECRET = "Mon numéro de sécurité sociale est 1 01 05 54 395 042"


@pytest.fixture
def w():
    w = review_world()
    w["d"] = review_dossier(w["s_nantes"], w["bat"], state=DossierState.REGISTERED)
    return w


def test_a_candidate_writes_with_one_safe_attachment_and_the_bureau_is_alerted_without_the_text(
    w, django_capture_on_commit_callbacks
):
    d = w["d"]
    with django_capture_on_commit_callbacks(execute=True):
        m = services.message_post_candidate(
            dossier_id=d.pk,
            candidate=d.candidate,
            body=SECRET,
            attachment=upload("attestation.pdf", pdf_bytes()),
        )
    m.refresh_from_db()  # issue 12: scanned and disarmed by the uploads worker (eager here)
    assert m.attachment_status == "accepted"
    assert m.attachment_name == "attestation.pdf" and m.attachment_type == "application/pdf"
    assert not m.attachment.name.endswith("attestation.pdf")  # random stored name
    alert = OutgoingEmail.objects.get(kind="conversation_from_candidate")
    assert alert.to == "gestionnaire.batiment@ac-nancy-metz.fr"  # the opening's gestionnaire
    assert (
        SECRET not in alert.text_body and reverse("candidates:staff_thread", args=[d.pk]) in alert.text_body
    )
    assert selectors.unread_for_staff(w["gest_bat"]) == 1


def test_an_unsafe_attachment_is_refused_by_the_worker_and_the_text_is_kept(
    w, django_capture_on_commit_callbacks
):
    d = w["d"]
    with django_capture_on_commit_callbacks(execute=True):
        m = services.message_post_candidate(
            dossier_id=d.pk,
            candidate=d.candidate,
            body="Bonjour",
            attachment=upload("virus.pdf", exe_bytes()),
        )
    m.refresh_from_db()
    assert m.body == "Bonjour" and m.attachment_status == "refused" and "PDF" in m.attachment_refusal
    assert not m.attachment and not m.quarantined


def test_the_gestionnaire_answers_and_the_candidate_gets_an_alert_and_an_unread_count(
    w, client, django_capture_on_commit_callbacks
):
    d = w["d"]
    services.message_post_candidate(dossier_id=d.pk, candidate=d.candidate, body="Ma pièce est-elle bonne ?")
    client.force_login(w["gest_bat"])
    page = client.get(reverse("candidates:staff_thread", args=[d.pk])).content.decode()
    assert "Ma pièce est-elle bonne ?" in page
    assert selectors.unread_for_staff(w["gest_bat"]) == 0  # opened by the bureau
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("candidates:staff_thread", args=[d.pk]), {"body": SECRET})
    alert = Message.objects.get(kind="conversation_from_bureau", recipient=d.candidate)
    assert (
        SECRET not in alert.body
        and SECRET not in OutgoingEmail.objects.get(kind="conversation_from_bureau").text_body
    )
    assert selectors.unread_for_candidate(d.candidate) == 1
    client.force_login(d.candidate)
    page = client.get(reverse("registration:detail", args=[d.pk])).content.decode()
    assert "1 non lu" in page
    page = client.get(reverse("candidates:thread", args=[d.pk])).content.decode()
    assert SECRET in page and "Ma pièce est-elle bonne ?" in page
    assert selectors.unread_for_candidate(d.candidate) == 0
    alert.refresh_from_db()
    assert alert.read_at is not None
    assert DossierMessage.objects.filter(dossier=d).count() == 2  # the history keeps both


def test_nobody_else_reads_or_writes_the_thread(w, client, django_capture_on_commit_callbacks):
    d = w["d"]
    with django_capture_on_commit_callbacks(execute=True):
        m = services.message_post_candidate(
            dossier_id=d.pk, candidate=d.candidate, body="Bonjour", attachment=upload("a.pdf", pdf_bytes())
        )
    other = review_dossier(w["s_toulouse"], w["bat"], state=DossierState.REGISTERED)
    with pytest.raises(DomainError, match="accès"):
        services.message_post_staff(dossier_id=other.pk, actor=w["gest_bat"], body="Bonjour")
    client.force_login(other.candidate)
    assert client.get(reverse("candidates:thread", args=[d.pk])).status_code == 404
    assert client.get(reverse("candidates:thread_attachment", args=[m.uuid])).status_code == 404
    client.force_login(d.candidate)
    response = client.get(reverse("candidates:thread_attachment", args=[m.uuid]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_an_empty_message_gets_a_french_error_tied_to_the_field(w, client):
    client.force_login(w["d"].candidate)
    response = client.post(reverse("candidates:thread", args=[w["d"].pk]), {"body": ""})
    page = response.content.decode()
    # The portal's one error-id scheme (templates/bootstrap5/field.html): <field id>_error.
    assert response.status_code == 400 and 'id="id_body_error"' in page
    assert re.search(r'<textarea[^>]*aria-describedby="[^"]*id_body_error', page), page
