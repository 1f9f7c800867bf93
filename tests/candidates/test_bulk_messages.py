"""A message to a selection of dossiers (issue 14 item 1): counted and previewed before sending,
only the gestionnaire's scope, written by the workers one message per dossier (each in the
dossier's thread, each with an alert without the text), never twice."""

import uuid

import pytest
from django.urls import reverse

from candidates.messaging import bulk
from candidates.messaging.models import DossierMessage, MessageBatch
from candidates.models import DossierState
from notifications.models import Message, OutgoingEmail
from portal.exceptions import DomainError
from tests.candidates.review_fixtures import dossier, world

pytestmark = pytest.mark.django_db
TEXT = "Les convocations seront publiées le 15 avril : pensez à vérifier votre adresse."


@pytest.fixture
def w():
    w = world()
    w["mine"] = [dossier(w["s_nantes"], w["bat"], state=DossierState.REGISTERED) for _ in range(3)]
    w["toulouse"] = dossier(w["s_toulouse"], w["bat"], state=DossierState.REGISTERED)
    w["other_specialty"] = dossier(w["s_nantes"], w["ms"], state=DossierState.REGISTERED)
    return w


def _ids(dossiers):
    return ",".join(str(d.pk) for d in dossiers)


def test_the_preview_counts_only_the_scope_even_when_other_ids_are_posted(w, client):
    client.force_login(w["gest_bat"])
    posted = [*w["mine"], w["toulouse"], w["other_specialty"]]
    response = client.post(
        reverse("admin:candidates_dossier_write"),
        {"ids": _ids(posted), "subject": "Convocations", "body": TEXT, "apercu": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 destinataires" in page and "Envoyer à 3 candidats" in page
    # The message as the candidate will read it (not only in the hidden inputs of the confirmation).
    assert f'<p class="message-body">{TEXT}</p>' in page.replace("&#x27;", "'")
    assert "<p><strong>Convocations</strong></p>" in page
    assert w["toulouse"].number not in page and w["other_specialty"].number not in page
    assert not MessageBatch.objects.exists()  # nothing is sent before the confirmation


def test_confirming_writes_one_message_per_dossier_in_scope_with_an_alert_without_the_text(
    w, client, django_capture_on_commit_callbacks
):
    client.force_login(w["gest_bat"])
    posted = [*w["mine"], w["toulouse"], w["other_specialty"]]
    key = str(uuid.uuid4())
    data = {"ids": _ids(posted), "subject": "Convocations", "body": TEXT, "key": key, "envoyer": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:candidates_dossier_write"), data)
    assert response.status_code == 302
    batch = MessageBatch.objects.get()
    assert sorted(batch.dossier_ids) == sorted(d.pk for d in w["mine"])
    assert batch.sent_count == 3 and batch.finished_at is not None
    for d in w["mine"]:
        m = DossierMessage.objects.get(dossier=d)
        assert m.from_staff and m.subject == "Convocations" and m.body == TEXT and m.batch == batch
    assert not DossierMessage.objects.filter(dossier__in=[w["toulouse"], w["other_specialty"]]).exists()
    alerts = OutgoingEmail.objects.filter(kind="conversation_from_bureau")
    assert alerts.count() == 3 and all(TEXT not in a.text_body for a in alerts)
    assert Message.objects.filter(kind="conversation_from_bureau").count() == 3
    # A second click on the same confirmation sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:candidates_dossier_write"), data)
    assert MessageBatch.objects.count() == 1 and DossierMessage.objects.count() == 3
    # The candidate reads it in the dossier's thread (its history).
    client.force_login(w["mine"][0].candidate)
    page = client.get(reverse("candidates:thread", args=[w["mine"][0].pk])).content.decode()
    assert "Convocations" in page and TEXT in page


def test_a_retried_or_duplicated_task_never_writes_twice(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch, created = bulk.message_batch_create(
            actor=w["gest_bat"],
            subject="Objet",
            body=TEXT,
            dossier_ids=[d.pk for d in w["mine"]],
            key=uuid.uuid4(),
        )
    assert created and DossierMessage.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk.message_batch_send(batch_id=batch.pk) == 0
        assert bulk.send_message_batch.apply(args=[batch.pk]).get() == 0
    assert DossierMessage.objects.count() == 3
    assert OutgoingEmail.objects.filter(kind="conversation_from_bureau").count() == 3


def test_a_run_cut_short_is_finished_by_the_retry(w, django_capture_on_commit_callbacks):
    batch = MessageBatch.objects.create(
        key=uuid.uuid4(),
        author=w["gest_bat"],
        subject="Objet",
        body=TEXT,
        dossier_ids=[d.pk for d in w["mine"]],
    )
    DossierMessage.objects.create(
        dossier=w["mine"][0], author=w["gest_bat"], from_staff=True, body=TEXT, batch=batch
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk.message_batch_send(batch_id=batch.pk) == 2
    assert DossierMessage.objects.filter(batch=batch).count() == 3


def test_the_list_as_filtered_is_the_selection(w, client):
    client.force_login(w["manager_nantes"])  # the whole académie: bâtiment and maintenance
    filtres = f"specialty__id__exact={w['ms'].pk}"
    page = client.get(
        reverse("admin:candidates_dossier_write"), {"liste": "1", "filtres": filtres}
    ).content.decode()
    assert "1 destinataire" in page and w["other_specialty"].number in page
    page = client.get(
        reverse("admin:candidates_dossier_write"), {"liste": "1", "filtres": ""}
    ).content.decode()
    assert "4 destinataires" in page  # never Toulouse's


def test_the_admin_action_leads_to_the_page_with_the_selection(w, client):
    client.force_login(w["gest_bat"])
    response = client.post(
        reverse("admin:candidates_dossier_changelist"),
        {"action": "write_to_selection", "_selected_action": [d.pk for d in w["mine"][:2]]},
    )
    assert response.status_code == 302 and reverse("admin:candidates_dossier_write") in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "2 destinataires" in page


def test_an_empty_message_is_refused_in_french_on_its_field(w, client):
    client.force_login(w["gest_bat"])
    response = client.post(
        reverse("admin:candidates_dossier_write"),
        {"ids": _ids(w["mine"]), "subject": "", "body": "", "apercu": "1"},
    )
    page = response.content.decode()
    assert (
        response.status_code == 400
        and 'id="id_subject_error"' in page
        and "Le message n&#x27;a pas été envoyé" in page
    )


def test_nobody_outside_the_scope_is_written_to_by_the_service(w):
    with pytest.raises(DomainError, match="périmètre"):
        bulk.message_batch_create(
            actor=w["gest_bat"], subject="Objet", body=TEXT, dossier_ids=[w["toulouse"].pk], key=uuid.uuid4()
        )


@pytest.mark.parametrize("size", [3, 30])
def test_the_pages_and_the_worker_run_a_bounded_number_of_queries(
    size, w, client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    extra = [dossier(w["s_nantes"], w["bat"], state=DossierState.REGISTERED) for _ in range(size - 3)]
    ids = _ids([*w["mine"], *extra])
    client.force_login(w["gest_bat"])
    with django_assert_max_num_queries(12):
        client.post(
            reverse("admin:candidates_dossier_write"),
            {"ids": ids, "subject": "O", "body": TEXT, "apercu": "1"},
        )
    batch = MessageBatch.objects.create(
        key=uuid.uuid4(),
        author=w["gest_bat"],
        subject="O",
        body=TEXT,
        dossier_ids=[int(i) for i in ids.split(",")],
    )
    # Constant work per batch plus, per dossier, notify()'s savepoint and two rows (inbox, e-mail).
    with django_assert_max_num_queries(10 + 4 * size):
        bulk.message_batch_send(batch_id=batch.pk)
    assert DossierMessage.objects.filter(batch=batch).count() == size
