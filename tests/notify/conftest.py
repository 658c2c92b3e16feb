"""A real SMTP server on loopback (aiosmtpd), and the app's mail pointed at it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received: each message with its envelope recipients."""

    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.original_content)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[tuple[list[str], Message]]:
        return self.inbox.messages


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    """A stopped SMTP server the app's mail goes to; ``start()`` it to receive."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@pytest.fixture
def intake(patient):
    """Alice's intake, just started."""
    from intake.services import intake_start, patient_get_or_create

    return intake_start(patient=patient_get_or_create(user=patient))


@pytest.fixture
def staff_client(clinician):
    """Carol, signed in on her own browser (patient_client holds Alice's session)."""
    from django.test import Client

    from tests.conftest import sign_in_staff

    return sign_in_staff(Client(), clinician)


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    """The worker's periodic dispatch, its queueing run as on commit (the test is one transaction)."""
    from screening.notify.services import notifications_dispatch_due

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return notifications_dispatch_due()

    return run
