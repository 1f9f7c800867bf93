"""The dossier's conversation: the candidate's page and the gestionnaire's page (linked from the
admin's dossier page), and the attachment download for both (files are private)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from candidates.messaging import selectors, services
from candidates.messaging.forms import MessageForm
from candidates.messaging.models import AttachmentStatus, DossierMessage
from candidates.models import Dossier
from candidates.permissions import dossiers_visible_to
from documents.pieces.uploads import LimitedTemporaryFileUploadHandler
from portal.exceptions import DomainError
from portal.files import private_file_response


def _thread_page(request, dossier, *, post, by_staff: bool, sent: str, again: str, template: str, extra=None):
    """One thread page for either side: post through the side's service, mark read, render."""
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            post(body=form.cleaned_data["body"], attachment=form.cleaned_data["attachment"])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, sent)
            return redirect(again, pk=dossier.pk)
    services.thread_mark_read(dossier=dossier, by_staff=by_staff)
    context = {**(extra or {}), "dossier": dossier, "thread": selectors.thread(dossier), "form": form}
    return render(request, template, context, status=400 if form.errors else 200)


@csrf_exempt
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    # As the pieces' upload: the attachment is streamed to disk and cut at the size limit, which
    # needs the handlers set before anything reads the body (the CSRF check is made just after).
    request.upload_handlers = [LimitedTemporaryFileUploadHandler(request)]
    return _candidate_thread(request, pk)


@csrf_protect
@login_required
@require_http_methods(["GET", "POST"])
def _candidate_thread(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = (
        Dossier.objects.select_related("session__academie", "specialty")
        .filter(pk=pk, candidate=request.user)
        .first()
    )
    if dossier is None:
        raise Http404
    return _thread_page(
        request,
        dossier,
        post=lambda **message: services.message_post_candidate(
            dossier_id=dossier.pk, candidate=request.user, **message
        ),
        by_staff=False,
        sent=_("Message envoyé au bureau des examens."),
        again="candidates:thread",
        template="candidates/messaging/thread.html",
    )


@staff_member_required
@require_http_methods(["GET", "POST"])
def staff_thread(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = (
        dossiers_visible_to(request.user)
        .select_related("candidate", "session__academie", "specialty")
        .filter(pk=pk)
        .first()
    )
    if dossier is None:
        raise Http404
    return _thread_page(
        request,
        dossier,
        post=lambda **message: services.message_post_staff(
            dossier_id=dossier.pk, actor=request.user, **message
        ),
        by_staff=True,
        sent=_("Réponse envoyée : le candidat est alerté par courriel."),
        again="candidates:staff_thread",
        template="candidates/messaging/staff_thread.html",
        # The admin's header, title and navigation, as on the pages the admin itself renders.
        extra=admin.site.each_context(request),
    )


@login_required
def attachment(request: HttpRequest, uuid) -> HttpResponse:
    """A message's attachment, for the dossier's candidate or staff in scope, nobody else."""
    found = DossierMessage.objects.select_related("dossier").filter(uuid=uuid).exclude(attachment="").first()
    if found is None:
        raise Http404
    own = found.dossier.candidate_id == request.user.pk
    if not own and not (
        request.user.is_staff and dossiers_visible_to(request.user).filter(pk=found.dossier_id).exists()
    ):
        raise Http404
    # issue 12: served once scanned and disarmed, never from quarantine.
    if found.attachment_status != AttachmentStatus.ACCEPTED or not found.attachment:
        raise Http404
    return private_file_response(
        found.attachment,
        content_type=found.attachment_type,
        filename=found.attachment_name,
        inline=False,
    )
