"""Copy the local private folder into the configured storage (the S3 bucket), verifying each object.

Idempotent and resumable: an object already there with the same size and SHA-256 is skipped, one
that differs (an interrupted copy) is replaced; run it again after a failure and it carries on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

CHUNK = 1024 * 1024


def _sha256(fh) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(CHUNK), b""):
        digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Copie le dossier privé local dans le stockage configuré (STORAGE_URL) et vérifie chaque objet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", default=str(settings.PRIVATE_MEDIA_ROOT), help="dossier local à copier"
        )
        parser.add_argument("--dry-run", action="store_true", help="compter sans rien copier")

    def handle(self, *args, source: str, dry_run: bool, **options):
        root = Path(source)
        if not root.is_dir():
            raise CommandError(f"Le dossier « {root} » n'existe pas.")
        storage = storages["default"]
        if Path(getattr(storage, "location", "") or "/nonexistent").resolve() == root.resolve():
            raise CommandError(
                "Le stockage configuré est ce même dossier local : définissez STORAGE_URL (le bucket cible)."
            )
        files = sorted(p for p in root.rglob("*") if p.is_file())
        copied = skipped = 0
        total = len(files)
        for index, path in enumerate(files, start=1):
            name = path.relative_to(root).as_posix()
            with path.open("rb") as fh:
                local_hash = _sha256(fh)
            size = path.stat().st_size
            if storage.exists(name) and storage.size(name) == size:
                with storage.open(name, "rb") as remote:
                    if _sha256(remote) == local_hash:
                        skipped += 1
                        self._progress(index, total, name, "déjà copié")
                        continue
            if dry_run:
                self._progress(index, total, name, "à copier")
                continue
            if storage.exists(name):
                storage.delete(name)  # an interrupted or different copy: replaced, under the same name
            with path.open("rb") as fh:
                saved = storage.save(name, File(fh, name=name))
            if saved != name:
                raise CommandError(f"Le stockage a renommé « {name} » en « {saved} » : copie interrompue.")
            with storage.open(name, "rb") as remote:
                if storage.size(name) != size or _sha256(remote) != local_hash:
                    raise CommandError(
                        f"Vérification échouée pour « {name} » (taille ou empreinte différente)."
                    )
            copied += 1
            self._progress(index, total, name, "copié et vérifié")
        verb = "à copier" if dry_run else "copiés"
        self.stdout.write(
            self.style.SUCCESS(f"{total} fichiers : {copied} {verb}, {skipped} déjà présents et identiques.")
        )

    def _progress(self, index: int, total: int, name: str, what: str) -> None:
        percent = index * 100 // total
        self.stdout.write(f"[{index}/{total} {percent:3d} %] {name} — {what}")
