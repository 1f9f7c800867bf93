"""factory_boy factories for the whole project; state beyond plain rows is built through services."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import factory
from django.utils import timezone

from candidates.models import Dossier, Profile, User
from exams.models import (
    Academie,
    Departement,
    Epreuve,
    Exam,
    Language,
    Session,
    SessionSpecialty,
    Specialty,
    SpecialtyOption,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


class AcademieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Academie
        django_get_or_create = ["code"]

    code = "nancy-metz"
    name = "Nancy-Metz"
    time_zone = "Europe/Paris"
    contact_email = "ce.dec-bts@ac-nancy-metz.fr"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ["code"]

    code = "54"
    name = "Meurthe-et-Moselle"
    academie = factory.SubFactory(AcademieFactory)


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exam
        django_get_or_create = ["code"]

    code = "bts"
    name = "Brevet de technicien supérieur"


class SessionFactory(factory.django.DjangoModelFactory):
    """By default, the Nancy-Metz BTS 2025 calendar of its notice (NM)."""

    class Meta:
        model = Session
        django_get_or_create = ["code"]

    academie = factory.SubFactory(AcademieFactory)
    exam = factory.SubFactory(ExamFactory)
    year = 2025
    code = factory.LazyAttribute(lambda o: f"{o.academie.code}-bts-{o.year}")
    registration_opens_at = paris(2024, 10, 14, 9, 0)
    registration_closes_at = paris(2024, 11, 13, 17, 0)
    pieces_deadline = paris(2024, 11, 20, 23, 59)
    late_pieces_deadline = paris(2025, 1, 17, 23, 59)


def open_session(**kwargs) -> Session:
    """A session whose registration is open now (opened 10 days ago, closes in 20)."""
    now = timezone.now()
    defaults = dict(
        year=now.year + 1,
        registration_opens_at=now - dt.timedelta(days=10),
        registration_closes_at=now + dt.timedelta(days=20),
        pieces_deadline=now + dt.timedelta(days=27),
        late_pieces_deadline=now + dt.timedelta(days=80),
    )
    defaults.update(kwargs)
    session = SessionFactory(**defaults)
    # Like a notice's session, it opens every specialty of its exam already in the catalogue
    # (bts_catalogue opens a new specialty in the sessions already there).
    for specialty in Specialty.objects.filter(exam=session.exam):
        open_specialty(session, specialty)
    return session


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ["code"]

    code = "en"
    name = "Anglais"


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ["code"]

    code = "batiment"
    name = "Bâtiment"
    abbreviation = "BAT"
    exam = factory.SubFactory(ExamFactory)


class SessionSpecialtyFactory(factory.django.DjangoModelFactory):
    """A specialty opened by a session (issue 13), with all its options, Nancy-Metz's contact for
    Bâtiment and the R408 annexe 5 of the CF table."""

    class Meta:
        model = SessionSpecialty
        django_get_or_create = ["session", "specialty"]
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    specialty = factory.SubFactory(SpecialtyFactory)
    r408_annex5 = True
    gestionnaire_name = "Claire Martin"
    gestionnaire_email = "gestionnaire.batiment@ac-nancy-metz.fr"
    gestionnaire_phone = "03 83 86 20 50"

    @factory.post_generation
    def options(obj, create, extracted, **kwargs):
        if create:
            obj.options.set(obj.specialty.options.all() if extracted is None else extracted)


def open_specialty(session: Session, specialty: Specialty, **kwargs) -> SessionSpecialty:
    """Open ``specialty`` in ``session`` (idempotent; options opened again if added since)."""
    opening = SessionSpecialtyFactory(session=session, specialty=specialty, **kwargs)
    if "options" not in kwargs:
        opening.options.set(specialty.options.all())
    return opening


class SpecialtyOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialtyOption
        django_get_or_create = ["specialty", "code"]

    specialty = factory.SubFactory(SpecialtyFactory)
    code = "A"
    name = "Option A"


class EpreuveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epreuve
        django_get_or_create = ["specialty", "code"]

    specialty = factory.SubFactory(SpecialtyFactory)
    code = factory.Sequence(lambda n: f"E{n + 1}")
    unit_code = factory.LazyAttribute(lambda o: o.code.replace("E", "U"))
    title = factory.LazyAttribute(lambda o: f"Épreuve {o.code}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"candidat{n}@example.org")
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", "Un-mot-de-passe-solide-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ["user"]

    user = factory.SubFactory(UserFactory)
    birth_name = "DUPONT"
    first_name_1 = "Camille"
    sex = "F"
    birth_date = dt.date(2001, 5, 14)
    birth_commune = "Nancy"
    birth_country = "FR"
    nationality = "FR"
    address_line1 = "12 rue Stanislas"
    postcode = "54000"
    city = "Nancy"
    departement = factory.SubFactory(DepartementFactory)
    mobile_phone = "+33612345678"
    consent_press = False
    consent_commercial = False
    consent_local_authorities = False


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    candidate = factory.SubFactory(UserFactory)
    session = factory.SubFactory(SessionFactory)
    specialty = factory.SubFactory(SpecialtyFactory)
    birth_name = "DUPONT"
    first_name_1 = "Camille"
    birth_date = dt.date(2001, 5, 14)
    nationality = "FR"
    category = "distance_school"
    forme = "global"

    @factory.post_generation
    def _opening(obj, create, extracted, **kwargs):
        # A dossier's specialty is one its session opens (issue 13).
        if create and obj.specialty_id and obj.session_id:
            open_specialty(obj.session, obj.specialty)


def walk_to(dossier: Dossier, state: str) -> Dossier:
    """Move ``dossier`` to ``state`` through the state machine (candidates.states), the shortest
    way from where it is: tests build states as the portal does, never by setting them."""
    from candidates.states import TRANSITIONS, transition

    paths: dict[str, list[str]] = {dossier.state: []}
    queue = [dossier.state]
    while queue:
        current = queue.pop(0)
        for t in TRANSITIONS:
            if t.source == current and t.target not in paths:
                paths[t.target] = [*paths[current], t.target]
                queue.append(t.target)
    for step in paths[state]:
        transition(dossier, step)
    return dossier


# --- issue 4: the registration wizard ------------------------------------------------------------


def bts_catalogue(specialty=None) -> dict:
    """A specialty shaped like a real BTS: CGE, LV, an épreuve maîtresse with two professional
    units, and two optional épreuves (LV facultative, engagement étudiant)."""
    specialty = specialty or SpecialtyFactory()
    e1 = EpreuveFactory(specialty=specialty, code="E1", unit_code="U1", title="Culture générale et expression",
                        is_general_culture=True, order=1)  # fmt: skip
    e2 = EpreuveFactory(specialty=specialty, code="E2", unit_code="U2", title="Langue vivante anglais",
                        is_language=True, dispensable=True, order=2)  # fmt: skip
    e3 = EpreuveFactory(specialty=specialty, code="E3", unit_code="", title="Épreuve professionnelle de synthèse",
                        is_unit=False, is_professional=True, order=3)  # fmt: skip
    e31 = EpreuveFactory(specialty=specialty, code="E31", unit_code="U31", title="Étude technique", parent=e3,
                         is_professional=True, order=4)  # fmt: skip
    e32 = EpreuveFactory(specialty=specialty, code="E32", unit_code="U32", title="Projet", parent=e3,
                         is_professional=True, needs_dossier=True, order=5)  # fmt: skip
    ef1 = EpreuveFactory(specialty=specialty, code="EF1", unit_code="UF1", title="Langue vivante facultative",
                         is_optional=True, is_language=True, order=6)  # fmt: skip
    ef2 = EpreuveFactory(specialty=specialty, code="EF2", unit_code="UF2", title="Engagement étudiant",
                         is_optional=True, is_student_engagement=True, order=7)  # fmt: skip
    # Opened, with its options, by every session already created (issue 13: the wizard offers only
    # what the session opens).
    for session in Session.objects.filter(exam=specialty.exam):
        open_specialty(session, specialty)
    return {
        "specialty": specialty,
        "E1": e1,
        "E2": e2,
        "E3": e3,
        "E31": e31,
        "E32": e32,
        "EF1": ef1,
        "EF2": ef2,
    }


def candidate_with_profile(**profile_kwargs) -> User:
    """An active candidate living in Meurthe-et-Moselle (académie of Nancy-Metz)."""
    return ProfileFactory(**profile_kwargs).user


# --- issue 7: staff review ----------------------------------------------------------------------
from django.core.files.base import ContentFile  # noqa: E402

from documents.models import Piece, PieceFile  # noqa: E402
from exams.models import StaffAssignment  # noqa: E402


class StaffAssignmentFactory(factory.django.DjangoModelFactory):
    """A staff assignment made by the service that grants the role (exams.staff.staff_assign)."""

    class Meta:
        model = StaffAssignment
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from exams.staff import staff_assign

        return staff_assign(**kwargs)

    user = factory.SubFactory(UserFactory, email=factory.Sequence(lambda n: f"gestionnaire{n}@ac.fr"))
    academie = factory.SubFactory(AcademieFactory)
    role = "gestionnaire"

    @factory.post_generation
    def specialties(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.specialties.set(extracted)


class PieceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Piece

    dossier = factory.SubFactory(DossierFactory)
    code = "identity"
    state = "deposited"
    deposited_at = factory.LazyFunction(timezone.now)


class PieceFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PieceFile

    piece = factory.SubFactory(PieceFactory)
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 fake", name="piece.pdf"))
    original_name = "carte-identite.pdf"
    content_type = "application/pdf"
    size = 13
    sha256 = "0" * 64
