"""The registration wizard's pages: thin views that call the services and show their refusals on
the field at fault (domain.md §3, §4, §7)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.accounts.rules import country_name
from candidates.messaging.selectors import unread_by_dossier
from candidates.models import Dossier
from candidates.registration import selectors, services, withdrawal
from candidates.registration.forms import (
    TAB_FORMS,
    ConditionsForm,
    EpreuvesForm,
    LanguagesForm,
    SessionForm,
    SpecialtyForm,
)
from candidates.registration.selectors import TAB_LABELS, TAB_SLUGS, TABS
from exams.deadlines import deadline_wording
from exams.helpdesk.models import AcademieHelp
from portal.exceptions import DomainError


def _dossier(request, pk: int) -> Dossier:
    try:
        return selectors.dossier_for_candidate(request.user, pk)
    except Dossier.DoesNotExist:
        raise Http404 from None


def _read_only_reason(dossier: Dossier, now) -> str:
    refusal = services.dossier_edit_refusal(dossier, at=now)
    return refusal.message if refusal else ""


def _context(dossier: Dossier, tab: str, now, **extra) -> dict:
    done = set(dossier.completed_tabs or [])
    index = TAB_SLUGS.index(tab)
    return {
        "dossier": dossier,
        "session": dossier.session,
        "tab": tab,
        "tab_label": TAB_LABELS[tab],
        "tab_number": index + 1,
        # Each tab's link reversed once here: the frame writes the list twice (phone, desktop),
        # and a {% url %} per item was a tenth of a tab's CPU (issue 15).
        "tabs": [
            {
                "slug": slug,
                "label": label,
                "number": i + 1,
                "done": slug in done,
                "current": slug == tab,
                "url": reverse("registration:tab", args=[dossier.pk, slug]),
            }
            for i, (slug, label) in enumerate(TABS)
        ],
        "progress": round(100 * len(done & set(TAB_SLUGS)) / len(TAB_SLUGS)),
        "previous_tab": TAB_SLUGS[index - 1] if index > 0 else None,
        "next_tab": TAB_SLUGS[index + 1] if index + 1 < len(TAB_SLUGS) else None,
        "read_only": _read_only_reason(dossier, now),
        "status": selectors.dossier_status(dossier, at=now),
        **extra,
    }


@login_required
def start(request):
    """Tab 1: only open sessions of the académie of the candidate's département (CF, TLS)."""
    now = timezone.now()
    academie = selectors.candidate_academie(request.user)
    outside = "" if academie else selectors.residence_outside_portal(request.user)
    sessions = list(selectors.open_sessions_for(request.user, at=now))
    form = SessionForm(request.POST if request.method == "POST" else None, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.dossier_start(
                candidate=request.user, session=form.cleaned_data["session"], acting_user=request.user
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Inscription commencée : complétez les onglets puis enregistrez-la."))
            return redirect("registration:tab", pk=dossier.pk, tab="identite")
    drafts = selectors.dossiers_for_space(request.user).filter(session__in=sessions)
    return render(
        request,
        "candidates/wizard/start.html",
        {
            "form": form,
            "sessions": sessions,
            "academie": academie,
            "existing": drafts,
            "now": now,
            "outside": outside and selectors.outside_portal_message(outside),
        },
    )


def _initial(dossier: Dossier, tab: str) -> dict:
    from candidates.registration.services import (
        CONSENT_FIELDS,
        CONTACT_FIELDS,
        HANDICAP_FIELDS,
        IDENTITY_FIELDS,
        SITUATION_FIELDS,
    )

    fields = {
        "identite": IDENTITY_FIELDS,
        "contact": CONTACT_FIELDS,
        "situation": SITUATION_FIELDS,
        "specialite": ["specialty", "option", "forme"],
        "langues": ["mandatory_language", "mandatory_language_other", "optional_language"],
        "handicap": HANDICAP_FIELDS,
    }.get(tab, [])
    initial = {f: getattr(dossier, f) for f in fields}
    if tab == "contact":
        profile = getattr(dossier.candidate, "profile", None)
        for f in CONSENT_FIELDS:
            value = getattr(profile, f, None) if profile else None
            initial[f] = value
    if tab == "langues":
        initial["optional_epreuves"] = [
            c.epreuve_id
            for c in dossier.epreuve_choices.filter(epreuve__is_optional=True, epreuve__is_language=False)
        ]
    return initial


def _build_form(dossier: Dossier, tab: str, data=None):
    """The tab's form, told when the tab was never saved (its messages then say so)."""
    form = _tab_form(dossier, tab, data)
    if tab not in (dossier.completed_tabs or []):
        form.never_saved()
    return form


def _tab_form(dossier: Dossier, tab: str, data=None):
    initial = _initial(dossier, tab)
    if tab == "specialite":
        return SpecialtyForm(
            data, initial=initial, dossier=dossier, locked_forme=selectors.locked_forme(dossier)
        )
    if tab == "epreuves":
        existing = {c.epreuve_id: c for c in dossier.epreuve_choices.all()}
        offered = selectors.offered_benefices(dossier)
        return EpreuvesForm(
            data,
            dossier=dossier,
            epreuves=selectors.wizard_epreuves(dossier),
            offered=offered,
            existing=existing,
            keepable=selectors.keepable_benefices(dossier, offered=offered),
        )
    if tab == "langues":
        return LanguagesForm(
            data, initial=initial, dossier=dossier, optional_epreuves=selectors.optional_epreuves(dossier)
        )
    return TAB_FORMS[tab](data, initial=initial)


def _save_tab(request, pk: int, tab: str) -> tuple[Dossier | None, object, bool]:
    """A tab's POST: the form is built and checked on the dossier locked for the save, which the
    service then uses as is (issue 15: the view's read and the service's locking read were two
    four-table queries of the same row). Returns (dossier, form, saved); the dossier is None after
    a refusal of the service, whose changes to it were rolled back."""
    with transaction.atomic():
        try:
            dossier = services.dossier_lock_for_edit(dossier_id=pk, candidate=request.user)
        except DomainError:
            raise Http404 from None
        form = _build_form(dossier, tab, request.POST)
        if not form.is_valid():
            return dossier, form, False
        try:
            saved = services.dossier_save_tab(
                dossier_id=dossier.pk,
                tab=tab,
                data=form.to_service(),
                acting_user=request.user,
                locked=dossier,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return None, form, False
    return saved, form, True


@login_required
def tab(request, pk: int, tab: str):
    if tab not in TAB_SLUGS:
        raise Http404
    if request.method == "POST" and tab not in ("session", "conditions"):
        dossier, form, saved = _save_tab(request, pk, tab)
        if saved:
            messages.success(request, _("Onglet « %(tab)s » enregistré.") % {"tab": TAB_LABELS[tab]})
            for other, why in getattr(dossier, "broken_tabs", []):
                messages.warning(
                    request,
                    _("L'onglet « %(tab)s » est à revoir : %(why)s") % {"tab": TAB_LABELS[other], "why": why},
                )
            following = TAB_SLUGS[TAB_SLUGS.index(tab) + 1]
            return redirect("registration:tab", pk=dossier.pk, tab=following)
        if dossier is None:
            dossier = _dossier(request, pk)  # what is saved, untouched by the refused change
        now = timezone.now()
    else:
        dossier = _dossier(request, pk)
        now = timezone.now()
        if tab == "session":
            return render(request, "candidates/wizard/tab_session.html", _context(dossier, tab, now))
        if tab == "conditions":
            return _conditions(request, dossier, now)
        form = _build_form(dossier, tab)
    context = _context(dossier, tab, now, form=form)
    if context["read_only"]:
        # The widget is disabled, not the field: a refused POST still shows what was typed.
        for field in form.fields.values():
            field.widget.attrs["disabled"] = True
    if tab == "handicap":
        deadline = dossier.session.handicap_request_deadline
        # «le 15/11/2023 à 17 h 00» or «le 8/12/2024 à minuit»: the notice's way (exams.deadlines).
        context["handicap_deadline"] = deadline and deadline_wording(
            deadline, dossier.session.academie.tzinfo
        )
    template = (
        "candidates/wizard/tab_epreuves.html" if tab == "epreuves" else "candidates/wizard/tab_form.html"
    )
    return render(request, template, context, status=200)


def _conditions(request, dossier: Dossier, now):
    form = ConditionsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.dossier_register(
                dossier_id=dossier.pk, acting_user=request.user, certified=form.cleaned_data["certify"]
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            dossier = _dossier(request, dossier.pk)
        else:
            messages.success(
                request, _("Inscription enregistrée. Votre numéro de dossier : %(n)s") % {"n": dossier.number}
            )
            return redirect("registration:detail", pk=dossier.pk)
    # issue 18 item 7: what the candidate certifies (tab 9) is shown and linked, not assumed.
    academie = dossier.session.academie
    help_ = AcademieHelp.objects.filter(academie=academie).first()
    return render(
        request,
        "candidates/wizard/tab_conditions.html",
        _context(
            dossier,
            "conditions",
            now,
            form=form,
            notice_url=help_.notice_url if help_ else "",
            notice_title=help_.notice_title if help_ else "",
            pieces_deadline=deadline_wording(dossier.session.pieces_deadline, academie.tzinfo),
            **_summary(dossier),
        ),
    )


def _summary(dossier: Dossier) -> dict:
    choices = list(
        dossier.epreuve_choices.select_related("epreuve").order_by("epreuve__order", "epreuve__code")
    )
    return {
        "compulsory_choices": [c for c in choices if not c.epreuve.is_optional],
        "optional_choices": [c for c in choices if c.epreuve.is_optional],
        "profile": getattr(dossier.candidate, "profile", None),
        # issue 18 item 5: countries by name, as the tabs offer them, not their ISO codes.
        "birth_country_name": country_name(dossier.birth_country) if dossier.birth_country else "—",
        "nationality_name": country_name(dossier.nationality) if dossier.nationality else "—",
    }


@login_required
def detail(request, pk: int):
    """The dossier as registered: the number first (CF: "si ce numéro n'apparaît pas, c'est que
    votre préinscription n'a pas été enregistrée")."""
    dossier = _dossier(request, pk)
    now = timezone.now()
    return render(
        request,
        "candidates/wizard/detail.html",
        {
            "dossier": dossier,
            "session": dossier.session,
            "status": selectors.dossier_status(dossier, at=now),
            "read_only": _read_only_reason(dossier, now),
            "may_withdraw": withdrawal.withdrawal_refusal(dossier, now) is None,
            "thread_unread": unread_by_dossier([dossier.pk], from_staff=True).get(dossier.pk, 0),
            **_summary(dossier),
        },
    )
