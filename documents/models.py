"""Documents: the pieces a candidate deposits, their files, and the PDFs the portal generates
(domain.md §6, §8). Requirement rules are added by issue 5 in this app."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from candidates.models import Dossier
from exams.catalogue_cache import CatalogueVersioned
from exams.models import PieceDeadlineKind


class PieceCode(models.TextChoices):
    """Stable codes of domain.md §6."""

    RECAP_SIGNED = "recap_signed", _("Récapitulatif d'inscription daté et signé")
    IDENTITY = "identity", _("Pièce d'identité en cours de validité")
    JDC = "jdc", _("Certificat JDC, exemption ou attestation de recensement")
    ACCESS_DIPLOMA = "access_diploma", _("Diplôme donnant accès au BTS (baccalauréat ou niveau 4)")
    PREVIOUS_TRANSCRIPT = "previous_transcript", _("Relevé de notes de la dernière session")
    INTERNSHIP_OR_WORK_CERT = (
        "internship_or_work_cert",
        _("Attestation(s) de stage ou certificat(s) de travail"),
    )
    SCHOOLING_CERTS = "schooling_certs", _("Certificats de scolarité des deux années")
    INTERNSHIP_CERTS = "internship_certs", _("Attestations de stages réglementaires")
    TRAINING_ATTENDANCE = "training_attendance", _("Attestation de suivi de la formation")
    APPRENTICESHIP_CONTRACT = (
        "apprenticeship_contract",
        _("Contrat d'apprentissage (CERFA) visé par les trois parties"),
    )
    EMPLOYER_ATTESTATION = "employer_attestation", _("Attestation de l'employeur (statut d'apprenti)")
    EMPLOYMENT_CONTRACT = "employment_contract", _("Contrat de professionnalisation ou contrat de travail")
    WORK_CERTS = "work_certs", _("Certificats de travail justifiant un an d'expérience")
    ENGAGEMENT_FORM = "engagement_form", _("Formulaire engagement étudiant renseigné")
    DISPENSE_DIPLOMA = "dispense_diploma", _("Diplôme (et relevé de notes) ouvrant droit à dispense")
    BENEFIT_REFUSAL = "benefit_refusal", _("Refus de bénéfice de notes signé")
    POSITIONING_DECISION = (
        "positioning_decision",
        _("Décision de positionnement ou de dérogation de durée de stage"),
    )
    LANGUAGE_TRAINING = "language_training", _("Attestation de formation dans la langue vivante obligatoire")
    R408 = "r408", _("Attestation de formation R408 (échafaudages)")
    RQTH_MEDICAL = "rqth_medical", _("RQTH et certificat médical (au lieu de l'attestation R408)")
    MS_ELECTRICAL = "ms_electrical", _("Attestation de prévention des risques d'origine électrique")
    MS_FIRST_AID = "ms_first_aid", _("Attestation de formation aux premiers secours")
    MS_REFRIGERANTS = "ms_refrigerants", _("Attestation de manipulation des fluides frigorigènes")
    MS_HEIGHT = "ms_height", _("Attestation de formation aux travaux en hauteur")


class PieceState(models.TextChoices):
    DEPOSITED = "deposited", _("Déposée")
    ACCEPTED = "accepted", _("Acceptée")
    INVALIDATED = "invalidated", _("Invalidée – à remplacer")


class Piece(models.Model):
    """One required piece of one dossier, once something was deposited for it."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="pieces", verbose_name=_("dossier")
    )
    code = models.CharField(_("pièce"), max_length=40, choices=PieceCode.choices)
    state = models.CharField(
        _("état"), max_length=20, choices=PieceState.choices, default=PieceState.DEPOSITED
    )
    invalidation_reason = models.TextField(_("motif d'invalidation"), blank=True)
    deposited_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("examinée le"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("examinée par"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pièce justificative")
        verbose_name_plural = _("pièces justificatives")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "code"], name="one_piece_per_code_per_dossier")
        ]
        indexes = [models.Index(fields=["dossier", "state"])]

    def __str__(self) -> str:
        return self.get_code_display()


def _private_upload_to(instance, filename: str) -> str:
    # A random stored name: the original name is kept in a field, never on disk (pretix).
    return f"pieces/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class PieceFile(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="files", verbose_name=_("pièce"))
    # Empty once purged (an identity document after the appeal period): the row is the trace.
    file = models.FileField(_("fichier"), upload_to=_private_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("nom d'origine"), max_length=255)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    purged_at = models.DateTimeField(_("fichier supprimé le"), null=True, blank=True)  # issue 12

    class Meta:
        verbose_name = _("fichier")
        verbose_name_plural = _("fichiers")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class DocumentKind(models.TextChoices):
    RECAP = "recap", _("Récapitulatif d'inscription")
    PIECES_REQUEST = "pieces_request", _("Demande de pièces justificatives")
    ENGAGEMENT_FORM = "engagement_form", _("Formulaire engagement étudiant")
    BENEFIT_REFUSAL_FORM = "benefit_refusal_form", _("Formulaire de refus de bénéfice de notes")
    # Issue 14: sealed by the platform when rendered, shown from the publication date (documents.recap.convocations).
    CONVOCATION = "convocation", _("Convocation aux épreuves")


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("En cours de génération")
    READY = "ready", _("Disponible")
    FAILED = "failed", _("Échec de la génération")


def _generated_upload_to(instance, filename: str) -> str:
    return f"generated/{instance.kind}/{uuid.uuid4().hex}.pdf"


def _new_verification_token() -> str:
    return secrets.token_urlsafe(24)


class GeneratedDocument(models.Model):
    """A PDF rendered by a worker (WeasyPrint). Each version is kept (domain.md §8)."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="documents", verbose_name=_("dossier")
    )
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"))
    choices_version = models.PositiveIntegerField(
        _("version des choix"), help_text=_("Version des choix du dossier rendue dans ce PDF.")
    )
    status = models.CharField(
        _("état"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    file = models.FileField(_("fichier"), upload_to=_generated_upload_to, max_length=200, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    generated_at = models.DateTimeField(_("généré le"), null=True, blank=True)
    # issue 17: when its render task was last sent to the broker (the sweeper leaves it alone for
    # DOCUMENTS_SWEEP_GRACE_SECONDS) and when a worker started rendering it (a lease: a second
    # delivery of the task renders nothing while the first holds it).
    enqueued_at = models.DateTimeField(_("mis en file le"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("génération commencée le"), null=True, blank=True)
    verification_token = models.CharField(max_length=64, unique=True, default=_new_verification_token)

    # Electronic signature of a recap (issue 6).
    signed_file = models.FileField(
        _("fichier signé"), upload_to=_generated_upload_to, max_length=200, blank=True
    )
    signed_sha256 = models.CharField(_("empreinte SHA-256 du fichier signé"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("signé le"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signé par"),
    )
    signed_ip = models.GenericIPAddressField(_("adresse IP de signature"), null=True, blank=True)

    class Meta:
        verbose_name = _("document généré")
        verbose_name_plural = _("documents générés")
        ordering = ["dossier", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind", "version"], name="one_document_version"),
        ]
        indexes = [
            # The sweeper's question, every minute: pending documents whose task was lost.
            models.Index(
                fields=["enqueued_at"], name="document_pending_idx", condition=models.Q(status="pending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class NationalityCondition(models.TextChoices):
    ANY = "", _("Toutes nationalités")
    FRENCH = "FR", _("Nationalité française")
    NOT_FRENCH = "not_FR", _("Nationalité étrangère")


class PieceRule(CatalogueVersioned, models.Model):
    """When an académie asks for a piece (domain.md §6): requirement rules are data that academy
    managers edit, seeded from the notices (documents/piece_rules_catalogue.py).

    Every condition that is set must hold (AND); a list condition holds when the candidate's value
    is one of the list (OR); an empty condition always holds. Evaluated by documents.rules.
    """

    session = models.ForeignKey(
        "exams.Session",
        on_delete=models.CASCADE,
        related_name="piece_rules",
        verbose_name=_("session"),
        help_text=_("Une règle vaut pour une session : celle de l'an prochain ne change pas celle-ci."),
    )
    code = models.CharField(_("pièce"), max_length=40, choices=PieceCode.choices)
    label = models.CharField(
        _("libellé"), max_length=200, blank=True, help_text=_("Vide : le libellé standard de la pièce.")
    )
    reason = models.CharField(
        _("motif affiché au candidat"),
        max_length=300,
        help_text=_("ex. : « car vous avez choisi l'option B »"),
    )
    deadline_kind = models.CharField(
        _("échéance"), max_length=10, choices=PieceDeadlineKind.choices, default=PieceDeadlineKind.STANDARD
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    source = models.CharField(
        _("source"),
        max_length=120,
        blank=True,
        help_text=_("La notice d'où vient la règle (ex. : TLS annexe 1)."),
    )

    # --- conditions -------------------------------------------------------------------------------
    categories = models.JSONField(
        _("catégories"), default=list, blank=True, help_text=_("Codes de catégorie ; vide : toutes.")
    )
    specialties = models.ManyToManyField(
        "exams.Specialty", blank=True, related_name="piece_rules", verbose_name=_("spécialités"),
        help_text=_("Vide : toutes les spécialités."),
    )  # fmt: skip
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('Lettres d\'option (ex. : ["C", "D"]) ; vide : toutes.'),
    )
    nationality = models.CharField(
        _("nationalité"), max_length=6, choices=NationalityCondition.choices, blank=True, default=""
    )
    min_age = models.PositiveSmallIntegerField(
        _("âge minimum (inclus)"),
        null=True,
        blank=True,
        help_text=_("Âge au jour de la clôture des inscriptions."),
    )
    max_age = models.PositiveSmallIntegerField(
        _("âge maximum (exclu)"), null=True, blank=True, help_text=_("« moins de 25 ans » : 25.")
    )
    continuing_situations = models.JSONField(
        _("situations de formation continue"), default=list, blank=True, help_text=_("Vide : toutes.")
    )
    mandatory_language_not_in = models.JSONField(
        _("LV obligatoire hors de"),
        default=list,
        blank=True,
        help_text=_('Codes ISO 639-1 (ex. : ["en", "es"]) ; vide : pas de condition.'),
    )
    when_benefices = models.BooleanField(_("si bénéfices de notes demandés"), default=False)
    when_dispenses = models.BooleanField(_("si dispenses demandées"), default=False)
    when_engagement = models.BooleanField(_("si engagement étudiant choisi"), default=False)
    when_handicap = models.BooleanField(_("si situation de handicap"), default=False)
    when_r408 = models.BooleanField(_("si spécialité soumise à R408"), default=False)
    when_positioning_decision = models.BooleanField(
        _("si décision de positionnement déclarée"), default=False
    )
    when_benefice_renounced = models.BooleanField(_("si un bénéfice est refusé"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("règle de pièce justificative")
        verbose_name_plural = _("règles des pièces justificatives")
        ordering = ["session", "order", "code", "pk"]
        indexes = [models.Index(fields=["session", "is_active"])]

    def __str__(self) -> str:
        return f"{self.get_code_display()} – {self.reason}"


# --- Quarantine and access log (issue 12) ---------------------------------------------------------


class UploadStatus(models.TextChoices):
    CHECKING = "checking", _("En cours de vérification")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")


def _quarantine_upload_to(instance, filename: str) -> str:
    # A prefix of the default storage (the same setting covers it, S3 included), random names.
    return f"{settings.UPLOAD_QUARANTINE_PREFIX}{uuid.uuid4().hex}"


class PieceUpload(models.Model):
    """A deposit received by the request and waiting in quarantine: a worker scans each file
    (clamd), disarms it and deposits the piece, or refuses it with a French message. Its files
    are deleted from quarantine either way; the row stays as the deposit's outcome."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="piece_uploads")
    code = models.CharField(_("pièce"), max_length=40, choices=PieceCode.choices)
    replace = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("état"), max_length=10, choices=UploadStatus.choices, default=UploadStatus.CHECKING
    )
    message = models.TextField(_("motif du refus"), blank=True)
    received_at = models.DateTimeField(_("reçu le"))
    checked_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dépôt en quarantaine")
        verbose_name_plural = _("dépôts en quarantaine")
        ordering = ["received_at"]
        indexes = [
            models.Index(fields=["dossier", "status"]),
            models.Index(fields=["uploaded_by", "received_at"]),
            models.Index(fields=["status", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.get_status_display()})"


class QuarantinedFile(models.Model):
    upload = models.ForeignKey(PieceUpload, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_quarantine_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("nom d'origine"), max_length=255)
    size = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("fichier en quarantaine")
        verbose_name_plural = _("fichiers en quarantaine")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class PieceAccessAction(models.TextChoices):
    VIEW = "view", _("consultation")
    DOWNLOAD = "download", _("téléchargement")


class PieceAccess(models.Model):
    """Who of the staff opened which deposited file, and when (RGPD: access to identity
    documents and other pieces is traced). Written by the views that serve a file to staff."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="piece_accesses")
    piece_file = models.ForeignKey(PieceFile, on_delete=models.SET_NULL, null=True, related_name="accesses")
    piece_code = models.CharField(_("pièce"), max_length=40, choices=PieceCode.choices)
    file_name = models.CharField(_("fichier"), max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    user_label = models.CharField(_("agent"), max_length=254)
    action = models.CharField(max_length=10, choices=PieceAccessAction.choices)
    watermarked = models.BooleanField(_("copie filigranée"), default=False)
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("accès à une pièce")
        verbose_name_plural = _("accès aux pièces")
        ordering = ["-at"]
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self) -> str:
        return f"{self.user_label} – {self.file_name}"


class RequirementSnapshot(models.Model):
    """The pieces a dossier was required to provide when its pieces were locked (domain.md §6, §7):
    a dossier sent to review, then decided, keeps these requirements even if the session's rules
    are edited afterwards."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="requirement_snapshot")
    pieces = models.JSONField(_("pièces exigées"), default=list)
    taken_at = models.DateTimeField(_("figées le"))

    class Meta:
        verbose_name = _("pièces exigées figées")
        verbose_name_plural = _("pièces exigées figées")

    def __str__(self) -> str:
        return f"{self.dossier}: {len(self.pieces)}"


class StaffDocumentKind(models.TextChoices):
    """The decisions the bureau attaches to a dossier (issue 14 item 5)."""

    ACCOMMODATION = "accommodation", _("Décision d'aménagement d'épreuves")
    POSITIONING = "positioning", _("Décision de positionnement")
    TRANSCRIPT = "transcript", _("Relevé de notes")
    OTHER = "other", _("Autre décision du rectorat")


def _staff_document_upload_to(instance, filename: str) -> str:
    return f"staff-documents/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class StaffDocument(models.Model):
    """A decision posted by the staff to a dossier, shown to the candidate in "Mes documents".
    Removing it deletes the file and keeps the row (who, when, why): the history shows it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="staff_documents")
    kind = models.CharField(_("type de document"), max_length=20, choices=StaffDocumentKind.choices)
    file = models.FileField(upload_to=_staff_document_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    posted_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    removed_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    removal_reason = models.CharField(_("motif du retrait"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document du bureau")
        verbose_name_plural = _("documents du bureau")
        ordering = ["-posted_at", "-pk"]
        indexes = [models.Index(fields=["dossier", "removed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.original_name}"
