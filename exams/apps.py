from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ExamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exams"
    verbose_name = "Catalogue des examens"

    def ready(self) -> None:
        # issue 7: staff groups after migrate. Assignments grant their role through the services
        # of exams.staff (staff_assign / staff_unassign), never a post_save.
        from . import staff

        post_migrate.connect(staff.on_post_migrate, dispatch_uid="exams.roles.post_migrate")

        # issue 15: the catalogue cache's version follows its many-to-many relations too.
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import m2m_changed

        from . import catalogue_cache
        from .models import Session, SessionSpecialty

        for relation in (Session.optional_languages, Session.mandatory_languages, SessionSpecialty.options):
            m2m_changed.connect(
                catalogue_cache.bump_on_m2m_change,
                sender=relation.through,
                dispatch_uid=f"catalogue:{relation.through}",
            )
        # issue 15: each request reads the catalogue's version once (exams.catalogue_cache).
        request_started.connect(catalogue_cache.request_started, dispatch_uid="catalogue:request_started")
        request_finished.connect(catalogue_cache.request_finished, dispatch_uid="catalogue:request_finished")
