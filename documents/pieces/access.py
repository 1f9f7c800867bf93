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
from documents.pieces.disarm import JPEG
from documents.pieces.previews import PREVIEW_BOX, thumbnail_jpeg
from documents.pieces.watermark import watermark, watermark_text
from portal.exceptions import DomainError

logger = logging.getLogger(__name__)

WATERMARKED_CODES = frozenset({PieceCode.IDENTITY})


def is_staff_access(user, piece_file: PieceFile) -> bool:
    return piece_file.piece.dossier.candidate_id != user.pk


def _log(piece_file: PieceFile, user, *, download: bool) -> bool:
    """Write the access row; True when the copy served must carry the watermark."""
    marked = piece_file.piece.code in WATERMARKED_CODES
    PieceAccess.objects.create(
        dossier=piece_file.piece.dossier,
        piece_file=piece_file,
        piece_code=piece_file.piece.code,
        file_name=piece_file.original_name,
        user=user,
        user_label=(getattr(user, "email", "") or str(user))[:254],
        action=PieceAccessAction.DOWNLOAD if download else PieceAccessAction.VIEW,
        watermarked=marked,
    )
    return marked


def _watermark_text(piece_file: PieceFile) -> str:
    session = piece_file.piece.dossier.session
    today = session.academie.localtime(timezone.now()).strftime("%d/%m/%Y")
    return watermark_text(academie_name=session.academie.name, session_year=session.year, on=today)


def open_for_staff(*, piece_file: PieceFile, user, download: bool):
    """Log the access and return a readable binary file: the stored file, or for an identity
    document a watermarked copy naming the académie, the session and today's date."""
    if not _log(piece_file, user, download=download):
        return piece_file.file.open("rb")
    with piece_file.file.open("rb") as fh:
        data = fh.read()
    return _marked(piece_file, lambda: watermark(data, piece_file.content_type, _watermark_text(piece_file)))


def preview_for_staff(*, piece_file: PieceFile, user) -> bytes:
    """The dossier page's preview of an image piece (issue 18: the page took 2 s while the browser
    fetched and scaled every full-size photo): a JPEG within ``PREVIEW_BOX``, logged as a view
    like the file itself and watermarked like it (the mark drawn at the preview's size, so it
    stays legible)."""
    marked = _log(piece_file, user, download=False)
    with piece_file.file.open("rb") as fh:
        data = fh.read()

    def make() -> bytes:
        small = thumbnail_jpeg(data, PREVIEW_BOX)
        return watermark(small, JPEG, _watermark_text(piece_file)) if marked else small

    return _marked(piece_file, make).getvalue()


def _marked(piece_file: PieceFile, make):
    try:
        return io.BytesIO(make())
    except Exception as exc:
        # Never an unmarked copy instead: the staff member is told, the operator sees the log.
        logger.exception("watermark or preview of piece file %s failed", piece_file.pk)
        raise DomainError(
            _(
                "Ce fichier ne peut pas être affiché avec son filigrane : il est endommagé. Demandez au candidat de le déposer à nouveau."
            ),
            code="watermark_failed",
        ) from exc
