"""Against the real PostgreSQL (and a real Celery worker): two gestionnaires deciding at the same
instant, and a large export written by the worker."""

import threading
import time
import uuid

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from candidates.models import Dossier, DossierState
from candidates.review import services as review
from candidates.review.exports import export_storage_path
from candidates.tasks import export_dossiers
from portal.exceptions import DomainError
from tests.candidates.review_fixtures import dossier, world

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = DossierState


def test_two_simultaneous_decisions_one_wins_the_other_is_told(transactional_db):
    w = world()
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW, pieces=("accepted",))
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(name, actor, decision, reason):
        try:
            barrier.wait()
            review.dossier_decide(dossier=d.pk, actor=actor, decision=decision, reason=reason, lock_version=0)
            outcomes[name] = "ok"
        except DomainError as exc:
            outcomes[name] = exc.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("gest", w["gest_bat"], S.COMPLIANT, "")),
        threading.Thread(target=decide, args=("manager", w["manager_nantes"], S.NON_COMPLIANT, "Hors délai")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["ok", "stale"]
    winner = "gest" if outcomes["gest"] == "ok" else "manager"
    d = Dossier.objects.get(pk=d.pk)
    assert d.state == (S.COMPLIANT if winner == "gest" else S.NON_COMPLIANT)
    assert d.lock_version == 1
    assert d.history.filter(history_change_reason__startswith="Déclaré").count() == 1


def test_a_large_export_is_written_by_the_worker(celery_worker):
    w = world()
    ids = [dossier(w["s_nantes"], w["bat"]).pk for _ in range(3)]
    token = uuid.uuid4().hex
    export_dossiers.delay(w["gest_bat"].pk, ids, "csv", token)
    path = export_storage_path(w["gest_bat"].pk, f"{token}.csv")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not w["gest_bat"].messages.filter(kind="export_ready").exists():
        time.sleep(0.3)
    assert default_storage.exists(path)
    content = default_storage.open(path).read().decode("utf-8-sig")
    assert content.count("\n") == 4  # header + 3 dossiers
    assert w["gest_bat"].messages.get(kind="export_ready").link.endswith(f"{token}.csv/")
