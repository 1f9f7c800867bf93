"""Candidate pages "Mes documents" and the signature, and the public verification pages.
Thin: they call documents.recap / documents.verification and show a DomainError on its field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from candidates.dossier_catalogue import with_catalogue
from candidates.models import Dossier
from documents.models import DocumentKind, DocumentStatus, GeneratedDocument, StaffDocument
from documents.pieces.uploads import LimitedTemporaryFileUploadHandler
from documents.recap import services as recap
from documents.recap.calendar import convocation_calendar
from documents.recap.convocation_rows import CONVOKED_STATES, convocation_rows, convocation_visible
from documents.recap.forms import SignForm, VerifyForm
from documents.recap.verification import Verdict, recap_by_token, recap_is_latest, verify_pdf
from portal.exceptions import DomainError
from portal.files import PDF, private_file_response


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: a forwarded header is set by the client unless a trusted proxy rewrites
    # it, and the reverse proxy of the deployment sets REMOTE_ADDR itself.
    return request.META.get("REMOTE_ADDR") or None


def _own_dossier(request, dossier_id: int) -> Dossier:
    # The session and the specialty from the catalogue cache (issue 15: candidates.dossier_catalogue).
    return with_catalogue(
        get_object_or_404(
            Dossier.objects.select_related("option"),
            pk=dossier_id,
            candidate=request.user,
            number__isnull=False,
        )
    )


def _own_document(request, document_id: int) -> GeneratedDocument:
    return get_object_or_404(
        GeneratedDocument.objects.select_related("dossier__session__academie"),
        pk=document_id,
        dossier__candidate=request.user,
        status=DocumentStatus.READY,
    )


def _dossier_cards(user) -> list[dict]:
    dossiers = (
        Dossier.objects.filter(candidate=user, number__isnull=False)
        .select_related("session__academie", "specialty", "option")
        .prefetch_related(
            "documents",
            # Issue 14 item 5: the decisions the bureau posted (withdrawn ones are not offered).
            Prefetch(
                "staff_documents",
                queryset=StaffDocument.objects.filter(removed_at__isnull=True),
                to_attr="bureau_documents",
            ),
        )
        .order_by("-created_at")
    )
    cards = []
    now = timezone.now()
    for dossier in dossiers:
        docs = sorted(dossier.documents.all(), key=lambda d: -d.version)
        # Issue 14: a convocation exists for the candidate only from the publication instant, and
        # only while the dossier is conforme (convocation_visible, on the server's clock).
        convocation_shown = convocation_visible(dossier, now)
        convocations = [d for d in docs if d.kind == DocumentKind.CONVOCATION]
        docs = [d for d in docs if d.kind != DocumentKind.CONVOCATION or convocation_shown]
        recaps = [d for d in docs if d.kind == DocumentKind.RECAP]
        latest = recaps[0] if recaps else None
        latest_ready = next((d for d in recaps if d.status == DocumentStatus.READY), None)
        others = []
        for kind in (
            DocumentKind.PIECES_REQUEST,
            DocumentKind.ENGAGEMENT_FORM,
            DocumentKind.BENEFIT_REFUSAL_FORM,
        ):
            of_kind = [d for d in docs if d.kind == kind]
            if (
                of_kind
                and kind != DocumentKind.PIECES_REQUEST
                and of_kind[0].choices_version != dossier.choices_version
            ):
                # A form made for earlier choices (engagement dropped, bénéfice kept after all):
                # it no longer applies, so it is not offered any more.
                continue
            if of_kind:
                others.append(
                    {
                        "kind": of_kind[0],
                        "latest": of_kind[0],
                        "ready": next((d for d in of_kind if d.status == DocumentStatus.READY), None),
                    }
                )
        cards.append(
            {
                "dossier": dossier,
                "latest": latest,
                "latest_ready": latest_ready,
                "older": [d for d in recaps if d is not latest_ready and d.status == DocumentStatus.READY],
                "signed": next((d for d in recaps if d.signed_at), None),
                "others": others,
                "bureau_documents": dossier.bureau_documents,
                "pending": any(d.status == DocumentStatus.PENDING for d in docs),
                # issue 17: pending longer than its grace (its task looks lost): the candidate may
                # send it to the workers again.
                "can_requeue": any(recap.document_may_be_requeued(d) for d in docs),
                # Nothing yet, or the last attempt failed: the candidate may ask again.
                "can_generate": latest is None or latest.status == DocumentStatus.FAILED,
                "can_sign": recap.recap_sign_refusal(dossier, latest_ready, recaps=recaps, at=now) is None,
                "convocation": _convocation_card(dossier, convocations, convocation_shown),
            }
        )
    return cards


def _convocation_card(dossier: Dossier, convocations: list, shown: bool) -> dict | None:
    """What "Mes documents" says about the convocation: nothing for a dossier that will not be
    convoked, the publication date before it, the document, its épreuves and the .ics after."""
    if dossier.state not in CONVOKED_STATES:
        return None
    if not shown:
        return {"shown": False, "published_at": dossier.session.convocations_published_at}
    ready = next((d for d in convocations if d.status == DocumentStatus.READY), None)
    return {
        "shown": True,
        "latest": convocations[0] if convocations else None,
        "ready": ready,
        "rows": convocation_rows(dossier) if convocations else [],
    }


@login_required
@require_GET
def documents(request):
    cards = _dossier_cards(request.user)
    return render(
        request,
        "documents/recap/documents.html",
        {"cards": cards, "any_pending": any(c["pending"] for c in cards)},
    )


@login_required
@require_GET
def status(request, dossier_id: int):
    """Polled by "Mes documents" while a document is being generated."""
    dossier = _own_dossier(request, dossier_id)
    pending = dossier.documents.filter(status=DocumentStatus.PENDING).count()
    return JsonResponse({"pending": pending})


def _pdf_response(field, filename: str):
    return private_file_response(field, content_type=PDF, filename=filename)


@login_required
@require_GET
def download(request, document_id: int):
    document = _own_document(request, document_id)
    if document.kind == DocumentKind.CONVOCATION and not convocation_visible(document.dossier):
        raise Http404  # before the publication instant, or the dossier is no longer conforme
    return _pdf_response(document.file, recap.download_name(document))


@login_required
@require_GET
def convocation_ics(request, dossier_id: int):
    """The candidate's own épreuves for their agenda (RFC 5545), from the publication instant."""
    dossier = _own_dossier(request, dossier_id)
    if not convocation_visible(dossier):
        raise Http404
    response = HttpResponse(convocation_calendar(dossier), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="epreuves-{dossier.number}.ics"'
    return response


@login_required
@require_GET
def download_signed(request, document_id: int):
    document = _own_document(request, document_id)
    if not document.signed_file:
        raise Http404
    return _pdf_response(document.signed_file, recap.download_name(document, signed=True))


@login_required
@require_GET
def staff_document(request, document_uuid):
    """A decision the bureau posted to one of the candidate's dossiers (issue 14 item 5)."""
    document = get_object_or_404(
        StaffDocument.objects.exclude(file=""),
        uuid=document_uuid,
        dossier__candidate=request.user,
        removed_at__isnull=True,
    )
    return private_file_response(
        document.file, content_type=document.content_type, filename=document.original_name
    )


@login_required
@require_POST
def regenerate(request, dossier_id: int):
    dossier = _own_dossier(request, dossier_id)
    recap.dossier_request_documents(dossier=dossier)
    messages.info(request, _("La génération de vos documents est lancée."))
    return redirect("recap:documents")


@login_required
@require_POST
def requeue(request, dossier_id: int):
    dossier = _own_dossier(request, dossier_id)
    if recap.documents_requeue(dossier=dossier):
        messages.info(request, _("La génération de vos documents est relancée."))
    else:
        messages.info(request, _("Vos documents sont déjà en cours de génération : patientez un instant."))
    return redirect("recap:documents")


@login_required
def sign(request, dossier_id: int):
    dossier = _own_dossier(request, dossier_id)
    document = recap.latest_ready_recap(dossier)
    if dossier.signed_at:
        messages.info(request, _("Votre récapitulatif est déjà signé."))
        return redirect("recap:documents")
    if document is None:
        messages.info(
            request, _("Votre récapitulatif est en cours de génération : réessayez dans un instant.")
        )
        return redirect("recap:documents")
    refusal = recap.recap_sign_refusal(dossier, document)
    if refusal is not None and refusal.code != "stale":
        # Not registered, or past the deadline: recap_sign would refuse, so no form is offered.
        # A stale version is shown with its warning: the candidate reads what changed.
        messages.info(request, refusal.message)
        return redirect("recap:documents")
    error = None
    form = SignForm(request.POST or None, initial={"document_id": document.pk})
    if request.method == "POST" and form.is_valid():
        target = GeneratedDocument.objects.filter(
            pk=form.cleaned_data["document_id"], dossier=dossier, kind=DocumentKind.RECAP
        ).first()
        try:
            if target is None:
                # A tampered form: never fall back to another version than the one reviewed.
                raise DomainError(_("Cette version du récapitulatif n'existe pas."), code="stale")
            recap.recap_sign(
                dossier=dossier,
                document=target,
                user=request.user,
                password=form.cleaned_data["password"],
                certify=form.cleaned_data["certify"],
                ip=_client_ip(request),
            )
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                error = exc.message
        else:
            messages.success(
                request,
                _(
                    "Votre récapitulatif est signé : vos choix sont définitifs et la pièce est déposée. "
                    "Déposez maintenant vos autres pièces justificatives ci-dessous."
                ),
            )
            # issue 18 item 7: the next step is the other pieces, so the candidate lands there.
            return redirect("documents:dossier_pieces", dossier_id=dossier.pk)
    rows = list(dossier.epreuve_choices.select_related("epreuve").order_by("epreuve__order", "epreuve__code"))
    return render(
        request,
        "documents/recap/sign.html",
        {
            "dossier": dossier,
            "document": document,
            "form": form,
            "error": error,
            "rows": rows,
            "stale": document.choices_version != dossier.choices_version,
        },
    )


def _verification_page(request, *, result=None, document=None, form=None, status_code=200):
    return render(
        request,
        "documents/recap/verify.html",
        {
            "form": form or VerifyForm(),
            "result": result,
            "document": document or (result.document if result else None),
            "Verdict": Verdict,
        },
        status=status_code,
    )


@csrf_exempt
def verify_upload(request):
    """Anyone may drop a recap PDF here: nothing is stored. The body is streamed through the
    pieces' handler, which stops writing at UPLOAD_MAX_BYTES (issue 12: a 300 MB POST used to be
    written to disk before being refused); the CSRF check runs after the handler is set."""
    request.upload_handlers = [LimitedTemporaryFileUploadHandler(request)]
    return _verify_upload(request)


@csrf_protect
def _verify_upload(request):
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = verify_pdf(b"".join(upload.chunks()))
            return _verification_page(request, result=result, form=VerifyForm())
        return _verification_page(request, form=form, status_code=400)
    return _verification_page(request)


@require_GET
def verify_token(request, token: str):
    document = recap_by_token(token)
    if document is None:
        return render(request, "documents/recap/verify_token.html", {"document": None}, status=404)
    return render(
        request,
        "documents/recap/verify_token.html",
        {"document": document, "is_latest": recap_is_latest(document), "form": VerifyForm()},
    )
