"""Remove files of private storage that no piece or document references (after a grace)."""

from django.core.management.base import BaseCommand

from documents.orphans import orphan_files_sweep


class Command(BaseCommand):
    help = "Supprime les fichiers du stockage privé qu'aucune pièce ni aucun document ne référence."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-seconds", type=int, default=None, help="défaut : ORPHAN_FILES_GRACE_SECONDS"
        )
        parser.add_argument("--dry-run", action="store_true", help="liste sans supprimer")

    def handle(self, *args, grace_seconds=None, dry_run=False, **options):
        names = orphan_files_sweep(grace_seconds=grace_seconds, dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        verb = "trouvé(s)" if dry_run else "supprimé(s)"
        self.stdout.write(self.style.SUCCESS(f"{len(names)} fichier(s) orphelin(s) {verb}."))
