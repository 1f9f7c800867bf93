"""'Mes justificatifs', the upload and lock views, and the private file view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from candidates.models import DossierState
from documents.models import Piece, PieceFile
from documents.pieces import services
from exams.models import StaffRole
from exams.staff import staff_assign
from tests.factories import SpecialtyFactory, UserFactory

from .files import exe_bytes, pdf_bytes, png_bytes, upload
from .helpers import registered_dossier

pytestmark = pytest.mark.django_db


def pieces_url(dossier):
    return reverse("documents:dossier_pieces", args=[dossier.pk])


def upload_url(dossier, code):
    return reverse("documents:piece_upload", args=[dossier.pk, code])


def test_the_page_lists_each_required_piece_with_its_reason_state_and_deadline(client):
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    response = client.get(pieces_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pièce d&#x27;identité en cours de validité" in html
    assert "Votre spécialité exige l&#x27;attestation de formation R408" in html
    assert "(pièce tardive)" in html
    assert "À déposer" in html
    assert "PDF, JPEG ou PNG ; 10\xa0Mo au plus par fichier." in html
    assert 'data-max-bytes="10485760"' in html
    assert "J'ai fourni toutes mes pièces" in html


def test_the_deadline_is_shown_in_the_academies_zone(client):
    from tests.factories import AcademieFactory, open_session, paris

    martinique = AcademieFactory(code="martinique", name="Martinique", time_zone="America/Martinique")
    session = open_session(academie=martinique)
    session.pieces_deadline = session.pieces_deadline.replace(
        hour=21, minute=0, second=0, microsecond=0, tzinfo=paris(2026, 1, 1).tzinfo
    )
    session.save()
    dossier = registered_dossier(session=session)
    client.force_login(dossier.candidate)
    html = client.get(pieces_url(dossier)).content.decode()
    local = martinique.localtime(session.pieces_deadline)
    assert f"{local:%H:%M}" == "16:00"
    assert "à 16:00" in html


def test_another_candidates_page_is_a_404(client):
    dossier = registered_dossier()
    client.force_login(UserFactory())
    assert client.get(pieces_url(dossier)).status_code == 404
    assert (
        client.post(
            upload_url(dossier, "identity"), {"identity-files": upload("a.pdf", pdf_bytes())}
        ).status_code
        == 404
    )


def test_it_uploads_a_piece_and_shows_it(client, django_capture_on_commit_callbacks):
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    with django_capture_on_commit_callbacks(execute=True):  # the quarantine check runs eagerly
        response = client.post(
            upload_url(dossier, "identity"),
            {"identity-files": [upload("recto.png", png_bytes()), upload("verso.pdf", pdf_bytes())]},
        )
    assert response.status_code == 302
    piece = Piece.objects.get(dossier=dossier, code="identity")
    assert piece.files.count() == 2
    html = client.get(pieces_url(dossier)).content.decode()
    assert "recto.png" in html and "Déposée" in html


def test_a_refused_upload_shows_the_message_on_the_field(client, django_capture_on_commit_callbacks):
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            upload_url(dossier, "identity"), {"identity-files": upload("diplome.pdf", exe_bytes())}
        )
    # The request only took the file into quarantine; the worker's verdict shows on the page.
    assert response.status_code == 302
    html = client.get(pieces_url(dossier)).content.decode()
    assert "Dépôt refusé" in html
    assert "« diplome.pdf » n&#x27;est ni un PDF" in html
    assert not Piece.objects.exists()


def test_a_refusal_known_before_quarantine_shows_on_the_field(client):
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    response = client.post(upload_url(dossier, "identity"), {"identity-files": upload("vide.pdf", b"")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "« vide.pdf » est vide." in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_identity-files_error" class="invalid-feedback d-block"' in html
    # The refusal is also summed up at the top of the page, where a phone lands after the POST.
    summary = html.index("data-error-summary")
    assert summary < html.index('id="piece-identity"') and "a été refusé" in html[summary : summary + 400]
    assert not Piece.objects.exists()


def test_a_12_mb_upload_is_refused_while_streaming(client, settings):
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    big = upload("scan.pdf", b"%PDF-1.4\n" + b"0" * (12 * 1024 * 1024))
    response = client.post(upload_url(dossier, "identity"), {"identity-files": big})
    assert response.status_code == 400
    assert "dépasse la taille maximale de 10\xa0Mo par fichier" in response.content.decode()
    assert not PieceFile.objects.exists()


def test_the_upload_handler_streams_to_disk_and_drops_oversized_files(rf, settings):
    from documents.pieces.uploads import LimitedTemporaryFileUploadHandler, OversizedUpload

    settings.UPLOAD_MAX_BYTES = 100
    handler = LimitedTemporaryFileUploadHandler()
    handler.new_file("files", "a.pdf", "application/pdf", 300)
    for _ in range(3):
        handler.receive_data_chunk(b"x" * 100, 0)
    result = handler.file_complete(300)
    assert isinstance(result, OversizedUpload) and result.size == 300


def test_the_lock_view_refuses_then_accepts(client):
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    lock_url = reverse("documents:pieces_lock", args=[dossier.pk])
    response = client.post(lock_url)
    assert response.status_code == 400
    assert "Il manque encore" in response.content.decode()
    for code in ("identity", "recap_signed"):
        services.piece_deposit(
            dossier=dossier, code=code, files=[upload("a.pdf", pdf_bytes())], by=dossier.candidate
        )
    assert client.post(lock_url).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    html = client.get(pieces_url(dossier)).content.decode()
    assert "Vos pièces sont verrouillées depuis" in html


def _file(dossier):
    piece = services.piece_deposit(
        dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
    )
    return piece.files.get()


def test_the_owner_downloads_the_file(client):
    dossier = registered_dossier()
    piece_file = _file(dossier)
    client.force_login(dossier.candidate)
    response = client.get(reverse("documents:piece_file", args=[piece_file.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_candidates_file_url_is_a_404(client):
    piece_file = _file(registered_dossier())
    client.force_login(UserFactory())
    assert client.get(reverse("documents:piece_file", args=[piece_file.uuid])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    piece_file = _file(registered_dossier())
    response = client.get(reverse("documents:piece_file", args=[piece_file.uuid]))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "same_academie", "same_specialty", "allowed"),
    [
        (StaffRole.MANAGER, True, False, True),
        (StaffRole.MANAGER, False, False, False),
        (StaffRole.GESTIONNAIRE, True, True, True),
        (StaffRole.GESTIONNAIRE, True, False, False),
        (StaffRole.GESTIONNAIRE, False, True, False),
    ],
)
def test_staff_see_the_files_of_the_dossiers_assigned_to_them(
    client, role, same_academie, same_specialty, allowed
):
    from tests.factories import AcademieFactory

    dossier = registered_dossier()
    piece_file = _file(dossier)
    staff = UserFactory(is_staff=True)
    academie = (
        dossier.session.academie if same_academie else AcademieFactory(code="toulouse", name="Toulouse")
    )
    staff_assign(
        user=staff,
        academie=academie,
        role=role,
        specialties=[dossier.specialty if same_specialty else SpecialtyFactory(code="travaux-publics")],
    )
    client.force_login(staff)
    status = client.get(reverse("documents:piece_file", args=[piece_file.uuid])).status_code
    assert status == (200 if allowed else 404)


def test_a_superuser_sees_every_file(client):
    piece_file = _file(registered_dossier())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("documents:piece_file", args=[piece_file.uuid])).status_code == 200


def test_the_candidate_space_alert_lists_invalidated_pieces():
    from django.template import Context, Template

    dossier = registered_dossier()
    piece_file = _file(dossier)
    piece = piece_file.piece
    piece.state, piece.invalidation_reason = "invalidated", "Photo floue"
    piece.save()
    html = Template("{% load pieces %}{% invalidated_pieces_alert %}").render(
        Context({"user": dossier.candidate})
    )
    assert "Photo floue" in html and "Remplacer" in html and "#piece-identity" in html


def _piece_queries(client, path) -> list[str]:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(path).status_code == 200
    return [q for q in queries if '"documents_piece"' in q]


@pytest.mark.parametrize("invalidated", [1, 3])
def test_the_space_lists_invalidated_pieces_with_one_query_from_its_own_dossiers(client, invalidated):
    """issue 15: the space hands its dossier list to the alert, which reads the pieces alone (no
    join) in one query whatever their number, and still names each dossier and links each piece."""
    dossiers = []
    for i in range(invalidated):
        more = (
            {"candidate": dossiers[0].candidate, "specialty": SpecialtyFactory(code=f"inv{i}")}
            if dossiers
            else {}
        )
        dossier = registered_dossier(**more)
        piece = _file(dossier).piece
        piece.state, piece.invalidation_reason = "invalidated", f"Photo floue {i}"
        piece.save()
        dossiers.append(dossier)
    client.force_login(dossiers[0].candidate)
    client.get(reverse("candidates:space"))
    queries = _piece_queries(client, reverse("candidates:space"))
    assert len(queries) == 1 and "JOIN" not in queries[0]
    html = client.get(reverse("candidates:space")).content.decode()
    for i, dossier in enumerate(dossiers):
        assert f"Photo floue {i}" in html and f"(dossier {dossier.number})" in html
        assert f'href="{pieces_url(dossier)}#piece-identity"' in html


def test_the_space_of_a_candidate_without_any_piece_reads_no_piece(client):
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    assert _piece_queries(client, reverse("candidates:space")) == []
    assert "Pièce(s) invalidée(s)" not in client.get(reverse("candidates:space")).content.decode()


def test_the_index_redirects_to_the_only_dossier(client):
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    response = client.get(reverse("documents:pieces_index"))
    assert response.status_code == 302 and response["Location"] == pieces_url(dossier)


@pytest.mark.parametrize("deposited", [0, 2])
def test_the_page_makes_a_bounded_number_of_queries(client, django_assert_max_num_queries, deposited):
    dossier = registered_dossier()
    for code in ("identity", "recap_signed")[:deposited]:
        services.piece_deposit(
            dossier=dossier, code=code, files=[upload("a.pdf", pdf_bytes())], by=dossier.candidate
        )
    client.force_login(dossier.candidate)
    with django_assert_max_num_queries(12):
        assert client.get(pieces_url(dossier)).status_code == 200


def test_an_invalidated_piece_shows_its_reason_and_a_replace_action(client):
    dossier = registered_dossier()
    piece = _file(dossier).piece
    piece.state, piece.invalidation_reason = "invalidated", "Photo floue"
    piece.save()
    client.force_login(dossier.candidate)
    html = client.get(pieces_url(dossier)).content.decode()
    assert "Pièce(s) à remplacer" in html and "Photo floue" in html
    assert "À remplacer avant le" in html
    assert ">Remplacer</button>" in html


@pytest.mark.parametrize("frozen", [False, True])
def test_the_page_reads_the_frozen_requirements_with_the_dossier(client, frozen):
    """issue 15: the requirements frozen at the lock come joined to the dossier, no query of their
    own; they are shown, not the session's rules as edited since (issue 13)."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from documents.pieces import selectors

    dossier = registered_dossier()
    if frozen:
        required = selectors.required_pieces_for_dossier(dossier)
        selectors.freeze_requirements(
            dossier, at=timezone.now() - dt.timedelta(hours=1), required=required[:1]
        )
    client.force_login(dossier.candidate)
    client.get(pieces_url(dossier))
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        html = client.get(pieces_url(dossier)).content.decode()
    assert not [q for q in queries if q.startswith('SELECT "documents_requirementsnapshot"')]
    assert ("Pièces demandées (1)" in html) is frozen
    assert "(pièce tardive)" in html or frozen  # the session's rules: R408 late, when not frozen
