"""The gestionnaire's actions, as small views the dossier admin links to (its get_urls wraps them
with admin_site.admin_view): each one validates a Form, calls one candidates.review service and
turns its DomainError into a message, as pretix's control views do (OrderApprove → approve_order).

The views receive the DossierAdmin (``as_view(model_admin=...)``, like Django's autocomplete
view) so that what the admin lets a user see — its permissions and its scoped queryset — is
asked in one place.
"""

from __future__ import annotations

import copy
import csv
import io
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from candidates.corrections.forms import StaffCorrectionForm
from candidates.messaging import bulk
from candidates.messaging.forms import BulkMessageForm, parse_ids
from candidates.messaging.selectors import unread_by_dossier
from candidates.models import Dossier, DossierState
from candidates.permissions import dossiers_visible_to
from candidates.review import exports, services
from candidates.review.forms import (
    CorrectionForm,
    ExportFormatForm,
    ReasonForm,
    ReviewActionForm,
    StaffDocumentForm,
    StaffDocumentRemoveForm,
    StatisticsForm,
)
from candidates.review.permissions import review_options
from candidates.review.selectors import (
    DUPLICATES_SHOWN,
    dossier_history,
    duplicates_count,
    duplicates_of,
    registration_statistics,
)
from documents.models import DocumentKind, GeneratedDocument, Piece, PieceFile, StaffDocument
from documents.pieces import access as piece_access
from documents.pieces.uploads import LimitedTemporaryFileUploadHandler
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

    def make_form(self, request):
        return self.form_class(request.POST)

    def post(self, request: HttpRequest, object_id: str, **kwargs) -> HttpResponse:
        model_admin = self.model_admin
        if not (model_admin.has_view_permission(request) and model_admin.has_review_permission(request)):
            raise PermissionDenied
        dossier = model_admin.get_object(request, object_id)
        if dossier is None:
            raise Http404
        form = self.make_form(request)
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
PREVIEWABLE = frozenset({"image/jpeg", "image/png"})  # what the uploads worker stores for images
JPEG = "image/jpeg"


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
        # issue 18: the dossier page shows a small JPEG of an image piece, not the photo itself.
        preview = not download and request.GET.get("apercu") == "1" and stored.content_type in PREVIEWABLE
        try:
            if preview:
                content = piece_access.preview_for_staff(piece_file=stored, user=request.user)
            else:
                content = piece_access.open_for_staff(piece_file=stored, user=request.user, download=download)
        except DomainError as exc:
            return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
        return private_file_response(
            content,
            content_type=JPEG if preview else stored.content_type,
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
def _duplicates_context(dossier: Dossier, user) -> dict:
    """The first possible duplicates in the viewer's scope and their number (issue 15: bounded)."""
    duplicates = duplicates_of(dossier, user)
    total = len(duplicates)
    if total == DUPLICATES_SHOWN:
        total = duplicates_count(dossier, user)
    return {"duplicates": duplicates, "duplicates_total": total}


def review_context(request, dossier: Dossier) -> dict:
    """What templates/admin/candidates/dossier/change_form.html shows above and below the data."""
    pieces = list(
        Piece.objects.filter(dossier=dossier)
        .select_related("reviewed_by")
        .prefetch_related("files")
        .order_by("code")
    )
    for piece in pieces:
        piece.file_list = []
        for f in piece.files.all():
            url = reverse("admin:candidates_dossier_piece_file", args=[f.uuid])
            piece.file_list.append(
                {
                    "file": f,
                    "url": url,
                    "is_image": f.content_type in INLINE_CONTENT_TYPES
                    and f.content_type.startswith("image/"),
                    # issue 18: a small JPEG for the page (PieceFileView ?apercu=1), the file behind its link.
                    "preview_url": f"{url}?apercu=1" if f.content_type in PREVIEWABLE else url,
                    "is_pdf": f.content_type == PDF,
                }
            )
    # The recaps and (issue 14) the convocations issued to this dossier, newest first, in one read.
    documents = list(
        GeneratedDocument.objects.filter(
            dossier=dossier, kind__in=[DocumentKind.RECAP, DocumentKind.CONVOCATION]
        )
        .select_related("signed_by")
        .order_by("-version")
    )
    for document in documents:
        document.url = reverse("admin:candidates_dossier_document", args=[document.pk])
        document.is_current = document.choices_version == dossier.choices_version
    recaps = [d for d in documents if d.kind == DocumentKind.RECAP]
    convocations = [d for d in documents if d.kind == DocumentKind.CONVOCATION]
    options = review_options(request.user, dossier)
    refusal, refusal_under_reservation = (
        services.compliance_refusals(dossier) if options.can_review else ("", "")
    )
    return {
        "dossier": dossier,
        "pieces": pieces,
        "recaps": recaps,
        "convocations": convocations,
        "can_review": options.can_review,
        "transitions": options.transitions,
        "pieces_reviewable": options.pieces_reviewable,
        "compliance_refusal": refusal,
        "reservation_possible": options.can_review and refusal_under_reservation is None,
        "invalidation_reasons": services.INVALIDATION_REASONS,
        "non_compliance_reasons": services.NON_COMPLIANCE_REASONS,
        "history": dossier_history(dossier),
        # Issue 14: rectification, possible duplicates (within the viewer's scope), messages.
        "correction_form": StaffCorrectionForm(),
        **_duplicates_context(dossier, request.user),
        "thread_unread": unread_by_dossier([dossier.pk], from_staff=False).get(dossier.pk, 0),
        # Issue 14 item 5: the decisions posted by the bureau (removed ones stay in the history).
        "staff_documents": list(
            StaffDocument.objects.filter(dossier=dossier, removed_at__isnull=True).select_related("posted_by")
        ),
        "staff_document_form": StaffDocumentForm(),
        "staff_document_remove_form": StaffDocumentRemoveForm(),
        "academie_tz": dossier.session.academie.time_zone,
    }


# --- documents posted by the staff (issue 14 item 5) ---------------------------------------------
class StaffDocumentPost(DossierActionView):
    """Attach a decision to the dossier (multipart: the file is streamed to disk and cut at the
    limit by the upload handler ``staff_document_upload`` sets)."""

    form_class = StaffDocumentForm

    def act(self, dossier, form, **kwargs):
        if not form.is_valid():
            raise DomainError(" ".join(e for errors in form.errors.values() for e in errors))
        replaces = self.request.POST.get("replaces", "")
        document = services.staff_document_post(
            dossier=dossier,
            actor=self.request.user,
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
            replaces=int(replaces) if replaces.isascii() and replaces.isdigit() else None,
        )
        return _("« %(name)s » déposé : le candidat le trouve dans « Mes documents » et en est prévenu.") % {
            "name": document.original_name
        }

    def make_form(self, request):
        return self.form_class(request.POST, request.FILES)

    def done_url(self, dossier, **kwargs):
        return f"{super().done_url(dossier)}#staff-documents-title"


class StaffDocumentRemove(StaffDocumentPost):
    form_class = StaffDocumentRemoveForm

    def act(self, dossier, form, *, document_id: int):
        form.is_valid()
        document = services.staff_document_remove(
            dossier=dossier,
            actor=self.request.user,
            document_id=document_id,
            reason=form.cleaned_data.get("reason", "") if form.is_bound else "",
        )
        return _("« %(name)s » retiré du dossier.") % {"name": document.original_name}

    def make_form(self, request):
        return self.form_class(request.POST)


def staff_document_upload(model_admin):
    """The upload view with the pieces' streaming handler: set before anything reads the body,
    the CSRF check included (made just after, by csrf_protect)."""
    inner = csrf_protect(StaffDocumentPost.as_view(model_admin=model_admin))

    @csrf_exempt
    def view(request, *args, **kwargs):
        request.upload_handlers = [LimitedTemporaryFileUploadHandler(request)]
        return inner(request, *args, **kwargs)

    return view


class StaffDocumentFile(_AdminView):
    http_method_names = ["get"]

    def get(self, request, document_uuid):
        document = (
            StaffDocument.objects.filter(uuid=document_uuid, dossier__in=self.visible_dossiers())
            .exclude(file="")
            .first()
        )
        if document is None:
            raise Http404
        return private_file_response(
            document.file, content_type=document.content_type, filename=document.original_name
        )


# --- a message to a selection (issue 14 item 1) --------------------------------------------------
@admin.action(description=gettext_lazy("Écrire aux candidats sélectionnés"), permissions=["review"])
def write_to_selection(model_admin, request, queryset):
    url = reverse("admin:candidates_dossier_write")
    if request.POST.get("select_across") == "1":
        # "Tout sélectionner": the list as filtered, carried as its own query string.
        return redirect(f"{url}?{urlencode({'liste': 1, 'filtres': request.GET.urlencode()})}")
    ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
    return redirect(f"{url}?{urlencode({'ids': ids})}")


class BulkMessage(_AdminView):
    """Write → preview (the message as the candidates will read it, the number of recipients) →
    confirm; the workers then write one message per dossier (candidates.messaging.bulk)."""

    http_method_names = ["get", "post"]
    template_name = "admin/candidates/dossier/write.html"
    SAMPLE = 8

    def selection(self, request, source) -> QuerySet[Dossier]:
        """The dossiers chosen (``ids``) or the list as filtered (``filtres``), in the user's
        scope and registered: whatever ids are posted, nobody outside the scope is counted."""
        filtres = str(source.get("filtres") or "")
        if source.get("liste"):
            # The changelist's own filters and search, asked of a GET request carrying only them.
            listing = copy.copy(request)
            listing.GET = QueryDict(filtres)
            listing.method = "GET"
            queryset = self.model_admin.get_changelist_instance(listing).get_queryset(listing)
        else:
            queryset = Dossier.objects.filter(pk__in=parse_ids(source.get("ids")))
        return bulk.recipients(request.user, queryset)

    def render(self, request, form, *, step: str, recipients=None, status=200):
        context = {
            **self.model_admin.admin_site.each_context(request),
            "title": _("Écrire aux candidats"),
            "opts": Dossier._meta,
            "form": form,
            "step": step,
        }
        if recipients is not None:
            context["count"] = recipients.count()
            context["sample"] = list(recipients.select_related("specialty").order_by("pk")[: self.SAMPLE])
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request):
        if not (
            self.model_admin.has_view_permission(request) and self.model_admin.has_review_permission(request)
        ):
            raise PermissionDenied
        source = {key: request.GET.get(key, "") for key in ("ids", "liste", "filtres")}
        form = BulkMessageForm(initial=source)
        return self.render(request, form, step="write", recipients=self.selection(request, source))

    def post(self, request):
        if not (
            self.model_admin.has_view_permission(request) and self.model_admin.has_review_permission(request)
        ):
            raise PermissionDenied
        form = BulkMessageForm(request.POST)
        recipients = self.selection(request, request.POST)
        if "modifier" in request.POST or not form.is_valid():
            return self.render(
                request, form, step="write", recipients=recipients, status=200 if form.is_valid() else 400
            )
        if "envoyer" not in request.POST:
            # The preview: a fresh key ties the confirmation to this page (a second click is the same batch).
            data = request.POST.copy()
            data["key"] = str(uuid.uuid4())
            preview = BulkMessageForm(data)
            preview.is_valid()  # the same input, valid: its cleaned text is what the page shows
            return self.render(request, preview, step="preview", recipients=recipients)
        try:
            batch, created = bulk.message_batch_create(
                actor=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                dossier_ids=recipients.values_list("pk", flat=True),
                key=form.cleaned_data["key"] or uuid.uuid4(),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return self.render(request, form, step="write", recipients=recipients, status=400)
        if created:
            messages.success(
                request,
                _(
                    "Envoi de %(n)d message(s) confié aux workers : chaque candidat le trouvera dans la "
                    "messagerie de son dossier et recevra une alerte par courriel."
                )
                % {"n": len(batch.dossier_ids)},
            )
        else:
            messages.info(request, _("Ce message est déjà envoyé : rien n'a été envoyé une seconde fois."))
        return redirect("admin:candidates_dossier_changelist")


# --- statistics for the rectorat (issue 14 item 8) ------------------------------------------------
def statistics_csv(tables) -> bytes:
    """One line per value of each dimension; UTF-8 with BOM and ";" like the dossier exports (what
    Excel opens in French)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Dimension"), _("Valeur"), _("Nombre de dossiers")])
    for table in tables:
        for label, n in table.rows:
            writer.writerow([table.column, label, n])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class Statistics(_AdminView):
    http_method_names = ["get"]
    template_name = "admin/candidates/dossier/statistics.html"

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        form = StatisticsForm(request.GET or None, user=request.user)
        session = form.cleaned_data.get("session") if form.is_bound and form.is_valid() else None
        tables = registration_statistics(request.user, session=session)
        if request.GET.get("format") == "csv":
            return private_file_response(
                statistics_csv(tables),
                content_type=exports.FORMATS["csv"],
                filename="statistiques-inscriptions.csv",
                inline=False,
            )
        query = urlencode({"session": session.pk} if session else {})
        context = {
            **self.model_admin.admin_site.each_context(request),
            "title": _("Statistiques des inscriptions"),
            "opts": Dossier._meta,
            "form": form,
            "tables": tables,
            "registered": tables[0].total,
            "csv_url": f"{reverse('admin:candidates_dossier_statistics')}?{query}&format=csv".replace(
                "?&", "?"
            ),
        }
        return TemplateResponse(request, self.template_name, context, status=200 if not form.errors else 400)
