"""When and where each épreuve of a session is sat (issue 14, convocations: domain.md §8 "the
convocation: épreuves, dates, centres"). Typed or imported (CSV) by the academy managers; the
convocations read them. Imported by exams/models.py so the app label stays `exams`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from exams.sittings.rules import sitting_problems


class EpreuveSitting(models.Model):
    """One épreuve of a session: its start and end (stored aware, typed on the académie's clocks)
    and its centre. One sitting per épreuve and session: the convocation names one place."""

    session = models.ForeignKey(
        "exams.Session", on_delete=models.CASCADE, related_name="sittings", verbose_name=_("session")
    )
    epreuve = models.ForeignKey(
        "exams.Epreuve", on_delete=models.PROTECT, related_name="sittings", verbose_name=_("épreuve")
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    centre_name = models.CharField(_("centre d'examen"), max_length=200)
    centre_address = models.TextField(_("adresse du centre"))
    instructions = models.TextField(
        _("consignes"),
        blank=True,
        help_text=_(
            "Imprimées sur la convocation (ex. : calculatrice autorisée, se présenter 30 min avant)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("date et centre d'épreuve")
        verbose_name_plural = _("dates et centres des épreuves")
        ordering = ["session", "starts_at", "epreuve__code"]
        constraints = [
            models.UniqueConstraint(fields=["session", "epreuve"], name="one_sitting_per_session_epreuve"),
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="sitting_starts_before_it_ends"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.epreuve.code} – {self.session}"

    def clean(self) -> None:
        if not (self.session_id and self.epreuve_id):
            return
        problems = sitting_problems(
            session=self.session,
            specialty_opened=self.session.openings.filter(specialty_id=self.epreuve.specialty_id).exists(),
            starts_at=self.starts_at,
            ends_at=self.ends_at,
        )
        if problems:
            raise ValidationError(problems)
