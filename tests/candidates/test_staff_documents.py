"""Documents posted by the staff (issue 14 item 5): a decision attached to a dossier through the
admin page, checked like a piece, stored privately, audited, the candidate notified and served it
in "Mes documents"; removed or replaced with a trace."""

import pytest
from django.urls import reverse

from candidates.models import DossierState
from candidates.review import services
from candidates.review.selectors import dossier_history
from documents.models import StaffDocument
from notifications.models import OutgoingEmail
from portal.exceptions import DomainError
from tests.candidates.review_fixtures import dossier, world
from tests.documents.files import exe_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = world()
    w["d"] = dossier(w["s_nantes"], w["bat"], state=DossierState.REGISTERED)
    return w


def _post(client, d, name="amenagement.pdf", content=None, kind="accommodation", **extra):
    return client.post(
        reverse("admin:candidates_dossier_staff_document_post", args=[d.pk]),
        {"kind": kind, "file": upload(name, content or pdf_bytes()), **extra},
    )


def test_the_gestionnaire_posts_a_decision_the_candidate_is_notified_and_downloads_it(
    w, client, django_capture_on_commit_callbacks
):
    d = w["d"]
    client.force_login(w["gest_bat"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, d)
    assert response.status_code == 302
    document = StaffDocument.objects.get()
    assert document.kind == "accommodation" and document.content_type == "application/pdf"
    assert document.posted_by == w["gest_bat"] and not document.file.name.endswith("amenagement.pdf")
    alert = OutgoingEmail.objects.get(kind="staff_document_posted", to=d.candidate.email)
    assert (
        "Décision d'aménagement d'épreuves" in alert.text_body
        and reverse("recap:documents") in alert.text_body
    )
    history = dossier_history(d)
    assert any("Document déposé" in row["reason"] and "amenagement.pdf" in row["reason"] for row in history)
    client.force_login(d.candidate)
    page = client.get(reverse("recap:documents")).content.decode()
    assert "Documents du bureau des examens" in page and "amenagement.pdf" in page
    response = client.get(reverse("recap:staff_document", args=[document.uuid]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_unsafe_file_is_refused_in_french_and_nothing_is_kept(w, client):
    client.force_login(w["gest_bat"])
    response = _post(client, w["d"], name="decision.pdf", content=exe_bytes())
    assert response.status_code == 302
    assert not StaffDocument.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "n&#x27;est ni un PDF" in page or "n'est ni un PDF" in page


def test_nobody_else_sees_or_posts(w, client):
    d = w["d"]
    document = services.staff_document_post(
        dossier=d, actor=w["gest_bat"], kind="transcript", file=upload("releve.pdf", pdf_bytes())
    )
    other = dossier(w["s_toulouse"], w["bat"], state=DossierState.REGISTERED)
    with pytest.raises(DomainError, match="accès"):
        services.staff_document_post(
            dossier=other, actor=w["gest_bat"], kind="transcript", file=upload("releve.pdf", pdf_bytes())
        )
    client.force_login(other.candidate)
    assert client.get(reverse("recap:staff_document", args=[document.uuid])).status_code == 404
    client.force_login(w["manager_nantes"])
    assert (
        client.get(reverse("admin:candidates_dossier_staff_document", args=[document.uuid])).status_code
        == 200
    )


def test_staff_remove_and_replace_with_a_trace(w, client, django_capture_on_commit_callbacks):
    d = w["d"]
    first = services.staff_document_post(
        dossier=d, actor=w["gest_bat"], kind="positioning", file=upload("positionnement.pdf", pdf_bytes())
    )
    client.force_login(w["gest_bat"])
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, d, name="positionnement-v2.pdf", kind="positioning", replaces=str(first.pk))
    first.refresh_from_db()
    assert first.removed_at is not None and "remplacé" in first.removal_reason and not first.file
    second = StaffDocument.objects.get(removed_at__isnull=True)
    refused = client.post(
        reverse("admin:candidates_dossier_staff_document_remove", args=[d.pk, second.pk]), {"reason": ""}
    )
    assert refused.status_code == 302 and StaffDocument.objects.filter(removed_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:candidates_dossier_staff_document_remove", args=[d.pk, second.pk]),
            {"reason": "Déposé sur le mauvais dossier"},
        )
    second.refresh_from_db()
    assert second.removal_reason == "Déposé sur le mauvais dossier" and not second.file
    reasons = [row["reason"] for row in dossier_history(d)]
    assert any("Document retiré : Déposé sur le mauvais dossier" in r for r in reasons)
    client.force_login(d.candidate)
    page = client.get(reverse("recap:documents")).content.decode()
    assert str(second.uuid) not in page and str(first.uuid) not in page
    assert client.get(reverse("recap:staff_document", args=[second.uuid])).status_code == 404


def test_the_admin_page_offers_the_form_to_reviewers(w, client):
    client.force_login(w["gest_bat"])
    page = client.get(reverse("admin:candidates_dossier_change", args=[w["d"].pk])).content.decode()
    assert "Documents du bureau (décisions)" in page and 'name="kind"' in page
