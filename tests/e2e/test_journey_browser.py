"""The whole journey in Chromium against a live server (issue 18), once on a phone (390×844) and
once at a desk (1280×900): a new candidate signs up (the activation link read from the outbox),
fills the profile and the nine tabs, gets a number, signs the recap, deposits every required piece
(real PDF and JPEG files) and locks them; the Nancy-Metz gestionnaire starts the review in the
admin and invalidates a piece; the candidate reads the message, replaces it and locks again; the
gestionnaire accepts everything and declares the dossier conforme; the candidate sees it. On the
way, the refusals a candidate meets: a session that closed while the page was open, a postcode of
another académie, a file that is not what it says, a file over the size limit.

Every page visited, the admin's included, goes through ``Audit.check``: axe-core 0 serious or
critical, no horizontal overflow. After each refused POST the error summary has the focus.
``E2E_SCREENSHOTS=docs/screenshots`` (``make screenshots``) writes the README's screenshots."""

from __future__ import annotations

import datetime as dt
import io
import re
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from candidates.models import Dossier, DossierState
from documents.models import Piece
from exams.demo_catalogue import DEMO_PASSWORD, GESTIONNAIRE_EMAIL
from exams.models import Session
from tests.documents.files import exe_bytes, jpeg_bytes, pdf_bytes

from .audit import (
    CLS_OBSERVER,
    Audit,
    cumulative_layout_shift,
    layout_shifts,
    navigation_ms,
    scroll_through_previews,
    summary_has_focus,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_per_param,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "Un-mot-de-passe-solide-1"
NEXT = "text=Enregistrer cet onglet et continuer"
LOCK = 'main button:has-text("J\'ai fourni toutes mes pièces")'
START_REVIEW = 'button:has-text("Commencer l\'examen")'
# What the journey measured, printed at the end (pytest -s) for the report and docs/performance.md.
MEASURES: dict[str, dict] = {}


@pytest.fixture(params=[(390, 844), (1280, 900)], ids=["phone", "desktop"])
def viewport(request):
    return {"width": request.param[0], "height": request.param[1]}


@pytest.fixture
def contexts(browser, viewport):
    """The candidate's browser and the gestionnaire's, of the same size. axe is injected as an
    inline script, so these contexts ignore the CSP (tests/e2e/test_csp_browser.py checks it)."""
    made = []

    def new():
        context = browser.new_context(viewport=viewport, locale="fr-FR", bypass_csp=True)
        context.add_init_script(CLS_OBSERVER)
        # Generous: the shared CI machine is often loaded; every wait is for a state, never a sleep.
        context.set_default_timeout(30_000)
        made.append(context)
        return context.new_page()

    yield new
    for context in made:
        context.close()


def _last_mail_to(address: str, subject_part: str = ""):
    for message in reversed(mail.outbox):
        if address in message.to and subject_part.lower() in message.subject.lower():
            return message
    raise AssertionError(f"no e-mail to {address} about {subject_part!r}: {[m.subject for m in mail.outbox]}")


def _submit(page, action, step: str) -> None:
    """Run ``action`` (a click that posts a form) and wait for the page it leads to, as far as its
    HTML (``domcontentloaded``: the next ``Audit.check`` waits for ``load`` itself). A navigation
    that never comes fails with the step's name, the URL and what the page shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    posted: list[str] = []

    def record(request) -> None:
        if request.is_navigation_request() and request.method == "POST":
            posted.append(request.url)

    page.on("request", record)
    try:
        # A minute: the CI machine runs three test processes, workers and browsers on two cores.
        with page.expect_navigation(wait_until="domcontentloaded", timeout=60_000):
            action()
    except PlaywrightTimeout as exc:
        try:
            shown = page.evaluate("() => document.body ? document.body.innerText : ''")
        except Exception as unreadable:  # the page is still navigating: say so
            shown = f"(page unreadable: {unreadable})"
        shown = re.sub(r"\s+", " ", shown)[:1500]
        first = str(exc).splitlines()[0]
        sent = f"the form was posted to {posted}" if posted else "the click posted nothing"
        raise AssertionError(f"step « {step} »: {first}; {sent}\nat {page.url}\npage: {shown}") from exc
    finally:
        page.remove_listener("request", record)


def _upload(page, code: str, name: str, content: bytes, mime: str) -> None:
    page.set_input_files(f"#id_{code}-files", files=[{"name": name, "mimeType": mime, "buffer": content}])
    _submit(page, lambda: page.click(f"#piece-{code} button[type=submit]"), f"déposer {code} ({name})")


def test_the_whole_journey(contexts, live_server, settings, viewport, signing_certificate, tmp_path):
    started = time.monotonic()
    settings.SITE_URL = live_server.url
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    seeded = time.monotonic()
    session = Session.objects.get(code__startswith="nancy-metz", registration_closes_at__gt=timezone.now())
    base = live_server.url
    audit = Audit.from_env()
    email = f"camille.{viewport['width']}@example.org"
    page = contexts()

    # --- sign-up and activation ------------------------------------------------------------------
    page.goto(base + "/")
    audit.check(page, "accueil", shot=True)
    # issue 18 item 7 (branch ux18): a "Créer un compte" button in the page's body, phone included.
    signup = page.locator("main").get_by_role("link", name=re.compile("Créer un compte"))
    if audit.expect(signup.count() > 0, "home: no « Créer un compte » link in the page's body"):
        signup.first.click()
    else:
        page.goto(base + "/creer-un-compte/")
    page.wait_for_url("**/creer-un-compte/")
    audit.check(page, "inscription-compte")
    page.fill("#id_email", email)
    page.fill("#id_email_confirm", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button:has-text('Créer mon compte')")
    page.wait_for_url("**/verifiez-votre-messagerie/")
    audit.check(page, "verifiez-votre-messagerie")
    link = re.search(r"http\S+/activation/\S+", _last_mail_to(email).body).group(0)
    assert link.startswith(base), link  # issue 18 item 1: the links follow the served address
    page.goto(link)
    audit.check(page, "activation")
    page.click("button:has-text('Activer mon compte')")
    page.wait_for_url("**/connexion/")
    audit.check(page, "connexion")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/mon-espace/")
    audit.check(page, "mon-espace-nouveau")

    # --- profile -----------------------------------------------------------------------------------
    page.goto(base + "/mon-espace/profil/modifier/")
    audit.check(page, "profil-modifier")
    page.fill("#id_birth_name", "dupont")
    page.fill("#id_first_name_1", "Camille")
    page.check("#id_sex_0")
    page.fill("#id_birth_date", "2001-05-14")
    page.fill("#id_birth_commune", "Nancy")
    page.fill("#id_address_line1", "3 place Stanislas")
    page.fill("#id_postcode", "54000")
    page.wait_for_selector("#departement-display:has-text('54')")
    page.fill("#id_city", "Nancy")
    page.fill("#id_mobile_phone", "06 12 34 56 78")
    for name in ("consent_press", "consent_commercial", "consent_local_authorities"):
        page.check(f"#id_{name}_1")
    page.click("button:has-text('Enregistrer mon profil')")
    page.wait_for_url("**/mon-espace/profil/")
    audit.check(page, "profil")
    assert "100 %" in page.inner_text("main")

    # --- tab 1, refused once: the session closed while the page was open --------------------------
    page.goto(base + "/inscription/")
    audit.check(page, "onglet-1-session")
    closes_at = session.registration_closes_at
    Session.objects.filter(pk=session.pk).update(
        registration_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    page.check(f'input[name=session][value="{session.pk}"]')
    page.click("text=Commencer l'inscription")
    assert summary_has_focus(page)
    assert "Les inscriptions sont closes" in page.inner_text("[data-error-summary]")
    audit.check(page, "onglet-1-session-close")
    assert not Dossier.objects.filter(candidate__email=email).exists()
    Session.objects.filter(pk=session.pk).update(registration_closes_at=closes_at)
    page.goto(base + "/inscription/")
    page.check(f'input[name=session][value="{session.pk}"]')
    page.click("text=Commencer l'inscription")
    page.wait_for_url("**/identite/")
    dossier = Dossier.objects.get(candidate__email=email)

    # --- the nine tabs -------------------------------------------------------------------------------
    audit.check(page, "onglet-2-identite")
    page.click(NEXT)  # pre-filled from the profile
    page.wait_for_url("**/contact/")
    audit.check(page, "onglet-3-coordonnees", shot=True)
    # Refused: a postcode of another académie (CF, TLS: one registers where one lives).
    page.fill("#id_postcode", "31000")
    page.fill("#id_city", "Toulouse")
    page.click(NEXT)
    assert summary_has_focus(page)
    assert "ne relève pas de l'académie" in page.inner_text("[data-error-summary]")
    audit.check(page, "onglet-3-autre-academie")
    page.fill("#id_postcode", "54000")
    page.fill("#id_city", "Nancy")
    page.click(NEXT)
    page.wait_for_url("**/situation/")
    audit.check(page, "onglet-4-situation")
    page.select_option("#id_category", "distance_school")
    page.fill("#id_access_diploma", "Baccalauréat STI2D 2022")
    page.click(NEXT)
    page.wait_for_url("**/specialite/")
    audit.check(page, "onglet-5-specialite", shot=True)
    page.select_option("#id_specialty", label="Électrotechnique")
    page.check("#id_forme_0")
    page.click(NEXT)
    page.wait_for_url("**/epreuves/")
    audit.check(page, "onglet-6-epreuves")
    page.click(NEXT)  # every épreuve taken
    page.wait_for_url("**/langues/")
    audit.check(page, "onglet-7-langues")
    page.select_option("#id_mandatory_language", label="Anglais")
    page.click(NEXT)
    page.wait_for_url("**/handicap/")
    audit.check(page, "onglet-8-handicap")
    page.click(NEXT)
    page.wait_for_url("**/conditions/")
    audit.check(page, "onglet-9-conditions")
    page.check("#id_certify")
    page.click("main button[type=submit]:text-is('Enregistrer')")
    page.wait_for_selector("#numero-dossier")
    number = page.inner_text("#numero-dossier").strip()
    assert re.fullmatch(rf"{session.year}-NANCY-METZ-\d{{6}}", number), number
    audit.check(page, "inscription-enregistree")

    # --- recap: read and sign --------------------------------------------------------------------------
    page.click("main a:has-text('Mon récapitulatif')")
    page.wait_for_url("**/mes-documents/")
    audit.check(page, "mes-documents")
    page.click("main a:has-text('Relire et signer')")
    page.wait_for_url("**/signer/")
    audit.check(page, "recapitulatif", shot=True)
    page.fill("#id_password", PASSWORD)
    page.check("#id_certify")
    page.click("main button:has-text('Signer la version')")
    # issue 18 item 7: signing leads to the next step, the other pieces.
    page.wait_for_url(f"**/mes-justificatifs/{dossier.pk}/")
    assert "Votre récapitulatif est signé" in page.inner_text("main")
    audit.check(page, "recapitulatif-signe")

    # --- pieces: refusals, then every required one, then the lock -------------------------------------
    audit.check(page, "justificatifs")
    # A program renamed .pdf: the server reads the content and refuses it, at the top, focused.
    _upload(page, "identity", "carte-identite.pdf", exe_bytes(), "application/pdf")
    assert summary_has_focus(page)
    assert "a été refusé" in page.inner_text("[data-error-summary]")
    assert (
        page.evaluate("document.querySelector('[data-error-summary]').getBoundingClientRect().top")
        < viewport["height"]
    )
    audit.check(page, "justificatifs-fichier-refuse")
    # Over 10 Mo: refused in the page before sending (the server refuses it too: test_uploads.py).
    big = tmp_path / "scan.pdf"
    big.write_bytes(pdf_bytes() + b"\0" * (10 * 2**20))  # a path: the browser reads it itself
    page.set_input_files("#id_identity-files", files=[str(big)])
    page.click("#piece-identity button[type=submit]")
    page.wait_for_selector("#id_identity-files_error:has-text('la limite est de 10 Mo')")
    assert page.evaluate("document.activeElement.id") == "id_identity-files"
    audit.check(page, "justificatifs-fichier-trop-gros")
    assert not Piece.objects.filter(dossier=dossier, code="identity").exclude(state="missing").exists()
    # Every piece still asked for gets a real file (the signed recap is already there).
    for form in page.locator("form.piece-upload").all():
        code = form.get_attribute("action").rstrip("/").rsplit("/", 1)[1]
        if page.locator(f"#piece-{code}").inner_text().count("À déposer"):
            _upload(page, code, f"{code}.jpg", jpeg_bytes((900, 600)), "image/jpeg")
            assert "déposée" in page.inner_text(".alert-success")
    audit.check(page, "justificatifs-deposes", shot=True)
    _submit(page, lambda: page.click(LOCK), "verrouiller les pièces")
    assert "vos pièces sont verrouillées" in page.inner_text("main")
    audit.check(page, "justificatifs-verrouilles")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED

    # --- the gestionnaire starts the review and invalidates the identity piece -------------------------
    admin = contexts()
    admin.goto(base + "/admin/login/")
    audit.check(admin, "admin-connexion")
    admin.fill("#id_username", GESTIONNAIRE_EMAIL.format(academie="nancy-metz"))
    admin.fill("#id_password", DEMO_PASSWORD)
    admin.locator("form [type=submit]").last.click()
    admin.wait_for_url("**/admin/")
    audit.check(admin, "admin-accueil", shot=True)
    admin.click(f"#content a:has-text('{dossier.specialty.name}')")
    admin.wait_for_url("**/admin/candidates/dossier/**")
    audit.check(admin, "admin-dossiers", shot=True)
    admin.fill("#searchbar", number)
    admin.keyboard.press("Enter")
    admin.wait_for_url("**q=*")
    audit.check(admin, "admin-dossiers-recherche")
    admin.click(f"#result_list a:has-text('{number}')")
    admin.wait_for_url(re.compile(r"/change/"))
    _measure_review_page(admin, "locked")
    audit.check(admin, "admin-dossier", shot=True)
    admin.click('button:has-text("Commencer l\'examen")')
    admin.wait_for_selector("text=Examen du dossier commencé")
    audit.check(admin, "admin-dossier-en-examen")
    identity = Piece.objects.get(dossier=dossier, code="identity")
    card = admin.locator(f"#piece-{identity.pk}")
    card.locator("select[name=reason]").select_option(index=1)
    card.locator("input[name=reason_text]").fill("Le document est illisible : déposez un scan net.")
    # The previews load lazily: click once they have (a box filled under the pointer took the
    # click on a loaded machine).
    admin.wait_for_load_state("networkidle")
    card.locator("button:has-text('Invalider')").click()
    admin.wait_for_selector("text=invalidée : le candidat peut la remplacer")
    audit.check(admin, "admin-piece-invalidee")
    # The dossier goes back to the candidate: "Dossier incomplet" with the reasons, pre-filled.
    assert "illisible" in admin.input_value("#correction-message")
    _submit(admin, lambda: admin.click("button:has-text('demander la correction')"), "demander la correction")
    assert "Correction demandée" in admin.inner_text("body")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.INCOMPLETE
    audit.check(admin, "admin-dossier-incomplet")
    admin.goto(base + "/admin/documents/piece/")
    audit.check(admin, "admin-pieces")
    admin.goto(f"{base}/admin/candidates/dossier/{dossier.pk}/history/")
    audit.check(admin, "admin-historique")

    # --- the candidate reads the message and replaces the piece ----------------------------------------
    message = _last_mail_to(email, "pièce")
    assert "illisible" in message.body
    page.goto(base + "/mes-messages/")
    audit.check(page, "mes-messages")
    page.click("main a:has-text('à remplacer')")
    page.wait_for_load_state()
    assert "illisible" in page.inner_text("main")
    audit.check(page, "message-piece-invalidee")
    page.goto(f"{base}/mes-justificatifs/{dossier.pk}/")
    assert "illisible" in page.inner_text("#piece-identity")
    audit.check(page, "justificatifs-a-remplacer")
    replace = page.locator("#id_identity-replace")
    if replace.count():
        replace.check()
    _upload(page, "identity", "carte-identite-nette.pdf", pdf_bytes(), "application/pdf")
    assert "déposée" in page.inner_text(".alert-success")
    _submit(page, lambda: page.click(LOCK), "verrouiller à nouveau les pièces")
    assert "vos pièces sont verrouillées" in page.inner_text("main")
    audit.check(page, "justificatifs-reverrouilles")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED

    # --- the gestionnaire accepts every piece and declares the dossier conforme ------------------------
    admin.goto(f"{base}/admin/candidates/dossier/{dossier.pk}/change/")
    _submit(admin, lambda: admin.click(START_REVIEW), "reprendre l'examen")
    _measure_review_page(admin, "replaced")
    conforme = admin.locator("button:has-text('Déclarer conforme'):not(:has-text('réserve'))")
    waited_until = time.monotonic() + 30
    while True:
        while admin.locator("button:has-text('Accepter la pièce')").count():
            accept = admin.locator("button:has-text('Accepter la pièce')").first
            _submit(admin, accept.click, "accepter une pièce")
            assert "acceptée" in admin.inner_text("body")
        if conforme.is_enabled():
            break
        # The replacement may still be in the antivirus quarantine (no "Accepter" yet): the
        # button says why it is disabled; look again, as the gestionnaire would.
        assert time.monotonic() < waited_until, admin.inner_text(".review-actions")
        admin.wait_for_timeout(500)
        admin.reload()
    audit.check(admin, "admin-pieces-acceptees")
    admin.wait_for_load_state("networkidle")
    _submit(admin, conforme.click, "déclarer conforme")
    assert "Décision enregistrée" in admin.inner_text("body")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.COMPLIANT
    audit.check(admin, "admin-dossier-conforme", shot=True)
    # issue 18 item 6: the index's "Actions récentes" shows what the gestionnaire did.
    admin.goto(base + "/admin/")
    recent = admin.inner_text("#recent-actions-module")
    assert number in recent, recent
    audit.check(admin, "admin-accueil-apres")

    # --- the candidate sees the decision ----------------------------------------------------------------
    assert "conforme" in _last_mail_to(email, "conforme").subject.lower()
    page.goto(f"{base}/inscription/{dossier.pk}/")
    assert "conforme" in page.inner_text("main").lower()
    audit.check(page, "dossier-conforme")
    page.goto(base + "/mon-espace/")
    audit.check(page, "mon-espace-conforme")

    MEASURES[f"journey-{viewport['width']}"] = {
        "seed_s": round(seeded - started, 1),
        "browser_s": round(time.monotonic() - seeded, 1),
        "pages": len(audit.pages),
        **{f"audit_{part}_s": round(seconds, 1) for part, seconds in audit.seconds.items()},
    }
    print(f"\nissue 18 measures ({viewport['width']} px): {MEASURES}")
    audit.assert_clean()


def _measure_review_page(admin, label: str) -> None:
    """Layout shift and timing of the admin review page (issue 18 item 6: CLS < 0.1; the previews
    load lazily, in boxes of a reserved size). The figures go to the printed MEASURES."""
    admin.wait_for_load_state("load")
    # Scroll through the pieces, as a gestionnaire does: lazy previews load, nothing may move.
    scroll_through_previews(admin)
    cls = cumulative_layout_shift(admin)
    width = admin.viewport_size["width"]
    MEASURES[f"review-{label}-{width}"] = {
        "cls": round(cls, 4),
        **{k: round(v) for k, v in navigation_ms(admin).items()},
    }
    assert cls < 0.1, (MEASURES, layout_shifts(admin))
