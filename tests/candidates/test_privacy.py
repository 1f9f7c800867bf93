"""Personal data (issue 12, RGPD): the export ZIP, the erasure of what no retention covers, the
retention purge with its anonymised count, identity documents deleted after the appeal period."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from candidates.models import DataPurge, Dossier, DossierState, PrivacyRequest, PurgeReason, User
from candidates.privacy import services
from documents.models import GeneratedDocument, PieceFile
from notifications.models import Message
from tests.factories import DossierFactory, PieceFactory, PieceFileFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _with_files(dossier):
    piece = PieceFactory(dossier=dossier, code="identity")
    stored = PieceFileFactory(piece=piece, original_name="carte.exe")
    document = GeneratedDocument.objects.create(
        dossier=dossier, kind="recap", version=1, choices_version=1, status="ready"
    )
    document.file.save("recap.pdf", ContentFile(b"%PDF-1.4 recap"), save=True)
    return stored, document


def test_a_candidate_downloads_a_zip_of_their_data_and_files(client, django_capture_on_commit_callbacks):
    dossier = DossierFactory(state=DossierState.SUBMITTED, number="NM25-000001", birth_name="MARTIN")
    stored, _ = _with_files(dossier)
    Message.objects.create(recipient=dossier.candidate, kind="x", subject="Bienvenue", body="Bonjour")
    client.force_login(dossier.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("candidates:privacy_export"), follow=True)
    html = response.content.decode()
    assert "L&#x27;export de vos données est en préparation" in html
    export = PrivacyRequest.objects.get()
    assert export.status == "ready"
    assert "télécharger l'archive" in client.get(reverse("candidates:privacy")).content.decode()
    response = client.get(reverse("candidates:privacy_export_file", args=[export.uuid]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("mes-donnees.json"))
    assert data["account"]["email"] == dossier.candidate.email
    assert data["dossiers"][0]["birth_name"] == "MARTIN"
    assert data["dossiers"][0]["pieces"][0]["files"][0]["name"] == "carte.exe"
    assert data["dossiers"][0]["history"]
    assert data["messages"][0]["subject"] == "Bienvenue"
    names = archive.namelist()
    assert f"dossiers/NM25-000001/pieces/identity/{stored.pk}-carte.exe.pdf" in names
    assert "dossiers/NM25-000001/documents/recap-v1.pdf" in names
    with stored.file.open("rb") as fh:
        assert archive.read(f"dossiers/NM25-000001/pieces/identity/{stored.pk}-carte.exe.pdf") == fh.read()


def test_another_candidate_cannot_download_the_export(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        export = services.privacy_export_request(user=owner)
    client.force_login(UserFactory())
    assert client.get(reverse("candidates:privacy_export_file", args=[export.uuid])).status_code == 404


def test_erasure_without_a_registered_dossier_deletes_the_account(client):
    draft = DossierFactory(state=DossierState.DRAFT)
    user = draft.candidate
    Message.objects.create(recipient=user, kind="x", subject="s", body="b")
    client.force_login(user)
    assert client.post(reverse("candidates:privacy_erasure"), {"confirm": "on"}).status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Dossier.objects.exists() and not Message.objects.exists()
    assert Dossier.history.count() == 0
    assert DataPurge.objects.get().reason == PurgeReason.ERASURE


def test_erasure_keeps_registered_dossiers_and_explains_until_when(client, settings):
    settings.RETENTION_YEARS = 2
    kept = DossierFactory(state=DossierState.SUBMITTED, number="NM25-000002")
    user = kept.candidate
    DossierFactory(candidate=user, state=DossierState.DRAFT, session=SessionFactory(year=2026))
    Message.objects.create(recipient=user, kind="x", subject="s", body="b")
    client.force_login(user)
    response = client.post(reverse("candidates:privacy_erasure"), {"confirm": "on"}, follow=True)
    html = response.content.decode()
    assert list(Dossier.objects.all()) == [kept]
    assert not Message.objects.exists()
    assert "le dossier n° NM25-000002" in html and "jusqu&#x27;au 31 décembre 2027" in html
    assert "Supprimés : 1 message(s), 1 brouillon(s) de dossier" in html


def test_erasure_must_be_confirmed(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("candidates:privacy_erasure"), {})
    assert response.status_code == 400
    assert "Cochez la case pour confirmer votre demande." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_purge_retention_deletes_old_sessions_files_and_leaves_an_anonymised_count(settings):
    settings.RETENTION_YEARS = 2
    old = DossierFactory(state=DossierState.COMPLIANT, session=SessionFactory(year=2023), birth_name="ANCIEN")
    stored, document = _with_files(old)
    recent = DossierFactory(state=DossierState.COMPLIANT, session=SessionFactory(year=2024))
    storage = stored.file.storage
    names = [stored.file.name, document.file.name]
    purges = services.purge_retention(today=dt.date(2026, 12, 1))
    assert [p.session_code for p in purges] == [old.session.code]
    assert (purges[0].dossiers, purges[0].files, purges[0].documents) == (1, 1, 1)
    assert list(Dossier.objects.all()) == [recent]
    assert not any(storage.exists(n) for n in names)
    assert not Dossier.history.filter(birth_name="ANCIEN").exists()
    assert services.purge_retention(today=dt.date(2026, 12, 1)) == []  # idempotent


def test_the_command_runs_every_purge(settings, capsys):
    settings.RETENTION_YEARS = 2
    DossierFactory(state=DossierState.COMPLIANT, session=SessionFactory(year=2020))
    call_command("purge_retention")
    assert "1 session(s) purgée(s)" in capsys.readouterr().out


def test_identity_documents_are_deleted_after_the_appeal_period_leaving_a_trace(settings):
    settings.IDENTITY_APPEAL_DAYS = 60
    decided = DossierFactory(state=DossierState.COMPLIANT, decided_at=timezone.now() - dt.timedelta(days=61))
    recent = DossierFactory(state=DossierState.COMPLIANT, decided_at=timezone.now() - dt.timedelta(days=10))
    waiting = DossierFactory(state=DossierState.IN_REVIEW)
    files = {}
    for dossier in (decided, recent, waiting):
        files[dossier.pk] = PieceFileFactory(piece=PieceFactory(dossier=dossier, code="identity"))
    other = PieceFileFactory(piece=PieceFactory(dossier=decided, code="jdc"))
    name = files[decided.pk].file.name
    assert services.identity_documents_purge() == 1
    trace = PieceFile.objects.get(pk=files[decided.pk].pk)
    assert not trace.file and trace.purged_at is not None
    assert trace.original_name == "carte-identite.pdf" and trace.sha256
    assert not trace.file.storage.exists(name)
    for pk in (files[recent.pk].pk, files[waiting.pk].pk, other.pk):
        assert PieceFile.objects.get(pk=pk).file
    assert DataPurge.objects.get(reason=PurgeReason.IDENTITY).files == 1


def test_the_page_explains_what_is_kept(client, settings):
    settings.RETENTION_YEARS = 2
    dossier = DossierFactory(state=DossierState.SUBMITTED, number="NM25-000003")
    client.force_login(dossier.candidate)
    html = client.get(reverse("candidates:privacy")).content.decode()
    assert "Dossier n° NM25-000003" in html and "conservé jusqu'au 31 décembre 2027" in html
    assert 'lang="fr"' in html


def test_the_purge_takes_the_dossiers_thread_and_its_attachments(settings):
    from candidates.messaging.models import DossierMessage

    settings.RETENTION_YEARS = 2
    old = DossierFactory(state=DossierState.COMPLIANT, session=SessionFactory(year=2022))
    message = DossierMessage.objects.create(
        dossier=old, author=old.candidate, body="Question", attachment_name="q.pdf",
        attachment_type="application/pdf", attachment=ContentFile(b"%PDF-1.4 q", name="q.pdf"),
    )  # fmt: skip
    name = message.attachment.name
    (purge,) = services.purge_retention(today=dt.date(2026, 12, 1))
    assert purge.files == 1
    assert not DossierMessage.objects.exists()
    assert not message.attachment.storage.exists(name)
