"""The platform's signing certificate and the PAdES seal of recaps (pyhanko), and their validation.

The recap is sealed by the platform (an "e-seal"), not by a personal certificate of the candidate:
the candidate's consent is the re-entered password and the ticked certification, recorded beside the
document (who, when, from which IP, which hash). The seal makes any later change of the bytes
detectable by anyone holding our certificate.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

SIGNATURE_FIELD = "SignatureRecapitulatif"


class SigningCertificateMissing(RuntimeError):
    """The platform certificate is absent: `manage.py ensure_signing_certificate` creates one."""


def _password_bytes(password: str) -> bytes | None:
    return password.encode() if password else None


def create_self_signed_certificate(
    path: Path | str, *, password: str = "", common_name: str = "Portail des examens – cachet"
) -> Path:
    """Write a self-signed PKCS#12 (key + certificate, 10 years) for the embedded default.

    A production deployment should instead point SIGNING_CERT_PATH to a certificate issued by a
    recognised authority; verification works the same way with either.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Portail des examens"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: what a seal asserts
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(b"portail", key, cert, None, encryption)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


@lru_cache(maxsize=4)
def _load_signer(path: str, password: str, mtime: float) -> signers.SimpleSigner:
    # mtime in the cache key: a replaced certificate is picked up without restarting workers.
    signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=_password_bytes(password))
    if signer is None:
        raise SigningCertificateMissing(f"Cannot load the signing certificate {path}")
    return signer


def get_signer() -> signers.SimpleSigner:
    path = Path(settings.SIGNING_CERT_PATH)
    if not path.exists():
        raise SigningCertificateMissing(
            f"No signing certificate at {path}: run `manage.py ensure_signing_certificate`."
        )
    return _load_signer(str(path), settings.SIGNING_CERT_PASSWORD, path.stat().st_mtime)


def platform_certificate() -> asn1_x509.Certificate:
    return get_signer().signing_cert


def _outside_event_loop(fn, /, *args, **kwargs):
    """pyhanko's synchronous API calls asyncio.run(), which refuses to run inside a thread that
    already runs an event loop (an ASGI server, a test driving a browser). Run it in a short-lived
    thread then; in a WSGI request or a Celery worker it runs right here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def seal_pdf(pdf: bytes, *, reason: str, location: str = "", signer_name: str = "") -> bytes:
    """Return ``pdf`` with a PAdES baseline signature by the platform appended (incremental)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location or None,
        name=signer_name or None,
    )
    out = _outside_event_loop(signers.sign_pdf, writer, meta, signer=get_signer())
    return out.getvalue()


@dataclass(frozen=True)
class SealCheck:
    """What our validation of a PDF's seal found. ``valid`` is the one bottom line to trust."""

    has_signature: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signed_at: dt.datetime | None = None

    @property
    def valid(self) -> bool:
        return self.has_signature and self.intact and self.trusted and self.covers_whole_file


def check_seal(pdf: bytes) -> SealCheck:
    """Validate the last signature of ``pdf`` against our platform certificate only.

    A file that cannot be parsed, carries no signature, was signed by someone else, or was
    changed after signing (even by one byte, even by an appended revision) is not valid.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception:
        return SealCheck(has_signature=False)
    if not sigs:
        return SealCheck(has_signature=False)
    sig = sigs[-1]
    context = ValidationContext(trust_roots=[platform_certificate()], allow_fetching=False)
    try:
        status = _outside_event_loop(
            validate_pdf_signature,
            sig,
            context,
            key_usage_settings=KeyUsageConstraints(key_usage={"non_repudiation"}),
        )
    except Exception:
        return SealCheck(has_signature=True)
    return SealCheck(
        has_signature=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signed_at=status.signer_reported_dt,
    )
