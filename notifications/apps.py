from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications import unread  # noqa: F401 (issue 15: the unread count forgotten on writes)
        from portal import embedded

        if embedded.should_start():
            embedded.start()
