"""Create the platform's self-signed signing certificate when absent (`make run` calls it)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from documents.recap.signing import create_self_signed_certificate


class Command(BaseCommand):
    help = "Crée le certificat de cachet auto-signé de la plateforme s'il n'existe pas (SIGNING_CERT_PATH)."

    def handle(self, *args, **options):
        path = Path(settings.SIGNING_CERT_PATH)
        if path.exists():
            self.stdout.write(f"Certificat de signature présent : {path}")
            return
        create_self_signed_certificate(path, password=settings.SIGNING_CERT_PASSWORD)
        self.stdout.write(self.style.SUCCESS(f"Certificat de signature auto-signé créé : {path}"))
