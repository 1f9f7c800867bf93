"""Pages of the documents app: "Mes justificatifs", the upload and the lock, the private file view
and the public simulator. Thin: they call selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from candidates.dossier_catalogue import with_catalogue
from candidates.models import Dossier, DossierState
from candidates.permissions import user_can_view_dossier
from documents.models import PieceCode, PieceFile, PieceState, RequirementSnapshot, UploadStatus
from documents.pieces import access, quarantine, selectors, services
from documents.pieces.forms import PieceUploadForm, SimulatorForm
from documents.pieces.rules import RequirementProfile
from documents.pieces.uploads import (
    ACCEPT_ATTRIBUTE,
    LimitedTemporaryFileUploadHandler,
    human_size,
    max_bytes,
)
from exams.catalogue import opening_for
from exams.models import PieceDeadlineKind
from portal.exceptions import DomainError
from portal.files import private_file_response


def _own_dossier(request, dossier_id: int, *related: str) -> Dossier:
    """The candidate's own dossier; anyone else's is a 404, never a 403 that confirms it exists."""
    # The session and the specialty from the catalogue cache (issue 15: candidates.dossier_catalogue).
    return with_catalogue(
        get_object_or_404(
            Dossier.objects.select_related("option", *related), pk=dossier_id, candidate=request.user
        )
    )


@login_required
def pieces_index(request):
    dossiers = list(
        request.user.dossiers.exclude(state=DossierState.DRAFT)
        .select_related("session__academie", "specialty")
        .order_by("-created_at")
    )
    if len(dossiers) == 1:
        return redirect("documents:dossier_pieces", dossier_id=dossiers[0].pk)
    return render(request, "documents/index.html", {"dossiers": dossiers})


def _rows(dossier: Dossier, pieces: dict, required_pieces: list, forms: dict | None = None) -> list[dict]:
    refusals = services.deposit_refusals(dossier=dossier, required_pieces=required_pieces, pieces=pieces)
    checking: dict[str, list] = {}
    being_checked, recently_refused = quarantine.uploads_to_show(dossier)
    for upload in being_checked:
        checking.setdefault(upload.code, []).append(upload)
    refused: dict[str, list] = {}
    for upload in recently_refused:
        piece = pieces.get(upload.code)
        if piece is None or piece.deposited_at is None or upload.received_at > piece.deposited_at:
            refused.setdefault(upload.code, []).append(upload)
    rows = []
    for required in required_pieces:
        piece = pieces.get(required.code)
        # The upload form only where the page shows it (no refusal), or the one just refused.
        form = (forms or {}).get(required.code)
        if form is None and not refusals[required.code]:
            form = PieceUploadForm(code=required.code, prefix=required.code)
        rows.append(
            {
                "required": required,
                "piece": piece,
                "status": piece.state if piece else "missing",
                # An invalidated piece is replaced until the late deadline (services._deposit_policy).
                "deadline": dossier.session.piece_deadline(PieceDeadlineKind.LATE)
                if piece and piece.state == PieceState.INVALIDATED
                else required.deadline,
                "files": list(piece.files.all()) if piece else [],
                "refusal": refusals[required.code],
                "checking": checking.get(required.code, []),
                "refused_uploads": refused.get(required.code, []),
                "form": None
                if form is None
                else form.for_piece(
                    required.label, invalidated=bool(piece and piece.state == PieceState.INVALIDATED)
                ),
            }
        )
    return rows


def _render_pieces(
    request,
    dossier: Dossier,
    *,
    forms: dict | None = None,
    lock_error: str = "",
    status: int = 200,
    snapshot=selectors.UNREAD,
):
    pieces = {p.code: p for p in dossier.pieces.prefetch_related("files")}
    required_pieces = selectors.required_pieces_for_dossier(dossier, snapshot=snapshot)
    rows = _rows(dossier, pieces, required_pieces, forms)
    missing_standard = selectors.pieces_blocking_submission(dossier, required=required_pieces, pieces=pieces)
    lock_refusal = services.piece_lock_refusal(dossier=dossier, blocking=missing_standard)
    context = {
        "dossier": dossier,
        "session": dossier.session,
        "rows": rows,
        "invalidated": [r for r in rows if r["status"] == PieceState.INVALIDATED],
        "checking": any(r["checking"] for r in rows),
        "missing_standard": missing_standard,
        # The section stays while pieces are missing (it lists them); the button waits for them.
        "can_lock": lock_refusal is None or lock_refusal.code == "missing_pieces",
        "lock_refusal": lock_refusal,
        "lock_error": lock_error,
        "upload_max_bytes": max_bytes(),
        "upload_max_label": human_size(max_bytes()),
        "accept": ACCEPT_ATTRIBUTE,
    }
    return render(request, "documents/dossier_pieces.html", context, status=status)


@login_required
def dossier_pieces(request, dossier_id: int):
    # issue 15: the requirements frozen at the lock come with the dossier (a one-to-one joined to
    # it), not in a query of their own. Only here: after a refused POST the page reads them again.
    dossier = _own_dossier(request, dossier_id, "requirement_snapshot")
    try:
        snapshot = dossier.requirement_snapshot
    except RequirementSnapshot.DoesNotExist:
        snapshot = None
    return _render_pieces(request, dossier, snapshot=snapshot)


@csrf_exempt
def piece_upload(request, dossier_id: int, code: str):
    # The upload handlers must be set before anything reads the body, the CSRF check included
    # (Django docs, "Modifying upload handlers on the fly"): files are streamed to disk and a
    # file over the limit is discarded while it arrives.
    request.upload_handlers = [LimitedTemporaryFileUploadHandler(request)]
    return _piece_upload(request, dossier_id, code)


@csrf_protect
@login_required
@require_POST
def _piece_upload(request, dossier_id: int, code: str):
    dossier = _own_dossier(request, dossier_id)
    if code not in PieceCode.values:
        raise Http404
    form = PieceUploadForm(request.POST, request.FILES, code=code, prefix=code)
    if form.is_valid():
        try:
            upload = quarantine.piece_upload_receive(
                dossier=dossier,
                code=code,
                files=form.cleaned_data["files"],
                replace=form.cleaned_data["replace"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error("files", exc.message)
        else:
            # With eager tasks (the embedded default) the check already ran after the commit.
            upload.refresh_from_db()
            count = len(form.cleaned_data["files"])
            if upload.status == UploadStatus.REFUSED:
                form.add_error("files", upload.message)
                return _render_pieces(request, dossier, forms={code: form}, status=400)
            if upload.status == UploadStatus.ACCEPTED:
                messages.success(
                    request,
                    _(
                        "Pièce « %(piece)s » déposée (%(n)d fichier(s)). Un courriel de confirmation "
                        "vous est envoyé."
                    )
                    % {"piece": PieceCode(code).label, "n": count},
                )
            else:
                messages.info(
                    request,
                    _(
                        "Pièce « %(piece)s » reçue (%(n)d fichier(s)) : en cours de vérification "
                        "(antivirus et contrôle du format). Cette page l'indique dès que c'est terminé ; "
                        "un courriel de confirmation vous est alors envoyé."
                    )
                    % {"piece": PieceCode(code).label, "n": count},
                )
            return redirect(f"{reverse('documents:dossier_pieces', args=[dossier.pk])}#piece-{code}")
    return _render_pieces(request, dossier, forms={code: form}, status=400)


@login_required
@require_GET
def upload_status(request, dossier_id: int):
    """How many deposits of this dossier are still being checked: the page polls it (pieces.js)
    and reloads when it reaches zero; without JavaScript the page offers a refresh link."""
    dossier = _own_dossier(request, dossier_id)
    response = JsonResponse({"checking": len(quarantine.checking_uploads(dossier))})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def pieces_lock(request, dossier_id: int):
    dossier = _own_dossier(request, dossier_id)
    try:
        services.piece_lock_all(dossier=dossier, by=request.user)
    except DomainError as exc:
        # A second click (or the browser's retry after a lost answer) answers like the first.
        if exc.code != "already_locked":
            return _render_pieces(request, dossier, lock_error=exc.message, status=400)
    messages.success(
        request,
        _("C'est noté : vos pièces sont verrouillées et votre dossier est transmis au gestionnaire."),
    )
    return redirect("documents:dossier_pieces", dossier_id=dossier.pk)


@login_required
@require_GET
def piece_file(request, file_uuid):
    """A deposited file, for its owner or the staff allowed to see the dossier; a 404 for anyone
    else (never a public URL: domain.md §6, conventions "files are private")."""
    piece_file = get_object_or_404(
        PieceFile.objects.select_related("piece__dossier__session__academie"), uuid=file_uuid
    )
    if not user_can_view_dossier(request.user, piece_file.piece.dossier) or not piece_file.file:
        raise Http404
    download = request.GET.get("telecharger") == "1"
    content = piece_file.file
    if access.is_staff_access(request.user, piece_file):
        # issue 12 (RGPD): staff access is logged, identity documents are served watermarked.
        try:
            content = access.open_for_staff(piece_file=piece_file, user=request.user, download=download)
        except DomainError as exc:
            return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    return private_file_response(
        content,
        content_type=piece_file.content_type,
        filename=piece_file.original_name or "piece",
        inline=False if download else None,
    )


def _profile_from_form(form: SimulatorForm) -> RequirementProfile:
    data = form.cleaned_data
    specialty = data["specialty"]
    # R408 is the session's (AM lists its own); the form's clean() read the opening already.
    opening = form.opening if hasattr(form, "opening") else opening_for(data["session"], specialty.pk)
    return RequirementProfile(
        category=data["category"],
        specialty_code=specialty.code,
        specialty_r408=bool(opening and opening.requires_r408),
        option_code=data["option"],
        nationality=data["nationality"],
        birth_date=data["birth_date"],
        benefices=data["benefices"],
        dispenses=data["dispenses"],
        engagement=data["engagement"],
        mandatory_language=data["mandatory_language"],
        handicap=data["handicap"],
        continuing_situation=data.get("continuing_situation") or "",
    )


def _json_error(parameter: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": message, "parameter": parameter}, status=400, json_dumps_params={"ensure_ascii": False}
    )


@require_GET
def simulator(request):
    """ "Quelles pièces dois-je fournir ?": public, any session of the catalogue (past ones too),
    HTML by default and JSON when asked with ``Accept: application/json``."""
    wants_json = request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    if wants_json:
        for name in request.GET:
            if name not in SimulatorForm.PARAMETERS:
                return _json_error(name, _("Paramètre inconnu : %(name)s.") % {"name": name})
    form = SimulatorForm(request.GET or None, for_json=wants_json)
    pieces = None
    if form.is_bound and form.is_valid():
        session = form.cleaned_data["session"]
        pieces = selectors.required_pieces_for_profile(session, _profile_from_form(form))
    if wants_json:
        if pieces is None:
            for name in form.fields:  # the first parameter at fault, in the contract's order
                if name in form.errors:
                    if not request.GET.get(name):
                        message = _("Paramètre manquant : %(name)s.") % {"name": name}
                    else:
                        message = _("Paramètre invalide : %(name)s (%(why)s)") % {
                            "name": name,
                            "why": " ".join(form.errors[name]),
                        }
                    return _json_error(name, message)
            return _json_error("session", _("Paramètre manquant : session."))
        tz = session.academie.tzinfo
        return JsonResponse(
            {
                "session": session.code,
                "pieces": [
                    {
                        "code": p.code,
                        "label": p.label,
                        "reason": p.reason,
                        "deadline": p.deadline.astimezone(tz).isoformat(),
                    }
                    for p in pieces
                ],
            },
            json_dumps_params={"ensure_ascii": False},
        )
    specialty = form.cleaned_data.get("specialty") if pieces is not None else None
    letter = form.cleaned_data.get("option") if pieces is not None else ""
    context = {
        "form": form,
        "pieces": pieces,
        "session": form.cleaned_data.get("session") if pieces is not None else None,
        # The option named under the right specialty (issue 18 item 4: the letters repeat).
        "chosen_option": letter and next((o for o in specialty.options.all() if o.code == letter), None),
    }
    return render(
        request, "documents/simulator.html", context, status=400 if form.is_bound and pieces is None else 200
    )
