"""Staff access to deposited files (issue 12, RGPD): every view or download by someone other than
the candidate writes a ``PieceAccess`` row (who, when, which file), shown in the dossier's history;
identity documents are served as a watermarked copy. The response itself is portal.files'
(the download name ends with the extension of the type found by content)."""

from __future__ import annotations

import io
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import PieceAccess, PieceAccessAction, PieceCode, PieceFile
from documents.pieces.watermark import watermark, watermark_text
from portal.exceptions import DomainError

logger = logging.getLogger(__name__)

WATERMARKED_CODES = frozenset({PieceCode.IDENTITY})


def is_staff_access(user, piece_file: PieceFile) -> bool:
    return piece_file.piece.dossier.candidate_id != user.pk


def open_for_staff(*, piece_file: PieceFile, user, download: bool):
    """Log the access and return a readable binary file: the stored file, or for an identity
    document a watermarked copy naming the académie, the session and today's date."""
    dossier = piece_file.piece.dossier
    marked = piece_file.piece.code in WATERMARKED_CODES
    PieceAccess.objects.create(
        dossier=dossier,
        piece_file=piece_file,
        piece_code=piece_file.piece.code,
        file_name=piece_file.original_name,
        user=user,
        user_label=(getattr(user, "email", "") or str(user))[:254],
        action=PieceAccessAction.DOWNLOAD if download else PieceAccessAction.VIEW,
        watermarked=marked,
    )
    if not marked:
        return piece_file.file.open("rb")
    session = dossier.session
    today = session.academie.localtime(timezone.now()).strftime("%d/%m/%Y")
    text = watermark_text(academie_name=session.academie.name, session_year=session.year, on=today)
    with piece_file.file.open("rb") as fh:
        data = fh.read()
    try:
        return io.BytesIO(watermark(data, piece_file.content_type, text))
    except Exception as exc:
        # Never an unmarked copy instead: the staff member is told, the operator sees the log.
        logger.exception("watermark of piece file %s failed", piece_file.pk)
        raise DomainError(
            _(
                "Ce fichier ne peut pas être affiché avec son filigrane : il est endommagé. Demandez au candidat de le déposer à nouveau."
            ),
            code="watermark_failed",
        ) from exc
