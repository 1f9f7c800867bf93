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
