from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """E-mail notifications through the task queue: urgent alerts, resubmissions, draft reminders."""

    name = "screening.notify"
    # The label it had as a top-level app: its tables (notify_*), its migration history and
    # the permissions and admin URLs (admin:notify_*) keep their names.
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from clinic import health
        from screening.notify import checks  # noqa: F401  (registers the deploy check)
        from screening.notify.services import worker_last_seen

        # /healthz (clinic, which imports no app) reads the worker's heartbeat through this.
        health.register_worker_heartbeat(worker_last_seen)
