from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """E-mail notifications through the task queue: urgent alerts, resubmissions, draft reminders."""

    name = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notify import checks  # noqa: F401  (registers the deploy check)
