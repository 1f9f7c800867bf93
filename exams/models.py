"""The exam catalogue that academy managers configure: académies, sessions and their calendar,
specialties, épreuves, languages (domain.md §2)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .catalogue_cache import CatalogueVersioned

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]

departement_code_validator = RegexValidator(
    r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6]|98[4-9])$",
    _("Code de département invalide (ex. : 03, 2A, 972)."),
)


class Academie(CatalogueVersioned, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    time_zone = models.CharField(
        _("fuseau horaire"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default="Europe/Paris",
        help_text=_(
            "Les échéances s'entendent à l'heure locale de l'académie (ex. : 17:00 à Fort-de-France)."
        ),
    )
    contact_email = models.EmailField(_("courriel du bureau des examens"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.TextField(_("adresse postale"), blank=True)
    website = models.URLField(_("site académique"), blank=True)

    class Meta:
        verbose_name = _("académie")
        verbose_name_plural = _("académies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def localtime(self, value: dt.datetime) -> dt.datetime:
        """An instant seen on the académie's clocks."""
        return timezone.localtime(value, self.tzinfo)

    def make_aware(self, naive: dt.datetime) -> dt.datetime:
        """A wall-clock time of the académie (e.g. 17:00 in Martinique) as an aware instant."""
        return timezone.make_aware(naive, self.tzinfo)


class Departement(CatalogueVersioned, models.Model):
    """A département and the académie of residence it belongs to (CF, TLS: a candidate registers
    only in the académie of their residence)."""

    code = models.CharField(
        _("code"), max_length=3, primary_key=True, validators=[departement_code_validator]
    )
    name = models.CharField(_("nom"), max_length=80)
    academie = models.ForeignKey(
        Academie, on_delete=models.PROTECT, related_name="departements", verbose_name=_("académie")
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Exam(CatalogueVersioned, models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("nom"), max_length=120)

    class Meta:
        verbose_name = _("examen")
        verbose_name_plural = _("examens")

    def __str__(self) -> str:
        return self.name


class Language(CatalogueVersioned, models.Model):
    code = models.CharField(
        _("code ISO 639-1"), max_length=2, unique=True, validators=[RegexValidator(r"^[a-z]{2}$")]
    )
    name = models.CharField(_("nom"), max_length=60)

    class Meta:
        verbose_name = _("langue vivante")
        verbose_name_plural = _("langues vivantes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Route(models.TextChoices):
    """Routes open to an individual candidate (domain.md §3, NM). The catalogue says per session
    which routes are accepted and which may choose the forme progressive; the dossier records one."""

    DISTANCE_SCHOOL = "distance_school", _("Enseignement à distance, voie scolaire")
    DISTANCE_APPRENTICE = "distance_apprentice", _("Enseignement à distance, apprenti")
    DISTANCE_CONTINUING = "distance_continuing", _("Enseignement à distance, formation continue")
    FORMER_SCHOOL = "former_school", _("Ex-scolaire (refusé à une session précédente)")
    FORMER_APPRENTICE = "former_apprentice", _("Ex-apprenti")
    FORMER_CONTINUING = "former_continuing", _("Ex-formation continue")
    WORK_EXPERIENCE = "work_experience", _("Expérience professionnelle d'un an")


def _all_routes() -> list[str]:
    return list(Route.values)


def _nm_progressive_routes() -> list[str]:
    # The behaviour before routes became data (NM 002 l. 39), kept for a session created bare.
    return [r for r in Route.values if r not in ("former_school", "former_apprentice")]


def validate_route_list(value) -> None:
    if not isinstance(value, list) or any(code not in Route.values for code in value):
        raise ValidationError(
            _("Liste de catégories invalide : choisissez parmi %(codes)s."),
            params={"codes": ", ".join(Route.values)},
        )


class RegistrationState(models.TextChoices):
    NOT_OPEN = "not_open", _("pas encore ouverte")
    OPEN = "open", _("ouverte")
    CLOSED = "closed", _("close")


class PieceDeadlineKind(models.TextChoices):
    STANDARD = "standard", _("date limite des pièces")
    LATE = "late", _("date limite des pièces tardives")


class SessionQuerySet(models.QuerySet):
    def published(self) -> SessionQuerySet:
        return self.filter(is_published=True)

    def open_at(self, instant: dt.datetime) -> SessionQuerySet:
        return self.published().filter(registration_opens_at__lte=instant, registration_closes_at__gt=instant)


class Session(CatalogueVersioned, models.Model):
    """A session of an exam in an académie, with its calendar to the minute (domain.md §2).

    Every instant is stored aware (UTC in the database); the admin enters and shows them in the
    académie's time zone, so "17:00" in Martinique is Martinique's 17:00.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True, help_text=_("ex. : nancy-metz-bts-2025"))
    academie = models.ForeignKey(
        Academie, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("académie")
    )
    exam = models.ForeignKey(
        Exam, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("examen")
    )
    year = models.PositiveIntegerField(_("année de la session"), validators=[MinValueValidator(2000)])
    name = models.CharField(_("intitulé"), max_length=120, blank=True)
    is_published = models.BooleanField(
        _("publiée"),
        default=True,
        help_text=_(
            "Une session non publiée n'apparaît pas au calendrier et n'ouvre pas les inscriptions : "
            "relisez-la avant de la publier."
        ),
    )
    previous_session = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_sessions",
        verbose_name=_("préparée à partir de"),
        editable=False,
    )

    registration_opens_at = models.DateTimeField(_("ouverture des inscriptions"))
    registration_closes_at = models.DateTimeField(_("clôture des inscriptions"))
    pieces_deadline = models.DateTimeField(_("date limite de dépôt des pièces"))
    late_pieces_deadline = models.DateTimeField(
        _("date limite des pièces tardives"),
        null=True,
        blank=True,
        help_text=_("Pour les pièces marquées « tardives » (ex. : attestations R408 à Nancy-Metz)."),
    )
    incompleteness_notice_by = models.DateTimeField(
        _("notification des dossiers incomplets au plus tard"), null=True, blank=True
    )
    review_deadline = models.DateTimeField(_("décisions de conformité au plus tard"), null=True, blank=True)
    handicap_request_deadline = models.DateTimeField(
        _("date limite des demandes d'aménagement"), null=True, blank=True
    )
    handicap_request_url = models.URLField(
        _("portail externe des demandes d'aménagement"), blank=True, help_text=_("ex. : Incluscol, AMEX")
    )
    handicap_request_channel = models.TextField(
        _("comment demander un aménagement"),
        blank=True,
        help_text=_("Texte montré au candidat (ex. : « par voie postale uniquement »)."),
    )
    handicap_request_address = models.TextField(_("adresse postale des demandes d'aménagement"), blank=True)
    convocations_published_at = models.DateTimeField(
        _("mise à disposition des convocations"), null=True, blank=True
    )
    first_written_exam_at = models.DateTimeField(_("première épreuve écrite"), null=True, blank=True)

    optional_languages = models.ManyToManyField(
        Language,
        blank=True,
        related_name="optional_in_sessions",
        verbose_name=_("langues vivantes facultatives ouvertes"),
        help_text=_("La langue facultative se choisit uniquement dans cette liste (CF)."),
    )

    mandatory_languages = models.ManyToManyField(
        Language,
        blank=True,
        related_name="mandatory_in_sessions",
        verbose_name=_("langues vivantes obligatoires proposées"),
        help_text=_(
            "La liste proposée au candidat ; vide : toutes les langues. Une autre langue reste "
            "toujours possible en saisie libre (CF : langue non enseignée dans l'académie)."
        ),
    )
    specialties = models.ManyToManyField(
        "Specialty",
        through="SessionSpecialty",
        related_name="sessions",
        verbose_name=_("spécialités ouvertes"),
    )

    # Route rules (domain.md §3): who may register, who may choose the forme progressive.
    accepted_categories = models.JSONField(
        _("catégories acceptées"),
        default=_all_routes,
        blank=True,
        validators=[validate_route_list],
        help_text=_("Les voies de préparation admises à cette session."),
    )
    progressive_categories = models.JSONField(
        _("catégories qui peuvent choisir la forme progressive"),
        default=_nm_progressive_routes,
        blank=True,
        validators=[validate_route_list],
        help_text=_("Les autres se présentent en forme globale (TLS, CF, NM diffèrent)."),
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["academie__name", "-year", "registration_opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registration_opens_at__lt=models.F("registration_closes_at")),
                name="session_opens_before_closing",
            ),
        ]
        indexes = [models.Index(fields=["registration_opens_at", "registration_closes_at"])]

    def __str__(self) -> str:
        return self.name or f"{self.exam.name} session {self.year} – {self.academie.name}"

    # --- calendar validation --------------------------------------------------------------------
    # (field, later field, message): each pair must be in order.
    ORDER_RULES = [
        (
            "registration_opens_at",
            "registration_closes_at",
            _("La clôture doit suivre l'ouverture des inscriptions."),
        ),
        (
            "registration_closes_at",
            "pieces_deadline",
            _("La date limite des pièces ne peut précéder la clôture des inscriptions."),
        ),
        (
            "pieces_deadline",
            "late_pieces_deadline",
            _("La date des pièces tardives ne peut précéder celle des pièces."),
        ),
        (
            "pieces_deadline",
            "incompleteness_notice_by",
            _("Les dossiers incomplets se notifient après la date limite des pièces."),
        ),
        (
            "pieces_deadline",
            "review_deadline",
            _("Les décisions se prennent après la date limite des pièces."),
        ),
        (
            "registration_opens_at",
            "handicap_request_deadline",
            _("La date limite d'aménagement ne peut précéder l'ouverture."),
        ),
        (
            "review_deadline",
            "convocations_published_at",
            _("Les convocations se publient après les décisions."),
        ),
        (
            "convocations_published_at",
            "first_written_exam_at",
            _("Les convocations se publient avant les épreuves."),
        ),
    ]

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self._clean_overlap(errors)
        for code in self.progressive_categories or ():
            if self.accepted_categories is not None and code not in self.accepted_categories:
                errors.setdefault("progressive_categories", []).append(
                    _("« %(code)s » peut choisir la forme progressive mais n'est pas une catégorie acceptée.")
                    % {"code": Route(code).label if code in Route.values else code}
                )
        for earlier, later, message in self.ORDER_RULES:
            a, b = getattr(self, earlier), getattr(self, later)
            if a and b and not a < b and not (a == b and earlier == "registration_closes_at"):
                errors.setdefault(later, []).append(message)
        if self.convocations_published_at and self.first_written_exam_at:
            # TLS, NT: convocations available at least two weeks before the first written épreuve.
            if self.first_written_exam_at - self.convocations_published_at < dt.timedelta(days=14):
                errors.setdefault("convocations_published_at", []).append(
                    _(
                        "Les convocations doivent être disponibles au moins deux semaines avant la première épreuve."
                    )
                )
        if errors:
            raise ValidationError(errors)

    def _clean_overlap(self, errors: dict[str, list]) -> None:
        """One session per académie, exam and year, and two sessions of an académie never take
        registrations at the same time (a candidate would not know which one is theirs)."""
        if not (self.academie_id and self.exam_id):
            return
        others = Session.objects.filter(academie_id=self.academie_id, exam_id=self.exam_id).exclude(
            pk=self.pk
        )
        if self.year and others.filter(year=self.year).exists():
            errors.setdefault("year", []).append(
                _("Cette académie a déjà une session %(year)s de cet examen.") % {"year": self.year}
            )
        if self.registration_opens_at and self.registration_closes_at:
            clash = others.filter(
                registration_opens_at__lt=self.registration_closes_at,
                registration_closes_at__gt=self.registration_opens_at,
            ).first()
            if clash is not None:
                errors.setdefault("registration_opens_at", []).append(
                    _("Ces dates chevauchent la période d'inscription de « %(other)s ».") % {"other": clash}
                )

    # --- calendar questions: the one place that answers them ------------------------------------
    def registration_state(self, at: dt.datetime | None = None) -> RegistrationState:
        """Open from the opening minute included to the closing minute excluded ("jusqu'à 17h").
        An unpublished session (being prepared) is not open, whatever its dates."""
        at = at or timezone.now()
        if not self.is_published or at < self.registration_opens_at:
            return RegistrationState.NOT_OPEN
        if at < self.registration_closes_at:
            return RegistrationState.OPEN
        return RegistrationState.CLOSED

    def is_registration_open(self, at: dt.datetime | None = None) -> bool:
        return self.registration_state(at) == RegistrationState.OPEN

    def piece_deadline(self, kind: str = PieceDeadlineKind.STANDARD) -> dt.datetime:
        """The deadline for pieces of this kind; a late kind falls back to the standard deadline
        when the session has no late deadline."""
        if kind == PieceDeadlineKind.LATE and self.late_pieces_deadline:
            return self.late_pieces_deadline
        return self.pieces_deadline

    def may_deposit_piece(
        self, kind: str = PieceDeadlineKind.STANDARD, at: dt.datetime | None = None
    ) -> bool:
        """Pieces are accepted from the opening of registration until their deadline, excluded
        ("aucune inscription hors délai": TLS, AM)."""
        at = at or timezone.now()
        return self.registration_opens_at <= at < self.piece_deadline(kind)

    def local(self, value: dt.datetime | None) -> dt.datetime | None:
        return self.academie.localtime(value) if value else None


class Specialty(CatalogueVersioned, models.Model):
    """A BTS specialty of the national referential (codes, titles, options, épreuve tree): read-only
    for academy managers. What an académie decides about it (opened or not, options, its bureau's
    contact, R408) is a SessionSpecialty."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("intitulé"), max_length=160)
    abbreviation = models.CharField(_("sigle"), max_length=20, blank=True)
    exam = models.ForeignKey(
        Exam, on_delete=models.PROTECT, related_name="specialties", verbose_name=_("examen")
    )

    class Meta:
        verbose_name = _("spécialité")
        verbose_name_plural = _("spécialités")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SpecialtyOption(CatalogueVersioned, models.Model):
    specialty = models.ForeignKey(Specialty, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_("code"), max_length=2, validators=[RegexValidator(r"^[A-Z]$")])
    name = models.CharField(_("intitulé"), max_length=160)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["specialty", "code"]
        constraints = [
            models.UniqueConstraint(fields=["specialty", "code"], name="option_unique_per_specialty")
        ]

    def __str__(self) -> str:
        return f"{self.specialty.abbreviation or self.specialty.name} option {self.code} – {self.name}"


class SessionSpecialty(CatalogueVersioned, models.Model):
    """A specialty a session opens (domain.md §2), with the options opened, the contact of this
    académie's bureau for it (TLS annex 3: printed on the recap and letters) and whether its
    candidates must give the R408 attestation (CF table; AM lists its own)."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="openings", verbose_name=_("session")
    )
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, related_name="openings", verbose_name=_("spécialité")
    )
    options = models.ManyToManyField(
        SpecialtyOption,
        blank=True,
        related_name="openings",
        verbose_name=_("options ouvertes"),
        help_text=_("Obligatoire si la spécialité comporte des options."),
    )
    gestionnaire_name = models.CharField(_("gestionnaire (nom)"), max_length=120, blank=True)
    gestionnaire_email = models.EmailField(
        _("gestionnaire (courriel)"),
        blank=True,
        help_text=_("Vide : le courriel du bureau des examens de l'académie."),
    )
    gestionnaire_phone = models.CharField(_("gestionnaire (téléphone)"), max_length=30, blank=True)
    r408_annex4 = models.BooleanField(_("R408 annexe 4"), default=False)
    r408_annex5 = models.BooleanField(_("R408 annexe 5"), default=False)

    class Meta:
        verbose_name = _("spécialité ouverte")
        verbose_name_plural = _("spécialités ouvertes")
        ordering = ["session", "specialty__name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "specialty"], name="one_opening_per_session_specialty")
        ]

    def __str__(self) -> str:
        return f"{self.specialty} – {self.session}"

    @property
    def requires_r408(self) -> bool:
        return self.r408_annex4 or self.r408_annex5

    @property
    def contact_email(self) -> str:
        return self.gestionnaire_email or self.session.academie.contact_email

    def clean(self) -> None:
        if self.specialty_id and self.session_id and self.specialty.exam_id != self.session.exam_id:
            raise ValidationError(
                {"specialty": _("Cette spécialité n'appartient pas à l'examen de la session.")}
            )


class Epreuve(CatalogueVersioned, models.Model):
    """An épreuve or sous-épreuve of a specialty (domain.md §2).

    An épreuve maîtresse (E3) is not a unit; its sous-épreuves (E31, E32) are. Since session 2022
    bénéfices are kept on units only (CF, TLS, AM).
    """

    specialty = models.ForeignKey(Specialty, on_delete=models.CASCADE, related_name="epreuves")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("épreuve maîtresse"),
    )
    option = models.ForeignKey(
        SpecialtyOption,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="epreuves",
        help_text=_("Vide si l'épreuve est commune à toutes les options."),
    )
    code = models.CharField(_("code"), max_length=10, help_text=_("ex. : E3, E31, EF1"))
    unit_code = models.CharField(_("unité"), max_length=10, blank=True, help_text=_("ex. : U31"))
    title = models.CharField(_("intitulé"), max_length=200)
    coefficient = models.DecimalField(_("coefficient"), max_digits=4, decimal_places=1, default=Decimal("1"))
    is_unit = models.BooleanField(_("est une unité"), default=True)
    is_professional = models.BooleanField(
        _("épreuve professionnelle"), default=False, help_text=_("Jamais dispensée (NM).")
    )
    is_optional = models.BooleanField(_("facultative"), default=False)
    is_language = models.BooleanField(_("langue vivante"), default=False)
    is_general_culture = models.BooleanField(
        _("culture générale et expression"),
        default=False,
        help_text=_("Dispense possible pour un titulaire BTS/DUT/niveau 5 (NM)."),
    )
    is_student_engagement = models.BooleanField(_("engagement étudiant"), default=False)
    needs_dossier = models.BooleanField(_("sur dossier"), default=False)
    control_allowed = models.BooleanField(_("épreuve de contrôle possible"), default=False)
    dispensable = models.BooleanField(
        _("dispense possible"),
        default=False,
        help_text=_("Le référentiel autorise une dispense pour un diplôme de niveau 5."),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("épreuve")
        verbose_name_plural = _("épreuves")
        ordering = ["specialty", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["specialty", "code"], name="epreuve_code_unique_per_specialty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"

    def clean(self) -> None:
        if self.parent_id and self.parent.specialty_id != self.specialty_id:
            raise ValidationError({"parent": _("L'épreuve maîtresse doit être de la même spécialité.")})
        if self.is_professional and self.dispensable:
            raise ValidationError(
                {"dispensable": _("Une épreuve professionnelle ne peut faire l'objet d'une dispense (NM).")}
            )


class StaffRole(models.TextChoices):
    GESTIONNAIRE = "gestionnaire", _("Gestionnaire")
    MANAGER = "manager", _("Responsable académique")


class StaffAssignment(models.Model):
    """Who reviews what: a gestionnaire is assigned specialties of one académie; an academy manager
    covers the whole académie (domain.md §1)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_assignments"
    )
    academie = models.ForeignKey(Academie, on_delete=models.CASCADE, related_name="staff_assignments")
    role = models.CharField(_("rôle"), max_length=20, choices=StaffRole.choices)
    specialties = models.ManyToManyField(
        Specialty, blank=True, related_name="staff_assignments", verbose_name=_("spécialités")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invité par"),
        editable=False,
    )
    deactivated_at = models.DateTimeField(_("désactivé le"), null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[specialties])

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations des personnels")
        constraints = [
            models.UniqueConstraint(fields=["user", "academie"], name="one_assignment_per_user_academie")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.academie}"

    def clean(self) -> None:
        # A candidate's account never becomes a staff account (domain.md §1): staff are invited
        # with their professional address (exams.staff.staff_invite).
        user = self.user if self.user_id else None
        if (
            user is not None
            and not user.is_superuser
            and (hasattr(user, "profile") or user.dossiers.exists())
        ):
            raise ValidationError(
                {
                    "user": _(
                        "Ce compte est un compte candidat : il ne peut pas recevoir de rôle de personnel."
                    )
                }
            )


# The help pages of the académies live in their own package and register here (issue 14).
from exams.helpdesk.models import AcademieHelp, FaqEntry  # noqa: E402, F401

# When and where the épreuves are sat, read by the convocations (issue 14).
from exams.sittings.models import EpreuveSitting  # noqa: E402, F401
