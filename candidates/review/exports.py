"""CSV and XLSX exports of the staff's dossier list (django-import-export), with the columns a
bureau des examens works with. Above settings.EXPORT_ASYNC_THRESHOLD rows the file is written by a
Celery task in private storage and offered to the requester in their messages (issue 7)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from import_export import fields, resources

from candidates.models import Dossier
from candidates.permissions import dossiers_visible_to
from candidates.review.selectors import with_review_columns

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_NAME_RE = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def _local(dossier, value) -> str:
    """On the académie's clocks, like every date of the dossier (domain.md §2)."""
    return dossier.session.local(value).strftime("%d/%m/%Y %H:%M") if value else ""


class DossierResource(resources.Resource):
    number = fields.Field(attribute="number", column_name="Numéro")
    birth_name = fields.Field(attribute="birth_name", column_name="Nom de naissance")
    usage_name = fields.Field(attribute="usage_name", column_name="Nom d'usage")
    first_names = fields.Field(column_name="Prénoms")
    birth_date = fields.Field(column_name="Date de naissance")
    sex = fields.Field(attribute="sex", column_name="Sexe")
    email = fields.Field(attribute="candidate__email", column_name="Courriel")
    phone = fields.Field(attribute="mobile_phone", column_name="Téléphone")
    postcode = fields.Field(attribute="postcode", column_name="Code postal")
    city = fields.Field(attribute="city", column_name="Commune")
    academie = fields.Field(attribute="session__academie__name", column_name="Académie")
    session = fields.Field(column_name="Session")
    specialty = fields.Field(attribute="specialty__name", column_name="Spécialité")
    option = fields.Field(attribute="option__code", column_name="Option")
    category = fields.Field(column_name="Catégorie")
    forme = fields.Field(column_name="Forme de passage")
    state = fields.Field(column_name="État")
    pieces_accepted = fields.Field(attribute="pieces_accepted", column_name="Pièces acceptées")
    pieces_total = fields.Field(attribute="pieces_total", column_name="Pièces déposées")
    handicap = fields.Field(column_name="Handicap")
    accommodation = fields.Field(column_name="Aménagement demandé")
    registered_at = fields.Field(column_name="Enregistré le")
    decided_at = fields.Field(column_name="Décidé le")
    decision_reason = fields.Field(attribute="decision_reason", column_name="Motif de la décision")

    def dehydrate_first_names(self, dossier: Dossier) -> str:
        return " ".join(dossier.first_names)

    def dehydrate_birth_date(self, dossier: Dossier) -> str:
        return dossier.birth_date.strftime("%d/%m/%Y") if dossier.birth_date else ""

    def dehydrate_session(self, dossier: Dossier) -> str:
        return str(dossier.session.name or dossier.session.year)

    def dehydrate_category(self, dossier: Dossier) -> str:
        return dossier.get_category_display()

    def dehydrate_forme(self, dossier: Dossier) -> str:
        return dossier.get_forme_display()

    def dehydrate_state(self, dossier: Dossier) -> str:
        return dossier.get_state_display()

    def dehydrate_handicap(self, dossier: Dossier) -> str:
        return _yes_no(dossier.handicap)

    def dehydrate_accommodation(self, dossier: Dossier) -> str:
        return _yes_no(dossier.accommodation_requested)

    def dehydrate_registered_at(self, dossier: Dossier) -> str:
        return _local(dossier, dossier.registered_at)

    def dehydrate_decided_at(self, dossier: Dossier) -> str:
        return _local(dossier, dossier.decided_at)


def export_queryset(queryset: QuerySet[Dossier], user) -> QuerySet[Dossier]:
    """What an export of this list may contain: always re-scoped to the user (a forged id list
    exports nothing more)."""
    return with_review_columns(
        dossiers_visible_to(user, queryset).select_related(
            "candidate", "session__academie", "specialty", "option"
        )
    ).order_by("number", "pk")


def render_export(queryset: QuerySet[Dossier], fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    dataset = DossierResource().export(queryset=queryset)
    if fmt == "csv":
        # Excel in French opens a UTF-8 file with a BOM and ";" as separator without asking.
        return ("\ufeff" + dataset.export("csv", delimiter=";")).encode("utf-8")
    return dataset.export("xlsx")


def export_filename(fmt: str) -> str:
    return f"dossiers-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def async_threshold() -> int:
    return int(getattr(settings, "EXPORT_ASYNC_THRESHOLD", 2000))


def export_storage_path(user_id: int, name: str) -> str:
    return f"exports/{user_id}/{name}"


@dataclass
class StoredExport:
    path: str
    created: bool


def export_write_for_user(*, user, dossier_ids: list[int], fmt: str, token: str) -> StoredExport:
    """Write the export file in private storage and tell the user where to fetch it. Idempotent on
    ``token``: a retried task neither rewrites the file nor sends a second message."""
    from notifications.models import Message

    name = f"{uuid.UUID(token).hex}.{fmt}"
    path = export_storage_path(user.pk, name)
    if default_storage.exists(path):
        return StoredExport(path=path, created=False)
    queryset = export_queryset(Dossier.objects.filter(pk__in=dossier_ids), user)
    default_storage.save(path, ContentFile(render_export(queryset, fmt)))
    link = reverse("admin:candidates_dossier_export_file", args=[name])
    Message.objects.create(
        recipient=user,
        kind="export_ready",
        subject=f"Votre export de {len(dossier_ids)} dossiers est prêt ({fmt.upper()})",
        body=(
            "L'export demandé depuis la liste des dossiers est prêt. "
            f"Téléchargez-le depuis l'administration : {settings.SITE_URL}{link}"
        ),
        link=link,
    )
    return StoredExport(path=path, created=True)


# --- the task of a large export (enqueued by candidates.review.views.export) ----------------------
@shared_task(
    name="candidates.tasks.export_dossiers",
    bind=True,
    acks_late=True,
    max_retries=3,
    autoretry_for=(OSError,),
    retry_backoff=30,
)
def export_dossiers(self, user_id: int, dossier_ids: list[int], fmt: str, token: str) -> str:
    """issue 7: a large export of the staff's dossier list, written in private storage."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    return export_write_for_user(user=user, dossier_ids=dossier_ids, fmt=fmt, token=token).path
