from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening and review"

    def ready(self) -> None:
        # The intake asks for screening through this seam only (intake/screening_seam.py).
        from intake import screening_seam
        from screening import selectors, services

        screening_seam.register(
            screening_seam.Screening(
                draft_safety_check=services.safety_check_draft,
                submitted=services.screening_of_submission,
                open_info_request=selectors.info_request_notice,
            )
        )
