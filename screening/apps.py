from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening and review"

    def ready(self) -> None:
        # The intake asks for screening through this seam only (intake/screening_seam.py).
        from django.db.models.signals import post_save

        from clinic.models import User
        from intake import screening_seam
        from screening import selectors, services, signals

        # Each case's copy of its patient's name and e-mail follows the account (the queue's search).
        post_save.connect(signals.refresh_patient_search, sender=User, dispatch_uid="case_patient_search")

        screening_seam.register(
            screening_seam.Screening(
                draft_safety_check=services.safety_check_draft,
                submitted=services.screening_of_submission,
                open_info_request=selectors.info_request_notice,
            )
        )
