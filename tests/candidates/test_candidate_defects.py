"""issue 18, the candidate's side of the walk-through, one test per defect met (items 4, 5, 7 and
the server half of item 2); what only a browser shows is in
tests/e2e/test_candidate_defects_browser.py."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from candidates.models import DossierState
from exams.helpdesk.models import AcademieHelp
from tests.factories import SpecialtyFactory, SpecialtyOptionFactory, UserFactory, open_specialty, walk_to

from . import test_wizard
from .test_wizard import TAB_DATA, _fill_all, _start, _url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """The wizard tests' open session, BTS catalogue, languages and candidate."""
    return test_wizard.world.__wrapped__()


def _button(html: str, text: str) -> str:
    """The class attribute of the link or button whose text is ``text``."""
    match = re.search(r'<a class="([^"]*)"[^>]*>\s*' + re.escape(text), html)
    assert match, text
    return match.group(1)


# --- item 7 ---------------------------------------------------------------------------------------
def test_the_home_page_body_offers_to_create_an_account(client):
    html = client.get(reverse("home")).content.decode()
    main = html[html.index('<main id="contenu"') :]
    assert f'href="{reverse("candidates:signup")}">Créer un compte</a>' in main


def test_a_new_accounts_main_button_is_to_complete_the_profile(client):
    client.force_login(UserFactory())  # no profile yet: 0 %
    html = client.get(reverse("candidates:space")).content.decode()
    assert "btn-primary" in _button(html, "Compléter mon profil").split()
    assert "btn-primary" not in _button(html, "Nouvelle inscription").split()


def test_a_complete_profile_makes_a_new_registration_the_main_button(client, world):
    client.force_login(world["user"])
    html = client.get(reverse("candidates:space")).content.decode()
    assert "btn-primary" in _button(html, "Nouvelle inscription").split()


def test_a_tab_never_saved_does_not_say_what_was_saved_is_kept(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    html = client.post(
        _url(dossier, "contact"), {**TAB_DATA["contact"], "mobile_phone": "01"}
    ).content.decode()
    assert "pour enregistrer cet onglet" in html
    assert "L&#x27;onglet n&#x27;a pas été enregistré" not in html and "auparavant" not in html
    # Once saved, a refused change says the saved values are kept.
    assert client.post(_url(dossier, "contact"), TAB_DATA["contact"]).status_code == 302
    html = client.post(
        _url(dossier, "contact"), {**TAB_DATA["contact"], "mobile_phone": "01"}
    ).content.decode()
    assert "Ce qui avait été enregistré auparavant est conservé" in html


def test_tab_nine_shows_and_links_the_conditions_it_asks_to_certify(client, world):
    AcademieHelp.objects.create(
        academie=world["session"].academie,
        notice_url="https://www.ac-nancy-metz.fr/notice-bts.pdf",
        notice_title="Notice d'inscription BTS 2026",
    )
    client.force_login(world["user"])
    dossier = _start(client, world)
    html = client.get(_url(dossier, "conditions")).content.decode()
    assert 'id="conditions-inscription"' in html and "Les conditions d'inscription" in html
    assert (
        '<a href="https://www.ac-nancy-metz.fr/notice-bts.pdf">Notice d&#x27;inscription BTS 2026</a>' in html
    )
    assert reverse("help:page", args=[world["session"].academie.code]) in html
    assert "conditions d&#x27;inscription rappelées ci-dessus" in html  # the checkbox points to them


def test_the_dossier_page_dates_the_registration_not_the_state(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["user"])
    dossier = _start(client, world)
    _fill_all(client, world, dossier)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(dossier, "conditions"), {"certify": "on"})
    dossier.refresh_from_db()
    walk_to(dossier, DossierState.COMPLIANT)
    html = client.get(reverse("registration:detail", args=[dossier.pk])).content.decode()
    assert "Conforme le" not in html
    assert "Inscription enregistrée le" in html and "État du dossier :</strong> Conforme" in html


# --- item 5 ---------------------------------------------------------------------------------------
def test_every_country_of_the_wizard_is_a_list_and_the_summary_names_them(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    for tab, names in (("identite", ("birth_country", "nationality")), ("contact", ("country",))):
        html = client.get(_url(dossier, tab)).content.decode()
        assert "ISO" not in html
        for name in names:
            assert f'<select name="{name}"' in html and '<option value="BE">Belgique</option>' in html
    client.post(_url(dossier, "identite"), {**TAB_DATA["identite"], "birth_country": "JP"})
    html = client.get(_url(dossier, "conditions")).content.decode()
    assert "Nancy (Japon), nationalité France" in html


def test_the_profile_offers_the_same_country_lists(client, world):
    client.force_login(world["user"])
    html = client.get(reverse("candidates:profile_edit")).content.decode()
    assert "ISO" not in html
    for name in ("birth_country", "nationality", "country"):
        assert f'<select name="{name}"' in html


# --- item 4 ---------------------------------------------------------------------------------------
def test_tab_five_explains_global_and_progressive_and_that_the_choice_is_final(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    html = client.get(_url(dossier, "specialite")).content.decode()
    assert 'id="forme-explication"' in html
    assert "Forme globale" in html and "Forme progressive" in html and "Ce choix est définitif" in html
    assert "définitif pour cette spécialité" in html  # the field's own help, tied to the radios


def test_tab_five_offers_only_the_options_of_the_dossiers_specialty(client, world):
    session = world["session"]
    other = SpecialtyFactory(code="systemes-numeriques", name="Systèmes numériques")
    theirs = SpecialtyOptionFactory(specialty=other, code="A", name="Informatique et réseaux")
    mine = SpecialtyOptionFactory(
        specialty=world["specialty"], code="A", name="Génie climatique et fluidique"
    )
    open_specialty(session, other)
    open_specialty(session, world["specialty"])
    client.force_login(world["user"])
    dossier = _start(client, world)
    # Before a specialty is chosen: each option under its specialty.
    html = client.get(_url(dossier, "specialite")).content.decode()
    assert '<optgroup label="' in html
    dossier.specialty = world["specialty"]
    dossier.save(update_fields=["specialty"])
    html = client.get(_url(dossier, "specialite")).content.decode()
    select = html[
        html.index('<select name="option"') : html.index("</select>", html.index('<select name="option"'))
    ]
    assert f'value="{mine.pk}"' in select and f'value="{theirs.pk}"' not in select
    assert "data-options-by-specialty" in select and "specialty-options.js" in html
    # Posting the other specialty's option is refused on the field.
    response = client.post(
        _url(dossier, "specialite"),
        {"specialty": world["specialty"].pk, "option": theirs.pk, "forme": "global"},
    )
    assert response.status_code == 200 and 'id="id_option_error"' in response.content.decode()


# --- item 2, the server half: every refusal renders a summary forms.js focuses --------------------
def test_a_refused_withdrawal_renders_the_portals_error_summary(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["user"])
    dossier = _start(client, world)
    _fill_all(client, world, dossier)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(dossier, "conditions"), {"certify": "on"})
    html = client.post(reverse("registration:withdraw", args=[dossier.pk]), {}).content.decode()
    assert "data-error-summary" in html and 'href="#id_confirm"' in html
    assert 'aria-describedby="id_confirm_error"' in html or "id_confirm_error" in html
