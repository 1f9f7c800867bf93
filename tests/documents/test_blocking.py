"""One answer to "may the pieces be locked?" for the page, the lock and the deadline job (TLS)."""

import pytest

from documents.models import Piece, PieceState
from documents.pieces import selectors, services
from exams.models import PieceDeadlineKind
from portal.exceptions import DomainError
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def test_an_invalidated_late_piece_blocks_the_lock_and_is_listed_on_the_page(client):
    dossier = DossierFactory(state="registered", number="2025-NANCY-METZ-000001")
    required = selectors.required_pieces_for_dossier(dossier)
    for r in required:
        if r.deadline_kind == PieceDeadlineKind.STANDARD:
            Piece.objects.create(dossier=dossier, code=r.code, state=PieceState.DEPOSITED)
    late = next(r for r in required if r.deadline_kind == PieceDeadlineKind.LATE)  # R408 in NM
    Piece.objects.create(
        dossier=dossier, code=late.code, state=PieceState.INVALIDATED, invalidation_reason="Illisible"
    )

    blocking = selectors.pieces_blocking_submission(dossier)
    assert [b.code for b in blocking] == [late.code]
    with pytest.raises(DomainError) as excinfo:
        services.piece_lock_all(dossier=dossier, by=dossier.candidate)
    assert excinfo.value.code == "missing_pieces"

    client.force_login(dossier.candidate)
    page = client.get(f"/mes-justificatifs/{dossier.pk}/").content.decode()
    assert f'href="#piece-{late.code}"' in page
