"""The épreuves' dates, times and centres (issue 14): the CSV import through django-import-export,
checked row by row in French, on the académie's clocks, limited to the manager's académies."""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exams.models import EpreuveSitting
from exams.sittings.resources import EpreuveSittingResource, SpreadsheetCSV
from tests.factories import (
    AcademieFactory,
    EpreuveFactory,
    SessionFactory,
    SpecialtyFactory,
    StaffAssignmentFactory,
    open_specialty,
    paris,
)

pytestmark = pytest.mark.django_db

HEADER = "session;specialite;epreuve;date;debut;fin;centre;adresse;consignes"


@pytest.fixture
def catalogue():
    nm = AcademieFactory()
    session = SessionFactory(
        academie=nm,
        convocations_published_at=paris(2025, 4, 14, 9, 0),
        first_written_exam_at=paris(2025, 5, 12, 8, 0),
    )
    specialty = SpecialtyFactory()
    open_specialty(session, specialty)
    e1 = EpreuveFactory(specialty=specialty, code="E1", title="Culture générale et expression")
    e2 = EpreuveFactory(specialty=specialty, code="E2", title="Langue vivante")
    manager = StaffAssignmentFactory(academie=nm, role="manager").user
    martinique = AcademieFactory(code="martinique", name="Martinique", time_zone="America/Martinique")
    other = SessionFactory(
        academie=martinique,
        convocations_published_at=paris(2025, 4, 14, 9, 0),
        first_written_exam_at=paris(2025, 5, 12, 8, 0),
    )
    open_specialty(other, specialty)
    return {
        "session": session,
        "specialty": specialty,
        "e1": e1,
        "e2": e2,
        "manager": manager,
        "other": other,
    }


def _csv(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def _import(text: str, user, *, dry_run: bool = False):
    dataset = SpreadsheetCSV(encoding="utf-8").create_dataset(text.encode())
    return EpreuveSittingResource(user=user).import_data(
        dataset, dry_run=dry_run, raise_errors=False, rollback_on_validation_errors=True
    )


def _row_errors(result) -> list[list[str]]:
    return [row.error.messages for row in result.invalid_rows]


def test_a_good_file_creates_each_sitting_on_the_academie_clock(catalogue):
    s, spec = catalogue["session"].code, catalogue["specialty"].code
    result = _import(
        _csv(
            f'{s};{spec};E1;12/05/2025;08:00;12:00;Lycée Loritz;"29 rue des Jardiniers\n54000 Nancy";',
            f'{s};{spec};e2;2025-05-13;14h00;16h00;Lycée Loritz;29 rue des Jardiniers, 54000 Nancy;"Dictionnaire interdit"',
        ),
        catalogue["manager"],
    )
    assert not result.has_validation_errors() and not result.has_errors()
    assert result.totals["new"] == 2
    e1 = EpreuveSitting.objects.get(epreuve=catalogue["e1"])
    assert e1.starts_at == paris(2025, 5, 12, 8, 0) and e1.ends_at == paris(2025, 5, 12, 12, 0)
    assert e1.centre_name == "Lycée Loritz"
    e2 = EpreuveSitting.objects.get(epreuve=catalogue["e2"])
    assert e2.starts_at == paris(2025, 5, 13, 14, 0) and e2.instructions == "Dictionnaire interdit"


def test_importing_again_updates_rather_than_duplicates(catalogue):
    s, spec = catalogue["session"].code, catalogue["specialty"].code
    _import(_csv(f"{s};{spec};E1;12/05/2025;08:00;12:00;Lycée Loritz;Nancy;"), catalogue["manager"])
    result = _import(
        _csv(f"{s};{spec};E1;12/05/2025;09:00;13:00;Lycée Poincaré;Nancy;"), catalogue["manager"]
    )
    assert result.totals["update"] == 1
    sitting = EpreuveSitting.objects.get()
    assert sitting.centre_name == "Lycée Poincaré" and sitting.starts_at == paris(2025, 5, 12, 9, 0)


def test_times_of_a_martinique_session_are_martinique_times(catalogue):
    superuser = type(catalogue["manager"]).objects.create_superuser("admin@example.org", "x")
    other, spec = catalogue["other"].code, catalogue["specialty"].code
    _import(_csv(f"{other};{spec};E1;12/05/2025;08:00;12:00;Lycée Schoelcher;Fort-de-France;"), superuser)
    sitting = EpreuveSitting.objects.get()
    assert sitting.starts_at == dt.datetime(2025, 5, 12, 12, 0, tzinfo=dt.UTC)  # 08:00 at UTC-4


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{s};inconnue;E1;12/05/2025;08:00;12:00;Lycée;Nancy;", "Spécialité « inconnue » inconnue."),
        ("{s};{spec};E9;12/05/2025;08:00;12:00;Lycée;Nancy;", "Épreuve « E9 » inconnue dans la spécialité"),
        ("{s};{spec};E1;32/05/2025;08:00;12:00;Lycée;Nancy;", "Date « 32/05/2025 » illisible"),
        ("{s};{spec};E1;12/05/2025;8 heures;12:00;Lycée;Nancy;", "Heure de début « 8 heures » illisible"),
        ("{s};{spec};E1;12/05/2025;08:00;12:00;;Nancy;", "Le centre d'examen manque"),
        ("{s};{spec};E1;12/05/2025;08:00;12:00;Lycée;;", "L'adresse du centre manque"),
        ("{s};{spec};E1;12/05/2024;08:00;12:00;Lycée;Nancy;", "est hors de la session 2025"),
        ("{s};{spec};E1;01/04/2025;08:00;12:00;Lycée;Nancy;", "après la mise à disposition des convocations"),
        # TLS, NT: two weeks between the convocations (14/04 09:00) and an épreuve: 28/04 09:00 at the earliest.
        ("{s};{spec};E1;28/04/2025;08:00;12:00;Lycée;Nancy;", "au plus tôt deux semaines après"),
        ("{s};{spec};E1;12/05/2025;12:00;08:00;Lycée;Nancy;", "La fin de l'épreuve doit suivre son début."),
        ("nulle-part;{spec};E1;12/05/2025;08:00;12:00;Lycée;Nancy;", "Session « nulle-part » inconnue"),
        ("{other};{spec};E1;12/05/2025;08:00;12:00;Lycée;Nancy;", "d'une académie que vous ne gérez pas"),
    ],
)
def test_each_bad_row_is_refused_with_its_french_reason(catalogue, line, expected):
    s, spec, other = catalogue["session"].code, catalogue["specialty"].code, catalogue["other"].code
    good = f"{s};{spec};E2;13/05/2025;14:00;16:00;Lycée;Nancy;"
    result = _import(_csv(good, line.format(s=s, spec=spec, other=other)), catalogue["manager"])
    errors = _row_errors(result)
    assert len(errors) == 1 and any(expected in message for message in errors[0]), errors
    assert result.invalid_rows[0].number == 2
    # The file is refused as a whole: nothing half-imported (django-import-export's transaction).
    assert not EpreuveSitting.objects.exists()


def test_every_problem_of_a_row_is_said_at_once(catalogue):
    result = _import(_csv("nulle-part;inconnue;E1;hier;midi;12:00;;;"), catalogue["manager"])
    (messages,) = _row_errors(result)
    assert len(messages) == 6  # session, specialty, date, start, centre, address


def test_an_epreuve_of_a_specialty_the_session_does_not_open_is_refused(catalogue):
    closed = SpecialtyFactory(code="ms", name="Maintenance des systèmes")
    EpreuveFactory(specialty=closed, code="E1")
    s = catalogue["session"].code
    result = _import(_csv(f"{s};ms;E1;12/05/2025;08:00;12:00;Lycée;Nancy;"), catalogue["manager"])
    (messages,) = _row_errors(result)
    assert "n'ouvre pas" in messages[0]


def test_a_comma_separated_file_is_read_too(catalogue):
    s, spec = catalogue["session"].code, catalogue["specialty"].code
    text = HEADER.replace(";", ",") + "\n" + f'{s},{spec},E1,12/05/2025,08:00,12:00,Lycée,"1 rue, Nancy",\n'
    result = _import(text, catalogue["manager"])
    assert result.totals["new"] == 1 and EpreuveSitting.objects.get().centre_address == "1 rue, Nancy"


def test_the_model_refuses_a_sitting_outside_the_session():
    session = SessionFactory(convocations_published_at=paris(2025, 4, 14, 9, 0))
    specialty = SpecialtyFactory()
    open_specialty(session, specialty)
    sitting = EpreuveSitting(
        session=session,
        epreuve=EpreuveFactory(specialty=specialty),
        starts_at=paris(2025, 4, 14, 9, 0),  # the publication minute itself: too early
        ends_at=paris(2025, 4, 14, 12, 0),
        centre_name="Lycée",
        centre_address="Nancy",
    )
    with pytest.raises(ValidationError) as excinfo:
        sitting.full_clean()
    assert "starts_at" in excinfo.value.message_dict


# --- through the admin (the manager's screen) ------------------------------------------------------
def test_the_manager_imports_through_the_admin_with_a_preview_then_a_confirmation(client, catalogue):
    client.force_login(catalogue["manager"])
    s, spec = catalogue["session"].code, catalogue["specialty"].code
    upload = SimpleUploadedFile(
        "dates.csv", _csv(f"{s};{spec};E1;12/05/2025;08:00;12:00;Lycée Loritz;Nancy;").encode(), "text/csv"
    )
    url = reverse("admin:exams_epreuvesitting_import")
    preview = client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    assert preview.status_code == 200
    assert not EpreuveSitting.objects.exists()  # a preview writes nothing
    confirm = preview.context["confirm_form"]
    done = client.post(reverse("admin:exams_epreuvesitting_process_import"), confirm.initial)
    assert done.status_code == 302
    assert EpreuveSitting.objects.get().centre_name == "Lycée Loritz"


def test_the_admin_preview_lists_the_bad_rows_in_french(client, catalogue):
    client.force_login(catalogue["manager"])
    other, spec = catalogue["other"].code, catalogue["specialty"].code
    upload = SimpleUploadedFile(
        "dates.csv", _csv(f"{other};{spec};E1;12/05/2025;08:00;12:00;Lycée;Nancy;").encode(), "text/csv"
    )
    page = client.post(
        reverse("admin:exams_epreuvesitting_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    assert "d&#x27;une académie que vous ne gérez pas" in page.content.decode()
    assert "confirm_form" not in page.context or page.context["confirm_form"] is None
    assert not EpreuveSitting.objects.exists()


def test_a_manager_sees_and_exports_only_the_sittings_of_their_academie(client, catalogue):
    own = EpreuveSitting.objects.create(
        session=catalogue["session"], epreuve=catalogue["e1"], starts_at=paris(2025, 5, 12, 8, 0),
        ends_at=paris(2025, 5, 12, 12, 0), centre_name="Lycée Loritz", centre_address="Nancy",
    )  # fmt: skip
    EpreuveSitting.objects.create(
        session=catalogue["other"], epreuve=catalogue["e1"], starts_at=paris(2025, 5, 12, 14, 0),
        ends_at=paris(2025, 5, 12, 18, 0), centre_name="Lycée Schoelcher", centre_address="Fort-de-France",
    )  # fmt: skip
    client.force_login(catalogue["manager"])
    listing = client.get(reverse("admin:exams_epreuvesitting_changelist")).content.decode()
    assert "Lycée Loritz" in listing and "Lycée Schoelcher" not in listing
    other = EpreuveSitting.objects.exclude(pk=own.pk).get()
    assert client.get(reverse("admin:exams_epreuvesitting_change", args=[other.pk])).status_code == 302
    export = client.post(
        reverse("admin:exams_epreuvesitting_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"epreuvesittingresource_{c}": "on" for c in ("session", "epreuve", "date", "debut", "centre")
            },
        },
    )
    body = export.content.decode()
    assert "Lycée Loritz" in body and "Schoelcher" not in body and "12/05/2025" in body and "08:00" in body
    data = tablib.Dataset().load(body, format="csv")
    assert data.headers[:3] == ["session", "epreuve", "date"]


def test_a_gestionnaire_may_read_but_not_import(client, catalogue):
    gestionnaire = StaffAssignmentFactory(academie=catalogue["session"].academie, role="gestionnaire").user
    client.force_login(gestionnaire)
    assert client.get(reverse("admin:exams_epreuvesitting_changelist")).status_code == 200
    assert client.get(reverse("admin:exams_epreuvesitting_import")).status_code == 403


def test_the_change_form_types_times_on_the_academie_clock(client, catalogue):
    superuser = type(catalogue["manager"]).objects.create_superuser("admin@example.org", "x")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:exams_epreuvesitting_add"),
        {
            "session": catalogue["other"].pk,
            "epreuve": catalogue["e1"].pk,
            "starts_at_0": "12/05/2025",
            "starts_at_1": "08:00",
            "ends_at_0": "12/05/2025",
            "ends_at_1": "12:00",
            "centre_name": "Lycée Schoelcher",
            "centre_address": "Fort-de-France",
            "instructions": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert EpreuveSitting.objects.get().starts_at == dt.datetime(2025, 5, 12, 12, 0, tzinfo=dt.UTC)
