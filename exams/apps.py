from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class ExamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exams"
    verbose_name = "Catalogue des examens"

    def ready(self) -> None:
        # issue 7: staff groups after migrate, and a staff assignment grants its role's group.
        from . import roles

        post_migrate.connect(roles.on_post_migrate, dispatch_uid="exams.roles.post_migrate")
        post_save.connect(
            roles.on_assignment_saved,
            sender="exams.StaffAssignment",
            dispatch_uid="exams.roles.assignment_saved",
        )
