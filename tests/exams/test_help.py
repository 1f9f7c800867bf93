"""The help page of each académie (issue 14): contact, hours, notice link, FAQ edited in the admin,
linked from every page."""

import pytest
from django.urls import reverse

from exams.helpdesk.models import AcademieHelp, FaqEntry
from tests.factories import AcademieFactory, StaffAssignmentFactory, UserFactory, candidate_with_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def nancy():
    academie = AcademieFactory(contact_phone="03 83 86 20 20")
    AcademieHelp.objects.create(
        academie=academie,
        opening_hours="Du lundi au vendredi, 9 h – 12 h",
        notice_url="https://www.ac-nancy-metz.fr/notice-bts.pdf",
        notice_title="Notice BTS 2025",
    )
    FaqEntry.objects.create(
        academie=academie, question="Puis-je changer de spécialité ?", answer="Jusqu'à la clôture."
    )
    FaqEntry.objects.create(academie=academie, question="Brouillon", answer="x", is_published=False)
    return academie


def test_the_candidate_gets_the_help_of_their_academie_linked_from_every_page(client, nancy):
    user = candidate_with_profile()
    client.force_login(user)
    space = client.get(reverse("candidates:space")).content.decode()
    assert reverse("help:index") in space
    page = client.get(reverse("help:index"), follow=True).content.decode()
    assert "académie de Nancy-Metz" in page and "ce.dec-bts@ac-nancy-metz.fr" in page
    assert "03 83 86 20 20" in page and "9 h – 12 h" in page and "Notice BTS 2025" in page
    assert "Puis-je changer de spécialité ?" in page and "Brouillon" not in page


def test_anyone_can_read_any_academies_help_and_an_unknown_one_is_404(client, nancy):
    assert client.get(reverse("help:page", args=["nancy-metz"])).status_code == 200
    assert client.get(reverse("help:page", args=["atlantide"])).status_code == 404
    assert "Académie de Nancy-Metz" in client.get(reverse("help:index")).content.decode()


def test_a_manager_edits_only_their_academies_faq_in_the_admin(client, nancy):
    other = AcademieFactory(code="toulouse", name="Toulouse")
    FaqEntry.objects.create(academie=other, question="Question de Toulouse", answer="y")
    manager = StaffAssignmentFactory(
        user=UserFactory(email="resp@ac-nancy-metz.fr"), academie=nancy, role="manager"
    ).user
    client.force_login(manager)
    page = client.get(reverse("admin:exams_faqentry_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Puis-je changer de spécialité ?" in text and "Question de Toulouse" not in text
