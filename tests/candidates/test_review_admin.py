"""The review admin: the permission matrix over list, detail, file, export and bulk action; the
review views; the export's content; the changelist's query count; the dashboard; the groups."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from candidates.models import Dossier, DossierState
from candidates.permissions import dossiers_visible_to, user_can_view_dossier
from documents.pieces.counters import dossier_recount_pieces
from exams import roles
from tests.candidates.review_fixtures import accept_pieces, dossier, start_review, world
from tests.factories import PieceFileFactory, SessionFactory

pytestmark = pytest.mark.django_db


S = DossierState
CHANGELIST = "admin:candidates_dossier_changelist"


@pytest.fixture
def w():
    w = world()
    w["bat_nantes"] = dossier(w["s_nantes"], w["bat"], birth_name="BATNANTES")
    w["ms_nantes"] = dossier(w["s_nantes"], w["ms"], birth_name="MSNANTES")
    w["bat_toulouse"] = dossier(w["s_toulouse"], w["bat"], birth_name="BATTOULOUSE")
    return w


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "who, expected",
    [
        ("gest_bat", {"bat_nantes"}),  # specialty A of their académie only
        ("manager_nantes", {"bat_nantes", "ms_nantes"}),  # Nantes, never Toulouse
        ("superuser", {"bat_nantes", "ms_nantes", "bat_toulouse"}),
    ],
)
def test_dossiers_visible_to_matrix(w, who, expected):
    names = {k for k in ("bat_nantes", "ms_nantes", "bat_toulouse") if user_can_view_dossier(w[who], w[k])}
    assert names == expected
    assert dossiers_visible_to(w[who]).count() == len(expected)


def test_a_candidate_or_anonymous_sees_nothing(w):
    from django.contrib.auth.models import AnonymousUser

    assert not dossiers_visible_to(w["bat_nantes"].candidate).exists()
    assert not dossiers_visible_to(AnonymousUser()).exists()


@pytest.mark.parametrize(
    "who, visible, hidden",
    [("gest_bat", "bat_nantes", "ms_nantes"), ("manager_nantes", "ms_nantes", "bat_toulouse")],
)
def test_list_detail_and_download_respect_the_scope(client, w, who, visible, hidden):
    _login(client, w[who])
    listing = client.get(reverse(CHANGELIST)).content.decode()
    assert w[visible].birth_name in listing
    assert w[hidden].birth_name not in listing
    assert client.get(reverse("admin:candidates_dossier_change", args=[w[visible].pk])).status_code == 200
    # Out of scope: the admin answers as if the dossier did not exist.
    assert client.get(reverse("admin:candidates_dossier_change", args=[w[hidden].pk])).status_code == 302
    ok_file = PieceFileFactory(piece=w[visible].pieces.get())
    hidden_file = PieceFileFactory(piece=w[hidden].pieces.get())
    response = client.get(reverse("admin:candidates_dossier_piece_file", args=[ok_file.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline")
    assert (
        client.get(reverse("admin:candidates_dossier_piece_file", args=[hidden_file.uuid])).status_code == 404
    )


def test_export_of_the_filtered_list_contains_only_the_scope(client, w):
    _login(client, w["gest_bat"])
    response = client.get(reverse("admin:candidates_dossier_export", args=["csv"]))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r["Numéro"] for r in rows] == [w["bat_nantes"].number]
    row = rows[0]
    assert row["Nom de naissance"] == "BATNANTES"
    assert row["Courriel"] == w["bat_nantes"].candidate.email
    assert row["Date de naissance"] == "14/03/1990"
    assert row["Spécialité"] == "Bâtiment"
    assert row["Académie"] == "Nantes"
    assert row["État"] == "Pièces déposées – en attente de traitement"
    assert (row["Pièces acceptées"], row["Pièces déposées"]) == ("0", "1")


def test_xlsx_export_action_parsed_back(client, w):
    _login(client, w["manager_nantes"])
    ids = [w[k].pk for k in ("bat_nantes", "ms_nantes", "bat_toulouse")]  # Toulouse forged in
    response = client.post(reverse(CHANGELIST), {"action": "export_xlsx", "_selected_action": ids})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    header, body = values[0], values[1:]
    assert header[0] == "Numéro"
    assert sorted(r[0] for r in body) == sorted([w["bat_nantes"].number, w["ms_nantes"].number])


def test_a_large_export_runs_in_a_task_and_is_offered_to_its_requester_only(
    client, w, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_ASYNC_THRESHOLD = 1
    _login(client, w["manager_nantes"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("admin:candidates_dossier_export", args=["csv"]), follow=True)
    assert "en préparation" in response.content.decode()
    message = w["manager_nantes"].messages.get(kind="export_ready")
    download = client.get(message.link)
    assert download.status_code == 200
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert w["ms_nantes"].number in content and w["bat_toulouse"].number not in content
    # It is shown on the admin index, and nobody else can fetch it.
    assert message.link in client.get(reverse("admin:index")).content.decode()
    _login(client, w["gest_bat"])
    assert client.get(message.link).status_code == 404


def test_bulk_action_ignores_dossiers_outside_the_scope(client, w):
    for key in ("bat_nantes", "ms_nantes"):
        start_review(w[key], w["manager_nantes"])
        accept_pieces(w[key], w["manager_nantes"])
    _login(client, w["gest_bat"])
    client.post(
        reverse(CHANGELIST),
        {"action": "mark_compliant", "_selected_action": [w["bat_nantes"].pk, w["ms_nantes"].pk]},
    )
    assert Dossier.objects.get(pk=w["bat_nantes"].pk).state == S.COMPLIANT
    assert Dossier.objects.get(pk=w["ms_nantes"].pk).state == S.IN_REVIEW


def test_review_views_run_an_end_to_end_review(client, w):
    d = w["bat_nantes"]
    piece = d.pieces.get()
    PieceFileFactory(piece=piece)
    _login(client, w["gest_bat"])
    change = reverse("admin:candidates_dossier_change", args=[d.pk])
    page = client.get(change).content.decode()
    assert "Commencer l&#x27;examen du dossier" in page
    assert "Déclarer conforme" not in page  # not offered in this state
    client.post(reverse("admin:candidates_dossier_review", args=[d.pk, "start_review"]), {"lock_version": 0})
    page = client.get(change).content.decode()
    assert "data-pdf-preview=" in page  # the PDF preview, opened on demand (issue 18)
    client.post(
        reverse("admin:candidates_dossier_piece_review", args=[d.pk, piece.pk, "invalidate"]),
        {"lock_version": 1, "reason": "", "reason_text": "Photo floue"},
    )
    piece.refresh_from_db()
    assert (piece.state, piece.invalidation_reason) == ("invalidated", "Photo floue")
    client.post(
        reverse("admin:candidates_dossier_piece_review", args=[d.pk, piece.pk, "accept"]), {"lock_version": 2}
    )
    response = client.post(
        reverse("admin:candidates_dossier_review", args=[d.pk, "compliant"]), {"lock_version": 3}, follow=True
    )
    assert "Décision enregistrée" in response.content.decode()
    assert Dossier.objects.get(pk=d.pk).state == S.COMPLIANT
    page = client.get(change).content.decode()
    assert "Historique des modifications" in page and "gest.bat@ac-nantes.fr" in page
    assert "Photo floue" in page  # before → after of the piece


def test_review_actions_show_in_recent_actions_and_the_history_reads_as_words(client, w):
    """issue 18 item 6: "Actions récentes" listed nothing after eight review actions, and the
    history showed ids ("décidé par : — → 6", "specialty → 11") and English field names."""
    from django.contrib.admin.models import LogEntry

    from candidates.review.selectors import dossier_history

    d = w["bat_nantes"]
    piece = d.pieces.get()
    _login(client, w["gest_bat"])
    client.post(reverse("admin:candidates_dossier_review", args=[d.pk, "start_review"]), {"lock_version": 0})
    client.post(
        reverse("admin:candidates_dossier_piece_review", args=[d.pk, piece.pk, "accept"]), {"lock_version": 1}
    )
    client.post(reverse("admin:candidates_dossier_review", args=[d.pk, "compliant"]), {"lock_version": 2})
    entries = LogEntry.objects.filter(user=w["gest_bat"], object_id=str(d.pk)).order_by("pk")
    assert [e.get_change_message() for e in entries] == [
        "Examen du dossier commencé.",
        f"Pièce « {piece.get_code_display()} » acceptée.",
        "Décision enregistrée : le candidat est prévenu.",
    ]
    index = client.get(reverse("admin:index")).content.decode()
    assert d.number in index and "Décision enregistrée" in index

    d.refresh_from_db()
    d.specialty = w["ms"]
    d.save()
    changes = [c for row in dossier_history(d) for c in row["changes"]]
    decided = next(c for c in changes if c["field"] == "décidé par")
    assert (decided["old"], decided["new"]) == ("—", "gest.bat@ac-nantes.fr")
    specialty = next(c for c in changes if c["field"] == "spécialité")
    assert (specialty["old"], specialty["new"]) == ("Bâtiment", str(w["ms"]))
    state = next(c for c in changes if c["field"] == "état" and c["new"] == "Conforme")
    assert state["old"] == "En cours d'examen"
    page = client.get(reverse("admin:candidates_dossier_change", args=[d.pk])).content.decode()
    assert "Specialty" not in page and "Updated at" not in page and "Decided by" not in page


def test_an_invalidation_reason_can_be_chosen_from_the_list(client, w):
    from candidates.review.services import INVALIDATION_REASONS

    d = start_review(w["bat_nantes"], w["gest_bat"])
    piece = d.pieces.get()
    _login(client, w["gest_bat"])
    client.post(
        reverse("admin:candidates_dossier_piece_review", args=[d.pk, piece.pk, "invalidate"]),
        {"lock_version": d.lock_version, "reason": INVALIDATION_REASONS[1], "reason_text": ""},
    )
    piece.refresh_from_db()
    assert (piece.state, piece.invalidation_reason) == ("invalidated", INVALIDATION_REASONS[1])


def test_an_svg_piece_is_never_shown_inline(client, w):
    svg = PieceFileFactory(piece=w["bat_nantes"].pieces.get(), content_type="image/svg+xml")
    _login(client, w["gest_bat"])
    response = client.get(reverse("admin:candidates_dossier_piece_file", args=[svg.uuid]))
    assert response["Content-Disposition"].startswith("attachment")


def test_a_stale_page_gets_a_clear_message(client, w):
    d = w["bat_nantes"]
    _login(client, w["gest_bat"])
    client.post(reverse("admin:candidates_dossier_review", args=[d.pk, "start_review"]), {"lock_version": 0})
    response = client.post(
        reverse("admin:candidates_dossier_review", args=[d.pk, "request_correction"]),
        {"lock_version": 0, "message": "Pièce manquante"},
        follow=True,
    )
    assert "modifié par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    assert Dossier.objects.get(pk=d.pk).state == S.IN_REVIEW


def test_review_views_refuse_out_of_scope_dossiers(client, w):
    _login(client, w["gest_bat"])
    response = client.post(
        reverse("admin:candidates_dossier_review", args=[w["ms_nantes"].pk, "start_review"]),
        {"lock_version": 0},
    )
    assert response.status_code == 404
    assert Dossier.objects.get(pk=w["ms_nantes"].pk).state == S.SUBMITTED


def test_search_by_birth_date_and_number(client, w):
    Dossier.objects.filter(pk=w["ms_nantes"].pk).update(birth_date="1999-01-02")
    _login(client, w["manager_nantes"])
    page = client.get(reverse(CHANGELIST), {"q": "02/01/1999"}).content.decode()
    assert "MSNANTES" in page and "BATNANTES" not in page
    page = client.get(reverse(CHANGELIST), {"q": w["bat_nantes"].number}).content.decode()
    assert "BATNANTES" in page and "MSNANTES" not in page


def test_filters_pieces_complete_and_waiting(client, w):
    w["ms_nantes"].pieces.update(state="accepted")  # a bulk update: recount as the services do
    dossier_recount_pieces(dossier_ids=[w["ms_nantes"].pk])
    _login(client, w["manager_nantes"])
    page = client.get(reverse(CHANGELIST), {"pieces": "oui"}).content.decode()
    assert "MSNANTES" in page and "BATNANTES" not in page
    page = client.get(reverse(CHANGELIST), {"attente": "7"}).content.decode()
    assert "MSNANTES" not in page  # submitted just now


# 60: a full page (list_per_page is 50) and a second one; 200 built 140 more dossiers for nothing.
@pytest.mark.parametrize("n", [10, 60])
def test_changelist_query_count_does_not_grow_with_dossiers(client, django_assert_max_num_queries, n):
    w = world()
    extra_session = SessionFactory(academie=w["nantes"], year=2026)
    for i in range(n):
        # Spread over two sessions: the session filter must not cost a query per session either.
        dossier(extra_session if i % 2 else w["s_nantes"], w["bat"], pieces=("accepted", "deposited"))
    _login(client, w["gest_bat"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse(CHANGELIST), {"o": "1"})
    assert response.status_code == 200
    assert "1/2" in response.content.decode()


def test_dashboard_counts_by_state_within_the_scope(client, w):
    _login(client, w["gest_bat"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "Tableau de bord" in page
    assert "Bâtiment" in page and "Maintenance" not in page


def test_groups_are_created_idempotently_and_assigned(w):
    roles.ensure_roles()
    roles.ensure_roles()
    gest = Group.objects.get(name=roles.GESTIONNAIRE)
    manager = Group.objects.get(name=roles.MANAGER)
    assert gest in w["gest_bat"].groups.all() and w["gest_bat"].is_staff
    assert manager in w["manager_nantes"].groups.all()
    assert w["gest_bat"].has_perm("candidates.change_dossier")
    assert not w["gest_bat"].has_perm("exams.change_session")
    assert w["manager_nantes"].has_perm("exams.change_session")
    assert w["manager_nantes"].has_perm("exams.add_staffassignment")


@pytest.mark.parametrize("n", [1, 6])
def test_the_dossier_page_costs_the_same_queries_with_one_or_six_pieces(
    client, django_assert_max_num_queries, n
):
    """issue 18: the review page read the dossier twice, the requirements twice and its session,
    exam, académie, specialty and candidate once more each (42 queries with 6 pieces)."""
    from django.core.files.base import ContentFile

    from tests.documents.files import jpeg_bytes
    from tests.factories import PieceFactory

    w = world()
    d = dossier(w["s_nantes"], w["bat"], pieces=())
    for code in [
        "identity",
        "jdc",
        "access_diploma",
        "recap_signed",
        "previous_transcript",
        "schooling_certs",
    ][:n]:
        PieceFileFactory(piece=PieceFactory(dossier=d, code=code))
        PieceFileFactory(
            piece=d.pieces.get(code=code), file=ContentFile(jpeg_bytes(), name="x"), content_type="image/jpeg"
        )
    start_review(d, w["gest_bat"])
    _login(client, w["gest_bat"])
    url = reverse("admin:candidates_dossier_change", args=[d.pk])
    client.get(url)  # the process's first admin page fills Django's content-type cache
    with django_assert_max_num_queries(23):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("?apercu=1") == n  # one small preview per image, a PDF on demand
    assert page.count("data-pdf-preview=") == n
