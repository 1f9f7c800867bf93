import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import DocumentKind, DocumentStatus, GeneratedDocument
from documents.recap import services as recap
from tests.factories import UserFactory

PASSWORD = "Un-mot-de-passe-solide-1"


@pytest.fixture
def ready_recap(dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = recap.document_request_render(dossier=dossier, kind=DocumentKind.RECAP)
    document.refresh_from_db()
    return document


@pytest.mark.django_db
def test_my_documents_lists_the_latest_recap_and_older_versions(
    client, dossier, ready_recap, django_capture_on_commit_callbacks
):
    dossier.choices_version += 1
    dossier.save()
    with django_capture_on_commit_callbacks(execute=True):
        newer = recap.document_request_render(dossier=dossier, kind=DocumentKind.RECAP)
    client.force_login(dossier.candidate)
    response = client.get(reverse("recap:documents"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("recap:download", args=[newer.pk]) in html
    assert "Versions précédentes (1)" in html and reverse("recap:download", args=[ready_recap.pk]) in html
    assert "Relire et signer la version 2" in html


@pytest.mark.django_db
def test_my_documents_says_en_cours_de_generation_while_pending(client, dossier):
    GeneratedDocument.objects.create(dossier=dossier, kind=DocumentKind.RECAP, version=1, choices_version=1)
    client.force_login(dossier.candidate)
    html = client.get(reverse("recap:documents")).content.decode()
    assert "en cours de génération" in html and 'aria-live="polite"' in html
    assert client.get(reverse("recap:status", args=[dossier.pk])).json() == {"pending": 1}


@pytest.mark.django_db
def test_my_documents_counts_its_queries_at_two_sizes(
    client, dossier, ready_recap, django_assert_max_num_queries
):
    client.force_login(dossier.candidate)
    with django_assert_max_num_queries(8):
        client.get(reverse("recap:documents"))
    for version in range(2, 8):
        GeneratedDocument.objects.create(
            dossier=dossier,
            kind=DocumentKind.RECAP,
            version=version,
            choices_version=1,
            status=DocumentStatus.READY,
        )
    with django_assert_max_num_queries(8):
        client.get(reverse("recap:documents"))


@pytest.mark.django_db
def test_the_candidate_downloads_their_recap_and_nobody_else_can(client, dossier, ready_recap):
    url = reverse("recap:download", args=[ready_recap.pk])
    client.force_login(dossier.candidate)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "NM25-BTS-000042-v1.pdf" in response["Content-Disposition"]
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_the_signing_page_signs_with_the_password_and_the_certification(
    client, dossier, ready_recap, django_capture_on_commit_callbacks
):
    client.force_login(dossier.candidate)
    url = reverse("recap:sign", args=[dossier.pk])
    page = client.get(url).content.decode()
    assert "Signer la version 1" in page and "Je certifie l&#x27;exactitude des informations" in page
    bad = client.post(url, {"document_id": ready_recap.pk, "password": "faux-mot-de-passe", "certify": "on"})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "Mot de passe incorrect." in html and 'aria-invalid="true"' in html and 'role="alert"' in html
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(url, {"document_id": ready_recap.pk, "password": PASSWORD, "certify": "on"})
    # issue 18 item 7: signing leads to the other pieces ("Mes justificatifs").
    assert ok.status_code == 302 and ok["Location"] == reverse("documents:dossier_pieces", args=[dossier.pk])
    assert "Déposez maintenant vos autres pièces" in client.get(ok["Location"]).content.decode()
    ready_recap.refresh_from_db()
    assert ready_recap.signed_at and ready_recap.signed_ip == "127.0.0.1"
    html = client.get(reverse("recap:documents")).content.decode()
    assert reverse("recap:download_signed", args=[ready_recap.pk]) in html
    assert "Relire et signer" not in html
    assert reverse("documents:dossier_pieces", args=[dossier.pk]) in html  # "Mes justificatifs"


@pytest.mark.django_db
def test_the_verification_page_answers_for_an_uploaded_pdf(client, dossier, ready_recap):
    recap.recap_sign(
        dossier=dossier,
        document=ready_recap,
        user=dossier.candidate,
        password=PASSWORD,
        certify=True,
        ip=None,
    )
    ready_recap.refresh_from_db()
    signed = ready_recap.signed_file.read()
    response = client.post(
        reverse("recap:verify"), {"file": SimpleUploadedFile("r.pdf", signed, "application/pdf")}
    )
    html = response.content.decode()
    assert "Document authentique et intact" in html and "NM25-BTS-000042" in html
    # It reveals no more than the PDF shows, and less: no e-mail, no address, no birth date.
    assert dossier.candidate.email not in html and "Stanislas" not in html and "14/05/2001" not in html
    foreign = client.post(
        reverse("recap:verify"), {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 nothing", "application/pdf")}
    )
    assert "Document inconnu" in foreign.content.decode()


@pytest.mark.django_db
def test_the_qr_code_target_shows_the_version_without_personal_details(client, dossier, ready_recap):
    response = client.get(reverse("recap:verify_token", args=[ready_recap.verification_token]))
    html = response.content.decode()
    assert response.status_code == 200 and "NM25-BTS-000042" in html and "produit par le portail" in html
    assert dossier.candidate.email not in html and "Stanislas" not in html
    assert client.get(reverse("recap:verify_token", args=["inconnu"])).status_code == 404


@pytest.mark.django_db
def test_the_candidate_can_ask_again_after_a_failed_rendering(
    client, dossier, django_capture_on_commit_callbacks
):
    GeneratedDocument.objects.create(
        dossier=dossier, kind=DocumentKind.RECAP, version=1, choices_version=1, status=DocumentStatus.FAILED
    )
    client.force_login(dossier.candidate)
    assert "Générer mes documents" in client.get(reverse("recap:documents")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("recap:regenerate", args=[dossier.pk]))
    assert response.status_code == 302
    latest = (
        GeneratedDocument.objects.filter(dossier=dossier, kind=DocumentKind.RECAP)
        .order_by("-version")
        .first()
    )
    assert latest.version == 2 and latest.status == DocumentStatus.READY


@pytest.mark.django_db
def test_a_document_stuck_in_pending_is_rendered_by_the_sweeper(dossier):
    import datetime as dt

    from django.utils import timezone

    from documents.tasks import sweep_pending_documents

    stuck = GeneratedDocument.objects.create(
        dossier=dossier, kind=DocumentKind.RECAP, version=1, choices_version=1
    )
    GeneratedDocument.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    assert sweep_pending_documents.delay().get() == 1
    stuck.refresh_from_db()
    assert stuck.status == DocumentStatus.READY


@pytest.mark.django_db
def test_a_form_that_no_longer_applies_is_not_offered(client, django_capture_on_commit_callbacks):
    from candidates.models import DossierEpreuve

    from .conftest import make_dossier

    dossier = make_dossier(engagement=True)
    with django_capture_on_commit_callbacks(execute=True):
        recap.document_request_render(dossier=dossier, kind=DocumentKind.ENGAGEMENT_FORM)
    client.force_login(dossier.candidate)
    assert "Formulaire engagement étudiant" in client.get(reverse("recap:documents")).content.decode()
    DossierEpreuve.objects.filter(dossier=dossier, epreuve__is_student_engagement=True).delete()
    dossier.choices_version += 1
    dossier.save()
    assert DocumentKind.ENGAGEMENT_FORM not in recap.applicable_kinds(dossier)
    assert "Formulaire engagement étudiant" not in client.get(reverse("recap:documents")).content.decode()


@pytest.mark.django_db
def test_the_operator_sees_a_failed_render_and_can_rerun_it(
    client, dossier, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from documents.models import DocumentKind, DocumentStatus, GeneratedDocument
    from tests.factories import UserFactory

    failed = GeneratedDocument.objects.create(
        dossier=dossier, kind=DocumentKind.RECAP, version=1, choices_version=dossier.choices_version,
        status=DocumentStatus.FAILED, error="WeasyPrint: police introuvable",
    )  # fmt: skip
    client.force_login(UserFactory(email="ops@example.org", is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:documents_generateddocument_changelist") + "?status=failed")
    assert "police introuvable" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:documents_generateddocument_changelist"),
            {"action": "rerender", "_selected_action": [failed.pk]},
        )
    failed.refresh_from_db()
    assert failed.status == DocumentStatus.READY
    assert failed.file
