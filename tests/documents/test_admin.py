"""Academy managers edit their académie's piece rules in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.models import PieceRule
from documents.pieces.services import seed_piece_rules
from exams.models import StaffRole
from exams.staff import staff_assign
from tests.factories import AcademieFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_manager_sees_only_the_rules_of_the_academies_they_manage(client):
    nm = AcademieFactory()
    SessionFactory(academie=nm)
    SessionFactory(academie=AcademieFactory(code="toulouse", name="Toulouse"), code="toulouse-bts-2025")
    seed_piece_rules()
    manager = UserFactory(is_staff=True)
    staff_assign(user=manager, academie=nm, role=StaffRole.MANAGER)
    from django.contrib.auth.models import Permission

    manager.user_permissions.set(Permission.objects.filter(codename__endswith="piecerule"))
    client.force_login(manager)
    response = client.get(reverse("admin:documents_piecerule_changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("session__academie__code", flat=True))
    assert shown == {"nancy-metz"}
    toulouse_rule = PieceRule.objects.filter(session__academie__code="toulouse").first()
    assert client.get(reverse("admin:documents_piecerule_change", args=[toulouse_rule.pk])).status_code == 302


def test_a_superuser_edits_a_rule_with_its_conditions(client):
    SessionFactory()
    seed_piece_rules()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    rule = PieceRule.objects.get(session__academie__code="nancy-metz", code="apprenticeship_contract")
    response = client.get(reverse("admin:documents_piecerule_change", args=[rule.pk]))
    assert response.status_code == 200
    assert 'value="former_apprentice"' in response.content.decode()
