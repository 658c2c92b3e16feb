from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """E-mail notifications through the task queue: urgent alerts, resubmissions, draft reminders."""

    name = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from clinic import health
        from notify import checks  # noqa: F401  (registers the deploy check)
        from notify.services import worker_last_seen

        # /healthz (clinic, which imports no app) reads the worker's heartbeat through this.
        health.register_worker_heartbeat(worker_last_seen)
