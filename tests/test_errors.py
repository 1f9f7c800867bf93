"""What a person sees when a component is down (issue 17): French pages, rendered without the
database or the cache, that say what may already be saved."""

from __future__ import annotations

import sys

import pytest
import redis
from django.db import OperationalError
from django.test import RequestFactory

from portal import errors, ratelimit


def _raise_and_handle(exc, request):
    try:
        raise exc
    except Exception:
        return errors.handler500(request)


@pytest.mark.django_db
def test_a_database_error_in_a_view_answers_the_french_503_page_without_a_query(django_assert_num_queries):
    request = RequestFactory().post("/inscription/1/conditions/")
    middleware = errors.InfrastructureErrorMiddleware(lambda r: None)
    with django_assert_num_queries(0):
        response = middleware.process_exception(request, OperationalError("server closed the connection"))
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert 'lang="fr"' in body and "momentanément indisponible" in body
    # After a POST the page says the action may already be saved, and how to check.
    assert "Avant de recommencer" in body and "numéro de dossier" in body


def test_a_redis_error_raised_below_the_views_is_a_503_too():
    response = _raise_and_handle(redis.exceptions.ConnectionError("refused"), RequestFactory().get("/"))
    assert response.status_code == 503
    assert "Tout ce que vous avez déjà enregistré" in response.content.decode()


def test_any_other_crash_is_the_french_500_page():
    response = _raise_and_handle(ZeroDivisionError("bug"), RequestFactory().get("/mon-espace/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue de notre côté" in body and 'lang="fr"' in body
    assert sys.exc_info() == (None, None, None)


def test_the_middleware_leaves_domain_errors_alone():
    middleware = errors.InfrastructureErrorMiddleware(lambda r: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("x")) is None


class _DownCache:
    def add(self, *a, **k):
        raise redis.exceptions.ConnectionError("Redis is down")

    incr = set = get = add


def test_rate_limits_fail_open_to_a_local_limit_when_the_cache_is_down(monkeypatch):
    monkeypatch.setattr(ratelimit, "cache", _DownCache())
    key = "signup-test:camille@example.org"
    assert [ratelimit.hit(key, 2, 60) for _ in range(3)] == [True, True, False]
    assert ratelimit.exhausted(key, 2) is True
    assert ratelimit.exhausted("another-key", 2) is False


@pytest.mark.django_db
def test_sign_up_works_with_the_cache_down(client, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(ratelimit, "cache", _DownCache())
    password = "Un-mot-de-passe-solide-1"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/creer-un-compte/",
            {
                "email": "lea@example.org",
                "email_confirm": "lea@example.org",
                "password1": password,
                "password2": password,
            },
        )
    assert response.status_code == 302
