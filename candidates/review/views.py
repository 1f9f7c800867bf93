"""The gestionnaire's actions, as small views the dossier admin links to (its get_urls wraps them
with admin_site.admin_view): each one validates a Form, calls one candidates.review service and
turns its DomainError into a message, as pretix's control views do (OrderApprove → approve_order).

The views receive the DossierAdmin (``as_view(model_admin=...)``, like Django's autocomplete
view) so that what the admin lets a user see — its permissions and its scoped queryset — is
asked in one place.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from candidates.corrections.forms import StaffCorrectionForm
from candidates.messaging.selectors import unread_by_dossier
from candidates.models import Dossier, DossierState
from candidates.permissions import dossiers_visible_to
from candidates.review import exports, services
from candidates.review.forms import CorrectionForm, ExportFormatForm, ReasonForm, ReviewActionForm
from candidates.review.permissions import review_options
from candidates.review.selectors import dossier_history, duplicates_of
from documents.models import DocumentKind, GeneratedDocument, Piece, PieceFile
from documents.pieces import access as piece_access
from portal.exceptions import DomainError
from portal.files import INLINE_CONTENT_TYPES, PDF, private_file_response
from portal.queueing import enqueue_on_commit


class _AdminView(View):
    model_admin: Any = None

    def visible_dossiers(self):
        if not self.model_admin.has_view_permission(self.request):
            raise Http404
        return dossiers_visible_to(self.request.user)


# --- actions on one dossier ----------------------------------------------------------------------
class DossierActionView(_AdminView):
    """POST only; the dossier must be in the user's scope and the user a reviewer."""

    http_method_names = ["post"]
    form_class: type[ReviewActionForm] = ReviewActionForm

    def act(self, dossier: Dossier, form, **kwargs) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def done_url(self, dossier: Dossier, **kwargs) -> str:
        return reverse("admin:candidates_dossier_change", args=[dossier.pk])

    def post(self, request: HttpRequest, object_id: str, **kwargs) -> HttpResponse:
        model_admin = self.model_admin
        if not (model_admin.has_view_permission(request) and model_admin.has_review_permission(request)):
            raise PermissionDenied
        dossier = model_admin.get_object(request, object_id)
        if dossier is None:
            raise Http404
        form = self.form_class(request.POST)
        try:
            done = self.act(dossier, form, **kwargs)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            # issue 18: the admin's own log too, so that "Actions récentes" on the index lists the
            # review actions (the audit itself is the simple-history row the service wrote).
            model_admin.log_change(request, dossier, done)
            messages.success(request, done)
        return redirect(self.done_url(dossier, **kwargs))


class StartReview(DossierActionView):
    def act(self, dossier, form, **kwargs):
        services.dossier_start_review(dossier=dossier, actor=self.request.user, lock_version=form.version())
        return _("Examen du dossier commencé.")


class RequestCorrection(DossierActionView):
    form_class = CorrectionForm

    def act(self, dossier, form, **kwargs):
        services.dossier_request_correction(
            dossier=dossier, actor=self.request.user, message=form.text(), lock_version=form.version()
        )
        return _("Correction demandée : le candidat est prévenu.")


class Decide(DossierActionView):
    form_class = ReasonForm
    decision: str = ""

    def act(self, dossier, form, **kwargs):
        services.dossier_decide(
            dossier=dossier,
            actor=self.request.user,
            decision=self.decision,
            reason=form.text(),
            lock_version=form.version(),
            under_reservation=form.reserved(),
        )
        return _("Décision enregistrée : le candidat est prévenu.")


# The URL keeps its historical shape (…/revue/<action>/, one URL name): the action picks the view.
REVIEW_ACTIONS: dict[str, type[DossierActionView] | tuple[type[DossierActionView], dict]] = {
    "start_review": StartReview,
    "request_correction": RequestCorrection,
    DossierState.COMPLIANT: (Decide, {"decision": DossierState.COMPLIANT}),
    DossierState.NON_COMPLIANT: (Decide, {"decision": DossierState.NON_COMPLIANT}),
}


class AcceptPiece(DossierActionView):
    def act(self, dossier, form, *, piece_id: int):
        piece = services.piece_accept(
            dossier=dossier, piece=piece_id, actor=self.request.user, lock_version=form.version()
        )
        return _("Pièce « %(piece)s » acceptée.") % {"piece": piece}

    def done_url(self, dossier, *, piece_id: int):
        return f"{super().done_url(dossier)}#piece-{piece_id}"


class InvalidatePiece(AcceptPiece):
    form_class = ReasonForm

    def act(self, dossier, form, *, piece_id: int):
        piece = services.piece_invalidate(
            dossier=dossier,
            piece=piece_id,
            actor=self.request.user,
            reason=form.text(),
            lock_version=form.version(),
        )
        return _("Pièce « %(piece)s » invalidée : le candidat peut la remplacer.") % {"piece": piece}


PIECE_ACTIONS: dict[str, type[DossierActionView]] = {"accept": AcceptPiece, "invalidate": InvalidatePiece}


def action_dispatcher(model_admin, actions: dict) -> Any:
    """One view per URL name that hands the request to the action's own view (404 if unknown)."""
    views = {}
    for name, entry in actions.items():
        view_class, initkwargs = entry if isinstance(entry, tuple) else (entry, {})
        views[name] = view_class.as_view(model_admin=model_admin, **initkwargs)

    def dispatch(request, object_id, action, **kwargs):
        view = views.get(action)
        if view is None:
            raise Http404
        return view(request, object_id=object_id, **kwargs)

    return dispatch


# --- bulk actions of the list --------------------------------------------------------------------
@admin.action(
    description=gettext_lazy("Déclarer conformes (pièces toutes acceptées)"), permissions=["review"]
)
def mark_compliant(model_admin, request, queryset):
    result = services.bulk_mark_compliant(
        dossier_ids=queryset.values_list("pk", flat=True), actor=request.user
    )
    for dossier in result.done:
        model_admin.log_change(request, dossier, _("Déclaré conforme (action sur la liste)."))
    if result.done:
        messages.success(request, _("%(n)d dossier(s) déclaré(s) conforme(s).") % {"n": len(result.done)})
    for dossier, reason in result.skipped[:20]:
        messages.warning(request, f"{dossier} : {reason}")
    if len(result.skipped) > 20:
        messages.warning(request, _("… et %(n)d autre(s) non traité(s).") % {"n": len(result.skipped) - 20})


def export(request, queryset, fmt: str) -> HttpResponse | None:
    """The file at once, or, past exports.async_threshold(), a task and a message (None)."""
    queryset = exports.export_queryset(queryset, request.user)
    count = queryset.count()
    if count > exports.async_threshold():
        ids = list(queryset.values_list("pk", flat=True))
        enqueue_on_commit(exports.export_dossiers, request.user.pk, ids, fmt, uuid.uuid4().hex)
        messages.info(
            request,
            _(
                "L'export de %(n)d dossiers est en préparation : il apparaîtra dans « Mes exports » "
                "sur la page d'accueil de l'administration dès qu'il sera prêt."
            )
            % {"n": count},
        )
        return None
    return private_file_response(
        exports.render_export(queryset, fmt),
        content_type=exports.FORMATS[fmt],
        filename=exports.export_filename(fmt),
        inline=False,
    )


@admin.action(description=gettext_lazy("Exporter la sélection (CSV)"))
def export_csv(model_admin, request, queryset):
    return export(request, queryset, "csv")


@admin.action(description=gettext_lazy("Exporter la sélection (XLSX)"))
def export_xlsx(model_admin, request, queryset):
    return export(request, queryset, "xlsx")


class ExportList(_AdminView):
    """Export the list as filtered and searched on screen (the changelist's own query)."""

    http_method_names = ["get"]

    def get(self, request, fmt: str):
        form = ExportFormatForm({"fmt": fmt})
        if not form.is_valid() or not self.model_admin.has_view_permission(request):
            raise Http404
        changelist = self.model_admin.get_changelist_instance(request)
        response = export(request, changelist.get_queryset(request), form.cleaned_data["fmt"])
        return response or redirect(
            f"{reverse('admin:candidates_dossier_changelist')}?{request.GET.urlencode()}"
        )


class ExportFile(_AdminView):
    """A finished asynchronous export, for the user who asked for it and nobody else."""

    http_method_names = ["get"]

    def get(self, request, name: str):
        if not exports.EXPORT_NAME_RE.match(name) or not request.user.is_staff:
            raise Http404
        stored = exports.export_storage_path(request.user.pk, name)
        if not default_storage.exists(stored):
            raise Http404
        fmt = name.rsplit(".", 1)[1]
        return private_file_response(
            default_storage.open(stored, "rb"),
            content_type=exports.FORMATS[fmt],
            filename=f"dossiers-{name[:8]}.{fmt}",
            inline=False,
        )


# --- private files -------------------------------------------------------------------------------
class PieceFileView(_AdminView):
    """A deposited file, only for staff who may see its dossier (files are private)."""

    http_method_names = ["get"]

    def get(self, request, file_uuid):
        stored = (
            PieceFile.objects.select_related("piece__dossier__session__academie")
            .filter(uuid=file_uuid, piece__dossier__in=self.visible_dossiers())
            .first()
        )
        if stored is None or not stored.file:
            raise Http404
        # issue 12 (RGPD): the access is logged, identity documents are served watermarked.
        download = request.GET.get("telecharger") == "1"
        try:
            content = piece_access.open_for_staff(piece_file=stored, user=request.user, download=download)
        except DomainError as exc:
            return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
        return private_file_response(
            content,
            content_type=stored.content_type,
            filename=stored.original_name,
            inline=False if download else None,
        )


class DocumentView(_AdminView):
    """A generated PDF of a dossier in scope; ``?signe=1`` for the signed one."""

    http_method_names = ["get"]

    def get(self, request, document_id: int):
        document = (
            GeneratedDocument.objects.filter(pk=document_id, dossier__in=self.visible_dossiers())
            .select_related("dossier")
            .first()
        )
        if document is None:
            raise Http404
        signed = request.GET.get("signe") == "1" and document.signed_file
        file = document.signed_file if signed else document.file
        if not file:
            raise Http404
        name = f"{document.kind}-{document.dossier.number or document.dossier_id}-v{document.version}.pdf"
        return private_file_response(file, content_type=PDF, filename=name)


# --- the review page -----------------------------------------------------------------------------
def review_context(request, dossier: Dossier) -> dict:
    """What templates/admin/candidates/dossier/change_form.html shows above and below the data."""
    pieces = list(
        Piece.objects.filter(dossier=dossier)
        .select_related("reviewed_by")
        .prefetch_related("files")
        .order_by("code")
    )
    for piece in pieces:
        piece.file_list = [
            {
                "file": f,
                "url": reverse("admin:candidates_dossier_piece_file", args=[f.uuid]),
                "is_image": f.content_type in INLINE_CONTENT_TYPES and f.content_type.startswith("image/"),
                "is_pdf": f.content_type == PDF,
            }
            for f in piece.files.all()
        ]
    recaps = list(
        GeneratedDocument.objects.filter(dossier=dossier, kind=DocumentKind.RECAP)
        .select_related("signed_by")
        .order_by("-version")
    )
    for recap in recaps:
        recap.url = reverse("admin:candidates_dossier_document", args=[recap.pk])
        recap.is_current = recap.choices_version == dossier.choices_version
    options = review_options(request.user, dossier)
    return {
        "dossier": dossier,
        "pieces": pieces,
        "recaps": recaps,
        "can_review": options.can_review,
        "transitions": options.transitions,
        "pieces_reviewable": options.pieces_reviewable,
        "compliance_refusal": services.compliance_refusal(dossier) if options.can_review else "",
        "reservation_possible": options.can_review
        and services.compliance_refusal(dossier, under_reservation=True) is None,
        "invalidation_reasons": services.INVALIDATION_REASONS,
        "non_compliance_reasons": services.NON_COMPLIANCE_REASONS,
        "history": dossier_history(dossier),
        # Issue 14: rectification, possible duplicates (within the viewer's scope), messages.
        "correction_form": StaffCorrectionForm(),
        "duplicates": [
            d for d in duplicates_of(dossier) if dossiers_visible_to(request.user).filter(pk=d.pk).exists()
        ],
        "thread_unread": unread_by_dossier([dossier.pk], from_staff=False).get(dossier.pk, 0),
        "academie_tz": dossier.session.academie.time_zone,
    }
