"""Load the demo catalogue and demo accounts (``manage.py seed_demo``).

The data lives in :mod:`exams.demo_catalogue`; this module only writes it, idempotently: every row is
found by a stable code (``update_or_create`` / ``get_or_create``), so a second run changes no count.

Sources: the five notices of ``/work/shared/seeds`` — Clermont-Ferrand BTS 2024 (000), Toulouse BTS
2024 (001, annex 3 for the gestionnaires' phones), Nancy-Metz BTS 2025 (002), Aix-Marseille BTS 2023
(003), Nantes BTS 2024 (004) — as distilled in docs/domain.md §2, §4 and §6.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from exams import demo_catalogue as data
from exams.catalogue import session_apply_notice
from exams.deadlines import deadline_from_notice, end_of_day
from exams.models import (
    Academie,
    Departement,
    Epreuve,
    Exam,
    Language,
    Session,
    Specialty,
    SpecialtyOption,
    StaffRole,
)
from exams.staff import staff_assign

EPREUVE_FLAGS = (
    "is_unit",
    "is_professional",
    "is_optional",
    "is_language",
    "is_general_culture",
    "is_student_engagement",
    "needs_dossier",
    "control_allowed",
    "dispensable",
)


@dataclass
class DemoAccount:
    email: str
    role: str


@dataclass
class DemoAccounts:
    password: str
    accounts: list[DemoAccount] = field(default_factory=list)


def next_session_year(now: dt.datetime) -> int:
    """Registration opens in the autumn for the next spring's session (all notices)."""
    return now.year + 1 if now.month >= 9 else now.year


def _at(academie: Academie, value: tuple[int, ...] | str | None) -> dt.datetime | None:
    """A naive ``(y, m, d, h, min)`` wall-clock tuple of the académie, or a notice's wording of a
    deadline («à minuit», «à 17h»), as an aware instant."""
    if isinstance(value, str):
        return deadline_from_notice(value, academie.tzinfo)
    return academie.make_aware(dt.datetime(*value)) if value else None


def _local(academie: Academie, day: dt.date, hour_minute: tuple[int, int]) -> dt.datetime:
    return academie.make_aware(dt.datetime.combine(day, dt.time(*hour_minute)))


def _save_session(academie: Academie, exam: Exam, code: str, year: int, fields: dict) -> Session:
    """Validate the calendar (``Session.clean`` ordering rules) before writing it."""
    session = Session.objects.filter(code=code).first() or Session(code=code)
    session.academie, session.exam, session.year = academie, exam, year
    session.name = f"BTS session {year} – {academie.name}"
    for name, value in fields.items():
        setattr(session, name, value)
    session.full_clean()
    session.save()
    languages = data.OPTIONAL_LANGUAGES_BY_ACADEMIE.get(academie.code, data.DEFAULT_OPTIONAL_LANGUAGES)
    session.optional_languages.set(Language.objects.filter(code__in=languages))
    return session


def _notice_session_fields(academie: Academie, spec: dict) -> dict:
    names = (
        "registration_opens_at",
        "registration_closes_at",
        "pieces_deadline",
        "late_pieces_deadline",
        "incompleteness_notice_by",
        "review_deadline",
        "handicap_request_deadline",
        "convocations_published_at",
        "first_written_exam_at",
    )
    fields = {name: _at(academie, spec.get(name)) for name in names}
    fields["handicap_request_url"] = spec.get("handicap_request_url", "")
    return fields


def _open_session_fields(academie: Academie, year: int, now: dt.datetime) -> dict:
    """A calendar open at ``now``: from ``now - 10 days`` 09:00 to ``now + 20 days`` 17:00, local."""
    rule = data.OPEN_SESSION
    today = academie.localtime(now).date()
    closes_day = today + dt.timedelta(days=rule["closes_days_after"])
    closes = _local(academie, closes_day, rule["closes_at"])

    def after_closing(days: int) -> dt.datetime:
        # «le <jour> à minuit»: the whole day is accepted (exams.deadlines).
        return end_of_day(closes_day + dt.timedelta(days=days), academie.tzinfo)

    review = after_closing(rule["review_days_after_closing"])
    month, day, hour, minute = rule["convocations"]
    convocations = academie.make_aware(dt.datetime(year, month, day, hour, minute))
    if convocations <= review:
        convocations = review + dt.timedelta(days=rule["convocations_min_days_after_review"])
    return {
        "registration_opens_at": _local(
            academie, today - dt.timedelta(days=rule["opens_days_before"]), rule["opens_at"]
        ),
        "registration_closes_at": closes,
        "pieces_deadline": after_closing(rule["pieces_days_after_closing"]),
        "late_pieces_deadline": after_closing(rule["late_pieces_days_after_closing"]),
        "incompleteness_notice_by": after_closing(rule["incompleteness_days_after_closing"]),
        "review_deadline": review,
        "handicap_request_deadline": closes,
        "handicap_request_url": "",
        "convocations_published_at": convocations,
        "first_written_exam_at": convocations
        + dt.timedelta(days=rule["first_written_exam_days_after_convocations"]),
    }


def _seed_specialty(exam: Exam, spec: dict) -> Specialty:
    specialty, _ = Specialty.objects.update_or_create(
        code=spec["code"],
        defaults={
            "name": spec["name"],
            "abbreviation": spec["abbreviation"],
            "exam": exam,
        },
    )
    options = {
        code: SpecialtyOption.objects.update_or_create(
            specialty=specialty, code=code, defaults={"name": name}
        )[0]
        for code, name in spec["options"]
    }
    epreuves: dict[str, Epreuve] = {}
    # Maîtresses come before their sous-épreuves in the data, so a parent is always saved first.
    for item in spec["epreuves"]:
        defaults = {
            "unit_code": item.get("unit_code", ""),
            "title": item["title"],
            "coefficient": Decimal(item["coefficient"]),
            "order": item["order"],
            "parent": epreuves[item["parent"]] if item.get("parent") else None,
            "option": options[item["option"]] if item.get("option") else None,
            **{flag: item.get(flag, flag == "is_unit") for flag in EPREUVE_FLAGS},
        }
        epreuve = Epreuve.objects.filter(specialty=specialty, code=item["code"]).first() or Epreuve(
            specialty=specialty, code=item["code"]
        )
        for name, value in defaults.items():
            setattr(epreuve, name, value)
        epreuve.full_clean()
        epreuve.save()
        epreuves[item["code"]] = epreuve
    return specialty


@transaction.atomic
def seed_catalogue(*, now: dt.datetime) -> None:
    """Load the BTS catalogue of the notices (CF 000, TLS 001, NM 002, AM 003, NT 004), idempotently.

    - the exam, the languages, the six académies (the five of the notices plus Martinique) with
      their départements (domain.md §2);
    - the session of each notice with its calendar to the minute, in the académie's time zone;
    - one session per académie open at ``now`` (re-running later moves its dates: expected);
    - the specialties with options and épreuve tree (national), then each session configured from
      its académie's notice (exams.catalogue_seeds: route rules, R408 list, aménagement channel),
      every specialty opened, Toulouse's with its gestionnaires (TLS annex 3).
    """
    exam, _ = Exam.objects.update_or_create(code=data.EXAM["code"], defaults={"name": data.EXAM["name"]})
    for code, name in data.LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name": name})

    academies: dict[str, Academie] = {}
    for spec in data.ACADEMIES:
        academie, _ = Academie.objects.update_or_create(
            code=spec["code"],
            defaults={
                key: spec[key]
                for key in ("name", "time_zone", "contact_email", "contact_phone", "address", "website")
            },
        )
        academies[academie.code] = academie
        for code, name in spec["departements"]:
            Departement.objects.update_or_create(code=code, defaults={"name": name, "academie": academie})

    # The national referential first: each session then opens its specialties.
    for spec in data.SPECIALTIES:
        _seed_specialty(exam, spec)
    toulouse_contacts = {
        spec["code"]: {key: spec[f"gestionnaire_{key}"] for key in ("name", "email", "phone")}
        for spec in data.SPECIALTIES
        if spec.get("gestionnaire_email")
    }

    def configure(session: Session) -> None:
        contacts = toulouse_contacts if session.academie.code == "toulouse" else None
        session_apply_notice(session=session, contacts=contacts)

    notice_years: dict[str, set[int]] = {}
    for spec in data.NOTICE_SESSIONS:
        academie = academies[spec["academie"]]
        code = f"{academie.code}-{exam.code}-{spec['year']}"
        configure(_save_session(academie, exam, code, spec["year"], _notice_session_fields(academie, spec)))
        notice_years.setdefault(academie.code, set()).add(spec["year"])

    for academie in academies.values():
        year = next_session_year(academie.localtime(now))
        # Never overwrite a notice's session (only possible when ``now`` is in the notices' years).
        while year in notice_years.get(academie.code, set()):
            year += 1
        code = f"{academie.code}-{exam.code}-{year}"
        fields = _open_session_fields(academie, year, now)
        overlapping = Session.objects.filter(
            academie=academie,
            exam=exam,
            registration_opens_at__lt=fields["registration_closes_at"],
            registration_closes_at__gt=fields["registration_opens_at"],
        ).exclude(code=code)
        if overlapping.exists():
            continue  # a notice's session takes registrations now (Session.clean refuses overlaps)
        session = _save_session(academie, exam, code, year, fields)
        configure(session)
        _seed_sittings(session)


def _seed_sittings(session: Session) -> None:
    """The dates and centre of every unit of the session's specialties (issue 14), so the
    convocations have something to print: from the first written épreuve, two a working day."""
    from exams.models import EpreuveSitting
    from exams.sittings.rules import sitting_problems

    centre = data.DEMO_CENTRES.get(session.academie.code)
    if centre is None or session.first_written_exam_at is None:
        return
    first_day = session.academie.localtime(session.first_written_exam_at).date()
    # One read of the session's sittings and one save per sitting (issue 18: the seed of the
    # journey test took up to a minute on a loaded machine, 8 queries a sitting through
    # full_clean). The model's own rule is the one asked (exams.sittings.rules); the specialty is
    # opened (the openings are what is walked) and the pair (session, épreuve) is unique by the
    # dict; the database still enforces both constraints.
    existing = {s.epreuve_id: s for s in EpreuveSitting.objects.filter(session=session)}
    for opening in session.openings.select_related("specialty"):
        units = Epreuve.objects.filter(specialty=opening.specialty, is_unit=True).order_by("order", "code")
        day, slot = first_day, 0
        for epreuve in units:
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            if day.year != session.year:
                break  # a demo calendar late in the year: the épreuves stay within the session's year
            start, end = data.DEMO_SITTING_SLOTS[slot]
            sitting = existing.get(epreuve.pk) or EpreuveSitting(session=session, epreuve=epreuve)
            sitting.starts_at = _local(session.academie, day, start)
            sitting.ends_at = _local(session.academie, day, end)
            sitting.centre_name, sitting.centre_address = centre
            problems = sitting_problems(
                session=session, specialty_opened=True, starts_at=sitting.starts_at, ends_at=sitting.ends_at
            )
            if problems:
                raise ValidationError(problems)
            sitting.save()
            slot = (slot + 1) % len(data.DEMO_SITTING_SLOTS)
            if slot == 0:
                day += dt.timedelta(days=1)


def _demo_user(email: str, *, now: dt.datetime, is_staff: bool = False, is_superuser: bool = False):
    """Create or reset a demo account: active, e-mail verified, password ``DEMO_PASSWORD``."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email, data.DEMO_PASSWORD, is_staff=is_staff, is_superuser=is_superuser
        )
    else:
        user.set_password(data.DEMO_PASSWORD)
    user.is_active, user.is_staff, user.is_superuser = True, is_staff, is_superuser
    user.email_verified_at = user.email_verified_at or now
    user.save()
    return user


@transaction.atomic
def seed_demo_accounts(*, now: dt.datetime | None = None) -> DemoAccounts:
    """Create (or reset) the demo logins, all with the password ``demo-Examens-2026``.

    An admin superuser, an academy manager of Nancy-Metz (NM), one gestionnaire per académie assigned
    to every specialty (TLS annex 3: a gestionnaire reviews the specialties assigned to them), and a
    candidate living in Nancy with a complete profile (CF, NT: identity; CF: the three consents).
    exams.staff.staff_assign puts each staff user in the role's group. Run
    :func:`seed_catalogue` first.
    """
    from candidates.models import Profile

    now = now or timezone.now()
    result = DemoAccounts(password=data.DEMO_PASSWORD)

    _demo_user(data.ADMIN_EMAIL, now=now, is_staff=True, is_superuser=True)
    result.accounts.append(DemoAccount(data.ADMIN_EMAIL, "administrateur (superuser)"))

    manager_academie = Academie.objects.get(code=data.MANAGER["academie"])
    manager = _demo_user(data.MANAGER["email"], now=now, is_staff=True)
    staff_assign(user=manager, academie=manager_academie, role=StaffRole.MANAGER)
    result.accounts.append(DemoAccount(manager.email, f"responsable académique – {manager_academie.name}"))

    specialties = list(Specialty.objects.all())
    for academie in Academie.objects.order_by("code"):
        email = data.GESTIONNAIRE_EMAIL.format(academie=academie.code)
        user = _demo_user(email, now=now, is_staff=True)
        staff_assign(user=user, academie=academie, role=StaffRole.GESTIONNAIRE, specialties=specialties)
        result.accounts.append(DemoAccount(email, f"gestionnaire – {academie.name}"))

    candidate = _demo_user(data.CANDIDATE["email"], now=now)
    profile = dict(data.CANDIDATE["profile"])
    profile["birth_date"] = dt.date(*profile["birth_date"])
    profile["departement"] = Departement.objects.get(code=profile["departement"])
    Profile.objects.update_or_create(user=candidate, defaults=profile)
    result.accounts.append(DemoAccount(candidate.email, "candidat (profil complet)"))
    return result
