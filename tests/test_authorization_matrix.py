"""The authorization matrix (issue 12): every URL pattern of the resolver, the admin's included,
requested by everyone who must not see a candidate's data.

The world: a candidate (the owner) of académie A with a dossier of specialty S, its pieces, files,
recap, messages and e-mails; A's catalogue (session, départements, piece rules, staff). The
visitors: anonymous, another candidate, a gestionnaire of A for another specialty, a gestionnaire of
another académie for the same specialty, the academy manager of another académie.

URLs are built from the resolver, not listed by hand: a new view or a newly registered admin model
enters the matrix by itself; a URL parameter the matrix cannot fill fails the test and names itself.
For every URL naming someone else's object: never a 200 (GET or POST), never a 5xx. For every other
URL (lists, searches, autocompletes, forms): never a 5xx, and the owner's name, e-mail and dossier
number never appear in the page. Legitimate staff and the owner get 200s (the matrix is not empty).

Run it alone: `.venv/bin/pytest tests/test_authorization_matrix.py -q` (docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from candidates.messaging.models import DossierMessage
from candidates.models import Dossier, DossierEpreuve, PrivacyRequest, Profile
from candidates.registration.selectors import TAB_SLUGS
from documents.models import GeneratedDocument, PieceRule, PieceUpload, StaffDocument
from exams.models import Departement, EpreuveSitting, Session, StaffAssignment
from notifications.models import Message, OutgoingEmail, ReminderSent
from tests.factories import (
    AcademieFactory,
    DepartementFactory,
    DossierFactory,
    EpreuveFactory,
    PieceFactory,
    PieceFileFactory,
    ProfileFactory,
    SessionFactory,
    SpecialtyFactory,
    StaffAssignmentFactory,
    UserFactory,
    open_specialty,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

OWNER_EMAIL = "proprietaire.matrice@example.org"
OWNER_NAME = "ZYGOMATIQUE"
DOSSIER_NUMBER = "2027-MATRICE-424242"
MARKERS = [OWNER_EMAIL, OWNER_NAME, DOSSIER_NUMBER]
ATTACKERS = [
    "anonymous",
    "other_candidate",
    "gest_other_specialty",
    "gest_other_academie",
    "manager_other_academie",
]
# Visitors of académie A may see A's catalogue (not its candidates).
SAME_ACADEMIE = {"gest_other_specialty"}
# National tables every staff member may read; their writes are tested apart (test_specialty_*).
NATIONAL = {"exams.exam", "exams.language", "exams.specialty", "exams.specialtyoption", "exams.epreuve"}


@dataclass
class World:
    users: dict
    # "app_label.model" -> [(pk, scope)], scope "candidate" (the owner's) or "academie" (A's).
    protected: dict[str, list[tuple[object, str]]] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)

    def protect(self, obj, scope: str) -> None:
        self.protected.setdefault(obj._meta.label_lower, []).append((obj.pk, scope))


def build_world() -> World:
    a = AcademieFactory(code="matrice-a", name="Académie A", contact_email="bureau@ac-a.fr")
    b = AcademieFactory(code="matrice-b", name="Académie B")
    session_a, session_b = SessionFactory(academie=a), SessionFactory(academie=b)
    s = SpecialtyFactory(code="matrice-s", name="Spécialité S")
    t = SpecialtyFactory(code="matrice-t", name="Spécialité T")
    # What A decides about S (its gestionnaire's contact, R408) is A's session's, not national (issue 13).
    opening = open_specialty(session_a, s, gestionnaire_email="bureau.s@ac-a.fr")
    open_specialty(session_a, t)
    open_specialty(session_b, s)
    epreuve = EpreuveFactory(specialty=s)

    owner = ProfileFactory(
        user=UserFactory(email=OWNER_EMAIL), birth_name=OWNER_NAME, departement=DepartementFactory(academie=a)
    ).user
    dossier = DossierFactory(candidate=owner, session=session_a, specialty=s, state="submitted",
                             number=DOSSIER_NUMBER, birth_name=OWNER_NAME)  # fmt: skip
    DossierEpreuve.objects.create(dossier=dossier, epreuve=epreuve, choice="taken")
    piece = PieceFactory(dossier=dossier)
    piece_file = PieceFileFactory(piece=piece)
    recap = GeneratedDocument.objects.create(
        dossier=dossier, kind="recap", version=1, choices_version=1, status="ready",
        file=ContentFile(b"%PDF-1.4 recap", name="recap.pdf"),
    )  # fmt: skip
    message = Message.objects.create(recipient=owner, kind="test", subject=f"Dossier {DOSSIER_NUMBER}", body="…",
                                     dossier=dossier)  # fmt: skip
    email = OutgoingEmail.objects.create(message=message, kind="test", to=OWNER_EMAIL,
                                         subject=f"Dossier {DOSSIER_NUMBER}", text_body=OWNER_NAME)  # fmt: skip
    reminder = ReminderSent.objects.create(dossier=dossier, kind="test", key="J-7")
    rule = PieceRule.objects.create(session=session_a, code="identity", reason="pour la matrice")
    # issue 14: a sitting of A's session (the convocations' dates and centres are A's).
    sitting = EpreuveSitting.objects.create(
        session=session_a, epreuve=epreuve, starts_at=timezone.now() + dt.timedelta(days=30),
        ends_at=timezone.now() + dt.timedelta(days=30, hours=4), centre_name="Centre de la matrice",
        centre_address="1 rue de la matrice",
    )  # fmt: skip
    thread_message = DossierMessage.objects.create(
        dossier=dossier, author=owner, body=f"Question de {OWNER_NAME}", attachment_name="question.pdf",
        attachment_type="application/pdf", attachment=ContentFile(b"%PDF-1.4 question", name="q.pdf"),
        attachment_status="accepted",
    )  # fmt: skip
    # issue 14: a decision the bureau posted to the owner's dossier.
    staff_document = StaffDocument.objects.create(
        dossier=dossier, kind="accommodation", original_name="amenagement.pdf", content_type="application/pdf",
        size=17, sha256="0" * 64, file=ContentFile(b"%PDF-1.4 decision", name="d.pdf"),
    )  # fmt: skip
    # issue 12: an upload in quarantine and a ready data export of the owner.
    piece_upload = PieceUpload.objects.create(dossier=dossier, code="identity", uploaded_by=owner,
                                              received_at=timezone.now(), last_error=OWNER_NAME)  # fmt: skip
    export = PrivacyRequest.objects.create(user=owner, kind="export", status="ready",
                                           file=ContentFile(b"PK\x05\x06" + b"\0" * 18, name="x.zip"))  # fmt: skip

    other = ProfileFactory(user=UserFactory(email="autre.candidat@example.org")).user
    DossierFactory(
        candidate=other, session=session_a, specialty=t, state="submitted", number="2027-MATRICE-000001"
    )
    legit = StaffAssignmentFactory(user=UserFactory(email="gest.s@ac-a.fr"), academie=a, specialties=[s])
    users = {
        "anonymous": None,
        "owner": owner,
        "other_candidate": other,
        "gest_other_specialty": StaffAssignmentFactory(
            user=UserFactory(email="gest.t@ac-a.fr"), academie=a, specialties=[t]
        ).user,
        "gest_other_academie": StaffAssignmentFactory(
            user=UserFactory(email="gest.s@ac-b.fr"), academie=b, specialties=[s]
        ).user,
        "manager_other_academie": StaffAssignmentFactory(
            user=UserFactory(email="resp@ac-b.fr"), academie=b, role="manager"
        ).user,
        "legit_gestionnaire": legit.user,
        "legit_manager": StaffAssignmentFactory(
            user=UserFactory(email="resp@ac-a.fr"), academie=a, role="manager"
        ).user,
    }
    world = World(users=users)
    for obj in [owner, Profile.objects.get(user=owner), dossier, dossier.epreuve_choices.get(), piece, piece_file, recap,
                message, email, reminder, piece_upload, export, thread_message, staff_document]:  # fmt: skip
        world.protect(obj, "candidate")
    for obj in [a, *Departement.objects.filter(academie=a), session_a, legit, rule, s, opening, sitting]:
        world.protect(obj, "academie")
    world.values = {"dossier": dossier, "piece": piece, "piece_file": piece_file, "recap": recap, "message": message,
                    "session_b": session_b, "export": export, "thread_message": thread_message,
                    "staff_document": staff_document}  # fmt: skip
    return world


# --- URLs from the resolver -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    url: str
    name: str
    owner_scope: str | None  # "candidate" / "academie" when the URL names a protected object


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name or ""


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _admin_model(route: str) -> str | None:
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _fill(route: str, world: World) -> list[Target]:
    """Concrete URLs for one route: one per protected object it can name, else one harmless one."""
    v = world.values
    model = _admin_model(route)
    params = [m.group(2) or m.group(3) for m in _PARAM.finditer(route)]
    owner_params = {
        "dossier_id": (v["dossier"].pk, "candidate"),
        "piece_id": (v["piece"].pk, "candidate"),
        "file_uuid": (v["piece_file"].uuid, "candidate"),
        "document_id": (v["recap"].pk, "candidate"),
        "request_uuid": (v["export"].uuid, "candidate"),
        "uuid": (v["thread_message"].uuid, "candidate"),
        "document_uuid": (v["staff_document"].uuid, "candidate"),
        "content_type_id": (ContentType.objects.get_for_model(Dossier).pk, "candidate"),
    }
    harmless = {
        "uidb64": "MQ", "token": "lien-invalide", "fmt": "csv", "name": "export-inexistant.csv", "action": "accept",
        "code": "identity", "tab": TAB_SLUGS[0], "app_label": "candidates", "url": "inexistant/",
    }  # fmt: skip

    def build(values: dict) -> str:
        def sub(match):
            return str(values[match.group(2) or match.group(3)])

        url = "/" + _PARAM.sub(sub, route)
        return url.replace("^", "").replace("$", "").replace("\\", "")

    if "object_id" in params or "id" in params:
        key = "object_id" if "object_id" in params else "id"
        objects = world.protected.get(model or "", [])
        if route.startswith("admin/r/"):
            objects = [(v["dossier"].pk, "candidate")]
        if not objects:
            # A model holding nothing of anyone (celery schedules, axes, groups): any object, for the 5xx check.
            return [Target(build({**harmless, **{p: 1 for p in params}}), route, None)]
        targets = []
        for pk, scope in objects:
            values = {**harmless, key: pk, **{p: owner_params[p][0] for p in params if p in owner_params}}
            targets.append(Target(build(values), route, None if model in NATIONAL else scope))
        return targets
    values, scope = dict(harmless), None
    for param in params:
        if param in owner_params:
            values[param], scope = owner_params[param]
        elif param == "pk":
            # The candidate side names dossiers (the wizard) and messages (the inbox) by pk.
            values[param] = v["message"].pk if route.startswith("mes-messages/") else v["dossier"].pk
            scope = "candidate"
        elif param not in harmless:
            pytest.fail(
                f"the matrix cannot fill <{param}> of {route}: add it to tests/test_authorization_matrix.py"
            )
    return [Target(build(values), route, scope)]


def all_targets(world: World) -> list[Target]:
    targets = []
    for route, _name in _routes(get_resolver().url_patterns):
        targets.extend(_fill(route, world))
    # Lists searched for the owner, and every autocomplete of the admin asked for them.
    for model, model_admin in admin.site._registry.items():
        info = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        targets.append(Target(f"{info}?q={OWNER_NAME}", "changelist search", None))
        targets.append(Target(f"{info}?q={OWNER_EMAIL}", "changelist search", None))
        for field_name in model_admin.autocomplete_fields:
            query = f"app_label={model._meta.app_label}&model_name={model._meta.model_name}&field_name={field_name}"
            for term in ("matrice", OWNER_NAME, "example.org"):
                targets.append(Target(f"/admin/autocomplete/?{query}&term={term}", "autocomplete", None))
    return targets


def _client(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _concerns(target: Target, role: str) -> bool:
    return target.owner_scope == "candidate" or (
        target.owner_scope == "academie" and role not in SAME_ACADEMIE
    )


@pytest.mark.xdist_per_param  # a minute or more per role: make test runs the roles side by side
@pytest.mark.parametrize("role", ATTACKERS)
def test_nobody_else_gets_the_owners_objects_or_a_server_error(role, settings):
    settings.AXES_ENABLED = False
    world = build_world()
    targets = all_targets(world)
    client = _client(world, role)
    problems = []
    for target in targets:
        for method in ("get", "post"):
            response = getattr(client, method)(target.url)
            if world.users[role] is not None and "_auth_user_id" not in client.session:
                # A logout (the portal's or the admin's): the rest of the run must stay logged in.
                client.force_login(world.users[role])
            status = response.status_code
            if status >= 500 and not (target.url == "/sante/" and status == 503):
                # /sante/ answers 503 by design when a service is down (no worker in this test).
                problems.append(f"{method.upper()} {target.url} → {status}")
            elif _concerns(target, role) and status == 200:
                problems.append(f"{method.upper()} {target.url} → 200 for {role} ({target.owner_scope})")
            elif target.owner_scope is None and status == 200 and method == "get":
                page = response.content.decode(errors="ignore")
                # A search page repeats its own term in the search box: look for the other markers.
                leaked = [m for m in MARKERS if m in page and m not in target.url]
                if leaked:
                    problems.append(f"GET {target.url} shows {leaked} to {role}")
    assert problems == [], "\n".join(problems)
    # Nothing was changed or deleted by those POSTs.
    dossier = world.values["dossier"]
    dossier.refresh_from_db()
    assert dossier.state == "submitted" and dossier.candidate.email == OWNER_EMAIL
    for label, objects in world.protected.items():
        model = dossier._meta.apps.get_model(label)
        assert model.objects.filter(pk__in=[pk for pk, _ in objects]).count() == len(objects), label


def test_the_matrix_reaches_every_admin_model_and_the_candidate_pages():
    world = build_world()
    targets = all_targets(world)
    urls = {t.url for t in targets}
    for model in admin.site._registry:
        assert any(u.startswith(f"/admin/{model._meta.app_label}/{model._meta.model_name}/") for u in urls), (
            model
        )
    assert sum(1 for t in targets if t.owner_scope) >= 40


@pytest.mark.parametrize(
    "role, prefix",
    [("owner", "/inscription/"), ("owner", "/mes-justificatifs/"), ("owner", "/mes-messages/"),
     ("legit_gestionnaire", "/admin/candidates/dossier/"), ("legit_manager", "/admin/candidates/user/"),
     ("legit_manager", "/admin/exams/session/")],
)  # fmt: skip
def test_the_rightful_people_get_those_pages(role, prefix):
    world = build_world()
    client = _client(world, role)
    candidates = [t for t in all_targets(world) if t.owner_scope and t.url.startswith(prefix)]
    ok = [t.url for t in candidates if client.get(t.url).status_code == 200]
    assert ok, f"{role} got no 200 under {prefix}: the matrix would prove nothing"


def test_a_manager_cannot_edit_another_academies_specialty():
    world = build_world()
    client = _client(world, "manager_other_academie")
    specialty = world.values["dossier"].specialty
    url = f"/admin/exams/specialty/{specialty.pk}/change/"
    assert client.get(url).status_code == 200  # national referential: readable
    response = client.post(
        url, {"name": "Renommée", "code": specialty.code, "contact_email": "pirate@ac-b.fr"}
    )
    assert response.status_code == 403
    specialty.refresh_from_db()
    assert specialty.name == "Spécialité S"
    assert client.post(f"/admin/exams/specialty/{specialty.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_assignment_picker_offers_staff_of_the_academie_and_unassigned_staff_only():
    world = build_world()
    newcomer = UserFactory(email="nouveau.gest@ac-b.fr", is_staff=True)
    client = _client(world, "manager_other_academie")
    query = "app_label=exams&model_name=staffassignment&field_name=user"
    found = {r["text"] for r in client.get(f"/admin/autocomplete/?{query}&term=").json()["results"]}
    assert "nouveau.gest@ac-b.fr" in found and "gest.s@ac-b.fr" in found
    assert not {OWNER_EMAIL, "autre.candidat@example.org", "gest.s@ac-a.fr", "resp@ac-a.fr"} & found
    # And a POST cannot name a candidate the picker would not offer.
    response = client.post("/admin/exams/staffassignment/add/", {
        "user": world.users["owner"].pk, "academie": StaffAssignment.objects.get(user=world.users["manager_other_academie"]).academie_id,
        "role": "gestionnaire",
    })  # fmt: skip
    assert response.status_code == 200 and response.context["adminform"].form.errors.get("user")
    assert not StaffAssignment.objects.filter(user=world.users["owner"]).exists()
    assert newcomer.pk


def test_the_user_list_of_a_manager_holds_their_academies_people_only():
    world = build_world()
    page = _client(world, "legit_manager").get("/admin/candidates/user/").content.decode()
    assert OWNER_EMAIL in page and "gest.s@ac-a.fr" in page
    assert "resp@ac-b.fr" not in page and "gest.s@ac-b.fr" not in page
    page = _client(world, "manager_other_academie").get("/admin/candidates/user/").content.decode()
    assert OWNER_EMAIL not in page and "autre.candidat@example.org" not in page


def test_sessions_of_the_other_academie_are_not_offered(settings):
    world = build_world()
    page = _client(world, "legit_manager").get("/admin/exams/session/").content.decode()
    assert f"/admin/exams/session/{world.values['session_b'].pk}/change/" not in page
    assert Session.objects.count() >= 2 and dt.date.today()
