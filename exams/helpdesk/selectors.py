"""Reads of the help pages: one académie's help (two queries) and the candidate's académie."""

from __future__ import annotations

from dataclasses import dataclass

from exams.helpdesk.models import AcademieHelp, FaqEntry
from exams.models import Academie


@dataclass(frozen=True)
class HelpPage:
    academie: Academie
    help: AcademieHelp | None
    faq: list[FaqEntry]


def help_page(code: str) -> HelpPage | None:
    academie = Academie.objects.filter(code=code).select_related("help").first()
    if academie is None:
        return None
    faq = list(FaqEntry.objects.filter(academie=academie, is_published=True).order_by("order", "pk"))
    return HelpPage(academie=academie, help=getattr(academie, "help", None), faq=faq)


def academie_of(user) -> Academie | None:
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if profile is None or profile.departement_id is None:
        return None
    return profile.departement.academie
