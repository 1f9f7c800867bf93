"""exams.staff: the staff role is granted and revoked by explicit services, the admin included."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from exams import roles
from exams.models import StaffAssignment, StaffRole
from exams.staff import staff_assign, staff_unassign
from tests.factories import AcademieFactory, SpecialtyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_assigning_grants_the_role_and_the_admin():
    user = UserFactory(email="gest@ac-nantes.fr")
    bat = SpecialtyFactory(code="batiment")
    assignment = staff_assign(
        user=user, academie=AcademieFactory(), role=StaffRole.GESTIONNAIRE, specialties=[bat]
    )
    user.refresh_from_db()
    assert user.is_staff and _groups(user) == {roles.GESTIONNAIRE}
    assert list(assignment.specialties.all()) == [bat]


def test_a_second_assignment_in_the_same_academie_changes_the_role():
    user, academie = UserFactory(), AcademieFactory()
    staff_assign(user=user, academie=academie, role=StaffRole.GESTIONNAIRE)
    staff_assign(user=user, academie=academie, role=StaffRole.MANAGER)
    assert StaffAssignment.objects.filter(user=user).count() == 1
    assert _groups(user) == {roles.MANAGER}


def test_unassigning_revokes_only_what_no_other_assignment_gives():
    user = UserFactory()
    keep = staff_assign(user=user, academie=AcademieFactory(code="nantes"), role=StaffRole.GESTIONNAIRE)
    drop = staff_assign(user=user, academie=AcademieFactory(code="toulouse"), role=StaffRole.MANAGER)
    other = Group.objects.create(name="Lecteurs")
    user.groups.add(other)
    staff_unassign(assignment=drop)
    user.refresh_from_db()
    assert user.is_staff and _groups(user) == {roles.GESTIONNAIRE, "Lecteurs"}
    staff_unassign(assignment=keep)
    user.refresh_from_db()
    assert not user.is_staff and _groups(user) == {"Lecteurs"}


def test_a_superuser_stays_staff_without_assignment():
    root = UserFactory(is_staff=True, is_superuser=True)
    staff_unassign(assignment=staff_assign(user=root, academie=AcademieFactory(), role=StaffRole.MANAGER))
    root.refresh_from_db()
    assert root.is_staff and _groups(root) == set()


def test_saving_an_assignment_row_grants_nothing_by_itself():
    # No post_save: a right is granted where a service grants it, nowhere else.
    user = UserFactory()
    StaffAssignment.objects.create(user=user, academie=AcademieFactory(), role=StaffRole.MANAGER)
    user.refresh_from_db()
    assert not user.is_staff and _groups(user) == set()


def test_the_admin_grants_on_save_and_revokes_on_delete(admin_client):
    user, academie = UserFactory(email="nouveau@ac-nantes.fr"), AcademieFactory()
    response = admin_client.post(
        reverse("admin:exams_staffassignment_add"),
        {"user": user.pk, "academie": academie.pk, "role": StaffRole.GESTIONNAIRE},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.is_staff and _groups(user) == {roles.GESTIONNAIRE}
    assignment = StaffAssignment.objects.get(user=user)
    response = admin_client.post(
        reverse("admin:exams_staffassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_staff and _groups(user) == set()


def test_the_admin_bulk_delete_revokes_each_user(admin_client):
    users = [UserFactory() for _ in range(2)]
    for user in users:
        staff_assign(user=user, academie=AcademieFactory(), role=StaffRole.GESTIONNAIRE)
    admin_client.post(
        reverse("admin:exams_staffassignment_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(StaffAssignment.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert not StaffAssignment.objects.exists()
    for user in users:
        user.refresh_from_db()
        assert not user.is_staff


def test_moving_an_assignment_to_another_user_revokes_the_first(admin_client):
    first, second, academie = UserFactory(), UserFactory(), AcademieFactory()
    assignment = staff_assign(user=first, academie=academie, role=StaffRole.GESTIONNAIRE)
    response = admin_client.post(
        reverse("admin:exams_staffassignment_change", args=[assignment.pk]),
        {"user": second.pk, "academie": academie.pk, "role": StaffRole.GESTIONNAIRE},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.is_staff and second.is_staff
