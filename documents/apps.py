from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from documents import checks  # noqa: F401 (registers the system checks)
        from documents.pieces import counters  # noqa: F401 (issue 15: the dossier's piece counters)

        # The roll-over (exams, below documents) copies the piece rules through this callable.
        from exams.catalogue import register_attached_copier

        register_attached_copier(_copy_piece_rules)

        # The sessions' admin (exams) publishes the convocations through this callable (issue 14).
        from exams.sittings.publication import register_convocation_publisher

        register_convocation_publisher(_publish_convocations)

        # issue 15: the piece rules are read from the catalogue cache; their specialties are a
        # many-to-many relation the admin saves after the rule (save_related).
        from django.db.models.signals import m2m_changed

        from documents.models import PieceRule
        from exams.catalogue_cache import bump_on_m2m_change

        m2m_changed.connect(
            bump_on_m2m_change, sender=PieceRule.specialties.through, dispatch_uid="catalogue:piece_rules"
        )


def _copy_piece_rules(previous, new) -> None:
    from documents.pieces.services import piece_rules_copy

    piece_rules_copy(source=previous, target=new)


def _publish_convocations(*, session, at=None) -> None:
    from documents.recap.convocations import convocations_request_publication

    convocations_request_publication(session=session, at=at)
