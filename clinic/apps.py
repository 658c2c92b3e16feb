from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package doubles as the app for accounts, roles and the audit trail."""

    name = "clinic"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from clinic import checks, identity, signals  # noqa: F401  (registers the checks and the receivers)

