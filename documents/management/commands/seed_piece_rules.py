"""Seed the piece requirement rules of the notices for every académie (idempotent)."""

from django.core.management.base import BaseCommand

from documents.pieces.services import seed_piece_rules


class Command(BaseCommand):
    help = "Crée les règles des pièces justificatives de chaque académie à partir des notices (idempotent)."

    def handle(self, *args, **options):
        created = seed_piece_rules()
        self.stdout.write(self.style.SUCCESS(f"{created} règle(s) de pièces créée(s)."))
