"""/sante/: database, Redis and worker, for a load balancer and the operator."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_it_reports_ok_on_the_embedded_default(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/sante/")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"]["mode"] == "eager"


def test_it_reports_a_redis_that_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_it_rejects_post(client):
    assert client.post("/sante/").status_code == 405


@pytest.mark.integration
def test_it_sees_a_real_worker_up(client, settings, celery_worker):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/sante/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["redis"] == {"ok": True, "configured": True}
    assert body["checks"]["worker"]["ok"] is True
    assert body["checks"]["worker"]["workers"] >= 1


@pytest.mark.integration
def test_it_reports_a_worker_down(client, settings, celery_worker):
    celery_worker.kill()
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/sante/")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
