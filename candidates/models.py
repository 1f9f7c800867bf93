"""Candidates: the account (e-mail is the login), the identity profile, and the dossier
(registration to a session) with its choices (domain.md §3-§5, §7)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from candidates.duplicates import identity_key
from exams.models import Departement, Epreuve, Language, Route, Session, Specialty, SpecialtyOption


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # The whole address is lower-cased: "Jean@Gmail.com" and "jean@gmail.com" are one account.
        return (email or "").strip().lower()

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_active=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=self.normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    """One account for life (CF, TLS, NT). Inactive until the e-mail link is followed (AM, NT)."""

    email = models.EmailField(_("adresse électronique"), max_length=254, unique=True)
    is_active = models.BooleanField(_("actif"), default=False)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("adresse vérifiée le"), null=True, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_case_insensitive")]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def get_full_name(self) -> str:
        profile = getattr(self, "profile", None)
        return profile.display_name if profile else self.email

    def get_short_name(self) -> str:
        return self.email


class Sex(models.TextChoices):
    FEMALE = "F", _("Féminin")
    MALE = "M", _("Masculin")


class IdentityFields(models.Model):
    """Civil status as on the identity document (NT), first names in civil-status order (CF)."""

    birth_name = models.CharField(_("nom de naissance"), max_length=100, blank=True)
    usage_name = models.CharField(_("nom d'usage"), max_length=100, blank=True)
    first_name_1 = models.CharField(_("premier prénom"), max_length=60, blank=True)
    first_name_2 = models.CharField(_("deuxième prénom"), max_length=60, blank=True)
    first_name_3 = models.CharField(_("troisième prénom"), max_length=60, blank=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_commune = models.CharField(_("commune de naissance"), max_length=100, blank=True)
    birth_country = models.CharField(_("pays de naissance (ISO)"), max_length=2, blank=True, default="FR")
    nationality = models.CharField(_("nationalité (ISO)"), max_length=2, blank=True, default="FR")

    class Meta:
        abstract = True

    @property
    def first_names(self) -> list[str]:
        return [n for n in (self.first_name_1, self.first_name_2, self.first_name_3) if n]

    @property
    def display_name(self) -> str:
        name = self.usage_name or self.birth_name
        return " ".join([*self.first_names[:1], name]).strip()


class ContactFields(models.Model):
    address_line1 = models.CharField(_("adresse"), max_length=200, blank=True)
    address_line2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    country = models.CharField(_("pays (ISO)"), max_length=2, blank=True, default="FR")
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("département"),
    )
    mobile_phone = models.CharField(_("téléphone mobile"), max_length=20, blank=True)

    class Meta:
        abstract = True


# The field names of each group, for the services that copy them (profile → dossier, redoublant).
IDENTITY_FIELD_NAMES = tuple(f.name for f in IdentityFields._meta.fields)
CONTACT_FIELD_NAMES = tuple(f.name for f in ContactFields._meta.fields)
CONSENT_FIELD_NAMES = ("consent_press", "consent_commercial", "consent_local_authorities")


class Profile(IdentityFields, ContactFields):
    """The candidate's identity and contact, kept across sessions (domain.md §5)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("compte")
    )
    # The three mandatory answers on data transfer (CF); None means "not answered yet".
    consent_press = models.BooleanField(_("transfert à la presse"), null=True)
    consent_commercial = models.BooleanField(_("transfert aux organismes commerciaux"), null=True)
    consent_local_authorities = models.BooleanField(_("transfert aux collectivités territoriales"), null=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profils")

    def __str__(self) -> str:
        return self.display_name or str(self.user)


# The routes are the catalogue's (a session says which it accepts): one list, exams.models.Route.
Category = Route


class Forme(models.TextChoices):
    GLOBAL = "global", _("Forme globale")
    PROGRESSIVE = "progressive", _("Forme progressive")


class ContinuingSituation(models.TextChoices):
    FIRST_TRAINING = "first_training", _("Première formation")
    RECONVERSION = "reconversion", _("Reconversion")
    IMPROVEMENT = "improvement", _("Perfectionnement")


class DispenseDiploma(models.TextChoices):
    NONE = "", _("Aucun")
    BTS = "bts", _("Un BTS d'une autre spécialité")
    DUT = "dut", _("Un DUT / BUT")
    LEVEL5 = "level5", _("Un autre diplôme national de niveau 5 ou plus")


class DossierState(models.TextChoices):
    """domain.md §7. Transitions live in candidates/states.py, nowhere else."""

    DRAFT = "draft", _("Brouillon – inscription non enregistrée")
    REGISTERED = "registered", _("Inscription enregistrée")
    SUBMITTED = "submitted", _("Pièces déposées – en attente de traitement")
    IN_REVIEW = "in_review", _("En cours d'examen")
    INCOMPLETE = "incomplete", _("Incomplet – correction demandée")
    COMPLIANT = "compliant", _("Conforme")
    NON_COMPLIANT = "non_compliant", _("Non conforme")
    EXPIRED = "expired", _("Expiré – non enregistré à la clôture")
    CANCELLED = "cancelled", _("Annulé – pièces manquantes à la date limite")
    WITHDRAWN = "withdrawn", _("Désisté – le candidat a retiré son inscription")


class Dossier(IdentityFields, ContactFields):
    """A candidate's registration to one session and specialty (domain.md §3, §4, §7)."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("candidat"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("session")
    )
    number = models.CharField(_("numéro de dossier"), max_length=30, unique=True, null=True, blank=True)
    state = models.CharField(
        _("état"), max_length=20, choices=DossierState.choices, default=DossierState.DRAFT
    )
    completed_tabs = models.JSONField(_("onglets enregistrés"), default=list, blank=True)

    # Tab 4: situation
    category = models.CharField(_("catégorie"), max_length=30, choices=Category.choices, blank=True)
    continuing_situation = models.CharField(
        _("situation en formation continue"), max_length=20, choices=ContinuingSituation.choices, blank=True
    )
    previous_session_year = models.PositiveIntegerField(_("session précédente"), null=True, blank=True)
    previous_candidate_number = models.CharField(_("numéro de candidat précédent"), max_length=30, blank=True)
    first_registration_year = models.PositiveIntegerField(
        _("année de première inscription"), null=True, blank=True
    )
    access_diploma = models.CharField(_("diplôme d'accès"), max_length=120, blank=True)
    dispense_diploma = models.CharField(
        _("diplôme ouvrant droit à dispense"), max_length=10, choices=DispenseDiploma.choices, blank=True
    )
    positioning_decision = models.BooleanField(
        _("décision de positionnement ou dérogation de stage"), default=False
    )

    # Tab 5: specialty
    specialty = models.ForeignKey(
        Specialty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("spécialité"),
    )
    option = models.ForeignKey(
        SpecialtyOption,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("option"),
    )
    forme = models.CharField(_("forme de passage"), max_length=12, choices=Forme.choices, blank=True)

    # Tab 7: languages (the optional épreuves, engagement étudiant included, are DossierEpreuve rows)
    mandatory_language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("LV obligatoire"),
    )
    mandatory_language_other = models.CharField(
        _("autre langue vivante obligatoire"),
        max_length=60,
        blank=True,
        help_text=_("Une langue absente de la liste : le rectorat organise l'épreuve (CF)."),
    )
    optional_language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("LV facultative"),
    )

    # Tab 8: handicap
    handicap = models.BooleanField(_("situation de handicap"), default=False)
    accommodation_requested = models.BooleanField(_("aménagement d'épreuves demandé"), default=False)
    r408_rqth_alternative = models.BooleanField(
        _("RQTH et certificat médical au lieu de l'attestation R408"), default=False
    )

    # Tab 9 and the life of the dossier
    certified_at = models.DateTimeField(_("certification de l'exactitude"), null=True, blank=True)
    registered_at = models.DateTimeField(_("enregistré le"), null=True, blank=True)
    choices_version = models.PositiveIntegerField(
        _("version des choix"),
        default=0,
        help_text=_("Augmente à chaque changement : le récapitulatif devient périmé."),
    )
    signed_at = models.DateTimeField(_("récapitulatif signé le"), null=True, blank=True)
    pieces_locked_at = models.DateTimeField(_("pièces verrouillées le"), null=True, blank=True)
    decision_reason = models.TextField(_("motif de la décision"), blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    compliant_under_reservation = models.BooleanField(
        _("conforme sous réserve des pièces tardives"),
        default=False,
        help_text=_("Le dépôt des pièces tardives reste ouvert jusqu'à leur date limite."),
    )
    # Derived on save from birth name, first name and birth date (candidates.duplicates.identity_key): two
    # dossiers of one session sharing it are flagged as possible duplicates, never blocked.
    # Indexed with the session (Meta.indexes): the duplicates' lookups ask both.
    identity_key = models.CharField(max_length=250, blank=True, default="", editable=False)
    withdrawn_at = models.DateTimeField(_("désisté le"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("motif du désistement"), blank=True)
    lock_version = models.PositiveIntegerField(
        _("version (verrou)"),
        default=0,
        help_text=_("Verrou optimiste : deux gestionnaires ne s'écrasent pas."),
    )
    # issue 15: kept by documents.pieces.counters on every write of a piece, so the admin's list,
    # its "pièces complètes" filter and its ordering read two columns instead of counting pieces
    # per row (4 s at 100,000 dossiers).
    pieces_total = models.PositiveIntegerField(_("pièces déposées"), default=0, editable=False)
    pieces_accepted = models.PositiveIntegerField(_("pièces acceptées"), default=0, editable=False)
    # issue 15: the specialty's name, copied by database triggers (migration 0015) when the dossier's
    # specialty is written and when a specialty is renamed, so the admin's ordering by specialty reads
    # an index instead of joining and sorting every dossier (1.2 s at 100,000). Never written by
    # Django (Dossier.save leaves it out); the instance's copy may be stale, the database's is not.
    specialty_name = models.CharField(max_length=160, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "pieces_total", "pieces_accepted", "specialty_name"]
    )

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        constraints = [
            # One dossier per candidate, session and specialty (a draft without specialty yet is
            # also unique per session, so a double click never makes two drafts).
            models.UniqueConstraint(
                fields=["candidate", "session", "specialty"],
                name="one_dossier_per_candidate_session_specialty",
            ),
            models.UniqueConstraint(
                fields=["candidate", "session"],
                condition=models.Q(specialty__isnull=True),
                name="one_draft_without_specialty_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "state"]),
            models.Index(fields=["state", "updated_at"]),
            # issue 15: the admin list at 100,000 dossiers. Each sortable column is read in index
            # order with the list's tie-break (newest first) instead of joining and sorting every
            # row: with the column alone, the first value's rows (20,000 of one category) were
            # sorted by the primary key for each page. (state, -id) also serves the state filter
            # on the default order. The possible duplicates are found by (identity key, session).
            models.Index(fields=["birth_name", "-id"], name="dossier_birth_name_id_idx"),
            models.Index(fields=["category", "-id"], name="dossier_category_id_idx"),
            models.Index(fields=["state", "-id"], name="dossier_state_id_idx"),
            models.Index(fields=["pieces_accepted", "-id"], name="dossier_pieces_accepted_id_idx"),
            models.Index(fields=["updated_at"], name="dossier_updated_at_idx"),
            # The list's ordering by specialty (name, then newest first: the admin's tie-break).
            models.Index(fields=["specialty_name", "-id"], name="dossier_specialty_name_idx"),
            # (state too: the duplicate filter's grouping reads this index alone.)
            models.Index(fields=["identity_key", "session", "state"], name="dossier_identity_session_idx"),
            # The "en attente depuis" filter (candidates.review.selectors.with_review_columns'
            # waiting_since over the states waiting for staff): a range of this partial index.
            models.Index(
                Coalesce("pieces_locked_at", "updated_at"),
                name="dossier_waiting_since_idx",
                condition=models.Q(state__in=["submitted", "in_review"]),
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Brouillon #{self.pk}"

    PIECE_COUNTERS = ("pieces_total", "pieces_accepted")
    # Columns the database keeps (documents.pieces.counters' UPDATE, migration 0015's triggers).
    NOT_SAVED = (*PIECE_COUNTERS, "specialty_name")

    def save(self, *args, **kwargs):
        # A derived column kept in step with the identity whichever service wrote it.
        self.identity_key = identity_key(self.birth_name, self.first_name_1, self.birth_date)
        # The piece counters belong to documents.pieces.counters (one UPDATE after each piece
        # write) and the specialty's name to the database's triggers: saving a dossier loaded
        # earlier must not write its stale copy back over them.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.NOT_SAVED
            ]
        elif kwargs.get("update_fields") is not None and "identity_key" not in kwargs["update_fields"]:
            kwargs["update_fields"] = [*kwargs["update_fields"], "identity_key"]
        super().save(*args, **kwargs)


class IdentityGroup(models.Model):
    """How many compared dossiers (neither draft nor expired, identity complete) of one session
    share an identity key (issue 14: possible duplicates). Counted by database triggers on the
    dossier table (migration 0014), which see every insert, update and delete with its old and new
    row, whichever code wrote it, so the admin's duplicate filter reads the few groups of two or
    more instead of grouping every dossier of the table (issue 15: 0.6–2 s at 100,000)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    identity_key = models.CharField(max_length=250)
    # Not a PositiveIntegerField: its CHECK would make a miscount refuse a candidate's save.
    dossiers = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "identity_key"], name="one_identity_group_per_session_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["identity_key", "session"],
                name="identity_group_shared_idx",
                condition=models.Q(dossiers__gt=1),
            )
        ]

    def __str__(self) -> str:
        return f"{self.identity_key} ({self.dossiers})"


class EpreuveChoice(models.TextChoices):
    TAKEN = "taken", _("Présentée à cette session")
    BENEFICE = "benefice", _("Bénéfice de note conservé")
    DISPENSE = "dispense", _("Dispense")
    NOT_TAKEN = "not_taken", _("Non présentée à cette session (forme progressive)")


class DossierEpreuve(models.Model):
    """The candidate's choice for one épreuve of the specialty (domain.md §4)."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="epreuve_choices", verbose_name=_("dossier")
    )
    epreuve = models.ForeignKey(
        Epreuve, on_delete=models.PROTECT, related_name="+", verbose_name=_("épreuve")
    )
    choice = models.CharField(_("choix"), max_length=12, choices=EpreuveChoice.choices)
    grade = models.DecimalField(_("note sur 20"), max_digits=4, decimal_places=2, null=True, blank=True)
    obtained_on = models.DateField(_("date d'obtention"), null=True, blank=True)
    obtained_session_year = models.PositiveIntegerField(_("session d'obtention"), null=True, blank=True)
    benefice_renounced = models.BooleanField(
        _("bénéfice renoncé"), default=False, help_text=_("Renoncement définitif (AM, TLS annexe 2).")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("choix d'épreuve")
        verbose_name_plural = _("choix d'épreuves")
        constraints = [models.UniqueConstraint(fields=["dossier", "epreuve"], name="one_choice_per_epreuve")]

    def __str__(self) -> str:
        return f"{self.epreuve.code}: {self.get_choice_display()}"


class DossierNumberCounter(models.Model):
    """The last dossier number handed out in a session (domain.md §7: "saving twice never yields
    two numbers"). The row is incremented with an UPDATE, which locks it until the registering
    transaction commits, so two concurrent registrations always get distinct numbers."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="dossier_counter")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de numéros de dossier")
        verbose_name_plural = _("compteurs de numéros de dossier")

    def __str__(self) -> str:
        return f"{self.session}: {self.last_number}"


# --- Personal data (issue 12, docs/rgpd.md) -------------------------------------------------------


class PrivacyRequestKind(models.TextChoices):
    EXPORT = "export", _("Export de mes données")
    ERASURE = "erasure", _("Effacement de mes données")


class PrivacyRequestStatus(models.TextChoices):
    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prêt")
    DONE = "done", _("Traité")
    FAILED = "failed", _("Échec")


def _privacy_upload_to(instance, filename: str) -> str:
    return f"privacy/{uuid.uuid4().hex}.zip"


class PrivacyRequest(models.Model):
    """A candidate's request about their data: an export (a ZIP prepared by a worker, offered
    PRIVACY_EXPORT_DAYS days) or an erasure (honoured at once for what no retention covers; the
    summary says what was deleted and what is kept until when)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_requests"
    )
    kind = models.CharField(max_length=10, choices=PrivacyRequestKind.choices)
    status = models.CharField(
        max_length=10, choices=PrivacyRequestStatus.choices, default=PrivacyRequestStatus.PENDING
    )
    file = models.FileField(upload_to=_privacy_upload_to, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("demande relative aux données personnelles")
        verbose_name_plural = _("demandes relatives aux données personnelles")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class PurgeReason(models.TextChoices):
    RETENTION = "retention", _("Fin de la durée de conservation")
    IDENTITY = "identity", _("Pièces d'identité après le délai de recours")
    ERASURE = "erasure", _("Demande d'effacement")


class DataPurge(models.Model):
    """What a purge deleted, anonymised: counts per session, never a name (the trace that the
    data existed and was deleted on time)."""

    ran_at = models.DateTimeField(_("le"), auto_now_add=True)
    reason = models.CharField(_("motif"), max_length=10, choices=PurgeReason.choices)
    session_code = models.CharField(_("session"), max_length=60, blank=True)
    academie_code = models.CharField(_("académie"), max_length=40, blank=True)
    session_year = models.PositiveIntegerField(_("année"), null=True, blank=True)
    dossiers = models.PositiveIntegerField(_("dossiers"), default=0)
    files = models.PositiveIntegerField(_("fichiers"), default=0)
    documents = models.PositiveIntegerField(_("PDF générés"), default=0)
    accounts = models.PositiveIntegerField(_("comptes"), default=0)

    class Meta:
        verbose_name = _("purge de données")
        verbose_name_plural = _("purges de données")
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.session_code} ({self.ran_at:%Y-%m-%d})"


# The conversation of a dossier lives in its own package (candidates/messaging) and registers here.
from candidates.messaging.models import DossierMessage, MessageBatch  # noqa: E402, F401
