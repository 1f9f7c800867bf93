"""Convocations (issue 14): published from the calendar's instant to the dossiers declared conforme,
rendered and sealed by the worker, verifiable, one message and e-mail each, idempotent; shown to the
candidate only from that instant, with an .ics of their own épreuves."""

from __future__ import annotations

import datetime as dt
import io

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from candidates.models import DossierState
from documents.models import DocumentKind, DocumentStatus, GeneratedDocument
from documents.recap import convocations
from documents.recap.convocation_rows import convocation_visible, convocations_published
from documents.recap.signing import check_seal
from documents.recap.verification import Verdict, verify_pdf
from exams.models import EpreuveSitting
from notifications.models import Message, OutgoingEmail
from portal.exceptions import DomainError
from tests.factories import AcademieFactory, StaffAssignmentFactory, UserFactory, open_session, walk_to

from .conftest import make_dossier

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _session(**kwargs):
    kwargs.setdefault("convocations_published_at", NOW - dt.timedelta(hours=1))
    kwargs.setdefault("first_written_exam_at", NOW + dt.timedelta(days=20))
    return open_session(**kwargs)


def _sitting(session, epreuve, *, days: int, centre: str = "Lycée Henri Loritz", hour: int = 8):
    start = session.academie.make_aware(
        dt.datetime.combine((NOW + dt.timedelta(days=days)).date(), dt.time(hour, 0))
    )
    return EpreuveSitting.objects.create(
        session=session,
        epreuve=epreuve,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        centre_name=centre,
        centre_address="29 rue des Jardiniers\n54000 Nancy",
        instructions="Calculatrice autorisée" if epreuve.code == "E5" else "",
    )


@pytest.fixture
def convoked(django_capture_on_commit_callbacks):
    """A conforme dossier (E1 dispense, E2 taken, E4 bénéfice, E5 taken) of a session whose
    convocations are due, with a sitting for every épreuve of the specialty."""
    session = _session()
    dossier = make_dossier(session=session)
    walk_to(dossier, DossierState.COMPLIANT)
    for days, choice in enumerate(
        dossier.epreuve_choices.select_related("epreuve").order_by("epreuve__code")
    ):
        _sitting(session, choice.epreuve, days=20 + days)
    return dossier


def _publish(session, capture, **kwargs):
    with capture(execute=True):
        return convocations.convocations_publish(session=session, **kwargs)


def _convocation(dossier) -> GeneratedDocument:
    return GeneratedDocument.objects.get(dossier=dossier, kind=DocumentKind.CONVOCATION)


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


# --- publication ---------------------------------------------------------------------------------
def test_a_conforme_dossier_gets_its_sealed_convocation_with_only_the_epreuves_it_sits(
    convoked, django_capture_on_commit_callbacks
):
    report = _publish(convoked.session, django_capture_on_commit_callbacks)
    assert report.issued == 1
    document = _convocation(convoked)
    assert document.status == DocumentStatus.READY, document.error
    data = document.file.read()
    text = _text(data)
    assert "Convocation aux épreuves" in text and convoked.number in text
    assert "E2" in text and "E5" in text and "Lycée Henri Loritz" in text and "Calculatrice autorisée" in text
    assert "E1 –" not in text and "E4 –" not in text  # dispense and bénéfice: nothing to sit
    assert f"https://examens.example.org/verifier/{document.verification_token}/" in text
    # Sealed by the worker and verified by the public verification service.
    assert check_seal(data).valid
    result = verify_pdf(data)
    assert result.verdict == Verdict.AUTHENTIC_SEALED and result.document == document and result.is_latest
    middle = len(data) // 3
    tampered = data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]
    assert verify_pdf(tampered).verdict in (Verdict.TAMPERED, Verdict.UNKNOWN)


def test_each_candidate_is_told_once_by_message_and_an_email_without_the_content(
    convoked, django_capture_on_commit_callbacks
):
    _publish(convoked.session, django_capture_on_commit_callbacks)
    again = _publish(convoked.session, django_capture_on_commit_callbacks)
    assert again.issued == 0 and again.unchanged == 1
    assert GeneratedDocument.objects.filter(dossier=convoked, kind=DocumentKind.CONVOCATION).count() == 1
    message = Message.objects.get(kind="convocation_available")
    assert message.recipient == convoked.candidate and message.link == reverse("recap:documents")
    email = OutgoingEmail.objects.get(kind="convocation_available")
    assert email.to == convoked.candidate.email
    assert "https://examens.example.org/mes-documents/" in email.text_body
    for secret in ("Loritz", "E2", "E5", "Jardiniers"):
        assert secret not in email.text_body and secret not in email.html_body


def test_only_conforme_dossiers_are_convoked(convoked, django_capture_on_commit_callbacks):
    session = convoked.session
    in_review = make_dossier(session=session, number="NM25-BTS-000043")
    walk_to(in_review, DossierState.IN_REVIEW)
    withdrawn = make_dossier(session=session, number="NM25-BTS-000044")
    walk_to(withdrawn, DossierState.WITHDRAWN)
    report = _publish(session, django_capture_on_commit_callbacks)
    assert report.issued == 1
    assert set(
        GeneratedDocument.objects.filter(kind=DocumentKind.CONVOCATION).values_list("dossier", flat=True)
    ) == {convoked.pk}


def test_a_dossier_declared_conforme_later_gets_its_convocation_on_the_next_run(
    convoked, django_capture_on_commit_callbacks
):
    late = make_dossier(session=convoked.session, number="NM25-BTS-000045")
    walk_to(late, DossierState.IN_REVIEW)
    _publish(convoked.session, django_capture_on_commit_callbacks)
    assert not GeneratedDocument.objects.filter(dossier=late, kind=DocumentKind.CONVOCATION).exists()
    walk_to(late, DossierState.COMPLIANT)
    report = _publish(convoked.session, django_capture_on_commit_callbacks)
    assert report.issued == 1 and report.unchanged == 1
    assert _convocation(late).status == DocumentStatus.READY


def test_a_changed_centre_gives_a_new_version_and_says_so(convoked, django_capture_on_commit_callbacks):
    _publish(convoked.session, django_capture_on_commit_callbacks)
    EpreuveSitting.objects.filter(session=convoked.session, epreuve__code="E5").update(
        centre_name="Lycée Poincaré"
    )
    report = _publish(convoked.session, django_capture_on_commit_callbacks)
    assert report.updated == 1
    newest = GeneratedDocument.objects.filter(dossier=convoked, kind=DocumentKind.CONVOCATION).order_by(
        "-version"
    )
    assert [d.version for d in newest] == [2, 1]
    assert "Lycée Poincaré" in _text(newest[0].file.read())
    assert Message.objects.filter(kind="convocation_updated").count() == 1
    assert verify_pdf(newest[1].file.read()).is_latest is False


def test_a_dossier_with_nothing_to_sit_gets_no_convocation(convoked, django_capture_on_commit_callbacks):
    convoked.epreuve_choices.filter(choice="taken").update(choice="not_taken")
    report = _publish(convoked.session, django_capture_on_commit_callbacks)
    assert (
        report.without_epreuves == 1 and not Message.objects.filter(kind__startswith="convocation").exists()
    )


def test_nothing_is_published_before_the_calendar_date(convoked, django_capture_on_commit_callbacks):
    session = convoked.session
    session.convocations_published_at = NOW + dt.timedelta(days=1)
    session.save()
    with pytest.raises(DomainError, match="se publient le"):
        _publish(session, django_capture_on_commit_callbacks)
    assert convocations.convocations_publish_due() == {}
    assert not GeneratedDocument.objects.filter(kind=DocumentKind.CONVOCATION).exists()


def test_the_publication_instant_is_the_academie_wall_clock():
    martinique = AcademieFactory(code="martinique", name="Martinique", time_zone="America/Martinique")
    session = _session(academie=martinique)
    session.convocations_published_at = martinique.make_aware(dt.datetime(2027, 4, 14, 9, 0))
    # 09:00 in Fort-de-France is 13:00 UTC (15:00 in Paris): 12:59 UTC is still too early.
    assert not convocations_published(session, dt.datetime(2027, 4, 14, 12, 59, 59, tzinfo=dt.UTC))
    assert convocations_published(session, dt.datetime(2027, 4, 14, 13, 0, tzinfo=dt.UTC))
    assert convocations.convocations_publish_refusal(
        session, dt.datetime(2027, 4, 14, 12, 59, tzinfo=dt.UTC)
    ).message.endswith("(heure de Martinique), pas avant.")


def test_the_periodic_job_publishes_the_due_sessions_only(convoked, django_capture_on_commit_callbacks):
    from documents.tasks import publish_due_convocations

    with django_capture_on_commit_callbacks(execute=True):
        assert publish_due_convocations() == {convoked.session.code: 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_due_convocations() == {convoked.session.code: 0}


def test_a_session_without_sittings_cannot_be_published(django_capture_on_commit_callbacks):
    session = _session()
    with pytest.raises(DomainError, match="Aucune date d'épreuve"):
        _publish(session, django_capture_on_commit_callbacks)


def test_the_admin_publishes_now_but_never_before_the_date(
    client, convoked, django_capture_on_commit_callbacks
):
    superuser = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = reverse("admin:exams_session_changelist")
    session = convoked.session
    data = {"action": "publish_convocations", "_selected_action": [session.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, follow=True)
    assert "la publication des convocations est lancée" in response.content.decode()
    assert _convocation(convoked).status == DocumentStatus.READY
    other = _session(
        code="nm-future", year=NOW.year + 2, convocations_published_at=NOW + dt.timedelta(days=3)
    )
    response = client.post(
        url, {"action": "publish_convocations", "_selected_action": [other.pk]}, follow=True
    )
    assert "pas avant" in response.content.decode()


# --- the candidate's side ------------------------------------------------------------------------
def test_mes_documents_shows_the_convocation_and_its_epreuves_from_the_publication(
    client, convoked, django_capture_on_commit_callbacks
):
    client.force_login(convoked.candidate)
    session = convoked.session
    before = client.get(reverse("recap:documents")).content.decode()
    assert "Convocation aux épreuves" in before and "Télécharger ma convocation" not in before
    _publish(session, django_capture_on_commit_callbacks)
    page = client.get(reverse("recap:documents")).content.decode()
    document = _convocation(convoked)
    assert reverse("recap:download", args=[document.pk]) in page
    assert reverse("recap:convocation_ics", args=[convoked.pk]) in page
    assert "Lycée Henri Loritz" in page and "E5" in page
    download = client.get(reverse("recap:download", args=[document.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # The office moves the date later (it had published too early): nothing is shown any more.
    session.convocations_published_at = NOW + dt.timedelta(days=2)
    session.save()
    assert client.get(reverse("recap:download", args=[document.pk])).status_code == 404
    assert client.get(reverse("recap:convocation_ics", args=[convoked.pk])).status_code == 404
    hidden = client.get(reverse("recap:documents")).content.decode()
    assert "Télécharger ma convocation" not in hidden and "sera disponible ici le" in hidden


def test_a_dossier_no_longer_conforme_shows_no_convocation(convoked, django_capture_on_commit_callbacks):
    _publish(convoked.session, django_capture_on_commit_callbacks)
    assert convocation_visible(convoked)
    convoked.state = DossierState.NON_COMPLIANT  # e.g. a decision reversed by the bureau
    assert not convocation_visible(convoked)


def test_the_ics_holds_the_candidates_own_epreuves_in_the_academie_zone(
    client, convoked, django_capture_on_commit_callbacks
):
    _publish(convoked.session, django_capture_on_commit_callbacks)
    client.force_login(convoked.candidate)
    response = client.get(reverse("recap:convocation_ics", args=[convoked.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [str(e["summary"]).split(" ")[0] for e in events] == ["E2", "E5"]
    sittings = {s.epreuve.code: s for s in EpreuveSitting.objects.select_related("epreuve")}
    for event in events:
        code = str(event["summary"]).split(" ")[0]
        start = event.decoded("dtstart")
        assert start == sittings[code].starts_at and str(start.tzinfo) == "Europe/Paris"
        assert event.decoded("dtend") == sittings[code].ends_at
        assert str(event["location"]) == "Lycée Henri Loritz, 29 rue des Jardiniers 54000 Nancy"
        assert event["uid"].endswith("@examens.example.org")
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Paris"


def test_another_candidate_gets_404(client, convoked, django_capture_on_commit_callbacks):
    _publish(convoked.session, django_capture_on_commit_callbacks)
    document = _convocation(convoked)
    client.force_login(UserFactory(email="autre@example.org"))
    assert client.get(reverse("recap:download", args=[document.pk])).status_code == 404
    assert client.get(reverse("recap:convocation_ics", args=[convoked.pk])).status_code == 404
    assert "Lycée Henri Loritz" not in client.get(reverse("recap:documents")).content.decode()


def test_the_qr_page_names_the_convocation(client, convoked, django_capture_on_commit_callbacks):
    _publish(convoked.session, django_capture_on_commit_callbacks)
    document = _convocation(convoked)
    page = client.get(reverse("recap:verify_token", args=[document.verification_token])).content.decode()
    assert "Vérification d'une convocation" in page and convoked.number in page


def test_the_staff_see_the_convocations_on_the_dossier_page(
    client, convoked, django_capture_on_commit_callbacks
):
    _publish(convoked.session, django_capture_on_commit_callbacks)
    gestionnaire = StaffAssignmentFactory(
        academie=convoked.session.academie, specialties=[convoked.specialty]
    ).user
    client.force_login(gestionnaire)
    page = client.get(reverse("admin:candidates_dossier_change", args=[convoked.pk])).content.decode()
    document = _convocation(convoked)
    assert "Convocations" in page and reverse("admin:candidates_dossier_document", args=[document.pk]) in page
    pdf = client.get(reverse("admin:candidates_dossier_document", args=[document.pk]))
    assert pdf.status_code == 200


# --- the real services ---------------------------------------------------------------------------
@pytest.mark.integration
def test_a_real_worker_publishes_renders_and_seals_on_postgresql(
    transactional_db, celery_worker_factory, signing_certificate
):
    import time

    # The worker seals with the same platform certificate the test verifies against.
    celery_worker_factory(SIGNING_CERT_PATH=str(signing_certificate), SIGNING_CERT_PASSWORD="test-pass")

    session = _session()
    dossier = make_dossier(session=session)
    walk_to(dossier, DossierState.COMPLIANT)
    for days, choice in enumerate(
        dossier.epreuve_choices.select_related("epreuve").order_by("epreuve__code")
    ):
        _sitting(session, choice.epreuve, days=20 + days)
    # Through the admin's path: the publication itself runs on the worker, then the render.
    convocations.convocations_request_publication(session=session)
    deadline = time.monotonic() + 90
    document = None
    while time.monotonic() < deadline:
        document = GeneratedDocument.objects.filter(dossier=dossier, kind=DocumentKind.CONVOCATION).first()
        if document is not None and document.status != DocumentStatus.PENDING:
            break
        time.sleep(0.5)
    assert document is not None and document.status == DocumentStatus.READY, document and document.error
    assert verify_pdf(document.file.read()).verdict == Verdict.AUTHENTIC_SEALED
    assert OutgoingEmail.objects.filter(kind="convocation_available", to=dossier.candidate.email).count() == 1
