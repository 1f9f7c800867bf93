"""The one form system (portal/forms.py): input hygiene on every text field, the error summary
linked to the fields, and Hypothesis fuzzing of every form and the services behind them (issue 11
item 2, issue 12)."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates.accounts import identity
from candidates.accounts.forms import EmailChangeForm, EmailOnlyForm, ProfileForm, SignupForm
from candidates.accounts.services import profile_update
from candidates.models import Dossier, Profile, User
from candidates.registration.forms import (
    ConditionsForm,
    ContactForm,
    HandicapForm,
    IdentityForm,
    SituationForm,
)
from candidates.registration.services import dossier_start
from documents.pieces.forms import SimulatorForm
from documents.recap.forms import SignForm
from portal.exceptions import DomainError
from portal.forms import BIDI_CONTROLS, refused_character, text_hygiene_error
from tests.factories import UserFactory, candidate_with_profile, open_session

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text with what attackers paste: NUL, other controls, bidi overrides, letters that grow when
# upper-cased, very long runs.
NASTY = st.sampled_from(["\x00", "\x07", "\x1b", "\u202e", "\u2066", "ß", "ﬃ", "é", " ", "\n", "-", "'"])
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(NASTY, max_size=130).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=90, max_size=250),
)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1f", "\x7f", *sorted(BIDI_CONTROLS)])
def test_it_refuses_control_and_bidi_characters_with_a_french_message(char):
    assert refused_character(f"Dupont{char}") == char
    assert "caractère invisible ou de contrôle" in text_hygiene_error(f"Du{char}pont")


def test_a_multiline_text_keeps_its_line_breaks():
    assert refused_character("ligne 1\nligne 2\ttab", multiline=True) is None
    assert refused_character("ligne 1\nligne 2") == "\n"


@pytest.mark.parametrize(
    "form_class",
    [SignupForm, EmailOnlyForm, EmailChangeForm, ProfileForm, IdentityForm, ContactForm, SituationForm],
)
def test_every_text_field_refuses_a_bidi_override(form_class):
    texts = [
        name
        for name, f in form_class().fields.items()
        if f.__class__.__name__.endswith(("CharField", "Field"))
    ]
    form = form_class(data={name: "abc\u202edef" for name in texts})
    assert not form.is_valid()
    refused = [n for n, errors in form.errors.items() if any("caractère invisible" in e for e in errors)]
    assert refused, form.errors


def test_the_name_length_is_checked_after_upper_casing():
    form = ProfileForm(data={"birth_name": "ß" * 60})
    assert not form.is_valid()
    assert any("120 caractères une fois mis en forme" in e for e in form.errors["birth_name"])


@pytest.mark.django_db
def test_a_refused_post_shows_a_summary_with_a_link_to_each_field(client):
    client.force_login(UserFactory())
    html = client.post(reverse("candidates:profile_edit"), {"birth_name": "a\u202eb"}).content.decode()
    summary = html[html.index("data-error-summary") : html.index("</ul>", html.index("data-error-summary"))]
    assert 'href="#id_birth_name"' in summary and 'href="#id_sex_0"' in summary
    assert 'aria-describedby="id_birth_name_error"' in html or 'id_birth_name_error"' in html
    assert 'aria-invalid="true"' in html and 'src="/static/js/forms.js"' in html


def _assert_clean_stored(obj, names):
    for name in names:
        value = getattr(obj, name, None)
        if isinstance(value, str):
            assert refused_character(value) is None, (name, value)
            assert len(value) <= identity.MAX_LENGTHS.get(name, 10**6), (name, value)


@pytest.mark.django_db
@FUZZ
@given(data=st.fixed_dictionaries({}, optional={name: TEXT for name in ProfileForm.base_fields}))
def test_fuzzing_the_profile_never_breaks_nor_stores_anything_invalid(data):
    # The form and the service behind the page (the page itself is fuzzed through the wizard's).
    user = User.objects.filter(email="fuzz@example.org").first()
    user = user or UserFactory(email="fuzz@example.org")
    form = ProfileForm(data=data)
    if form.is_valid():
        try:
            profile_update(user=user, data=form.cleaned_data)
        except DomainError:
            pass
    # The service alone, given the raw strings, refuses or normalises them too.
    try:
        profile_update(user=user, data=data)
    except DomainError:
        pass
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        _assert_clean_stored(profile, ProfileForm.base_fields)


@pytest.fixture
def wizard_dossier(db):
    session = open_session()
    candidate = candidate_with_profile()
    return dossier_start(candidate=candidate, session=session)


@pytest.mark.django_db
@FUZZ
@given(
    tab=st.sampled_from(["identite", "contact", "situation", "handicap"]),
    data=st.dictionaries(
        st.sampled_from([*IdentityForm.base_fields, *ContactForm.base_fields, *SituationForm.base_fields]),
        TEXT,
    ),
)
def test_fuzzing_the_wizard_tabs_never_breaks_nor_stores_anything_invalid(client, wizard_dossier, tab, data):
    client.force_login(wizard_dossier.candidate)
    response = client.post(reverse("registration:tab", args=[wizard_dossier.pk, tab]), data)
    assert response.status_code in (200, 302)
    dossier = Dossier.objects.get(pk=wizard_dossier.pk)
    _assert_clean_stored(
        dossier, [*IdentityForm.base_fields, *ContactForm.base_fields, *SituationForm.base_fields]
    )


@pytest.mark.django_db
@FUZZ
@given(data=st.dictionaries(st.sampled_from(sorted(SimulatorForm.PARAMETERS)), TEXT))
def test_fuzzing_the_simulator_never_breaks(client, data):
    response = client.get(reverse("documents:simulator"), data)
    assert response.status_code in (200, 400)
    response = client.get(reverse("documents:simulator"), data, headers={"accept": "application/json"})
    assert response.status_code in (200, 400)


@FUZZ
@given(
    form_class=st.sampled_from([SignupForm, EmailOnlyForm, EmailChangeForm, HandicapForm, ConditionsForm, SignForm]),
    data=st.dictionaries(
        st.sampled_from(["email", "email_confirm", "password1", "password2", "new_email", "new_email_confirm",
                         "password", "handicap", "certify", "document_id", "accommodation_requested"]),
        TEXT,
    ),
)  # fmt: skip
def test_fuzzing_the_other_forms_never_raises(form_class, data):
    form = form_class(data=data)
    if form.is_valid():
        for value in form.cleaned_data.values():
            if isinstance(value, str):
                assert refused_character(value) is None or form_class is SignForm


def test_the_fuzzed_dates_stay_plausible():
    # Not fuzz: the birth date rule the fuzzed forms rely on.
    assert identity.problems({"birth_date": dt.date(1900, 1, 1)}, required=(), today=dt.date(2026, 1, 1))


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(["subject", "body", "ids", "liste", "filtres", "key", "reason"]), TEXT
    )
)
def test_fuzzing_the_bulk_message_and_staff_document_forms_never_raises(data):
    """Issue 14: the message to a selection and the withdrawal of a bureau's document."""
    from candidates.messaging.forms import BulkMessageForm, parse_ids
    from candidates.review.forms import StaffDocumentRemoveForm

    for form_class in (BulkMessageForm, StaffDocumentRemoveForm):
        form = form_class(data=data)
        if form.is_valid():
            for value in form.cleaned_data.values():
                if isinstance(value, str):
                    assert refused_character(value, multiline=True) is None
    assert all(isinstance(pk, int) for pk in parse_ids(data.get("ids")))
