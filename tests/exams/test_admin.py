"""The academy manager's session screen: dates in order, typed in the académie's time zone."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from exams.models import Session
from tests.factories import AcademieFactory, ExamFactory, SessionFactory, UserFactory, paris


def inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def _form_data(academie, exam, **overrides):
    data = {
        "code": "nancy-metz-bts-2026",
        "academie": academie.pk,
        "exam": exam.pk,
        "year": 2026,
        "name": "",
        "registration_opens_at_0": "13/10/2025",
        "registration_opens_at_1": "09:00",
        "registration_closes_at_0": "12/11/2025",
        "registration_closes_at_1": "17:00",
        "pieces_deadline_0": "19/11/2025",
        "pieces_deadline_1": "23:59",
        "accepted_categories": ["distance_school", "work_experience"],
        "progressive_categories": ["work_experience"],
        **inline_management("openings"),
    }
    data.update(overrides)
    return data


def test_it_refuses_a_closing_before_the_opening(admin_client):
    academie, exam = AcademieFactory(), ExamFactory()
    data = _form_data(academie, exam, registration_closes_at_0="01/10/2025")
    response = admin_client.post(reverse("admin:exams_session_add"), data)
    assert response.status_code == 200
    assert "La clôture doit suivre l&#x27;ouverture des inscriptions." in response.content.decode()
    assert not Session.objects.exists()


def test_it_refuses_a_pieces_deadline_before_the_closing(admin_client):
    academie, exam = AcademieFactory(), ExamFactory()
    data = _form_data(academie, exam, pieces_deadline_0="10/11/2025")
    response = admin_client.post(reverse("admin:exams_session_add"), data)
    assert response.status_code == 200
    assert (
        "La date limite des pièces ne peut précéder la clôture des inscriptions." in response.content.decode()
    )
    assert not Session.objects.exists()


def test_it_saves_dates_typed_in_the_academie_time_zone(admin_client):
    martinique = AcademieFactory(code="martinique", name="Martinique", time_zone="America/Martinique")
    response = admin_client.post(
        reverse("admin:exams_session_add"), _form_data(martinique, ExamFactory(), code="martinique-bts-2026")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session = Session.objects.get()
    # 17:00 typed for Martinique (UTC-4) is 21:00 UTC.
    assert session.registration_closes_at == dt.datetime(2025, 11, 12, 21, 0, tzinfo=dt.UTC)


def test_the_change_form_shows_local_times_of_the_academie(admin_client):
    martinique = AcademieFactory(code="martinique", name="Martinique", time_zone="America/Martinique")
    session = SessionFactory(
        academie=martinique,
        registration_closes_at=martinique.make_aware(dt.datetime(2024, 11, 13, 17, 0)),
    )
    response = admin_client.get(reverse("admin:exams_session_change", args=[session.pk]))
    assert 'name="registration_closes_at_1" value="17:00:00"' in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("late_pieces_deadline", paris(2024, 11, 1, 0, 0)),
        ("review_deadline", paris(2024, 11, 19, 0, 0)),
        ("handicap_request_deadline", paris(2024, 10, 1, 0, 0)),
    ],
)
def test_model_validation_names_the_field_out_of_order(field, value):
    session = SessionFactory.build(academie=AcademieFactory(), exam=ExamFactory(), **{field: value})
    with pytest.raises(ValidationError) as excinfo:
        session.clean()
    assert field in excinfo.value.message_dict


def test_convocations_must_be_two_weeks_before_the_first_written_epreuve():
    session = SessionFactory.build(
        academie=AcademieFactory(),
        exam=ExamFactory(),
        convocations_published_at=paris(2025, 5, 1, 9, 0),
        first_written_exam_at=paris(2025, 5, 12, 8, 0),
    )
    with pytest.raises(ValidationError) as excinfo:
        session.clean()
    assert "convocations_published_at" in excinfo.value.message_dict


def test_an_academy_manager_configures_only_their_academie(client):
    from tests.factories import StaffAssignmentFactory

    nantes = AcademieFactory(code="nantes", name="Nantes")
    toulouse = AcademieFactory(code="toulouse", name="Toulouse")
    own = SessionFactory(academie=nantes)
    other = SessionFactory(academie=toulouse)
    manager = StaffAssignmentFactory(academie=nantes, role="manager").user
    client.force_login(manager)

    listing = client.get(reverse("admin:exams_session_changelist"))
    assert listing.status_code == 200
    assert own.code in listing.content.decode()
    assert other.code not in listing.content.decode()
    assert client.get(reverse("admin:exams_session_change", args=[own.pk])).status_code == 200
    assert (
        client.get(reverse("admin:exams_session_change", args=[other.pk])).status_code == 302
    )  # "n'existe pas"
    form = client.get(reverse("admin:exams_session_add")).content.decode()
    assert "Toulouse" not in form
