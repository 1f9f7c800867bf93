"""``manage.py seed_demo``: the demo catalogue of the notices and the demo logins (idempotent)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from candidates.models import Profile
from documents.models import PieceRule
from documents.pieces.services import seed_piece_rules
from exams.demo import seed_catalogue, seed_demo_accounts
from exams.models import (
    Academie,
    Departement,
    Epreuve,
    EpreuveSitting,
    Exam,
    Language,
    Session,
    SessionSpecialty,
    Specialty,
    SpecialtyOption,
    StaffAssignment,
)

COUNTED = [
    Exam,
    Academie,
    Departement,
    Language,
    Session,
    SessionSpecialty,
    Specialty,
    SpecialtyOption,
    Epreuve,
    EpreuveSitting,
    StaffAssignment,
    get_user_model(),
    Profile,
]


class Command(BaseCommand):
    help = (
        "Charge le catalogue BTS de démonstration (académies, sessions des notices et une session "
        "ouverte par académie, spécialités, épreuves, langues) et les comptes de démonstration. "
        "Idempotent : peut être relancé ; les dates de la session ouverte suivent la date du jour."
    )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        seed_catalogue(now=now)
        # The piece requirement rules of each académie's notice (issue 5), after the specialties.
        rules = seed_piece_rules()
        accounts = seed_demo_accounts(now=now)

        self.stdout.write(self.style.SUCCESS("Catalogue de démonstration chargé."))
        self.stdout.write(
            f"  Règles de pièces    {PieceRule.objects.count():>4} ({rules} ajoutées à ce passage)"
        )
        for model in COUNTED:
            self.stdout.write(f"  {model._meta.object_name:<16} {model.objects.count():>4}")
        open_sessions = Session.objects.open_at(now).select_related("academie").order_by("academie__code")
        self.stdout.write("Sessions ouvertes maintenant :")
        for session in open_sessions:
            closes = session.local(session.registration_closes_at)
            self.stdout.write(
                f"  {session.code:<28} clôture {closes:%d/%m/%Y %H:%M} ({session.academie.time_zone})"
            )
        self.stdout.write(f"Comptes de démonstration (mot de passe pour tous : {accounts.password}) :")
        for account in accounts.accounts:
            self.stdout.write(f"  {account.email:<46} {account.role}")
