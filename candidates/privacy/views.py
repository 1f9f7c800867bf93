"""« Mes données » (issue 12, RGPD): the export of one's data and the erasure request. Thin: the
page asks candidates.privacy.services and shows what it answers."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from candidates.models import PrivacyRequest, PrivacyRequestKind, PrivacyRequestStatus
from candidates.privacy import services
from portal.forms import PortalForm


class ErasureForm(PortalForm, forms.Form):
    error_summary_intro = gettext_lazy("Votre demande n'a pas été prise en compte :")

    confirm = forms.BooleanField(
        label=gettext_lazy("Je demande l'effacement de mes données et je comprends que c'est définitif."),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer votre demande.")},
    )


def _page(request, *, form=None, status=200):
    user = request.user
    kept = [
        {"dossier": d, "until": services.retained_until(d.session)} for d in services.retained_dossiers(user)
    ]
    return render(
        request,
        "candidates/privacy.html",
        {
            "exports": user.privacy_requests.filter(kind=PrivacyRequestKind.EXPORT)[:5],
            "erasures": user.privacy_requests.filter(kind=PrivacyRequestKind.ERASURE)[:3],
            "kept": kept,
            "form": form or ErasureForm(),
            "retention_years": settings.RETENTION_YEARS,
            "appeal_days": settings.IDENTITY_APPEAL_DAYS,
            "export_days": settings.PRIVACY_EXPORT_DAYS,
        },
        status=status,
    )


@login_required
@require_GET
def privacy(request):
    return _page(request)


@login_required
@require_POST
def export_request(request):
    services.privacy_export_request(user=request.user)
    messages.info(
        request,
        _("L'export de vos données est en préparation : il apparaît ci-dessous dès qu'il est prêt."),
    )
    return redirect("candidates:privacy")


@login_required
@require_GET
def export_download(request, request_uuid):
    export = get_object_or_404(
        PrivacyRequest,
        uuid=request_uuid,
        user=request.user,
        kind=PrivacyRequestKind.EXPORT,
        status=PrivacyRequestStatus.READY,
    )
    if not export.file:
        raise Http404
    response = FileResponse(
        export.file.open("rb"),
        content_type="application/zip",
        as_attachment=True,
        filename=f"mes-donnees-{export.created_at:%Y-%m-%d}.zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def erasure_request(request):
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    done = services.privacy_erasure(user=request.user)
    if done is None:
        logout(request)
        messages.success(request, _("Votre compte et toutes vos données ont été supprimés."))
        return redirect("home")
    messages.success(
        request, _("Votre demande d'effacement est traitée : voyez ci-dessous ce qui est conservé.")
    )
    return redirect("candidates:privacy")
