"""The help page of each académie (issue 14): opening hours of the bureau, the notice as a link,
a short FAQ the academy managers edit in the admin. Contact e-mail and phone are the académie's
own fields. Imported by exams/models.py so the app label stays `exams`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AcademieHelp(models.Model):
    academie = models.OneToOneField(
        "exams.Academie", on_delete=models.CASCADE, related_name="help", verbose_name=_("académie")
    )
    opening_hours = models.TextField(
        _("horaires d'accueil du bureau des examens"),
        blank=True,
        help_text=_("Ex. : du lundi au vendredi, 9 h – 12 h et 14 h – 16 h 30."),
    )
    notice_url = models.URLField(_("lien vers la notice d'inscription"), blank=True)
    notice_title = models.CharField(_("titre de la notice"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("page d'aide")
        verbose_name_plural = _("pages d'aide")

    def __str__(self) -> str:
        return str(self.academie)


class FaqEntry(models.Model):
    academie = models.ForeignKey(
        "exams.Academie", on_delete=models.CASCADE, related_name="faq", verbose_name=_("académie")
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("réponse"))
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_published = models.BooleanField(_("publiée"), default=True)

    class Meta:
        verbose_name = _("question fréquente")
        verbose_name_plural = _("questions fréquentes")
        ordering = ["academie", "order", "pk"]

    def __str__(self) -> str:
        return self.question
