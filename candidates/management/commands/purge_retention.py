"""``manage.py purge_retention``: what the daily beat job does (issue 12, docs/rgpd.md)."""

from django.core.management.base import BaseCommand

from candidates.privacy.services import identity_documents_purge, privacy_exports_expire, purge_retention


class Command(BaseCommand):
    help = (
        "Supprime les dossiers, pièces et PDF des sessions dont la durée de conservation est écoulée, "
        "les pièces d'identité après le délai de recours et les exports de données expirés."
    )

    def handle(self, *args, **options):
        purges = purge_retention()
        for purge in purges:
            self.stdout.write(
                f"{purge.session_code}: {purge.dossiers} dossier(s), {purge.files} fichier(s), "
                f"{purge.documents} PDF supprimés"
            )
        identity = identity_documents_purge()
        exports = privacy_exports_expire()
        self.stdout.write(
            f"{len(purges)} session(s) purgée(s) ; {identity} pièce(s) d'identité supprimée(s) ; "
            f"{exports} export(s) expiré(s) supprimé(s)."
        )
