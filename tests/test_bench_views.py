"""The ceiling page of `make bench` exists only when BENCH_VIEWS is on (issue 15)."""

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from portal.bench_views import ceiling
from tests.factories import candidate_with_profile


def test_production_urls_do_not_mount_it():
    with pytest.raises(NoReverseMatch):
        reverse("bench_ceiling")


@pytest.mark.django_db
def test_it_reads_the_user_and_renders_a_tiny_page():
    user = candidate_with_profile()
    request = RequestFactory().get("/_bench/plafond/")
    request.user = user
    response = ceiling(request)
    assert response.status_code == 200
    assert user.email in response.content.decode()
