"""Public verification of a recap PDF (issue 6) or a convocation (issue 14): is it one we produced,
which version, intact?

Two independent proofs: the file's SHA-256 equals one we recorded (so it is byte-for-byte our
file), and the PAdES seal validates against our platform certificate (so it was not altered
after signing, which anyone can also check offline). The answer shows only what the PDF itself
shows (number, name, session, specialty, version, dates), never address, birth date or e-mail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Q

from documents.models import DocumentKind, DocumentStatus, GeneratedDocument
from documents.recap.signing import SealCheck, check_seal


class Verdict:
    AUTHENTIC_SIGNED = "authentic_signed"  # our signed recap, unchanged, seal valid
    AUTHENTIC_UNSIGNED = "authentic_unsigned"  # our recap as generated, not (yet) signed
    AUTHENTIC_SEALED = "authentic_sealed"  # our convocation, sealed by the worker, unchanged
    TAMPERED = "tampered"  # carries a signature that does not validate: altered or not ours
    UNKNOWN = "unknown"  # not a document of ours


@dataclass(frozen=True)
class VerificationResult:
    verdict: str
    document: GeneratedDocument | None = None
    seal: SealCheck | None = None
    is_latest: bool = False

    @property
    def is_authentic(self) -> bool:
        return self.verdict in (
            Verdict.AUTHENTIC_SIGNED,
            Verdict.AUTHENTIC_UNSIGNED,
            Verdict.AUTHENTIC_SEALED,
        )


# The documents a third party may be shown and asked about (their QR codes point here).
VERIFIABLE_KINDS = (DocumentKind.RECAP, DocumentKind.CONVOCATION)


def _recaps():
    return GeneratedDocument.objects.filter(
        kind__in=VERIFIABLE_KINDS, status=DocumentStatus.READY
    ).select_related("dossier__session__academie", "dossier__specialty", "dossier__option")


def recap_is_latest(document: GeneratedDocument) -> bool:
    return not GeneratedDocument.objects.filter(
        dossier_id=document.dossier_id,
        kind=document.kind,
        status=DocumentStatus.READY,
        version__gt=document.version,
    ).exists()


def recap_by_token(token: str) -> GeneratedDocument | None:
    """The recap a QR code points to (the token is random, 32 characters: not guessable)."""
    if not token.isascii() or not token.isprintable() or len(token) > 64:
        return None  # issue 12: "a\x00b" made PostgreSQL raise (a 500); no token looks like that
    return _recaps().filter(verification_token=token).first()


def verify_pdf(data: bytes) -> VerificationResult:
    digest = hashlib.sha256(data).hexdigest()
    document = _recaps().filter(Q(signed_sha256=digest) | Q(sha256=digest)).first()
    if document is not None and document.signed_sha256 == digest:
        seal = check_seal(data)
        return VerificationResult(
            Verdict.AUTHENTIC_SIGNED if seal.valid else Verdict.TAMPERED,
            document=document if seal.valid else None,
            seal=seal,
            is_latest=recap_is_latest(document),
        )
    if document is not None and document.kind == DocumentKind.CONVOCATION:
        # Sealed when rendered: the recorded hash is the sealed file's, and the seal must hold.
        seal = check_seal(data)
        return VerificationResult(
            Verdict.AUTHENTIC_SEALED if seal.valid else Verdict.TAMPERED,
            document=document if seal.valid else None,
            seal=seal,
            is_latest=recap_is_latest(document),
        )
    if document is not None:
        return VerificationResult(
            Verdict.AUTHENTIC_UNSIGNED, document=document, is_latest=recap_is_latest(document)
        )
    seal = check_seal(data)
    if seal.has_signature:
        # A signature that is ours but whose bytes we never recorded cannot happen unless the
        # database was restored without its files; it is still not something we can vouch for.
        return VerificationResult(Verdict.TAMPERED, seal=seal)
    return VerificationResult(Verdict.UNKNOWN, seal=seal)
