from django.core.management import call_command

from documents.recap.signing import check_seal, seal_pdf


def test_the_command_creates_the_certificate_once(tmp_path, settings):
    path = tmp_path / "keys" / "signing.p12"
    settings.SIGNING_CERT_PATH = str(path)
    settings.SIGNING_CERT_PASSWORD = "s3cret"
    call_command("ensure_signing_certificate")
    first = path.read_bytes()
    assert path.stat().st_mode & 0o077 == 0  # private key: readable by its owner only
    call_command("ensure_signing_certificate")
    assert path.read_bytes() == first
    # The created certificate seals, and its seal validates.
    from weasyprint import HTML

    sealed = seal_pdf(HTML(string="<p>x</p>").write_pdf(), reason="test")
    assert check_seal(sealed).valid
